"""The cross-record rules of scripts/validate/records.py on in-memory frames of the real package.

Cells are edited in memory (no files), so these tests pin the rules' edges: which dates count as
"after", which citations make a horizon, which descriptions are read against which status.
"""

from __future__ import annotations

import polars as pl
import pytest

from scripts.model.package import Package
from scripts.validate import records
from tests.unit.test_facts_rules import add_row, flagged, forget, frames_of, set_cell

HORIZON = "within_knowledge_horizon"


@pytest.mark.parametrize(("date", "horizon", "late"), [
    ("2024", "2024-08", False),           # the year may mean January to August
    ("2024-09", "2024-08-09", True),
    ("2024-08-10", "2024-08", False),     # a day inside the horizon's month
    ("2024-08", "2024-08-09", False),     # the month may mean 1 to 9 August
    ("2025", "2024", True),
    ("2024-08-09", "2024-08-09", False),  # the same day is not after
    (None, "2024", False),
    ("2025", None, False),                # no horizon: nothing to compare
])
def test_after_compares_first_day_with_last_day(date: str | None, horizon: str | None, late: bool) -> None:
    got = records.after(pl.Series([date], dtype=pl.String), pl.Series([horizon], dtype=pl.String))
    assert got.to_list() == [late]


def test_a_later_citation_of_any_field_moves_the_horizon(package: Package) -> None:
    """A membership as of 2025 is refused while its sources are of 2024; one citation of another
    field from a 2025 source makes it possible."""
    frames = frames_of(package)
    set_cell(frames, "memberships", "wang-yi/foreign-minister", "as_of", "2025")
    assert flagged(frames, HORIZON) == {("memberships", "as_of", "wang-yi/foreign-minister")}
    add_row(frames, "citations", citation_id="C9999", table_name="memberships",
            record_id="wang-yi/foreign-minister", field_name="state_id", source_id="src-003", line_start="1",
            line_end="1", support="paraphrase", evidence="x")
    assert flagged(frames, HORIZON) == set()


def test_an_undated_source_leaves_the_horizon_unknown(package: Package) -> None:
    frames = frames_of(package)
    set_cell(frames, "memberships", "wang-yi/foreign-minister", "as_of", "2025")
    set_cell(frames, "sources", "src-002", "published", "")
    assert flagged(frames, HORIZON) == set()


def test_a_document_without_its_own_date_is_dated_by_its_meeting(package: Package) -> None:
    """The roadmap has no status citation; moved to a 2025 meeting without a date, it is late."""
    frames = frames_of(package)
    citations = frames.raw["citations"]
    frames.raw["citations"] = citations.filter(~((pl.col("record_id") == "roadmap-regional-cooperation-2027")
                                                 & (pl.col("field_name") == "status")))
    forget(frames, "citations")
    set_cell(frames, "documents", "roadmap-regional-cooperation-2027", "status_date", "")
    set_cell(frames, "documents", "roadmap-regional-cooperation-2027", "meeting_id", "ca-consultative-7")
    assert flagged(frames, HORIZON) == {("documents", "status", "roadmap-regional-cooperation-2027")}


# --------------------------------------------------------------------------- who chaired

def test_a_chairmanship_covers_the_formats_under_its_format(package: Package) -> None:
    """ca-foreign-ministers is under ca-consultative: its 2024 meeting is chaired by the 2024 chair."""
    frames = frames_of(package)
    set_cell(frames, "meetings", "ca-foreign-ministers-2024", "chair_state_id", "UZB")
    assert flagged(frames, "chair_agrees_with_chairmanship") == {
        ("meetings", "chair_state_id", "ca-foreign-ministers-2024")}
    set_cell(frames, "meeting_formats", "ca-foreign-ministers", "parent_format_id", "")
    assert flagged(frames, "chair_agrees_with_chairmanship") == set()


def test_a_planned_meeting_may_leave_its_chair_open(package: Package) -> None:
    frames = frames_of(package)
    set_cell(frames, "meetings", "ca-consultative-2026", "chair_state_id", "")
    assert flagged(frames, "chair_agrees_with_chairmanship") == set()
    set_cell(frames, "meetings", "ca-consultative-2026", "status", "held")
    assert flagged(frames, "chair_agrees_with_chairmanship") == {("meetings", "chair_state_id", "ca-consultative-2026")}


