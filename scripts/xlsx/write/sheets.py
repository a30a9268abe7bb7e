"""A table's sheet around its rows: header with notes, Excel table, dropdowns, highlighting, print
(:mod:`.printing`).

Every rule comes from the model's backends (:func:`scripts.model.backends.excel.validation`,
:func:`scripts.model.backends.words.input_message`, the table's keys): nothing here reads a
constraint keyword. Dropdowns and bounds cover the whole column below the header, so a row typed
under the table is checked like the rows above it; key dropdowns read a defined name that grows
with the lookup sheet (OFFSET over COUNTA), so a key added there appears at once. Empty required
cells are highlighted with ISBLANK (LibreOffice cannot print a sheet whose conditional formats use
``LEN(...)=0``).
"""

from __future__ import annotations

import warnings
from typing import Any

from scripts.model.backends import excel, words
from scripts.model.spec import Field, ForeignKey, Table
from scripts.xlsx.ooxml import MAX_EXCEL_ROW, column_letter
from scripts.xlsx.write import printing, styles
from scripts.xlsx.write.scan import Column, Scan

LISTS_SHEET = "lists"
MAX_INLINE_LIST = 255  # characters of an inline list validation
LAST_ROW = MAX_EXCEL_ROW
WIDTH_CAP = 60


def key_name(table: str, fld: str) -> str:
    return f"keys_{table}_{fld}"


def add_table(ws: Any, name: str, ref: str, header: list[str]) -> None:
    """A styled, banded Excel table with filter buttons; its columns are named here because
    openpyxl cannot read a write-only sheet's header back (its reminder is silenced)."""
    from openpyxl.worksheet.filters import AutoFilter
    from openpyxl.worksheet.table import Table as XlTable
    from openpyxl.worksheet.table import TableColumn, TableStyleInfo

    xl = XlTable(displayName=name, ref=ref, autoFilter=AutoFilter(ref=ref),
                 tableStyleInfo=TableStyleInfo(name=styles.TABLE_STYLE, showRowStripes=True))
    xl.tableColumns = [TableColumn(id=i, name=h) for i, h in enumerate(header, start=1)]
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="In write-only mode")
        ws.add_table(xl)


