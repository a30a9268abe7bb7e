"""scripts/validate/frames.py's Frames on the real package: a column asked for by name is that
column, and what was derived from a table (typed columns, record keys, rule results) is dropped
when the table's frame changes, and only that table's."""

from __future__ import annotations

import polars as pl

from scripts.model.package import Package
from scripts.validate.frames import read_package


def test_a_column_is_the_one_asked_for(package: Package) -> None:
    frames, _ = read_package(package)
    raw = frames.raw["meetings"]
    assert raw.columns[0] != "venue"
    assert frames.column("meetings", "venue").to_list() == raw.get_column("venue").cast(pl.String).to_list()
    assert frames.column("meetings", "venue").name == "venue"


def test_forgetting_a_table_drops_what_was_derived_from_it_and_nothing_else(package: Package) -> None:
    frames, _ = read_package(package)
    frames.typed("meetings", "ordinal")
    frames.typed("states", "is_central_asian")
    frames.keys("meetings")
    frames.keys("states")
    frames.cache["a rule's result"] = 1
    frames.forget("meetings")
    assert (set(frames._typed), set(frames._keys), frames.cache) == (
        {("states", "is_central_asian")}, {"states"}, {})
    frames.forget("meetings")  # nothing left of it: forgetting again is no error
    frames.forget("states")
    assert (frames._typed, frames._keys) == ({}, {})


def test_a_changed_frame_is_read_anew_after_forget(package: Package) -> None:
    frames, _ = read_package(package)
    before = frames.typed("meetings", "ordinal").get_column("ordinal").to_list()
    raw = frames.raw["meetings"]
    frames.raw["meetings"] = raw.with_columns(pl.lit("1").alias("ordinal"))
    assert frames.typed("meetings", "ordinal").get_column("ordinal").to_list() == before  # cached until told
    frames.forget("meetings")
    assert frames.typed("meetings", "ordinal").get_column("ordinal").to_list() == [1] * raw.height


def test_citations_by_table_hold_the_columns_asked_for_in_file_order(package: Package) -> None:
    frames, _ = read_package(package)
    by_table = frames.citing_by_table(pl.col("record_id").is_not_null(), "record_id", "field_name")
    meetings = by_table["meetings"]
    assert meetings.columns == ["record_id", "field_name"]
    rows = frames.raw["citations"].filter(pl.col("table_name").cast(pl.String) == "meetings")
    assert meetings.to_dicts() == rows.select(pl.col("record_id", "field_name").cast(pl.String)).to_dicts()
    assert by_table["no such table"].columns == ["record_id", "field_name"]
    assert by_table["no such table"].height == 0