# --------------------------------------------------------------------------- who acted for whom

def test_a_person_without_a_state_acts_for_the_state_of_a_membership(package: Package) -> None:
    """alibek-tazhibayev has no persons.state_id; his membership is with a KAZ organisation."""
    frames = frames_of(package)
    set_cell(frames, "attendance", "ca-consultative-7/KAZ/reported", "person_id", "alibek-tazhibayev")
    set_cell(frames, "statements", "tazhibayev-japan-visit-2024", "state_id", "KAZ")
    assert flagged(frames, "acts_for_own_state") == set()
    set_cell(frames, "attendance", "ca-consultative-7/UZB/reported", "person_id", "alibek-tazhibayev")
    set_cell(frames, "statements", "tazhibayev-japan-visit-2024", "state_id", "JPN")
    assert flagged(frames, "acts_for_own_state") == {
        ("attendance", "person_id", "ca-consultative-7/UZB/reported"),
        ("statements", "person_id", "tazhibayev-japan-visit-2024")}


def test_a_joint_statement_acts_for_no_one(package: Package) -> None:
    """A statement without a speaker or without a state names no person acting for a state."""
    frames = frames_of(package)
    set_cell(frames, "statements", "ministers-next-meeting-2024", "state_id", "CHN")
    set_cell(frames, "statements", "tazhibayev-japan-visit-2024", "state_id", "")
    assert flagged(frames, "acts_for_own_state") == set()


# --------------------------------------------------------------------------- when it was said

@pytest.mark.parametrize(("relation", "date", "outside"), [
    ("at", "2024-08", False),        # the meeting's month
    ("at", "2024", False),           # coarser than the meeting: cannot tell
    ("at", "2024-07", True),
    ("at", "2024-08-31", False),     # a day of the meeting's month
    ("ahead_of", "2024-05", False),
    ("ahead_of", "2024-08", False),  # the meeting's month: not after it
    ("ahead_of", "2024-09", True),
])
def test_a_statement_is_dated_by_its_meeting(package: Package, relation: str, date: str, outside: bool) -> None:
    """tokayev-border-hubs-2024 is tied to the sixth meeting, dated 2024-08."""
    frames = frames_of(package)
    set_cell(frames, "statements", "tokayev-border-hubs-2024", "meeting_relation", relation)
    set_cell(frames, "statements", "tokayev-border-hubs-2024", "statement_date", date)
    expected = {("statements", "statement_date", "tokayev-border-hubs-2024")} if outside else set()
    assert flagged(frames, "said_within_meeting_dates") == expected


def test_a_statement_at_a_meeting_of_several_days(package: Package) -> None:
    """ca-plus-japan-1 runs 2024-08-09 to 2024-08-10: the second day is within, the eleventh is not."""
    frames = frames_of(package)
    set_cell(frames, "statements", "tazhibayev-japan-visit-2024", "meeting_relation", "at")
    set_cell(frames, "statements", "tazhibayev-japan-visit-2024", "statement_date", "2024-08-10")
    assert flagged(frames, "said_within_meeting_dates") == set()
    set_cell(frames, "statements", "tazhibayev-japan-visit-2024", "statement_date", "2024-08-11")
    assert flagged(frames, "said_within_meeting_dates") == {
        ("statements", "statement_date", "tazhibayev-japan-visit-2024")}


# --------------------------------------------------------------------------- capacity_is_held

def test_an_expected_signature_checks_the_office_only(package: Package) -> None:
    """Rahmon's expected signature has no date: a membership as of any date will do, a missing one not."""
    frames = frames_of(package)
    set_cell(frames, "memberships", "emomali-rahmon/president", "as_of", "2024-08-09")
    assert flagged(frames, "capacity_is_held") == set()
    set_cell(frames, "document_signatories", "treaty-friendship-central-asia-21st-century/TJK",
             "capacity_office_id", "prime-minister")
    assert flagged(frames, "capacity_is_held") == {
        ("document_signatories", "capacity_office_id", "treaty-friendship-central-asia-21st-century/TJK")}


@pytest.mark.parametrize(("as_of", "late"), [("2022-07", False), ("2022", False), ("2022-07-31", False),
                                             ("2022-08", True), ("2023", True)])
