"""The constraint specification, read from the Table Schemas: the one reader of ``constraints``.

A :class:`Field` is what a Table Schema says about a column, in typed form, and nothing else: its
logical kind, whether it is required or unique, and its cell constraints as a tuple of
:class:`Constraint` entries. It speaks no consumer's language. Each consumer (pandera checks,
polars casts, SQLite DDL, Excel validation, Arrow types, the dictionary's words, CSV cells) is a
module in :mod:`scripts.model.backends` or :mod:`scripts.model.cells` that walks this spec with one
entry per constraint kind, so a new constraint is one entry per backend, and a new backend is one
module. Semantics follow the Table Schema spec and frictionless: ``missingValues`` defaults to
``[""]``; ``trueValues``/``falseValues`` default to the spec's lists; a primary-key field is
required, and a one-field primary key is unique; lengths count characters.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scripts.model import names
from scripts.model.dates import is_reduced_date_pattern

DEFAULT_TRUE = ("true", "True", "TRUE", "1")
DEFAULT_FALSE = ("false", "False", "FALSE", "0")
# The logical kinds every backend knows; a Table Schema type this package does not use reads as text.
KINDS = {"string": "text", "integer": "integer", "number": "number", "boolean": "boolean"}
TEXTUAL_KINDS = ("text", "date")  # the kinds whose typed value is their text
# Cell constraints, in the order they are checked and reported; the id is the report's rule id.
ENUM, PATTERN, MINIMUM, MAXIMUM, MIN_LENGTH, MAX_LENGTH = "enum", "pattern", "minimum", "maximum", \
    "min-length", "max-length"
CONSTRAINT_KEYWORDS = {"enum": ENUM, "pattern": PATTERN, "minimum": MINIMUM, "maximum": MAXIMUM,
                       "minLength": MIN_LENGTH, "maxLength": MAX_LENGTH}


@dataclass(frozen=True)
class Constraint:
    """One cell constraint: its rule id (``enum``, ``pattern``, ...) and the schema's value."""

    rule: str
    value: Any


@dataclass(frozen=True)
class Field:
    """One field of a Table Schema, typed; build it with :func:`make_field`."""

    name: str
    type: str  # the Table Schema type as written
    kind: str  # text, date (reduced precision), integer, number or boolean
    title: str
    description: str
    required: bool
    unique: bool
    constraints: tuple[Constraint, ...]
    categories: tuple[tuple[str, str], ...] = ()
    multiline: bool = False
    true_values: tuple[str, ...] = DEFAULT_TRUE
    false_values: tuple[str, ...] = DEFAULT_FALSE
    missing_values: tuple[str, ...] = ("",)
    in_primary_key: bool = False
    sole_primary_key: bool = False

    def constraint(self, rule: str) -> Any:
        """The value of the constraint ``rule`` (None when the field has none)."""
        for item in self.constraints:
            if item.rule == rule:
                return item.value
        return None

    @property
    def enum(self) -> tuple[Any, ...] | None:
        return self.constraint(ENUM)

    @property
    def pattern(self) -> str | None:
        return self.constraint(PATTERN)

    @property
    def is_reduced_date(self) -> bool:
        return self.kind == "date"

    @property
    def is_textual(self) -> bool:
        """Is the typed value the text itself (text and reduced dates)? Only such a field has
        patterns and lengths, and no cell of it can fail its type."""
        return self.kind in TEXTUAL_KINDS

    @property
    def labels(self) -> dict[str, str]:
        """Enum value -> label, from the Table Schema v2 ``categories`` property."""
        return dict(self.categories)


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
        return names.KEY_SEPARATOR.join(str(row[k]) for k in self.primary_key)

    def sort_names(self) -> tuple[str, ...]:
        """The columns the CSV is sorted by: the primary key, else every field in order."""
        return self.primary_key or tuple(self.field_names)

    def key_fields(self) -> list[str]:
        """Primary and foreign key columns, in order, once each."""
        return list(dict.fromkeys([*self.primary_key, *(f for fk in self.foreign_keys for f in fk.fields)]))


def _categories(descriptor: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    out = []
    for item in descriptor.get("categories", []):
        if isinstance(item, dict):
            out.append((str(item["value"]), str(item.get("label", ""))))
        else:
            out.append((str(item), ""))
    return tuple(out)


def _constraints(raw: dict[str, Any]) -> tuple[Constraint, ...]:
    found = []
    for keyword, rule in CONSTRAINT_KEYWORDS.items():
        if raw.get(keyword) is not None:
            value = raw[keyword]
            found.append(Constraint(rule, tuple(value) if isinstance(value, list) else value))
    return tuple(found)


def make_field(descriptor: dict[str, Any], primary_key: tuple[str, ...] = (),
               missing_values: tuple[str, ...] = ("",)) -> Field:
    """The typed spec of a Table Schema field descriptor."""
    schema_type = descriptor.get("type", "string")
    raw = descriptor.get("constraints", {})
    kind = KINDS.get(schema_type, "text")
    if kind == "text" and is_reduced_date_pattern(raw.get("pattern")):
        kind = "date"
    name = descriptor["name"]
    in_key = name in primary_key
    return Field(
        name=name, type=schema_type, kind=kind, title=descriptor.get("title", name),
        description=descriptor.get("description", ""), required=bool(raw.get("required")) or in_key,
        unique=bool(raw.get("unique")) or primary_key == (name,), constraints=_constraints(raw),
        categories=_categories(descriptor), multiline=bool(descriptor.get("multiline")),
        true_values=tuple(descriptor.get("trueValues", DEFAULT_TRUE)),
        false_values=tuple(descriptor.get("falseValues", DEFAULT_FALSE)),
        missing_values=missing_values, in_primary_key=in_key, sole_primary_key=primary_key == (name,))


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
