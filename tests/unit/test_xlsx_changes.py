"""scripts/xlsx/read/changes.py: the changes an import reports, cell by cell, at the cells where
the user made them."""

from __future__ import annotations

from dataclasses import replace

import pytest

from scripts.model.package import load_package, read_rows
from scripts.xlsx.read.changes import CellChange, Changes, RecordChange, table_changes
from scripts.xlsx.read.rows import SheetTable
from tests.unit.xlsx_support import copy_package


@pytest.fixture(scope="module")
def topics(tmp_path_factory: pytest.TempPathFactory):
    return load_package(copy_package(tmp_path_factory.mktemp("changes") / "pkg")).table("topics")


def _sheet(table, records: list[dict[str, str]], positions: dict[str, int] | None = None) -> SheetTable:
    return SheetTable.from_records(table, records, list(range(2, len(records) + 2)),
                                   positions or {n: i for i, n in enumerate(table.field_names)})


def test_changed_added_and_removed_records_at_their_cells(topics) -> None:
    old = read_rows(topics)
    new = [dict(r) for r in old if r["topic_id"] != "culture"]
    new[0]["description"] = "Changed."
    new.append({"topic_id": "zz-new", "name": "New", "description": ""})
    positions = {"name": 0, "description": 1, "topic_id": 4}  # columns moved in the sheet
    found = table_changes(topics, topics.path.read_bytes(), _sheet(topics, new, positions))
    assert found.cells == [CellChange("topics", "topics!B2", old[0]["topic_id"], "description",
                                      old[0]["description"], "Changed.")]
    assert found.added == [RecordChange("topics", "zz-new", len(new) + 1)]
    assert found.removed == [RecordChange("topics", "culture", None)]
    assert found.lines() == [
        f"topics!B2 ({old[0]['topic_id']}, description): {old[0]['description']!r} → 'Changed.'",
        f"topics!A{len(new) + 1}: record zz-new added", "topics: record culture removed"]


def test_an_unchanged_sheet_has_no_changes_and_empty_cells_compare_as_empty(topics) -> None:
    old = read_rows(topics)
    assert table_changes(topics, topics.path.read_bytes(), _sheet(topics, old)) == Changes()
    blanked = [dict(r) for r in old]
    blanked[1]["description"] = ""
    found = table_changes(topics, topics.path.read_bytes(), _sheet(topics, blanked))
    assert [(c.cell, c.old, c.new) for c in found.cells] == [("topics!C3", old[1]["description"], "")]


def test_a_table_without_a_key_shows_a_changed_record_as_removed_and_added(topics) -> None:
    keyless = replace(topics, primary_key=())
    old = read_rows(topics)
    new = [dict(r) for r in old]
    new[0]["name"] = "Renamed"
    found = table_changes(keyless, topics.path.read_bytes(), _sheet(keyless, new))
    assert found.cells == []
    assert [r.row for r in found.added] == [2] and len(found.removed) == 1


def test_the_text_report_is_capped_and_counts_the_rest() -> None:
    many = Changes([CellChange("t", f"t!A{n}", f"k{n}", "f", "a" * 100, "") for n in range(2, 62)],
                   [RecordChange("t", "new", 70)], [])
    lines = many.lines()
    assert len(lines) == 51 and lines[-1] == "… and 11 more changes (--format json lists them all)"
    assert lines[0] == f"t!A2 (k2, f): '{'a' * 60}… (100 characters)' → ''"
    assert len(many.to_dict()["cells"]) == 60


def test_a_record_whose_every_field_changed_is_found_and_cells_come_in_sheet_order(topics) -> None:
    """Cells are listed by sheet row, then sheet column (columns moved: description before name),
    whatever order the join or the schema gives them."""
    old = read_rows(topics)
    new = [dict(r) for r in old]
    for record in (new[2], new[0]):
        record["name"], record["description"] = "N", "D"
    positions = {"description": 0, "name": 1, "topic_id": 2}
    found = table_changes(topics, topics.path.read_bytes(), _sheet(topics, new, positions))
    assert [(c.cell, c.field) for c in found.cells] == [
        ("topics!A2", "description"), ("topics!B2", "name"), ("topics!A4", "description"), ("topics!B4", "name")]


def test_a_field_the_sheet_does_not_place_is_shown_at_its_schema_column(topics) -> None:
    old = read_rows(topics)
    new = [dict(r) for r in old]
    new[0]["description"] = "D"
    found = table_changes(topics, topics.path.read_bytes(), SheetTable.from_records(
        topics, new, list(range(2, len(new) + 2)), {"topic_id": 0}))
    assert [c.cell for c in found.cells] == ["topics!C2"]


def test_the_old_csv_is_compared_as_text_and_a_missing_column_as_empty(topics) -> None:
    """The old CSV is read as text, never as numbers ("007" and "12.50" are not 7 and 12.5), bytes
    that are not UTF-8 as U+FFFD rather than a crash, and a field the CSV lacks (added to the
    schema since) as empty cells."""
    old_csv = b"topic_id,name,description\nt1,007,caf\xe9\nt2,12.50,\n"
    records = [{"topic_id": "t1", "name": "007", "description": "café"},
               {"topic_id": "t2", "name": "12.50", "description": "x"}]
    found = table_changes(topics, old_csv, _sheet(topics, records))
    assert [(c.cell, c.old, c.new) for c in found.cells] == [("topics!C2", "caf\ufffd", "café"), ("topics!C3", "", "x")]
    lacking = table_changes(topics, b"topic_id,name\nt1,007\nt2,12.50\n", _sheet(topics, records))
    assert [(c.cell, c.old, c.new) for c in lacking.cells] == [("topics!C2", "", "café"), ("topics!C3", "", "x")]


def test_an_emptied_sheet_removes_every_record(topics) -> None:
    found = table_changes(topics, topics.path.read_bytes(), _sheet(topics, []))
    assert (found.cells, found.added) == ([], [])
    assert [r.key for r in found.removed] == [r["topic_id"] for r in read_rows(topics)]


def test_changes_of_several_tables_add_up() -> None:
    first = Changes([CellChange("a", "a!B2", "k", "f", "x", "y")], [RecordChange("a", "n", 3)],
                    [RecordChange("a", "r", None)])
    second = Changes([CellChange("b", "b!B2", "k", "f", "x", "y")], [RecordChange("b", "n", 4)],
                     [RecordChange("b", "r", None)])
    first.extend(second)
    assert [c.table for c in first.cells] == ["a", "b"]
    assert [r.table for r in first.added] == ["a", "b"] and [r.table for r in first.removed] == ["a", "b"]
