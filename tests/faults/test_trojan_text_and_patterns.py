"""Two guarantees of the model layer, end to end through the command line: text that lies about
itself (bidi overrides, zero-width characters) is refused by validate and import naming the cell,
and a schema pattern runs in time linear in the cell (a catastrophic one answers at once; one the
linear-time engine cannot run is refused with one line and exit 2).

Before: U+202E and U+200B passed the clean-text rule (``Deputy Prime \\u202eretsiniM`` displays as
"Deputy Prime Minister" on the site); ``^(a+)+$`` against ``'a' * 40 + '!'`` ran Python's
backtracking engine past 60 s."""

from __future__ import annotations

import json
import time
import zipfile
from pathlib import Path

import pytest

from tests.faults.support import AZERBAIJAN, cli, patch_part, state_cell, tables

TROJAN = "Deputy Prime \u202eretsiniM"
OFFICE_ROW = 2  # offices.csv: deputy-prime-minister,Deputy Prime Minister,minister
CATASTROPHIC = "^((a+)+|[A-Z].*)$"  # every real state name matches the second branch
SLOW_CELLS = ["a" * 40 + "!", "a" * 30_000 + "!"]  # the long one breaks the field's maxLength too
BOUND = 10.0  # seconds for a whole validate or import; backtracking would need years


def _offices_part(workbook: Path) -> str:
    """The sheet part that holds the offices table's "Deputy Prime Minister" cell."""
    with zipfile.ZipFile(workbook) as archive:
        [part] = [n for n in archive.namelist() if n.startswith("xl/worksheets/")
                  and b">Deputy Prime Minister<" in archive.read(n)]
    return part


@pytest.mark.parametrize("trojan", [TROJAN, "Deputy Prime\u200bMinister", "Deputy \u2066Prime\u2069 Minister"],
                         ids=["RLO", "zero-width-space", "isolates"])
def test_text_that_lies_about_itself_is_refused_by_validate_naming_the_cell(pkg: Path, capsys, trojan: str) -> None:
    path = pkg / "tables" / "offices.csv"
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[OFFICE_ROW - 1] == "deputy-prime-minister,Deputy Prime Minister,minister"
    path.write_text(text.replace(",Deputy Prime Minister,", f",{trojan},"), encoding="utf-8")
    code, out, err = cli(capsys, "validate", pkg, "--no-provenance", "--format", "json")
    assert (code, err) == (1, "")
    [problem] = json.loads(out)["problems"]
    assert (problem["file"], problem["row"], problem["field"], problem["value"], problem["rule"]) == (
        "tables/offices.csv", OFFICE_ROW, "title", trojan, "clean_text")


def test_a_right_to_left_override_in_the_workbook_is_refused_by_import(pkg: Path, exported: Path, tmp_path: Path,
                                                                       capsys) -> None:
    part = _offices_part(exported)
    workbook = patch_part(exported, tmp_path / "trojan.xlsx", part,
                          lambda xml: xml.replace(">Deputy Prime Minister<", f">{TROJAN}<"))
    before = tables(pkg)
    code, out, err = cli(capsys, "import", workbook, pkg, "--no-provenance", "--format", "json")
    assert (code, out) == (1, "")
    [problem] = json.loads(err)["problems"]
    assert (problem["row"], problem["field"], problem["value"], problem["rule"]) == (
        OFFICE_ROW, "title", TROJAN, "clean_text")
    assert problem["message"] == ("offices!B2: the value holds the character U+202E (right-to-left override) "
                                  "at position 14")
    assert tables(pkg) == before


def _pattern(pkg: Path, pattern: str) -> None:
    path = pkg / "schemas" / "states.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    [name] = [f for f in schema["fields"] if f["name"] == "name"]
    name.setdefault("constraints", {})["pattern"] = pattern
    path.write_text(json.dumps(schema, indent=2), encoding="utf-8")


@pytest.mark.parametrize("cell", SLOW_CELLS, ids=["41-chars", "30001-chars"])
def test_a_catastrophic_pattern_is_checked_in_linear_time_by_validate(pkg: Path, capsys, cell: str) -> None:
    _pattern(pkg, CATASTROPHIC)
    path = pkg / "tables" / "states.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("DEU,Germany,", f"DEU,{cell},"), encoding="utf-8")
    started = time.monotonic()
    code, out, _ = cli(capsys, "validate", pkg, "--no-provenance", "--format", "json")
    elapsed = time.monotonic() - started
    assert code == 1 and elapsed < BOUND, elapsed
    found = [(p["file"], p["row"], p["field"], p["rule"]) for p in json.loads(out)["problems"]]
    rules = ["max-length", "pattern"] if len(cell) > 100 else ["pattern"]
    assert found == [("tables/states.csv", 4, "name", rule) for rule in rules]


def test_a_catastrophic_pattern_is_checked_in_linear_time_by_import(pkg: Path, exported: Path, tmp_path: Path,
                                                                    capsys) -> None:
    _pattern(pkg, CATASTROPHIC)
    cell = f'<c r="B2" s="11" t="inlineStr"><is><t>{SLOW_CELLS[0]}</t></is></c>'
    workbook = state_cell(exported, tmp_path / "slow.xlsx", AZERBAIJAN, cell)
    started = time.monotonic()
    code, out, err = cli(capsys, "import", workbook, pkg, "--no-provenance", "--format", "json")
    elapsed = time.monotonic() - started
    assert (code, out) == (1, "") and elapsed < BOUND, elapsed
    [problem] = json.loads(err)["problems"]
    assert (problem["row"], problem["field"], problem["rule"]) == (2, "name", "pattern")


@pytest.mark.parametrize("pattern", ["^(?=[A-Z]).*$", "^(?<!x)[A-Z].*$", r"^([A-Z])\1*.*$"],
                         ids=["look-ahead", "look-behind", "back-reference"])
@pytest.mark.parametrize("verb", ["validate", "import"])
def test_a_pattern_the_linear_engine_cannot_run_is_one_line_and_exit_2(pkg: Path, exported: Path, capsys,
                                                                       pattern: str, verb: str) -> None:
    _pattern(pkg, pattern)
    argv = ["validate", pkg] if verb == "validate" else ["import", exported, pkg]
    before = tables(pkg)
    code, out, err = cli(capsys, *argv, "--no-provenance")
    assert (code, out) == (2, "")
    [line] = [x for x in err.splitlines() if not x.startswith("note:") and x.strip()]
    assert line.startswith("error: ") and "schemas/states.json: field 'name': " in line
    assert "look-around or back-references" in line and "Traceback" not in err
    assert tables(pkg) == before
