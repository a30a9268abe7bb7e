"""The Excel workbook: ``python -m scripts export`` and ``python -m scripts import WORKBOOK``.

Export writes one workbook that introduces the dataset (an ``about`` sheet), documents every field
(``fields``), holds every table on a sheet of its own as a styled Excel table, and draws the trade
figures (``trade_chart``). Everything that keeps an edit valid (cell types, dropdowns, bounds,
highlighting of empty required cells and duplicate keys) is derived from the Table Schemas through
:mod:`scripts.package`; no constraint is typed here.

How it is written, and why:

- openpyxl in write-only mode builds the workbook: helper sheets, each table sheet's header (with
  the field descriptions as notes), column styles, Excel tables, data validation, conditional
  formatting, defined names and the chart. The table rows themselves are then streamed into each
  sheet's XML by :func:`_stream_rows`, which writes exactly the cells openpyxl would (inline
  strings, explicit types, the column's style) at a fraction of openpyxl's per-cell cost; that is
  what keeps a million-row export within 1.5x of XlsxWriter with flat memory.
- Text is always written as an inline string (``t="inlineStr"``), never through a formula path, so
  ``=HYPERLINK(...)`` stays text; control characters, cells over Excel's 32,767 characters and
  tables over 1,048,575 rows are refused before anything is written.
- Two exports of the same package are byte-identical: document properties come from
  ``datapackage.json`` ``created``, zip entries get fixed times and keep a stable order.

Import reads an edited workbook back, casts every cell by its field's type, runs the full
validation on a temporary copy of the package and writes the CSVs only when nothing is wrong.
Every problem names its sheet and cell (``leaders!C7``) and rule.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import heapq
import io
import itertools
import math
import re
import shutil
import sys
import tempfile
import zipfile
from array import array
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scripts.package import (
    DESCRIPTOR,
    Field,
    Package,
    PackageError,
    Table,
    atomic_write,
    csv_text,
    format_value,
    load_package,
    parse_value,
    sort_key,
)
from scripts.report import Problem, render_text

# Excel's limits (https://support.microsoft.com/office/excel-specifications-and-limits).
MAX_CELL_CHARS = 32_767
MAX_DATA_ROWS = 1_048_575  # 1,048,576 rows less the header
MAX_INLINE_LIST = 255  # characters of an inline list validation
MAX_LINKS_PER_SHEET = 65_530
# Limits on untrusted workbooks, checked before anything is parsed.
MAX_WORKBOOK_BYTES = 256 * 2**20
MAX_UNPACKED_BYTES = 4 * 2**30

ABOUT_SHEET = "about"
FIELDS_SHEET = "fields"
CHART_SHEET = "trade_chart"
LISTS_SHEET = "lists"
HELPER_SHEETS = (ABOUT_SHEET, FIELDS_SHEET, CHART_SHEET, LISTS_SHEET)
CITATION_FILE = "CITATION.cff"

WIDTH_CAP = 60  # characters; longer text wraps
TABLE_STYLE = "TableStyleMedium2"
TEXT_FORMAT = "@"
DATE_FORMAT = "yyyy-mm-dd"
EXCEL_EPOCH = dt.date(1899, 12, 30)
MAX_SAFE_INTEGER = 2**53  # Excel stores numbers as doubles
ZIP_TIME_FLOOR = (1980, 1, 1, 0, 0, 0)

# A polymorphic reference: a table naming another table and a record key in it (citations).
REF_TABLE_FIELD = "table_name"
REF_RECORD_FIELD = "record_id"
# The trade chart: which indicator, the indicators fields it reads, and how many bars at most.
TRADE_INDICATOR = "intraregional_trade"
CHART_FIELDS = ("observation_id", "indicator_code", "scope", "state_id", "period_start", "period_end",
                "value", "unit", "scale", "value_kind", "source_id")
MAX_CHART_BARS = 60
MAX_ABOUT_SOURCES = 200  # sources listed on the about sheet

CONTROL_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")
OOXML_ESCAPE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")
OOXML_UNESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
FOLLOWS_HYPERLINKS = (b"<printOptions", b"<pageMargins", b"<pageSetup", b"<headerFooter",
                      b"<rowBreaks", b"<colBreaks", b"<drawing", b"<legacyDrawing", b"<tableParts",
                      b"</worksheet>")

BOOLEAN_FORMULAS = {"=TRUE()": True, "=FALSE()": False}
TEXT, INTEGER, NUMBER, BOOLEAN, DATE = "text", "integer", "number", "boolean", "date"


class ExportError(ValueError):
    """The package cannot be written as a valid workbook; the message names table, row and field."""


class WorkbookUnsafe(RuntimeError):
    """The environment cannot read untrusted workbooks safely (defusedxml missing)."""


# --------------------------------------------------------------------------------------------
# Export: scanning the tables
# --------------------------------------------------------------------------------------------

@dataclass
class _Column:
    """One field as a sheet column: its kind of cell, width and number format, from a scan."""

    field: Field
    index: int
    letter: str
    kind: str
    width: int = 0
    decimals: int = 0
    style_id: int = 0
    link_style_id: int = 0

    @property
    def wraps(self) -> bool:
        return self.width > WIDTH_CAP

    @property
    def number_format(self) -> str:
        if self.kind == TEXT:
            return TEXT_FORMAT
        if self.kind == INTEGER:
            return "0"
        if self.kind == NUMBER:
            return "#,##0" + ("." + "0" * self.decimals if self.decimals else "")
        if self.kind == DATE:
            return DATE_FORMAT
        return "General"


class _KeyIndex:
    """Sheet row of each record by its key, kept as sorted 64-bit digests (16 bytes a record, so a
    million keys cost 16 MB where a dict of strings would cost ~150 MB). blake2b rather than
    ``hash()`` keeps the result independent of the interpreter's hash seed."""

    def __init__(self) -> None:
        self._digests = array("Q")
        self._sorted: Any = None
        self._rows: Any = None

    @staticmethod
    def _digest(key: str) -> int:
        return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "little")

    def add(self, key: str) -> None:
        self._digests.append(self._digest(key))

    def freeze(self) -> None:
        import numpy as np

        digests = np.frombuffer(self._digests, dtype=np.uint64) if self._digests else np.zeros(
            0, dtype=np.uint64)
        order = np.argsort(digests, kind="stable")
        self._sorted = digests[order]
        self._rows = order + 2
        self._digests = array("Q")

    def row(self, key: str) -> int | None:
        """The sheet row (header is row 1) of the first record with this key, or None."""
        import numpy as np

        digest = np.uint64(self._digest(key))
        at = int(np.searchsorted(self._sorted, digest))
        if at < len(self._sorted) and self._sorted[at] == digest:
            return int(self._rows[at])
        return None


