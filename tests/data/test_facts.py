"""Positive data tests: the facts corrected in the 0.2.0 re-read hold, with exact values.

Each test reads the CSVs as a reader would (csv, polars, SQLite) and pins what the sources say,
so that a regression in a fact, not only in its form, fails here.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import polars as pl
import pytest

from scripts.coverage import coverage_report
from tests.conftest import ROOT

INFERENCE_FLAGS = {  # is_*_inferred flag -> the fields an inferred citation of it names
    "is_date_inferred": {"date_start", "date_end", "statement_date"},
    "is_period_inferred": {"period_start", "period_end", "period"},
    "is_host_inferred": {"host_state_id"},
    "is_chair_inferred": {"chair_state_id"},
    "is_person_inferred": {"person_id"},
    "is_ordinal_inferred": {"ordinal"},
    "is_published_inferred": {"published"},
    "is_status_date_inferred": {"status_date"},
    "is_state_inferred": {"state_id"},
    "is_as_of_inferred": {"as_of"},
    "is_capacity_inferred": {"capacity_office_id"},
    "is_meeting_inferred": {"meeting_id"},
}


def descriptor() -> dict:
    return json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))


def schema(name: str) -> dict:
    return json.loads((ROOT / "schemas" / f"{name}.json").read_text(encoding="utf-8"))


def rows(name: str) -> list[dict[str, str]]:
    with (ROOT / "tables" / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def record_key(name: str, row: dict[str, str]) -> str:
    return "/".join(row[k] for k in schema(name)["primaryKey"])


def by_key(name: str) -> dict[str, dict[str, str]]:
    return {record_key(name, r): r for r in rows(name)}


# --------------------------------------------------------------------------- keys

def test_source_ids_are_text_keys_everywhere() -> None:
    assert [r["source_id"] for r in rows("sources")] == ["src-000", "src-001", "src-002", "src-003", "src-004"]
    ids = {"src-000", "src-001", "src-002", "src-003", "src-004"}
    assert {r["source_id"] for r in rows("citations")} == ids
    assert {r["source_id"] for r in rows("indicators")} <= ids
    assert {r["source_id"] for r in rows("source_organizations")} == {"src-000", "src-002", "src-004"}


def test_no_key_reads_as_a_number_or_a_date() -> None:
    """Polars with date parsing on (as pandas and spreadsheets guess) keeps every key column text."""
    for res in descriptor()["resources"]:
        frame = pl.read_csv(ROOT / res["path"], try_parse_dates=True, infer_schema_length=None)
        key_fields = set(schema(res["name"])["primaryKey"]) | {
            f for fk in schema(res["name"]).get("foreignKeys", []) for f in fk["fields"]}
        for name in sorted(key_fields):
            if frame[name].null_count() == len(frame):
                continue  # an empty column has no type to guess
            assert frame[name].dtype == pl.String, (res["name"], name, frame[name].dtype)


def test_leaders_renamed_to_persons_and_memberships() -> None:
    names = [r["name"] for r in descriptor()["resources"]]
    assert "leaders" not in names and "leader_offices" not in names
    assert {"persons", "memberships", "organizations", "source_organizations", "topics", "meeting_topics",
            "statements", "chairmanships"} <= set(names)
    assert list(rows("persons")[0]) == ["person_id", "full_name", "given_name", "family_name", "state_id"]
    assert "person_id" in rows("attendance")[0] and "leader_id" not in rows("attendance")[0]
    assert not any("leader" in r["table_name"] for r in rows("citations"))


def test_one_person_is_one_row_and_attends_for_own_state() -> None:
    people = rows("persons")
    assert len({(p["full_name"].casefold(), p["state_id"]) for p in people}) == len(people) == 10
    state = {p["person_id"]: p["state_id"] for p in people}
    assert all(state[a["person_id"]] == a["state_id"] for a in rows("attendance") if a["person_id"])


# --------------------------------------------------------------------------- figures

def test_intraregional_trade_levels_by_period_and_source() -> None:
    got = {(r["period_start"], r["source_id"], float(r["value"]), r["is_period_inferred"])
           for r in rows("indicators")
           if r["indicator_code"] == "intraregional_trade" and r["scope"] == "region" and r["value_kind"] == "actual"}
    assert got == {
        ("2018", "src-004", 5.7, "true"),
        ("2023", "src-000", 11.0, "true"),
        ("2023", "src-001", 11.0, "true"),
        ("2023", "src-004", 11.0, "true"),
        ("2024", "src-003", 11.5, "true"),
    }


def test_has_reached_figures_belong_to_the_last_complete_year() -> None:
    ind = by_key("indicators")
    gdp = ind["gdp-region-2023-src-000"]
    assert (gdp["period_start"], gdp["period_end"], gdp["value"], gdp["is_approximate"]) == ("2023", "", "450", "true")
    assert "last complete year" in gdp["inference_note"]
    growth = ind["intraregional-trade-growth-region-2018-2023-src-000"]
    assert (growth["period_start"], growth["period_end"], growth["value"]) == ("2018", "2023", "80")
    assert growth["baseline_observation_id"] == "intraregional-trade-region-2023-src-000"
    inferred = {(c["record_id"], c["field_name"]) for c in rows("citations") if c["support"] == "inferred"}
    for key in ("gdp-region-2023-src-000", "intraregional-trade-region-2023-src-001",
                "intraregional-trade-region-2023-src-004"):
        assert (key, "period_start") in inferred


def test_who_reported_a_figure() -> None:
    got = {k: (r["reported_by_person_id"], r["reported_by_organization_id"])
           for k, r in by_key("indicators").items() if r["reported_by_person_id"] or r["reported_by_organization_id"]}
    press = ("", "kaz-foreign-ministry-press-service")
    tokayev = ("kassym-jomart-tokayev", "")
    assert got == {
        "gdp-region-2023-src-000": press,
        "intraregional-trade-growth-region-2018-2023-src-000": press,
        "intraregional-trade-region-2023-src-000": press,
        "intraregional-trade-region-2023-src-001": tokayev,
        "intraregional-trade-target-src-001": tokayev,
        "intraregional-trade-region-2024-src-003": tokayev,
        "intraregional-trade-target-src-003": tokayev,
    }


def test_growth_baselines_share_family_scope_and_states() -> None:
    ind = by_key("indicators")
    for row in ind.values():
        if row["baseline_observation_id"]:
            base = ind[row["baseline_observation_id"]]
            assert base["indicator_code"] == row["indicator_code"].removesuffix("_growth")
            assert (base["scope"], base["state_id"], base["partner_state_id"]) == (
                row["scope"], row["state_id"], row["partner_state_id"])


# --------------------------------------------------------------------------- people, organisations, sources

def test_analyst_is_a_person_with_an_affiliation() -> None:
    person = by_key("persons")["alibek-tazhibayev"]
    assert (person["full_name"], person["state_id"]) == ("Alibek Tazhibayev", "")
    post = by_key("memberships")["alibek-tazhibayev/director"]
    assert (post["organization_id"], post["state_id"], post["as_of"]) == ("eurasian-monitoring", "KAZ", "2024-08-09")
    org = by_key("organizations")["eurasian-monitoring"]
    assert (org["organization_kind"], org["state_id"]) == ("research_centre", "KAZ")


def test_worked_out_posts_and_signers_are_marked() -> None:
    """as_of carried from a source whose year is inferred (10 of 12 memberships), the 2022 signers'
    office read from the 2024 list of presidents, and Berdimuhamedov read as Serdar: each marked."""
    posts = by_key("memberships")
    assert sorted(k for k, r in posts.items() if r["is_as_of_inferred"] == "false") == [
        "murat-nurtleu/deputy-prime-minister", "murat-nurtleu/foreign-minister"]
    assert all(r["inference_note"] for r in posts.values() if r["is_as_of_inferred"] == "true")
    signed = {k.split("/")[1]: r for k, r in by_key("document_signatories").items()}
    for state in ("KAZ", "KGZ", "UZB"):
        person = signed[state]["person_id"]
        assert (signed[state]["signature_date"], posts[f"{person}/president"]["as_of"]) == ("2022-07", "2022-07")
    assert {s: r["is_capacity_inferred"] for s, r in signed.items()} == dict.fromkeys(signed, "true")
    assert {s for s, r in signed.items() if r["is_person_inferred"] == "true"} == {"TKM"}
    assert signed["TKM"]["person_id"] == "serdar-berdimuhamedov"


def test_source_organisations_are_keys_with_roles() -> None:
    assert [tuple(r.values()) for r in rows("source_organizations")] == [
        ("src-000", "kaz-foreign-ministry-press-service", "credited"),
        ("src-002", "kaz-foreign-ministry", "credited"),
        ("src-004", "tass", "based_on"),
    ]
    assert "publisher" not in rows("sources")[0] and "credited_to" not in rows("sources")[0]


def test_chairmanships_by_year() -> None:
    assert [(r["period"], r["state_id"], r["status"], r["is_state_inferred"], r["is_period_inferred"])
            for r in rows("chairmanships")] == [
        ("2024", "KAZ", "current", "false", "true"),
        ("2026", "TKM", "announced", "false", "true"),
    ]


def test_the_2025_chair_is_left_open_everywhere() -> None:
    """No source names the 2025 chair: no chairmanship row, no chair on the seventh meeting, and
    Uzbekistan's attendance there is the host's, not the chair's."""
    assert "ca-consultative-2025" not in by_key("chairmanships")
    seventh = by_key("meetings")["ca-consultative-7"]
    assert (seventh["chair_state_id"], seventh["is_chair_inferred"]) == ("", "false")
    roles = {r["state_id"]: r["role"] for r in rows("attendance") if r["meeting_id"] == "ca-consultative-7"}
    assert roles["UZB"] == "host" and "chair" not in roles.values()


