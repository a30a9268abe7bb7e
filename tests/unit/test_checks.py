"""scripts/validate/checks.py on small made-up packages: the CSV's own checks (rows sorted by key)
at their edges, and a key column the header lacks reported once, as a missing column, not once a
row by the checks that read it."""

from __future__ import annotations

import json
from pathlib import Path

from scripts.report import Problem
from scripts.validate import validate_package


def _package(root: Path, fields: list[str], key: list[str], rows: str) -> Path:
    """One table ``t`` of text fields, its key's fields required and of at least two characters."""
    schema = {"fields": [{"name": name, "type": "string", **({"constraints": {"required": True, "minLength": 2}}
                                                                if name in key else {})} for name in fields],
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