@dataclass
class _Scan:
    """What the export needs to know about a table before writing it: size, widths, keys."""

    table: Table
    columns: list[_Column]
    rows: int = 0
    keys: _KeyIndex = field(default_factory=_KeyIndex)

    @property
    def last_row(self) -> int:
        """Last row of the Excel table; an empty table keeps one blank row, as Excel requires."""
        return max(self.rows, 1) + 1

    @property
    def last_letter(self) -> str:
        return self.columns[-1].letter


def _kind(fld: Field) -> str:
    return {"integer": INTEGER, "number": NUMBER, "boolean": BOOLEAN, "date": DATE}.get(fld.type, TEXT)


def _scan_table(table: Table) -> _Scan:
    """Read a table once to check that every cell can be written and to measure its columns.

    Everything the export refuses is found here, so that nothing is written for a bad package.
    """
    from openpyxl.utils import get_column_letter

    columns = [_Column(f, i, get_column_letter(i + 1), _kind(f)) for i, f in enumerate(table.fields)]
    scan = _Scan(table, columns)
    widths = [len(f.name) + 3 for f in table.fields]  # room for the filter button
    typed = [c for c in columns if c.kind != TEXT]
    pk = [table.field_names.index(k) for k in table.primary_key]
    label = table.path.name
    try:
        handle = table.path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise ExportError(f"{label}: cannot be read ({exc})") from None
    with handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header != table.field_names:
            raise ExportError(f"{label}: header {header} does not match the schema's fields "
                              f"{table.field_names}")
        for number, row in enumerate(reader, start=2):
            if len(row) != len(columns):
                raise ExportError(f"{label} row {number}: {len(row)} cells, the schema has "
                                  f"{len(columns)} fields")
            scan.rows += 1
            if scan.rows > MAX_DATA_ROWS:
                raise ExportError(f"{label}: more than {MAX_DATA_ROWS:,} rows, which is all an Excel "
                                  "sheet can hold below its header; the table cannot be exported")
            widths = list(map(max, widths, map(len, row)))
            if CONTROL_CHARS.search("\t".join(row)):
                _refuse_control(label, number, table, row)
            for col in typed:
                _check_typed(label, number, col, row[col.index])
            if pk:
                scan.keys.add("/".join(row[i] for i in pk))
    for col, width in zip(columns, widths, strict=True):
        if width > MAX_CELL_CHARS:
            raise ExportError(f"{label}: field {col.field.name} has a value over Excel's "
                              f"{MAX_CELL_CHARS:,}-character cell limit; it would be cut, so the "
                              "table is not exported")
        col.width = width
    return scan


def _refuse_control(label: str, number: int, table: Table, row: list[str]) -> None:
    for name, value in zip(table.field_names, row, strict=True):
        found = CONTROL_CHARS.search(value)
        if found:
            raise ExportError(f"{label} row {number}, field {name}: control character "
                              f"U+{ord(found.group()):04X}, which a spreadsheet cannot hold; "
                              "remove it from the CSV")


def _check_typed(label: str, number: int, col: _Column, text: str) -> None:
    """Check that a non-text cell casts to its type, and track the decimals of numbers."""
    if text == "":
        return
    where = f"{label} row {number}, field {col.field.name}"
    try:
        value = _date_serial(text) if col.kind == DATE else parse_value(col.field, text)
    except ValueError as exc:
        raise ExportError(f"{where}: {text!r} is not a valid {col.field.type} ({exc})") from None
    if col.kind in (INTEGER, NUMBER) and not math.isfinite(value):
        raise ExportError(f"{where}: {text!r} is not a finite number, which Excel cannot store")
    if col.kind == INTEGER and abs(value) > MAX_SAFE_INTEGER:
        raise ExportError(f"{where}: {text} has more digits than Excel keeps (15)")
    if col.kind == NUMBER:
        written = format_value(col.field, value)
        if "." in written and "e" not in written:
            col.decimals = max(col.decimals, min(len(written.split(".")[1]), 10))


def _date_serial(text: str) -> int:
    """Excel's serial number of an ISO date (days since 1899-12-30)."""
    return (dt.date.fromisoformat(text) - EXCEL_EPOCH).days


# --------------------------------------------------------------------------------------------
# Export: the workbook around the rows
# --------------------------------------------------------------------------------------------

def export_workbook(package: Package, dest: Path) -> Path:
    """Write the package as an Excel workbook at ``dest`` (atomically) and return ``dest``.

    Raises :class:`ExportError` naming table, row and field when a value cannot be written
    faithfully; nothing is written then.
    """
    dest = Path(dest)
    for name in package.tables:
        if name in HELPER_SHEETS:
            raise ExportError(f"{DESCRIPTOR}: table name {name!r} clashes with a helper sheet")
    scans = {name: _scan_table(table) for name, table in package.tables.items()}
    for scan in scans.values():
        scan.keys.freeze()
    from openpyxl.utils.exceptions import IllegalCharacterError

    try:
        frame = _build_frame(package, scans)
    except IllegalCharacterError as exc:
        raise ExportError(f"{DESCRIPTOR} or a schema: a title or description holds a control "
                          f"character ({exc})") from None
    data = _finish(frame, scans)
    atomic_write(dest, data.getbuffer())
    return dest


@dataclass
class _Frame:
    """The workbook as openpyxl wrote it (table sheets hold headers only) and where each table's
    sheet lives in the zip."""

    archive: io.BytesIO
    sheet_paths: dict[str, str]
    created: dt.datetime


def _created(package: Package) -> dt.datetime:
    """The fixed timestamp of the workbook: the package's ``created``, else the zip epoch."""
    text = str(package.descriptor.get("created", ""))
    try:
        stamp = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return dt.datetime(*ZIP_TIME_FLOOR)
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(dt.UTC).replace(tzinfo=None)
    return max(stamp.replace(microsecond=0), dt.datetime(*ZIP_TIME_FLOOR))


def _build_frame(package: Package, scans: dict[str, _Scan]) -> _Frame:
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    wb = Workbook(write_only=True)
    created = _created(package)
    wb.properties.creator = _contributors(package)
    wb.properties.title = package.title
    wb.properties.description = package.descriptor.get("description", "")
    wb.properties.version = package.version
    wb.properties.created = created
    wb.properties.lastModifiedBy = _contributors(package)

    _write_about(wb, package, scans)
    _write_fields(wb, package)
    lists = _EnumLists()
    sheets = {name: _write_table_header(wb, scan, lists) for name, scan in scans.items()}
    _write_chart(wb, package)
    lists.write(wb)
    _define_key_names(wb, scans)

    buffer = io.BytesIO()
    archive = zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)
    wb.properties.modified = created  # ExcelWriter keeps it; Workbook.save would stamp the clock
    ExcelWriter(wb, archive).save()
    return _Frame(buffer, {name: ws.path.lstrip("/") for name, ws in sheets.items()}, created)


