"""Validation of the real package, against frictionless (the reference) and through the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.cli import main
from scripts.model.package import csv_text, load_package, read_rows
from scripts.validate import validate_package
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


def frictionless_valid(root: Path) -> bool:
    import frictionless

    return frictionless.Package(str(root / "datapackage.json")).validate().valid


def test_real_package_validates_clean_with_provenance(sources: Path) -> None:
    assert validate_package(ROOT, sources) == []


def test_frictionless_full_row_validation_gives_the_same_verdict() -> None:
    assert frictionless_valid(ROOT) is (validate_package(ROOT, None) == [])


def test_frictionless_agrees_on_a_broken_copy(package_copy: Path) -> None:
    row = break_ordinal(package_copy)
    problems = validate_package(package_copy, None)
    assert [(p.rule, p.row, p.field) for p in problems] == [("type-error", row, "ordinal")]
    assert frictionless_valid(package_copy) is False


def test_cli_exit_0_on_the_real_package(sources: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(ROOT), "--sources", str(sources)]) == 0
    assert capsys.readouterr().out == (f"note: provenance mode: sources (citations proved against the texts in "
                                       f"{sources}; provenance.lock compared with what they prove)\n\n"
                                       "valid: 0 problems\n")


def test_module_entry_point_exits_0_and_leaves_no_process(sources: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "scripts", "validate", "--sources", str(sources)], cwd=ROOT,
                          capture_output=True, text=True, check=False, timeout=120)
    assert (done.returncode, done.stderr) == (0, ""), done.stdout


def test_cli_text_report_groups_by_file(package_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    row = break_ordinal(package_copy)
    assert main(["validate", str(package_copy), "--no-provenance"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("note: provenance was not checked (--no-provenance)")
    assert "tables/meetings.csv: 1 problem\n" in out
    assert f"  row {row}, ordinal = 'six'  [type-error] ordinal: 'six' is not a whole number\n" in out
    assert "      hint: write a whole number such as 7\n" in out
    assert out.endswith("invalid: 1 problem in 1 file\n")


def test_cli_json_report_for_tools(package_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    row = break_ordinal(package_copy)
    report = tmp_path / "report.json"
    args = ["validate", str(package_copy), "--no-provenance", "--format", "json", "--output", str(report)]
    assert main(args) == 1
    assert capsys.readouterr().out == f"invalid: 1 problems; report in {report}\n"
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["valid"] is False and data["problem_count"] == 1
    assert data["rules"] == {"type-error": 1} and data["files"] == {"tables/meetings.csv": 1}
    assert "provenance" in data["notes"][0]
    (problem,) = data["problems"]
    assert {k: problem[k] for k in ("file", "row", "field", "value", "rule")} == {
        "file": "tables/meetings.csv", "row": row, "field": "ordinal", "value": "six", "rule": "type-error"}
    first = report.read_bytes()
    assert main(args) == 1
    assert report.read_bytes() == first


def test_cli_exit_2_without_a_descriptor(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(tmp_path), "--no-provenance"]) == 2
    assert "datapackage.json: file not found" in capsys.readouterr().err


def test_cli_exit_2_on_a_truncated_descriptor(package_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    descriptor = package_copy / "datapackage.json"
    descriptor.write_bytes(descriptor.read_bytes()[:-40])
    assert main(["validate", str(package_copy), "--no-provenance"]) == 2
    assert "not valid JSON" in capsys.readouterr().err


def test_cli_exit_2_on_a_missing_csv(package_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (package_copy / "tables" / "offices.csv").unlink()
    assert main(["validate", str(package_copy), "--no-provenance"]) == 2
    assert "tables/offices.csv: 1 problem" in capsys.readouterr().out


def test_cli_exit_2_when_the_sources_folder_is_missing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(ROOT), "--sources", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: sources folder ") and "--no-provenance" in err and "Traceback" not in err


def test_provenance_is_on_by_default_and_missing_sources_are_an_error(package_copy: Path,
                                                                     monkeypatch: pytest.MonkeyPatch,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("CAC_SOURCES", raising=False)
    assert main(["validate", str(package_copy)]) == 2  # no ../shared/sources beside the copy, and no lock in it
    assert "sources folder" in capsys.readouterr().err


def test_twenty_thousand_bad_rows_are_all_reported_and_the_text_is_capped(package_copy: Path) -> None:
    from scripts.report import CAP, render_json, render_text

    table = load_package(package_copy).table("offices")
    rows = read_rows(table)
    kind = table.field("office_kind")
    rows += [{"office_id": f"zz-office-{n:05d}", "title": f"Office {n}", "office_kind": "bogus"} for n in range(20_000)]
    table.path.write_text(csv_text(table, rows), encoding="utf-8")
    problems = validate_package(package_copy, None)
    counts: dict[str, int] = {}
    for p in problems:
        counts[p.rule] = counts.get(p.rule, 0) + 1
    assert counts == {"enum": 20_000, "record_is_cited": 20_000}
    assert len({(p.file, p.row, p.field, p.rule) for p in problems}) == 40_000
    text = render_text(problems)
    assert text.count("[enum]") == CAP + 1 and text.count("[record_is_cited]") == CAP + 1
    assert f"  … and {20_000 - CAP:,} more [enum] problems in tables/offices.csv\n" in text
    assert f"hint: use one of: {', '.join(kind.enum)}" in text
    assert json.loads(render_json(problems))["rules"] == {"enum": 20_000, "record_is_cited": 20_000}


def test_a_schema_frictionless_rejects_stops_validation_with_exit_2(package_copy: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    path = package_copy / "schemas" / "offices.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["fields"][1]["type"] = "txt"
    path.write_text(json.dumps(schema), encoding="utf-8")
    assert main(["validate", str(package_copy), "--no-provenance"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}: ") and err.count("\n") == 1
