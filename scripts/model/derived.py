"""The derived columns of every reduced-precision date: ``<field>_precision``, ``<field>_earliest``
and ``<field>_latest``, carried by the release's SQLite and Parquet files (never by the CSVs).

Why: a date here is ISO 8601 at the precision its source gives (``2024``, ``2024-08``,
``2024-08-09``), text in every file so that a year never turns into a false 1 January. That is
right, and it leaves every analyst to write a parser before sorting or filtering by date (UCDP
ships ``date_prec`` for the same reason). The derived columns say the precision and the interval
the date covers, computed once, by the model's one reading of such a date
(:mod:`scripts.model.dates`), on whole columns (polars). The CSVs stay exactly the data.

Columns follow the table's own fields, in the order of their dates; a table that already has a
field of a derived column's name cannot be released (:class:`DerivedNameClash`), since the two
would be one column in SQLite and Parquet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scripts.model import dates
from scripts.model.package import PackageError
from scripts.model.spec import Field, Table, make_field

if TYPE_CHECKING:
    import polars as pl

PRECISION, EARLIEST, LATEST = "precision", "earliest", "latest"
PARTS = (PRECISION, EARLIEST, LATEST)
PRECISION_CATEGORIES = (("year", "Only the year is known (2024)."),
                        ("month", "The year and month are known (2024-08)."),
                        ("day", "The day is known (2024-08-09)."))


class DerivedNameClash(PackageError):
    """A table has a field named like one of its derived columns."""


def derived_name(source: str, part: str) -> str:
    return f"{source}_{part}"


def date_fields(table: Table) -> list[Field]:
    """The table's reduced-precision date fields, in order."""
    return [f for f in table.fields if f.is_reduced_date]


def _descriptor(source: Field, part: str) -> dict[str, Any]:
    name = derived_name(source.name, part)
    where = f"Derived from {source.name} by the release; in SQLite and Parquet only, not in the CSV."
    if part == PRECISION:
        return {"name": name, "title": f"{source.title}: precision", "type": "string",
                "description": f"How precisely {source.name} is known: year, month or day; empty when "
                               f"{source.name} is empty. {where}",
                "categories": [{"value": v, "label": label} for v, label in PRECISION_CATEGORIES],
                "constraints": {"enum": [v for v, _ in PRECISION_CATEGORIES]}}
    first = part == EARLIEST
    example = "2024 gives 2024-01-01 and 2024-08 gives 2024-08-01" if first else \
        "2024 gives 2024-12-31 and 2024-08 gives 2024-08-31"
    return {"name": name, "title": f"{source.title}: {'earliest' if first else 'latest'} day", "type": "date",
            "description": f"The {'first' if first else 'last'} day {source.name} can mean ({example}; a full "
                           f"date gives itself); empty when {source.name} is empty. {where}"}


def derived_descriptors(table: Table) -> list[dict[str, Any]]:
    """Table Schema field descriptors of the derived columns (``type: date`` for the days)."""
    clash = sorted({derived_name(f.name, p) for f in date_fields(table) for p in PARTS} & set(table.field_names))
    if clash:
        raise DerivedNameClash(f"{table.schema_path.name}: field {clash[0]!r} has the name of a column the "
                               "release derives from a date; rename the field")
    return [_descriptor(f, part) for f in date_fields(table) for part in PARTS]


def derived_fields(table: Table) -> tuple[Field, ...]:
    """The derived columns as typed fields (a ``date`` type reads as text in the model's backends:
    SQLite stores the day as ISO text)."""
    return tuple(make_field(d) for d in derived_descriptors(table))


def with_derived(table: Table) -> Table:
    """``table`` with its derived columns after its own fields (the SQLite table's shape)."""
    from dataclasses import replace

    return replace(table, fields=table.fields + derived_fields(table))


def derived_frame(table: Table, rows: list[dict[str, str]]) -> pl.DataFrame:
    """The derived columns of ``rows`` (in their order): precision as text, days as polars Dates."""
    import polars as pl

    sources = date_fields(table)
    derived_descriptors(table)  # refuse a name clash before computing anything
    frame = pl.DataFrame({f.name: [row.get(f.name) or None for row in rows] for f in sources},
                         schema={f.name: pl.String for f in sources})
    exprs = []
    for fld in sources:
        column = pl.col(fld.name)
        exprs += [dates.polars_precision(column).alias(derived_name(fld.name, PRECISION)),
                  dates.polars_first_day(column).alias(derived_name(fld.name, EARLIEST)),
                  dates.polars_last_day(column).alias(derived_name(fld.name, LATEST))]
    return frame.select(exprs) if exprs else pl.DataFrame()


def derived_text_rows(table: Table, rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """The derived columns of ``rows`` as CSV-like text (days as ``YYYY-MM-DD``, "" when missing),
    one dict per row, for writers that take text cells (SQLite)."""
    import polars as pl

    frame = derived_frame(table, rows)
    if not frame.width:
        return [{} for _ in rows]
    texts = frame.select(pl.col(c).cast(pl.String).fill_null("") for c in frame.columns)
    return texts.to_dicts()
