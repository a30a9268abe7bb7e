"""The fast path of the import: a sheet read by python-calamine (Rust) and checked by columns.

Why two readers: the streaming reader (:mod:`.reader`) names every fault at its cell but costs a
Python call per XML event, ~30 times a calamine read. calamine is fast but blind to formulas and
error cells (it returns their cached value or ""), reads a number cell holding "abc" as text, and
gives no cell reference when it fails. So a sheet goes the fast way only when nothing of that can
be in it: after ``archive.check_archive`` has passed (sizes, DTDs, macros, encryption are refused
before anything parses), a bounded byte scan of the sheet part looks for formulas, error, date
and formula-string cells, phonetic runs and non-numeric number cells; the values calamine returns
are then checked column by column (types, caps, control characters). Anything unusual — or any
calamine exception — returns None, and the caller reads that sheet with the streaming reader,
which gives the precise message. Both paths agree on every value they both accept.
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scripts.xlsx.read.archive import read_layout
from scripts.xlsx.read.reader import CONTROL, LONE_CR, ReadCaps

CHUNK = 1 << 20
# A formula, a phonetic run, or a <v> whose text is not one plain number (error, date, formula-string
# and damaged number cells): each needs the streaming reader to be read or refused precisely.
SUSPECT = re.compile(rb"<f[\s>/]|<rPh[\s>]|<v>(?!\s*[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\s*</v>)")
BAD_BOOL = re.compile(rb"""t=["']b["'][^>]*>\s*<v>(?!\s*[01]\s*</v>)""")
# One pass per column: what the streaming reader refuses in a text (CONTROL, LONE_CR, and tab or
# line breaks outside multi-line columns), as one character class or alternation; and the escapes
# of a surrogate, U+FFFE or U+FFFF, which calamine leaves undecoded and the streaming reader refuses.
UNDECODED = "_x(?:[Dd][89A-Fa-f][0-9A-Fa-f]{2}|[Ff]{3}[EeFf])_"
REFUSED = {True: re.compile(f"{CONTROL.pattern}|{LONE_CR.pattern}|{UNDECODED}"),
           False: re.compile(CONTROL.pattern[:-1] + f"\t\n\r]|{UNDECODED}")}
PLAIN = (str, float, int, bool)


@dataclass
class FastSheet:
    """A sheet read by calamine: header texts, the sheet row number of each data row that has a
    value, and the values by column (aligned to ``numbers``; "" is an empty cell)."""

    name: str
    header: list[str]
    numbers: list[int] = field(default_factory=list)
    columns: list[tuple[Any, ...]] = field(default_factory=list)

    def column_has_values(self, index: int) -> bool:
        return index < len(self.columns) and any(v != "" for v in self.columns[index])


def read_fast(path: Path, wanted: Iterable[str], caps: ReadCaps,
              multiline: Mapping[str, Iterable[str]]) -> dict[str, FastSheet]:
    """The wanted sheets that can be read the fast way; the others are left to the streaming reader.

    Call only after ``check_archive`` passed. Never raises for a bad file: it returns fewer sheets."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = read_layout(archive, caps.max_part_bytes).sheets
            clean = [n for n in wanted if n in parts and _plain_part(archive, parts[n], caps.max_part_bytes)]
        if not clean:
            return {}
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_path(str(path))
    except Exception:  # any failure: the streaming reader names it precisely
        return {}
    found: dict[str, FastSheet] = {}
    budget = [caps.max_cells]
    for name in clean:
        sheet = _read_sheet(book, name, caps, set(multiline.get(name, ())), budget)
        if sheet is not None:
            found[name] = sheet
    return found


def _plain_part(archive: zipfile.ZipFile, part: str, max_bytes: int) -> bool:
    """Does the sheet part hold only cells calamine reads exactly? Scanned in chunks, each cut
    after a complete cell so that no pattern is split; bounded by ``max_bytes``."""
    carry, fed = b"", 0
    with archive.open(part) as stream:
        while chunk := stream.read(CHUNK):
            fed += len(chunk)
            if fed > max_bytes:
                return False
            data = carry + chunk
            # A full chunk may end inside a cell: scan up to its last complete cell and carry the
            # rest; with no complete cell (the formatting after the last row), carry it all. Only
            # a short chunk is the last. (Testing len(data) took a full chunk read right after a
            # cut for the last one and saw its half cell as suspect; refusing a chunk without a
            # cell refused any sheet whose tail passes 1 MiB: both sent a plain sheet to the slow
            # reader, the citations of 100k observations taking 65 s instead of 12.)
            end = data.rfind(b"</c>")
            cut = len(data) if len(chunk) < CHUNK else end + 4 if end >= 0 else 0
            if _suspect(data[:cut]):
                return False
            carry = data[cut:]
    return not _suspect(carry)


def _suspect(data: bytes) -> bool:
    if SUSPECT.search(data) is not None:
        return True
    return (b't="b"' in data or b"t='b'" in data) and BAD_BOOL.search(data) is not None


def _read_sheet(book: Any, name: str, caps: ReadCaps, multiline: set[str], budget: list[int]) -> FastSheet | None:
    """The sheet as columns, or None when a value needs the streaming reader."""
    try:
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception:  # the streaming reader names the fault
        return None
    header = _header(rows)
    if header is None or len(rows) - 1 > caps.max_rows or len(header) > caps.max_columns:
        return None
    found = _columns(rows[1:], len(header))
    if found is None:
        return None
    sheet = FastSheet(name, header, *found)
    for index, column in enumerate(sheet.columns):
        budget[0] -= len(column) - column.count("")
        if budget[0] < 0 or not _plain_column(column, caps, header[index] in multiline):
            return None
    return sheet


def _columns(body: list[list[Any]], width: int) -> tuple[list[int], list[tuple[Any, ...]]] | None:
    """The sheet rows that hold a value, and the values by column (transposed at C speed); None
    when a value lies right of the header (the streaming reader notes or refuses it)."""
    columns = _transpose(body, width)
    if columns is None:
        return None
    if not body or min(c.count("") for c in columns) == 0:  # a column without gaps: no row is empty
        return list(range(2, len(body) + 2)), columns
    return _kept_rows(body, width)


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
    return None if REFUSED[False].search(" ".join(header)) else header


def _plain_column(column: tuple[Any, ...], caps: ReadCaps, multiline: bool) -> bool:
    """Only plain values: texts within the length cap and free of refused characters, finite
    numbers, booleans. Checked over the whole column at once (one regex over the joined texts)."""
    kinds = set(map(type, column))
    if not kinds <= set(PLAIN):
        return False
    texts = column if kinds == {str} else [v for v in column if type(v) is str]
    if texts and not _plain_texts(texts, caps, multiline):
        return False
    return float not in kinds or _finite(column, kinds)


def _finite(column: tuple[Any, ...], kinds: set[type]) -> bool:
    """The column's numbers are all finite: a sum is finite only when every term is, so one sum
    checks them (an overflow just takes the slow path)."""
    return math.isfinite(sum(column if kinds == {float} else [v for v in column if type(v) is float]))


def _plain_texts(texts: Sequence[str], caps: ReadCaps, multiline: bool) -> bool:
    """The column's texts are within the length cap and free of refused characters: kept apart
    from the types and numbers of :func:`_plain_column`, as one check over all the texts at once."""
    if max(map(len, texts)) > caps.max_cell_chars:
        return False
    return not REFUSED[multiline].search(" ".join(texts))
