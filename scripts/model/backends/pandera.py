"""pandera: the Table Schemas as ``pandera.polars.DataFrameSchema`` objects — the package's checks
as a product.

:func:`table_schema` derives, for one table, a schema over its typed frame: the dtype of every
field, ``required``, ``unique``, the primary key, every cell constraint (enum, pattern, range,
lengths) and, when the referenced tables' frames are given, the foreign keys. Every check is named
by its rule id (``required``, ``pattern``, ``primary-key`` ...), so a failure case reads the same
as a line of ``python -m scripts validate``. An analyst applies it to a frame loaded from the
release's Parquet (``scripts.model.pandera_schema("meetings").validate(frame, lazy=True)``);
validate applies it to each CSV's frame, with the CSV's text columns beside the typed ones
(``text_suffix``) so that a cell that is not of its type is caught too, plus the checks only a
CSV needs and the named rules (``extra``).

Each check's polars expression comes from :mod:`scripts.model.backends.polars`; pandera runs it,
lazily, and collects the failure cases with their row index.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from scripts.model import catalogue
from scripts.model.backends import polars as exprs
from scripts.model.spec import ForeignKey, Table

if TYPE_CHECKING:
    import pandera.polars as pa
    import polars as pl

OK = "ok"  # the name of a check's output column (True = the row passes)


def check(rule: str, failing: pl.Expr | Any, **options: Any) -> pa.Check:
    """A pandera check named ``rule`` that passes where ``failing`` is false (or null).

    ``failing`` is a polars expression over the frame, or a callable taking the frame (a
    ``LazyFrame``) and returning a boolean Series or expression (for checks fed other frames)."""
    import pandera.polars as pa
    import polars as pl

    def run(data: Any) -> pl.LazyFrame:
        mask = failing if isinstance(failing, pl.Expr) else failing(data.lazyframe)
        if isinstance(mask, pl.Series):
            return pl.LazyFrame({OK: ~mask.fill_null(False)})
        return data.lazyframe.select((~mask.fill_null(False)).alias(OK))

    words = catalogue.info(rule).message if rule in catalogue.CATALOGUE else rule
    return pa.Check(run, name=rule, description=words, **options)


def _key_text(columns: Sequence[str]) -> pl.Expr:
    """The values of ``columns`` as one text per row, to compare keys across frames."""
    import polars as pl

    parts = [pl.col(c).cast(pl.String) for c in columns]
    return parts[0] if len(parts) == 1 else pl.concat_str(parts, separator="\x00")


def _foreign_key(fk: ForeignKey, parent: pl.DataFrame) -> pl.Expr:
    import polars as pl

    known = parent.select(_key_text(fk.ref_fields).alias("k")).to_series().drop_nulls().unique()
    filled = pl.all_horizontal([pl.col(c).is_not_null() for c in fk.fields])
    return filled & ~_key_text(fk.fields).is_in(known.implode())


def column_checks(table: Table, parents: Mapping[str, pl.DataFrame] | None = None,
                  text_suffix: str | None = None, skip: frozenset[str] = frozenset()) -> dict[str, list[pa.Check]]:
    """Every check the Table Schema implies, by the column it reports on; none that involves a
    column in ``skip`` (a column the CSV lacks: its missing label is the finding)."""
    import polars as pl

    checks: dict[str, list[pa.Check]] = {f.name: [] for f in table.fields}
    for fld in table.fields:
        if fld.name in skip:
            continue
        text = pl.col(fld.name + text_suffix) if text_suffix else None
        for rule, failing in exprs.failures(fld, pl.col(fld.name), text):
            checks[fld.name].append(check(rule, failing))
        if fld.unique and not fld.sole_primary_key:  # a repeated sole key is the primary-key finding
            checks[fld.name].append(check(catalogue.UNIQUE, exprs.repeated([fld.name])))
    if table.primary_key and not skip & set(table.primary_key):
        checks[table.primary_key[0]].append(check(catalogue.PRIMARY_KEY, exprs.repeated(list(table.primary_key))))
    for fk in table.foreign_keys:
        if parents is not None and fk.resource in parents and not skip & set(fk.fields):
            checks[fk.fields[0]].append(check(catalogue.FOREIGN_KEY, _foreign_key(fk, parents[fk.resource])))
    return checks


def table_schema(table: Table, parents: Mapping[str, pl.DataFrame] | None = None, text_suffix: str | None = None,
                 extra: Mapping[str, Sequence[pa.Check]] | None = None,
                 skip: frozenset[str] = frozenset()) -> pa.DataFrameSchema:
    """The pandera schema of ``table``'s typed frame.

    ``parents`` maps referenced table names to their typed frames (foreign keys are checked only
    for those given); ``text_suffix`` names the CSV text columns beside the typed ones (validation);
    ``extra`` adds checks by column (validation's CSV-only checks and named rules); ``skip`` names
    columns the frame lacks."""
    import pandera.polars as pa

    checks = column_checks(table, parents, text_suffix, skip)
    for name, more in (extra or {}).items():
        checks.setdefault(name, []).extend(more)
    columns = {f.name: pa.Column(exprs.dtype(f), checks=checks[f.name], nullable=True, title=f.title,
                                 description=f.description or None) for f in table.fields}
    return pa.DataFrameSchema(columns, strict=False, name=table.name, title=table.title,
                              description=table.description or None)


def failure_cases(schema: pa.DataFrameSchema, frame: pl.DataFrame) -> pl.DataFrame:
    """Every failure case of ``frame`` against ``schema`` (lazy validation: all of them), as a frame
    with columns ``column``, ``check`` (the rule id) and ``index`` (0-based row; null when the
    finding is about the whole column, such as a wrong dtype)."""
    import pandera.polars as pa
    import polars as pl

    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        return cases.select(pl.col("column"), pl.col("check"), pl.col("index").cast(pl.Int64),
                            pl.col("failure_case"))
    return pl.DataFrame({"column": [], "check": [], "index": [], "failure_case": []},
                        schema={"column": pl.String, "check": pl.String, "index": pl.Int64,
                                "failure_case": pl.String})