def _contributors(package: Package) -> str:
    names = [c.get("title") or c.get("name", "") for c in package.descriptor.get("contributors", [])]
    return "; ".join(n for n in names if n) or package.name


def _text_cell(ws: Any, value: Any, **style: Any) -> Any:
    """A write-only cell; text is forced to a string cell so that nothing becomes a formula."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value)
    if isinstance(value, str):
        cell.data_type = "s"
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def _styles() -> dict[str, Any]:
    from openpyxl.styles import Alignment, Font

    return {
        "title": Font(bold=True, size=14),
        "bold": Font(bold=True),
        "link": Font(color="0563C1", underline="single"),
        "wrap": Alignment(wrap_text=True, vertical="top"),
        "top": Alignment(vertical="top"),
    }


def _write_about(wb: Any, package: Package, scans: dict[str, _Scan]) -> None:
    """The first sheet: what the dataset is, how to cite it, its sources and its tables."""
    from openpyxl.worksheet.hyperlink import Hyperlink

    s = _styles()
    ws = wb.create_sheet(ABOUT_SHEET)
    for letter, width in zip("ABCD", (24, 48, 16, 90), strict=True):
        ws.column_dimensions[letter].width = width
    d = package.descriptor
    licences = "; ".join(" ".join(x for x in (lic.get("title") or lic.get("name", ""),
                                              f"({lic['path']})" if lic.get("path") else "") if x)
                         for lic in d.get("licenses", []))
    ws.append([_text_cell(ws, package.title, font=s["title"])])
    ws.append([])
    facts = [("Description", d.get("description", "")), ("Version", package.version),
             ("Created", str(d.get("created", ""))), ("Licence", licences),
             ("How to cite", _how_to_cite(package)),
             ("Editing", "Edit the table sheets, keep the header row, then run "
                         "'python -m scripts import WORKBOOK': it checks every cell against the "
                         "schemas and writes the CSV files only when all is valid. The sheets "
                         f"{', '.join(HELPER_SHEETS[:-1])} and (when present) {HELPER_SHEETS[-1]} "
                         "are helpers and are not imported.")]
    for row, (label, value) in enumerate(facts, start=3):
        ws.append([_text_cell(ws, label, font=s["bold"], alignment=s["top"]),
                   _text_cell(ws, value, alignment=s["wrap"])])
        ws.merged_cells.add(f"B{row}:D{row}")
    ws.append([])
    ws.append([_text_cell(ws, "Sources", font=s["title"])])
    sources = scans.get("sources")
    if sources is not None:
        ws.append([_text_cell(ws, f.title, font=s["bold"]) for f in sources.table.fields[:1]]
                  + [_text_cell(ws, "Title", font=s["bold"]), _text_cell(ws, "Published", font=s["bold"])])
        listed = itertools.islice(_read_dicts(sources.table), MAX_ABOUT_SOURCES)
        for number, row in enumerate(listed, start=2):
            key = sources.table.record_key(row)
            link = _text_cell(ws, key, font=s["link"])
            link.hyperlink = Hyperlink(ref="", location=f"'{sources.table.name}'!A{number}")
            ws.append([link, _text_cell(ws, row.get("title", ""), alignment=s["wrap"]),
                       _text_cell(ws, row.get("published", ""))])
        if sources.rows > MAX_ABOUT_SOURCES:
            ws.append([None, _text_cell(ws, f"... and {sources.rows - MAX_ABOUT_SOURCES:,} more on the "
                                            f"{sources.table.name} sheet")])
    ws.append([])
    ws.append([_text_cell(ws, "Tables", font=s["title"])])
    ws.append([_text_cell(ws, h, font=s["bold"]) for h in ("Sheet", "Title", "Rows", "Description")])
    for name, scan in scans.items():
        link = _text_cell(ws, name, font=s["link"])
        link.hyperlink = Hyperlink(ref="", location=f"'{name}'!A1")
        ws.append([link, _text_cell(ws, scan.table.title, alignment=s["top"]),
                   _text_cell(ws, scan.rows, number_format="#,##0", alignment=s["top"]),
                   _text_cell(ws, scan.table.description, alignment=s["wrap"])])


def _read_dicts(table: Table) -> Iterator[dict[str, str]]:
    with table.path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def _how_to_cite(package: Package) -> str:
    """The citation: from CITATION.cff when the package has one, else from datapackage.json."""
    cff_path = package.root / CITATION_FILE
    if cff_path.is_file():
        import yaml

        cff = yaml.safe_load(cff_path.read_text(encoding="utf-8")) or {}
        authors = "; ".join(
            a.get("name") or " ".join(x for x in (a.get("given-names"), a.get("family-names")) if x)
            for a in cff.get("authors", []) if isinstance(a, dict))
        year = str(cff.get("date-released", ""))[:4]
        title, version = cff.get("title", package.title), cff.get("version", package.version)
        where = f"https://doi.org/{cff['doi']}" if cff.get("doi") else cff.get("url", "")
    else:
        d = package.descriptor
        authors, year = _contributors(package), str(d.get("created", ""))[:4]
        title, version = package.title, package.version
        where = d.get("homepage") or d.get("id", "")
    dated = f" ({year})" if year else ""
    return f"{authors}{dated}. {title} (version {version}) [Data set]. {where}".strip()


def _write_fields(wb: Any, package: Package) -> None:
    """The data dictionary: one row per field of every table, as an Excel table."""
    s = _styles()
    ws = wb.create_sheet(FIELDS_SHEET)
    header = ["table", "field", "title", "type", "unit", "required", "constraints", "description"]
    widths = [22, 26, 26, 10, 10, 10, 50, 90]
    for number, width in enumerate(widths, start=1):
        ws.column_dimensions[_letter(number)].width = width
    ws.freeze_panes = "A2"
    ws.append([_text_cell(ws, h) for h in header])
    rows = 1
    for table in package.tables.values():
        for fld in table.fields:
            ws.append([_text_cell(ws, v, alignment=s["wrap"]) for v in (
                table.name, fld.name, fld.title, fld.type, str(fld.descriptor.get("unit", "")),
                "yes" if fld.required or fld.name in table.primary_key else "no",
                _constraints_text(table, fld), _description_text(fld))])
            rows += 1
    ref = f"A1:{_letter(len(header))}{rows}"
    _add_table(ws, _excel_table("tbl_fields", ref, header))


def _excel_table(name: str, ref: str, header: list[str]) -> Any:
    """A styled, banded Excel table with filter buttons. Its columns are named here because
    openpyxl cannot read a write-only sheet's header back."""
    from openpyxl.worksheet.filters import AutoFilter
    from openpyxl.worksheet.table import Table as XlTable
    from openpyxl.worksheet.table import TableColumn, TableStyleInfo

    xl = XlTable(displayName=name, ref=ref, autoFilter=AutoFilter(ref=ref),
                 tableStyleInfo=TableStyleInfo(name=TABLE_STYLE, showRowStripes=True))
    xl.tableColumns = [TableColumn(id=i, name=h) for i, h in enumerate(header, start=1)]
    return xl


