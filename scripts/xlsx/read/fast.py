"""The fast path of the import: a sheet read by python-calamine (Rust) and checked by columns.

Why two readers: the streaming reader (:mod:`.reader`) names every fault at its cell but costs a
Python call per XML event, ~30 times a calamine read. calamine is fast but blind to formulas and
error cells (it returns their cached value or ""), reads a number cell holding "abc" as text,
builds the whole grid up to the farthest cell before Python sees a value, and gives no cell
reference when it fails. So a sheet goes the fast way only when nothing of that can be in it:
after ``archive.check_archive`` has passed (sizes, DTDs, macros, encryption are refused before
anything parses) and the layout has been resolved (:mod:`.layout`: the part calamine reads by the
sheet's name is the one scanned), the byte scan of :mod:`.prescan` found the sheet within the
caps and plain. The values calamine returns are then checked column by column (types, caps,
control characters). Anything unusual — or any calamine exception — leaves the sheet to the
streaming reader, which gives the precise message. Both paths agree on every value they both accept.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scripts.xlsx.read.caps import ReadCaps
from scripts.xlsx.read.reader import CONTROL, LONE_CR

# What the streaming reader refuses in a text: CONTROL, LONE_CR, and tab or line breaks outside
# multi-line columns (one character class each way); and the escapes of a surrogate, U+FFFE or
# U+FFFF, which calamine leaves undecoded. A character class alone is searched at C speed; in an
# alternation, the engine tries every branch at every character (twice the time on a column):
# so the class is one search, and the other patterns run only where their first characters occur.
UNDECODED = re.compile("_x(?:[Dd][89A-Fa-f][0-9A-Fa-f]{2}|[Ff]{3}[EeFf])_")
REFUSED_CHARS = {True: CONTROL, False: re.compile(CONTROL.pattern[:-1] + "\t\n\r]")}
PLAIN = (str, float, bool)  # calamine reads every number of an .xlsx as a float


@dataclass
class FastSheet:
    """A sheet read by calamine: header texts, the sheet row number of each data row that has a
    value, the values by column (aligned to ``numbers``; "" is an empty cell) and the types of
    each column's values (found once, when the column is checked: the conversion reads them too)."""

    name: str
    header: list[str]
    numbers: list[int] = field(default_factory=list)
    columns: list[tuple[Any, ...]] = field(default_factory=list)
    kinds: list[frozenset[type]] = field(default_factory=list)

    def column_has_values(self, index: int) -> bool:
        return index < len(self.columns) and any(v != "" for v in self.columns[index])


class FastReader:
    """Plain sheets read by calamine one step ahead of the caller: calamine parses a sheet in a
    worker thread (it releases the GIL while it parses) while the caller scans the next part, so
    the byte scan that must come first costs little time. One parsed sheet at most waits to be
    converted. Sheets may be read in any order (the largest first overlap best); the cell budget
    is spent in the workbook's order when the sheets are handed over (:meth:`sheets`). Use as a
    context manager; never raises for a bad file."""

    def __init__(self, path: Path, caps: ReadCaps, multiline: Mapping[str, Iterable[str]]) -> None:
        self.caps, self.multiline = caps, multiline
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="calamine")
        self.book = self.pool.submit(_open, path)
        self.waiting: tuple[str, Future[Any]] | None = None
        self.converted: dict[str, tuple[FastSheet | None, list[int]]] = {}

    def __enter__(self) -> FastReader:
        return self

    def __exit__(self, *_: object) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    def read(self, name: str) -> None:
        """Start parsing sheet ``name``, which the scan found plain and within the caps, and convert
        the sheet parsed before it meanwhile."""
        future = self.pool.submit(_parse, self.book, name)
        self._convert_waiting()
        self.waiting = (name, future)

    def sheets(self, order: Iterable[str]) -> dict[str, FastSheet]:
        """The sheets read, the cell budget spent sheet by sheet in ``order`` (the workbook's) and
        column by column as the streaming reader would: a sheet that reaches past it, and every
        sheet after, is left to the streaming reader, as is a sheet calamine could not read exactly."""
        self._convert_waiting()
        budget, found = self.caps.max_cells, {}
        for name in order:
            sheet, cells = self.converted.get(name, (None, []))
            for count in cells:
                budget -= count
                if budget < 0:
                    break
            if sheet is not None and budget >= 0:
                found[name] = sheet
        return found

    def _convert_waiting(self) -> None:
        if self.waiting is not None:
            name, future = self.waiting
            self.waiting = None
            self.converted[name] = _read_sheet(future.result(), name, self.caps, set(self.multiline.get(name, ())))


def _open(path: Path) -> Any:
    from python_calamine import CalamineWorkbook

    return CalamineWorkbook.from_path(str(path))


