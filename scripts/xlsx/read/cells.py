"""One workbook cell as its CSV text, or a refusal in plain words.

The model's Excel backend (:func:`scripts.model.backends.excel.from_workbook`) does the converting
and every cell-level check; this module only decides what the model cannot know from the value
alone: that a cell holds a formula or an error value, and what a calendar date in a reduced-
precision date field means. A spreadsheet turns ``2024-08`` typed into a General cell into the
first of August, losing the precision; such a date is kept only when it is exactly the value the
cell held before (read the same way), and refused with what to type otherwise.
"""

from __future__ import annotations

import datetime as dt

from scripts.model.backends.excel import from_workbook
from scripts.model.catalogue import TYPE
from scripts.model.cells import CellError
from scripts.model.dates import as_calendar_date
from scripts.model.spec import Field
from scripts.report import Problem
from scripts.xlsx.read.reader import Cell

FORMULA, CELL_ERROR = "formula", "cell-error"
# LibreOffice saves a typed TRUE or FALSE as a constant formula, its value cached as the number 1 or 0.
CONSTANT_FORMULAS = {"TRUE()": True, "TRUE": True, "FALSE()": False, "FALSE": False}
DATE_HINT = ("type the date as text, starting with an apostrophe so the spreadsheet keeps it: "
             "'2024-08-09 for a day, '2024-08 for a month, '2024 for a year")


def cell_text(fld: Field, cell: Cell | None, old: str | None = None) -> str:
    """The CSV text of ``cell`` in field ``fld``; ``old`` is the CSV text the record held before
    (None for a new record). Raises CellError with the rule, a plain message and a hint."""
    if cell is None:
        return ""
    if cell.kind == "error":
        raise CellError(CELL_ERROR, f"holds the error value {cell.value}", "type the value itself")
    if cell.formula is not None:
        constant = CONSTANT_FORMULAS.get(cell.formula.strip().upper())
        if constant is None:
            raise CellError(FORMULA, f"holds a formula (={cell.formula}); the import reads typed values only",
                            "type the value itself, or copy the cell and paste it as a value")
        return from_workbook(fld, constant)
    if cell.kind in ("date", "datetime") and fld.is_reduced_date:
        return _reduced_date(fld, cell.value, old)  # type: ignore[arg-type]
    return from_workbook(fld, cell.value)


def _reduced_date(fld: Field, value: dt.date | dt.datetime, old: str | None) -> str:
    """A calendar date in a reduced-precision field: the old text when it reads as exactly this
    date (the cell was left as it was), else refused (the intended precision cannot be known)."""
    moment = value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
    if old and moment.time() == dt.time() and as_calendar_date(old) == moment.date():
        return old
    shown = moment.date().isoformat() if moment.time() == dt.time() else moment.isoformat(" ")
    raise CellError(TYPE, f"holds the calendar date {shown}, but {fld.name} keeps a date as text at the "
                    "precision the source gives (a year, a month or a day), and a calendar date cannot say "
                    "which was meant", DATE_HINT)


def at_cell(sheet: str, ref: str, row: int | None, fld: str | None, value: object, rule: str, message: str,
            hint: str) -> Problem:
    """A problem at a sheet cell: filed under the sheet, the cell named at the start of the message."""
    where = f"{sheet}!{ref}"
    named = message.startswith(f"{where}: ")
    return Problem(sheet, row, fld, value, rule, message if named else f"{where}: {message}", hint)