def _add_table(ws: Any, xl: Any) -> None:
    """Add an Excel table, silencing openpyxl's reminder that write-only tables need their
    columns named (:func:`_excel_table` names them)."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="In write-only mode")
        ws.add_table(xl)


def _letter(number: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(number)


def _constraints_text(table: Table, fld: Field) -> str:
    """The field's constraints in words, for the dictionary and the header notes."""
    c = fld.constraints
    parts = []
    if fld.name in table.primary_key:
        parts.append("primary key" + (" (with " + ", ".join(k for k in table.primary_key
                                                            if k != fld.name) + ")"
                                      if len(table.primary_key) > 1 else ""))
    if fld.unique:
        parts.append("unique")
    parts.extend(f"references {fk.resource}.{', '.join(fk.ref_fields)}"
                 for fk in table.foreign_keys if fld.name in fk.fields)
    if fld.enum:
        parts.append("one of: " + ", ".join(map(str, fld.enum)))
    for key, words in (("minimum", "at least"), ("maximum", "at most"),
                       ("minLength", "at least {} characters"), ("maxLength", "at most {} characters"),
                       ("pattern", "matches")):
        if key in c:
            parts.append(words.format(c[key]) if "{}" in words else f"{words} {c[key]}")
    return "; ".join(parts)


def _description_text(fld: Field) -> str:
    lines = [fld.description]
    lines.extend(f"{value}: {label}" for value, label in fld.categories.items() if label)
    return "\n".join(line for line in lines if line)


class _EnumLists:
    """Enum values too long for an inline dropdown, kept on the hidden ``lists`` sheet."""

    def __init__(self) -> None:
        self.columns: list[tuple[str, list[str]]] = []

    def name_for(self, table: Table, fld: Field) -> str:
        name = f"enum_{table.name}_{fld.name}"
        self.columns.append((name, [str(v) for v in fld.enum or []]))
        return name

    def write(self, wb: Any) -> None:
        from openpyxl.workbook.defined_name import DefinedName

        if not self.columns:
            return
        ws = wb.create_sheet(LISTS_SHEET)
        ws.sheet_state = "hidden"
        depth = max(len(values) for _, values in self.columns)
        ws.append([_text_cell(ws, name) for name, _ in self.columns])
        for i in range(depth):
            ws.append([_text_cell(ws, values[i]) if i < len(values) else None
                       for _, values in self.columns])
        for number, (name, values) in enumerate(self.columns, start=1):
            letter = _letter(number)
            wb.defined_names[name] = DefinedName(
                name, attr_text=f"'{LISTS_SHEET}'!${letter}$2:${letter}${len(values) + 1}")


def _key_name(table: str, fld: str) -> str:
    return f"keys_{table}_{fld}"


def _define_key_names(wb: Any, scans: dict[str, _Scan]) -> None:
    """One defined name per referenced key column, over the referenced sheet's rows."""
    from openpyxl.workbook.defined_name import DefinedName

    wanted = sorted({(fk.resource, fk.ref_fields[0]) for scan in scans.values()
                     for fk in scan.table.foreign_keys if len(fk.fields) == 1})
    for table, fld in wanted:
        scan = scans[table]
        letter = scan.columns[scan.table.field_names.index(fld)].letter
        name = _key_name(table, fld)
        wb.defined_names[name] = DefinedName(
            name, attr_text=f"'{table}'!${letter}$2:${letter}${scan.last_row}")


