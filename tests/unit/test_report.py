"""Problems, merging and rendering: one line per mistake, none lost, readable at any volume."""

from __future__ import annotations

import json

import pytest

from scripts.report import CAP, Problem, merge, noun, render_json, render_text, shorten

RAW, STRUCTURE, SCHEMA, RULE = range(4)


def problem(rule: str, row: int | None, field: str | None, file: str = "tables/x.csv", value: object = None) -> Problem:
    return Problem(file, row, field, value, rule, rule)


def test_merge_keeps_one_line_per_mistake() -> None:
    cell = problem("key-whitespace", 4, "state_id")
    hidden_same_cell = problem("pattern", 4, "state_id")
    other_cell = problem("foreign-key", 4, "leader_id")
    row_level = problem("blank-row", 7, None)
    hidden_in_row = problem("required", 7, "name")
    column_level = problem("missing-label", None, "name")
    hidden_in_column = problem("required", 9, "name")
    other_file = problem("required", 9, "name", file="tables/y.csv")
    same_rank = problem("record_is_cited", 5, "state_id")
    kept = merge([(RAW, cell), (SCHEMA, hidden_same_cell), (SCHEMA, other_cell),
                  (STRUCTURE, row_level), (SCHEMA, hidden_in_row), (STRUCTURE, column_level),
                  (SCHEMA, hidden_in_column), (SCHEMA, other_file), (RULE, same_rank), (RULE, same_rank)])
    assert kept == [cell, other_cell, row_level, column_level, other_file, same_rank]


def test_merge_drops_the_same_finding_from_two_engines_but_keeps_two_rules() -> None:
    first = Problem("tables/x.csv", 3, "name", "a", "pattern", "from the polars checks")
    again = Problem("tables/x.csv", 3, "name", "a", "pattern", "from the workbook reader")
    other_rule = Problem("tables/x.csv", 3, "name", "a", "max-length", "too long")
    assert merge([(SCHEMA, first), (SCHEMA, again), (SCHEMA, other_rule)]) == [first, other_rule]


def test_twenty_thousand_bad_rows_are_all_counted_and_rendering_is_capped() -> None:
    problems = [problem("pattern", row, "state_id", value=f"bad{row}") for row in range(2, 20_002)]
    problems += [problem("enum", row, "status") for row in range(2, 20_002)]
    problems += [problem("required", row, "name") for row in range(2, 5)]
    kept = merge((SCHEMA, p) for p in problems)
    assert len(kept) == 40_003
    text = render_text(kept)
    assert text.count("[pattern]") == CAP + 1 and text.count("[enum]") == CAP + 1
    assert f"  … and {20_000 - CAP:,} more [pattern] problems in tables/x.csv\n" in text
    assert f"  … and {20_000 - CAP:,} more [enum] problems in tables/x.csv\n" in text
    assert text.count("[required]") == 3
    assert text.endswith("invalid: 40003 problems in 1 file\n")
    data = json.loads(render_json(kept))
    assert data["problem_count"] == 40_003 and len(data["problems"]) == 40_003
    assert data["rules"] == {"enum": 20_000, "pattern": 20_000, "required": 3}


def test_long_values_are_shortened_with_their_length() -> None:
    value = "abc" * 70_000
    assert shorten(value) == repr(value[:80]) + "… (210,000 characters)"
    text = render_text([problem("max-length", 2, "name", value=value)])
    assert "(210,000 characters)" in text and len(text) < 500
    (item,) = json.loads(render_json([problem("max-length", 2, "name", value=value)]))["problems"]
    assert len(item["value"]) == 1000 and item["value_length"] == 210_000


def test_reports_are_deterministic_and_sorted() -> None:
    items = [problem("enum", 9, "b"), problem("missing-file", None, None, file="tables/a.csv"), problem("enum", 2, "b")]
    assert render_json(items) == render_json(list(reversed(items)))
    text = render_text(items)
    assert text.index("tables/a.csv") < text.index("tables/x.csv")
    assert text.index("row 2,") < text.index("row 9,")
    assert render_text([]) == "valid: 0 problems\n"


@pytest.mark.parametrize(("count", "words", "expected"), [
    (0, ("problem",), "problems"), (1, ("problem",), "problem"), (2, ("problem",), "problems"),
    (1, ("is", "are"), "is"), (3, ("is", "are"), "are"), (-1, ("file",), "files"),
])
def test_a_counted_noun_agrees_with_its_count(count: int, words: tuple[str, ...], expected: str) -> None:
    assert noun(count, *words) == expected
