"""The semantic rules (scripts/validate/facts.py) on the real package and on broken copies of it.

Each rule runs on the real package and finds nothing; then one record of a copy is broken the way
a contributor could break it, and validation must report exactly (rule, file, row, field). Rows are
looked up by record key, never hard-coded. The coverage verb is run as a user runs it (its
command line, in this process).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from scripts.validate.frames import read_package
from scripts.validate.registry import RULES
from tests.conftest import ROOT
from tests.data.corpus import Copy, found
from tests.faults.support import run_cli

FACT_RULES = ("figure_not_after_report", "status_as_of_source", "inference_marked_one_way", "baseline_comparable")


# --------------------------------------------------------------------------- the real package

def test_each_semantic_rule_runs_on_the_real_package_and_finds_nothing(package) -> None:
    frames, problems = read_package(package)
    assert problems == []
    for name in FACT_RULES:
        masks = list(RULES[name].func(frames))
        assert masks, name
        for table, column, mask, *_ in masks:
            assert len(mask) == frames.raw[table].height, (name, table, column)
            assert not mask.any(), (name, table, column, mask.arg_true().to_list())


def test_the_real_package_is_valid_with_provenance(sources: Path) -> None:
    assert found(ROOT, sources) == set()


# --------------------------------------------------------------------------- figure_not_after_report

def test_a_year_not_over_when_reported(pkg: Copy) -> None:
    """A report of August 2024 cannot give an actual for 2024 (the year had not ended)."""
    row = pkg.edit("indicators", "intraregional-trade-region-2023-src-001", period_start="2024")
    assert found(pkg.root) == {("figure_not_after_report", "tables/indicators.csv", row, "period_start")}


def test_a_period_ending_after_the_report(pkg: Copy) -> None:
    row = pkg.edit("indicators", "bilateral-trade-kaz-chn-2024-01-2024-10-src-002", period_end="2025-01")
    assert found(pkg.root) == {("figure_not_after_report", "tables/indicators.csv", row, "period_end")}


def test_a_target_may_lie_after_its_report(pkg: Copy) -> None:
    pkg.edit("indicators", "intraregional-trade-target-src-001", period_start="2030")
    assert found(pkg.root) == set()


# --------------------------------------------------------------------------- status_as_of_source

def test_meeting_held_on_the_word_of_an_earlier_source(pkg: Copy) -> None:
    pkg.cite("meetings", "ca-consultative-7", "src-001")  # src-001 is of 2024-08; the meeting of 2025
    row = pkg.row_of("meetings", "ca-consultative-7")
    assert found(pkg.root) == {("status_as_of_source", "tables/meetings.csv", row, "status")}


def test_planned_meeting_with_reported_attendance(pkg: Copy) -> None:
    pkg.edit("meetings", "ca-consultative-7", status="planned")
    reported = [r for r in pkg.rows("attendance") if r["meeting_id"] == "ca-consultative-7"]
    assert {r["attendance_status"] for r in reported} == {"reported"}
    rows = {pkg.row_of("attendance", f"ca-consultative-7/{r['state_id']}/reported") for r in reported}
    assert found(pkg.root) == {("status_as_of_source", "tables/attendance.csv", r, "attendance_status") for r in rows}


def test_signature_on_the_word_of_a_preview(pkg: Copy) -> None:
    key = "treaty-friendship-central-asia-21st-century/TJK"
    row = pkg.edit("document_signatories", key, signature_status="signed", signature_date="2025")
    assert found(pkg.root) == {("status_as_of_source", "tables/document_signatories.csv", row, "signature_status")}


def test_document_adopted_on_the_word_of_a_preview(pkg: Copy) -> None:
    row = pkg.edit("documents", "ca-food-security-plan-2030", status="adopted", status_date="2025")
    assert found(pkg.root) == {("status_as_of_source", "tables/documents.csv", row, "status")}


def test_topic_discussed_on_the_word_of_a_preview(pkg: Copy) -> None:
    """src-002 (December 2024) announces the 2025 summit; it cannot say what the summit discussed."""
    pkg.add("meeting_topics", meeting_id="china-central-asia-summit-2025", topic_id="trade", claim="discussed")
    key = "china-central-asia-summit-2025/trade/discussed"
    pkg.cite("meeting_topics", key, "src-002", field="topic_id")
    assert found(pkg.root) == {("status_as_of_source", "tables/meeting_topics.csv",
                                pkg.row_of("meeting_topics", key), "claim")}


def test_statement_at_a_meeting_after_its_source(pkg: Copy) -> None:
    """Two claims break: the source predates the meeting, and the statement's date lies outside it."""
    row = pkg.edit("statements", "tokayev-border-hubs-2024", meeting_id="ca-consultative-7")
    assert found(pkg.root) == {("status_as_of_source", "tables/statements.csv", row, "meeting_relation"),
                               ("said_within_meeting_dates", "tables/statements.csv", row, "statement_date")}


