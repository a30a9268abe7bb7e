"""SQLite: a table's ``CREATE TABLE`` (typed columns, a CHECK per constrained column, the keys) and
each CSV cell as the value SQLite stores.

SQLite has no regular expressions, so a pattern becomes GLOB tests that accept exactly the same
strings (:func:`scripts.model.patterns.sql_check`); a pattern it cannot translate gets no CHECK,
and the agreement test fails, which is the signal to teach ``patterns`` the new form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scripts.model import catalogue, cells, patterns
from scripts.model.spec import ENUM, MAX_LENGTH, MAXIMUM, MIN_LENGTH, MINIMUM, PATTERN, Field, Table

TYPES = {"text": "TEXT", "date": "TEXT", "integer": "INTEGER", "number": "REAL", "boolean": "INTEGER"}
# One entry per kind: the CHECK that the stored value has the field's type (NULL is missing).
TYPE_CHECKS: dict[str, Callable[[str], str]] = {
    "integer": lambda c: f"{c} IS NULL OR typeof({c}) = 'integer'",
    "number": lambda c: f"{c} IS NULL OR typeof({c}) IN ('integer', 'real')",
    "boolean": lambda c: f"{c} IN (0, 1)",
}


def quote_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def quote_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _enum(fld: Field, column: str, allowed: Any) -> str:
    values = ", ".join(quote_text(str(v)) if isinstance(v, str) else str(v) for v in allowed)
    return f"{column} IN ({values})"


def _minimum(fld: Field, column: str, low: Any) -> str:
    return f"{column} >= {low}"


def _maximum(fld: Field, column: str, high: Any) -> str:
    return f"{column} <= {high}"


def _pattern(fld: Field, column: str, pattern: str) -> str | None:
    return patterns.sql_check(pattern, column) if fld.is_textual else None


def _min_length(fld: Field, column: str, low: int) -> str | None:
    return f"length({column}) >= {low}" if fld.is_textual else None


def _max_length(fld: Field, column: str, high: int) -> str | None:
    return f"length({column}) <= {high}" if fld.is_textual else None


# One entry per constraint: an SQLite expression true when the value is allowed (None: the
# constraint does not apply to the field's kind).
CONSTRAINTS: dict[str, Callable[[Field, str, Any], str | None]] = {
    ENUM: _enum, MINIMUM: _minimum, MAXIMUM: _maximum, PATTERN: _pattern, MIN_LENGTH: _min_length,
    MAX_LENGTH: _max_length,
}
ORDER = (ENUM, MINIMUM, MAXIMUM, PATTERN, MIN_LENGTH, MAX_LENGTH)


def checks(fld: Field) -> list[tuple[str, str]]:
    """(rule, SQLite expression true when the value is allowed); NULL stands for missing."""
    column = quote_name(fld.name)
    found = [(catalogue.REQUIRED, f"{column} IS NOT NULL")] if fld.required else []
    for rule in ORDER:
        value = fld.constraint(rule)
        expr = CONSTRAINTS[rule](fld, column, value) if value is not None else None
        if expr is not None:
            found.append((rule, expr))
    if fld.kind in TYPE_CHECKS:
        found.append((catalogue.TYPE, TYPE_CHECKS[fld.kind](column)))
    return found


def check_expression(fld: Field) -> str | None:
    """The column's whole CHECK expression (None when nothing is constrained)."""
    return " AND ".join(f"({expr})" for _, expr in checks(fld)) or None


def ddl(table: Table, name: str | None = None) -> str:
    """``CREATE TABLE`` for SQLite: typed columns, a CHECK per constrained column, the keys."""
    lines = []
    for fld in table.fields:
        check = check_expression(fld)
        lines.append(f"{quote_name(fld.name)} {TYPES[fld.kind]}" + (f" CHECK ({check})" if check else ""))
    if table.primary_key:
        lines.append("PRIMARY KEY (" + ", ".join(quote_name(k) for k in table.primary_key) + ")")
    for fk in table.foreign_keys:
        lines.append("FOREIGN KEY (" + ", ".join(quote_name(f) for f in fk.fields) + ") REFERENCES "
                     + quote_name(fk.resource) + " (" + ", ".join(quote_name(f) for f in fk.ref_fields) + ")")
    return f"CREATE TABLE {quote_name(name or table.name)} (\n  " + ",\n  ".join(lines) + "\n)"


def value(fld: Field, text: str | None) -> Any:
    """A CSV cell as the value SQLite stores (NULL when missing, 0/1 for booleans)."""
    typed = cells.read_cell(fld, text)
    return int(typed) if isinstance(typed, bool) else typed
