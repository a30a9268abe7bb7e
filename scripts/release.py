"""Release bundle and version diff: ``python -m scripts release`` and ``python -m scripts diff``.

``release`` validates the package, then builds every artefact of a release in a staging directory
beside ``dist/`` and swaps it into place, so that ``dist/`` is never half written:

- ``<name>-<version>.zip``: the Data Package itself (descriptor, tables, schemas, README, licences,
  citation file, changelog, data dictionary and diagram), with sorted entries and fixed entry times;
- ``<name>.xlsx``: the workbook (scripts.workbook);
- ``<name>.sqlite``: every table with types, keys and constraints generated from the Table Schemas,
  plus ``datasette-metadata.json`` so that Datasette shows titles and descriptions;
- ``data-dictionary.md`` and ``erd.svg``: documentation generated from the schemas (also kept in
  ``docs/``);
- ``schema-org.jsonld``, ``zenodo.json`` and ``ckan-package.json``: metadata that search engines and
  data portals read, derived from ``datapackage.json``;
- ``changes.json``: the diff against the previous version, also written into ``CHANGELOG.md``;
- ``SHA256SUMS`` over every other file.

Every output is a pure function of the inputs (no clock, stable order), so two builds are
byte-identical and their ``SHA256SUMS`` match.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from scripts.package import (
    DESCRIPTOR,
    Field,
    Package,
    PackageError,
    Table,
    atomic_write,
    load_package,
    parse_value,
    read_rows,
    sort_key,
)
from scripts.report import Problem, render_text

CITATION = "CITATION.cff"
CHANGELOG = "CHANGELOG.md"
README = "README.md"
DOCS = "docs"
DICTIONARY = "data-dictionary.md"
ERD = "erd.svg"
CHECKSUMS = "SHA256SUMS"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
SQL_TYPES = {"integer": "INTEGER", "number": "REAL", "boolean": "INTEGER", "string": "TEXT"}
DOT_DIGEST = re.compile(r"<!-- dot-sha256: ([0-9a-f]{64}) -->")
CHANGES_BEGIN = "<!-- release-diff:begin -->"
CHANGES_END = "<!-- release-diff:end -->"


class ReleaseError(Exception):
    """The release could not be built for a reason other than invalid data (exit code 2)."""


class ReleaseRefused(Exception):
    """The package is not releasable: validation or version problems (exit code 1)."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


# --------------------------------------------------------------------------------------------
# Diff between two versions of the package
# --------------------------------------------------------------------------------------------


@dataclass
class RowChange:
    """One row present in both versions whose values differ: field -> (old, new)."""

    key: str
    fields: dict[str, tuple[Any, Any]]


@dataclass
class TableDiff:
    """The differences of one table, rows identified by primary key."""

    name: str
    status: str  # "added", "removed" (the whole table) or "kept"
    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    changed: list[RowChange] = field(default_factory=list)
    primary_key: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return self.status == "kept" and not (self.added or self.removed or self.changed)


@dataclass
class PackageDiff:
    """The differences between two versions of the package, table by table."""

    old_version: str
    new_version: str
    tables: list[TableDiff]

    def totals(self) -> dict[str, int]:
        return {
            "added": sum(len(t.added) for t in self.tables),
            "removed": sum(len(t.removed) for t in self.tables),
            "changed": sum(len(t.changed) for t in self.tables),
        }


def _typed_rows(table: Table) -> dict[str, dict[str, Any]]:
    """Rows of ``table`` keyed by primary key (whole row without one), each value cast by its
    field's type where it can be, so that a number written ``1.0`` in one version and ``1`` in
    another is not a change."""
    keyed = table if table.primary_key else replace(table, primary_key=tuple(table.field_names))
    out: dict[str, dict[str, Any]] = {}
    for raw in read_rows(table):
        row: dict[str, Any] = {}
        for name, text in raw.items():
            try:
                row[name] = parse_value(table.field(name), text)
            except (KeyError, ValueError):
                row[name] = text if text != "" else None
        out[keyed.record_key({k: raw.get(k, "") for k in keyed.primary_key})] = row
    return out


def diff_tables(old: Table | None, new: Table | None) -> TableDiff:
    """Compare one table across versions by primary key: rows added, removed, changed by field."""
    table = new or old
    if table is None:
        raise ValueError("diff_tables needs at least one table")
    old_rows = _typed_rows(old) if old else {}
    new_rows = _typed_rows(new) if new else {}
    status = "added" if old is None else "removed" if new is None else "kept"
    result = TableDiff(table.name, status, primary_key=table.primary_key or tuple(table.field_names))
    result.added = [new_rows[k] for k in sorted(new_rows.keys() - old_rows.keys())]
    result.removed = [old_rows[k] for k in sorted(old_rows.keys() - new_rows.keys())]
    for key in sorted(old_rows.keys() & new_rows.keys()):
        before, after = old_rows[key], new_rows[key]
        names = list(after) + [n for n in before if n not in after]
        changes = {n: (before.get(n), after.get(n)) for n in names if before.get(n) != after.get(n)}
        if changes:
            result.changed.append(RowChange(key, changes))
    return result