def test_a_membership_may_not_start_after_the_signature(package: Package, as_of: str, late: bool) -> None:
    """The treaty was signed in 2022-07: a membership as of any day that month, or of 2022, may hold."""
    frames = frames_of(package)
    set_cell(frames, "memberships", "sadyr-zhaparov/president", "as_of", as_of)
    key = "treaty-friendship-central-asia-21st-century/KGZ"
    assert flagged(frames, "capacity_is_held") == ({("document_signatories", "capacity_office_id", key)}
                                                   if late else set())


# --------------------------------------------------------------------------- one_reading_per_sentence

@pytest.mark.parametrize(("text", "status", "wrong"), [
    ("The officials stressed the need for joint projects.", "called_for", False),
    ("The officials stressed the need for joint projects.", "agreed", True),
    ("Tokayev noted the potential of the corridors.", "called_for", True),
    ("Tokayev noted the potential of the corridors.", "assessed", False),
    ("Hubs along the borders, which Tokayev called a priority.", "assessed", False),  # 'called' alone is no verb
    ("Beyond monitoring agreements.", "proposed", False),                         # 'agreements' is no verb
    ("The minister hoped the meeting would see it signed.", "hoped_for", False),
    ("He invited the states to cooperate and called for defence talks.", "proposed", False),
    ("He invited the states to cooperate and called for defence talks.", "called_for", False),
    ("He invited the states to cooperate and called for defence talks.", "agreed", True),
    ("A hub for industry and trade.", "agreed", False),                           # no verb, no reading
    (None, "agreed", False),
    (None, None, False),                                                          # nothing to read either way
    ("The officials stressed the need for joint projects.", None, True),          # a verb and no status
])
def test_readings_of_a_text(text: str | None, status: str, wrong: bool) -> None:
    got = records._readings(pl.Series([text], dtype=pl.String), pl.Series([status]))
    assert got.to_list() == [wrong]


def test_a_linked_description_counts_only_where_the_citations_share_lines(package: Package) -> None:
    """The Belt and Road project and the ministers' call are both cited at src-002 line 4; cite the
    project elsewhere and its description no longer speaks of the same sentence."""
    frames = frames_of(package)
    set_cell(frames, "projects", "belt-and-road-initiative", "description", "The ministers agreed on it.")
    assert flagged(frames, "one_reading_per_sentence") == {
        ("statements", "status", "ministers-infrastructure-trade-investment-2024")}
    cited = frames.raw["citations"].filter((pl.col("table_name") == "projects")
                                           & (pl.col("record_id") == "belt-and-road-initiative"))
    for cid in cited["citation_id"].to_list():
        set_cell(frames, "citations", cid, "line_start", "8")
        set_cell(frames, "citations", cid, "line_end", "8")
    assert flagged(frames, "one_reading_per_sentence") == set()


def test_citation_lines_that_are_not_numbers_leave_the_reading_rule_to_the_type_check(package: Package) -> None:
    """Such a citation is the type check's finding; the rule reads its lines as unknown and goes on."""
    frames = frames_of(package)
    cited = frames.raw["citations"].filter(pl.col("record_id") == "ministers-infrastructure-trade-investment-2024")
    first = cited["citation_id"][0]
    set_cell(frames, "citations", first, "line_start", "four")
    set_cell(frames, "citations", first, "line_end", "4x")
    assert flagged(frames, "one_reading_per_sentence") == set()


def test_a_table_with_no_citations_has_no_horizon(package: Package) -> None:
    """Nothing cited, nothing known: its records are not compared with any date (the citation rules
    report the missing citations)."""
    frames = frames_of(package)
    set_cell(frames, "memberships", "wang-yi/foreign-minister", "as_of", "2025")
    frames.raw["citations"] = frames.raw["citations"].filter(pl.col("table_name") != "memberships")
    forget(frames, "citations")
    assert flagged(frames, HORIZON) == set()


def test_a_citation_of_a_source_not_in_sources_leaves_the_horizon_unknown(package: Package) -> None:
    """Its date cannot be known, so the record's latest source cannot be either (the foreign key
    check reports the citation)."""
    frames = frames_of(package)
    set_cell(frames, "memberships", "wang-yi/foreign-minister", "as_of", "2025")
    add_row(frames, "citations", citation_id="C9999", table_name="memberships",
            record_id="wang-yi/foreign-minister", field_name="state_id", source_id="src-999", line_start="1",
            line_end="1", support="paraphrase", evidence="x")
    assert flagged(frames, HORIZON) == set()
