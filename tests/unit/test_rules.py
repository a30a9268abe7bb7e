"""The named rules on in-memory frames of the real package, edited cell by cell."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from scripts.model.dates import common_precision
from scripts.model.package import Package
from scripts.validate.checks import rule_problems, table_problems
from scripts.validate.columns import SMALL, _join, _small, lookup
from scripts.validate.frames import Frames, read_package
from scripts.validate.registry import RULES, RuleRun
from scripts.validate.rules import PLAUSIBLE_RANGES, enum_values

_READ: dict[int, tuple[Package, Frames]] = {}


def frames_of(package: Package) -> Frames:
    """Fresh frames of ``package`` for a test to edit: the files are read once per process (a
    test replaces whole frames, never edits one in place, so the read frames stay as read)."""
    if id(package) not in _READ:
        frames, problems = read_package(package)
        assert problems == []
        _READ[id(package)] = (package, frames)
    read = _READ[id(package)][1]
    return Frames(package, raw=dict(read.raw), missing_columns={k: set(v) for k, v in read.missing_columns.items()})


def set_cell(frames: Frames, table: str, row: int, column: str, value: str) -> None:
    raw = frames.raw[table]
    frames.raw[table] = raw.with_columns(
        pl.when(pl.int_range(pl.len()) == row).then(pl.lit(value)).otherwise(pl.col(column)).alias(column))
    frames.forget(table)


def row_of(frames: Frames, table: str, **where: str) -> int:
    raw = frames.raw[table].with_row_index("i")
    for column, value in where.items():
        raw = raw.filter(pl.col(column) == value)
    if raw.height == 0:
        pytest.fail(f"the real data has no {table} row with {where}: pick another record for this test")
    return int(raw["i"][0])


def failing(frames: Frames, *only: str) -> set[tuple[str, str, str, int]]:
    """(rule, table, field, row) of every named rule's finding; with ``only``, those rules run
    alone, on the tables they report on (all the rules take ~1 s on the real package, one rule a
    tenth of that), and find what they find among all (test_a_rule_alone_finds_what_it_finds_among_all)."""
    if only:
        run = RuleRun(frames, {"sources": None})
        rules = [r for r in run.applicable(include_provenance=False) if r[0].name in only]
        problems = [p for name in dict.fromkeys(table for _, table, _ in rules)
                    for p in table_problems(frames, run, name, rules, only_rules=True)]
    else:
        problems = rule_problems(frames)
    return {(p.rule, p.file.removeprefix("tables/").removesuffix(".csv"), p.field, p.row) for p in problems}


def test_the_real_package_breaks_no_rule(package: Package) -> None:
    assert failing(frames_of(package)) == set()


def test_a_rule_alone_finds_what_it_finds_among_all(package: Package) -> None:
    frames = frames_of(package)
    index = row_of(frames, "meetings", meeting_id="ca-consultative-6")
    set_cell(frames, "meetings", index, "date_start", "2023-02-29")  # not a day: dates_are_real
    set_cell(frames, "meetings", index, "date_end", "2023-02-01")   # before its start: date_ranges_ordered
    everything = failing(frames)
    assert {f[0] for f in everything} >= {"dates_are_real", "date_ranges_ordered"}
    for rule in {f[0] for f in everything}:
        frames.cache.clear()  # the rule computed anew, not taken from the run of all
        assert failing(frames, rule) == {f for f in everything if f[0] == rule}, rule
    assert failing(frames, "dates_are_real", "date_ranges_ordered") == {
        f for f in everything if f[0] in ("dates_are_real", "date_ranges_ordered")}


def test_common_precision_cuts_each_pair_to_the_coarser_date() -> None:
    a = pl.Series(["2024-08-09", "2024", "2024-08", None])
    b = pl.Series(["2024-08", "2024-08-10", "2024-09-01", "2024"])
    left, right = common_precision(a, b)
    assert left.to_list() == ["2024-08", "2024", "2024-08", None]
    assert right.to_list() == ["2024-08", "2024", "2024-09", "2024"]


def test_lookup_keeps_order_and_the_first_of_repeated_keys() -> None:
    found = lookup(pl.Series(["b", "x", "a", None]), pl.Series(["a", "b", "a"]), pl.Series([1, 2, 3]))
    assert found.to_list() == [2, None, 1, None]


def test_a_long_lookup_of_few_values_answers_each_row_as_a_join_would() -> None:
    keys = pl.Series([f"k{i}" for i in range(20_000)] + ["k3"])  # k3 twice: the first value stands
    found = lookup(pl.Series(["k3", "k7", None, "x", "k19999"] * 5_000), keys, pl.Series(range(20_001)))
    assert found.to_list() == [3, 7, None, None, 19_999] * 5_000


def test_a_long_lookup_by_whole_numbers_is_answered_too() -> None:
    """Keys of another type than text (an ordinal, a year) go the plain way, however long the lookup."""
    found = lookup(pl.Series([1, 2, None, 9] * 5_000), pl.Series([1, 2, 3]), pl.Series(["a", "b", "c"]))
    assert found.to_list() == ["a", "b", None, None] * 5_000


@pytest.mark.parametrize(("wanted", "keys", "values"), [
    (["b", "x", "a", None, "b"], ["a", "b", "a", None], [1, 2, 3, 4]),
    ([3, None, 1, 7], [1, 3, 3], ["one", "three", "again"]),
    (["m", "n"], ["n", "m"], [dt.date(2024, 8, 1), None]),
    (["a", "b"], ["a"], [True]),
    (["a"], [], []),
], ids=["text-first-of-repeats", "int-keys", "dates-and-null-values", "booleans", "no-keys"])
def test_a_small_lookup_answers_as_the_join_does(wanted, keys, values) -> None:
    """The dictionary kept for small lookups gives the join's Series: values, name and type."""
    dtype = pl.Series(values).dtype if values else pl.Int64
    wanted_s, keys_s = pl.Series(wanted), pl.Series(keys, dtype=pl.Series(wanted).dtype)
    values_s = pl.Series(values, dtype=dtype)
    small, joined = _small(wanted_s, keys_s, values_s), _join(wanted_s, keys_s, values_s, pl.lit(True))
    assert small.equals(joined, check_names=True, check_dtypes=True)
    assert small.to_list() == joined.to_list()