def diff_packages(old: Package, new: Package) -> PackageDiff:
    """Compare every table of two package versions (new order first, then tables only in old)."""
    names = list(new.tables) + [n for n in old.tables if n not in new.tables]
    tables = [diff_tables(old.tables.get(n), new.tables.get(n)) for n in names]
    return PackageDiff(old.version, new.version, tables)


def _row_label(table: TableDiff, row: dict[str, Any]) -> str:
    return "/".join(str(row.get(k)) for k in table.primary_key)


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def diff_text(diff: PackageDiff) -> str:
    """The diff as text for people: a line per table with changes, then one line per row."""
    lines = [f"version {diff.old_version} -> {diff.new_version}"]
    for table in diff.tables:
        if table.is_empty:
            continue
        note = "" if table.status == "kept" else f" (table {table.status})"
        lines.append(f"{table.name}{note}: {len(table.added)} added, {len(table.removed)} removed, "
                     f"{len(table.changed)} changed")
        lines += [f"  + {_row_label(table, row)}" for row in table.added]
        lines += [f"  - {_row_label(table, row)}" for row in table.removed]
        for change in table.changed:
            lines += [f"  ~ {change.key}: {name} {_show(old)} -> {_show(new)}"
                      for name, (old, new) in change.fields.items()]
    totals = diff.totals()
    if not any(totals.values()):
        lines.append("no changes")
    lines.append(f"total: {totals['added']} added, {totals['removed']} removed, {totals['changed']} changed")
    return "\n".join(lines) + "\n"


def diff_json(diff: PackageDiff) -> dict[str, Any]:
    """The diff as JSON for tools: only tables with changes are listed."""
    tables = {}
    for table in diff.tables:
        if table.is_empty:
            continue
        tables[table.name] = {
            "status": table.status,
            "added": [{"key": _row_label(table, row), "row": row} for row in table.added],
            "removed": [{"key": _row_label(table, row), "row": row} for row in table.removed],
            "changed": [
                {"key": c.key, "fields": {n: {"old": o, "new": v} for n, (o, v) in c.fields.items()}}
                for c in table.changed
            ],
        }
    return {"old_version": diff.old_version, "new_version": diff.new_version,
            "totals": diff.totals(), "tables": tables}


@contextmanager
def open_package(path: Path) -> Iterator[Package]:
    """Load a package from a directory or a release zip (unpacked into a temporary directory)."""
    path = Path(path)
    if path.is_dir():
        yield load_package(path)
        return
    if not zipfile.is_zipfile(path):
        raise PackageError(f"{path}: neither a package directory nor a zip file")
    with tempfile.TemporaryDirectory(prefix="cac-pkg-") as tmp:
        with zipfile.ZipFile(path) as archive:
            archive.extractall(tmp)
        descriptors = sorted(Path(tmp).glob(f"**/{DESCRIPTOR}"), key=lambda p: len(p.parts))
        if not descriptors:
            raise PackageError(f"{path}: no {DESCRIPTOR} in the zip")
        yield load_package(descriptors[0].parent)


# --------------------------------------------------------------------------------------------
# CHANGELOG entry for the current version
# --------------------------------------------------------------------------------------------


def changes_markdown(diff: PackageDiff | None, package: Package) -> str:
    """The data changes of this release as Markdown: a summary per table with the keys touched."""
    if diff is None:
        lines = ["First release. Records per table:", ""]
        lines += [f"- `{t.name}`: {len(read_rows(t))}" for t in package.tables.values()]
        return "\n".join(lines)
    totals = diff.totals()
    lines = [f"Data changes since {diff.old_version}: {totals['added']} added, "
             f"{totals['removed']} removed, {totals['changed']} changed.", ""]
    for table in diff.tables:
        if table.is_empty:
            continue
        note = "" if table.status == "kept" else f" (table {table.status})"
        lines.append(f"- `{table.name}`{note}:")
        lines += [f"  - added `{_row_label(table, row)}`" for row in table.added]
        lines += [f"  - removed `{_row_label(table, row)}`" for row in table.removed]
        lines += [f"  - changed `{c.key}`: " + ", ".join(f"`{n}`" for n in c.fields) for c in table.changed]
    if not any(totals.values()):
        lines.append("- no data changes")
    return "\n".join(lines)


def _version_heading(version: str) -> re.Pattern[str]:
    return re.compile(rf"^##\s+\[?v?{re.escape(version)}\]?(\s|$)", re.MULTILINE)


def update_changelog(text: str, version: str, body: str) -> str:
    """Put ``body`` into the entry for ``version``, between markers so that re-running replaces it.

    The rest of the file is kept as it is. Without an entry for ``version``, one is added above the
    first version heading (or at the end).
    """
    block = f"{CHANGES_BEGIN}\n{body.rstrip()}\n{CHANGES_END}"
    heading = _version_heading(version).search(text)
    if heading is None:
        entry = f"## [{version}]\n\n{block}\n\n"
        first = re.search(r"^##\s", text, re.MULTILINE)
        if first is None:
            prefix = text.rstrip() + "\n\n" if text.strip() else "# Changelog\n\n"
            return prefix + entry.rstrip() + "\n"
        return text[: first.start()] + entry + text[first.start():]
    start = heading.end()
    following = re.search(r"^##\s", text[start:], re.MULTILINE)
    end = start + following.start() if following else len(text)
    section = text[start:end]
    if CHANGES_BEGIN in section and CHANGES_END in section:
        before, rest = section.split(CHANGES_BEGIN, 1)
        after = rest.split(CHANGES_END, 1)[1]
        section = before + block + after
    else:
        section = section.rstrip() + "\n\n" + block + "\n" + ("\n" if following else "")
    return text[:start] + section + text[end:]


