"""What the property-based fuzz test (tests/fuzz) found, each pinned as an end-to-end test on the
tiny package: every one of these was an "internal error" (or a file written outside the package)
before, and is now one plain line with exit 2, or a named rule with exit 1."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.faults.support import cli
from tests.fuzz.tiny import write_tiny


@pytest.fixture()
def tiny(tmp_path: Path) -> Path:
    return write_tiny(tmp_path / "pkg")


def _one_line(err: str) -> str:
    assert len(err.splitlines()) == 1 and "Traceback" not in err and "internal error" not in err, err
    return err.rstrip("\n")


def _json(path: Path, change) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")


VERBS = {"validate": ["validate", "{pkg}", "--no-provenance"], "export": ["export", "{pkg}"],
         "release": ["release", "{pkg}", "--no-provenance"]}


def _run(capsys, verb: str, pkg: Path) -> tuple[int, str, str]:
    return cli(capsys, *[a.format(pkg=pkg) for a in VERBS[verb]])


def test_a_package_without_a_citations_table_validates(tiny: Path, capsys) -> None:
    """The rules that read citations for every table ran without it ("pandera reported
    'record_is_cited' for the whole table")."""
    code, out, err = _run(capsys, "validate", tiny)
    assert (code, err) == (0, "") and out.endswith("valid: 0 problems\n")


DAMAGED: list[tuple[str, Any, str]] = [
    ("datapackage.json", lambda d: d.update(licenses="CC-BY-4.0"), "licenses is text, not a list"),
    ("datapackage.json", lambda d: d.update({"$schema": 1}), "$schema is a number, not text"),
    ("datapackage.json", lambda d: d["contributors"][0].update(roles="creator"),
     "contributors[0].roles is text, not a list"),
    ("schemas/parts.json", lambda s: s["fields"][0].update(name=None),
     "resource 'parts': not a valid Table Schema (fields[0].name is null, not a field name)"),
    ("schemas/parts.json", lambda s: s["fields"][0].update(constraints={"pattern": "\ud800"}),
     "holds the escape \\ud800, half of a surrogate pair, which is not a character"),
]


@pytest.mark.parametrize("verb", sorted(VERBS))
@pytest.mark.parametrize(("file", "change", "words"), DAMAGED, ids=[w[:30].replace("\\", "") for _, _, w in DAMAGED])
def test_a_value_of_the_wrong_type_is_one_line_and_exit_2(tiny: Path, capsys, verb: str, file: str, change,
                                                           words: str) -> None:
    """Before: export failed in the workbook's README sheet ('str' object has no attribute 'get'),
    frictionless in urlparse ('int' object has no attribute 'decode'), the workbook's column widths
    (len(None)) and the report's printing (surrogates not allowed)."""
    _json(tiny / file, change)
    code, out, err = _run(capsys, verb, tiny)
    assert code == 2, out + err
    assert _one_line(err).startswith("error: ") and words in err
    assert not (tiny / "dist").exists()


@pytest.mark.parametrize("verb", sorted(VERBS))
def test_a_descriptor_nested_100000_deep_is_one_line_and_exit_2(tiny: Path, capsys, verb: str) -> None:
    path = tiny / "datapackage.json"
    path.write_text(path.read_text(encoding="utf-8").rstrip()[:-1] + ', "x": ' + "[" * 100_000 + "]" * 100_000
                    + "}", encoding="utf-8")
    code, out, err = _run(capsys, verb, tiny)
    assert (code, out) == (2, "")
    assert _one_line(err) == f"error: {path}: nested more than 64 levels deep; refused"


def test_an_unclosed_quote_is_reported_by_validate_and_release_and_export_refuses(tiny: Path, capsys) -> None:
    """Before: polars' parse error reached the user as an internal error."""
    path = tiny / "tables" / "parts.csv"
    path.write_text(path.read_text(encoding="utf-8") + 'p3,"beta\n', encoding="utf-8")
    code, out, _ = cli(capsys, "validate", tiny, "--no-provenance", "--format", "json")
    assert code == 1
    assert [(p["file"], p["row"], p["rule"]) for p in json.loads(out)["problems"]] == [
        ("tables/parts.csv", None, "unclosed-quote")]
    code, out, err = _run(capsys, "export", tiny)
    assert (code, _one_line(err)) == (1, "error: parts.csv row 4: 2 cells where the schema has 3")
    code, out, err = _run(capsys, "release", tiny)
    assert code == 1 and "  file  [unclosed-quote] a quoted cell is never closed" in err and "Traceback" not in err


def test_a_table_that_is_not_utf8_is_one_line_for_release(tiny: Path, capsys) -> None:
    """Before: release read the rows before validating them (UnicodeDecodeError, internal error)."""
    path = tiny / "tables" / "parts.csv"
    path.write_bytes(b"\xff\xfe\x00" + path.read_bytes())
    code, out, err = _run(capsys, "release", tiny)
    assert (code, out) == (2, "")
    assert _one_line(err) == ("error: parts.csv: not UTF-8 text (invalid start byte); run python -m scripts "
                              "validate to find the row")
    code, out, _ = _run(capsys, "validate", tiny)
    assert code == 1 and "[encoding-error]" in out


def test_a_name_that_climbs_out_writes_nothing_outside(tiny: Path, capsys) -> None:
    """Before: export wrote dist/../../outside/owned.xlsx, outside the package."""
    outside = tiny.parent / "outside"
    outside.mkdir()
    _json(tiny / "datapackage.json", lambda d: d.update(name="../../outside/owned"))
    code, out, err = _run(capsys, "export", tiny)
    assert (code, out) == (2, "")
    assert _one_line(err) == ("error: datapackage.json: name '../../outside/owned' cannot name a file: use "
                              "lower-case letters, digits, '-', '.' and '_', not starting with '.'")
    assert list(outside.iterdir()) == [] and not (tiny / "dist").exists()
    code, out, _ = cli(capsys, "validate", tiny, "--no-provenance", "--format", "json")
    assert code == 1 and [p["rule"] for p in json.loads(out)["problems"]] == ["descriptor-name"]


def test_a_resource_name_that_cannot_name_a_sheet_is_one_line_for_export(tiny: Path, capsys) -> None:
    """Before: openpyxl refused the sheet title inside export ("Invalid character : found in sheet
    title", an internal error); the writers now refuse the name when the package is loaded."""
    _json(tiny / "datapackage.json", lambda d: d["resources"][0].update(name="javascript:alert(1)"))
    code, out, err = _run(capsys, "export", tiny)
    assert (code, out) == (2, "")
    assert _one_line(err) == ("error: datapackage.json: resource name 'javascript:alert(1)' cannot name a file: use "
                              "lower-case letters, digits, '-', '.' and '_', not starting with '.'")
    assert not (tiny / "dist").exists()
