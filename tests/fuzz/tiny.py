"""A tiny valid package for the fuzz tests: two tables joined by a foreign key, every release file
it needs, built in a few milliseconds, so that each hostile variant costs the verbs little."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scripts.release.generated import write_generated

DESCRIPTOR: dict[str, Any] = {
    "name": "fuzz-package",
    "title": "Fuzz package",
    "description": "Two small tables for property-based tests.",
    "version": "0.1.0",
    "created": "2026-01-01T00:00:00Z",
    "homepage": "https://example.org/fuzz",
    "cac:download_base": "https://example.org/fuzz/releases/v{version}/",
    "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
                  "title": "Creative Commons Attribution 4.0"}],
    "contributors": [{"title": "Fuzz maintainers", "roles": ["creator"]}],
    "keywords": ["fuzz"],
    "resources": [
        {"name": "things", "type": "table", "path": "tables/things.csv", "format": "csv", "mediatype": "text/csv",
         "encoding": "utf-8", "title": "Things", "description": "One row per thing.", "schema": "schemas/things.json"},
        {"name": "parts", "type": "table", "path": "tables/parts.csv", "format": "csv", "mediatype": "text/csv",
         "encoding": "utf-8", "title": "Parts", "description": "Parts of things.", "schema": "schemas/parts.json"},
    ],
}
SCHEMAS: dict[str, dict[str, Any]] = {
    "things": {"fields": [
        {"name": "thing_id", "type": "string", "title": "Thing", "description": "Key.",
         "constraints": {"required": True, "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"}},
        {"name": "name", "type": "string", "title": "Name", "description": "Its name.",
         "constraints": {"required": True, "maxLength": 200}},
        {"name": "note", "type": "string", "title": "Note", "description": "Free text.", "multiline": True},
        {"name": "count", "type": "integer", "title": "Count", "description": "How many.",
         "constraints": {"minimum": 0}},
    ], "primaryKey": ["thing_id"]},
    "parts": {"fields": [
        {"name": "part_id", "type": "string", "title": "Part", "description": "Key.",
         "constraints": {"required": True}},
        {"name": "thing_id", "type": "string", "title": "Thing", "description": "Whose part."},
        {"name": "share", "type": "number", "title": "Share", "description": "Its share."},
    ], "primaryKey": ["part_id"],
        "foreignKeys": [{"fields": ["thing_id"], "reference": {"resource": "things", "fields": ["thing_id"]}}]},
}
TABLES = {
    "things": [["thing_id", "name", "note", "count"], ["alpha", "Alpha", "first", "1"],
               ["beta", "Beta", "", "2"], ["gamma", "Gamma", "two\nlines", ""]],
    "parts": [["part_id", "thing_id", "share"], ["p1", "alpha", "0.5"], ["p2", "beta", "1.25"]],
}


def csv_line(cells: list[str]) -> str:
    """One CSV line as the package writes it (quoted only where needed, LF)."""
    out = []
    for cell in cells:
        needs = any(c in cell for c in ',"\n\r') or cell != cell.strip()
        out.append('"' + cell.replace('"', '""') + '"' if needs else cell)
    return ",".join(out) + "\n"


def write_tiny(root: Path) -> Path:
    """Write the valid tiny package (with its generated CITATION.cff, .zenodo.json and docs/)."""
    (root / "schemas").mkdir(parents=True)
    (root / "tables").mkdir()
    (root / "datapackage.json").write_text(json.dumps(DESCRIPTOR, indent=2) + "\n", encoding="utf-8")
    for name, schema in SCHEMAS.items():
        (root / "schemas" / f"{name}.json").write_text(json.dumps(schema, indent=2) + "\n", encoding="utf-8")
    for name, rows in TABLES.items():
        (root / "tables" / f"{name}.csv").write_text("".join(csv_line(r) for r in rows), encoding="utf-8")
    write_generated(root)
    return root
