"""Record-by-record differences between two versions of the package, by primary key.

Values are compared typed (:func:`scripts.model.cells.read_cell`), so a number written ``1.0`` in one version
and ``1`` in the other is not a change. The same diff is printed for people (``diff``), written as
``changes.json`` into a release, and summarised into CHANGELOG by ``bump``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from scripts.model import cells
from scripts.model.cells import CellError
from scripts.model.package import Package, Table, read_rows


@dataclass
class RowChange:
    """One row present in both versions whose values differ: field -> (old, new)."""

    key: str
    fields: dict[str, tuple[Any, Any]]


@dataclass
class TableDiff:
    """The differences of one table."""

    name: str
    status: str  # "added", "removed" (the whole table) or "kept"
    primary_key: tuple[str, ...]
    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    changed: list[RowChange] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return self.status == "kept" and not (self.added or self.removed or self.changed)

    def label(self, row: dict[str, Any]) -> str:
        return "/".join(str(row.get(k)) for k in self.primary_key)


@dataclass
class PackageDiff:
    old_version: str
    new_version: str
    tables: list[TableDiff]

    def totals(self) -> dict[str, int]:
        return {"added": sum(len(t.added) for t in self.tables),
                "removed": sum(len(t.removed) for t in self.tables),
                "changed": sum(len(t.changed) for t in self.tables)}


def _text(text: str | None) -> Any:
    return text if text not in (None, "") else None


def typed_rows(table: Table, rows: list[dict[str, str]]) -> dict[str, dict[str, Any]]:
    """Rows keyed by primary key (whole row without one), each value typed where it can be."""
    keyed = table if table.primary_key else replace(table, primary_key=tuple(table.field_names))
    names = set(table.field_names)
    out: dict[str, dict[str, Any]] = {}
    for raw in rows:
        row: dict[str, Any] = {}
        for name, text in raw.items():
            try:
                row[name] = cells.read_cell(table.field(name), text) if name in names else _text(text)
            except CellError:
                row[name] = _text(text)
        out[keyed.record_key({k: raw.get(k, "") for k in keyed.primary_key})] = row
    return out


def _changes(before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]) -> list[RowChange]:
    """Rows in both versions whose values differ, field by field, in key order."""
    out = []
    for key in sorted(before.keys() & after.keys()):
        a, b = before[key], after[key]
        names = list(b) + [n for n in a if n not in b]
        changes = {n: (a.get(n), b.get(n)) for n in names if a.get(n) != b.get(n)}
        if changes:
            out.append(RowChange(key, changes))
    return out


def diff_tables(name: str, old: Table | None, old_rows: list[dict[str, str]],
                new: Table | None, new_rows: list[dict[str, str]]) -> TableDiff:
    """Compare one table across versions: rows added, removed, changed field by field."""
    table = new or old
    if table is None:
        raise ValueError("diff_tables needs at least one version of the table")
    before = typed_rows(old, old_rows) if old else {}
    after = typed_rows(new, new_rows) if new else {}
    status = "added" if old is None else "removed" if new is None else "kept"
    result = TableDiff(name, status, table.primary_key or tuple(table.field_names))
    result.added = [after[k] for k in sorted(after.keys() - before.keys())]
    result.removed = [before[k] for k in sorted(before.keys() - after.keys())]
    result.changed = _changes(before, after)
    return result


def diff_packages(old: Package, new: Package, new_rows: dict[str, list[dict[str, str]]] | None = None) -> PackageDiff:
    """Compare every table (new order first, then tables only in the old version). ``new_rows``
    are the already-read rows of ``new`` (a release's snapshot), to read nothing twice."""
    names = list(new.tables) + [n for n in old.tables if n not in new.tables]
    tables = []
    for name in names:
        o, n = old.tables.get(name), new.tables.get(name)
        o_rows = read_rows(o) if o else []
        n_rows = (new_rows[name] if new_rows is not None else read_rows(n)) if n else []
        tables.append(diff_tables(name, o, o_rows, n, n_rows))
    return PackageDiff(old.version, new.version, tables)


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def diff_text(diff: PackageDiff) -> str:
    """The diff for people: a line per table with changes, then one line per row."""
    lines = [f"version {diff.old_version} -> {diff.new_version}"]
    for table in diff.tables:
        if table.is_empty:
            continue
        note = "" if table.status == "kept" else f" (table {table.status})"
        lines.append(f"{table.name}{note}: {len(table.added)} added, {len(table.removed)} removed, "
                     f"{len(table.changed)} changed")
        lines += [f"  + {table.label(row)}" for row in table.added]
        lines += [f"  - {table.label(row)}" for row in table.removed]
        for change in table.changed:
            lines += [f"  ~ {change.key}: {n} {_show(o)} -> {_show(v)}" for n, (o, v) in change.fields.items()]
    totals = diff.totals()
    if not any(totals.values()):
        lines.append("no changes")
    lines.append(f"total: {totals['added']} added, {totals['removed']} removed, {totals['changed']} changed")
    return "\n".join(lines) + "\n"


def diff_json(diff: PackageDiff) -> dict[str, Any]:
    """The diff for tools: only tables with changes are listed."""
    tables = {}
    for t in diff.tables:
        if t.is_empty:
            continue
        tables[t.name] = {
            "status": t.status,
            "added": [{"key": t.label(row), "row": row} for row in t.added],
            "removed": [{"key": t.label(row), "row": row} for row in t.removed],
            "changed": [{"key": c.key, "fields": {n: {"old": o, "new": v} for n, (o, v) in c.fields.items()}}
                        for c in t.changed],
        }
    return {"old_version": diff.old_version, "new_version": diff.new_version,
            "totals": diff.totals(), "tables": tables}


def diff_summary(diff: PackageDiff, limit: int = 20) -> str:
    """The diff as CHANGELOG Markdown: totals, then per table the counts and the first keys."""
    totals = diff.totals()
    lines = [f"Data changes since {diff.old_version}: {totals['added']} added, "
             f"{totals['removed']} removed, {totals['changed']} changed records."]
    if not any(totals.values()):
        return lines[0]
    lines.append("")
    for t in diff.tables:
        if t.is_empty:
            continue
        note = "" if t.status == "kept" else f" (table {t.status})"
        keys = [f"+`{t.label(r)}`" for r in t.added] + [f"-`{t.label(r)}`" for r in t.removed] + \
               [f"~`{c.key}`" for c in t.changed]
        more = f" and {len(keys) - limit} more" if len(keys) > limit else ""
        lines.append(f"- `{t.name}`{note}: {len(t.added)} added, {len(t.removed)} removed, "
                     f"{len(t.changed)} changed ({', '.join(keys[:limit])}{more})")
    return "\n".join(lines)