def _write_table_header(wb: Any, scan: _Scan, lists: _EnumLists) -> Any:
    """A table's sheet with column styles, the header row, the Excel table, validation and
    highlighting; the rows are streamed in later by :func:`_stream_rows`."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    table = scan.table
    ws = wb.create_sheet(table.name)
    s = _styles()
    for col in scan.columns:
        dim = ws.column_dimensions[col.letter]
        dim.width = min(col.width, WIDTH_CAP) + 2
        dim.number_format = col.number_format
        if col.wraps:
            dim.alignment = s["wrap"]
        col.style_id = dim.style_id
        col.link_style_id = _link_style(wb, dim.style_id, s["link"])
    ws.freeze_panes = "A2"
    header = []
    for col in scan.columns:
        note = "\n\n".join(x for x in (f"{col.field.title}: {col.field.description}",
                                       _constraints_text(table, col.field)) if x)
        comment = Comment(note, table.name)
        comment.width, comment.height = 320, 160
        header.append(_text_cell(ws, col.field.name, comment=comment, font=Font(bold=True)))
    ws.append(header)
    _add_table(ws, _excel_table(f"tbl_{table.name}", f"A1:{scan.last_letter}{scan.last_row}",
                              table.field_names))
    _add_validation(ws, scan, lists)
    _add_highlighting(ws, scan)
    return ws


def _link_style(wb: Any, style_id: int, font: Any) -> int:
    """The column's style with a hyperlink font, registered in the workbook's style table."""
    from copy import copy

    base = copy(wb._cell_styles[style_id])
    base.fontId = wb._fonts.add(font)
    return wb._cell_styles.add(base)


def _add_validation(ws: Any, scan: _Scan, lists: _EnumLists) -> None:
    """Data validation from the schema: key and enum dropdowns, numeric bounds, text lengths."""
    from openpyxl.worksheet.datavalidation import DataValidation

    table = scan.table
    references = {fk.fields[0]: fk for fk in table.foreign_keys if len(fk.fields) == 1}
    for col in scan.columns:
        fld = col.field
        rule = _validation_rule(table, fld, col, references.get(fld.name), lists)
        if rule is None:
            continue
        kind, operator, formulas, message = rule
        dv = DataValidation(type=kind, operator=operator, allow_blank=True, showErrorMessage=True,
                            errorTitle=f"{table.name}.{fld.name}"[:32], error=message[:255],
                            formula1=formulas[0], formula2=formulas[1] if len(formulas) > 1 else None)
        dv.add(f"{col.letter}2:{col.letter}{scan.last_row}")
        ws.data_validations.append(dv)


def _validation_rule(table: Table, fld: Field, col: _Column, fk: Any,
                     lists: _EnumLists) -> tuple[str, str | None, list[str], str] | None:
    """(type, operator, formulas, message) of the one validation a column gets, or None."""
    if fk is not None:
        return ("list", None, [_key_name(fk.resource, fk.ref_fields[0])],
                f"Pick a {fk.ref_fields[0]} that exists in the {fk.resource} sheet.")
    if fld.enum:
        values = [str(v) for v in fld.enum]
        inline = ",".join(values)
        if len(inline) + 2 <= MAX_INLINE_LIST and not any(("," in v or '"' in v) for v in values):
            formula = f'"{inline}"'
        else:
            formula = lists.name_for(table, fld)
        return "list", None, [formula], "Pick one of the listed values."
    if col.kind == BOOLEAN:
        return "list", None, ['"TRUE,FALSE"'], "Enter TRUE or FALSE."
    if col.kind in (INTEGER, NUMBER) and (fld.minimum is not None or fld.maximum is not None):
        kind = "whole" if col.kind == INTEGER else "decimal"
        return _bounds(kind, fld.minimum, fld.maximum, "a number")
    if col.kind == TEXT and (fld.min_length is not None or fld.max_length is not None):
        return _bounds("textLength", fld.min_length, fld.max_length, "a length")
    return None


def _bounds(kind: str, low: float | None, high: float | None,
            what: str) -> tuple[str, str, list[str], str]:
    if low is not None and high is not None:
        return kind, "between", [str(low), str(high)], f"Enter {what} from {low} to {high}."
    if low is not None:
        return kind, "greaterThanOrEqual", [str(low)], f"Enter {what} of at least {low}."
    return kind, "lessThanOrEqual", [str(high)], f"Enter {what} of at most {high}."


def _add_highlighting(ws: Any, scan: _Scan) -> None:
    """Conditional formatting: empty required cells and duplicate unique or key values."""
    from openpyxl.formatting.rule import Rule
    from openpyxl.styles import PatternFill
    from openpyxl.styles.differential import DifferentialStyle

    table, last = scan.table, scan.last_row
    warn = DifferentialStyle(fill=PatternFill(bgColor="FFC7CE", fill_type="solid"))
    by_name = {c.field.name: c for c in scan.columns}
    for col in scan.columns:
        span = f"{col.letter}2:{col.letter}{last}"
        if col.field.required or col.field.name in table.primary_key:
            ws.conditional_formatting.add(span, Rule(type="expression", dxf=warn,
                                                     formula=[f"LEN({col.letter}2)=0"]))
        if col.field.unique or table.primary_key == (col.field.name,):
            ws.conditional_formatting.add(span, Rule(type="duplicateValues", dxf=warn))
    if len(table.primary_key) > 1:
        keys = [by_name[k].letter for k in table.primary_key]
        criteria = ",".join(f"${k}$2:${k}${last},${k}2" for k in keys)
        span = " ".join(f"{k}2:{k}{last}" for k in keys)
        ws.conditional_formatting.add(span, Rule(type="expression", dxf=warn,
                                                 formula=[f"COUNTIFS({criteria})>1"]))


def _chart_group(row: dict[str, str]) -> tuple[str, str, str, str]:
    """Observations drawn together: same scope, state, unit and scale."""
    return row["scope"], row["state_id"], row["unit"], row["scale"]


def _write_chart(wb: Any, package: Package) -> None:
    """The trade figures (actuals and targets) as a bar chart on a sheet of its own.

    Only the most common scope/state/unit/scale is drawn so that bars compare like with like, and
    at most MAX_CHART_BARS of them; targets without a period are placed after the dated figures,
    labelled as having no year.
    """
    from openpyxl.chart import BarChart, Reference

    table = package.tables.get("indicators")
    if table is None or not set(CHART_FIELDS) <= set(table.field_names):
        return
    group = Counter(_chart_group(r) for r in _read_dicts(table) if r["indicator_code"] == TRADE_INDICATOR)
    if not group:
        return
    scope, state, unit, scale = group.most_common(1)[0][0]
    drawn = heapq.nsmallest(MAX_CHART_BARS, (
        r for r in _read_dicts(table)
        if r["indicator_code"] == TRADE_INDICATOR and _chart_group(r) == (scope, state, unit, scale)),
        key=lambda r: (r["period_end"] or r["period_start"] or "~", r["value_kind"], r["source_id"],
                       r["observation_id"]))
    omitted = sum(group.values()) - len(drawn)
    s = _styles()
    ws = wb.create_sheet(CHART_SHEET)
    for letter, width in zip("ABCDE", (26, 12, 12, 48, 10), strict=True):
        ws.column_dimensions[letter].width = width
    what = f"{TRADE_INDICATOR} ({scope}{' ' + state if state else ''}), {unit}, scale {scale}"
    ws.append([_text_cell(ws, f"Trade figures: {what}", font=s["title"])])
    ws.append([_text_cell(ws, "One bar per observation, from the indicators sheet. Targets with no "
                              "period stated come last, labelled 'target, no year'."
                          + (f" {omitted} observation(s) of another scope or unit, or beyond the "
                             f"first {MAX_CHART_BARS}, are not drawn." if omitted else ""))])
    ws.append([_text_cell(ws, h, font=s["bold"])
               for h in ("Period (source)", "Actual", "Target", "Observation", "Source")])
    for r in drawn:
        period = "–".join(p for p in (r["period_start"], r["period_end"]) if p) or (
            f"{r['value_kind']}, no year")
        value = parse_value(table.field("value"), r["value"])
        ws.append([_text_cell(ws, f"{period} ({r['source_id']})"),
                   value if r["value_kind"] == "actual" else None,
                   value if r["value_kind"] == "target" else None,
                   _text_cell(ws, r["observation_id"]), _text_cell(ws, r["source_id"])])
    chart = BarChart()
    chart.type, chart.grouping, chart.overlap = "col", "clustered", 100
    chart.title = "Intraregional trade: actuals and targets"
    chart.y_axis.title = f"{unit} ({scale})"
    chart.x_axis.title = "Period (source)"
    chart.x_axis.delete = chart.y_axis.delete = False
    first, last = 4, 3 + len(drawn)
    chart.add_data(Reference(ws, min_col=2, max_col=3, min_row=3, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
    chart.width, chart.height = 24, 12
    ws.add_chart(chart, "G3")


# --------------------------------------------------------------------------------------------
# Export: streaming the rows and finishing the zip
# --------------------------------------------------------------------------------------------

def _finish(frame: _Frame, scans: dict[str, _Scan]) -> io.BytesIO:
    """Copy openpyxl's zip with fixed entry times, streaming each table's rows into its sheet."""
    by_path = {path: name for name, path in frame.sheet_paths.items()}
    stamp = frame.created.timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(frame.archive) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        names = src.namelist()
        names.sort(key=lambda n: n != "[Content_Types].xml")  # stable: only moves it first
        for name in names:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            with dst.open(info, "w") as stream:
                if name in by_path:
                    _splice_sheet(stream, src.read(name), scans[by_path[name]], scans)
                else:
                    stream.write(src.read(name))
    return out


def _splice_sheet(stream: Any, xml: bytes, scan: _Scan, scans: dict[str, _Scan]) -> None:
    """Write a header-only sheet with the table's rows before ``</sheetData>`` and the row links
    in their place among the elements that follow."""
    end = xml.rindex(b"</sheetData>")
    tail = xml[end:]
    views = xml.index(b"<sheetViews")  # the used range goes before it, so readers need not scan
    stream.write(xml[:views])
    stream.write(f'<dimension ref="A1:{scan.last_letter}{scan.rows + 1}"/>'.encode())
    stream.write(xml[views:end])
    links = _LinkWriter(scan, scans)
    _stream_rows(stream, scan, links)
    at = min(i for i in (tail.find(tag) for tag in FOLLOWS_HYPERLINKS) if i >= 0)
    stream.write(tail[:at])
    links.write(stream)
    stream.write(tail[at:])


def _stream_rows(stream: Any, scan: _Scan, links: _LinkWriter) -> None:
    """The table's rows as sheet XML: the hot loop of the export, so it builds strings directly.

    Each cell carries its column's style; text is an inline string (never a formula), numbers and
    booleans are typed, dates are serial numbers shown through the column's date format.
    """
    cells = [(c.index, c.letter, c.kind, f'" s="{c.style_id}"', c.field) for c in scan.columns]
    link_styles = {i: f'" s="{s}"' for i, s in links.style_ids.items()}
    chunk: list[str] = []
    with scan.table.path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for number, row in enumerate(reader, start=2):
            parts = [f'<row r="{number}">']
            targets = links.targets(row, number) if link_styles else ()
            for index, letter, kind, plain, fld in cells:
                text = row[index]
                if text == "":
                    continue
                style = link_styles[index] if index in targets else plain
                if kind == TEXT:
                    parts.append(f'<c r="{letter}{number}{style} t="inlineStr"><is>{_xml_text(text)}</is></c>')
                elif kind == BOOLEAN:
                    flag = "1" if parse_value(fld, text) else "0"
                    parts.append(f'<c r="{letter}{number}{style} t="b"><v>{flag}</v></c>')
                elif kind == DATE:
                    parts.append(f'<c r="{letter}{number}{style}><v>{_date_serial(text)}</v></c>')
                else:
                    value = format_value(fld, parse_value(fld, text))
                    parts.append(f'<c r="{letter}{number}{style}><v>{value}</v></c>')
            parts.append("</row>")
            chunk.append("".join(parts))
            if len(chunk) >= 2000:
                stream.write("".join(chunk).encode("utf-8"))
                chunk.clear()
    stream.write("".join(chunk).encode("utf-8"))


def _xml_text(text: str) -> str:
    """``<t>`` element for a string: XML-escaped, OOXML ``_xHHHH_`` look-alikes protected and
    surrounding whitespace preserved."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "_x" in text:
        text = OOXML_ESCAPE.sub("_x005F_", text)
    if text[0].isspace() or text[-1].isspace():
        return f'<t xml:space="preserve">{text}</t>'
    return f"<t>{text}</t>"


