"""The semantic rules of scripts/validate/facts.py on in-memory frames of the real package.

Cells are edited in memory (no files), so these tests pin the rules' edges: which precision wins,
which citations support a status, which field a flag qualifies, what counts as a person's state.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from scripts.model.dates import common_precision, polars_first_day, polars_last_day, polars_precision
from scripts.model.package import Package
from scripts.validate import facts
from scripts.validate.frames import Frames, read_package
from scripts.validate.registry import RULES


def frames_of(package: Package) -> Frames:
    frames, problems = read_package(package)
    assert problems == []
    return frames


def forget(frames: Frames, table: str) -> None:
    """Drop what the frames derived from ``table`` (typed columns, record keys) after an edit."""
    frames.forget(table)


def set_cell(frames: Frames, table: str, key: str, column: str, value: str) -> None:
    """Set one cell of the record whose key (as citations write it) is ``key``."""
    keys = frames.keys(table)
    assert key in keys.to_list(), f"the real data has no {table} record {key}"
    raw = frames.raw[table]
    frames.raw[table] = raw.with_columns(
        pl.when(keys == key).then(pl.lit(value)).otherwise(pl.col(column)).alias(column))
    forget(frames, table)


def add_row(frames: Frames, table: str, **cells: str) -> None:
    raw = frames.raw[table]
    row = pl.DataFrame({c: [cells.get(c)] for c in raw.columns}, schema=raw.schema)
    frames.raw[table] = pl.concat([raw, row])
    forget(frames, table)


def flagged(frames: Frames, name: str) -> set[tuple[str, str, str]]:
    """(table, field, record key) of every failing cell of rule ``name``."""
    return {(table, column, key) for table, column, mask, *_ in RULES[name].func(frames)
            for key in frames.keys(table).filter(mask.fill_null(False)).to_list()}


def test_the_semantic_rules_are_in_the_one_registry() -> None:
    assert {"figure_not_after_report", "status_as_of_source", "inference_marked_one_way",
            "baseline_comparable"} <= set(RULES)
    assert RULES["baseline_comparable"].needs == ("indicators",)


# --------------------------------------------------------------------------- figure_not_after_report

def test_last_day_of_a_reduced_date() -> None:
    dates = pl.DataFrame({"d": ["2024", "2024-02", "2023-02", "2024-08-09", None, "2024-13"]})
    got = dates.select(polars_last_day(pl.col("d")).alias("d"))["d"].to_list()
    assert got == [dt.date(2024, 12, 31), dt.date(2024, 2, 29), dt.date(2023, 2, 28), dt.date(2024, 8, 9),
                   None, None]


def test_first_day_of_a_reduced_date_reads_only_iso_dates() -> None:
    """A date written another way (slashes, day first) is no day at all, even when polars could guess
    its format from the value: the rules compare only what the schema's date pattern means."""
    dates = pl.DataFrame({"d": ["2024/08/09", "2024", "2024-02", "2024-08-09", None, "09.08.2024"]})
    got = dates.select(polars_first_day(pl.col("d")).alias("d"))["d"].to_list()
    assert got == [None, dt.date(2024, 1, 1), dt.date(2024, 2, 1), dt.date(2024, 8, 9), None, None]
    alone = pl.DataFrame({"d": ["2024/08/09"]}).select(polars_first_day(pl.col("d")).alias("d"))
    assert alone["d"].to_list() == [None]


def test_a_date_of_the_right_shape_that_is_no_day_has_no_first_or_last_day() -> None:
    """'2024-02-30' has the shape of a day (dates_are_real reports it): it reads as no date, and
    reading it does not stop the rules that compare dates."""
    frame = pl.DataFrame({"d": ["2024-02-30", "2024-02", "2023-02-29", "2024"]})
    got = frame.select(polars_first_day(pl.col("d")).alias("first"), polars_last_day(pl.col("d")).alias("last"))
    assert got.rows() == [(None, None), (dt.date(2024, 2, 1), dt.date(2024, 2, 29)), (None, None),
                          (dt.date(2024, 1, 1), dt.date(2024, 12, 31))]