def test_a_small_lookup_by_floats_is_joined_so_that_nan_finds_nan() -> None:
    found = lookup(pl.Series([float("nan"), -0.0, 2.5]), pl.Series([float("nan"), 0.0]), pl.Series(["n", "zero"]))
    assert found.to_list() == ["n", "zero", None]


def test_lookups_past_the_small_size_are_joined(monkeypatch: pytest.MonkeyPatch) -> None:
    keys = pl.Series([f"k{i}" for i in range(SMALL)])
    monkeypatch.setattr("scripts.validate.columns._small", lambda *_: pytest.fail("joined, not small"))
    assert lookup(pl.Series(["k1"]), keys, pl.Series(range(SMALL))).to_list() == [1]
    monkeypatch.undo()
    monkeypatch.setattr("scripts.validate.columns._join", lambda *_: pytest.fail("small, not joined"))
    assert lookup(pl.Series(["k1"]), keys[: SMALL - 1], pl.Series(range(SMALL - 1))).to_list() == [1]


def test_every_rule_is_documented_and_hinted() -> None:
    for name, item in RULES.items():
        assert item.func.__doc__ or item.provenance, name
        assert len(item.info.message) > 20, name
        assert item.info.hint and "[" not in item.info.hint, name


def test_plausible_ranges_use_schema_units_and_scales(package: Package) -> None:
    indicators = package.table("indicators")
    for unit, scale in PLAUSIBLE_RANGES:
        assert unit in indicators.field("unit").enum
        assert scale in indicators.field("scale").enum


def test_enum_values_fail_loudly_when_a_schema_drops_a_value(package: Package) -> None:
    frames = frames_of(package)
    assert enum_values(frames, "documents", "status", "signed") == ("signed",)
    with pytest.raises(ValueError, match="no enum value"):
        enum_values(frames, "documents", "status", "sealed")


def test_target_later_than_baseline_passes_and_same_year_fails(package: Package) -> None:
    frames = frames_of(package)
    raw = frames.raw["indicators"].with_row_index("i")
    targets = raw.filter((pl.col("value_kind") == "target") & (pl.col("baseline_observation_id") != ""))
    if targets.height == 0:
        pytest.fail("the real data has no target with a baseline: this rule would go untested")
    index = int(targets["i"][0])
    base_id = targets["baseline_observation_id"][0]
    base = raw.filter(pl.col("observation_id") == base_id)["period_start"][0]
    set_cell(frames, "indicators", index, "period_start", str(int(base[:4]) + 6))
    assert failing(frames) == set()
    set_cell(frames, "indicators", index, "period_start", base[:4])
    assert failing(frames) == {("target_after_baseline", "indicators", "period_start", index + 2)}