class _LinkWriter:
    """Hyperlinks of a table's rows: each citation links to the record it cites and to its source
    row. Links are kept in a temporary file while the rows stream, then written after them;
    Excel allows at most 65,530 links a sheet, so later rows go without."""

    def __init__(self, scan: _Scan, scans: dict[str, _Scan]) -> None:
        self.scans = scans
        self.columns: dict[int, tuple[str, str | None]] = {}  # column -> (how, referenced table)
        self.style_ids: dict[int, int] = {}
        self.count = 0
        self.buffer = tempfile.SpooledTemporaryFile(max_size=4 * 2**20)  # noqa: SIM115 closed in write()
        names = scan.table.field_names
        if REF_TABLE_FIELD not in names or REF_RECORD_FIELD not in names:
            return  # only a table of record references (citations) links its rows
        self.ref_table = names.index(REF_TABLE_FIELD)
        self.columns[names.index(REF_RECORD_FIELD)] = ("record", None)
        for fk in scan.table.foreign_keys:
            if len(fk.fields) == 1 and fk.resource in scans:
                self.columns.setdefault(names.index(fk.fields[0]), ("key", fk.resource))
        for index in self.columns:
            self.style_ids[index] = scan.columns[index].link_style_id

    def targets(self, row: list[str], number: int) -> set[int]:
        """Columns of this row that got a link (its XML is buffered)."""
        found = set()
        for index, (how, resource) in self.columns.items():
            if self.count >= MAX_LINKS_PER_SHEET or not row[index]:
                continue
            resource = row[self.ref_table] if how == "record" else resource
            target = self.scans.get(resource or "")
            at = target.keys.row(row[index]) if target is not None else None
            if at is None:
                continue
            letter = _letter(index + 1)
            self.buffer.write(f'<hyperlink ref="{letter}{number}" location="'
                              f"'{resource}'!A{at}\" display=\"{resource} row {at}\"/>".encode())
            self.count += 1
            found.add(index)
        return found

    def write(self, stream: Any) -> None:
        if self.count:
            stream.write(b"<hyperlinks>")
            self.buffer.seek(0)
            shutil.copyfileobj(self.buffer, stream)
            stream.write(b"</hyperlinks>")
        self.buffer.close()


# --------------------------------------------------------------------------------------------
# Import
# --------------------------------------------------------------------------------------------

@dataclass
class _ImportedTable:
    """A table read from its sheet: raw CSV rows and the sheet row each came from."""

    table: Table
    sheet: str
    rows: list[dict[str, str]] = field(default_factory=list)
    sheet_rows: list[int] = field(default_factory=list)

    def sorted_pairs(self) -> list[tuple[dict[str, str], int]]:
        """Rows in CSV order (as csv_text sorts them, stably), each with its sheet row."""
        key = sort_key(self.table)
        return sorted(zip(self.rows, self.sheet_rows, strict=True), key=lambda p: key(p[0]))


def import_workbook(package_root: Path, workbook: Path, sources: Path | None,
                    *, max_bytes: int = MAX_WORKBOOK_BYTES,
                    max_unpacked: int = MAX_UNPACKED_BYTES) -> list[Problem]:
    """Read an edited workbook into the package's CSVs; return the problems (empty on success).

    Nothing is written unless every sheet reads cleanly and the full validation passes on a
    temporary copy of the package; every problem names its sheet and cell.
    """
    package = load_package(package_root)
    workbook = Path(workbook)
    problems = _check_archive(workbook, max_bytes, max_unpacked)
    if problems:
        return problems
    imported, problems = _read_workbook(package, workbook)
    if imported is None:
        return problems
    ordered = {name: t.sorted_pairs() for name, t in imported.items()}
    texts = {name: csv_text(package.table(name), [r for r, _ in pairs]) for name, pairs in ordered.items()}
    problems = _dedupe(problems, _validate_copy(package, texts, sources, ordered, imported))
    if problems:
        return problems
    for name, text in texts.items():
        atomic_write(package.table(name).path, text)
    return []


