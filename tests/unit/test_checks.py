"""scripts/validate/checks.py on small made-up packages: the CSV's own checks (rows sorted by key)
at their edges, and a key column the header lacks reported once, as a missing column, not once a
row by the checks that read it."""

from __future__ import annotations

import json
from pathlib import Path

from scripts.report import Problem
from scripts.validate import validate_package
from scripts.validate.frames import CODED_MIN_ROWS


def _package(root: Path, fields: list[str], key: list[str], rows: str, unique: tuple[str, ...] = ()) -> Path:
    """One table ``t`` of text fields, its key's fields required and of at least two characters,
    the ``unique`` ones unique."""
    def constraints(name: str) -> dict:
        found = {"required": True, "minLength": 2} if name in key else {}
        return {"constraints": {**found, "unique": True}} if name in unique else \
            ({"constraints": found} if found else {})

    schema = {"fields": [{"name": name, "type": "string", **constraints(name)} for name in fields],
              "primaryKey": key}
    (root / "t.json").write_text(json.dumps(schema), encoding="utf-8")
    (root / "t.csv").write_text(rows, encoding="utf-8", newline="")
    resource = {"name": "t", "path": "t.csv", "schema": "t.json"}
    (root / "datapackage.json").write_text(json.dumps({"name": "p", "resources": [resource]}), encoding="utf-8")
    return root


NOT_SORTED_HINT = "sort the rows by primary key (python -m scripts import rewrites the CSVs sorted)"


def test_a_table_of_two_rows_out_of_order_is_reported(tmp_path: Path) -> None:
    root = _package(tmp_path, ["a", "b"], ["a"], "a,b\n22,x\n11,y\n")
    assert validate_package(root, None) == [
        Problem("t.csv", 3, None, None, "rows-not-sorted", "row 3 sorts before the row above it by primary key (a)",
                NOT_SORTED_HINT)]


def test_a_table_of_one_row_is_sorted(tmp_path: Path) -> None:
    assert validate_package(_package(tmp_path, ["a", "b"], ["a"], "a,b\n22,x\n"), None) == []


def test_a_key_column_the_header_lacks_is_one_missing_column(tmp_path: Path) -> None:
    """The key is the last column (a fork's schema may put it there) and the header stops before it:
    no row is called unsorted, duplicated, empty or too short in a column that is not there."""
    root = _package(tmp_path, ["b", "a"], ["a"], "b\ny\nx\ny\n")
    assert validate_package(root, None) == [
        Problem("t.csv", None, "a", None, "missing-label", "the header has no column 'a' (column 2)",
                "add the column to the header, named as in the schema")]


def test_a_repeated_key_in_a_big_table_kept_as_categoricals_is_reported(tmp_path: Path) -> None:
    """A table past CODED_MIN_ROWS with a repeated column is checked a distinct value at a time for
    its cell checks; a check between rows (the primary key) still reads every row."""
    keys = [f"k{n:05d}" for n in range(CODED_MIN_ROWS)]
    keys.insert(5000, keys[4999])  # the 5,001st key again, on the row after it
    root = _package(tmp_path, ["a", "b"], ["a"], "a,b\n" + "".join(f"{k},x\n" for k in keys))
    assert validate_package(root, None) == [
        Problem("t.csv", 5002, "a", "k04999", "primary-key", "the primary key (a) 'k04999' occurs more than once",
                "each record needs its own primary key: change or remove the duplicate")]


def test_a_repeated_value_of_a_unique_column_kept_as_a_categorical_is_reported_at_every_repeat(tmp_path: Path) -> None:
    """The column is coded (two distinct values over the table), and uniqueness is a check between
    rows: read a distinct value at a time it would find no repeat at all. Each value's first row
    is its own; every later one is reported."""
    rows = "".join(f"k{n:05d},{'pq'[n % 2]}\n" for n in range(CODED_MIN_ROWS))
    found = validate_package(_package(tmp_path, ["a", "u"], ["a"], "a,u\n" + rows, unique=("u",)), None)
    assert {(p.rule, p.field) for p in found} == {("unique-error", "u")}
    assert [p.row for p in found] == list(range(4, CODED_MIN_ROWS + 2))


def _two_tables(root: Path, child_rows: str, parent_rows: str) -> Path:
    """``parent`` keyed by (code, year); ``child`` keyed by id, pointing at a parent through (code, year)."""
    parent = {"fields": [{"name": "code", "type": "string"}, {"name": "year", "type": "string"}],
              "primaryKey": ["code", "year"]}
    reference = {"resource": "parent", "fields": ["code", "year"]}
    child = {"fields": [{"name": n, "type": "string"} for n in ("id", "code", "year")], "primaryKey": ["id"],
             "foreignKeys": [{"fields": ["code", "year"], "reference": reference}]}
    for name, schema, rows in (("parent", parent, parent_rows), ("child", child, child_rows)):
        (root / f"{name}.json").write_text(json.dumps(schema), encoding="utf-8")
        (root / f"{name}.csv").write_text(rows, encoding="utf-8", newline="")
    resources = [{"name": n, "path": f"{n}.csv", "schema": f"{n}.json"} for n in ("parent", "child")]
    (root / "datapackage.json").write_text(json.dumps({"name": "p", "resources": resources}), encoding="utf-8")
    return root


def test_a_key_of_several_fields_is_named_with_all_of_them(tmp_path: Path) -> None:
    """A composite primary key given twice, and a composite foreign key that matches no parent: each
    message names every field of the key, and the value is the key's parts joined by '/'."""
    root = _two_tables(tmp_path, "id,code,year\nc1,x,2024\nc2,x,2025\n", "code,year\nx,2023\nx,2024\nx,2024\n")
    assert validate_package(root, None) == [
        Problem("parent.csv", 4, "code", "x/2024", "primary-key",
                "the primary key (code, year) 'x/2024' occurs more than once",
                "each record needs its own primary key: change or remove the duplicate"),
        Problem("child.csv", 3, "code", "x/2025", "foreign-key", "code, year 'x/2025' is not a code, year of parent",
                "use a code that exists in parent, or add that record first")]


def test_a_named_rule_describes_the_cell_it_found(tmp_path: Path) -> None:
    """clean_text and no_formula_text word their message from the failing cell's own value."""
    root = _package(tmp_path, ["a", "note"], ["a"], "a,note\nk1,Pal\u200bace\nk2,=SUM(1)\n")
    assert [(p.row, p.rule, p.message) for p in validate_package(root, None)] == [
        (2, "clean_text", "note holds the character U+200B (zero-width space) at position 4"),
        (3, "no_formula_text", "note starts with '=', which a spreadsheet opening the CSV runs as a formula")]
