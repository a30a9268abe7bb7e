"""The reports CI reads, end to end through the CLI on a broken copy without the source texts:
GitHub annotations on the CSV's own lines, and SARIF 2.1.0 valid against the published schema
(bundled: tests/fixtures/sarif, OASIS Standard with Errata 01)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from jsonschema import Draft4Validator

from scripts.cli import main
from scripts.model import catalogue
from tests.conftest import ROOT
from tests.data.corpus import edit_field

SCHEMA = Path(__file__).resolve().parent.parent / "fixtures" / "sarif" / "sarif-schema-2.1.0.json"
HINT = "verify with the sources: python -m scripts validate --sources DIR --update-lock"


@pytest.fixture()
def broken(package_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy with its lock, run from its own folder without source texts, with three mistakes: a
    line break inside meetings row 3 (so later records start a line further down), a bad ordinal
    in meetings row 8, and a changed cited figure in indicators row 4."""
    shutil.copy2(ROOT / "provenance.lock", package_copy / "provenance.lock")
    monkeypatch.delenv("CAC_SOURCES", raising=False)
    monkeypatch.chdir(package_copy)
    assert edit_field(package_copy, "meetings", "ca-consultative-2", "description", "Line one\nline two") == 3
    assert edit_field(package_copy, "meetings", "ca-consultative-6", "ordinal", "six") == 8
    assert edit_field(package_copy, "indicators", "gdp-region-2023-src-000", "value", "451") == 4
    return package_copy


def lines_of(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")


def columns(root: Path) -> tuple[int, int, int]:
    """Where the three broken cells start on their lines, found in the files themselves: the
    description of meetings row 3, the ordinal of meetings row 8 and the value of indicators row 4."""
    meetings, indicators = lines_of(root / "tables" / "meetings.csv"), lines_of(root / "tables" / "indicators.csv")
    assert meetings[2].startswith("ca-consultative-2,") and meetings[3].startswith('line two",')  # record 3: lines 3-4
    assert meetings[8].startswith("ca-consultative-6,ca-consultative,six,")  # so row 8 is line 9
    assert indicators[3].startswith("gdp-region-2023-src-000,")
    return meetings[2].index('"Line one') + 1, meetings[8].index(",six,") + 2, indicators[3].index(",451,") + 2


def test_github_annotations_sit_on_the_csv_lines(broken: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--format", "github"]) == 1
    description, ordinal, value = columns(broken)
    missing = broken.resolve().parent / "shared" / "sources"
    assert capsys.readouterr().out.split("\n") == [
        f"::notice title=validate::provenance mode: lock (no source texts at {missing}: citations compared with "
        "provenance.lock, what a run with the texts proved)",
        f"::error file=tables/indicators.csv,line=4,col={value},title=cited-value-changed-since-lock::"
        f"indicators.value is '451'; citation C0258 proved '450' against the source, as provenance.lock records "
        f"({HINT})",
        f"::error file=tables/meetings.csv,line=3,col={description},title=clean_text::description holds the "
        f"character U+000A (line break) at position 9 ({catalogue.hint(catalogue.CLEAN_TEXT)})",
        f"::error file=tables/meetings.csv,line=9,col={ordinal},title=type-error::ordinal: 'six' is not a whole "
        "number (write a whole number such as 7)",
        "invalid: 3 problems in 2 files",
        "",
    ]


def test_github_annotations_go_to_a_file_with_output(broken: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--format", "github", "--output", "annotations.txt"]) == 1
    assert capsys.readouterr().out == "invalid: 3 problems; report in annotations.txt\n"
    lines = (broken / "annotations.txt").read_text(encoding="utf-8").splitlines()
    description, ordinal, value = columns(broken)
    assert [line.split(",title=")[0] for line in lines if line.startswith("::error")] == [
        f"::error file=tables/indicators.csv,line=4,col={value}",
        f"::error file=tables/meetings.csv,line=3,col={description}",
        f"::error file=tables/meetings.csv,line=9,col={ordinal}",
    ]


def sarif_errors(log: dict) -> list[str]:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return [error.message for error in Draft4Validator(schema).iter_errors(log)]


def test_the_bundled_schema_is_the_published_one() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema["id"] == "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    Draft4Validator.check_schema(schema)
    assert sarif_errors({"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]})  # a driver needs a name


def test_sarif_is_valid_and_locates_each_finding(broken: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--format", "sarif", "--output", "report.sarif"]) == 1
    log = json.loads((broken / "report.sarif").read_text(encoding="utf-8"))
    assert sarif_errors(log) == []
    (run,) = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(catalogue.CATALOGUE)
    value = catalogue.info(catalogue.LOCK_VALUE)
    assert rules[list(catalogue.CATALOGUE).index(value.id)] == {
        "id": value.id, "shortDescription": {"text": value.message}, "help": {"text": value.hint},
        "defaultConfiguration": {"level": "error"}, "properties": {"tags": ["provenance"]}}
    found = [(r["ruleId"], rules[r["ruleIndex"]]["id"], r["level"],
              r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
              r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in run["results"]]
    assert found == [
        ("cited-value-changed-since-lock", "cited-value-changed-since-lock", "error", "tables/indicators.csv", 4),
        ("clean_text", "clean_text", "error", "tables/meetings.csv", 3),
        ("type-error", "type-error", "error", "tables/meetings.csv", 9),
    ]
    assert run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"].startswith(
        "provenance mode: lock")


def test_sarif_of_the_valid_package_has_no_results(package_copy: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy2(ROOT / "provenance.lock", package_copy / "provenance.lock")
    monkeypatch.delenv("CAC_SOURCES", raising=False)
    assert main(["validate", str(package_copy), "--format", "sarif"]) == 0
    log = json.loads(capsys.readouterr().out)
    assert sarif_errors(log) == [] and log["runs"][0]["results"] == []