def _file_problem(workbook: Path, rule: str, message: str, hint: str = "") -> list[Problem]:
    return [Problem(str(workbook), None, None, None, rule, message, hint)]


def _check_archive(workbook: Path, max_bytes: int, max_unpacked: int) -> list[Problem]:
    """Refuse, before parsing anything, a file that is missing, too large, not a zip, unpacks to
    too much (a zip bomb) or lacks a workbook part."""
    try:
        size = workbook.stat().st_size
    except OSError as exc:
        return _file_problem(workbook, "not-a-workbook", f"cannot be read ({exc.strerror})")
    if size > max_bytes:
        return _file_problem(workbook, "file-too-large",
                             f"{size:,} bytes; workbooks over {max_bytes:,} bytes are refused")
    if not zipfile.is_zipfile(workbook):
        return _file_problem(workbook, "not-a-workbook", "not an Excel workbook (.xlsx): the file is "
                             "not a zip archive", "save the file as 'Excel Workbook (.xlsx)'")
    try:
        with zipfile.ZipFile(workbook) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        return _file_problem(workbook, "not-a-workbook", f"not a readable zip archive ({exc})")
    unpacked = sum(i.file_size for i in infos)
    if unpacked > max_unpacked:
        return _file_problem(workbook, "unpacked-too-large",
                             f"unpacks to {unpacked:,} bytes; more than {max_unpacked:,} is refused")
    if "xl/workbook.xml" not in {i.filename for i in infos}:
        return _file_problem(workbook, "not-a-workbook", "a zip archive but not an Excel workbook "
                             "(no xl/workbook.xml)", "save the file as 'Excel Workbook (.xlsx)'")
    return []


def _open_workbook(workbook: Path) -> Any:
    """openpyxl in read-only mode, refusing to run unless it parses XML through defusedxml."""
    import openpyxl.xml
    from openpyxl import load_workbook

    if not openpyxl.xml.DEFUSEDXML:
        raise WorkbookUnsafe("openpyxl is not using defusedxml; install defusedxml (see "
                             "requirements.txt) and unset OPENPYXL_DEFUSEDXML")
    return load_workbook(workbook, read_only=True, data_only=False, keep_links=False)


def _read_workbook(package: Package,
                   workbook: Path) -> tuple[dict[str, _ImportedTable] | None, list[Problem]]:
    """Every table's sheet as raw rows, with the problems found while reading.

    Returns None instead of tables when a sheet or header is wrong (rows could not be placed)."""
    try:
        wb = _open_workbook(workbook)
    except WorkbookUnsafe:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        unsafe = _defused_cause(exc)
        if unsafe is not None:
            return None, _file_problem(workbook, "unsafe-xml", "refused: the workbook's XML uses a "
                                       f"construct that can attack the reader ({unsafe})")
        return None, _file_problem(workbook, "not-a-workbook",
                                   f"cannot be read as a workbook ({type(exc).__name__}: {exc})")
    try:
        problems: list[Problem] = []
        imported: dict[str, _ImportedTable] = {}
        for name, table in package.tables.items():
            if name not in wb.sheetnames:
                problems.append(Problem(name, None, None, None, "missing-sheet",
                                        f"the workbook has no sheet named {name!r}",
                                        "restore the sheet from a fresh export"))
                continue
            try:
                imported[name] = _read_sheet(wb[name], table, problems)
            except Exception as exc:
                unsafe = _defused_cause(exc)
                if unsafe is None:
                    raise
                return None, _file_problem(workbook, "unsafe-xml", f"sheet {name}: refused ({unsafe})")
        structural = {"missing-sheet", "incorrect-label", "missing-label", "blank-label"}
        if any(p.rule in structural for p in problems):
            return None, problems
        return imported, problems
    finally:
        wb.close()


def _defused_cause(exc: BaseException) -> str | None:
    """The name of the defusedxml refusal behind ``exc`` (openpyxl wraps it), if any."""
    from defusedxml import DefusedXmlException

    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, DefusedXmlException):
            return type(seen).__name__
        seen = seen.__cause__ or seen.__context__
    return None


def _read_sheet(ws: Any, table: Table, problems: list[Problem]) -> _ImportedTable:
    """Read one sheet: check its header, then cast every cell by its field's type."""
    ws.reset_dimensions()  # do not trust the file's own idea of its used range
    result = _ImportedTable(table, ws.title)
    rows = ws.iter_rows()
    header = next(rows, ())
    if not _header_ok(ws.title, header, table, problems):
        return result
    fields = table.fields
    width = len(fields)
    for cells in rows:
        number = next((c.row for c in cells if getattr(c, "row", None)), None)
        if number is None or all(c.value is None or c.value == "" for c in cells):
            continue
        record: dict[str, str] = {}
        for index, cell in enumerate(cells):
            if index >= width:
                if cell.value not in (None, ""):
                    problems.append(Problem(f"{ws.title}!{cell.coordinate}", number, None, cell.value,
                                            "extra-cell", "a value to the right of the table's "
                                            "columns", "move it into a column of the table or delete it"))
                continue
            record[fields[index].name] = _cast_cell(ws.title, cell, fields[index], number, problems)
        for fld in fields[len(cells):]:
            record[fld.name] = ""
        result.rows.append(record)
        result.sheet_rows.append(number)
    return result


def _header_ok(sheet: str, header: Any, table: Table, problems: list[Problem]) -> bool:
    found = [c.value for c in header]
    while found and found[-1] in (None, ""):
        found.pop()
    ok = True
    for index, name in enumerate(table.field_names):
        ref = f"{sheet}!{_letter(index + 1)}1"
        got = found[index] if index < len(found) else None
        if got is None or got == "":
            problems.append(Problem(ref, 1, name, None, "missing-label",
                                    f"header cell is empty; expected {name!r}",
                                    "restore the header row from a fresh export"))
            ok = False
        elif got != name:
            problems.append(Problem(ref, 1, name, got, "incorrect-label",
                                    f"header is {got!r}; expected {name!r}",
                                    "headers are field names; see the fields sheet"))
            ok = False
    for index in range(len(table.field_names), len(found)):
        problems.append(Problem(f"{sheet}!{_letter(index + 1)}1", 1, None, found[index],
                                "extra-label", f"column {found[index]!r} is not a field of "
                                f"{table.name}", "delete the column"))
        ok = False
    return ok