# --------------------------------------------------------------------------- claims as of their sources

def test_preview_topics_are_announced_not_discussed() -> None:
    topics = {(r["topic_id"], r["claim"]) for r in rows("meeting_topics") if r["meeting_id"] == "ca-consultative-6"}
    assert {(t, "announced") for t in ("defence", "economy", "food-security", "transport")} <= topics
    assert ("food-security", "discussed") not in topics and ("defence", "discussed") not in topics
    assert "food security" not in by_key("meetings")["ca-consultative-6"]["description"]


def test_hopes_are_statements_not_projects() -> None:
    hoped = {(r["statement_id"], r["person_id"], r["statement_date"], r["document_id"])
             for r in rows("statements") if r["status"] == "hoped_for"}
    assert hoped == {
        ("nurtleu-hope-central-asia-2040-2024", "murat-nurtleu", "2024-05", "concept-central-asia-2040"),
        ("nurtleu-hope-treaty-signing-2024", "murat-nurtleu", "2024-05", "treaty-friendship-central-asia-21st-century"),
    }
    assert {r["status"] for r in rows("projects")} <= {"proposed", "possible", "under_construction", "established",
                                                       "operating", "not_stated"}


def test_labels_follow_the_source_verb() -> None:
    """'noted the potential' is an assessment; 'stressed the need', 'underlined the importance' and
    'highlighted the importance' are calls; none of them is an agreement."""
    status = {k: r["status"] for k, r in by_key("statements").items()}
    assert status["tokayev-transit-hub-2024"] == "assessed"
    for key in ("ministers-infrastructure-trade-investment-2024", "nurtleu-wang-cooperation-2024",
                "tokayev-article-security-framework-2024"):
        assert status[key] == "called_for", key
    assert sorted(k for k, s in status.items() if s == "agreed") == ["ministers-environment-2024",
                                                                     "ministers-next-meeting-2024"]


