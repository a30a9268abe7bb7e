"""The model's parts that the release and the site share: the derived date columns, the leaders
view, dates and figures in words, and the names of the downloadable files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scripts.model import derived, figures, views
from scripts.model.dates import human_date, human_span
from scripts.model.downloads import Downloads, ReleaseFile, download_names, unreleased
from scripts.model.meta import package_meta
from scripts.model.package import load_package


@pytest.mark.parametrize(("text", "words"), [
    ("2024", "2024"), ("2024-08", "August 2024"), ("2024-08-09", "9 August 2024"),
    ("2026-11-30T00:00:00Z", "30 November 2026"), ("2024-02-30", "2024-02-30"), ("soon", "soon"), ("", ""),
    ("2024-08-09 or so", "2024-08-09 or so"), ("2024-08-090", "2024-08-090"), ("2024-08-09T", "9 August 2024")])
def test_a_date_in_words_keeps_its_precision(text: str, words: str) -> None:
    assert human_date(text) == words


def test_a_span_in_words_says_the_shared_month_once() -> None:
    assert human_span("2024-08-09", "2024-08-10") == "9–10 August 2024"
    assert human_span("2024-11-30", "2024-12-01") == "30 November – 1 December 2024"
    assert human_span("2024-12-30", "2025-01-02") == "30 December 2024 – 2 January 2025"
    assert human_span("2024", "") == human_span("2024", "2024") == human_span("2024") == "2024"


def test_a_span_end_that_only_looks_like_words_is_shown_whole() -> None:
    """Text that is no date (a tab inside ``10\tAugust 2024``) is never taken apart and merged."""
    assert human_span("2024-08-09", "10\tAugust 2024") == "9 August 2024 – 10\tAugust 2024"
    assert human_span("9\tAugust 2024", "2024-08-10") == "9\tAugust 2024 – 10 August 2024"


def test_figures_read_with_their_scale_and_unit() -> None:
    assert figures.figure_text("36.5", "USD", "billion") == "36.5 billion USD"
    assert (figures.figure_text("5000", "count", "one"), figures.figure_text("11", "percent", "one")) == (
        "5,000", "11%")
    assert figures.figure_text("0.125", "tonnes", "million") == "0.125 million tonnes"  # unknown words kept


def test_derived_columns_follow_each_reduced_date(package) -> None:
    meetings = package.table("meetings")
    names = [d["name"] for d in derived.derived_descriptors(meetings)]
    assert names == ["date_start_precision", "date_start_earliest", "date_start_latest",
                     "date_end_precision", "date_end_earliest", "date_end_latest"]
    frame = derived.derived_frame(meetings, [{"date_start": "2024-02", "date_end": ""},
                                             {"date_start": "2024", "date_end": "2025-12-31"}])
    assert frame.rows() == [("month", *_days("2024-02-01", "2024-02-29"), None, None, None),
                            ("year", *_days("2024-01-01", "2024-12-31"), "day", *_days("2025-12-31", "2025-12-31"))]
    assert derived.derived_descriptors(package.table("states")) == []


def _days(*texts: str) -> tuple:
    import datetime as dt

    return tuple(dt.date.fromisoformat(t) for t in texts)


def test_a_field_named_like_a_derived_column_is_refused(package_copy: Path) -> None:
    schema_path = package_copy / "schemas" / "meetings.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    schema["fields"].append({"name": "date_start_latest", "type": "string"})
    schema_path.write_text(json.dumps(schema), encoding="utf-8")
    table = load_package(package_copy).table("meetings")
    with pytest.raises(derived.DerivedNameClash, match=r"meetings\.json: field 'date_start_latest' has the name"):
        derived.with_derived(table)


def test_the_leaders_view_needs_its_tables(package) -> None:
    tables = {t.name: t.field_names for t in package.tables.values()}
    assert views.leaders_available(tables)
    del tables["offices"]
    assert not views.leaders_available(tables)
    sql = views.leaders_sql()
    assert "WHERE o.\"office_kind\" IN ('head_of_state', 'head_of_government')" in sql
    assert "kassym" not in sql  # offices decide, never a list of people


def test_release_file_names_come_from_the_release_record(package) -> None:
    meta = package_meta(package)
    whole, tables, about = download_names(meta, ["states"])
    assert whole == [f"{meta.name}-{meta.version}.zip", f"{meta.name}.xlsx", f"{meta.name}.sqlite",
                     "datapackage.json"]
    assert (tables, about) == (["states.csv", "states.parquet"], ["data-dictionary.md", "erd.svg"])
    listed = unreleased(meta, ["states"])
    assert not listed.released and listed.jsonld == ""
    done = Downloads((ReleaseFile("a.zip", 10, "0" * 64),), (), ())
    assert done.released and done.files[0].format == "ZIP" and done.files[0].open_with.startswith("any unzip")

