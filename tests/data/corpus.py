"""Helpers of the bad-input corpus: a writable package copy edited as a contributor would."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from scripts.model.meta import descriptor_source, json_text
from scripts.model.package import Package, csv_text, load_package, read_rows
from scripts.validate import validate_package

Expected = set[tuple[str, str, int | None, str | None]]


@dataclass
class Copy:
    """A writable package copy with helpers that edit it the way a contributor would: its tables
    only (a variant that breaks the descriptor or a schema writes the file itself, without these),
    but for the descriptor's ``sources``, which a contributor editing sources.csv keeps in step
    (``descriptor-sources``; a variant about that disagreement writes sources.csv itself)."""

    root: Path
    _package: Package | None = field(default=None, repr=False)

    @property
    def package(self) -> Package:
        """The copy's descriptor and schemas, loaded once (the helpers never change them)."""
        if self._package is None:
            self._package = load_package(self.root)
        return self._package

    def file(self, table: str) -> str:
        return f"tables/{table}.csv"

    def path(self, table: str) -> Path:
        return self.root / self.file(table)

    def rows(self, table: str) -> list[dict[str, str]]:
        return read_rows(self.package.table(table))

    def write(self, table: str, rows: list[dict[str, str]]) -> None:
        self.path(table).write_text(csv_text(self.package.table(table), rows), encoding="utf-8")
        if table == "sources":
            self._describe_sources()

    def _describe_sources(self) -> None:
        """The descriptor's sources rewritten from sources.csv, as the rule wants them."""
        path = self.root / "datapackage.json"
        descriptor = json.loads(path.read_text(encoding="utf-8"))
        descriptor["sources"] = [descriptor_source(r) for r in self.rows("sources")]
        path.write_text(json_text(descriptor), encoding="utf-8")

    def row_of(self, table: str, key: str) -> int:
        """Spreadsheet row of the record whose key (as citations write it) is ``key``."""
        t = self.package.table(table)
        for index, row in enumerate(self.rows(table)):
            if t.record_key(row) == key:
                return index + 2
        raise KeyError(f"{table} has no record {key}")

    def edit(self, table: str, key: str, **changes: str) -> int:
        """Change fields of one record (the file stays sorted); return its spreadsheet row."""
        t = self.package.table(table)
        unknown = set(changes) - set(t.field_names)
        assert not unknown, f"{table} has no field {sorted(unknown)}: the edit would be dropped unwritten"
        rows = self.rows(table)
        target = next(r for r in rows if t.record_key(r) == key)
        target.update(changes)
        self.write(table, rows)
        return self.row_of(table, t.record_key(target))

    def find(self, table: str, **where: str) -> dict[str, str]:
        """The first record matching every ``field=value`` (``value`` '*' = any non-empty value)."""
        for row in self.rows(table):
            if all(row[k] != "" if v == "*" else row[k] == v for k, v in where.items()):
                return row
        pytest.fail(f"the real data has no {table} record with {where}: pick another record for this variant")

    def key(self, table: str, row: dict[str, str]) -> str:
        return self.package.table(table).record_key(row)

    def text(self, table: str) -> str:
        return self.path(table).read_text(encoding="utf-8")

    def cite(self, table: str, key: str, source_id: str, field: str = "", support: str = "paraphrase") -> None:
        """Add a citation of ``table``/``key`` from ``source_id`` (of the whole record unless ``field``)."""
        rows = self.rows("citations")
        number = max(int(r["citation_id"][1:]) for r in rows) + 1
        rows.append({"citation_id": f"C{number:04d}", "table_name": table, "record_id": key, "field_name": field,
                     "source_id": source_id, "line_start": "1", "line_end": "1", "support": support,
                     "evidence": "x"})
        self.write("citations", rows)

    def add(self, table: str, **cells: str) -> None:
        """Add a record (fields not given are empty); the file is written back sorted."""
        fields = self.package.table(table).field_names
        self.write(table, [*self.rows(table), {f: cells.get(f, "") for f in fields}])

    def citation(self, table: str, key: str, field: str) -> str:
        """The id of the citation of ``table``/``key`` that names ``field``."""
        return next(c["citation_id"] for c in self.rows("citations")
                    if (c["table_name"], c["record_id"], c["field_name"]) == (table, key, field))

    def uncite(self, table: str, key: str, field: str) -> None:
        """Remove the citations of ``table``/``key`` that name ``field``."""
        self.write("citations", [c for c in self.rows("citations")
                                 if (c["table_name"], c["record_id"], c["field_name"]) != (table, key, field)])


def edit_field(root: Path, table: str, key: str, field: str, value: str) -> int:
    """Set one field of one record of the package at ``root``; return its spreadsheet row."""
    return Copy(root).edit(table, key, **{field: value})


GENERATED = frozenset({"dist", "mutants"})  # a checkout's generated folders, beside its hidden ones


def fingerprint(root: Path) -> dict[str, str]:
    """Every file under ``root`` by its digest, but for a checkout's hidden and generated folders
    (.venv, .git, dist, mutants) and Python's byte code (a module first imported during the
    validation writes its own): hashing the virtual environment made validating the checkout
    itself a 3-second test."""
    tops = [p for p in root.iterdir() if not (p.is_dir() and (p.name.startswith(".") or p.name in GENERATED))]
    files = [p for top in tops for p in ([top] if top.is_file() else top.rglob("*"))
             if p.is_file() and "__pycache__" not in p.parts]
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(files)}


def found(root: Path, sources: Path | None = None) -> Expected:
    """Validate ``root`` and return the problems as (rule, file, row, field), checking no file changed."""
    before = fingerprint(root)
    if sources is not None:
        before_sources = fingerprint(sources)
    problems = validate_package(root, sources)
    assert fingerprint(root) == before, "validation modified the package"
    if sources is not None:
        assert fingerprint(sources) == before_sources, "validation modified the sources"
    return {(p.rule, p.file, p.row, p.field) for p in problems}


def person_column(c: Copy, table: str) -> str:
    """The column of ``table`` that refers to a person (the data calls it person_id or leader_id)."""
    for fk in c.package.table(table).foreign_keys:
        if fk.resource in ("persons", "leaders"):
            return fk.fields[0]
    pytest.fail(f"{table} has no foreign key to a person table")


def as_of_table(c: Copy) -> str:
    """The table whose records hold an office as of a date (memberships; leader_offices before)."""
    for table in c.package.tables.values():
        if "as_of" in table.field_names:
            return table.name
    pytest.fail("no table has an as_of date: pick another field for the date variants")