@pytest.mark.parametrize("malformed", ["2024-8-9", "2024-8-09", "2024-08-9", "2024-8", "24-08-09", "2024-13",
                                       "2024-02-30x", " 2024"])
def test_a_malformed_date_is_read_as_no_date_by_every_reading(malformed: str) -> None:
    """Precision is told by the shape, not the length: '2024-8-9' is no day (it was 9 August, last
    day 31 August), and a comparison at common precision leaves it out (the pattern rule's finding)."""
    frame = pl.DataFrame({"d": [malformed, "2024-08"]})
    got = frame.select(polars_first_day(pl.col("d")).alias("first"), polars_last_day(pl.col("d")).alias("last"),
                       polars_precision(pl.col("d")).alias("precision"))
    assert got.row(0) == (None, None, None)
    assert got.row(1) == (dt.date(2024, 8, 1), dt.date(2024, 8, 31), "month")
    a, b = common_precision(pl.Series([malformed, "2024-08-09"]), pl.Series(["2024", "2024"]))
    assert (a.to_list(), b.to_list()) == ([None, "2024"], ["2024", "2024"])  # None: compares as neither


@pytest.mark.parametrize(("period", "published", "late"), [
    ("2024", "2024-08", True),         # the year had not ended when the report came out
    ("2024-08", "2024-08-09", True),   # nor had the month
    ("2024", "2024", False),           # same year: cannot tell, not reported
    ("2024-08-09", "2024-08", False),  # a day inside the report's month: cannot tell
    ("2023", "2024-08-09", False),
])
def test_figure_is_compared_by_the_last_day_each_date_covers(package: Package, period: str, published: str,
                                                              late: bool) -> None:
    frames = frames_of(package)
    set_cell(frames, "indicators", "gdp-region-2023-src-000", "period_start", period)
    set_cell(frames, "sources", "src-000", "published", published)
    expected = {("indicators", "period_start", "gdp-region-2023-src-000")} if late else set()
    assert flagged(frames, "figure_not_after_report") == expected


# --------------------------------------------------------------------------- status_as_of_source

def test_moving_a_meeting_after_its_sources_flags_only_what_says_it_happened(package: Package) -> None:
    """The sixth meeting moved to September 2024: its August sources can no longer say it was held,
    what it discussed or what was said at it; announced topics and statements made ahead of it
    stay, and documents keep their own status_date."""
    frames = frames_of(package)
    set_cell(frames, "meetings", "ca-consultative-6", "date_start", "2024-09")
    topics = ("borders", "consultative-process", "economy", "energy", "infrastructure", "migration", "security",
              "trade", "transport", "water")
    statements = ("tokayev-border-hubs-2024", "tokayev-water-policy-2024", "tokayev-unprecedented-cooperation-2024",
                  "tokayev-effective-platform-2024", "tokayev-region-image-2024", "tokayev-cooperation-tasks-2024",
                  "tokayev-economic-results-2024", "tokayev-growth-points-2024")
    assert flagged(frames, "status_as_of_source") == {
        ("meetings", "status", "ca-consultative-6"),
        *{("meeting_topics", "claim", f"ca-consultative-6/{t}/discussed") for t in topics},
        *{("statements", "meeting_relation", s) for s in statements},
    }


def test_a_citation_of_another_field_does_not_support_a_status(package: Package) -> None:
    frames = frames_of(package)
    add_row(frames, "citations", citation_id="C9999", table_name="meetings", record_id="ca-consultative-7",
            field_name="name", source_id="src-001", line_start="1", line_end="1", support="paraphrase",
            evidence="x")
    assert flagged(frames, "status_as_of_source") == set()
    set_cell(frames, "citations", "C9999", "field_name", "status")
    assert flagged(frames, "status_as_of_source") == {("meetings", "status", "ca-consultative-7")}


