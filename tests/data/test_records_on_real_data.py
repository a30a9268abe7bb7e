"""The cross-record rules (scripts/validate/records.py) on the real package and on broken copies.

Each rule runs on the real package and finds nothing; then a copy is broken the way the issue
describes (or the way 0.2.0 was), and validation must report exactly (rule, file, row, field).
Rows are looked up by record key, never hard-coded.
"""

from __future__ import annotations

import pytest

from scripts.model.package import Package
from scripts.validate.frames import read_package
from scripts.validate.registry import RULES
from tests.data.corpus import Copy, found

RECORD_RULES = ("within_knowledge_horizon", "chair_agrees_with_chairmanship", "chair_role_agrees",
                "said_within_meeting_dates", "acts_for_own_state", "capacity_is_held",
                "one_reading_per_sentence")
HORIZON = "within_knowledge_horizon"


@pytest.mark.parametrize("name", RECORD_RULES)
def test_each_record_rule_runs_on_the_real_package_and_finds_nothing(package: Package, name: str) -> None:
    frames, problems = read_package(package)
    assert problems == []
    masks = list(RULES[name].func(frames))
    assert masks, name
    for table, column, mask, *_ in masks:
        assert len(mask) == frames.raw[table].height, (name, table, column)
        assert not mask.any(), (name, table, column, frames.keys(table).filter(mask).to_list())


# --------------------------------------------------------------------------- within_knowledge_horizon

def test_meeting_held_after_every_source_that_cites_it(pkg: Copy) -> None:
    """No citation names the status: status_as_of_source cannot see it, the horizon does."""
    pkg.add("meetings", meeting_id="ca-consultative-8", format_id="ca-consultative", ordinal="8",
            is_ordinal_inferred="false", name="8th meeting", date_start="2027", is_date_inferred="false",
            is_host_inferred="false", is_chair_inferred="false", status="held", description="A meeting.")
    pkg.cite("meetings", "ca-consultative-8", "src-003", field="name")
    assert found(pkg.root) == {(HORIZON, "tables/meetings.csv", pkg.row_of("meetings", "ca-consultative-8"),
                                "status")}


def test_attendance_reported_after_its_sources(pkg: Copy) -> None:
    """Cited for its role only, from a 2024 source, at the 2025 meeting."""
    pkg.add("attendance", meeting_id="ca-consultative-7", state_id="JPN", attendance_status="reported",
            is_person_inferred="false", role="guest")
    key = "ca-consultative-7/JPN/reported"
    pkg.cite("attendance", key, "src-001", field="role")
    assert found(pkg.root) == {(HORIZON, "tables/attendance.csv", pkg.row_of("attendance", key),
                                "attendance_status")}


def test_topic_discussed_after_its_sources_is_reported_once(pkg: Copy) -> None:
    """The claim is part of the key, so every citation supports it: status_as_of_source's line."""
    pkg.add("meeting_topics", meeting_id="ca-consultative-7", topic_id="borders", claim="discussed")
    key = "ca-consultative-7/borders/discussed"
    pkg.cite("meeting_topics", key, "src-001", field="topic_id")
    assert found(pkg.root) == {("status_as_of_source", "tables/meeting_topics.csv",
                                pkg.row_of("meeting_topics", key), "claim")}


def test_document_signed_after_its_sources(pkg: Copy) -> None:
    key = "roadmap-regional-cooperation-2027"
    pkg.uncite("documents", key, "status")
    row = pkg.edit("documents", key, status_date="2025", meeting_id="")
    assert found(pkg.root) == {(HORIZON, "tables/documents.csv", row, "status")}


def test_signature_after_its_sources(pkg: Copy) -> None:
    """The signature's citations name the person and the date, not the status."""
    row = pkg.edit("document_signatories", "treaty-friendship-central-asia-21st-century/KGZ",
                   signature_date="2025-01", meeting_id="")
    assert found(pkg.root) == {(HORIZON, "tables/document_signatories.csv", row, "signature_status")}


def test_current_chairmanship_of_a_year_after_its_sources(pkg: Copy) -> None:
    row = pkg.edit("chairmanships", "ca-consultative-2026", status="current")
    assert found(pkg.root) == {(HORIZON, "tables/chairmanships.csv", row, "status")}


def test_membership_as_of_after_its_sources(pkg: Copy) -> None:
    row = pkg.edit("memberships", "wang-yi/foreign-minister", as_of="2025")
    assert found(pkg.root) == {(HORIZON, "tables/memberships.csv", row, "as_of")}


def test_statement_dated_after_its_sources(pkg: Copy) -> None:
    row = pkg.edit("statements", "tazhibayev-japan-visit-2024", statement_date="2024-09", meeting_id="",
                   meeting_relation="")
    assert found(pkg.root) == {(HORIZON, "tables/statements.csv", row, "statement_date")}


# --------------------------------------------------------------------------- who chaired

def test_chairmanship_naming_another_state_than_the_chair_of_that_years_meetings(pkg: Copy) -> None:
    """The 2024 chairmanship covers the summit and the foreign ministers' meeting within its process."""
    pkg.edit("chairmanships", "ca-consultative-2024", state_id="UZB")
    assert found(pkg.root) == {("chair_agrees_with_chairmanship", "tables/meetings.csv", pkg.row_of("meetings", m),
                                "chair_state_id") for m in ("ca-consultative-6", "ca-foreign-ministers-2024")}


