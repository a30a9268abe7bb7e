"""Hostile descriptor values, end to end: each value that would become a live link, a file name
outside the package, injected text or a bogus version is refused by validate with its own rule,
naming datapackage.json, the JSON path, the value and a hint.

Before: ``javascript:`` URLs, ``"name": "../../home/Documents/budget"``, a licence name holding a
line break (a fake ``doi:`` in CITATION.cff), a bidi override in a contributor and ``version: 1.0``
all validated with exit 0."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from scripts.model.catalogue import hint
from tests.faults.support import cli

JS = "javascript:alert(document.domain)"
HOSTILE = [  # (JSON path as reported, value, rule)
    ("homepage", JS, "descriptor-url"),
    ("homepage", "https://", "descriptor-url"),
    ("homepage", "https://example.org@evil.example/", "descriptor-url"),
    ("cac:download_base", "javascript:alert('{version}')//", "descriptor-url"),
    ("cac:download_base", "https://example.org/{version.__class__}/", "descriptor-url"),
    ("licenses[0].path", JS, "descriptor-url"),
    ("licenses[0].path", "data:text/html,<script>alert(1)</script>", "descriptor-url"),
    ("contributors[0].path", "vbscript:msgbox(1)", "descriptor-url"),
    ("sources[0].path", JS, "descriptor-url"),
    ("sources[0].path", "../../etc/passwd", "descriptor-url"),
    ("name", "../../home/Documents/budget", "descriptor-name"),
    ("name", ".hidden", "descriptor-name"),
    ("name", "Central Asia", "descriptor-name"),
    ("title", "Central Asia\ndoi: 10.5281/zenodo.0000", "descriptor-text"),
    ("licenses[0].name", "CC-BY-4.0\ndoi: 10.5281/zenodo.0000", "descriptor-text"),
    ("licenses[0].title", "Creative Commons\u2028Attribution", "descriptor-text"),
    ("contributors[0].title", "Deputy Prime \u202eretsiniM", "descriptor-text"),
    ("contributors[0].roles[0]", "creator\u200b", "descriptor-text"),
    ("keywords[1]", "regional\tcooperation", "descriptor-text"),
    ("sources[2].title", " padded", "descriptor-text"),
    ("resources[0].title", "Sources\x1b[2J", "descriptor-text"),
    ("resources[0].description", "One row per source \u2066text\u2069.", "descriptor-text"),
    ("version", "1.0", "descriptor-version"),
    ("version", "1.0.0\n", "descriptor-version"),
    ("version", "v1.0.0", "descriptor-version"),
]


def _set(descriptor: dict[str, Any], path: str, value: str) -> None:
    """Set the value at a reported JSON path (``a[0].b`` or a top-level key with a colon)."""
    *parents, last = path.replace("[", ".[").split(".")
    node: Any = descriptor
    for part in parents:
        node = node[int(part[1:-1])] if part.startswith("[") else node.setdefault(part, {})
    if last.startswith("["):
        node[int(last[1:-1])] = value
    else:
        node[last] = value


# Plain ids (index and path): an id holding the hostile value's quotes and escapes is "not found"
# when a pytest that has collected once runs it by name (mutmut's forked workers), exit 4.
@pytest.mark.parametrize(("path", "value", "rule"), HOSTILE,
                         ids=[f"{i:02}-" + re.sub(r"[^a-z0-9]+", "-", p) for i, (p, _, _) in enumerate(HOSTILE)])
def test_a_hostile_descriptor_value_is_refused_by_its_rule(pkg: Path, capsys, path: str, value: str,
                                                           rule: str) -> None:
    descriptor_file = pkg / "datapackage.json"
    descriptor = json.loads(descriptor_file.read_text(encoding="utf-8"))
    _set(descriptor, path, value)
    descriptor_file.write_text(json.dumps(descriptor, indent=2), encoding="utf-8")
    code, out, err = cli(capsys, "validate", pkg, "--no-provenance", "--format", "json")
    assert (code, err) == (1, "")
    # a hostile source path or title also disagrees with sources.csv: that is descriptor-sources's line
    [problem] = [p for p in json.loads(out)["problems"] if p["rule"] != "descriptor-sources"]
    assert (problem["file"], problem["row"], problem["field"], problem["value"], problem["rule"]) == (
        "datapackage.json", None, path, value, rule)
    assert problem["hint"] == hint(rule) and problem["message"].startswith("the value ")


def test_the_text_report_names_path_value_rule_and_hint(pkg: Path, capsys) -> None:
    descriptor_file = pkg / "datapackage.json"
    descriptor = json.loads(descriptor_file.read_text(encoding="utf-8"))
    descriptor["homepage"] = JS
    descriptor_file.write_text(json.dumps(descriptor, indent=2), encoding="utf-8")
    code, out, _ = cli(capsys, "validate", pkg, "--no-provenance")
    assert code == 1
    assert (f"  file, homepage = {JS!r}  [descriptor-url] the value has 'javascript:'; only http:// and "
            "https:// addresses become links") in out
    assert f"      hint: {hint('descriptor-url')}" in out
