"""The table sheets of an edited workbook as CSV records, each remembering its sheet row.

Columns are found by their header name, so moved columns read as before. A column the table does
not have is ignored with one note per sheet: it cannot go into the CSV, and refusing it would make
people delete their own working notes before every import; nothing of the package is lost. A
missing or renamed column is one problem per sheet naming the columns, and that sheet's cells are
not read, so one slip gives one message instead of one per cell. Every problem names the sheet's
cell as the spreadsheet shows it (``meetings!F7``), in plain words.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from scripts.model.cells import CellError
from scripts.model.package import Package, read_rows
from scripts.model.spec import Field, Table
from scripts.report import Problem, noun
from scripts.xlsx.ooxml import column_letter
from scripts.xlsx.read.archive import check_archive
from scripts.xlsx.read.caps import DEFAULT_WORKBOOK_CAPS, ReadCaps, WorkbookCaps
from scripts.xlsx.read.cells import at_cell, cell_text
from scripts.xlsx.read.columns import read_columns
from scripts.xlsx.read.fast import FastReader, FastSheet
from scripts.xlsx.read.layout import WorkbookLayout, load_layout
from scripts.xlsx.read.prescan import scan_part
from scripts.xlsx.read.reader import Cell, Row, SheetData, read_parts

NOTE_RULES = {"extra-columns"}  # reader findings that are warnings here, not refusals
HEADER_HINT = ("the header row holds the field names listed on the fields sheet, one per column, in any "
               "order; restore it from a fresh export")


@dataclass
class SheetTable:
    """A table read from its sheet: CSV texts by column (sheet order), the sheet row of each, and
    the sheet column (0-based) of each field, which moves when people move columns.

    Columns, not records, because the fast path converts whole columns and the CSV is written from
    them at C speed; records are made only when a problem has to be placed at its cell."""

    table: Table
    columns: dict[str, list[str]] = field(default_factory=dict)
    sheet_rows: list[int] = field(default_factory=list)
    positions: dict[str, int] = field(default_factory=dict)
    _pairs: list[tuple[dict[str, str], int]] | None = None

    @classmethod
    def from_records(cls, table: Table, records: list[dict[str, str]], sheet_rows: list[int],
                     positions: dict[str, int] | None = None) -> SheetTable:
        return cls(table, {n: [r[n] for r in records] for n in table.field_names}, sheet_rows, positions or {})

    def order(self) -> list[int]:
        """Row indexes in CSV order: sorted by the table's sort key, stably (as csv_text sorts)."""
        keys = list(zip(*(self.columns[n] for n in self.table.sort_names()), strict=True))  # a key a row
        return sorted(range(len(self.sheet_rows)), key=keys.__getitem__)

    def sorted_pairs(self) -> list[tuple[dict[str, str], int]]:
        """Records in CSV order, each with its sheet row (made once, when a problem needs placing)."""
        if self._pairs is None:
            names = self.table.field_names
            self._pairs = [({n: self.columns[n][i] for n in names}, self.sheet_rows[i]) for i in self.order()]
        return self._pairs

    def csv_text(self) -> str:
        """The table's CSV text, byte for byte what :func:`scripts.model.package.csv_text` writes: sorted
        stably by the sort key, quoted only where needed, an empty cell unquoted. polars sorts and
        writes the columns at C speed; a text polars cannot hold (a lone surrogate from a decoded
        ``_xD800_``) falls back to the csv module."""
        import polars as pl

        names, keys = self.table.field_names, self.table.sort_names()
        try:
            frame = pl.DataFrame(self.columns, schema={n: pl.String for n in names})
        except (pl.exceptions.PolarsError, UnicodeError, TypeError, ValueError):
            return self._csv_module_text()
        if keys and frame.height:
            frame = frame.sort(keys, maintain_order=True)
        empty_as_null = [pl.when(pl.col(n) != "").then(pl.col(n)).alias(n) for n in names]
        return frame.select(empty_as_null).write_csv(quote_style="necessary", line_terminator="\n")

    def _csv_module_text(self) -> str:
        order = self.order()
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(self.table.field_names)
        writer.writerows([self.columns[n][i] for n in self.table.field_names] for i in order)
        return buffer.getvalue()


@dataclass
class Reading:
    """What the workbook holds: tables, problems that refuse it, notes, and the export state."""

    tables: dict[str, SheetTable] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    state: list[str] = field(default_factory=list)


