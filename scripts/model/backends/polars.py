"""Polars: a text column cast to its field's type, and each constraint as an expression that is
true where a cell FAILS it. pandera's checks and the workbook import's column checks are built
from these, so a column is judged by one set of expressions wherever it is checked.

polars is imported inside the functions, so that importing the model costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Any

from scripts.model import catalogue, patterns
from scripts.model.cells import INTEGER_TEXT, NUMBER_TEXT
from scripts.model.limits import SMALL_TABLE_ROWS
from scripts.model.spec import ENUM, MAX_LENGTH, MAXIMUM, MIN_LENGTH, MINIMUM, PATTERN, Field

if TYPE_CHECKING:
    import polars as pl


def dtype(fld: Field) -> pl.DataType:
    """The polars type of the field's typed column."""
    import polars as pl

    return {"integer": pl.Int64(), "number": pl.Float64(), "boolean": pl.Boolean()}.get(fld.kind, pl.String())


def present(fld: Field, text: pl.Expr) -> pl.Expr:
    """True where the cell holds a value (not null and not one of ``missingValues``)."""
    return text.is_not_null() & ~text.is_in(list(fld.missing_values))


def _parse(fld: Field, text: pl.Expr) -> pl.Expr:
    import polars as pl

    if fld.kind == "integer":
        return pl.when(text.str.contains(INTEGER_TEXT)).then(text.cast(pl.Int64, strict=False))
    if fld.kind == "number":
        return pl.when(text.str.contains(NUMBER_TEXT)).then(text.cast(pl.Float64, strict=False))
    if fld.kind == "boolean":
        return (pl.when(text.is_in(list(fld.true_values))).then(pl.lit(True))
                .when(text.is_in(list(fld.false_values))).then(pl.lit(False)))
    return text


def cast(fld: Field, text: pl.Expr) -> pl.Expr:
    """Typed column from a text column: null where missing or not of the type."""
    import polars as pl

    return pl.when(present(fld, text)).then(_parse(fld, text))


def _enum(fld: Field, typed: pl.Expr, allowed: Any) -> pl.Expr:
    import polars as pl

    return ~typed.is_in(pl.Series(list(allowed), dtype=dtype(fld), strict=False).implode())


def _pattern(fld: Field, typed: pl.Expr, pattern: str) -> pl.Expr | None:
    return ~patterns.polars_matches(typed, pattern) if fld.is_textual else None


def _min_length(fld: Field, typed: pl.Expr, low: int) -> pl.Expr | None:
    return typed.str.len_chars() < low if fld.is_textual else None


def _max_length(fld: Field, typed: pl.Expr, high: int) -> pl.Expr | None:
    return typed.str.len_chars() > high if fld.is_textual else None


def _minimum(fld: Field, typed: pl.Expr, low: Any) -> pl.Expr:
    return typed < low


def _maximum(fld: Field, typed: pl.Expr, high: Any) -> pl.Expr:
    return typed > high


# One entry per constraint: true where a present, typed value breaks it (None: the constraint does
# not apply to the field's kind). Plain functions, not built at import, so that every line of them
# runs in the tests (and mutation testing can reach it).
CONSTRAINTS: dict[str, Callable[[Field, pl.Expr, Any], pl.Expr | None]] = {
    ENUM: _enum, MINIMUM: _minimum, MAXIMUM: _maximum, PATTERN: _pattern, MIN_LENGTH: _min_length,
    MAX_LENGTH: _max_length,
}


def failures(fld: Field, typed: pl.Expr, text: pl.Expr | None = None) -> list[tuple[str, pl.Expr]]:
    """(rule, expression true where the cell FAILS) for the type, ``required`` and every cell
    constraint, in the order :func:`scripts.model.cells.check_cell` reports them.

    With ``text`` (the CSV's text column beside the typed one), a present text that did not cast is a
    type error and ``required`` asks for a present text; without it (a frame already typed, such as
    the release's Parquet), the dtype is the type check and ``required`` asks for a non-null value."""
    checks = []
    if text is not None:
        is_present = present(fld, text)
        if not fld.is_textual:
            checks.append((catalogue.TYPE, is_present & typed.is_null()))
    else:
        is_present = typed.is_not_null()
    if fld.required:
        checks.append((catalogue.REQUIRED, ~is_present))
    ok = typed.is_not_null()
    for item in fld.constraints:
        expr = CONSTRAINTS[item.rule](fld, typed, item.value)
        if expr is not None:
            checks.append((item.rule, ok & expr))
    return checks


def repeated(columns: list[str]) -> pl.Expr:
    """True on every row whose (all present) values of ``columns`` occurred on an earlier row."""
    import polars as pl

    filled = pl.all_horizontal([pl.col(c).is_not_null() for c in columns])
    first = pl.col(columns[0]).is_first_distinct() if len(columns) == 1 else pl.struct(columns).is_first_distinct()
    return filled & ~first


def engine_for(rows: int) -> AbstractContextManager[Any]:
    """The polars engine for queries over tables of at most ``rows`` rows, as a context.

    Why: polars 2 runs every query on its streaming engine by default, which costs ~0.15 ms to
    start a query; validating the real package runs ~2,000 queries over a few hundred rows each,
    where the in-memory engine starts one in ~0.01 ms (validate 15 % faster end to end). At 300,000
    observations streaming is ~10 % faster (bench), so big tables keep the default."""
    import polars as pl

    return pl.Config(engine_affinity="in-memory") if rows < SMALL_TABLE_ROWS else nullcontext()