def previous_from_git(root: Path, version: str, dest: Path) -> Path | None:
    """Unpack the package of the latest git tag whose version differs from ``version`` into
    ``dest``; None when ``root`` is not a git checkout's top level or no such tag exists."""
    def git(*args: str) -> bytes:
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, check=True).stdout

    try:
        top = Path(git("rev-parse", "--show-toplevel").decode().strip())
        if top.resolve() != root.resolve():
            return None
        tags = git("tag", "--list", "--merged", "HEAD", "--sort=-v:refname").decode().split()
        for tag in tags:
            descriptor = json.loads(git("show", f"{tag}:{DESCRIPTOR}"))
            if descriptor.get("version") == version:
                continue
            target = dest / tag
            target.mkdir(parents=True)
            with tarfile.open(fileobj=io.BytesIO(git("archive", "--format=tar", tag))) as tar:
                tar.extractall(target, filter="data")
            return target
    except (OSError, subprocess.CalledProcessError, json.JSONDecodeError):
        return None
    return None


# --------------------------------------------------------------------------------------------
# SQLite database and Datasette metadata
# --------------------------------------------------------------------------------------------


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def _comment(text: str) -> str:
    return " ".join(text.split())


def column_checks(fld: Field) -> list[str]:
    """SQL CHECK expressions for the constraints of one field that SQLite can test.

    ``pattern`` is left out: SQLite has no regular expressions unless an application adds them,
    and a CHECK calling a missing REGEXP function would make the database unusable elsewhere.
    """
    col = _quote(fld.name)
    checks = []
    if fld.type == "boolean":
        checks.append(f"{col} IN (0, 1)")
    if fld.enum:
        values = [parse_value(fld, str(v)) if fld.type in ("integer", "number") else v for v in fld.enum]
        checks.append(f"{col} IN ({', '.join(_literal(v) for v in values)})")
    if fld.type in ("integer", "number"):
        if fld.minimum is not None:
            checks.append(f"{col} >= {_literal(fld.minimum)}")
        if fld.maximum is not None:
            checks.append(f"{col} <= {_literal(fld.maximum)}")
    if fld.min_length is not None:
        checks.append(f"length({col}) >= {fld.min_length}")
    if fld.max_length is not None:
        checks.append(f"length({col}) <= {fld.max_length}")
    return checks


def create_table_sql(table: Table) -> str:
    """CREATE TABLE for one table, generated from its schema, with descriptions as comments
    (SQLite keeps them in sqlite_master, and Datasette shows that DDL on each table's page)."""
    lines = [f"CREATE TABLE {_quote(table.name)} ( -- {_comment(table.title + ': ' + table.description)}"]
    for fld in table.fields:
        parts = [_quote(fld.name), SQL_TYPES.get(fld.type, "TEXT")]
        if fld.required or fld.name in table.primary_key:
            parts.append("NOT NULL")
        if fld.unique:
            parts.append("UNIQUE")
        parts += [f"CHECK ({check})" for check in column_checks(fld)]
        lines.append(f"  {' '.join(parts)}, -- {_comment(fld.title + ': ' + fld.description)}")
    constraints = []
    if table.primary_key:
        constraints.append(f"PRIMARY KEY ({', '.join(map(_quote, table.primary_key))})")
    for fk in table.foreign_keys:
        # Deferred to COMMIT, so that rows referring to later rows of the same table load in key order.
        constraints.append(
            f"FOREIGN KEY ({', '.join(map(_quote, fk.fields))}) REFERENCES {_quote(fk.resource)} "
            f"({', '.join(map(_quote, fk.ref_fields))}) DEFERRABLE INITIALLY DEFERRED")
    if not constraints:
        lines[-1] = lines[-1].replace(", -- ", " -- ", 1)
    lines += [f"  {c}," for c in constraints[:-1]] + [f"  {c}" for c in constraints[-1:]]
    return "\n".join(lines) + "\n)"


METADATA_DDL = (
    """CREATE TABLE "_tables" ( -- Tables of the package, with their titles and descriptions
  "table_name" TEXT NOT NULL PRIMARY KEY,
  "title" TEXT NOT NULL,
  "description" TEXT NOT NULL,
  "primary_key" TEXT NOT NULL,
  "csv_path" TEXT NOT NULL
)""",
    """CREATE TABLE "_columns" ( -- Columns of every table, from its Table Schema
  "table_name" TEXT NOT NULL REFERENCES "_tables" ("table_name"),
  "column_name" TEXT NOT NULL,
  "position" INTEGER NOT NULL,
  "title" TEXT NOT NULL,
  "type" TEXT NOT NULL,
  "is_required" INTEGER NOT NULL CHECK ("is_required" IN (0, 1)),
  "description" TEXT NOT NULL,
  "constraints" TEXT NOT NULL,
  PRIMARY KEY ("table_name", "column_name")
)""",
    """CREATE TABLE "_categories" ( -- Meaning of each value of the enumerated columns
  "table_name" TEXT NOT NULL,
  "column_name" TEXT NOT NULL,
  "value" TEXT NOT NULL,
  "label" TEXT NOT NULL,
  PRIMARY KEY ("table_name", "column_name", "value"),
  FOREIGN KEY ("table_name", "column_name") REFERENCES "_columns" ("table_name", "column_name")
)""",
)
METADATA_TABLES = ("_tables", "_columns", "_categories")