def test_the_article_is_described_by_what_is_placed_in_it() -> None:
    """Only the statements whose in_document_id is the article speak for it: cooperation in many
    fields, defence and security, the security framework; not economy, food security or transport."""
    placed = {k for k, r in by_key("statements").items() if r["in_document_id"] == "central-asia-renaissance-article"}
    assert placed == {"tokayev-article-regional-cooperation-2024", "tokayev-article-defence-cooperation-2024",
                      "tokayev-article-security-framework-2024"}
    description = by_key("documents")["central-asia-renaissance-article"]["description"]
    assert "defence" in description and "security framework" in description
    assert not {"economy", "economic", "food", "transport"} & set(re.findall(r"[a-z]+", description.lower()))


def test_what_the_lines_do_not_say_is_marked_or_left_out() -> None:
    """The milestones' meeting and origin are worked out (marked); the possible consortium is no
    one's proposal; the concept's title keeps the source's lower-case 'concept'."""
    ind = by_key("indicators")
    for key in ("trucks-dispatched-chn-2024-12-01-src-002", "trains-dispatched-chn-2024-12-01-src-002"):
        row = ind[key]
        assert (row["meeting_id"], row["is_meeting_inferred"]) == ("china-central-asia-ministers-5", "true")
        assert (row["state_id"], row["is_state_inferred"]) == ("CHN", "true")
    assert by_key("projects")["tianfu-sichuan-cross-border-route"]["meeting_id"] == ""
    consortium = by_key("projects")["water-energy-consortium"]
    assert (consortium["status"], consortium["proposed_by_person_id"]) == ("possible", "")
    assert not any(r["project_id"] == "water-energy-consortium" for r in rows("statements"))
    title = by_key("documents")["concept-central-asia-2040"]["title"]
    assert title.startswith("concept for the Development ") and title.endswith("«Central Asia-2040»")


def test_inference_is_marked_in_one_way() -> None:
    """A flag set, an inferred citation of its field and an inference note: all three or none."""
    citations = rows("citations")
    for res in descriptor()["resources"]:
        name = res["name"]
        fields = [f["name"] for f in schema(name)["fields"]]
        flags = [f for f in fields if f.startswith("is_") and f.endswith("_inferred")]
        for row in rows(name):
            key = record_key(name, row)
            cited = {c["field_name"] for c in citations
                     if c["table_name"] == name and c["record_id"] == key and c["support"] == "inferred"}
            for flag in flags:
                assert (row[flag] == "true") == bool(cited & INFERENCE_FLAGS[flag]), (name, key, flag)
            if "inference_note" in fields:
                marked = bool(cited) or any(row[f] == "true" for f in flags)
                assert bool(row["inference_note"]) == marked, (name, key)