def read_sheets(package: Package, workbook: Path, state_sheet: str,
                caps: WorkbookCaps = DEFAULT_WORKBOOK_CAPS) -> Reading:
    """Every table sheet of ``workbook`` as records, and the export state sheet's first row.

    The archive is checked first, then its layout is resolved once (:mod:`.layout`) and each sheet's
    part scanned (:mod:`.prescan`): a sheet reaching past the caps refuses the workbook before any
    reader builds it. Each plain sheet is then read the fast way (:mod:`.fast`), the others by the
    streaming reader, which names every fault at its cell; all read the parts the layout named."""
    refused = check_archive(workbook, caps.archive)
    if refused:
        return Reading(problems=refused)
    sheets, problems = _read_both_ways(package, workbook, [*package.tables, state_sheet], caps)
    reading = Reading()
    for p in problems:
        if p.rule == "missing-sheet" and p.file == state_sheet:
            continue  # reported by the importer, which knows what it means
        reading.problems.append(p)
    if state_sheet in sheets:
        reading.state = sheets[state_sheet].header
    for name, table in package.tables.items():
        if name in sheets:
            reading.tables[name] = _read_table(table, sheets[name], reading)
    return reading


def _read_both_ways(package: Package, workbook: Path, wanted: list[str],
                    caps: WorkbookCaps) -> tuple[dict[str, SheetData | FastSheet], list[Problem]]:
    """The wanted sheets, each read the fast way when its scan allows and by the streaming reader
    when not, and the problems that refuse the workbook: one place decides which reader reads a
    sheet, after the scan that bounds what either reader builds."""
    multiline = {name: [f.name for f in t.fields if f.multiline] for name, t in package.tables.items()}
    try:
        with zipfile.ZipFile(workbook) as archive:
            layout, problems = load_layout(archive, str(workbook), caps.read.max_part_bytes)
            if layout is None:
                return {}, problems
            sheets, problems = _scan_and_read_fast(archive, layout, workbook, wanted, caps.read, multiline)
            slow = [name for name in wanted if name not in sheets]
            if slow and not problems:
                read, problems = read_parts(archive, str(workbook), layout, slow, caps.read, multiline)
                sheets.update(read)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        return {}, [Problem(str(workbook), None, None, None, "not-a-workbook",
                            f"the workbook cannot be read ({exc})", "save it again as .xlsx")]
    return sheets, problems


def _scan_and_read_fast(archive: zipfile.ZipFile, layout: WorkbookLayout, workbook: Path, wanted: list[str],
                        caps: ReadCaps, multiline: dict[str, list[str]]
                        ) -> tuple[dict[str, SheetData | FastSheet], list[Problem]]:
    """Scan each wanted sheet's part in turn, the largest first; a sheet reaching past the caps
    refuses the workbook (nothing more is read), a plain one is handed to calamine, which parses
    it while the next part is scanned. The largest first: calamine then parses the largest sheet
    while the second is scanned and the second while the first is converted, where in the
    workbook's order each of them waited for the other."""
    present = [name for name in wanted if name in layout.sheets]  # the streaming reader reports a missing one
    scanned: list[str] = []
    with FastReader(workbook, caps, multiline) as fast:
        for name in sorted(present, key=lambda n: -_part_size(archive, layout.sheets[n])):
            scan = scan_part(archive, layout.sheets[name], name, caps)
            scanned.append(name)
            if scan.beyond is not None:
                return {}, [_first_beyond(archive, layout, present[:present.index(name)], scanned, caps) or scan.beyond]
            if scan.plain:
                fast.read(name)
        return dict(fast.sheets(present)), []


def _part_size(archive: zipfile.ZipFile, part: str) -> int:
    """The part's size as the archive declares it (only orders the reads)."""
    try:
        return archive.getinfo(part).file_size
    except KeyError:
        return 0


def _first_beyond(archive: zipfile.ZipFile, layout: WorkbookLayout, before: list[str], scanned: list[str],
                  caps: ReadCaps) -> Problem | None:
    """The first sheet, in the workbook's order, of those before the one found reaching past the
    caps and not scanned yet, that reaches past them too: the workbook's first such sheet is the
    one reported, whatever order the parts were scanned in."""
    for name in before:
        if name not in scanned:
            beyond = scan_part(archive, layout.sheets[name], name, caps).beyond
            if beyond is not None:
                return beyond
    return None


def _read_table(table: Table, sheet: SheetData | FastSheet, reading: Reading) -> SheetTable:
    if isinstance(sheet, FastSheet):
        positions = _columns(table, sheet, reading)
        if positions is None:
            return SheetTable(table)
        return SheetTable(table, *read_columns(table, sheet, positions, reading.problems), positions)
    refused = _file_reader_problems(sheet, reading)
    if not sheet.header:  # the reader named the empty header (or what stopped it): every column missing says it again
        return SheetTable(table)
    positions = _columns(table, sheet, reading)
    if positions is None:
        return SheetTable(table)
    return _read_records(table, sheet, positions, refused, reading)


def _file_reader_problems(sheet: SheetData, reading: Reading) -> set[str]:
    """File the streaming reader's problems with the sheet: notes as notes, the others at their
    cell. Returns the cells refused, so that converting them does not give a second message."""
    refused: set[str] = set()
    for p in sheet.problems:
        if p.rule in NOTE_RULES:
            reading.notes.append(p.message)
            continue
        ref = p.file.partition("!")[2]
        refused.add(ref)
        reading.problems.append(at_cell(sheet.name, ref, p.row, p.field, p.value, p.rule, p.message, p.hint)
                                if ref else p)
    return refused


