"""What an import says: its report (text and JSON, exactly), the stale-workbook refusal and the note
naming the cells a stale workbook would also have been refused for."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.report import Problem
from scripts.xlsx.read.changes import CellChange, Changes, RecordChange
from scripts.xlsx.read.importer import REEXPORT, ImportResult, _also_refused, _stale

CHANGES = Changes(cells=[CellChange("meetings", "meetings!F3", "ca-1", "city", "Astana", "Almaty — Алматы")],
                  added=[RecordChange("states", "TKM", 7)], removed=[RecordChange("states", "XYZ", None)])


def test_the_json_report_lists_everything_unescaped_and_indented() -> None:
    result = ImportResult(notes=["from the reader"], changed=["meetings", "states"], changes=CHANGES)
    assert result.report(Path("book.xlsx"), ["from the command"], "json") == """{
  "imported": "book.xlsx",
  "changed": [
    "meetings",
    "states"
  ],
  "notes": [
    "from the command",
    "from the reader"
  ],
  "changes": {
    "cells": [
      {
        "table": "meetings",
        "cell": "meetings!F3",
        "key": "ca-1",
        "field": "city",
        "old": "Astana",
        "new": "Almaty — Алматы"
      }
    ],
    "added": [
      {
        "table": "states",
        "key": "TKM",
        "row": 7
      }
    ],
    "removed": [
      {
        "table": "states",
        "key": "XYZ",
        "row": null
      }
    ]
  }
}
"""


def test_the_text_report_gives_notes_changes_then_the_tables() -> None:
    result = ImportResult(notes=["from the reader"], changed=["meetings", "states"], changes=CHANGES)
    assert result.report("book.xlsx", ["from the command"], "text").splitlines() == [
        "note: from the command", "note: from the reader",
        "meetings!F3 (ca-1, city): 'Astana' → 'Almaty — Алматы'",
        "states!A7: record TKM added", "states: record XYZ removed",
        "imported book.xlsx: meetings, states changed"]
    assert ImportResult().report("book.xlsx", [], "text") == "imported book.xlsx: no table changed\n"


def test_a_stale_workbook_is_refused_as_a_whole() -> None:
    assert _stale(Path("book.xlsx")) == Problem(
        "book.xlsx", None, None, None, "tables-changed",
        "the package's tables changed after this workbook was exported; importing it would undo those changes",
        REEXPORT)


def _cells(count: int) -> list[Problem]:
    return [Problem("book.xlsx", None, None, None, "type-error", f"meetings!B{n}: 'x: y' is not a date", "")
            for n in range(2, count + 2)]


@pytest.mark.parametrize(("count", "listed"), [
    (0, None),
    (1, "1 cell problem (meetings!B2)"),
    (10, "10 cell problems (" + ", ".join(f"meetings!B{n}" for n in range(2, 12)) + ")"),
    (12, "12 cell problems (" + ", ".join(f"meetings!B{n}" for n in range(2, 12)) + " and 2 more)"),
])
def test_a_stale_workbooks_other_problems_are_named_not_listed(count: int, listed: str | None) -> None:
    expected = [] if listed is None else [
        f"this workbook also has {listed}, not listed since the edits must be made again in a fresh export: "
        "check those cells there"]
    assert _also_refused(_cells(count)) == expected


def test_the_change_lines_stop_at_the_limit_and_count_the_rest() -> None:
    changes = Changes(added=[RecordChange("states", key, n) for n, key in enumerate(("AAA", "BBB", "CCC"), 2)])
    assert changes.lines(limit=3) == ["states!A2: record AAA added", "states!A3: record BBB added",
                                      "states!A4: record CCC added"]
    assert changes.lines(limit=2) == ["states!A2: record AAA added", "states!A3: record BBB added",
                                      "… and 1 more changes (--format json lists them all)"]
