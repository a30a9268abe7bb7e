"""Read the sheets of an edited workbook row by row, in bounded memory, with every fault named.

Sheets of plain values go to python-calamine (:mod:`.fast`); this reader takes the others, since
calamine (0.9.1), although fast, cannot do it alone: it parses a whole sheet into a dense range
before Python sees a row (no streaming, no per-cell caps: only the archive caps bound it); it
returns a cell's cached value only (a formula looks like a typed value) and turns error cells
(#N/A) into "" (so a broken cell would import as blank); a number cell holding "abc" comes back as the text "abc";
and a bad shared-string index fails the whole workbook with no cell named. It does decode the
``_xHHHH_`` escapes exactly once (so ``_x005F_x0041_`` → ``_x0041_`` and ``_x0000_`` → NUL),
returns numbers as float, booleans as bool, dates as date/datetime by the cell's number format,
and empty cells as "". This reader keeps those semantics and adds what is missing by streaming
each part through expat (no DTDs, no entities: ``archive.check_archive`` refuses them first and
the parser refuses them again), with caps enforced while reading."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.parsers import expat

from scripts.report import Problem
from scripts.xlsx.ooxml import MAX_EXCEL_ROW, NS_MAIN, column_letter, split_ref, unescape_ooxml_text
from scripts.xlsx.read.archive import DEFAULT_CAPS, ArchiveCaps, check_archive, stream_part
from scripts.xlsx.read.caps import DEFAULT_READ_CAPS, ReadCaps
from scripts.xlsx.read.layout import WorkbookLayout, load_layout, to_int
from scripts.xlsx.read.prescan import beyond, reaches_beyond

T_TAG, RPH_TAG = f"{NS_MAIN} t", f"{NS_MAIN} rPh"
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
LONE_CR = re.compile("\r(?!\n)")
EPOCHS = {False: dt.datetime(1899, 12, 30), True: dt.datetime(1904, 1, 1)}
FIX = "correct the cell in the workbook and save it again"
RESAVE = "save the workbook again as .xlsx"


@dataclass(frozen=True)
class Cell:
    """One non-empty cell: ``kind`` is text, number, bool, date, datetime or error; ``formula``
    holds the formula text (without "=") when the cell has one, ``value`` then its cached result."""

    ref: str
    value: str | float | bool | dt.date | dt.datetime
    kind: str
    formula: str | None = None


@dataclass
class Row:
    """A data row: its sheet row number and its cells aligned to the header (None when empty)."""

    number: int
    cells: list[Cell | None]


@dataclass
class SheetData:
    """A sheet as read: header texts ("" for an empty header cell), data rows that have at least
    one value, the letters of non-empty columns right of the header, and the problems found."""

    name: str
    header: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def column_has_values(self, index: int) -> bool:  # the same question FastSheet answers
        return any(r.cells[index] is not None for r in self.rows)


class _Stop(Exception):
    """Internal: a cap was reached; the problem is already recorded."""


def shorten(value: Any, limit: int = 60) -> Any:
    """A long text shortened for a report, with its length, so a huge cell cannot flood it."""
    if isinstance(value, str) and len(value) > limit:
        return f"{value[:limit]}… ({len(value):,} characters)"
    return value


def read_workbook(path: str | Path, wanted_sheets: Iterable[str], caps: ReadCaps = DEFAULT_READ_CAPS,
                  multiline: Mapping[str, Iterable[str]] | None = None,
                  archive_caps: ArchiveCaps = DEFAULT_CAPS) -> tuple[dict[str, SheetData], list[Problem]]:
    """Read ``wanted_sheets`` of the workbook at ``path``.

    Returns the sheets read and the workbook-level problems (an unsafe archive, an ambiguous
    layout, a missing sheet, damaged parts); cell problems are in each SheetData. ``multiline``
    names, per sheet, the header texts of columns that may hold tabs and line feeds. Never raises
    for a bad file."""
    problems = check_archive(path, archive_caps)
    if problems:
        return {}, problems
    try:
        with zipfile.ZipFile(path) as archive:
            layout, problems = load_layout(archive, str(path), caps.max_part_bytes)
            if layout is None:
                return {}, problems
            return read_parts(archive, str(path), layout, list(wanted_sheets), caps, multiline or {})
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        return {}, [Problem(str(path), None, None, None, "not-a-workbook",
                            f"the workbook cannot be read ({exc})", "save it again as .xlsx")]


def read_parts(archive: zipfile.ZipFile, path: str, layout: WorkbookLayout, wanted: list[str], caps: ReadCaps,
               multiline: Mapping[str, Iterable[str]]) -> tuple[dict[str, SheetData], list[Problem]]:
    """Read the wanted sheets from the parts ``layout`` resolved (the ones the scans read)."""
    book = _Book(archive, path, caps, layout)
    problems = book.load_strings()
    sheets: dict[str, SheetData] = {}
    budget = [caps.max_cells]
    for name in wanted:
        part = layout.sheets.get(name)
        if part is None:
            problems.append(Problem(name, None, None, None, "missing-sheet",
                                    f"the workbook has no sheet named {name!r}", "restore it from a fresh export"))
            continue
        sheet = SheetData(name)
        reader = _SheetReader(book, sheet, set(multiline.get(name, ())), budget)
        book.parse(part, {"start": reader.start, "end": reader.end, "data": reader.data}, sheet.problems, name)
        reader.finish()
        sheets[name] = sheet
    return sheets, problems


class _Book:
    """Workbook-level parts: the layout (date styles, the 1904 flag) and the shared strings."""

    def __init__(self, archive: zipfile.ZipFile, path: str, caps: ReadCaps, layout: WorkbookLayout) -> None:
        self.archive, self.path, self.caps = archive, path, caps
        self.date_styles, self.date1904 = layout.date_styles, layout.date1904
        self.strings: list[str | int] = []  # an int is the length of a string over the cap

    def load_strings(self) -> list[Problem]:
        """Shared strings, each decoded once; a string over the cell cap is kept as its length only."""
        problems: list[Problem] = []
        part = next((n for n in self.archive.namelist() if n.lower() == "xl/sharedstrings.xml"), None)
        if part is None:
            return problems
        text = _TextCollector(self.caps.max_cell_chars)

        def end(tag: str) -> None:
            text.tag(tag, -1)
            if tag == f"{NS_MAIN} si":
                if len(self.strings) >= self.caps.max_shared_strings:
                    problems.append(Problem(self.path, None, None, None, "too-many-strings",
                                            f"more than {self.caps.max_shared_strings:,} shared strings"))
                    raise _Stop
                value = None if text.overflow else text.value()
                fits = value is not None and len(value) <= self.caps.max_cell_chars
                self.strings.append(value if fits else max(text.length, len(value or "")))
                text.reset()

        handlers = {"start": lambda tag, _: text.tag(tag, 1), "end": end, "data": text.data}
        self.parse(part, handlers, problems, "shared strings")
        return problems

    def parse(self, part: str, handlers: dict[str, Callable[..., None]], problems: list[Problem],
              label: str) -> None:
        """Stream ``part`` through expat (bounded, no DTDs); a fault becomes one problem."""
        try:
            stream_part(self.archive, part, handlers, self.caps.max_part_bytes)
        except _Stop:
            pass
        except KeyError:
            problems.append(Problem(self.path, None, None, part, "missing-part",
                                    f"{label}: the part {part} is missing", RESAVE))
        except (expat.ExpatError, ValueError) as exc:
            problems.append(Problem(self.path, None, None, part, "malformed-xml",
                                    f"{label}: damaged XML in {part} ({exc})", RESAVE))
        except (zipfile.BadZipFile, EOFError, OSError) as exc:
            problems.append(Problem(self.path, None, None, part, "not-a-workbook",
                                    f"{label}: the part {part} is damaged or truncated ({exc})", RESAVE))


class _TextCollector:
    """Collects the text of ``<t>`` elements outside phonetic runs, counting past the cap
    without keeping the excess (a 60 MB cell costs its length, not its bytes)."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.reset()

    def reset(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.overflow = False
        self.depth_t = 0
        self.depth_ph = 0

    def tag(self, tag: str, step: int) -> None:
        """Track nesting: ``step`` is 1 at a start tag, -1 at an end tag."""
        self.depth_t += step if tag == T_TAG else 0
        self.depth_ph += step if tag == RPH_TAG else 0

    def data(self, text: str) -> None:
        if self.depth_t and not self.depth_ph:
            self.add(text)

    def add(self, text: str) -> None:
        self.length += len(text)
        if self.length > self.cap * 8:  # escapes shrink on decoding; beyond 8x it cannot fit
            self.overflow = True
        if not self.overflow:
            self.parts.append(text)

    def value(self) -> str:
        return unescape_ooxml_text("".join(self.parts))


class _SheetReader:
    """expat handlers for one sheet: builds cells as their end tags arrive and keeps only rows
    with values, stopping (with one problem) at the first cap reached."""

    MAX_PROBLEMS = 200

    def __init__(self, book: _Book, sheet: SheetData, multiline: set[str], budget: list[int]) -> None:
        self.book, self.sheet, self.multiline, self.budget = book, sheet, multiline, budget
        self.caps = book.caps
        self.row, self.next_col, self.width = 0, 1, 0
        self.cells: dict[int, Cell] = {}
        self.attrs: dict[str, str] = {}
        self.inline = _TextCollector(self.caps.max_cell_chars)
        self.raw = _TextCollector(self.caps.max_cell_chars)
        self.formula: _TextCollector | None = None
        self.extras: set[str] = set()
        self.extra_count, self.in_value, self.far_row = 0, False, False

    def problem(self, ref: str | None, rule: str, message: str, value: Any = None, hint: str = FIX,
                stop: bool = False) -> None:
        """Record a problem naming the cell; stop reading the sheet when asked or when too many."""
        where = f"{self.sheet.name}!{ref}" if ref else self.sheet.name
        column = split_ref(ref) if ref else None
        fld = self.sheet.header[column[0] - 1] if column and column[0] <= len(self.sheet.header) else None
        self.sheet.problems.append(Problem(where, self.row or None, fld or None, shorten(value), rule,
                                           f"{where}: {message}", hint))
        if stop or len(self.sheet.problems) >= self.MAX_PROBLEMS:
            if not stop:
                self.sheet.problems.append(Problem(self.sheet.name, None, None, None, "too-many-problems",
                                                   f"{self.sheet.name}: reading stopped after "
                                                   f"{self.MAX_PROBLEMS} problems"))
            raise _Stop

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        local = tag.rpartition(" ")[2]
        if local == "c":
            self.attrs = attrs
            self.inline.reset()
            self.raw.reset()
            self.formula, self.in_value = None, False
        elif local == "v":
            self.raw.reset()
            self.in_value = True
        elif local == "f":
            self.formula = _TextCollector(self.caps.max_cell_chars)
        elif local == "row":
            self._start_row(attrs.get("r"))
        elif local == "dimension":
            self._dimension(attrs.get("ref", ""))
        self.inline.tag(tag, 1)

    def _start_row(self, number: str | None) -> None:
        row = int(number) if number and number.isdigit() else self.row + 1
        if row <= self.row or row > MAX_EXCEL_ROW:
            self.problem(None, "bad-coordinate", f"row number {number!r} is out of order or range", stop=True)
        self.row, self.next_col, self.cells = row, 1, {}
        self.far_row = reaches_beyond(1, row, self.caps)  # named by its first cell, else at its end

    def _dimension(self, recorded: str) -> None:
        """The used range the sheet records, checked as the byte scan checks it (a malformed one is
        ignored: no reader sizes anything by it)."""
        place = split_ref(recorded.rpartition(":")[2])
        if place is not None:
            self._reach(*place, f"{recorded} (the used range the sheet records)")

    def _reach(self, column: int, row: int, what: str) -> None:
        """Stop at a cell, row or used range past the caps, with the byte scan's one message."""
        if reaches_beyond(column, row, self.caps):
            self.sheet.problems.append(beyond(self.sheet.name, f"{column_letter(column)}{row}", what, self.caps))
            raise _Stop

    def data(self, text: str) -> None:
        if self.in_value:
            self.raw.add(text)
        elif self.formula is not None and not self.inline.depth_t:
            self.formula.add(text)
        self.inline.data(text)

    def end(self, tag: str) -> None:
        local = tag.rpartition(" ")[2]
        self.inline.tag(tag, -1)
        if local == "v":
            self.in_value = False
        elif local == "c":
            self._end_cell()
        elif local == "row":
            if self.far_row:
                self._reach(1, self.row, f"row {self.row:,}")
            self._end_row()

    def _end_cell(self) -> None:
        ref = self.attrs.get("r")
        place = split_ref(ref) if ref else (self.next_col, self.row)
        if place is None or place[1] != self.row:
            self.problem(None, "bad-coordinate", f"a cell has the invalid reference {ref!r} in row {self.row}")
            return
        column = place[0]
        ref = f"{column_letter(column)}{self.row}"
        self._reach(column, self.row, f"cell {ref}")
        self.next_col = column + 1
        if not (self.raw.length or self.formula is not None or self.inline.length):
            return
        if self.row > 1 and column > self.width:
            self._extra(ref, column)
            return
        cell = self._decode(ref)
        if cell is not None:
            self._keep(ref, column, cell)

    def _extra(self, ref: str, column: int) -> None:
        """A value right of the header: noted once per column, the sheet given up past the cap."""
        self.extras.add(column_letter(column))
        self.extra_count += 1
        if self.extra_count > self.caps.max_extra_cells:
            self.problem(ref, "extra-cells", f"more than {self.caps.max_extra_cells:,} values right of the "
                         "table's columns", hint="delete the cells right of the table", stop=True)

    def _keep(self, ref: str, column: int, cell: Cell) -> None:
        self.budget[0] -= 1
        if self.budget[0] < 0:
            self.problem(ref, "too-many-cells", "the workbook has more values than any honest edit of "
                         "this package could need", stop=True)
        if cell.kind == "text":
            self._check_text(ref, column, str(cell.value))
        self.cells[column] = cell

    def _check_text(self, ref: str, column: int, text: str) -> None:
        """Control characters and lone CRs are refused; tab and line feed only in multi-line columns."""
        name = self.sheet.header[column - 1] if self.row > 1 else ""
        bad = CONTROL.search(text) or LONE_CR.search(text)
        if bad is None and name not in self.multiline:
            bad = re.search("[\t\n\r]", text)
        if bad is not None:
            self.problem(ref, "control-character", f"the text holds the control character "
                         f"U+{ord(bad.group()):04X} at position {bad.start() + 1}", text,
                         "delete the character (line breaks are allowed only in multi-line fields)")

    def _decode(self, ref: str) -> Cell | None:
        """The cell's value by its type attribute; a problem (and None) when it cannot be read."""
        kind, raw = self.attrs.get("t", "n"), "".join(self.raw.parts)
        formula = "".join(self.formula.parts) if self.formula is not None else None
        if kind == "inlineStr":
            return self._text_cell(ref, self.inline.value(), self.inline.overflow, formula)
        if not raw and kind != "str":
            return Cell(ref, "", "text", formula) if formula is not None else None
        if kind == "s":
            return self._shared(ref, raw, formula)
        if kind == "str":
            return self._text_cell(ref, unescape_ooxml_text(raw), self.raw.overflow, formula)
        if kind == "n":
            return self._number(ref, raw, formula)
        cell = _simple_cell(ref, kind, raw.strip(), formula)
        if cell is None:
            self.problem(ref, "bad-cell", f"the cell's value {shorten(raw, 30)!r} does not match its type "
                         f"{kind!r}", raw)
        return cell

    def _text_cell(self, ref: str, text: str, overflow: bool, formula: str | None) -> Cell | None:
        if overflow or len(text) > self.caps.max_cell_chars:
            self.problem(ref, "cell-too-long", f"the text is longer than Excel's limit of "
                         f"{self.caps.max_cell_chars:,} characters", text[:60])
            return None
        return Cell(ref, text, "text", formula)

    def _shared(self, ref: str, raw: str, formula: str | None) -> Cell | None:
        index = int(raw.strip()) if raw.strip().isdigit() else -1
        if not 0 <= index < len(self.book.strings):
            self.problem(ref, "bad-cell", f"the cell points to shared string {raw.strip()!r}, which does "
                         "not exist (a damaged file)", raw, RESAVE)
            return None
        value = self.book.strings[index]
        if isinstance(value, int):
            return self._text_cell(ref, "", True, formula)
        return Cell(ref, value, "text", formula)

    def _number(self, ref: str, raw: str, formula: str | None) -> Cell | None:
        try:
            number = float(raw)
        except ValueError:
            number = float("nan")
        if number != number or number in (float("inf"), float("-inf")):
            self.problem(ref, "bad-cell", f"the number cell holds {shorten(raw, 30)!r}, which is not a number",
                         raw, RESAVE)
            return None
        if to_int(self.attrs.get("s")) in self.book.date_styles:
            return self._date(ref, number, formula)
        return Cell(ref, number, "number", formula)

    def _date(self, ref: str, serial: float, formula: str | None) -> Cell | None:
        if not 0 <= serial < 2_958_466:
            self.problem(ref, "bad-cell", f"the date serial {serial} is outside Excel's calendar", serial)
            return None
        moment = EPOCHS[self.book.date1904] + dt.timedelta(days=serial + (1 if serial < 60 and not
                                                                           self.book.date1904 else 0))
        moment = moment.replace(microsecond=round(moment.microsecond, -3) % 1_000_000)
        if moment.time() == dt.time():
            return Cell(ref, moment.date(), "date", formula)
        return Cell(ref, moment, "datetime", formula)

    def _end_row(self) -> None:
        if self.row == 1:
            last = max((c for c in self.cells), default=0)
            self.sheet.header = [_header_text(self.cells.get(c)) for c in range(1, last + 1)]
            while self.sheet.header and not self.sheet.header[-1]:
                self.sheet.header.pop()
            self.width = len(self.sheet.header)
        elif self.cells:
            self.sheet.rows.append(Row(self.row, [self.cells.get(c) for c in range(1, self.width + 1)]))
        self.cells = {}

    def finish(self) -> None:
        """Report a missing header and the extra columns, once per sheet."""
        if not self.sheet.header and not self.sheet.problems:  # a stopped or damaged sheet says so already
            self.sheet.problems.append(Problem(self.sheet.name, 1, None, None, "missing-header",
                                               f"{self.sheet.name}: row 1 (the header) is empty",
                                               "restore the header row from a fresh export"))
        if not self.sheet.header:
            return  # without a header every value is "extra": say nothing more
        letters = self.sheet.extra_columns = sorted(self.extras, key=lambda s: (len(s), s))
        if letters:
            shown = ", ".join(letters[:10])
            self.sheet.problems.append(Problem(self.sheet.name, None, None, shown, "extra-columns",
                                               f"{self.sheet.name}: values right of the table's columns "
                                               f"(column {shown}) are ignored",
                                               "move them into a field or delete them"))


def _simple_cell(ref: str, kind: str, raw: str, formula: str | None) -> Cell | None:
    """Boolean, error and ISO-date cells; None when the value does not fit the type."""
    if kind == "b" and raw in ("0", "1"):
        return Cell(ref, raw == "1", "bool", formula)
    if kind == "e":
        return Cell(ref, shorten(raw, 20), "error", formula)
    if kind == "d":
        try:
            return Cell(ref, dt.datetime.fromisoformat(raw), "datetime", formula)
        except ValueError:
            return None
    return None


def _header_text(cell: Cell | None) -> str:
    if cell is None:
        return ""
    return cell.value if isinstance(cell.value, str) else str(cell.value)
