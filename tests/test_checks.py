"""The Table Schema -> pandera translation and the semantic rules, on in-memory frames."""

from __future__ import annotations

import pandas as pd
import pytest

from scripts.checks import (
    PLAUSIBLE_RANGES,
    RULES,
    Frames,
    _common_precision,
    check_tables,
    enum_values,
    is_reduced_date,
    read_frame,
    rule_masks,
    table_schema,
    typed_frame,
)
from scripts.package import Package


def frames_of(package: Package) -> Frames:
    """Fresh frames of the real package, to edit in memory."""
    return Frames(package, {name: read_frame(t, t.path.read_bytes()) for name, t in package.tables.items()})


def located(problems) -> set[tuple[str, str, int | None, str | None]]:
    return {(p.rule, p.file, p.row, p.field) for p in problems}


def row_index(frames: Frames, table: str, **where: str) -> int:
    raw = frames.raw[table]
    mask = pd.Series(True, index=raw.index)
    for column, value in where.items():
        mask &= raw[column] == value
    if not mask.any():
        pytest.fail(f"the real data has no {table} row with {where}: pick another record for this test")
    return int(mask[mask].index[0])


# --------------------------------------------------------------------------- translation layer

def test_schema_columns_mirror_table_schema(package: Package) -> None:
    for table in package.tables.values():
        schema = table_schema(table)
        assert list(schema.columns) == table.field_names
        assert schema.strict and schema.ordered
        assert list(schema.unique or []) == list(table.primary_key)
        for fld in table.fields:
            column = schema.columns[fld.name]
            assert column.nullable is (not fld.required), fld.name
            assert column.unique is fld.unique, fld.name
            names = {c.error or c.name for c in column.checks}
            assert ("enum" in names) is (fld.enum is not None), fld.name
            assert ("pattern" in names) is bool(fld.pattern), fld.name
            assert ("minimum" in names) is (fld.minimum is not None and fld.type in ("integer", "number"))
            assert ("maximum" in names) is (fld.maximum is not None and fld.type in ("integer", "number"))


@pytest.mark.parametrize(("table", "key", "field", "value", "rule"), [
    ("meetings", {"meeting_id": "ca-consultative-6"}, "status", "helt", "enum"),
    ("meetings", {"meeting_id": "ca-consultative-6"}, "name", "", "required"),
    ("meetings", {"meeting_id": "ca-consultative-6"}, "name", "x" * 201, "length"),
    ("citations", {}, "line_start", "0", "minimum"),
    ("meetings", {"meeting_id": "ca-consultative-6"}, "ordinal", "101", "maximum"),
    ("meetings", {"meeting_id": "ca-consultative-6"}, "country_id", "kaz", "pattern"),
    ("states", {"state_id": "KAZ"}, "is_central_asian", "", "required"),
])
def test_derived_schema_reports_each_constraint(package: Package, table: str, key: dict[str, str], field: str,
                                                value: str, rule: str) -> None:
    frames = frames_of(package)
    index = row_index(frames, table, **key)
    frames.raw[table].loc[index, field] = value
    # only the schema's own checks: an odd ordinal may also break a semantic rule
    problems = [p for p in check_tables(frames) if p.file == f"tables/{table}.csv" and p.rule not in RULES]
    assert located(problems) == {(rule, f"tables/{table}.csv", index + 2, field)}
    assert problems[0].value == value


def test_derived_schema_reports_unique_and_primary_key(package: Package) -> None:
    frames = frames_of(package)
    sources = frames.raw["sources"]
    sources.loc[1, "file_name"] = sources.loc[0, "file_name"]
    states = frames.raw["states"]
    frames.raw["states"] = pd.concat([states, states.iloc[[0]]], ignore_index=True)
    found = located(check_tables(frames))
    assert ("unique", "tables/sources.csv", 3, "file_name") in found
    assert ("primary-key-duplicate", "tables/states.csv", len(states) + 2, "state_id") in found


def test_real_package_passes_schemas_and_rules(package: Package) -> None:
    assert check_tables(frames_of(package)) == []


