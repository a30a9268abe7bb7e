"""Field: the base of every Table Schema field type, with the constraints all types share.

Part of the interpreter (:mod:`scripts.schema` is its public face): a field owns reading a CSV
cell, writing it back, reading a workbook value, its constraints as Python checks and as polars
expressions, and its SQLite, Excel and data-dictionary forms. The per-type classes are in
:mod:`scripts.field_types`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from scripts import patterns

if TYPE_CHECKING:
    import polars as pl

KEY_SEPARATOR = "/"
DEFAULT_TRUE = ("true", "True", "TRUE", "1")
DEFAULT_FALSE = ("false", "False", "FALSE", "0")
# Rule ids: frictionless error types where one exists, a readable id per constraint otherwise.
TYPE, REQUIRED, UNIQUE, PATTERN, ENUM = "type-error", "required", "unique-error", "pattern", "enum"
MINIMUM, MAXIMUM, MIN_LENGTH, MAX_LENGTH = "minimum", "maximum", "min-length", "max-length"
PRIMARY_KEY, FOREIGN_KEY = "primary-key", "foreign-key"
CONSTRAINT_RULES = (REQUIRED, PATTERN, ENUM, MINIMUM, MAXIMUM, MIN_LENGTH, MAX_LENGTH)
HINTS = {
    TYPE: "write the value in the field's type (see the hint's example)",
    REQUIRED: "fill in the value: this field is required",
    UNIQUE: "each value may occur once in this column",
    PATTERN: "write the value in the form the field asks for",
    ENUM: "use one of the values the schema lists for this field",
    MINIMUM: "the value is below the smallest allowed",
    MAXIMUM: "the value is above the largest allowed",
    MIN_LENGTH: "the text is shorter than allowed",
    MAX_LENGTH: "shorten the text",
    PRIMARY_KEY: "each record needs its own primary key: change or remove the duplicate",
    FOREIGN_KEY: "use a key that exists in the referenced table, or add that record first",
}
CLEAN_TEXT = "clean_text"
# C0 and C1 control characters and DEL; tab and LF are allowed in multi-line fields only.
CONTROL = "\x00-\x08\x0b-\x1f\x7f-\x9f"
_CONTROL_ANY = re.compile(f"[{CONTROL}\t\n]")
_CONTROL_MULTILINE = re.compile(f"[{CONTROL}]")
INTEGER_TEXT = r"^-?[0-9]+$"
NUMBER_TEXT = r"^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$"
_INTEGER, _NUMBER = re.compile(INTEGER_TEXT), re.compile(NUMBER_TEXT)


class CellError(ValueError):
    """A cell that cannot be read or breaks a constraint: its rule id, plain message and hint."""

    def __init__(self, rule: str, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.rule, self.message, self.hint = rule, message, hint or HINTS.get(rule, "")


def _quote_sql(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class Field:
    """One field of a Table Schema. Subclasses per type; build them with :func:`make_field`."""

    name: str
    type: str
    title: str
    description: str
    descriptor: dict[str, Any] = field(compare=False, repr=False)
    in_primary_key: bool = False
    sole_primary_key: bool = False
    missing_values: tuple[str, ...] = ("",)

    sql_type: ClassVar[str] = "TEXT"
    excel_type: ClassVar[str] = "textLength"
    example: ClassVar[str] = "text"

    # ----------------------------------------------------------------- constraints
    @property
    def constraints(self) -> dict[str, Any]:
        return self.descriptor.get("constraints", {})

    @property
    def required(self) -> bool:
        return bool(self.constraints.get("required")) or self.in_primary_key

    @property
    def unique(self) -> bool:
        return bool(self.constraints.get("unique")) or self.sole_primary_key

    @property
    def enum(self) -> list[Any] | None:
        return self.constraints.get("enum")

    @property
    def pattern(self) -> str | None:
        return self.constraints.get("pattern")

    @property
    def minimum(self) -> float | None:
        return self.constraints.get("minimum")

    @property
    def maximum(self) -> float | None:
        return self.constraints.get("maximum")

    @property
    def min_length(self) -> int | None:
        return self.constraints.get("minLength")

    @property
    def max_length(self) -> int | None:
        return self.constraints.get("maxLength")

    @property
    def categories(self) -> dict[str, str]:
        """Enum value -> label, from the Table Schema v2 ``categories`` property."""
        out: dict[str, str] = {}
        for item in self.descriptor.get("categories", []):
            if isinstance(item, dict):
                out[str(item["value"])] = str(item.get("label", ""))
            else:
                out[str(item)] = ""
        return out

    @property
    def true_values(self) -> list[str]:
        return list(self.descriptor.get("trueValues", DEFAULT_TRUE))

    @property
    def false_values(self) -> list[str]:
        return list(self.descriptor.get("falseValues", DEFAULT_FALSE))

    @property
    def multiline(self) -> bool:
        """May the text hold newlines and tabs? Only when the schema says so (``"multiline": true``)."""
        return bool(self.descriptor.get("multiline"))

    @property
    def is_reduced_date(self) -> bool:
        return False

    def unclean_text(self, text: str | None) -> str | None:
        """Why ``text`` is not clean text for this field (None when it is): no control characters
        (C0, C1, DEL, lone CR; tab and newline only in a multi-line field) and no spaces around it."""
        if not text:
            return None
        found = self._control.search(text.replace("\r\n", "\n"))
        if found:
            return f"holds the control character U+{ord(found.group()):04X} at position {found.start() + 1}"
        if text != text.strip():
            return "has spaces (or other blank characters) at its start or end"
        return None

    @property
    def _control(self) -> re.Pattern[str]:
        """The characters this field's text may not hold (tab and newline allowed when multi-line)."""
        return _CONTROL_MULTILINE if self.multiline else _CONTROL_ANY

    def polars_unclean(self, text: pl.Expr) -> pl.Expr:
        """True where :meth:`unclean_text` would give a reason (nulls are clean)."""
        return (self.polars_unclean_control(text) | (text != text.str.strip_chars())).fill_null(False)

    def polars_unclean_control(self, text: pl.Expr) -> pl.Expr:
        """True where the text holds a control character this field does not allow."""
        return text.str.replace_all("\r\n", "\n", literal=True).str.contains(self._control.pattern).fill_null(False)

    @property
    def pattern_words(self) -> str | None:
        return patterns.describe(self.pattern) if self.pattern else None

    # ----------------------------------------------------------------- cells
    def is_missing(self, text: str | None) -> bool:
        return text is None or text in self.missing_values

    def parse(self, text: str) -> Any:
        """The typed value of a present cell; raises CellError('type-error') when it is not one."""
        return text

    def read_cell(self, text: str | None) -> Any:
        """A CSV cell as its typed value (None when missing); raises CellError on a type error."""
        return None if self.is_missing(text) else self.parse(text)  # type: ignore[arg-type]

    def write_cell(self, value: Any) -> str:
        """A typed value as canonical CSV text: the inverse of :meth:`read_cell`."""
        return "" if value is None else str(value)

    def check_cell(self, text: str | None) -> list[tuple[str, str]]:
        """Every (rule, message) a single cell breaks (column-wide ``unique`` is not a cell rule)."""
        if self.is_missing(text):
            return [(REQUIRED, f"{self.name} is required but empty")] if self.required else []
        try:
            value = self.parse(text)  # type: ignore[arg-type]
        except CellError as exc:
            return [(exc.rule, exc.message)]
        return self.value_problems(text, value)  # type: ignore[arg-type]

    def value_problems(self, text: str, value: Any) -> list[tuple[str, str]]:
        found = []
        if self.enum is not None and value not in self.enum:
            found.append((ENUM, f"{text!r} is not one of {', '.join(map(str, self.enum))}"))
        if self.minimum is not None and value < self.minimum:
            found.append((MINIMUM, f"{text} is below the minimum {self.minimum}"))
        if self.maximum is not None and value > self.maximum:
            found.append((MAXIMUM, f"{text} is above the maximum {self.maximum}"))
        return found

    def from_workbook(self, value: Any) -> str:
        """A value as openpyxl or python-calamine returns it, as canonical CSV text.

        Raises CellError with a plain-words message and hint when the value cannot be this field's,
        or when it breaks one of the field's cell constraints.
        """
        text = self._workbook_text(value)
        unclean = self.unclean_text(text)
        if unclean:
            raise CellError(CLEAN_TEXT, f"the value {unclean}", "retype the text without control characters "
                            "(tab and line breaks only where the field allows several lines) or outer spaces")
        problems = self.check_cell(text)
        if problems:
            rule, message = problems[0]
            raise CellError(rule, message, self.hint(rule))
        return text

    def _workbook_text(self, value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, (bool, dt.date, dt.datetime, dt.time, dt.timedelta)):
            raise CellError(TYPE, f"{self.name} takes text, not {_kind(value)}",
                            f"type the text itself, e.g. {self.example}")
        if isinstance(value, float):
            return str(int(value)) if value.is_integer() else repr(value)
        return str(value)

    def hint(self, rule: str) -> str:
        """How to fix a breach of ``rule`` in this field, in plain words."""
        if rule == PATTERN and self.pattern:
            return f"write {self.pattern_words}"
        if rule == ENUM and self.enum:
            return "use one of: " + ", ".join(map(str, self.enum))
        if rule == TYPE:
            return f"write {self.example}"
        if rule in (MIN_LENGTH, MAX_LENGTH):
            return f"write {self.length_words()}"
        return HINTS.get(rule, "")

    def length_words(self) -> str:
        low, high = self.min_length, self.max_length
        if low is not None and high is not None:
            return f"{low} to {high:,} characters"
        return f"at least {low} characters" if low is not None else f"at most {high:,} characters"

    # ----------------------------------------------------------------- polars
    def polars_dtype(self) -> pl.DataType:
        import polars as pl

        return pl.String()

    def polars_cast(self, text: pl.Expr) -> pl.Expr:
        """Typed column from a text column: null where missing or not of the type."""
        import polars as pl

        return pl.when(self._present(text)).then(self._polars_parse(text))

    def _present(self, text: pl.Expr) -> pl.Expr:
        """True where the cell holds a value (not null and not one of ``missingValues``)."""
        return text.is_not_null() & ~text.is_in(list(self.missing_values))

    def _polars_parse(self, text: pl.Expr) -> pl.Expr:
        return text

    def polars_checks(self, text: pl.Expr, typed: pl.Expr) -> list[tuple[str, pl.Expr]]:
        """(rule, expression true where the cell FAILS) for type and every cell constraint."""
        import polars as pl

        present = self._present(text)
        checks = [(TYPE, present & typed.is_null())] if self.type != "string" else []
        if self.required:
            checks.append((REQUIRED, ~present))
        ok = typed.is_not_null()
        if self.enum is not None:
            allowed = pl.Series(self.enum, dtype=self.polars_dtype(), strict=False).implode()
            checks.append((ENUM, ok & ~typed.is_in(allowed)))
        if self.minimum is not None:
            checks.append((MINIMUM, ok & (typed < self.minimum)))
        if self.maximum is not None:
            checks.append((MAXIMUM, ok & (typed > self.maximum)))
        return checks

    # ----------------------------------------------------------------- other consumers
    def arrow_type(self) -> Any:
        import pyarrow as pa

        return pa.string()

    def sql_column(self) -> str:
        return f'"{self.name}" {self.sql_type}'

    def sql_checks(self) -> list[tuple[str, str]]:
        """(rule, SQLite expression true when the value is allowed); NULL stands for missing."""
        column = f'"{self.name}"'
        checks = [(REQUIRED, f"{column} IS NOT NULL")] if self.required else []
        if self.enum is not None:
            values = ", ".join(_quote_sql(str(v)) if isinstance(v, str) else str(v) for v in self.enum)
            checks.append((ENUM, f"{column} IN ({values})"))
        if self.minimum is not None:
            checks.append((MINIMUM, f"{column} >= {self.minimum}"))
        if self.maximum is not None:
            checks.append((MAXIMUM, f"{column} <= {self.maximum}"))
        return checks

    def sql_check(self) -> str | None:
        """The column's whole CHECK expression (None when nothing is constrained)."""
        parts = [f"({expr})" for _, expr in self.sql_checks()]
        return " AND ".join(parts) or None

    def excel_validation(self) -> dict[str, Any]:
        """The Excel data validation for the column: ``type``, ``operator``, ``formula1``,
        ``formula2`` or ``list``, ``allow_blank`` and a plain-words ``prompt`` (never a regex)."""
        return {"type": "any", "allow_blank": not self.required, "prompt": self.input_message()}

    def constraint_words(self) -> list[str]:
        """Each constraint in plain words, for the data dictionary and input messages."""
        words = ["required" if self.required else "optional"]
        if self.unique:
            words.append("unique in its column")
        if self.enum is not None:
            words.append("one of: " + ", ".join(map(str, self.enum)))
        if self.pattern:
            words.append(self.pattern_words or "")
        if self.min_length is not None or self.max_length is not None:
            words.append(self.length_words())
        if self.minimum is not None:
            words.append(f"at least {self.minimum}")
        if self.maximum is not None:
            words.append(f"at most {self.maximum}")
        return words

    def input_message(self) -> str:
        return f"{self.title}: {self.type_words()}; " + "; ".join(self.constraint_words()) + "."

    def type_words(self) -> str:
        return "text"


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a TRUE/FALSE value"
    if isinstance(value, (dt.datetime, dt.date)):
        return "a date"
    if isinstance(value, (int, float)):
        return "a number"
    return type(value).__name__


def _short(text: str, limit: int = 60) -> str:
    """A value for a message: quoted, cut at ``limit`` characters with its length when longer."""
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}… ({len(text):,} characters)"