def text_cell(ws: Any, value: Any, **style: Any) -> Any:
    """A write-only cell in the named font; text is forced to a string cell so that nothing
    typed like ``=HYPERLINK(...)`` becomes a formula."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value)
    if isinstance(value, str):
        cell.data_type = "s"
    style.setdefault("font", styles.font())
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def append(ws: Any, cells: list[Any], wrap_widths: dict[int, float] | None = None) -> int:
    """Append a row to a write-only sheet and return its number (such a sheet does not count).

    ``wrap_widths`` (column index → characters a line) marks cells that wrap: the row's height is
    recorded in ``ws.cac_heights`` and written into the sheet when the zip is finished, since a
    write-only sheet cannot size its rows."""
    ws.append(cells)
    ws.cac_rows = getattr(ws, "cac_rows", 0) + 1
    if wrap_widths:
        texts = [(str(cells[i].value), width) for i, width in wrap_widths.items()
                 if i < len(cells) and cells[i] is not None and cells[i].value is not None]
        height = styles.wrapped_height(texts)
        if height:
            ws.cac_heights = {**getattr(ws, "cac_heights", {}), ws.cac_rows: height}
    return ws.cac_rows


def row_heights(wb: Any) -> dict[str, dict[int, float]]:
    """Sheet part → {row: height} recorded by :func:`append` for every sheet of the workbook."""
    return {ws.path.lstrip("/"): ws.cac_heights for ws in wb.worksheets if getattr(ws, "cac_heights", None)}


class EnumLists:
    """Enum values too long for an inline dropdown, kept on the hidden ``lists`` sheet."""

    def __init__(self) -> None:
        self.columns: list[tuple[str, list[str]]] = []

    def name_for(self, table: Table, fld: Field, values: list[str]) -> str:
        name = f"enum_{table.name}_{fld.name}"
        self.columns.append((name, values))
        return name

    def write(self, wb: Any) -> None:
        from openpyxl.workbook.defined_name import DefinedName

        if not self.columns:
            return
        ws = wb.create_sheet(LISTS_SHEET)
        ws.sheet_state = "hidden"
        depth = max(len(values) for _, values in self.columns)
        ws.append([text_cell(ws, name) for name, _ in self.columns])
        for i in range(depth):
            ws.append([text_cell(ws, values[i]) if i < len(values) else None for _, values in self.columns])
        for number, (name, values) in enumerate(self.columns, start=1):
            col = column_letter(number)
            wb.defined_names[name] = DefinedName(name, attr_text=f"'{LISTS_SHEET}'!${col}$2:${col}${len(values) + 1}")


def define_key_names(wb: Any, scans: dict[str, Scan]) -> None:
    """One defined name per referenced key column. It is a dynamic range: from row 2 down as many
    rows as the column has values, so keys added at the bottom of a lookup sheet are offered."""
    from openpyxl.workbook.defined_name import DefinedName

    wanted = sorted({(fk.resource, fk.ref_fields[0]) for scan in scans.values()
                     for fk in scan.table.foreign_keys if len(fk.fields) == 1 and fk.resource in scans})
    for table, fld in wanted:
        col = column_letter(scans[table].table.field_names.index(fld) + 1)
        name = key_name(table, fld)
        formula = f"OFFSET('{table}'!${col}$2,0,0,MAX(1,COUNTA('{table}'!${col}:${col})-1),1)"
        wb.defined_names[name] = DefinedName(name, attr_text=formula)


def write_table_sheet(wb: Any, scan: Scan, lists: EnumLists, book: styles.StyleBook) -> Any:
    """A table's sheet with column styles, header, Excel table, validation, highlighting and
    print setup; the rows are streamed in later (:mod:`scripts.xlsx.write.stream`)."""
    table = scan.table
    ws = wb.create_sheet(table.name)
    for col in scan.columns:
        _style_column(ws, col, book)
    ws.freeze_panes = "A2"
    # before the first row: openpyxl writes the sheet properties with it
    printing.print_setup(ws, [column_width(col) for col in scan.columns], leading_keys=_leading_keys(table))
    ws.append([_header_cell(ws, table, col) for col in scan.columns])
    add_table(ws, f"tbl_{table.name}", f"A1:{scan.last_letter}{scan.last_row}", table.field_names)
    _add_validation(ws, scan, lists)
    _add_highlighting(ws, scan)
    return ws


def column_width(col: Column) -> int:
    """A column's width in characters: its widest text as shown, up to the wrapping cap, and a
    margin of two."""
    return min(col.width, WIDTH_CAP) + 2


def _leading_keys(table: Table) -> int:
    """How many of the first columns are primary-key columns (the ones a printed page repeats)."""
    count = 0
    for name in table.field_names:
        if name not in table.primary_key:
            break
        count += 1
    return count


def _style_column(ws: Any, col: Column, book: styles.StyleBook) -> None:
    dim = ws.column_dimensions[col.letter]
    dim.width = column_width(col)
    col.style_id = book.style_id(col.number_format, wraps=col.wraps)
    col.link_style_id = book.style_id(col.number_format, link=True, wraps=col.wraps)
    col.format_ids = {fmt: book.style_id(fmt) for fmt in sorted(col.formats)}
    dim._style = wb_style(ws, col.style_id)


def wb_style(ws: Any, style_id: int) -> Any:
    """The StyleArray registered under ``style_id`` (a column's default style)."""
    from copy import copy

    return copy(ws.parent._cell_styles[style_id])


def _header_cell(ws: Any, table: Table, col: Column) -> Any:
    from openpyxl.comments import Comment

    fld = col.field
    note = "\n\n".join(x for x in (f"{fld.title}: {fld.description}", words.input_message(fld),
                                   _key_words(table, fld)) if x)
    comment = Comment(note, "Read me")
    comment.width, comment.height = 320, 180
    return text_cell(ws, fld.name, comment=comment, font=styles.font(bold=True))


def _key_words(table: Table, fld: Field) -> str:
    parts = []
    if fld.in_primary_key and len(table.primary_key) > 1:
        parts.append("identifies the row together with " + ", ".join(k for k in table.primary_key if k != fld.name))
    parts.extend(f"must name a row of the {fk.resource} sheet ({', '.join(fk.ref_fields)})"
                 for fk in table.foreign_keys if fld.name in fk.fields)
    return "; ".join(parts)


def _add_validation(ws: Any, scan: Scan, lists: EnumLists) -> None:
    """One data validation per column, from the interpreter, over the whole column below the header."""
    from openpyxl.worksheet.datavalidation import DataValidation

    references = {fk.fields[0]: fk for fk in scan.table.foreign_keys if len(fk.fields) == 1}
    for col in scan.columns:
        rule = _rule(scan.table, col.field, references.get(col.field.name), lists)
        if rule is None:
            continue
        prompt = words.input_message(col.field)[:255]
        dv = DataValidation(type=rule["type"], operator=rule.get("operator"), allow_blank=True,
                            formula1=rule.get("formula1"), formula2=rule.get("formula2"),
                            showErrorMessage=True, errorTitle=col.field.name[:32], error=prompt,
                            showInputMessage=True, promptTitle=col.field.title[:32], prompt=prompt)
        dv.add(f"{col.letter}2:{col.letter}{LAST_ROW}")
        ws.data_validations.append(dv)


def _rule(table: Table, fld: Field, fk: ForeignKey | None, lists: EnumLists) -> dict[str, Any] | None:
    """The validation a column gets: key dropdown, else the interpreter's rule (a list inline or
    on the lists sheet), or None when the interpreter asks for none."""
    if fk is not None:
        return {"type": "list", "formula1": key_name(fk.resource, fk.ref_fields[0])}
    rule = excel.validation(fld)
    if rule["type"] == "any":
        return None
    if rule["type"] != "list":
        return rule
    values = [str(v) for v in rule["list"]]
    inline = ",".join(values)
    if len(inline) + 2 <= MAX_INLINE_LIST and not any("," in v or '"' in v for v in values):
        return {"type": "list", "formula1": f'"{inline}"'}
    return {"type": "list", "formula1": lists.name_for(table, fld, values)}


def _add_highlighting(ws: Any, scan: Scan) -> None:
    """Empty required cells and duplicate keys, highlighted over the table's rows."""
    from openpyxl.formatting.rule import Rule

    table, last, warn = scan.table, scan.last_row, styles.warn_style()
    by_name = {c.field.name: c for c in scan.columns}
    for col in scan.columns:
        span = f"{col.letter}2:{col.letter}{last}"
        if col.field.required:
            ws.conditional_formatting.add(span, Rule(type="expression", dxf=warn,
                                                     formula=[f"ISBLANK({col.letter}2)"]))
        if col.field.unique:
            ws.conditional_formatting.add(span, Rule(type="duplicateValues", dxf=warn))
    if len(table.primary_key) > 1:
        keys = [by_name[k].letter for k in table.primary_key]
        criteria = ",".join(f"${k}$2:${k}${last},${k}2" for k in keys)
        span = " ".join(f"{k}2:{k}{last}" for k in keys)
        ws.conditional_formatting.add(span, Rule(type="expression", dxf=warn, formula=[f"COUNTIFS({criteria})>1"]))
