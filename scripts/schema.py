"""The Table Schema interpreter: the one module that reads types and constraint keywords.

Each field type is a class that owns everything any consumer needs from a field (the idea of
frictionless-py's Field classes, and of PUDL's metadata classes from which every other form is
derived): reading a CSV cell, writing it back, reading a workbook value, its constraints as Python
checks and as polars expressions, the Excel data validation with its input message, the SQLite type
and CHECK, the Arrow type and the data-dictionary wording. Validation, the workbook, SQLite, Parquet
and the docs call these; none of them reads ``constraints`` itself. Rules that a Table Schema cannot
express live in :mod:`scripts.validate.rules`.

Semantics follow the Table Schema spec and frictionless: ``missingValues`` defaults to ``[""]``;
``trueValues``/``falseValues`` default to the spec's lists; a primary-key field is required, and a
one-field primary key is unique; lengths count characters. polars is imported only by the methods
that build expressions, so importing this module costs nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scripts.field_types import (
    FIELD_TYPES,
    BooleanField,
    IntegerField,
    NumberField,
    ReducedDateField,
    StringField,
)
from scripts.fields import (
    CLEAN_TEXT,
    CONSTRAINT_RULES,
    ENUM,
    FOREIGN_KEY,
    HINTS,
    KEY_SEPARATOR,
    MAX_LENGTH,
    MAXIMUM,
    MIN_LENGTH,
    MINIMUM,
    PATTERN,
    PRIMARY_KEY,
    REQUIRED,
    TYPE,
    UNIQUE,
    CellError,
    Field,
)

__all__ = [
    "CLEAN_TEXT", "CONSTRAINT_RULES", "ENUM", "FIELD_TYPES", "FOREIGN_KEY", "HINTS", "KEY_SEPARATOR", "MAXIMUM",
    "MAX_LENGTH", "MINIMUM", "MIN_LENGTH", "PATTERN", "PRIMARY_KEY", "REQUIRED", "TYPE", "UNIQUE", "BooleanField",
    "CellError", "Field", "ForeignKey", "IntegerField", "NumberField", "ReducedDateField", "StringField", "Table",
    "is_reduced_date_pattern", "make_field", "make_table",
]


def is_reduced_date_pattern(pattern: str | None) -> bool:
    """Does this pattern accept exactly ISO dates at year, month or day precision?"""
    if not pattern:
        return False
    regex = re.compile(pattern)
    shapes_ok = all(regex.fullmatch(s) for s in ("2024", "2024-08", "2024-08-09"))
    return shapes_ok and not any(regex.fullmatch(s) for s in ("2024-13", "2024-08-9", "date", "20240809"))


def make_field(descriptor: dict[str, Any], primary_key: tuple[str, ...] = (),
               missing_values: tuple[str, ...] = ("",)) -> Field:
    """The Field subclass for a Table Schema field descriptor (unknown types read as text)."""
    kind = descriptor.get("type", "string")
    cls = FIELD_TYPES.get(kind, StringField)
    if cls is StringField and is_reduced_date_pattern(descriptor.get("constraints", {}).get("pattern")):
        cls = ReducedDateField
    name = descriptor["name"]
    return cls(name, kind, descriptor.get("title", name), descriptor.get("description", ""), descriptor,
               in_primary_key=name in primary_key, sole_primary_key=primary_key == (name,),
               missing_values=missing_values)


@dataclass(frozen=True)
class ForeignKey:
    """A foreign key: ``fields`` of this table reference ``ref_fields`` of ``resource``."""

    fields: tuple[str, ...]
    resource: str
    ref_fields: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A tabular resource with its Table Schema: fields in order, primary key, foreign keys."""

    name: str
    title: str
    description: str
    path: Path
    schema_path: Path
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...]
    missing_values: tuple[str, ...] = ("",)

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.name} has no field {name!r}")

    def record_key(self, row: dict[str, Any]) -> str:
        """The primary key of ``row`` as one string (values joined by '/'), as citations write it."""
        return KEY_SEPARATOR.join(str(row[k]) for k in self.primary_key)

    def sort_names(self) -> tuple[str, ...]:
        """The columns the CSV is sorted by: the primary key, else every field in order."""
        return self.primary_key or tuple(self.field_names)

    def sql_ddl(self, quote_table: bool = True) -> str:
        """``CREATE TABLE`` for SQLite: typed columns, a CHECK per constrained column, the keys."""
        lines = []
        for fld in self.fields:
            check = fld.sql_check()
            lines.append(fld.sql_column() + (f" CHECK ({check})" if check else ""))
        if self.primary_key:
            lines.append("PRIMARY KEY (" + ", ".join(f'"{k}"' for k in self.primary_key) + ")")
        for fk in self.foreign_keys:
            lines.append("FOREIGN KEY (" + ", ".join(f'"{f}"' for f in fk.fields) + f') REFERENCES "{fk.resource}" ('
                         + ", ".join(f'"{f}"' for f in fk.ref_fields) + ")")
        name = f'"{self.name}"' if quote_table else self.name
        return f"CREATE TABLE {name} (\n  " + ",\n  ".join(lines) + "\n)"

    def sql_value(self, fld: Field, text: str | None) -> Any:
        """A CSV cell as the value SQLite stores (NULL when missing, 0/1 for booleans)."""
        value = fld.read_cell(text)
        return int(value) if isinstance(value, bool) else value

    def arrow_schema(self) -> Any:
        import pyarrow as pa

        return pa.schema([pa.field(f.name, f.arrow_type(), nullable=not f.required) for f in self.fields])

    def polars_schema(self) -> dict[str, Any]:
        return {f.name: f.polars_dtype() for f in self.fields}


def _as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def make_table(name: str, schema: dict[str, Any], path: Path, schema_path: Path, title: str = "",
               description: str = "") -> Table:
    """A Table from a Table Schema descriptor (``schema``) and where its CSV lies."""
    primary_key = tuple(_as_list(schema.get("primaryKey", [])))
    missing = tuple(schema.get("missingValues", [""]))
    fields = tuple(make_field(f, primary_key, missing) for f in schema.get("fields", []))
    fks = tuple(ForeignKey(tuple(_as_list(fk["fields"])), fk["reference"].get("resource") or name,
                           tuple(_as_list(fk["reference"]["fields"])))
                for fk in schema.get("foreignKeys", []))
    return Table(name, title or name, description, path, schema_path, fields, primary_key, fks, missing)
