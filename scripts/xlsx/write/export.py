"""``python -m scripts export``: the package as one Excel workbook that people can read, print and edit.

The workbook opens on a "Read me" sheet (:mod:`.guide`), then the field dictionary, one sheet per
table (:mod:`.sheets`: dropdowns, bounds and highlighting from the interpreter, print setup), the
trade chart (:mod:`.chart`) and two hidden sheets: the long dropdown lists and the export state,
which records the fingerprint of the tables the workbook was made from, so that an import can
refuse to overwrite edits made to the tables since (a lost update).

Every table is read once before anything is written (:mod:`.scan`), so a package that cannot be
exported faithfully writes nothing; the rows are then streamed into the sheets (:mod:`.stream`).
Two exports of the same package are byte-identical: document times come from the package's
``created`` and zip entries have fixed times and order. The file is written atomically.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Any

from scripts.files import atomic_write
from scripts.model.package import DESCRIPTOR, Package
from scripts.xlsx.state import FINGERPRINT_LABEL, STATE_SHEET, fingerprint
from scripts.xlsx.write import chart, guide, sheets, stream, styles
from scripts.xlsx.write.scan import ExportError, Scan, scan_table

__all__ = ["ExportError", "export_workbook", "helper_sheets"]

ZIP_TIME_FLOOR = (1980, 1, 1, 0, 0, 0)


def helper_sheets() -> tuple[str, ...]:
    """Sheets that are not tables: never imported, and no table may take their names."""
    return (guide.README_SHEET, guide.FIELDS_SHEET, chart.CHART_SHEET, sheets.LISTS_SHEET, STATE_SHEET)


def export_workbook(package: Package, dest: Path | str) -> Path:
    """Write the package as an Excel workbook at ``dest`` (atomically) and return ``dest``.

    Raises :class:`ExportError` naming table, row and field when a value cannot be written
    faithfully; nothing is written then. The caller holds the package lock (a release exports
    inside its own lock, so this function does not take it).
    """
    dest = Path(dest)
    clash = sorted(set(package.tables) & set(helper_sheets()))
    if clash:
        raise ExportError(f"{DESCRIPTOR}: table name {clash[0]!r} is taken by a helper sheet of the workbook")
    scans = {name: scan_table(table) for name, table in package.tables.items()}
    for scan in scans.values():
        scan.keys.freeze()
    archive, paths, created, heights = _build(package, scans)
    atomic_write(dest, stream.finish(archive, paths, scans, created, heights).getvalue())
    return dest


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


def _build(package: Package,
           scans: dict[str, Scan]) -> tuple[io.BytesIO, dict[str, str], dt.datetime, dict[str, dict[int, float]]]:
    """openpyxl's workbook with header-only table sheets, where each table's sheet lives, the fixed
    time stamp, and the heights of the helper sheets' wrapped rows."""
    from openpyxl import Workbook
    from openpyxl.utils.exceptions import IllegalCharacterError
    from openpyxl.writer.excel import ExcelWriter

    wb = Workbook(write_only=True)
    created = _created(package)
    _properties(wb, package, created)
    try:
        table_sheets = _write_sheets(wb, package, scans)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            wb.properties.modified = created  # ExcelWriter keeps it; Workbook.save would stamp the clock
            ExcelWriter(wb, archive).save()
    except IllegalCharacterError:
        _discard(wb)
        raise ExportError(f"{DESCRIPTOR} or a schema: a title or description holds a control character") from None
    except BaseException:
        _discard(wb)
        raise
    paths = {name: ws.path.lstrip("/") for name, ws in table_sheets.items()}
    return buffer, paths, created, sheets.row_heights(wb)


def _write_sheets(wb: Any, package: Package, scans: dict[str, Scan]) -> dict[str, Any]:
    """Every sheet, in tab order; the table sheets (header only) by table name."""
    book = styles.StyleBook(wb)
    lists = sheets.EnumLists()
    guide.write_readme(wb, package, scans)
    guide.write_fields(wb, package)
    table_sheets = {name: sheets.write_table_sheet(wb, scan, lists, book) for name, scan in scans.items()}
    chart.write_chart(wb, package)
    lists.write(wb)
    sheets.define_key_names(wb, scans)
    _write_state(wb, package)
    return table_sheets


def _discard(wb: Any) -> None:
    """Close and delete the sheets of a workbook that will not be saved. A write-only sheet is two
    nested generators writing XML to a temporary file: left to the garbage collector, they are
    closed in any order and each prints a traceback ("Exception ignored in ...") after the
    command's one error line, and the file stays until the interpreter exits."""
    for ws in wb.worksheets:
        rows, writer = getattr(ws, "_rows", None), getattr(ws, "_writer", None)
        steps = ([rows.close] if rows is not None else []) + ([writer.close, writer.cleanup] if writer else [])
        for step in steps:
            with contextlib.suppress(Exception):  # the workbook is thrown away: nothing is left to report
                step()


def _properties(wb: Any, package: Package, created: dt.datetime) -> None:
    who = guide.contributors(package)
    wb.properties.creator = wb.properties.lastModifiedBy = who
    wb.properties.title = package.title
    wb.properties.description = package.descriptor.get("description", "")
    wb.properties.version = package.version
    wb.properties.created = created


def _write_state(wb: Any, package: Package) -> None:
    """The hidden sheet the import reads to know which state of the tables the workbook shows."""
    ws = wb.create_sheet(STATE_SHEET)
    ws.sheet_state = "hidden"
    ws.append([sheets.text_cell(ws, FINGERPRINT_LABEL), sheets.text_cell(ws, fingerprint(package))])
    ws.append([sheets.text_cell(ws, "why"), sheets.text_cell(
        ws, "The import compares this with the tables it would replace and refuses the workbook if they "
            "changed after it was exported, so nobody's edits are lost.")])
