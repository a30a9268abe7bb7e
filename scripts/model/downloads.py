"""The files a release offers for download, named once: what the release writes into dist/, what the
site's Downloads section lists and what the portal files point at.

The names follow the release record (:class:`scripts.model.meta.PackageMeta`): the zip and the
folder inside it are ``<name>-<version>``, the workbook and database ``<name>.xlsx`` and
``<name>.sqlite``, each table ``<table>.csv`` and ``<table>.parquet``, and the Parquet files'
descriptor ``datapackage.json``. They are made from content, so the release builds each through
its file-name check (:func:`scripts.release.build.output_paths`) before writing; this module only
says what they are called and how each is opened.

A :class:`Downloads` is what the release hands the site (through the command layer, so neither
imports the other): every file with its size and sha256, known only once the file is written,
and the schema.org JSON-LD the index embeds. Built without a release, the site gets the names
alone (sizes and digests ``None``) and says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from scripts.model.meta import PackageMeta, format_name, media_type

PARQUET_DESCRIPTOR = "datapackage.json"  # in dist/, beside the Parquet files it describes
CHANGES = "changes.json"
DICTIONARY, ERD = "data-dictionary.md", "erd.svg"
CHECKSUMS = "SHA256SUMS"
DATA_SUFFIXES = (".zip", ".csv", ".parquet", ".xlsx", ".sqlite")  # the data files portals list
# One line per kind of file: the programs a reader opens it with.
OPEN_WITH = {
    ".zip": "any unzip tool: one folder, a Frictionless Data Package (CSV tables, schemas, docs)",
    ".xlsx": "Excel or LibreOffice Calc (a Read me sheet first)",
    ".sqlite": "sqlite3, DB Browser for SQLite or Datasette",
    ".csv": "a spreadsheet, pandas, R or a text editor (UTF-8)",
    ".parquet": "polars, pandas with pyarrow, DuckDB or R's arrow",
    ".md": "a text editor or Markdown viewer",
    ".svg": "a web browser",
}
OPEN_DESCRIPTOR = "frictionless (validate or read the Parquet files with their schemas)"
OPEN_CHANGES = "a text editor or any JSON reader (what changed since the previous version)"


@dataclass(frozen=True)
class ReleaseFile:
    """One downloadable file; ``size`` (bytes) and ``sha256`` are None until a release wrote it."""

    name: str
    size: int | None = None
    sha256: str | None = None

    @property
    def format(self) -> str:
        if self.name == PARQUET_DESCRIPTOR:
            return "JSON (Data Package)"
        return format_name(self.name)

    @property
    def media_type(self) -> str:
        return media_type(self.name)

    @property
    def open_with(self) -> str:
        if self.name == PARQUET_DESCRIPTOR:
            return OPEN_DESCRIPTOR
        if self.name == CHANGES:
            return OPEN_CHANGES
        return OPEN_WITH.get(Path(self.name).suffix, "")


@dataclass(frozen=True)
class Downloads:
    """The release's files for the site, and the JSON-LD the index embeds (``""``: none)."""

    package: tuple[ReleaseFile, ...]
    tables: tuple[ReleaseFile, ...]
    about: tuple[ReleaseFile, ...]
    jsonld: str = ""

    @property
    def files(self) -> tuple[ReleaseFile, ...]:
        return self.package + self.tables + self.about

    @property
    def released(self) -> bool:
        """Are sizes and digests known (built by a release, not by ``python -m scripts site``)?"""
        return all(f.size is not None and f.sha256 is not None for f in self.files)


def package_file_names(meta: PackageMeta) -> list[str]:
    """The whole dataset, in the order a reader chooses among them."""
    return [meta.zip_name(), meta.workbook_name(), meta.database_name(), PARQUET_DESCRIPTOR]


def table_file_names(tables: Iterable[str]) -> list[str]:
    """Each table as CSV and as Parquet, table by table."""
    return [f"{table}{suffix}" for table in tables for suffix in (".csv", ".parquet")]


def download_names(meta: PackageMeta, tables: Iterable[str]) -> tuple[list[str], list[str], list[str]]:
    """(whole dataset, each table, about the data) file names; changes.json is the release's to
    add when there is a previous version."""
    return package_file_names(meta), table_file_names(tables), [DICTIONARY, ERD]


def unreleased(meta: PackageMeta, tables: Iterable[str], jsonld: str = "") -> Downloads:
    """The downloads by name alone, for a site built without a release."""
    package, each, about = download_names(meta, tables)
    return Downloads(*(tuple(ReleaseFile(n) for n in group) for group in (package, each, about)), jsonld=jsonld)