def _metadata_rows(package: Package) -> dict[str, list[tuple[Any, ...]]]:
    """Rows of the _tables, _columns and _categories tables, from the schemas."""
    tables, columns, categories = [], [], []
    for table in package.tables.values():
        tables.append((table.name, table.title, table.description, ", ".join(table.primary_key),
                       table.path.relative_to(package.root).as_posix()))
        for position, fld in enumerate(table.fields, start=1):
            columns.append((table.name, fld.name, position, fld.title, fld.type, int(fld.required),
                            fld.description, json.dumps(fld.constraints, ensure_ascii=False)))
            categories += [(table.name, fld.name, v, label) for v, label in fld.categories.items()]
    return {"_tables": tables, "_columns": columns, "_categories": categories}


def build_sqlite(package: Package, dest: Path) -> None:
    """Write every table into a fresh SQLite file at ``dest``: DDL from the schemas, rows in
    primary-key order with foreign keys enforced, then VACUUM, so the file is reproducible."""
    dest.unlink(missing_ok=True)
    conn = sqlite3.connect(dest, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("BEGIN")
        for ddl in METADATA_DDL:
            conn.execute(ddl)
        for name, rows in _metadata_rows(package).items():
            if rows:
                marks = ", ".join("?" * len(rows[0]))
                conn.executemany(f"INSERT INTO {_quote(name)} VALUES ({marks})", rows)
        for table in package.tables.values():  # all tables first: inserts check referenced tables
            conn.execute(create_table_sql(table))
        for table in package.tables.values():
            _insert_rows(conn, table)
        try:
            conn.execute("COMMIT")
        except sqlite3.IntegrityError as exc:
            raise ReleaseError(f"{dest.name}: {exc} (run validate to find the row)") from None
        problems = conn.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise ReleaseError(f"{dest.name}: foreign keys broken: {problems[:5]}")
        conn.execute("VACUUM")
    finally:
        conn.close()


def _insert_rows(conn: sqlite3.Connection, table: Table) -> None:
    names = table.field_names
    sql = (f"INSERT INTO {_quote(table.name)} ({', '.join(map(_quote, names))}) "
           f"VALUES ({', '.join('?' * len(names))})")
    rows = sorted(read_rows(table), key=sort_key(table))
    try:
        conn.executemany(sql, ([parse_value(table.field(n), row.get(n)) for n in names] for row in rows))
    except (sqlite3.IntegrityError, ValueError) as exc:
        raise ReleaseError(f"{table.path.name}: cannot load into SQLite: {exc}") from None


def _license(package: Package) -> dict[str, str]:
    licenses = package.descriptor.get("licenses") or [{}]
    return licenses[0]


def datasette_metadata(package: Package) -> dict[str, Any]:
    """Datasette ``metadata.json``: package title, description, licence and source, and each
    table's and column's description from the schemas."""
    lic = _license(package)
    meta: dict[str, Any] = {
        "title": package.title,
        "description": package.descriptor.get("description", ""),
        "license": lic.get("name", ""),
        "license_url": lic.get("path", ""),
        "source": _source_text(package),
    }
    if package.descriptor.get("homepage"):
        meta["source_url"] = package.descriptor["homepage"]
    tables: dict[str, Any] = {}
    for table in package.tables.values():
        tables[table.name] = {
            "title": table.title,
            "description": table.description,
            "columns": {f.name: _column_description(f) for f in table.fields},
        }
    tables.update({name: {"hidden": True} for name in METADATA_TABLES})
    meta["databases"] = {package.name: {"tables": tables}}
    return meta


def _column_description(fld: Field) -> str:
    if not fld.categories:
        return fld.description
    return f"{fld.description} Values: {', '.join(fld.categories)} (meanings in _categories)."


def _source_text(package: Package) -> str:
    sources = package.descriptor.get("sources") or []
    titles = [s.get("title") or s.get("path", "") for s in sources if isinstance(s, dict)]
    return "; ".join(t for t in titles if t) or f"{package.title}, version {package.version}"


# --------------------------------------------------------------------------------------------
# Data dictionary and entity-relationship diagram
# --------------------------------------------------------------------------------------------


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _constraints_text(fld: Field, table: Table) -> str:
    parts = []
    if fld.name in table.primary_key:
        parts.append("primary key" if len(table.primary_key) == 1 else "part of primary key")
    if fld.unique:
        parts.append("unique")
    if fld.enum:
        parts.append("one of the values listed below")
    if fld.type == "boolean":
        parts.append(f"`{fld.true_values[0]}` or `{fld.false_values[0]}`")
    if fld.pattern:
        parts.append(f"pattern `{fld.pattern}`")
    for label, value in (("minimum", fld.minimum), ("maximum", fld.maximum),
                         ("min length", fld.min_length), ("max length", fld.max_length)):
        if value is not None:
            parts.append(f"{label} {value}")
    return "; ".join(parts)


def render_data_dictionary(package: Package) -> str:
    """The data dictionary in Markdown, generated from the schemas.

    frictionless's ``Schema.to_markdown`` was tried: it prints constraints as Python reprs
    (``True``, ``['a', 'b']``) and leaves out the labels of enum values (or dumps the raw
    ``categories`` dicts in table mode), so this renders the same schema facts for a reader,
    with every enum value explained.
    """
    lines = [
        f"# Data dictionary: {package.title}",
        "",
        f"Version {package.version}. Generated from the Table Schemas in `schemas/` by "
        "`python -m scripts release`; edit the schemas, not this file.",
        "",
        " ".join(package.descriptor.get("description", "").split()),
        "",
        "An empty cell means that the value is not known or does not apply. See also the "
        f"[entity-relationship diagram]({ERD}).",
        "",
        "| Table | Title | Description |",
        "| --- | --- | --- |",
    ]
    lines += [f"| [`{t.name}`](#{t.name}) | {_cell(t.title)} | {_cell(t.description)} |"
              for t in package.tables.values()]
    for table in package.tables.values():
        lines += ["", *_table_section(table)]
    return "\n".join(lines) + "\n"


def _table_section(table: Table) -> list[str]:
    lines = [
        f"## {table.name}",
        "",
        f"**{table.title}.** {' '.join(table.description.split())}",
        "",
        f"- File: `{table.path.parent.name}/{table.path.name}`",
        f"- Primary key: {', '.join(f'`{k}`' for k in table.primary_key) or 'none'}",
    ]
    if table.foreign_keys:
        refs = [f"{', '.join(f'`{f}`' for f in fk.fields)} → [`{fk.resource}`](#{fk.resource})."
                f"{', '.join(f'`{f}`' for f in fk.ref_fields)}" for fk in table.foreign_keys]
        lines.append(f"- Foreign keys: {'; '.join(refs)}")
    lines += ["", "| Field | Title | Type | Required | Constraints | Description |",
              "| --- | --- | --- | --- | --- | --- |"]
    lines += [f"| `{f.name}` | {_cell(f.title)} | {f.type} | {'yes' if f.required else 'no'} | "
              f"{_cell(_constraints_text(f, table))} | {_cell(f.description)} |" for f in table.fields]
    for fld in table.fields:
        if fld.enum or fld.categories:
            labels = fld.categories
            values = [str(v) for v in fld.enum] if fld.enum else list(labels)
            lines += ["", f"Values of `{fld.name}`:", "", "| Value | Meaning |", "| --- | --- |"]
            lines += [f"| `{_cell(v)}` | {_cell(labels.get(v, ''))} |" for v in values]
    return lines


def erd_dot(package: Package) -> str:
    """Graphviz DOT source of the entity-relationship diagram: one node per table listing its
    fields (primary key underlined, foreign keys in italics), one edge per foreign key."""
    lines = [
        "digraph erd {",
        '  graph [rankdir=LR, fontname="Helvetica", nodesep=0.3, ranksep=0.9];',
        '  node [shape=plain, fontname="Helvetica", fontsize=10];',
        '  edge [color="#555555", arrowsize=0.7];',
    ]
    for table in package.tables.values():
        fk_fields = {f for fk in table.foreign_keys for f in fk.fields}
        rows = [f'<TR><TD BGCOLOR="#dbe5f1"><B>{html.escape(table.name)}</B></TD></TR>']
        for fld in table.fields:
            name = html.escape(fld.name)
            if fld.name in table.primary_key:
                name = f"<U>{name}</U>"
            if fld.name in fk_fields:
                name = f"<I>{name}</I>"
            rows.append(f'<TR><TD PORT="{html.escape(fld.name)}" ALIGN="LEFT">{name} '
                        f'<FONT COLOR="#777777">{html.escape(fld.type)}</FONT></TD></TR>')
        body = "".join(rows)
        lines.append(f'  "{table.name}" [label=<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" '
                     f'CELLPADDING="3">{body}</TABLE>>];')
    for table in package.tables.values():
        for fk in table.foreign_keys:
            lines.append(f'  "{table.name}":"{fk.fields[0]}" -> "{fk.resource}":"{fk.ref_fields[0]}";')
    lines.append("}")
    return "\n".join(lines) + "\n"


def dot_digest(dot: str) -> str:
    return hashlib.sha256(dot.encode("utf-8")).hexdigest()


def svg_digest(svg: str) -> str | None:
    """The digest of the DOT source an ERD SVG was drawn from (None when it carries none)."""
    match = DOT_DIGEST.search(svg)
    return match.group(1) if match else None


def render_erd_svg(package: Package) -> str:
    """Draw the ERD with graphviz ``dot``. The generator-version comment is removed and the DOT
    source's digest added, so that the SVG is reproducible and its freshness checkable without
    depending on the graphviz version that drew it."""
    dot = erd_dot(package)
    if shutil.which("dot") is None:
        committed = package.root / DOCS / ERD
        if committed.is_file() and svg_digest(committed.read_text(encoding="utf-8")) == dot_digest(dot):
            return committed.read_text(encoding="utf-8")
        raise ReleaseError("graphviz 'dot' not found on PATH (install graphviz) and docs/erd.svg is stale")
    done = subprocess.run(["dot", "-Tsvg"], input=dot.encode("utf-8"), capture_output=True)
    if done.returncode != 0:
        raise ReleaseError(f"dot failed: {done.stderr.decode(errors='replace').strip()}")
    svg = re.sub(r"<!-- Generated by graphviz[^>]*-->\n", "", done.stdout.decode("utf-8"))
    return svg.replace("<svg ", f"<!-- dot-sha256: {dot_digest(dot)} -->\n<svg ", 1)


def write_docs(package: Package, erd_svg: str | None = None) -> list[Path]:
    """Refresh docs/data-dictionary.md and docs/erd.svg; return the files that changed."""
    docs = package.root / DOCS
    wanted = {DICTIONARY: render_data_dictionary(package),
              ERD: erd_svg if erd_svg is not None else render_erd_svg(package)}
    changed = []
    for name, text in wanted.items():
        path = docs / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            write_shared(path, text)
            changed.append(path)
    return changed


def write_shared(path: Path, text: str) -> None:
    """atomic_write, keeping the file readable by everyone (its temporary file is private)."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    atomic_write(path, text)
    path.chmod(mode)


# --------------------------------------------------------------------------------------------
# Portal metadata: schema.org JSON-LD, Zenodo, CKAN
# --------------------------------------------------------------------------------------------


def _creators(package: Package) -> list[dict[str, Any]]:
    """Contributors with the creator role (all contributors when none has it)."""
    people = package.descriptor.get("contributors") or []
    creators = [c for c in people if "creator" in (c.get("roles") or [c.get("role")])]
    return creators or people


def _person_name(contributor: dict[str, Any]) -> str:
    if contributor.get("familyName"):
        return f"{contributor['familyName']}, {contributor.get('givenName', '')}".rstrip(", ")
    return contributor.get("title", "")


def schema_org(package: Package, files: list[str]) -> dict[str, Any]:
    """schema.org ``Dataset`` JSON-LD, the record that dataset search engines read."""
    desc = package.descriptor
    lic = _license(package)
    creators = []
    for person in _creators(package):
        kind = "Person" if person.get("familyName") else "Organization"
        entry = {"@type": kind, "name": person.get("title") or _person_name(person)}
        if person.get("email"):
            entry["email"] = person["email"]
        creators.append(entry)
    data: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "name": package.title,
        "alternateName": package.name,
        "description": desc.get("description", ""),
        "version": package.version,
        "identifier": desc.get("id", package.name),
        "license": lic.get("path", lic.get("name", "")),
        "keywords": desc.get("keywords", []),
        "creator": creators,
        "isAccessibleForFree": True,
        "dateCreated": desc.get("created", ""),
        "variableMeasured": [t.title for t in package.tables.values()],
        "distribution": [{"@type": "DataDownload", "name": f, "contentUrl": _url(package, f),
                          "encodingFormat": _media_type(f)} for f in files],
    }
    if desc.get("homepage"):
        data["url"] = desc["homepage"]
    return data


def _url(package: Package, name: str) -> str:
    base = package.descriptor.get("homepage")
    return f"{base.rstrip('/')}/{name}" if base else name


MEDIA_TYPES = {".zip": "application/zip", ".sqlite": "application/vnd.sqlite3",
               ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               ".md": "text/markdown", ".svg": "image/svg+xml", ".json": "application/json",
               ".jsonld": "application/ld+json"}


def _media_type(name: str) -> str:
    return MEDIA_TYPES.get(Path(name).suffix, "text/plain")


def zenodo_metadata(package: Package) -> dict[str, Any]:
    """Zenodo deposition metadata (the body of the deposition API's ``metadata``); no publication
    date, which Zenodo sets on publishing."""
    desc = package.descriptor
    return {"metadata": {
        "upload_type": "dataset",
        "title": package.title,
        "description": html.escape(desc.get("description", ""), quote=False),
        "version": package.version,
        "creators": [{"name": _person_name(c)} for c in _creators(package)],
        "keywords": desc.get("keywords", []),
        "license": _license(package).get("name", "").lower(),
        "access_right": "open",
    }}


def ckan_package(package: Package, files: list[str]) -> dict[str, Any]:
    """A CKAN ``package_create`` body: the dataset and one resource per released file."""
    desc = package.descriptor
    creators = _creators(package)
    return {
        "name": package.name,
        "title": package.title,
        "notes": desc.get("description", ""),
        "version": package.version,
        "license_id": _license(package).get("name", ""),
        "author": "; ".join(_person_name(c) for c in creators),
        "tags": [{"name": k} for k in desc.get("keywords", [])],
        "resources": [{"name": f, "url": _url(package, f), "format": Path(f).suffix.lstrip(".").upper(),
                       "mimetype": _media_type(f)} for f in files],
    }


# --------------------------------------------------------------------------------------------
# The release
# --------------------------------------------------------------------------------------------


def citation_version(root: Path) -> str | None:
    """The top-level ``version`` of CITATION.cff (None when the file or the key is missing)."""
    import yaml

    path = root / CITATION
    if not path.is_file():
        return None
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    version = data.get("version") if isinstance(data, dict) else None
    return None if version is None else str(version)


def license_files(root: Path) -> list[Path]:
    return sorted(p for p in root.glob("LICENSE*") if p.is_file())


def preflight(package: Package) -> list[Problem]:
    """Problems that make the package unreleasable apart from its data: missing README, licence
    or citation file, and a CITATION.cff version different from datapackage.json's."""
    root, problems = package.root, []
    for name in (README, CITATION):
        if not (root / name).is_file():
            problems.append(Problem(name, None, None, None, "release-file-missing",
                                    f"{name} is missing", f"add {name}; the release zip includes it"))
    if not license_files(root):
        problems.append(Problem("LICENSE", None, None, None, "release-file-missing",
                                "no LICENSE file", "add the licence text(s) as LICENSE*"))
    cited = citation_version(root)
    if (root / CITATION).is_file() and cited != package.version:
        problems.append(Problem(
            CITATION, None, "version", cited, "version-mismatch",
            f"CITATION.cff has version {cited!r} but {DESCRIPTOR} has {package.version!r}",
            "give both files the same version"))
    return problems


def zip_package(package: Package, dest: Path, changelog: str | None, docs: dict[str, str] | None = None) -> None:
    """The Data Package as a zip: sorted entries, fixed times and permissions, so it is reproducible.

    ``docs`` maps names under docs/ to the texts generated by this build (the README links to them),
    so the zip never carries a stale copy from the working tree."""
    root = package.root
    files = [root / DESCRIPTOR, root / README, root / CITATION, *license_files(root)]
    for table in package.tables.values():
        files += [table.path, table.schema_path]
    entries = {p.relative_to(root).as_posix(): p.read_bytes() for p in files if p.is_file()}
    if changelog is not None:
        entries[CHANGELOG] = changelog.encode("utf-8")
    for doc_name, text in (docs or {}).items():
        entries[f"{DOCS}/{doc_name}"] = text.encode("utf-8")
    with zipfile.ZipFile(dest, "w") as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16  # regular file, rw-r--r--
            archive.writestr(info, entries[name], compresslevel=9)


def checksums(directory: Path) -> str:
    """``sha256sum`` format over every file of ``directory`` (sorted by name)."""
    lines = []
    for path in sorted(p for p in directory.iterdir() if p.is_file() and p.name != CHECKSUMS):
        lines.append(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.name}")
    return "\n".join(lines) + "\n"


def _json_bytes(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _previous_diff(package: Package, previous: Path | None) -> PackageDiff | None:
    """The diff against ``previous`` (zip or directory), else the last git tag, else None."""
    if previous is not None:
        with open_package(previous) as old:
            return diff_packages(old, package)
    with tempfile.TemporaryDirectory(prefix="cac-prev-") as tmp:
        found = previous_from_git(package.root, package.version, Path(tmp))
        if found is None:
            return None
        return diff_packages(load_package(found), package)


def build_into(package: Package, stage: Path, changelog: str, diff: PackageDiff | None,
               erd_svg: str) -> None:
    """Write every release file of ``package`` into the empty directory ``stage``."""
    from scripts.workbook import ExportError, export_workbook

    name, version = package.name, package.version
    dictionary = render_data_dictionary(package)
    zip_package(package, stage / f"{name}-{version}.zip", changelog, {DICTIONARY: dictionary, ERD: erd_svg})
    try:
        export_workbook(package, stage / f"{name}.xlsx")
    except ExportError as exc:
        raise ReleaseError(f"workbook: {exc}") from None
    build_sqlite(package, stage / f"{name}.sqlite")
    atomic_write(stage / "datasette-metadata.json", _json_bytes(datasette_metadata(package)))
    atomic_write(stage / DICTIONARY, dictionary)
    atomic_write(stage / ERD, erd_svg)
    if diff is not None:
        atomic_write(stage / "changes.json", _json_bytes(diff_json(diff)))
    files = sorted(p.name for p in stage.iterdir())
    atomic_write(stage / "schema-org.jsonld", _json_bytes(schema_org(package, files)))
    atomic_write(stage / "zenodo.json", _json_bytes(zenodo_metadata(package)))
    atomic_write(stage / "ckan-package.json", _json_bytes(ckan_package(package, files)))
    atomic_write(stage / CHECKSUMS, checksums(stage))


def _release_names(package: Package) -> re.Pattern[str]:
    """Names a release writes into dist/ (any version), so that replacing dist/ never deletes
    files the release did not make."""
    name = re.escape(package.name)
    fixed = "|".join(re.escape(n) for n in (
        "datasette-metadata.json", DICTIONARY, ERD, "changes.json", "schema-org.jsonld",
        "zenodo.json", "ckan-package.json", CHECKSUMS))
    return re.compile(rf"^(?:{name}-.+\.zip|{name}\.xlsx|{name}\.sqlite|{fixed})$")


def check_dist(dist: Path, package: Package) -> None:
    """Refuse a dist/ that holds anything but files of earlier builds, since it gets replaced."""
    if not dist.exists():
        return
    if not dist.is_dir():
        raise ReleaseError(f"{dist} is not a directory")
    allowed = _release_names(package)
    foreign = sorted(p.name for p in dist.iterdir() if not (p.is_file() and allowed.match(p.name)))
    if foreign:
        raise ReleaseError(f"{dist} holds files a release did not write ({', '.join(foreign)}); "
                           "move them or choose another --dist")


def _publishable(stage: Path) -> None:
    """Readable by everyone, as a published directory should be (temporary files are private)."""
    stage.chmod(0o755)
    for path in stage.iterdir():
        path.chmod(0o644)


def _swap_into(stage: Path, dist: Path) -> None:
    """Replace ``dist`` by the complete ``stage`` with two renames (the old dist/ is put back
    if the second fails)."""
    if not dist.exists():
        os.replace(stage, dist)
        return
    old = dist.with_name(f".{dist.name}.old-{os.getpid()}")
    os.replace(dist, old)
    try:
        os.replace(stage, dist)
    except OSError:
        os.replace(old, dist)
        raise
    shutil.rmtree(old)


@dataclass
class ReleaseResult:
    dist: Path
    files: dict[str, int]
    seconds: float
    docs_changed: list[Path]
    changelog_changed: bool


def release(root: Path, dist: Path | None = None, sources: Path | None = None,
            previous: Path | None = None) -> ReleaseResult:
    """Validate the package at ``root`` and build its release into ``dist`` (default root/dist).

    Raises ReleaseRefused (nothing written) when the package is invalid or not releasable, and
    ReleaseError (nothing written) when a tool fails or dist/ holds files a release did not make.
    """
    from scripts.validate import default_sources, validate_package

    started = time.perf_counter()
    root = Path(root)
    package = load_package(root)
    dist = Path(dist) if dist is not None else root / "dist"
    check_dist(dist, package)
    sources = Path(sources) if sources is not None else default_sources(root)
    problems = preflight(package) + list(validate_package(root, sources))
    if problems:
        raise ReleaseRefused(problems)
    diff = _previous_diff(package, previous)
    changelog_path = root / CHANGELOG
    old_log = changelog_path.read_text(encoding="utf-8") if changelog_path.is_file() else ""
    changelog = update_changelog(old_log, package.version, changes_markdown(diff, package))
    erd_svg = render_erd_svg(package)
    dist.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{dist.name}.stage-", dir=dist.parent))
    try:
        build_into(package, stage, changelog, diff, erd_svg)
        _publishable(stage)
        _swap_into(stage, dist)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    if changelog != old_log:
        write_shared(changelog_path, changelog)
    docs_changed = write_docs(package, erd_svg)
    files = {p.name: p.stat().st_size for p in sorted(dist.iterdir())}
    return ReleaseResult(dist, files, time.perf_counter() - started, docs_changed, changelog != old_log)


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def _release_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts release",
                                     description="Validate the package and build the release in dist/.")
    parser.add_argument("root", nargs="?", default=".", type=Path, help="package directory (default .)")
    parser.add_argument("--sources", type=Path,
                        help="source texts for the provenance checks (default: ../shared/sources)")
    parser.add_argument("--dist", type=Path, help="output directory (default ROOT/dist)")
    parser.add_argument("--previous", type=Path,
                        help="previous release zip or directory to diff against (default: last git tag)")
    args = parser.parse_args(argv)
    if args.sources is not None and not args.sources.is_dir():
        print(f"release failed: sources folder {args.sources} not found", file=sys.stderr)
        return 2
    try:
        result = release(args.root, args.dist, args.sources, args.previous)
    except ReleaseRefused as refused:
        sys.stderr.write(render_text(refused.problems))
        print("release refused: nothing written", file=sys.stderr)
        return 1
    except (PackageError, ReleaseError) as exc:
        print(f"release failed: {exc}", file=sys.stderr)
        return 2
    print("validation: 0 problems")
    for name, size in result.files.items():
        print(f"{result.dist / name}  {size:,} bytes")
    for path in result.docs_changed:
        print(f"updated {path}")
    if result.changelog_changed:
        print(f"updated {args.root / CHANGELOG}")
    print(f"release built in {result.seconds:.1f} s")
    return 0


def _diff_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts diff",
                                     description="Compare two versions of the package by primary key.")
    parser.add_argument("old", type=Path, help="old version: package directory or release zip")
    parser.add_argument("new", type=Path, help="new version: package directory or release zip")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args(argv)
    try:
        with open_package(args.old) as old, open_package(args.new) as new:
            diff = diff_packages(old, new)
    except (PackageError, OSError, KeyError) as exc:
        print(f"diff failed: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(_json_bytes(diff_json(diff)) if args.format == "json" else diff_text(diff))
    return 0


def _docs_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.release docs",
                                     description="Refresh docs/data-dictionary.md and docs/erd.svg.")
    parser.add_argument("root", nargs="?", default=".", type=Path)
    args = parser.parse_args(argv)
    try:
        changed = write_docs(load_package(args.root))
    except (PackageError, ReleaseError) as exc:
        print(f"docs failed: {exc}", file=sys.stderr)
        return 2
    for path in changed:
        print(f"updated {path}")
    return 0


def run(verb: str, argv: list[str]) -> int:
    """CLI entry for the ``release``, ``diff`` and ``docs`` verbs."""
    commands = {"release": _release_command, "diff": _diff_command, "docs": _docs_command}
    if verb not in commands:
        print(f"scripts.release does not handle {verb!r}", file=sys.stderr)
        return 2
    return commands[verb](argv)


if __name__ == "__main__":
    sys.exit(run(sys.argv[1], sys.argv[2:]) if len(sys.argv) > 1 else run("", []))
