"""Hostile descriptors: JSON nested too deep or too large is refused in one line by every reader.

Before: a descriptor nested 200,000 levels deep raised a RecursionError in validate and diff
("internal error"), and a descriptor of any size was read whole into memory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.faults.untrusted import one_line, run


def _nest(path: Path, levels: int) -> None:
    """Give the JSON object at ``path`` a key whose value nests arrays ``levels`` deep in all."""
    data = json.loads(path.read_text(encoding="utf-8"))
    text = json.dumps(data)[:-1] + ', "x-nested": ' + "[" * (levels - 1) + "]" * (levels - 1) + "}"
    path.write_text(text, encoding="utf-8")


VERBS = {"validate": lambda pkg, out: ["validate", pkg, "--no-provenance"],
         "diff": lambda pkg, out: ["diff", pkg, pkg],
         "docs": lambda pkg, out: ["docs", pkg],
         "export": lambda pkg, out: ["export", pkg, "--output", out / "o.xlsx"],
         "release": lambda pkg, out: ["release", pkg, "--no-provenance", "--dist", out / "dist"]}


@pytest.mark.parametrize("verb", VERBS)
def test_a_descriptor_200000_levels_deep_is_one_line(pkg: Path, tmp_path: Path, verb: str) -> None:
    _nest(pkg / "datapackage.json", 200_000)
    err = one_line(run(*VERBS[verb](pkg, tmp_path)))
    assert err == f"error: {pkg}/datapackage.json: nested more than 64 levels deep; refused"
    assert not (tmp_path / "o.xlsx").exists() and not (tmp_path / "dist").exists()


@pytest.mark.parametrize("verb", ["validate", "diff"])
def test_a_schema_nested_past_the_cap_is_one_line(pkg: Path, verb: str) -> None:
    _nest(pkg / "schemas" / "meetings.json", 65)  # within Python's own limit: the cap itself refuses it
    err = one_line(run(*VERBS[verb](pkg, pkg)))
    assert err == f"error: {pkg}/schemas/meetings.json: nested more than 64 levels deep; refused"


def test_nesting_at_the_cap_is_read(pkg: Path) -> None:
    _nest(pkg / "datapackage.json", 64)
    done = run("validate", pkg, "--no-provenance")
    assert (done.returncode, done.stderr) == (0, ""), done.stdout + done.stderr


@pytest.mark.parametrize("verb", ["validate", "diff"])
def test_a_descriptor_over_16_mib_is_refused_unread(pkg: Path, verb: str) -> None:
    path = pkg / "datapackage.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["description"] = "x" * (16 << 20)
    path.write_text(json.dumps(data), encoding="utf-8")
    size = path.stat().st_size
    err = one_line(run(*VERBS[verb](pkg, pkg)))
    assert err == f"error: {path} is {size:,} bytes; more than 16,777,216 is refused (a JSON file of the package)"
