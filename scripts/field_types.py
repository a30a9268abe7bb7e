"""The Table Schema field types used by the package: string, reduced-precision date, integer,
number and boolean. Each overrides what differs from :class:`scripts.fields.Field`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

from scripts import patterns
from scripts.fields import (
    _INTEGER,
    _NUMBER,
    INTEGER_TEXT,
    MAX_LENGTH,
    MIN_LENGTH,
    NUMBER_TEXT,
    PATTERN,
    TYPE,
    CellError,
    Field,
    _kind,
    _short,
)

if TYPE_CHECKING:
    import polars as pl


class StringField(Field):
    """Text. Constraints: pattern, enum, minLength/maxLength (in characters)."""

    @cached_property
    def _regex(self) -> re.Pattern[str] | None:
        return re.compile(self.pattern) if self.pattern else None

    def value_problems(self, text: str, value: Any) -> list[tuple[str, str]]:
        found = super().value_problems(text, value)
        if self._regex is not None and not self._regex.fullmatch(value):
            found.append((PATTERN, f"{_short(text)} is not {self.pattern_words}"))
        if self.min_length is not None and len(value) < self.min_length:
            found.append((MIN_LENGTH, f"{len(value)} characters; at least {self.min_length} needed"))
        if self.max_length is not None and len(value) > self.max_length:
            found.append((MAX_LENGTH, f"{len(value):,} characters; at most {self.max_length:,} allowed"))
        return found

    def polars_checks(self, text: pl.Expr, typed: pl.Expr) -> list[tuple[str, pl.Expr]]:
        checks = super().polars_checks(text, typed)
        ok = typed.is_not_null()
        if self.pattern:
            anchored = "^(?:" + self.pattern.removeprefix("^").removesuffix("$") + ")$"
            checks.append((PATTERN, ok & ~typed.str.contains(anchored)))
        if self.min_length is not None:
            checks.append((MIN_LENGTH, ok & (typed.str.len_chars() < self.min_length)))
        if self.max_length is not None:
            checks.append((MAX_LENGTH, ok & (typed.str.len_chars() > self.max_length)))
        return checks

    def sql_checks(self) -> list[tuple[str, str]]:
        checks = super().sql_checks()
        column = f'"{self.name}"'
        if self.pattern:
            glob = patterns.sql_check(self.pattern, column)
            if glob is not None:
                checks.append((PATTERN, glob))
        if self.min_length is not None:
            checks.append((MIN_LENGTH, f"length({column}) >= {self.min_length}"))
        if self.max_length is not None:
            checks.append((MAX_LENGTH, f"length({column}) <= {self.max_length}"))
        return checks

    def excel_validation(self) -> dict[str, Any]:
        base = super().excel_validation()
        if self.enum is not None:
            return {**base, "type": "list", "list": [str(v) for v in self.enum]}
        if self.min_length is not None or self.max_length is not None:
            low, high = self.min_length or 0, self.max_length
            if high is None:
                return {**base, "type": "textLength", "operator": "greaterThanOrEqual", "formula1": str(low)}
            return {**base, "type": "textLength", "operator": "between", "formula1": str(low), "formula2": str(high)}
        return base


class ReducedDateField(StringField):
    """A string field whose pattern is an ISO 8601 date at year, month or day precision.

    It stays text everywhere (CSV, Parquet, SQLite) so that '2024' never turns into 2024-01-01.
    """

    example: ClassVar[str] = "a date as 2024, 2024-08 or 2024-08-09"

    @property
    def is_reduced_date(self) -> bool:
        return True

    def type_words(self) -> str:
        return "date as text (2024, 2024-08 or 2024-08-09)"

    def _workbook_text(self, value: Any) -> str:
        if isinstance(value, dt.datetime):
            if value.time() != dt.time(0):
                raise CellError(TYPE, f"{value.isoformat(' ')} has a time of day; {self.name} holds a date only",
                                "type the date as text: 2024-08-09, 2024-08 or 2024")
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
            return str(int(value))  # a year typed as a number
        return super()._workbook_text(value)


class IntegerField(Field):
    """Whole numbers written as digits with an optional minus sign."""

    sql_type: ClassVar[str] = "INTEGER"
    example: ClassVar[str] = "a whole number such as 7"

    def parse(self, text: str) -> int:
        if not _INTEGER.match(text):
            raise CellError(TYPE, f"{_short(text)} is not a whole number", self.hint(TYPE))
        return int(text)

    def write_cell(self, value: Any) -> str:
        return "" if value is None else str(int(value))

    def _workbook_text(self, value: Any) -> str:
        if isinstance(value, float) and not math.isfinite(value):
            raise CellError(TYPE, f"{value} is not a whole number", self.hint(TYPE))
        if isinstance(value, float) and not value.is_integer():
            raise CellError(TYPE, f"{value!r} is not a whole number", self.hint(TYPE))
        if isinstance(value, str):
            return value
        return super()._workbook_text(value)

    def polars_dtype(self) -> pl.DataType:
        import polars as pl

        return pl.Int64()

    def _polars_parse(self, text: pl.Expr) -> pl.Expr:
        import polars as pl

        return pl.when(text.str.contains(INTEGER_TEXT)).then(text.cast(pl.Int64, strict=False))

    def arrow_type(self) -> Any:
        import pyarrow as pa

        return pa.int64()

    def sql_checks(self) -> list[tuple[str, str]]:
        column = f'"{self.name}"'
        return [*super().sql_checks(), (TYPE, f"{column} IS NULL OR typeof({column}) = 'integer'")]

    def excel_validation(self) -> dict[str, Any]:
        return _numeric_validation(self, "whole")

    def type_words(self) -> str:
        return "whole number"


class NumberField(Field):
    """Decimal numbers (a point, optional exponent); no thousands separators, no NaN or infinity."""

    sql_type: ClassVar[str] = "REAL"
    example: ClassVar[str] = "a number such as 12.5"

    def parse(self, text: str) -> float:
        if not _NUMBER.match(text):
            raise CellError(TYPE, f"{_short(text)} is not a number", self.hint(TYPE))
        return float(text)

    def write_cell(self, value: Any) -> str:
        if value is None:
            return ""
        number = float(value)
        return str(int(number)) if number.is_integer() and abs(number) < 1e16 else repr(number)

    def _workbook_text(self, value: Any) -> str:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if not math.isfinite(value):
                raise CellError(TYPE, f"{value} is not a number", self.hint(TYPE))
            return self.write_cell(value)
        return super()._workbook_text(value)

    def polars_dtype(self) -> pl.DataType:
        import polars as pl

        return pl.Float64()

    def _polars_parse(self, text: pl.Expr) -> pl.Expr:
        import polars as pl

        return pl.when(text.str.contains(NUMBER_TEXT)).then(text.cast(pl.Float64, strict=False))

    def arrow_type(self) -> Any:
        import pyarrow as pa

        return pa.float64()

    def sql_checks(self) -> list[tuple[str, str]]:
        column = f'"{self.name}"'
        return [*super().sql_checks(), (TYPE, f"{column} IS NULL OR typeof({column}) IN ('integer', 'real')")]

    def excel_validation(self) -> dict[str, Any]:
        return _numeric_validation(self, "decimal")

    def type_words(self) -> str:
        return "number"


class BooleanField(Field):
    """True or false, written as the schema's ``trueValues``/``falseValues`` (first one canonical)."""

    sql_type: ClassVar[str] = "INTEGER"

    @property
    def example(self) -> str:  # type: ignore[override]
        return f"{self.true_values[0]} or {self.false_values[0]}"

    def parse(self, text: str) -> bool:
        if text in self.true_values:
            return True
        if text in self.false_values:
            return False
        raise CellError(TYPE, f"{_short(text)} is not {self.example}", self.hint(TYPE))

    def write_cell(self, value: Any) -> str:
        return "" if value is None else (self.true_values[0] if value else self.false_values[0])

    def _workbook_text(self, value: Any) -> str:
        if isinstance(value, bool):
            return self.write_cell(value)
        if isinstance(value, str):
            return value
        raise CellError(TYPE, f"{self.name} takes {self.example}, not {_kind(value)}", self.hint(TYPE))

    def polars_dtype(self) -> pl.DataType:
        import polars as pl

        return pl.Boolean()

    def _polars_parse(self, text: pl.Expr) -> pl.Expr:
        import polars as pl

        return (pl.when(text.is_in(self.true_values)).then(pl.lit(True))
                .when(text.is_in(self.false_values)).then(pl.lit(False)))

    def arrow_type(self) -> Any:
        import pyarrow as pa

        return pa.bool_()

    def sql_checks(self) -> list[tuple[str, str]]:
        return [*super().sql_checks(), (TYPE, f'"{self.name}" IN (0, 1)')]

    def excel_validation(self) -> dict[str, Any]:
        values = [self.true_values[0], self.false_values[0]]
        return {**super().excel_validation(), "type": "list", "list": values}

    def type_words(self) -> str:
        return f"{self.true_values[0]} or {self.false_values[0]}"


def _numeric_validation(fld: Field, kind: str) -> dict[str, Any]:
    base = {**Field.excel_validation(fld), "type": kind}
    low, high = fld.minimum, fld.maximum
    if low is not None and high is not None:
        return {**base, "operator": "between", "formula1": str(low), "formula2": str(high)}
    if low is not None:
        return {**base, "operator": "greaterThanOrEqual", "formula1": str(low)}
    if high is not None:
        return {**base, "operator": "lessThanOrEqual", "formula1": str(high)}
    big = "1E+300" if kind == "decimal" else "9007199254740991"
    return {**base, "operator": "between", "formula1": f"-{big}", "formula2": big}


FIELD_TYPES: dict[str, type[Field]] = {
    "string": StringField, "integer": IntegerField, "number": NumberField, "boolean": BooleanField,
}
