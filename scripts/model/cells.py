"""CSV cells: a cell's text read as its typed value, written back, and checked one at a time.

This is the Python form of the spec, for code that meets one cell at a time: the workbook import
(each distinct value once), the diff (typed comparison, so ``1.0`` equals ``1``), Parquet and
SQLite values, and the exact message of a failing cell found by a column check. Whole columns are
checked by the polars and pandera backends, which must agree with this module (the agreement test
builds a violating and a valid value for every field and constraint and asks every engine).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from scripts.model import catalogue, patterns
from scripts.model.backends import words
from scripts.model.limits import INTEGER_RANGE
from scripts.model.spec import ENUM, MAX_LENGTH, MAXIMUM, MIN_LENGTH, MINIMUM, PATTERN, Field

INTEGER_TEXT = r"^-?[0-9]+$"
NUMBER_TEXT = r"^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$"
_INTEGER, _NUMBER = re.compile(INTEGER_TEXT), re.compile(NUMBER_TEXT)


class CellError(ValueError):
    """A cell that cannot be read or breaks a constraint: its rule id, plain message and hint."""

    def __init__(self, rule: str, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.rule, self.message, self.hint = rule, message, hint or catalogue.hint(rule)


def _type_error(fld: Field, text: str, what: str) -> CellError:
    return CellError(catalogue.TYPE, f"{words.short(text)} is not {what}", words.hint(fld, catalogue.TYPE))


def _parse_integer(fld: Field, text: str) -> int:
    """A whole number within 64 bits: the typed frames, Parquet and SQLite cannot hold a larger one
    (validation's polars reading finds no value in it), so it is a type error here too."""
    if not _INTEGER.match(text):
        raise _type_error(fld, text, "a whole number")
    value = int(text)
    low, high = INTEGER_RANGE
    if not low <= value <= high:
        raise _type_error(fld, text, f"a whole number from {low} to {high}")
    return value


def _parse_number(fld: Field, text: str) -> float:
    if not _NUMBER.match(text):
        raise _type_error(fld, text, "a number")
    return float(text)


def _parse_boolean(fld: Field, text: str) -> bool:
    if text in fld.true_values:
        return True
    if text in fld.false_values:
        return False
    raise _type_error(fld, text, words.example(fld))


# One entry per kind: a present cell's text as its typed value (CellError 'type-error' if not one).
PARSERS: dict[str, Callable[[Field, str], Any]] = {
    "text": lambda f, t: t, "date": lambda f, t: t,
    "integer": _parse_integer, "number": _parse_number, "boolean": _parse_boolean,
}


def _write_number(value: Any) -> str:
    number = float(value)
    return str(int(number)) if number.is_integer() and abs(number) < 1e16 else repr(number)


# One entry per kind: a typed value as canonical CSV text (the inverse of reading).
WRITERS: dict[str, Callable[[Field, Any], str]] = {
    "text": lambda f, v: str(v), "date": lambda f, v: str(v),
    "integer": lambda f, v: str(int(v)),
    "number": lambda f, v: _write_number(v),
    "boolean": lambda f, v: f.true_values[0] if v else f.false_values[0],
}


def is_missing(fld: Field, text: str | None) -> bool:
    return text is None or text in fld.missing_values


def parse(fld: Field, text: str) -> Any:
    """The typed value of a present cell; raises CellError('type-error') when it is not one."""
    return PARSERS[fld.kind](fld, text)


def read_cell(fld: Field, text: str | None) -> Any:
    """A CSV cell as its typed value (None when missing); raises CellError on a type error."""
    return None if is_missing(fld, text) else parse(fld, text)  # type: ignore[arg-type]


def write_cell(fld: Field, value: Any) -> str:
    """A typed value as canonical CSV text: the inverse of :func:`read_cell`."""
    return "" if value is None else WRITERS[fld.kind](fld, value)


def _enum(fld: Field, text: str, value: Any, allowed: Any) -> str | None:
    return None if value in allowed else f"{text!r} is not one of {', '.join(map(str, allowed))}"


def _pattern(fld: Field, text: str, value: Any, pattern: str) -> str | None:
    if not fld.is_textual or patterns.matches(pattern, [value])[0]:
        return None
    return f"{words.short(text)} is not {words.pattern_words(pattern)}"


def _min_length(fld: Field, text: str, value: Any, low: int) -> str | None:
    if not fld.is_textual or len(value) >= low:
        return None
    return f"{len(value)} characters; at least {low} needed"


def _max_length(fld: Field, text: str, value: Any, high: int) -> str | None:
    if not fld.is_textual or len(value) <= high:
        return None
    return f"{len(value):,} characters; at most {high:,} allowed"


# One entry per constraint: why a present, typed value breaks it (None when it does not).
CONSTRAINT_CHECKS: dict[str, Callable[[Field, str, Any, Any], str | None]] = {
    ENUM: _enum,
    MINIMUM: lambda f, t, v, low: f"{t} is below the minimum {low}" if v < low else None,
    MAXIMUM: lambda f, t, v, high: f"{t} is above the maximum {high}" if v > high else None,
    PATTERN: _pattern,
    MIN_LENGTH: _min_length,
    MAX_LENGTH: _max_length,
}
CHECK_ORDER = (ENUM, MINIMUM, MAXIMUM, PATTERN, MIN_LENGTH, MAX_LENGTH)


def check_cell(fld: Field, text: str | None) -> list[tuple[str, str]]:
    """Every (rule, message) one cell breaks (column-wide ``unique`` is not a cell rule)."""
    if is_missing(fld, text):
        return [(catalogue.REQUIRED, f"{fld.name} is required but empty")] if fld.required else []
    try:
        value = parse(fld, text)  # type: ignore[arg-type]
    except CellError as exc:
        return [(exc.rule, exc.message)]
    found = []
    for rule in CHECK_ORDER:
        limit = fld.constraint(rule)
        if limit is not None:
            why = CONSTRAINT_CHECKS[rule](fld, text, value, limit)  # type: ignore[arg-type]
            if why:
                found.append((rule, why))
    return found