# --------------------------------------------------------------------------- inference_marked_one_way

def test_flag_set_but_its_citation_not_inferred(pkg: Copy) -> None:
    pkg.edit("citations", pkg.citation("meetings", "ca-consultative-7", "date_start"), support="paraphrase")
    row = pkg.row_of("meetings", "ca-consultative-7")
    assert found(pkg.root) == {("inference_marked_one_way", "tables/meetings.csv", row, "is_date_inferred")}


def test_inferred_citation_but_flag_not_set(pkg: Copy) -> None:
    row = pkg.edit("meetings", "ca-consultative-7", is_host_inferred="false")
    assert found(pkg.root) == {("inference_marked_one_way", "tables/meetings.csv", row, "is_host_inferred")}


def test_inference_note_without_an_inference(pkg: Copy) -> None:
    row = pkg.edit("projects", "dialogue-of-women-leaders", inference_note="Taken from the context.")
    assert found(pkg.root) == {("inference_marked_one_way", "tables/projects.csv", row, "inference_note")}


def test_flag_set_without_anything_else(pkg: Copy) -> None:
    """Flag alone: this rule sees no inferred citation, inference_is_explained no note."""
    row = pkg.edit("attendance", "ca-consultative-4/KAZ/reported", is_person_inferred="true")
    assert found(pkg.root) == {("inference_marked_one_way", "tables/attendance.csv", row, "is_person_inferred"),
                               ("inference_is_explained", "tables/attendance.csv", row, "inference_note")}


# --------------------------------------------------------------------------- identity

def test_growth_against_another_scope(pkg: Copy) -> None:
    row = pkg.edit("indicators", "intraregional-trade-growth-kaz-2023-src-004",
                   baseline_observation_id="intraregional-trade-region-2023-src-004")
    assert found(pkg.root) == {("baseline_comparable", "tables/indicators.csv", row, "baseline_observation_id")}


def test_growth_against_another_indicator(pkg: Copy) -> None:
    row = pkg.edit("indicators", "intraregional-trade-growth-region-2018-2023-src-000",
                   baseline_observation_id="gdp-region-2023-src-000")
    assert found(pkg.root) == {("baseline_comparable", "tables/indicators.csv", row, "baseline_observation_id")}


# --------------------------------------------------------------------------- verbatim evidence (provenance)

def test_verbatim_evidence_must_match_character_for_character(pkg: Copy, sources: Path) -> None:
    cid = pkg.citation("meetings", "ca-consultative-7", "venue")
    row = pkg.edit("citations", cid, evidence="Congress centre")
    assert found(pkg.root, sources) == {("citation-evidence-missing", "tables/citations.csv", row, "evidence")}


def test_verbatim_evidence_may_differ_in_whitespace_only(pkg: Copy, sources: Path) -> None:
    cid = pkg.citation("indicators", "intraregional-trade-region-2023-src-001", "value")
    pkg.edit("citations", cid, evidence="has  reached $11   billion")
    assert found(pkg.root, sources) == set()


# --------------------------------------------------------------------------- the coverage verb

def coverage(capsys: pytest.CaptureFixture[str], root: Path, sources: Path,
             *extra: str) -> subprocess.CompletedProcess[str]:
    """The coverage verb through the command line, in this process."""
    return run_cli(capsys, "coverage", root, "--sources", sources, *extra)


def test_coverage_verb_on_the_real_package_is_complete(sources: Path, capsys: pytest.CaptureFixture[str]) -> None:
    done = coverage(capsys, ROOT, sources)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.splitlines()[-1].endswith(", 100.0% covered")


def test_coverage_verb_reports_an_uncited_sentence_as_json(pkg: Copy, sources: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    import json

    (pkg.root / "docs").mkdir()
    shutil.copy2(ROOT / "docs" / "source-coverage-exclusions.csv", pkg.root / "docs")
    pkg.write("citations", [c for c in pkg.rows("citations") if (c["source_id"], c["line_start"]) != ("src-002", "1")])
    done = coverage(capsys, pkg.root, sources, "--format", "json")
    assert (done.returncode, done.stderr) == (1, "")
    report = json.loads(done.stdout)
    assert report["complete"] is False
    src = next(s for s in report["sources"] if s["source_id"] == "src-002")
    assert [u["line"] for u in src["uncovered"]] == [1]


def test_coverage_verb_without_sources_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    done = coverage(capsys, ROOT, tmp_path / "absent")
    assert done.returncode == 2 and done.stdout == ""
    assert "absent" in done.stderr and "Traceback" not in done.stderr