def _parse(book: Future[Any], name: str) -> Any:
    """The parsed sheet, or None on any failure (the streaming reader names it precisely)."""
    try:
        return book.result().get_sheet_by_name(name)
    except Exception:
        return None


def _read_sheet(parsed: Any, name: str, caps: ReadCaps, multiline: set[str]) -> tuple[FastSheet | None, list[int]]:
    """The sheet as columns, or None when a value needs the streaming reader; and the cells of
    each column read, up to the first that is not plain (what they cost of the cell budget)."""
    if parsed is None:
        return None, []
    try:
        rows = parsed.to_python(skip_empty_area=False)
    except Exception:  # the streaming reader names the fault
        return None, []
    header = _header(rows)  # the byte scan bounded the rows and columns before calamine built them
    if header is None:
        return None, []
    found = _columns(rows[1:], len(header))
    if found is None:
        return None, []
    numbers, columns, gaps = found
    sheet, cells = FastSheet(name, header, numbers, columns), []
    for index, column in enumerate(sheet.columns):
        cells.append(len(column) - gaps[index])
        sheet.kinds.append(frozenset(map(type, column)))
        if not _plain_column(column, sheet.kinds[-1], caps, header[index] in multiline):
            return None, cells
    return sheet, cells


def _columns(body: list[list[Any]], width: int) -> tuple[list[int], list[tuple[Any, ...]], list[int]] | None:
    """The sheet rows that hold a value, the values by column (transposed at C speed) and each
    column's empty cells among those rows (counted once: a count is a pass over the column); None
    when a value lies right of the header (the streaming reader notes or refuses it)."""
    columns = _transpose(body, width)
    if columns is None:
        return None
    gaps = [c.count("") for c in columns]
    if not body or min(gaps) == 0:  # a column without gaps: no row is empty
        return list(range(2, len(body) + 2)), columns, gaps
    kept, columns = _kept_rows(body, width)
    return kept, columns, [g - (len(body) - len(kept)) for g in gaps]  # an empty row is a gap in every column


def _transpose(body: list[list[Any]], width: int) -> list[tuple[Any, ...]] | None:
    """The header's columns of ``body``; None when rows differ in length or a column right of the
    header holds a value, so that the sheet is left to the streaming reader, which names it."""
    try:
        columns = list(zip(*body, strict=True)) if body else []
    except ValueError:
        return None
    if any(c.count("") != len(c) for c in columns[width:]):
        return None
    return columns[:width] or [() for _ in range(width)]


def _kept_rows(body: list[list[Any]], width: int) -> tuple[list[int], list[tuple[Any, ...]]]:
    """The rows with a value in the header's columns, and their values by column: transposed a
    second time, since an empty row is possible only when every column has a gap (rarely)."""
    kept = [number for number, row in enumerate(body, start=2) if row[:width].count("") < width]
    return kept, list(zip(*(body[n - 2] for n in kept), strict=True)) if kept else [() for _ in range(width)]


def _header(rows: list[list[Any]]) -> list[str] | None:
    """Row 1 without its trailing empty cells; None when a header cell is not text."""
    if not rows:
        return None
    header = list(rows[0])
    while header and header[-1] == "":
        header.pop()
    if not header or not all(type(v) is str for v in header):
        return None
    return None if refused(" ".join(header), multiline=False) else header


def _plain_column(column: tuple[Any, ...], kinds: frozenset[type], caps: ReadCaps, multiline: bool) -> bool:
    """Only plain values: texts within the length cap and free of refused characters, finite
    numbers, booleans (``kinds``: the types among the values). Checked over the whole column at
    once (one regex over the joined texts)."""
    if not kinds <= set(PLAIN):
        return False
    texts = column if kinds == {str} else [v for v in column if type(v) is str]
    if texts and not _plain_texts(texts, caps, multiline):
        return False
    return float not in kinds or _finite(column, kinds)


def _finite(column: tuple[Any, ...], kinds: frozenset[type]) -> bool:
    """The column's numbers are all finite: a sum is finite only when every term is, so one sum
    checks them (an overflow just takes the slow path)."""
    return math.isfinite(sum(column if kinds == {float} else [v for v in column if type(v) is float]))


def _plain_texts(texts: Sequence[str], caps: ReadCaps, multiline: bool) -> bool:
    """The column's texts are within the length cap and free of refused characters: kept apart
    from the types and numbers of :func:`_plain_column`, as one check over all the texts at once."""
    if max(map(len, texts)) > caps.max_cell_chars:
        return False
    return not refused(" ".join(texts), multiline)


def refused(text: str, multiline: bool) -> bool:
    """Does ``text`` hold a character or escape the streaming reader refuses?"""
    return bool(REFUSED_CHARS[multiline].search(text) or ("_x" in text and UNDECODED.search(text))
                or (multiline and "\r" in text and LONE_CR.search(text)))