@pytest.mark.parametrize("whole_record", ["", None])
def test_a_citation_of_the_whole_record_supports_its_status(package: Package, whole_record: str | None) -> None:
    """A citation naming no field (empty, or missing in a frame built in memory) is of the whole
    record, its status included."""
    frames = frames_of(package)
    add_row(frames, "citations", citation_id="C9999", table_name="meetings", record_id="ca-consultative-7",
            field_name=whole_record, source_id="src-001", line_start="1", line_end="1", support="paraphrase",
            evidence="x")
    assert flagged(frames, "status_as_of_source") == {("meetings", "status", "ca-consultative-7")}


def test_a_status_value_the_schema_no_longer_has_stops_the_rule(package: Package,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Renamed in the schema, 'planned' would silently turn the planned-meeting check off."""
    monkeypatch.setattr(facts.AsOf, "PLANNED", "deferred")
    with pytest.raises(ValueError) as caught:
        flagged(frames_of(package), "status_as_of_source")
    assert str(caught.value) == "meetings.status has no enum value ['deferred']: update scripts/validate/rules.py"


def test_a_preview_may_support_a_planned_meeting(package: Package) -> None:
    frames = frames_of(package)
    add_row(frames, "citations", citation_id="C9999", table_name="meetings", record_id="ca-consultative-2026",
            field_name="status", source_id="src-001", line_start="1", line_end="1", support="paraphrase",
            evidence="x")
    assert flagged(frames, "status_as_of_source") == set()
    set_cell(frames, "meetings", "ca-consultative-2026", "status", "held")
    assert flagged(frames, "status_as_of_source") == {("meetings", "status", "ca-consultative-2026")}


def test_reported_attendance_at_a_planned_meeting_is_reported_once(package: Package) -> None:
    """From a later source: this rule's. From an earlier one: attendance_status_fits_sources's only."""
    frames = frames_of(package)
    set_cell(frames, "meetings", "ca-consultative-7", "status", "planned")
    assert ("attendance", "attendance_status", "ca-consultative-7/UZB/reported") in flagged(frames,
                                                                                          "status_as_of_source")
    add_row(frames, "attendance", meeting_id="ca-consultative-2026", state_id="KAZ", attendance_status="reported",
            person_id="", is_person_inferred="false", role="guest", inference_note="")
    add_row(frames, "citations", citation_id="C9999", table_name="attendance",
            record_id="ca-consultative-2026/KAZ/reported", field_name="", source_id="src-003", line_start="1",
            line_end="1", support="paraphrase", evidence="x")
    key = ("attendance", "attendance_status", "ca-consultative-2026/KAZ/reported")
    assert key not in flagged(frames, "status_as_of_source")
    assert key in flagged(frames, "attendance_status_fits_sources")


# --------------------------------------------------------------------------- inference_marked_one_way

def test_each_flag_qualifies_the_fields_its_name_says(package: Package) -> None:
    frames = frames_of(package)
    got = {name: facts.flag_fields(frames, name) for name in frames.raw if facts.flag_fields(frames, name)}
    assert got == {
        "attendance": {"is_person_inferred": ("person_id",)},
        "chairmanships": {"is_state_inferred": ("state_id",), "is_period_inferred": ("period",)},
        "document_signatories": {"is_person_inferred": ("person_id",),
                                 "is_capacity_inferred": ("capacity_office_id",)},
        "documents": {"is_status_date_inferred": ("status_date",)},
        "indicators": {"is_state_inferred": ("state_id",), "is_period_inferred": ("period_start", "period_end"),
                       "is_meeting_inferred": ("meeting_id",)},
        "memberships": {"is_as_of_inferred": ("as_of",)},
        "meetings": {"is_ordinal_inferred": ("ordinal",), "is_date_inferred": ("date_start", "date_end"),
                     "is_host_inferred": ("host_state_id",), "is_chair_inferred": ("chair_state_id",)},
        "sources": {"is_published_inferred": ("published",)},
        "statements": {"is_date_inferred": ("statement_date",)},
    }


def test_a_flag_that_qualifies_no_field_stops_the_rule(package: Package, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(facts, "FLAG_SUFFIXES", ("_nowhere",))
    with pytest.raises(ValueError) as caught:
        facts.flag_fields(frames_of(package), "meetings")
    assert str(caught.value) == ("meetings.is_ordinal_inferred qualifies no field: add it to IRREGULAR_FLAGS in "
                                 "scripts/validate/facts.py")


def test_a_record_level_inferred_citation_supports_a_flag(package: Package) -> None:
    """ca-consultative-2026/TKM/expected is cited as a whole with support 'inferred'."""
    frames = frames_of(package)
    set_cell(frames, "attendance", "ca-consultative-2026/TKM/expected", "is_person_inferred", "true")
    assert flagged(frames, "inference_marked_one_way") == set()
    set_cell(frames, "attendance", "ca-consultative-2026/AZE/expected", "is_person_inferred", "true")
    assert flagged(frames, "inference_marked_one_way") == {
        ("attendance", "is_person_inferred", "ca-consultative-2026/AZE/expected")}


def test_a_whole_record_inferred_citation_with_no_field_name_supports_a_flag(package: Package) -> None:
    frames = frames_of(package)
    set_cell(frames, "attendance", "ca-consultative-2026/AZE/expected", "is_person_inferred", "true")
    add_row(frames, "citations", citation_id="C9999", table_name="attendance",
            record_id="ca-consultative-2026/AZE/expected", source_id="src-001", line_start="1", line_end="1",
            support="inferred", evidence="x")  # field_name left missing
    assert ("attendance", "is_person_inferred", "ca-consultative-2026/AZE/expected") not in flagged(
        frames, "inference_marked_one_way")


def test_the_marking_rule_reports_on_every_flag_and_inference_note_of_a_keyed_table(package: Package) -> None:
    """Its declared targets: a finding elsewhere would stop validation, a target missed would never
    be checked. projects has a note and no flag."""
    flags = {t: tuple(f) for t, f in {
        "attendance": ["is_person_inferred"], "chairmanships": ["is_period_inferred", "is_state_inferred"],
        "document_signatories": ["is_capacity_inferred", "is_person_inferred"],
        "documents": ["is_status_date_inferred"],
        "indicators": ["is_meeting_inferred", "is_period_inferred", "is_state_inferred"],
        "meetings": ["is_chair_inferred", "is_date_inferred", "is_host_inferred", "is_ordinal_inferred"],
        "memberships": ["is_as_of_inferred"], "projects": [], "sources": ["is_published_inferred"],
        "statements": ["is_date_inferred"]}.items()}
    expected = {(t, f) for t, fs in flags.items() for f in (*fs, "inference_note")}
    got = RULES["inference_marked_one_way"].targets(package)
    assert sorted(got) == sorted(expected) and len(got) == len(expected)


def test_an_inferred_citation_of_an_unflagged_field_needs_only_the_note(package: Package) -> None:
    """attendance.role has no flag: its inferred citations ask for a note (there is one), nothing more."""
    frames = frames_of(package)
    assert ("attendance", "is_person_inferred", "ca-consultative-7/UZB/reported") not in flagged(
        frames, "inference_marked_one_way")
    set_cell(frames, "attendance", "ca-consultative-7/UZB/reported", "inference_note", "")
    assert flagged(frames, "inference_marked_one_way") == set()


# --------------------------------------------------------------------------- baselines

def test_a_baseline_of_another_state_pair_is_not_comparable(package: Package) -> None:
    frames = frames_of(package)
    set_cell(frames, "indicators", "bilateral-trade-kaz-chn-2024-01-2024-10-src-002", "partner_state_id", "JPN")
    assert flagged(frames, "baseline_comparable") == {
        ("indicators", "baseline_observation_id", "bilateral-trade-growth-kaz-chn-2024-01-2024-10-src-002")}