def _read_records(table: Table, sheet: SheetData, positions: dict[str, int], refused: set[str],
                  reading: Reading) -> SheetTable:
    """The streamed sheet's rows as the table's records, the cells already refused left empty:
    the streaming reader's row by row counterpart of :func:`read_columns`."""
    records: list[dict[str, str]] = []
    rows: list[int] = []
    old = _OldRecords(table)
    for row in sheet.rows:
        cells = [None if c is not None and c.ref in refused else c for c in row.cells]
        record = _record(table, sheet.name, Row(row.number, cells), positions, old, reading.problems)
        if record is not None:
            records.append(record)
            rows.append(row.number)
    return SheetTable.from_records(table, records, rows, positions)


@dataclass
class _Header:
    """The header row sorted out: where each field is, and the columns that are not fields."""

    positions: dict[str, int] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    doubled: list[str] = field(default_factory=list)


def _sort_header(table: Table, sheet: SheetData | FastSheet) -> _Header:
    found = _Header()
    for index, name in enumerate(sheet.header):
        where = column_letter(index + 1)
        if name in found.positions:
            found.doubled.append(f"{name} (column {where})")
        elif name in table.field_names:
            found.positions[name] = index
        elif name:
            found.unknown.append(f"{where} {name!r}")
        elif sheet.column_has_values(index):
            found.unknown.append(f"{where} (no header)")
    return found


def _columns(table: Table, sheet: SheetData | FastSheet, reading: Reading) -> dict[str, int] | None:
    """Field name → column index from the header; None (with one problem) when fields are missing
    or named twice. Columns that are not fields give one note."""
    header = _sort_header(table, sheet)
    missing = [n for n in table.field_names if n not in header.positions]
    if header.unknown:
        reading.notes.append(f"{sheet.name}: {noun(len(header.unknown), 'column')} "
                             f"{', '.join(header.unknown)} {noun(len(header.unknown), 'is', 'are')} not "
                             f"{noun(len(header.unknown), 'a field', 'fields')} of {table.name} and "
                             f"{noun(len(header.unknown), 'was', 'were')} not imported")
    if header.doubled:
        reading.problems.append(Problem(sheet.name, 1, None, ", ".join(header.doubled), "duplicate-column",
                                        f"{sheet.name}: the header names {', '.join(header.doubled)} a second time",
                                        "delete or rename the second column"))
    if missing:
        words = ", ".join(missing)
        instead = f"; the header has {', '.join(header.unknown)} instead" if header.unknown else ""
        reading.problems.append(Problem(sheet.name, 1, None, words, "missing-column",
                                        f"{sheet.name}: the {noun(len(missing), 'column')} {words} "
                                        f"{noun(len(missing), 'is', 'are')} missing{instead}", HEADER_HINT))
    return None if missing or header.doubled else header.positions


def _record(table: Table, sheet: str, row: Row, positions: dict[str, int], old: _OldRecords,
            problems: list[Problem]) -> dict[str, str] | None:
    """One sheet row as a CSV record; None when none of the table's columns has a value."""
    cells = {name: row.cells[i] for name, i in positions.items()}
    if all(c is None for c in cells.values()):
        return None
    record: dict[str, str] = {}
    dates = []
    for fld in table.fields:
        cell = cells[fld.name]
        if cell is not None and cell.kind in ("date", "datetime") and fld.is_reduced_date:
            dates.append(fld)  # needs the record's key, so read after the other cells
            continue
        record[fld.name] = _convert(sheet, row.number, fld, cell, None, problems)
    for fld in dates:
        previous = old.value(record, fld.name)
        record[fld.name] = _convert(sheet, row.number, fld, cells[fld.name], previous, problems)
    return record


def _convert(sheet: str, number: int, fld: Field, cell: Cell | None, old: str | None,
             problems: list[Problem]) -> str:
    """The cell's CSV text; on a refusal, a problem at the cell and an empty text."""
    try:
        return cell_text(fld, cell, old)
    except CellError as exc:
        value = getattr(cell, "value", None)
        value = value.isoformat() if isinstance(value, dt.date) else value
        ref = getattr(cell, "ref", "")
        problems.append(at_cell(sheet, ref, number, fld.name, value, exc.rule, exc.message, exc.hint))
        return ""


class _OldRecords:
    """The table's current CSV records by key, read only when a cell needs its old value."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.by_key: dict[str, dict[str, str]] | None = None

    def key(self, record: dict[str, str]) -> tuple[str, ...]:
        return tuple(record.get(k) or "" for k in self.table.primary_key)

    def value(self, record: dict[str, str], name: str) -> str | None:
        if not self.table.primary_key:
            return None
        if self.by_key is None:
            try:
                self.by_key = {self.key(r): r for r in read_rows(self.table)}
            except (OSError, ValueError):
                self.by_key = {}
        found = self.by_key.get(self.key(record))
        return found.get(name) if found else None