def _cast_cell(sheet: str, cell: Any, fld: Field, number: int, problems: list[Problem]) -> str:
    """A cell as its CSV text, cast by the field's type; a problem (and the raw text) when it is
    a formula, an error value or not of the field's type."""
    value, data_type = cell.value, cell.data_type
    if value is None or value == "":
        return ""
    ref = f"{sheet}!{cell.coordinate}"
    if data_type == "f" and fld.type == "boolean" and str(value).upper() in BOOLEAN_FORMULAS:
        # LibreOffice saves a boolean cell as the constant formula =TRUE() or =FALSE()
        value, data_type = BOOLEAN_FORMULAS[str(value).upper()], "b"
    if data_type == "f":
        problems.append(Problem(ref, number, fld.name, str(value), "formula",
                                f"{ref} holds a formula ({value}); the import takes values only",
                                "type the value itself, or paste as values"))
        return str(value)
    if data_type == "e":
        problems.append(Problem(ref, number, fld.name, str(value), "cell-error",
                                f"{ref} holds the error value {value}", "type the value itself"))
        return str(value)
    try:
        return _cast_value(fld, value)
    except ValueError as exc:
        problems.append(Problem(ref, number, fld.name, value, "type-error",
                                f"{ref}: {value!r} is not a valid {fld.type} ({exc})",
                                f"enter a {fld.type} (see the fields sheet)"))
        return str(value)


def _cast_value(fld: Field, value: Any) -> str:
    """Excel's value as the field's CSV text (the inverse of what the export writes)."""
    if isinstance(value, str):
        value = OOXML_UNESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value) if "_x" in value else value
    if fld.type == "string":
        return _as_string(value)
    if fld.type == "boolean":
        if isinstance(value, bool):
            return format_value(fld, value)
        if isinstance(value, str):
            lowered = value.strip().lower()
            for flag, texts in ((True, fld.true_values), (False, fld.false_values)):
                if lowered in {t.lower() for t in texts}:
                    return format_value(fld, flag)
        raise ValueError("expected TRUE or FALSE")
    if fld.type in ("integer", "number"):
        return _as_number(fld, value)
    if fld.type == "date":
        return _as_date(value)
    return _as_string(value)


def _as_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _as_number(fld: Field, value: Any) -> str:
    if isinstance(value, bool | dt.date | dt.time | dt.timedelta):
        raise ValueError(f"expected a {fld.type}")
    if isinstance(value, str):
        value = parse_value(fld, value.strip())
    if fld.type == "integer":
        if isinstance(value, float) and not value.is_integer():
            raise ValueError("expected a whole number")
        return format_value(fld, int(value))
    if not math.isfinite(float(value)):
        raise ValueError("not a finite number")
    return format_value(fld, value)


def _as_date(value: Any) -> str:
    if isinstance(value, dt.datetime):
        if value.time() != dt.time():
            raise ValueError("a date has no time of day")
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return dt.date.fromisoformat(value.strip()).isoformat()
    raise ValueError("expected a date (yyyy-mm-dd)")


def _dedupe(first: list[Problem], second: list[Problem]) -> list[Problem]:
    """Reading problems, then validation problems that do not repeat a cell already reported."""
    seen = {(p.file, p.field) for p in first}
    return first + [p for p in second if (p.file, p.field) not in seen]


def _validate_copy(package: Package, texts: dict[str, str], sources: Path | None,
                   ordered: dict[str, list[tuple[dict[str, str], int]]],
                   imported: dict[str, _ImportedTable]) -> list[Problem]:
    """Run the full validation on a temporary package holding the imported tables, and place
    each problem on its sheet and cell."""
    from scripts.validate import validate_package

    with tempfile.TemporaryDirectory(prefix="cac-import-") as tmp:
        root = Path(tmp)
        shutil.copy2(package.root / DESCRIPTOR, root / DESCRIPTOR)
        for table in package.tables.values():
            schema = root / table.schema_path.relative_to(package.root)
            schema.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(table.schema_path, schema)
            target = root / table.path.relative_to(package.root)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(texts[table.name], encoding="utf-8")
        found = validate_package(root, sources)
    return [_place(p, package, ordered, imported, root) for p in found]


def _place(problem: Problem, package: Package, ordered: dict[str, list[tuple[dict[str, str], int]]],
           imported: dict[str, _ImportedTable], root: Path) -> Problem:
    """A validation problem located by sheet and cell instead of CSV file and row."""
    table = _table_of(problem.file, package, root)
    if table is None:
        return problem
    sheet = imported[table.name].sheet
    pairs = ordered[table.name]
    row = problem.row
    sheet_row = pairs[row - 2][1] if row is not None and 2 <= row < len(pairs) + 2 else row
    column = table.field_names.index(problem.field) + 1 if problem.field in table.field_names else None
    if sheet_row is None:
        ref = f"{sheet}!{_letter(column)}1" if column else sheet
    else:
        ref = f"{sheet}!{_letter(column or 1)}{sheet_row}"
    return Problem(ref, sheet_row, problem.field, problem.value, problem.rule, problem.message,
                   problem.hint)


def _table_of(file: str, package: Package, root: Path) -> Table | None:
    """The table a problem's ``file`` names (a path, a file name or a table name)."""
    if not file:
        return None
    path = Path(file)
    for table in package.tables.values():
        relative = table.path.relative_to(package.root)
        if file == table.name or path == relative or path == root / relative or (
                path.name == table.path.name and not path.is_absolute()):
            return table
    return None


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------

def run(verb: str, argv: list[str]) -> int:
    """``export [ROOT] [--output FILE]`` or ``import WORKBOOK [ROOT] [--sources DIR]``."""
    try:
        if verb == "export":
            return _run_export(argv)
        if verb == "import":
            return _run_import(argv)
    except PackageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except WorkbookUnsafe as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"error: scripts.workbook has no verb {verb!r}", file=sys.stderr)
    return 2


def _run_export(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts export",
                                     description="Export the package to an Excel workbook.")
    parser.add_argument("root", nargs="?", default=".", type=Path, help="package root (default .)")
    parser.add_argument("--output", type=Path, help="workbook to write (default dist/<name>.xlsx)")
    args = parser.parse_args(argv)
    package = load_package(args.root)
    dest = args.output or args.root / "dist" / f"{package.name}.xlsx"
    try:
        export_workbook(package, dest)
    except ExportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"error: cannot write {dest}: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {dest}")
    return 0


def _run_import(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts import",
                                     description="Import an edited workbook into tables/*.csv.")
    parser.add_argument("workbook", type=Path, help="the .xlsx file to import")
    parser.add_argument("root", nargs="?", default=".", type=Path, help="package root (default .)")
    parser.add_argument("--sources", type=Path, help="directory of the source texts (for provenance)")
    args = parser.parse_args(argv)
    problems = import_workbook(args.root, args.workbook, args.sources)
    if problems:
        sys.stderr.write(render_text(problems))
        print("import refused: nothing was written", file=sys.stderr)
        return 1
    print(f"imported {args.workbook} into {args.root / 'tables'}")
    return 0