def test_the_2025_chairmanship_of_0_2_0_against_a_meeting_without_a_chair(pkg: Copy) -> None:
    """0.2.0 gave 2025 to Uzbekistan in chairmanships while the seventh meeting left its chair open."""
    pkg.add("chairmanships", chairmanship_id="ca-consultative-2025", format_id="ca-consultative", period="2025",
            state_id="UZB", status="current", is_state_inferred="true", is_period_inferred="true",
            inference_note="The host is read as the chair.")
    for field in ("state_id", "period"):
        pkg.cite("chairmanships", "ca-consultative-2025", "src-003", field=field, support="inferred")
    assert found(pkg.root) == {("chair_agrees_with_chairmanship", "tables/meetings.csv",
                                pkg.row_of("meetings", "ca-consultative-7"), "chair_state_id")}


def test_chair_role_for_a_state_the_meeting_does_not_name_as_chair(pkg: Copy) -> None:
    row = pkg.edit("attendance", "ca-consultative-7/UZB/reported", role="chair")
    assert found(pkg.root) == {("chair_role_agrees", "tables/attendance.csv", row, "role")}


def test_chair_state_attending_without_the_chair_role(pkg: Copy) -> None:
    row = pkg.edit("meetings", "ca-consultative-7", chair_state_id="UZB")
    assert found(pkg.root) == {("chair_role_agrees", "tables/meetings.csv", row, "chair_state_id")}


# --------------------------------------------------------------------------- when it was said

def test_statement_at_a_meeting_dated_outside_it(pkg: Copy) -> None:
    """July 2024 is within what its August 2024 source can say, but not the sixth meeting's month."""
    row = pkg.edit("statements", "tokayev-border-hubs-2024", statement_date="2024-07")
    assert found(pkg.root) == {("said_within_meeting_dates", "tables/statements.csv", row, "statement_date")}


def test_statement_ahead_of_a_meeting_made_after_it(pkg: Copy) -> None:
    """A hope voiced in May 2024 cannot precede the fourth meeting of July 2022."""
    row = pkg.edit("statements", "nurtleu-hope-treaty-signing-2024", meeting_id="ca-consultative-4")
    assert found(pkg.root) == {("said_within_meeting_dates", "tables/statements.csv", row, "statement_date")}


# --------------------------------------------------------------------------- who acted for whom

def test_person_attending_for_another_state(pkg: Copy) -> None:
    row = pkg.edit("attendance", "ca-consultative-7/UZB/reported", person_id="kassym-jomart-tokayev")
    assert found(pkg.root) == {("acts_for_own_state", "tables/attendance.csv", row, "person_id")}


def test_statement_for_a_state_that_is_not_the_speakers(pkg: Copy) -> None:
    row = pkg.edit("statements", "kaz-rare-earth-centre-2025", state_id="UZB")
    assert found(pkg.root) == {("acts_for_own_state", "tables/statements.csv", row, "person_id")}


def test_signature_for_a_state_that_is_not_the_signers(pkg: Copy) -> None:
    row = pkg.edit("document_signatories", "treaty-friendship-central-asia-21st-century/KGZ",
                   person_id="shavkat-mirziyoyev")
    assert found(pkg.root) == {("acts_for_own_state", "tables/document_signatories.csv", row, "person_id")}


# --------------------------------------------------------------------------- capacity_is_held

TREATY = "treaty-friendship-central-asia-21st-century"


def test_signature_in_an_office_the_signer_does_not_hold(pkg: Copy) -> None:
    row = pkg.edit("document_signatories", f"{TREATY}/KAZ", capacity_office_id="foreign-minister")
    assert found(pkg.root) == {("capacity_is_held", "tables/document_signatories.csv", row, "capacity_office_id")}


def test_signature_before_the_membership_of_0_2_0(pkg: Copy) -> None:
    """0.2.0 put Tokayev in office from 9 August 2024 while he signed as president in July 2022."""
    pkg.edit("memberships", "kassym-jomart-tokayev/president", as_of="2024-08-09")
    assert found(pkg.root) == {("capacity_is_held", "tables/document_signatories.csv",
                                pkg.row_of("document_signatories", f"{TREATY}/KAZ"), "capacity_office_id")}


# --------------------------------------------------------------------------- one_reading_per_sentence

READING = "one_reading_per_sentence"


def test_a_call_recorded_as_an_agreement_as_in_0_2_0(pkg: Copy) -> None:
    """'The officials stressed the need': the statement said 'agreed', the Belt and Road project 'called for'."""
    row = pkg.edit("statements", "ministers-infrastructure-trade-investment-2024", status="agreed")
    assert found(pkg.root) == {(READING, "tables/statements.csv", row, "status")}


def test_a_reading_recorded_as_a_call_as_in_0_2_0(pkg: Copy) -> None:
    """'Tokayev noted the potential': an assessment, which 0.2.0 recorded as called_for."""
    row = pkg.edit("statements", "tokayev-transit-hub-2024", status="called_for")
    assert found(pkg.root) == {(READING, "tables/statements.csv", row, "status")}


def test_a_project_description_giving_another_reading_of_the_same_lines(pkg: Copy) -> None:
    pkg.edit("projects", "belt-and-road-initiative",
             description="Framework within which the ministers agreed on joint infrastructure and investment.")
    assert found(pkg.root) == {(READING, "tables/statements.csv",
                                pkg.row_of("statements", "ministers-infrastructure-trade-investment-2024"), "status")}
