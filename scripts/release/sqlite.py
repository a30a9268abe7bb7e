"""The SQLite database of a release, and the Datasette metadata that shows what it is.

Every table's DDL (types, NOT NULL, CHECKs, primary and foreign keys) comes from the model's
SQLite backend (:func:`scripts.model.backends.sqlite.ddl`), every value from its :func:`value`.
Each table also carries the derived columns of its reduced-precision dates after its own
(:mod:`scripts.model.derived`: ``*_precision``, ``*_earliest`` and ``*_latest``, days as ISO text),
described in ``_columns`` like every other column.
The database describes itself: ``_metadata`` (title, version, licence, citation, homepage, the
SQLite version that wrote it), ``_files`` (each file of the package with its sha256, and the
source texts with the digests the descriptor records), ``_tables``, ``_columns`` and
``_categories`` (the schemas in words). The ``leaders`` view (:mod:`scripts.model.views`) joins
persons, memberships, offices and states into the heads of state and government.

Why the .sqlite file is not in SHA256SUMS: SQLite writes its own library version into the file
header and may lay out pages differently from one version to the next, so the same data gives
different bytes on machines with different SQLite libraries. The file is built in a fixed way
(rows in primary-key order, fixed page size, VACUUM) and ``_files`` carries the sha256 of every
CSV it was loaded from, which is how its content is checked.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from scripts.model import names, views
from scripts.model.backends import sqlite as backend
from scripts.model.backends import words
from scripts.model.derived import PARTS, derived_name, derived_text_rows, with_derived
from scripts.model.meta import DIGEST_PREFIX, PackageMeta, citation_text
from scripts.model.package import Package, Table, sort_key
from scripts.model.values import web_url
from scripts.release.errors import ReleaseError

PAGE_SIZE = 4096
META_DDL = (
    'CREATE TABLE "_metadata" ("key" TEXT NOT NULL PRIMARY KEY, "value" TEXT NOT NULL)',
    'CREATE TABLE "_files" ("path" TEXT NOT NULL PRIMARY KEY, "role" TEXT NOT NULL '
    "CHECK (\"role\" IN ('descriptor', 'schema', 'table', 'document', 'source text')), "
    '"sha256" TEXT NOT NULL, "title" TEXT NOT NULL)',
    'CREATE TABLE "_tables" ("table_name" TEXT NOT NULL PRIMARY KEY, "title" TEXT NOT NULL, '
    '"description" TEXT NOT NULL, "primary_key" TEXT NOT NULL, "csv_path" TEXT NOT NULL)',
    'CREATE TABLE "_columns" ("table_name" TEXT NOT NULL REFERENCES "_tables" ("table_name"), '
    '"column_name" TEXT NOT NULL, "position" INTEGER NOT NULL, "title" TEXT NOT NULL, "type" TEXT NOT NULL, '
    '"rules" TEXT NOT NULL, "description" TEXT NOT NULL, PRIMARY KEY ("table_name", "column_name"))',
    'CREATE TABLE "_categories" ("table_name" TEXT NOT NULL, "column_name" TEXT NOT NULL, '
    '"value" TEXT NOT NULL, "label" TEXT NOT NULL, PRIMARY KEY ("table_name", "column_name", "value"))',
)
META_TABLES = ("_metadata", "_files", "_tables", "_columns", "_categories")
SHOWN_META = {"_metadata": "About this release: version, licence, citation, homepage.",
              "_files": "Every file the database was built from, with its SHA-256 digest."}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def metadata_rows(meta: PackageMeta) -> list[tuple[str, str]]:
    """The ``_metadata`` table: the release record, one (key, value) per row."""
    return [
        ("name", meta.name), ("title", meta.title), ("version", meta.version), ("released", meta.date),
        ("license", meta.license.spdx), ("license_url", meta.license.url), ("homepage", meta.homepage),
        ("citation", citation_text(meta)), ("description", meta.description),
        ("sqlite_version", sqlite3.sqlite_version),
    ]


def _role(path: str, package: Package) -> str:
    if path == "datapackage.json":
        return "descriptor"
    for table in package.tables.values():
        if path == table.path.relative_to(package.root).as_posix():
            return "table"
        if path == table.schema_path.relative_to(package.root).as_posix():
            return "schema"
    return "document"


def file_rows(package: Package, digests: dict[str, str]) -> list[tuple[str, str, str, str]]:
    """``_files``: every snapshot file with its digest, then each source text with the digest
    the descriptor records for it (``sources[].version`` = ``sha256:<hex>``)."""
    rows = [(path, _role(path, package), digest, "") for path, digest in digests.items()]
    for source in package.descriptor.get("sources", []):
        version = str(source.get("version", ""))
        if source.get("path") and version.startswith(DIGEST_PREFIX):
            rows.append((str(source["path"]), "source text", version.removeprefix(DIGEST_PREFIX),
                         str(source.get("title", ""))))
    return rows


def _schema_rows(package: Package) -> dict[str, list[tuple[Any, ...]]]:
    tables, columns, categories = [], [], []
    for table in package.tables.values():
        tables.append((table.name, table.title, table.description, ", ".join(table.primary_key),
                       table.path.relative_to(package.root).as_posix()))
        for position, fld in enumerate(with_derived(table).fields, start=1):
            columns.append((table.name, fld.name, position, fld.title, words.type_words(fld),
                            "; ".join(words.constraint_words(fld)), fld.description))
            categories += [(table.name, fld.name, value, label) for value, label in fld.categories]
    return {"_tables": tables, "_columns": columns, "_categories": categories}


def _insert(conn: sqlite3.Connection, name: str, rows: list[tuple[Any, ...]]) -> None:
    if rows:
        marks = ", ".join("?" * len(rows[0]))
        conn.executemany(f"INSERT INTO {_quote(name)} VALUES ({marks})", rows)


def _insert_table(conn: sqlite3.Connection, table: Table, rows: list[dict[str, str]]) -> None:
    """The rows in primary-key order, each with its derived date columns."""
    ordered = sorted(rows, key=sort_key(table))
    ordered = [{**row, **extra} for row, extra in zip(ordered, derived_text_rows(table, ordered), strict=True)]
    table = with_derived(table)
    columns = table.field_names
    sql = (f"INSERT INTO {_quote(table.name)} ({', '.join(map(_quote, columns))}) "
           f"VALUES ({', '.join('?' * len(columns))})")
    fields = [table.field(n) for n in columns]
    try:
        conn.executemany(sql, ([backend.value(f, row.get(f.name)) for f in fields] for row in ordered))
    except (sqlite3.IntegrityError, ValueError) as exc:
        raise ReleaseError(f"{table.path.name}: cannot load into SQLite: {exc}") from None


def _create_views(conn: sqlite3.Connection, package: Package) -> None:
    """The leaders view, with the derived columns of the membership's date, when the package has
    the tables and columns it reads."""
    if views.leaders_available({t.name: t.field_names for t in package.tables.values()}):
        extra = tuple(derived_name(names.AS_OF, part) for part in PARTS)
        as_of = package.tables[names.MEMBERSHIPS].field(names.AS_OF)
        conn.execute(views.leaders_sql(extra if as_of.is_reduced_date else ()))


def build_sqlite(package: Package, rows: dict[str, list[dict[str, str]]], meta: PackageMeta,
                 digests: dict[str, str], dest: Path) -> None:
    """Write the database to ``dest`` (a new file): metadata tables, then every table in
    primary-key order with foreign keys checked at COMMIT, then VACUUM."""
    conn = sqlite3.connect(dest, isolation_level=None)
    try:
        conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("BEGIN")
        conn.execute("PRAGMA defer_foreign_keys = ON")  # rows may refer to rows loaded later
        for ddl in META_DDL:
            conn.execute(ddl)
        _insert(conn, "_metadata", metadata_rows(meta))
        _insert(conn, "_files", file_rows(package, digests))
        for name, meta_rows in _schema_rows(package).items():
            _insert(conn, name, meta_rows)
        for table in package.tables.values():
            conn.execute(backend.ddl(with_derived(table)))
        for table in package.tables.values():
            _insert_table(conn, table, rows[table.name])
        _create_views(conn, package)
        try:
            conn.execute("COMMIT")
        except sqlite3.IntegrityError as exc:
            raise ReleaseError(f"{dest.name}: {exc} (run validate to find the row)") from None
        conn.execute("VACUUM")
    finally:
        conn.close()


def datasette_metadata(package: Package, meta: PackageMeta) -> dict[str, Any]:
    """Datasette's metadata.json: licence, source, about and citation on every page, a title and
    description per table and column; the schema tables are hidden, ``_metadata`` and ``_files``
    are shown."""
    tables: dict[str, Any] = {}
    for table in package.tables.values():
        tables[table.name] = {
            "title": table.title,
            "description": table.description,
            "columns": {f.name: _column_description(f) for f in with_derived(table).fields},
        }
    for name in META_TABLES:
        tables[name] = {"description": SHOWN_META[name]} if name in SHOWN_META else {"hidden": True}
    if views.leaders_available({t.name: t.field_names for t in package.tables.values()}):
        tables[views.LEADERS] = {"title": views.LEADERS_TITLE, "description": views.LEADERS_DESCRIPTION}
    links = {"license_url": meta.license.url, "source_url": meta.homepage, "about_url": meta.url(meta.zip_name())}
    return {
        "title": meta.title,
        "description": f"{meta.description} Version {meta.version}. Cite as: {citation_text(meta)}",
        "license": meta.license.title,
        "source": f"{meta.title}, version {meta.version}",
        "about": "Data package, schemas and release files",
        # Datasette makes each *_url a link on every page: only web addresses, never javascript:.
        **{key: url for key, url in links.items() if web_url(url)},
        "databases": {meta.name: {"tables": tables}},
    }


def _column_description(fld: Any) -> str:
    if not fld.categories:
        return fld.description
    return f"{fld.description} Values: {', '.join(fld.labels)} (meanings in _categories)."
