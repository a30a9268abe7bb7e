"""The validate command: the real package, exit codes, report formats and how problems are merged."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from scripts.package import csv_text, load_package, read_rows
from scripts.report import Problem
from scripts.validate import (
    DERIVED,
    FRICTIONLESS,
    RAW,
    RULE,
    _note_field,
    first_unsorted,
    merge,
    run,
    validate_package,
)
from tests.conftest import ROOT


def break_ordinal(root: Path) -> int:
    """Write 'six' as the ordinal of ca-consultative-6; return its spreadsheet row."""
    table = load_package(root).table("meetings")
    rows = read_rows(table)
    for index, row in enumerate(rows):
        if row["meeting_id"] == "ca-consultative-6":
            row["ordinal"] = "six"
            table.path.write_text(csv_text(table, rows), encoding="utf-8")
            return index + 2
    raise AssertionError("ca-consultative-6 not found")


def test_real_package_validates_clean_with_provenance(sources: Path) -> None:
    assert validate_package(ROOT, sources) == []


def test_real_package_validates_clean_without_sources() -> None:
    assert validate_package(ROOT, None) == []


def test_cli_exit_0_on_the_real_package(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("validate", [str(ROOT)]) == 0
    assert capsys.readouterr().out.endswith("valid: 0 problems\n")


def test_cli_module_entry_point_exits_0() -> None:
    done = subprocess.run([sys.executable, "-m", "scripts", "validate"], cwd=ROOT, capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_cli_text_report_groups_by_file(package_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    row = break_ordinal(package_copy)
    assert run("validate", [str(package_copy)]) == 1
    out = capsys.readouterr().out
    assert "tables/meetings.csv: 1 problem\n" in out
    assert f"  row {row}, ordinal = 'six'  [type-error] " in out
    assert "      hint: write the value in the field's type (see the schema)\n" in out
    assert out.endswith("invalid: 1 problem in 1 file\n")
    assert "note: source texts not found" in out  # the copy has no ../shared/sources beside it


def test_cli_json_report_for_tools(package_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    row = break_ordinal(package_copy)
    report = tmp_path / "report.json"
    assert run("validate", [str(package_copy), "--format", "json", "--output", str(report)]) == 1
    assert capsys.readouterr().out == f"invalid: 1 problems; report in {report}\n"
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["valid"] is False and data["problem_count"] == 1
    assert data["rules"] == {"type-error": 1}
    assert data["notes"] and "provenance" in data["notes"][0]
    (problem,) = data["problems"]
    assert {k: problem[k] for k in ("file", "row", "field", "value", "rule")} == {
        "file": "tables/meetings.csv", "row": row, "field": "ordinal", "value": "six", "rule": "type-error"}
    assert problem["message"] and problem["hint"]
    first = report.read_bytes()
    assert run("validate", [str(package_copy), "--format", "json", "--output", str(report)]) == 1
    assert report.read_bytes() == first


def test_cli_exit_2_without_a_descriptor(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("validate", [str(tmp_path)]) == 2
    assert "datapackage.json: file not found" in capsys.readouterr().err


def test_cli_exit_2_on_a_truncated_descriptor(package_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    descriptor = package_copy / "datapackage.json"
    descriptor.write_bytes(descriptor.read_bytes()[:-40])
    assert run("validate", [str(package_copy)]) == 2
    assert "not valid JSON" in capsys.readouterr().err


def test_cli_exit_2_on_a_missing_csv(package_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (package_copy / "tables" / "offices.csv").unlink()
    assert run("validate", [str(package_copy)]) == 2
    assert "tables/offices.csv: 1 problem" in capsys.readouterr().out


def test_cli_exit_2_when_the_sources_folder_is_missing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("validate", [str(ROOT), "--sources", str(tmp_path / "nowhere")]) == 2
    assert "sources folder" in capsys.readouterr().err


# --------------------------------------------------------------------------- merging and helpers

def problem(rule: str, row: int | None, field: str | None, file: str = "tables/x.csv") -> Problem:
    return Problem(file, row, field, None, rule, rule)


def test_merge_keeps_one_line_per_mistake() -> None:
    cell = problem("key-whitespace", 4, "state_id")
    hidden_same_cell = problem("constraint-error", 4, "state_id")
    other_cell = problem("foreign-key", 4, "leader_id")
    row_level = problem("blank-row", 7, None)
    hidden_in_row = problem("required", 7, "name")
    column_level = problem("missing-label", None, "name")
    hidden_in_column = problem("required", 9, "name")
    other_file = problem("required", 9, "name", file="tables/y.csv")
    same_rank = problem("record_is_cited", 5, "state_id")
    kept = merge([(RAW, cell), (FRICTIONLESS, hidden_same_cell), (FRICTIONLESS, other_cell),
                  (FRICTIONLESS, row_level), (DERIVED, hidden_in_row), (FRICTIONLESS, column_level),
                  (DERIVED, hidden_in_column), (DERIVED, other_file), (RULE, same_rank), (RULE, same_rank)])
    assert kept == [cell, other_cell, row_level, column_level, same_rank, other_file]


def test_first_unsorted_compares_whole_keys() -> None:
    frame = pd.DataFrame({"a": ["m1", "m1", "m2", "m2"], "b": ["KAZ", "UZB", "AZE", "TJK"]})
    assert first_unsorted(frame, ["a", "b"]) is None
    frame.loc[3, "b"] = "AAA"
    assert first_unsorted(frame, ["a", "b"]) == 5
    assert first_unsorted(frame.iloc[:1], ["a", "b"]) is None


def test_foreign_key_field_is_read_from_the_frictionless_note() -> None:
    note = 'for "state_id": values "XXX" not found in the lookup table "states" as "state_id"'
    assert _note_field(note) == "state_id"
    assert _note_field("something else") is None
