"""pandera: the Table Schemas as ``pandera.polars.DataFrameSchema`` objects — the package's checks
as a product.

:func:`table_schema` derives, for one table, a schema over its typed frame: the dtype of every
field, ``required``, ``unique``, the primary key, every cell constraint (enum, pattern, range,
lengths) and, when the referenced tables' frames are given, the foreign keys. Every check is named
by its rule id (``required``, ``pattern``, ``primary-key`` ...), so a failure case reads the same
as a line of ``python -m scripts validate``. An analyst applies it to a frame loaded from the
release's Parquet (``scripts.model.pandera_schema("meetings").validate(frame, lazy=True)``);
validate checks each CSV's frame with the same expressions (:func:`expressions`), given the CSV's
text columns beside the typed ones (``text_suffix``) so that a cell not of its type is caught too.

Each check's polars expression comes from :mod:`scripts.model.backends.polars`; pandera runs it,
lazily, and collects the failure cases with their row index. (Validation groups the same
expressions by rule, see :mod:`scripts.validate.checks`.)
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from scripts.model import catalogue
from scripts.model.backends import polars as exprs
from scripts.model.backends import words
from scripts.model.spec import Field, ForeignKey, Table

if TYPE_CHECKING:
    import pandera.polars as pa
    import polars as pl

OK = "ok"  # the name of a check's output column (True = the row passes)


def verdict(mask: pl.Series) -> bool | pl.LazyFrame:
    """What a check returns to pandera: True when no row fails (pandera then builds no failure
    cases), else the passing rows."""
    import polars as pl

    failing = mask if mask.null_count() == 0 else mask & mask.is_not_null()  # null passes (Kleene: null & false)
    return True if not failing.any() else pl.LazyFrame({OK: ~failing})


def check(rule: str, failing: pl.Expr | Any, description: str | None = None, **options: Any) -> pa.Check:
    """A pandera check named ``rule`` that passes where ``failing`` is false (or null).

    ``failing`` is a polars expression over the frame, or a callable taking the frame (a
    ``LazyFrame``) and returning a boolean Series (for checks fed other frames, such as the named
    rules)."""
    import pandera.polars as pa
    import polars as pl

    def run(data: Any) -> bool | pl.LazyFrame:
        if isinstance(failing, pl.Expr):
            return data.lazyframe.select((~failing.fill_null(False)).alias(OK))
        return verdict(failing(data.lazyframe))

    if description is None:
        description = catalogue.info(rule).message if rule in catalogue.CATALOGUE else rule
    return pa.Check(run, name=rule, description=description, **options)


def _key_text(columns: Sequence[str]) -> pl.Expr:
    """The values of ``columns`` as one text per row, to compare keys across frames."""
    import polars as pl

    parts = [pl.col(c).cast(pl.String) for c in columns]
    return parts[0] if len(parts) == 1 else pl.concat_str(parts, separator="\x00")


def _foreign_key(fk: ForeignKey, parent: pl.DataFrame) -> pl.Expr:
    import polars as pl

    known = parent.select(_key_text(fk.ref_fields).drop_nulls().unique().implode().alias("k")).to_series()
    filled = pl.all_horizontal([pl.col(c).is_not_null() for c in fk.fields])
    return filled & ~_key_text(fk.fields).is_in(known)


def expressions(table: Table, parents: Mapping[str, pl.DataFrame] | None = None, text_suffix: str | None = None,
                skip: frozenset[str] = frozenset()) -> list[tuple[str, str, pl.Expr]]:
    """(column, rule, expression true where a row FAILS) for every check the Table Schema implies:
    type (with ``text_suffix``: the CSV's text columns beside the typed ones), required, every
    cell constraint, unique, the primary key and the foreign keys to the ``parents`` given. None
    involves a column in ``skip`` (a column the CSV lacks: its missing label is the finding)."""
    return [*cell_expressions(table, text_suffix, skip), *key_expressions(table, parents, skip)]


def cell_expressions(table: Table, text_suffix: str | None = None,
                     skip: frozenset[str] = frozenset()) -> list[tuple[str, str, pl.Expr]]:
    """The checks of one cell at a time (type, required, enum, pattern, range, lengths): each
    expression reads only its column (typed, and its text with ``text_suffix``), so it can be
    evaluated once per distinct value."""
    return list(_cell_expressions(table.fields, text_suffix, frozenset(skip)))


@functools.lru_cache(maxsize=256)
def _cell_expressions(fields: tuple[Field, ...], text_suffix: str | None,
                      skip: frozenset[str]) -> tuple[tuple[str, str, pl.Expr], ...]:
    """:func:`cell_expressions`, built once per set of fields: they depend on the Table Schema
    alone (not on the table's data or where it lives), and building the package's ~1,000
    expressions in Python took ~15 ms of every validation. (polars expressions are immutable.)"""
    import polars as pl

    found = []
    for fld in fields:
        if fld.name in skip:
            continue
        text = pl.col(fld.name + text_suffix) if text_suffix else None
        found.extend((fld.name, rule, failing) for rule, failing in exprs.failures(fld, pl.col(fld.name), text))
    return tuple(found)


def key_expressions(table: Table, parents: Mapping[str, pl.DataFrame] | None = None,
                    skip: frozenset[str] = frozenset()) -> list[tuple[str, str, pl.Expr]]:
    """The checks between rows and tables: unique fields, the primary key, the foreign keys."""
    found = []
    for fld in table.fields:
        if fld.name not in skip and fld.unique and not fld.sole_primary_key:  # a repeated sole key: primary-key's
            found.append((fld.name, catalogue.UNIQUE, exprs.repeated([fld.name])))
    if table.primary_key and not skip & set(table.primary_key):
        found.append((table.primary_key[0], catalogue.PRIMARY_KEY, exprs.repeated(list(table.primary_key))))
    for fk in table.foreign_keys:
        if parents is not None and fk.resource in parents and not skip & set(fk.fields):
            found.append((fk.fields[0], catalogue.FOREIGN_KEY, _foreign_key(fk, parents[fk.resource])))
    return found


def columns(table: Table, checks: Mapping[str, Sequence[pa.Check]] | None = None) -> dict[str, pa.Column]:
    """The table's columns for a pandera schema: typed, nullable (``required`` is a check), titled."""
    import pandera.polars as pa

    return {f.name: pa.Column(exprs.dtype(f), checks=list((checks or {}).get(f.name, ())), nullable=True,
                              title=f.title, description=f.description or None) for f in table.fields}


def table_schema(table: Table, parents: Mapping[str, pl.DataFrame] | None = None,
                 text_suffix: str | None = None) -> pa.DataFrameSchema:
    """The pandera schema of ``table``'s typed frame, one check per column and rule.

    ``parents`` maps referenced table names to their typed frames (foreign keys are checked only
    for those given); with ``text_suffix``, the frame also holds each column's CSV text under the
    column's name plus the suffix, and a text that is not of its type fails ``type-error``."""
    import pandera.polars as pa

    checks: dict[str, list[pa.Check]] = {}
    for column, rule, failing in expressions(table, parents, text_suffix):
        checks.setdefault(column, []).append(check(rule, failing, words.rule_words(table, table.field(column), rule)))
    return pa.DataFrameSchema(columns(table, checks), strict=False, name=table.name, title=table.title,
                              description=table.description or None)


def failure_cases(schema: pa.DataFrameSchema, frame: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Every failure case of ``frame`` against ``schema`` (lazy validation: all of them), as a frame
    with columns ``column``, ``check`` (the rule id) and ``index`` (0-based row; null when the
    finding is about the whole column, such as a wrong dtype). A LazyFrame gets its data checks
    too (pandera checks only its schema by default): validation hands a big table over lazily, so
    that nothing computes its columns unless a check fails."""
    import pandera.polars as pa
    import polars as pl
    from pandera.config import ValidationDepth, config_context

    try:
        with config_context(validation_depth=ValidationDepth.SCHEMA_AND_DATA):
            schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        return cases.select(pl.col("column"), pl.col("check"), pl.col("index").cast(pl.Int64),
                            pl.col("failure_case"))
    return pl.DataFrame({"column": [], "check": [], "index": [], "failure_case": []},
                        schema={"column": pl.String, "check": pl.String, "index": pl.Int64,
                                "failure_case": pl.String})


def describe(schema: pa.DataFrameSchema) -> str:
    """The schema as a reader checks it: how to apply it, then each column's dtype and its checks,
    each by rule id and in words (pandera's YAML form cannot carry checks it did not define)."""
    lines = [f"# pandera.polars.DataFrameSchema {schema.name!r}: {schema.title or ''}",
             "#   from scripts.model import pandera_schema",
             f"#   pandera_schema({schema.name!r}).validate(frame, lazy=True)   # frame: typed, as the Parquet file",
             "# foreign keys are checked for the tables passed as parents={name: frame}"]
    width = max(len(name) for name in schema.columns)
    for name, column in schema.columns.items():
        checks = "; ".join(f"{c.name}: {c.description}" for c in column.checks) or "no checks"
        lines.append(f"{name:<{width}}  {column.dtype!s:<8} {checks}")
    return "\n".join(lines) + "\n"
