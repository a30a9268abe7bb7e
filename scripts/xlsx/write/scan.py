"""Reading a table once before the workbook is written: what each column holds and how wide it is.

Everything the export refuses (a control character, a cell over Excel's limit, a value that is
not of its field's type, a table longer than a sheet) is found here, so nothing is written for a
package that cannot be exported faithfully. The scan also collects the number formats the rows
will need (styles must exist before the rows are streamed) and the sheet row of every key, for
the citation links.
"""

from __future__ import annotations

import hashlib
import math
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from scripts.model import cells
from scripts.model import text as clean
from scripts.model.cells import CellError
from scripts.model.limits import CELL_CHARS
from scripts.model.package import csv_reader
from scripts.model.spec import Field, Table
from scripts.xlsx.ooxml import column_letter
from scripts.xlsx.write import styles

MAX_CELL_CHARS = CELL_CHARS
MAX_DATA_ROWS = 1_048_575  # 1,048,576 rows less the header
MAX_SAFE_INTEGER = 2**53  # Excel stores numbers as doubles
WIDTH_CAP = 60  # characters; longer text wraps
TEXT, INTEGER, NUMBER = "text", "integer", "number"


class ExportError(ValueError):
    """The package cannot be written as a faithful workbook; the message names table, row and field."""


@dataclass
class Column:
    """One field as a sheet column: how its cells are written, its width and its styles."""

    field: Field
    index: int
    letter: str
    kind: str
    width: int = 0
    shown: int = 0  # characters of the widest figure as its number format shows it
    formats: set[str] = field(default_factory=set)
    style_id: int = 0
    link_style_id: int = 0
    format_ids: dict[str, int] = field(default_factory=dict)

    @property
    def wraps(self) -> bool:
        return self.width > WIDTH_CAP

    @property
    def number_format(self) -> str:
        return {TEXT: styles.TEXT_FORMAT, INTEGER: styles.INTEGER_FORMAT}.get(self.kind, styles.COUNT_FORMAT)


class KeyIndex:
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

        digests = np.frombuffer(self._digests, dtype=np.uint64) if self._digests else np.zeros(0, dtype=np.uint64)
        order = np.argsort(digests, kind="stable")
        self._sorted, self._rows = digests[order], order + 2
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
class Scan:
    """What the export knows about a table before writing it: columns, size and keys."""

    table: Table
    columns: list[Column]
    rows: int = 0
    keys: KeyIndex = field(default_factory=KeyIndex)

    @property
    def last_row(self) -> int:
        """Last row of the Excel table; an empty table keeps one blank row, as Excel requires."""
        return max(self.rows, 1) + 1

    @property
    def last_letter(self) -> str:
        return self.columns[-1].letter

    def figure_format(self, row: list[str], column: Column) -> str:
        """The number format of a number cell, from its value and the unit and scale in its row."""
        return styles.figure_format(row[column.index], *self._unit_scale(row))

    def figure_text(self, row: list[str], column: Column) -> str:
        """The number cell as its format shows it (what the column's width must hold)."""
        return styles.figure_text(row[column.index], *self._unit_scale(row))

    def _unit_scale(self, row: list[str]) -> tuple[str, str]:
        names = self.table.field_names
        unit = row[names.index(styles.UNIT_FIELD)] if styles.UNIT_FIELD in names else ""
        scale = row[names.index(styles.SCALE_FIELD)] if styles.SCALE_FIELD in names else ""
        return unit, scale


def kind_of(fld: Field) -> str:
    return {"integer": INTEGER, "number": NUMBER}.get(fld.type, TEXT)


def read_table(table: Table) -> Iterator[list[str]]:
    """The table's data rows as lists of CSV text (the header is checked against the schema)."""
    label = table.path.name
    # A missing or unreadable file is an OSError: the CLI says so in one line and exits 2.
    with table.path.open(encoding="utf-8", newline="") as handle:
        reader = csv_reader(handle)
        try:
            header = next(reader, None)
            if header != table.field_names:
                raise ExportError(f"{label}: its header does not match the schema's fields; run validate")
            for number, row in enumerate(reader, start=2):
                if len(row) != len(header):
                    raise ExportError(f"{label} row {number}: {len(row)} cells where the schema has {len(header)}")
                yield row
        except UnicodeDecodeError as exc:
            raise ExportError(f"{label}: byte {exc.object[exc.start:exc.start + 1]!r} is not UTF-8 text "
                              "(save the file as UTF-8); run validate to find the row") from None


def scan_table(table: Table) -> Scan:
    """Read a table once: check that every cell can be written, measure columns, index keys."""
    columns = [Column(f, i, column_letter(i + 1), kind_of(f)) for i, f in enumerate(table.fields)]
    scan = Scan(table, columns)
    widths = [len(f.name) + 3 for f in table.fields]  # room for the filter button
    pk = [table.field_names.index(k) for k in table.primary_key]
    for number, row in enumerate(read_table(table), start=2):
        scan.rows += 1
        if scan.rows > MAX_DATA_ROWS:
            raise ExportError(f"{table.path.name}: more than {MAX_DATA_ROWS:,} rows, all an Excel sheet can hold")
        widths = list(map(max, widths, map(len, row)))
        for col in columns:
            _check_cell(scan, col, row, number)
        if pk:
            scan.keys.add("/".join(row[i] for i in pk))
    _set_widths(table, columns, widths)
    return scan


def _set_widths(table: Table, columns: list[Column], widths: list[int]) -> None:
    """Give each column the length of its widest value as shown (a figure with the words its
    number format appends), refusing a value over Excel's cell limit: done once the whole table is
    read, since only then is a column's widest value known."""
    for col, width in zip(columns, widths, strict=True):
        if width > MAX_CELL_CHARS:
            raise ExportError(f"{table.path.name}: field {col.field.name} has a value over Excel's "
                              f"{MAX_CELL_CHARS:,}-character cell limit; it would be cut, so nothing is exported")
        col.width = max(width, col.shown)


def _check_cell(scan: Scan, col: Column, row: list[str], number: int) -> None:
    """Refuse a cell a spreadsheet would change: unclean text or a value not of its type."""
    text = row[col.index]
    if text == "":
        return
    where = f"{scan.table.path.name} row {number}, field {col.field.name}"
    unclean = clean.unclean(text, col.field.multiline) if col.kind == TEXT else None
    if unclean:
        raise ExportError(f"{where}: the value {unclean}; a spreadsheet cannot hold it faithfully, "
                          "so correct the CSV and export again")
    if col.kind == TEXT:
        return
    try:
        value = cells.read_cell(col.field, text)
    except CellError as exc:
        raise ExportError(f"{where}: {exc.message}; run validate") from None
    if not math.isfinite(value) or abs(value) > MAX_SAFE_INTEGER:
        raise ExportError(f"{where}: {text} has more digits than Excel keeps (15)")
    if col.kind == NUMBER:
        col.formats.add(scan.figure_format(row, col))
        col.shown = max(col.shown, len(scan.figure_text(row, col)))