def test_signature_inside_a_multi_day_meeting_passes(package: Package) -> None:
    frames = frames_of(package)
    index = row_of(frames, "document_signatories", signature_status="signed")
    meeting = frames.raw["document_signatories"]["meeting_id"][index]
    if not meeting:
        pytest.fail("the first signed signature has no meeting: this rule would go untested")
    m = row_of(frames, "meetings", meeting_id=meeting)
    set_cell(frames, "meetings", m, "date_start", "2022-07-20")
    set_cell(frames, "meetings", m, "date_end", "2022-07-22")
    for table, column in (("documents", "status_date"), ("document_signatories", "signature_date")):
        for row, value in enumerate(frames.raw[table]["meeting_id"].to_list()):
            if value == meeting:
                set_cell(frames, table, row, column, "2022-07-21")
    assert not {f for f in failing(frames) if f[0] == "signed_on_meeting_date"}
    set_cell(frames, "document_signatories", index, "signature_date", "2022-07-23")
    assert {f for f in failing(frames) if f[0] == "signed_on_meeting_date"} == {
        ("signed_on_meeting_date", "document_signatories", "signature_date", index + 2)}


def test_rules_needing_an_unreadable_table_are_skipped(package: Package) -> None:
    frames = frames_of(package)
    record = row_of(frames, "offices")
    set_cell(frames, "offices", record, "office_id", "uncited-office")
    assert ("record_is_cited", "offices", "office_id", record + 2) in failing(frames)
    del frames.raw["citations"]  # run on the missing table, these rules would raise KeyError
    assert not {f for f in failing(frames) if f[0] in ("record_is_cited", "citation_record_exists")}


def test_an_inferred_value_needs_an_inference_note(package: Package) -> None:
    frames = frames_of(package)
    index = row_of(frames, "meetings", meeting_id="ca-consultative-7")
    set_cell(frames, "meetings", index, "inference_note", " ")
    assert ("inference_is_explained", "meetings", "inference_note", index + 2) in failing(frames)


def test_dates_are_real_catches_what_the_pattern_lets_through(package: Package) -> None:
    frames = frames_of(package)
    index = row_of(frames, "meetings", meeting_id="ca-consultative-6")
    set_cell(frames, "meetings", index, "date_start", "2023-02-29")
    set_cell(frames, "meetings", index, "date_end", "2023-03-01")
    found = {f for f in failing(frames) if f[0] == "dates_are_real"}
    assert found == {("dates_are_real", "meetings", "date_start", index + 2)}


@pytest.mark.parametrize(("cells", "not_days"), [
    ([None, "", "2024-02-30", "2024-02-29", "2023-02-29", "2024-08", "2024"], [False, False, True, False, True,
                                                                                False, False]),
    # a malformed first cell does not change how the others are read (no format guessed from it)
    (["09.08.2024", "2024-08-09", "2024-13-01"], [False, False, True]),
    (["2024/08/09", "2024-08-09"], [False, False]),
])
def test_a_day_is_a_calendar_day_read_as_iso_whatever_the_column_holds(cells: list, not_days: list) -> None:
    from scripts.validate.rules import _not_a_day

    frame = pl.DataFrame({"d": cells}, schema={"d": pl.String})
    assert frame.select(_not_a_day(pl.col("d")))["d"].to_list() == not_days


@pytest.mark.parametrize("key", [False, True])
def test_a_missing_cell_is_clean_text(key: bool) -> None:
    """A column the CSV lacks is read as nulls: nothing in it is unclean (the missing column is the
    finding); a key may have spaces around it (key_whitespace's), other text may not."""
    from scripts.model.spec import make_field
    from scripts.validate.rules import _clean_check

    check = _clean_check(make_field({"name": "t"}), key)
    frame = pl.DataFrame({"t": [None, "ok", " padded", "a\x1bb"]}, schema={"t": pl.String})
    assert frame.select(check(pl.col("t")))["t"].to_list() == [False, False, not key, True]


def test_the_named_rules_alone_report_no_cell_the_schema_refuses(package: Package) -> None:
    """rule_problems is the named rules' findings only: an ordinal that is no integer is the
    schema's (type-error), reported by validate, not here."""
    frames = frames_of(package)
    set_cell(frames, "meetings", row_of(frames, "meetings", meeting_id="ca-consultative-6"), "ordinal", "six")
    assert failing(frames) == set()


def test_a_record_with_an_empty_key_part_is_found_by_its_citation(package: Package) -> None:
    """An empty key part is the schema's finding (required); the record's key is still its parts
    joined, the empty one as nothing, so the citation naming it that way finds it."""
    frames = frames_of(package)
    topic = row_of(frames, "meeting_topics", meeting_id="ca-consultative-6", topic_id="economy", claim="announced")
    set_cell(frames, "meeting_topics", topic, "claim", None)
    citation = row_of(frames, "citations", citation_id="C0332")
    set_cell(frames, "citations", citation, "record_id", "ca-consultative-6/economy/")
    assert failing(frames, "record_is_cited", "citation_record_exists") == set()
