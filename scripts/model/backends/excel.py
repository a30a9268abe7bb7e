"""Excel: a field's data validation (with its input message in words, never a regex), and a value
read from a workbook cell turned into the field's CSV text.

The workbook writer puts :func:`validation` on each column; the importer calls
:func:`from_workbook` on each distinct value python-calamine or the streaming reader returns
(numbers as float, booleans as bool, dates as date/datetime), so a cell is judged by the same
rules, messages and hints as a CSV cell.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

from scripts.model import catalogue, cells, text
from scripts.model.backends import words
from scripts.model.cells import CellError
from scripts.model.spec import MAX_LENGTH, MAXIMUM, MIN_LENGTH, MINIMUM, Field

BIG = {"decimal": "1E+300", "whole": "9007199254740991"}


def _base(fld: Field) -> dict[str, Any]:
    return {"type": "any", "allow_blank": not fld.required, "prompt": words.input_message(fld)}


def _numeric(fld: Field, kind: str) -> dict[str, Any]:
    base = {**_base(fld), "type": kind}
    low, high = fld.constraint(MINIMUM), fld.constraint(MAXIMUM)
    if low is not None and high is not None:
        return {**base, "operator": "between", "formula1": str(low), "formula2": str(high)}
    if low is not None:
        return {**base, "operator": "greaterThanOrEqual", "formula1": str(low)}
    if high is not None:
        return {**base, "operator": "lessThanOrEqual", "formula1": str(high)}
    return {**base, "operator": "between", "formula1": f"-{BIG[kind]}", "formula2": BIG[kind]}


def _text(fld: Field) -> dict[str, Any]:
    base = _base(fld)
    if fld.enum is not None:
        return {**base, "type": "list", "list": [str(v) for v in fld.enum]}
    low, high = fld.constraint(MIN_LENGTH), fld.constraint(MAX_LENGTH)
    if low is None and high is None:
        return base
    if high is None:
        return {**base, "type": "textLength", "operator": "greaterThanOrEqual", "formula1": str(low)}
    return {**base, "type": "textLength", "operator": "between", "formula1": str(low or 0), "formula2": str(high)}


# One entry per kind: the Excel data validation of the column.
VALIDATIONS: dict[str, Callable[[Field], dict[str, Any]]] = {
    "text": _text, "date": _text,
    "integer": lambda f: _numeric(f, "whole"),
    "number": lambda f: _numeric(f, "decimal"),
    "boolean": lambda f: {**_base(f), "type": "list", "list": [f.true_values[0], f.false_values[0]]},
}


def validation(fld: Field) -> dict[str, Any]:
    """The Excel data validation for the column: ``type``, ``operator``, ``formula1``, ``formula2``
    or ``list``, ``allow_blank`` and a plain-words ``prompt``."""
    return VALIDATIONS[fld.kind](fld)


def kind_of_value(value: Any) -> str:
    if isinstance(value, bool):
        return "a TRUE/FALSE value"
    if isinstance(value, (dt.datetime, dt.date)):
        return "a date"
    if isinstance(value, (int, float)):
        return "a number"
    return type(value).__name__


def _generic(fld: Field, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (bool, dt.date, dt.datetime, dt.time, dt.timedelta)):
        raise CellError(catalogue.TYPE, f"{fld.name} takes text, not {kind_of_value(value)}",
                        f"type the text itself, e.g. {words.example(fld)}")
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _date(fld: Field, value: Any) -> str:
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0):
            raise CellError(catalogue.TYPE, f"{value.isoformat(' ')} has a time of day; {fld.name} holds a date only",
                            "type the date as text: 2024-08-09, 2024-08 or 2024")
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        return str(int(value))  # a year typed as a number
    return _generic(fld, value)


def _integer(fld: Field, value: Any) -> str:
    if isinstance(value, float) and (not math.isfinite(value) or not value.is_integer()):
        shown = value if not math.isfinite(value) else repr(value)
        raise CellError(catalogue.TYPE, f"{shown} is not a whole number", words.hint(fld, catalogue.TYPE))
    return value if isinstance(value, str) else _generic(fld, value)


def _number(fld: Field, value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise CellError(catalogue.TYPE, f"{value} is not a number", words.hint(fld, catalogue.TYPE))
        return cells.write_cell(fld, value)
    return _generic(fld, value)


def _boolean(fld: Field, value: Any) -> str:
    if isinstance(value, bool):
        return cells.write_cell(fld, value)
    if isinstance(value, str):
        return value
    raise CellError(catalogue.TYPE, f"{fld.name} takes {words.example(fld)}, not {kind_of_value(value)}",
                    words.hint(fld, catalogue.TYPE))


# One entry per kind: a workbook value as the field's CSV text (before the cell's checks).
READERS: dict[str, Callable[[Field, Any], str]] = {
    "text": _generic, "date": _date, "integer": _integer, "number": _number, "boolean": _boolean,
}


def from_workbook(fld: Field, value: Any) -> str:
    """A value as openpyxl or python-calamine returns it, as canonical CSV text.

    Raises CellError with a plain-words message and hint when the value cannot be this field's,
    or when it breaks one of the field's cell constraints."""
    csv_text = READERS[fld.kind](fld, value)
    why = text.unclean(csv_text, fld.multiline)
    if why:
        raise CellError(catalogue.CLEAN_TEXT, f"the value {why}", catalogue.hint(catalogue.CLEAN_TEXT))
    problems = cells.check_cell(fld, csv_text)
    if problems:
        rule, message = problems[0]
        raise CellError(rule, message, words.hint(fld, rule))
    return csv_text