# --------------------------------------------------------------------------- reading and casting

def test_read_frame_keeps_every_text_value(package: Package) -> None:
    table = package.table("states")
    frame = read_frame(table, b"state_id,name,is_central_asian\nNAM,NA,false\nNUL,null,\n")
    assert frame.to_dict("records") == [
        {"state_id": "NAM", "name": "NA", "is_central_asian": "false"},
        {"state_id": "NUL", "name": "null", "is_central_asian": ""},
    ]


def test_read_frame_keeps_rows_aligned_when_ragged_or_blank(package: Package) -> None:
    table = package.table("states")
    frame = read_frame(table, b"state_id,name,is_central_asian\nAAA,A,true,extra\n\nBBB,B\n")
    assert frame["state_id"].tolist() == ["AAA", "", "BBB"]
    assert frame["is_central_asian"].tolist() == ["true", "", ""]


def test_read_frame_matches_header_by_position_or_name(package: Package) -> None:
    table = package.table("states")
    renamed = read_frame(table, b"state_id,label,is_central_asian\nAAA,A,true\n")
    assert list(renamed.columns) == table.field_names and renamed.loc[0, "name"] == "A"
    short = read_frame(table, b"state_id,name\nAAA,A\n")
    assert short.loc[0, "is_central_asian"] == ""


def test_typed_frame_casts_by_table_schema_type(package: Package) -> None:
    table = package.table("citations")
    raw = read_frame(table, (b"citation_id,table_name,record_id,field_name,source_id,line_start,line_end,"
                             b"support,evidence\nC0001,states,KAZ,,000,3,x,verbatim,NA\n"))
    typed = typed_frame(table, raw)
    assert typed.loc[0, "line_start"] == 3 and str(typed["line_start"].dtype) == "Int64"
    assert pd.isna(typed.loc[0, "line_end"]) and pd.isna(typed.loc[0, "field_name"])
    assert typed.loc[0, "evidence"] == "NA"
    flags = typed_frame(package.table("states"), read_frame(package.table("states"),
                                                            b"state_id,name,is_central_asian\nA,a,true\nB,b,no\n"))
    assert flags["is_central_asian"].tolist()[0] is True and pd.isna(flags["is_central_asian"].tolist()[1])


# --------------------------------------------------------------------------- rules

def test_reduced_date_fields_are_found_from_their_patterns(package: Package) -> None:
    assert is_reduced_date(package.table("meetings").field("date_start"))
    assert is_reduced_date(package.table("indicators").field("period_end"))
    assert not is_reduced_date(package.table("meetings").field("meeting_id"))
    assert not is_reduced_date(package.table("citations").field("line_start"))


def test_common_precision_cuts_each_pair_to_the_coarser_date() -> None:
    a = pd.Series(["2024-08-09", "2024", "2024-08", None], dtype="str")
    b = pd.Series(["2024-08", "2024-08-10", "2024-09-01", "2024"], dtype="str")
    left, right = _common_precision(a, b)
    assert left.tolist()[:3] == ["2024-08", "2024", "2024-08"]
    assert right.tolist()[:3] == ["2024-08", "2024", "2024-09"]


def test_every_rule_is_documented_and_hinted() -> None:
    assert set(RULES) >= {
        "dates_are_real", "date_ranges_ordered", "ordinals_unique_per_format", "ordinals_increase_with_date",
        "chair_and_host_attend", "attendance_status_fits_sources", "signed_on_meeting_date",
        "target_after_baseline", "value_in_plausible_range", "record_is_cited", "citation_record_exists"}
    for name, item in RULES.items():
        assert item.func.__doc__ and len(item.summary) > 20, name
        assert item.hint, name


def test_plausible_ranges_use_schema_units_and_scales(package: Package) -> None:
    indicators = package.table("indicators")
    for unit, scale in PLAUSIBLE_RANGES:
        assert unit in indicators.field("unit").enum
        assert scale in indicators.field("scale").enum


