"""Hostile text, end to end: control characters in a CSV cell and in a workbook, malformed and
truncated workbook cells, a 5 MB cell, and 20,000 bad rows.

Before: NUL, ESC and U+0085 in a CSV cell passed validate (0 problems; the release failed later);
``_x0000_``/``_x001B_`` in a workbook were decoded and written; malformed cells ended in a
traceback; a 200 MB cell gave a 419 MB report; merging findings was quadratic (20k bad rows: 84 s)."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest

from scripts import report
from scripts.report import Problem
from tests.faults.support import AZERBAIJAN, STATES_SHEET, cli, leftovers, patch_part, state_cell, tables

NAME_ROW = 4  # states.csv: AZE, CHN, DEU, ...; the name of DEU (Germany) is on spreadsheet row 4


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x85"], ids=["NUL", "ESC", "NEL"])
def test_a_control_character_in_a_csv_cell_is_invalid_naming_the_cell(pkg: Path, capsys, char: str) -> None:
    path = pkg / "tables" / "states.csv"
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[NAME_ROW - 1].startswith("DEU,Germany,")
    path.write_text(text.replace("DEU,Germany,", f"DEU,Ger{char}many,"), encoding="utf-8")
    code, out, err = cli(capsys, "validate", pkg, "--no-provenance", "--format", "json")
    assert code == 1, err
    found = json.loads(out)["problems"]
    assert [(p["file"], p["row"], p["field"], p["rule"]) for p in found] == [
        ("tables/states.csv", NAME_ROW, "name", "clean_text")]
    assert f"U+{ord(char):04X}" in found[0]["message"]


@pytest.mark.parametrize(("escaped", "code_point"), [("_x0000_", "U+0000"), ("_x001B_", "U+001B")])
def test_an_escaped_control_character_in_a_workbook_is_refused(pkg: Path, exported: Path, tmp_path: Path, capsys,
                                                                escaped: str, code_point: str) -> None:
    cell = f'<c r="B2" s="11" t="inlineStr"><is><t>Azer{escaped}baijan</t></is></c>'
    workbook = state_cell(exported, tmp_path / "control.xlsx", AZERBAIJAN, cell)
    before = tables(pkg)
    code, out, err = cli(capsys, "import", workbook, pkg, "--no-provenance")
    assert (code, out) == (1, "")
    assert f"[control-character] states!B2: the text holds the control character {code_point} at position 5" in err
    assert "import refused: nothing was written" in err and "Traceback" not in err
    assert tables(pkg) == before and leftovers(pkg) == []


MALFORMED = [  # the states sheet's cell B2 replaced by...
    pytest.param('<c r="B2" s="11" t="s"><v>999</v></c>', "bad-cell",
                 "states!B2: the cell points to shared string '999', which does not exist", id="shared-string-index"),
    pytest.param('<c r="B2" s="11"><v>abc</v></c>', "bad-cell",
                 "states!B2: the number cell holds 'abc', which is not a number", id="number"),
    pytest.param('<c r="B2" s="11"><v>1.2.3</v></c>', "bad-cell",
                 "states!B2: the number cell holds '1.2.3', which is not a number", id="number-with-two-points"),
    pytest.param('<c r="B!2" s="11" t="inlineStr"><is><t>Azerbaijan</t></is></c>', "bad-coordinate",
                 "states: a cell has the invalid reference 'B!2' in row 2", id="coordinate"),
]


@pytest.mark.parametrize(("cell", "rule", "message"), MALFORMED)
def test_a_malformed_cell_is_one_line_naming_it_and_exit_1(pkg: Path, exported: Path, tmp_path: Path, capsys,
                                                           cell: str, rule: str, message: str) -> None:
    workbook = state_cell(exported, tmp_path / "malformed.xlsx", AZERBAIJAN, cell)
    before = tables(pkg)
    code, out, err = cli(capsys, "import", workbook, pkg, "--no-provenance", "--format", "json")
    assert (code, out) == (1, "")
    [problem] = json.loads(err)["problems"]
    assert (problem["rule"], problem["message"][:len(message)]) == (rule, message)
    assert tables(pkg) == before


def test_a_truncated_sheet_is_one_line_and_exit_1(pkg: Path, exported: Path, tmp_path: Path, capsys) -> None:
    workbook = patch_part(exported, tmp_path / "truncated.xlsx", STATES_SHEET, lambda text: text[:len(text) // 2])
    before = tables(pkg)
    code, out, err = cli(capsys, "import", workbook, pkg, "--no-provenance", "--format", "json")
    assert (code, out) == (1, "")
    [problem] = json.loads(err)["problems"]
    assert problem["rule"] == "malformed-xml"
    assert problem["message"].startswith(f"states: damaged XML in {STATES_SHEET}")
    assert tables(pkg) == before


# --------------------------------------------------------------------------- long values

FIVE_MB = 5_000_000


def _long_text(size: int) -> str:
    """Text that does not compress well (so a workbook holding it is not a zip bomb)."""
    return base64.b64encode(os.urandom(size * 3 // 4 + 3)).decode("ascii")[:size]


def test_a_5_mb_csv_cell_gives_a_short_report(pkg: Path, capsys) -> None:
    path = pkg / "tables" / "states.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("DEU,Germany,", f"DEU,{'x' * FIVE_MB},"),
                    encoding="utf-8")
    for fmt in ("text", "json"):
        code, out, err = cli(capsys, "validate", pkg, "--no-provenance", "--format", fmt)
        assert code == 1 and err == ""
        assert len(out.encode("utf-8")) < 10_000
        assert "5,000,000" in out or '"value_length": 5000000' in out


def test_a_5_mb_workbook_cell_is_refused_with_a_short_report(pkg: Path, exported: Path, tmp_path: Path,
                                                              capsys) -> None:
    cell = f'<c r="B2" s="11" t="inlineStr"><is><t>{_long_text(FIVE_MB)}</t></is></c>'
    workbook = state_cell(exported, tmp_path / "long.xlsx", AZERBAIJAN, cell)
    before = tables(pkg)
    code, out, err = cli(capsys, "import", workbook, pkg, "--no-provenance")
    assert (code, out) == (1, "")
    assert "[cell-too-long] states!B2" in err and len(err.encode("utf-8")) < 10_000
    assert tables(pkg) == before


# --------------------------------------------------------------------------- many findings

class Counted(str):
    """A file name that counts the comparisons and hashes made with it: the work of the report."""

    work = 0

    def __hash__(self) -> int:
        Counted.work += 1
        return str.__hash__(self)

    def __eq__(self, other: object) -> bool:
        Counted.work += 1
        return str.__eq__(self, other)

    def __lt__(self, other: str) -> bool:
        Counted.work += 1
        return str.__lt__(self, other)


def _report_work(rows: int) -> tuple[int, int, int]:
    """(comparisons and hashes, text lines, JSON problems) to merge and render ``rows`` bad rows,
    each with two findings at the same cell (one hidden by the other) as validation gives them."""
    file = Counted("tables/meetings.csv")
    ranked = []
    for row in range(2, rows + 2):
        ranked.append((0, Problem(file, row, "name", "x\x00", "clean_text", "a control character")))
        ranked.append((2, Problem(file, row, "name", "x\x00", "pattern", "does not match")))
    Counted.work = 0
    merged = report.merge(ranked)
    text = report.render_text(merged)
    payload = json.loads(report.render_json(merged))
    return Counted.work, len(text.splitlines()), payload["problem_count"]


def test_20k_bad_rows_are_merged_and_reported_in_linear_work() -> None:
    small, small_lines, small_count = _report_work(5_000)
    large, large_lines, large_count = _report_work(20_000)
    assert (small_count, large_count) == (5_000, 20_000)  # every finding kept, the hidden ones dropped
    assert small_lines == large_lines == report.CAP + 4  # capped: file line, 50 problems, "and N more", summary
    assert large <= 4 * small * 1.25  # 4x the rows, 4x the work (sorting adds a log factor); quadratic is 16x
