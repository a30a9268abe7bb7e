"""The bad-input corpus, named rules and provenance: broken variants of the real package.

Like test_corpus.py, each variant asserts the exact problems (rule, file, row, field) found.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from scripts.model.package import load_package
from tests.data.corpus import Copy, Expected, found, person_column


def range_reversed(c: Copy) -> Expected:
    baselines = {r["baseline_observation_id"] for r in c.rows("indicators")}
    record = next((r for r in c.rows("indicators") if len(r["period_start"]) == 4 and not r["period_end"]
                   and r["observation_id"] not in baselines), None)
    if record is None:
        pytest.fail("the real data has no indicator with a year period that is nobody's baseline")
    row = c.edit("indicators", record["observation_id"], period_end=str(int(record["period_start"]) - 1))
    return {("date_ranges_ordered", c.file("indicators"), row, "period_end")}


def ordinal_repeated(c: Copy) -> Expected:
    row = c.edit("meetings", "ca-consultative-7", ordinal="6")
    return {("ordinals_unique_per_format", c.file("meetings"), row, "ordinal")}


def ordinal_before_predecessor(c: Copy) -> Expected:
    """The first meeting moved after the fourth (no record hangs on the first meeting's date)."""
    fourth = next(r for r in c.rows("meetings") if r["meeting_id"] == "ca-consultative-4")["date_start"]
    c.edit("meetings", "ca-consultative-1", date_start=str(int(fourth[:4]) + 1))
    return {("ordinals_increase_with_date", c.file("meetings"), c.row_of("meetings", "ca-consultative-4"), "ordinal")}


def ordinal_repeated_and_earlier(c: Copy) -> Expected:
    """One mistake, one line: the repeat is not also reported as predating the n-th it repeats."""
    fourth = next(r for r in c.rows("meetings") if r["meeting_id"] == "ca-consultative-4")["date_start"]
    row = c.edit("meetings", "ca-consultative-5", ordinal="4", date_start=str(int(fourth[:4]) - 1))
    return {("ordinals_unique_per_format", c.file("meetings"), row, "ordinal")}


def _absent_state(c: Copy, meeting: str) -> str:
    attending = {r["state_id"] for r in c.rows("attendance") if r["meeting_id"] == meeting}
    return next(r["state_id"] for r in c.rows("states") if r["state_id"] not in attending)


def chair_absent(c: Copy) -> Expected:
    """The seventh meeting has no chairmanship of its year and no chair role: only the absence shows."""
    row = c.edit("meetings", "ca-consultative-7", chair_state_id=_absent_state(c, "ca-consultative-7"))
    return {("chair_and_host_attend", c.file("meetings"), row, "chair_state_id")}


def host_absent(c: Copy) -> Expected:
    row = c.edit("meetings", "ca-consultative-6", host_state_id=_absent_state(c, "ca-consultative-6"))
    return {("chair_and_host_attend", c.file("meetings"), row, "host_state_id")}


def _dated_pair(c: Copy, later: bool) -> tuple[str, str]:
    """A (meeting, source) pair where the source is published after (later) or before the meeting."""
    for meeting in c.rows("meetings"):
        for source in c.rows("sources"):
            day, pub = meeting["date_start"], source["published"]
            if not day or not pub:
                continue
            width = min(len(day), len(pub))
            if (pub[:width] > day[:width]) if later else (pub[:width] < day[:width]):
                return meeting["meeting_id"], source["source_id"]
    pytest.fail("the real data has no meeting and source dated that way: this rule would go untested")


def _add_attendance(c: Copy, status: str, later: bool) -> Expected:
    meeting, source = _dated_pair(c, later)
    state = _absent_state(c, meeting)
    rows = c.rows("attendance")
    rows.append({"meeting_id": meeting, "state_id": state, "attendance_status": status,
                 person_column(c, "attendance"): "", "is_person_inferred": "false", "role": "guest",
                 "inference_note": ""})
    c.write("attendance", rows)
    key = f"{meeting}/{state}/{status}"
    c.cite("attendance", key, source)
    return {("attendance_status_fits_sources", c.file("attendance"), c.row_of("attendance", key),
             "attendance_status")}


def expected_from_later_source(c: Copy) -> Expected:
    return _add_attendance(c, "expected", later=True)


def reported_from_earlier_source(c: Copy) -> Expected:
    return _add_attendance(c, "reported", later=False)


def _signed_at_meeting_on(c: Copy, date: str) -> Expected:
    record = c.find("document_signatories", signature_status="signed", meeting_id="*")
    row = c.edit("document_signatories", c.key("document_signatories", record), signature_date=date)
    return {("signed_on_meeting_date", c.file("document_signatories"), row, "signature_date")}


def signature_off_meeting_date(c: Copy) -> Expected:
    """Later in the meeting's year: still within the signer's office and the sources' dates."""
    record = c.find("document_signatories", signature_status="signed", meeting_id="*")
    held = next(r for r in c.rows("meetings") if r["meeting_id"] == record["meeting_id"])["date_start"]
    if len(held) != 7 or held.endswith("-12"):
        pytest.fail("the signing meeting is not dated to a month before December: pick another date for this variant")
    return _signed_at_meeting_on(c, held[:4] + "-12")


def signature_without_date(c: Copy) -> Expected:
    return _signed_at_meeting_on(c, "")


def document_off_meeting_date(c: Copy) -> Expected:
    record = c.find("documents", status="signed", meeting_id="*")
    row = c.edit("documents", record["document_id"], status_date="2001")
    return {("signed_on_meeting_date", c.file("documents"), row, "status_date")}


def target_not_after_baseline(c: Copy) -> Expected:
    target = c.find("indicators", value_kind="target", baseline_observation_id="*")
    base = next(r for r in c.rows("indicators") if r["observation_id"] == target["baseline_observation_id"])
    if not base["period_start"]:
        pytest.fail("the target's baseline has no period: this rule would go untested")
    row = c.edit("indicators", target["observation_id"], period_start=base["period_start"][:4])
    return {("target_after_baseline", c.file("indicators"), row, "period_start")}


def baseline_is_a_target(c: Copy) -> Expected:
    target = c.find("indicators", value_kind="target")
    record = c.find("indicators", value_kind="actual", baseline_observation_id="*", scope=target["scope"])
    row = c.edit("indicators", record["observation_id"], baseline_observation_id=target["observation_id"])
    return {("baseline_is_actual", c.file("indicators"), row, "baseline_observation_id")}


def percentage_out_of_range(c: Copy) -> Expected:
    record = c.find("indicators", unit="percent")
    row = c.edit("indicators", record["observation_id"], value="1500")
    return {("value_in_plausible_range", c.file("indicators"), row, "value")}


def money_in_wrong_scale(c: Copy) -> Expected:
    record = c.find("indicators", unit="USD", scale="billion")
    row = c.edit("indicators", record["observation_id"], value="11000000000")
    return {("value_in_plausible_range", c.file("indicators"), row, "value")}


def record_without_citation(c: Copy) -> Expected:
    office = c.rows("offices")[0]["office_id"]
    c.write("citations", [r for r in c.rows("citations")
                          if not (r["table_name"] == "offices" and r["record_id"] == office)])
    return {("record_is_cited", c.file("offices"), 2, "office_id")}


def citation_of_missing_record(c: Copy) -> Expected:
    cid = c.rows("citations")[0]["citation_id"]
    row = c.edit("citations", cid, record_id="no-such-record")
    return {("citation_record_exists", c.file("citations"), row, "record_id")}


def citation_of_missing_field(c: Copy) -> Expected:
    """A paraphrase names a field its table lacks: no source text is needed to see it."""
    cid = next(r["citation_id"] for r in c.rows("citations") if r["support"] == "paraphrase" and r["field_name"])
    row = c.edit("citations", cid, field_name="no_such_field")
    return {("citation_field_exists", c.file("citations"), row, "field_name")}


def inference_without_note(c: Copy) -> Expected:
    row = c.edit("meetings", "ca-consultative-7", inference_note="")
    return {("inference_is_explained", c.file("meetings"), row, "inference_note")}


def state_code_not_iso(c: Copy) -> Expected:
    rows = c.rows("states")
    rows.append({**next(r for r in rows if r["state_id"] == "KAZ"), "state_id": "XKZ", "name": "Nowhere"})
    c.write("states", rows)
    c.cite("states", "XKZ", c.rows("sources")[0]["source_id"])
    return {("state_codes_are_iso3166", c.file("states"), c.row_of("states", "XKZ"), "state_id")}


def same_person_twice(c: Copy) -> Expected:
    table = next(t for t in ("persons", "leaders") if t in load_package(c.root).tables)
    rows = c.rows(table)
    first = rows[0]
    key_field = load_package(c.root).table(table).primary_key[0]
    rows.append({**first, key_field: first[key_field] + "-again"})
    c.write(table, rows)
    key = first[key_field] + "-again"
    c.cite(table, key, c.rows("sources")[0]["source_id"])
    return {("person_is_one_row", c.file(table), c.row_of(table, key), "full_name")}


VARIANTS: list[Callable[[Copy], Expected]] = [
    range_reversed, ordinal_repeated, ordinal_before_predecessor, ordinal_repeated_and_earlier, chair_absent,
    host_absent, expected_from_later_source, reported_from_earlier_source, signature_off_meeting_date,
    signature_without_date, document_off_meeting_date, target_not_after_baseline, baseline_is_a_target,
    percentage_out_of_range, money_in_wrong_scale, record_without_citation, citation_of_missing_record,
    citation_of_missing_field, inference_without_note, state_code_not_iso, same_person_twice,
]


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.__name__)
def test_variant_reports_exact_problem(pkg: Copy, variant: Callable[[Copy], Expected]) -> None:
    expected = variant(pkg)
    assert found(pkg.root) == expected


# --------------------------------------------------------------------------- provenance variants

def test_citation_past_end_of_source(pkg: Copy, sources_copy: Path) -> None:
    cid = pkg.rows("citations")[0]["citation_id"]
    row = pkg.edit("citations", cid, line_start="9000", line_end="9001")
    assert found(pkg.root, sources_copy) == {("citation-past-end", "tables/citations.csv", row, "line_end")}


def test_citation_evidence_not_in_lines(pkg: Copy, sources_copy: Path) -> None:
    cid = pkg.rows("citations")[0]["citation_id"]
    row = pkg.edit("citations", cid, evidence="zebra crossing quartz")
    assert found(pkg.root, sources_copy) == {("citation-evidence-missing", "tables/citations.csv", row,
                                              "evidence")}


def test_changed_source_file(pkg: Copy, sources_copy: Path) -> None:
    source = pkg.rows("sources")[0]
    text = sources_copy / source["file_name"]
    text.write_text(text.read_text(encoding="utf-8") + "\nAn added line.\n", encoding="utf-8")
    row = pkg.row_of("sources", source["source_id"])
    assert found(pkg.root, sources_copy) == {("source-sha256-mismatch", "tables/sources.csv", row, "sha256")}
