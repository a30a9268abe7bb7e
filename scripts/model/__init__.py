"""The model layer: what every consumer needs to know about the package, defined once.

Below every consumer (validation, the workbook, the release, the site) and importing none of them:

* :mod:`.names` — the table and column names code refers to;
* :mod:`.spec` — the constraint specification read from the Table Schemas (``Field``, ``Table``);
* :mod:`.package` — the descriptor and schemas loaded and confined (``load_package``);
* :mod:`.meta` — typed package-level metadata (licence, contributors, version, URLs);
* :mod:`.catalogue` — every rule's id, kind, message and hint;
* :mod:`.text`, :mod:`.dates`, :mod:`.patterns`, :mod:`.limits` — the clean-text, reduced-date and
  pattern policies and the size limits;
* :mod:`.values` — what a descriptor value must be to become a link, a file name or a version;
* :mod:`.shapes` — the JSON types of the descriptor and schema values every command reads;
* :mod:`.cells` and :mod:`.backends` — the spec's forms: CSV cells, polars, pandera, SQLite,
  Excel, Arrow and the dictionary's words.

For analysts, :func:`pandera_schema` is the package's checks as a pandera schema::

    import polars as pl
    from scripts.model import pandera_schema

    meetings = pl.read_parquet("dist/meetings.parquet")
    pandera_schema("meetings").validate(meetings.filter(pl.col("status") == "held"), lazy=True)
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from scripts.model.package import Package, PackageError, load_package
from scripts.model.spec import Field, ForeignKey, Table

if TYPE_CHECKING:
    import pandera.polars as pa
    import polars as pl

__all__ = ["Field", "ForeignKey", "Package", "PackageError", "Table", "load_package", "pandera_schema"]


def pandera_schema(table: str, root: str | Path = ".", parents: Mapping[str, pl.DataFrame] | None = None
                   ) -> pa.DataFrameSchema:
    """The pandera schema of ``table`` in the package at ``root``, for its typed frame (as the
    release's Parquet holds it): dtypes, required, unique, primary key, enums, patterns, ranges and
    lengths, each check named by its rule id; foreign keys too for the tables given in
    ``parents`` (name → typed frame)."""
    from scripts.model.backends.pandera import table_schema

    return table_schema(load_package(root).table(table), parents)