def test_enum_values_fail_loudly_when_a_schema_drops_a_value(package: Package) -> None:
    assert enum_values(package.table("documents"), "status", "signed") == ("signed",)
    with pytest.raises(ValueError, match="no enum value"):
        enum_values(package.table("documents"), "status", "sealed")


def failing(frames: Frames) -> set[tuple[str, str, str, int]]:
    """(rule, table, field, spreadsheet row) for every False in every rule mask."""
    out = set()
    for (table, field), items in rule_masks(frames).items():
        for name, mask in items:
            out |= {(name, table, field, int(i) + 2) for i in mask[~mask].index}
    return out


def test_target_later_than_baseline_passes_and_same_year_fails(package: Package) -> None:
    frames = frames_of(package)
    raw = frames.raw["indicators"]
    targets = raw[(raw["value_kind"] == "target") & (raw["baseline_observation_id"] != "")]
    if targets.empty:
        pytest.fail("the real data has no target with a baseline: this rule would go untested")
    index = int(targets.index[0])
    base = raw.loc[raw["observation_id"] == raw.loc[index, "baseline_observation_id"], "period_start"].iloc[0]
    raw.loc[index, "period_start"] = str(int(base[:4]) + 6)
    assert failing(frames) == set()
    frames = frames_of(package)
    frames.raw["indicators"].loc[index, "period_start"] = base[:4]
    assert failing(frames) == {("target_after_baseline", "indicators", "period_start", index + 2)}


def test_signature_inside_a_multi_day_meeting_passes(package: Package) -> None:
    frames = frames_of(package)
    signatories = frames.raw["document_signatories"]
    signed = signatories[(signatories["signature_status"] == "signed") & (signatories["meeting_id"] != "")]
    if signed.empty:
        pytest.fail("the real data has no signature at a meeting: this rule would go untested")
    index = int(signed.index[0])
    meeting = signed.loc[index, "meeting_id"]
    meetings = frames.raw["meetings"]
    at = meetings["meeting_id"] == meeting
    meetings.loc[at, ["date_start", "date_end"]] = ["2022-07-20", "2022-07-22"]
    documents = frames.raw["documents"]
    documents.loc[documents["meeting_id"] == meeting, "status_date"] = "2022-07-21"
    signatories.loc[signatories["meeting_id"] == meeting, "signature_date"] = "2022-07-21"
    assert not {f for f in failing(frames) if f[0] == "signed_on_meeting_date"}
    signatories.loc[index, "signature_date"] = "2022-07-23"
    frames = Frames(package, frames.raw)  # typed frames are cached: start again from the edited text
    assert {f for f in failing(frames) if f[0] == "signed_on_meeting_date"} == {
        ("signed_on_meeting_date", "document_signatories", "signature_date", index + 2)}


def test_rules_needing_an_unreadable_table_are_skipped(package: Package) -> None:
    frames = frames_of(package)
    del frames.raw["offices"]
    names = {name for items in rule_masks(frames).values() for name, _ in items}
    assert "record_is_cited" not in names and "citation_record_exists" not in names
    assert "chair_and_host_attend" in names


def test_an_inferred_citation_needs_an_inference_note(package: Package) -> None:
    frames = frames_of(package)
    assert failing(frames) == set()
    index = row_index(frames, "meetings", meeting_id="ca-consultative-7")
    frames.raw["meetings"].loc[index, "inference_note"] = " "
    assert failing(frames) == {("inference_is_explained", "meetings", "inference_note", index + 2)}
    frames = frames_of(package)
    index = row_index(frames, "meetings", meeting_id="ca-consultative-4")  # is_host_inferred is true
    frames.raw["meetings"].loc[index, "inference_note"] = ""
    assert failing(frames) == {("inference_is_explained", "meetings", "inference_note", index + 2)}
    frames = frames_of(package)
    index = row_index(frames, "attendance", meeting_id="ca-consultative-6", state_id="KAZ",
                      attendance_status="reported")  # nothing inferred: a note is optional
    frames.raw["attendance"].loc[index, "inference_note"] = ""
    assert failing(frames) == set()