def test_text_cells_are_clean() -> None:
    bad = re.compile(r"[\x00-\x1f\x7f]")
    for res in descriptor()["resources"]:
        for row in rows(res["name"]):
            for field, value in row.items():
                assert value == value.strip() and not bad.search(value), (res["name"], field, value)


# --------------------------------------------------------------------------- coverage

def test_every_source_sentence_is_cited_or_excluded(sources: Path) -> None:
    report = coverage_report(ROOT, sources)
    assert report.complete and not report.stale
    assert [(s.source_id, s.total, len(s.cited), len(s.excluded), len(s.uncovered)) for s in report.sources] == [
        ("src-000", 11, 9, 2, 0),
        ("src-001", 22, 22, 0, 0),
        ("src-002", 17, 17, 0, 0),
        ("src-003", 22, 21, 1, 0),
        ("src-004", 25, 23, 2, 0),
    ]


def test_officials_readings_and_calls_are_statements() -> None:
    """The readings and calls of 0.2.0's exclusions and uncited sentences are records, each at its
    meeting, dated like the other statements from the same source."""
    got = {k: (r["person_id"], r["status"], r["meeting_id"], r["statement_date"])
           for k, r in by_key("statements").items()
           if r["status"] in ("assessed", "called_for") and r["person_id"] in ("murat-nurtleu", "kassym-jomart-tokayev")
           and r["meeting_relation"] == "at"}
    nurtleu, tokayev = "murat-nurtleu", "kassym-jomart-tokayev"
    sixth, seventh = ("ca-consultative-6", "2024-08"), ("ca-consultative-7", "2025")
    chengdu = ("china-central-asia-ministers-5", "2024-12-01")
    assert got == {
        "nurtleu-practical-cooperation-2024": (nurtleu, "assessed", "ca-foreign-ministers-2024", "2024"),
        "nurtleu-format-platform-2024": (nurtleu, "assessed", *chengdu),
        "nurtleu-cooperation-stability-2024": (nurtleu, "assessed", *chengdu),
        "tokayev-unprecedented-cooperation-2024": (tokayev, "assessed", *sixth),
        "tokayev-effective-platform-2024": (tokayev, "assessed", *sixth),
        "tokayev-region-image-2024": (tokayev, "assessed", *sixth),
        "tokayev-cooperation-tasks-2024": (tokayev, "called_for", *sixth),
        "tokayev-economic-results-2024": (tokayev, "assessed", *sixth),
        "tokayev-growth-points-2024": (tokayev, "assessed", *sixth),
        "tokayev-border-hubs-2024": (tokayev, "called_for", *sixth),
        "tokayev-water-policy-2024": (tokayev, "called_for", *sixth),
        "tokayev-format-proven-2025": (tokayev, "assessed", *seventh),
        "tokayev-regional-cohesion-2025": (tokayev, "assessed", *seventh),
        "tokayev-central-asia-plus-interest-2025": (tokayev, "assessed", *seventh),
        "tokayev-partnership-goals-2025": (tokayev, "assessed", *seventh),
        "tokayev-rare-earth-reserves-2025": (tokayev, "assessed", *seventh),
        "tokayev-combine-efforts-2025": (tokayev, "called_for", *seventh),
        "tokayev-breakthrough-projects-2025": (tokayev, "called_for", *seventh),
    }


def test_announced_agenda_and_political_dialogue_are_topics() -> None:
    topics = {(r["meeting_id"], r["topic_id"], r["claim"]) for r in rows("meeting_topics")}
    assert ("ca-consultative-6", "regional-cooperation", "announced") in topics
    assert ("china-central-asia-ministers-5", "political-dialogue", "discussed") in topics
    assert by_key("topics")["political-dialogue"]["name"] == "Political dialogue"


def test_exclusions_hold_no_reading_call_or_dated_act() -> None:
    """What is left out is unattributed or not part of the report; every person's reading is recorded."""
    with (ROOT / "docs" / "source-coverage-exclusions.csv").open(encoding="utf-8", newline="") as handle:
        left = [(r["source_id"], int(r["line"])) for r in csv.DictReader(handle)]
    assert left == [("src-000", 4), ("src-000", 6), ("src-003", 6), ("src-004", 47), ("src-004", 49)]


@pytest.mark.parametrize("name", ["organizations", "topics", "meeting_topics", "statements", "chairmanships"])
def test_every_new_record_is_cited(name: str) -> None:
    cited = {c["record_id"] for c in rows("citations") if c["table_name"] == name}
    assert set(by_key(name)) <= cited
