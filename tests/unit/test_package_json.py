"""scripts/model/package.py's JSON and CSV at their edges: each refusal of a package's JSON in its
exact words (a stranger's descriptor may hold anything), the size and depth bounds inclusive, and
a table's CSV written sorted by key with every field in order."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scripts.model import package as pkg
from scripts.model.spec import make_table


@pytest.mark.parametrize(("data", "error"), [
    (b"[1]", "x.json: expected a JSON object"),
    (b'{"a": "\\ud800"}', "x.json: holds the escape \\ud800, half of a surrogate pair, which is not a character"),
    ('{"a": "\\udfff"}', "x.json: holds the escape \\udfff, half of a surrogate pair, which is not a character"),
    (b'{"a": 1', "x.json: not valid JSON (line 1, column 8: Expecting ',' delimiter)"),
    (b"\xff{}", "x.json: cannot be read ('utf-8' codec can't decode byte 0xff in position 0: invalid start byte)"),
])
def test_json_that_is_not_a_clean_object_is_refused_in_words(data: bytes | str, error: str) -> None:
    with pytest.raises(pkg.PackageError) as caught:
        pkg.parse_json(data, "x.json")
    assert str(caught.value) == error


def test_text_and_bytes_parse_alike_with_characters_outside_ascii() -> None:
    assert pkg.parse_json('{"a": "é \\u00e9"}', "x.json") == pkg.parse_json('{"a": "é é"}'.encode(), "x.json") == {
        "a": "é é"}


def test_the_size_and_depth_bounds_are_inclusive() -> None:
    exact = b'{"a": "' + b"x" * (pkg.MAX_JSON_BYTES - 9) + b'"}'
    assert len(exact) == pkg.MAX_JSON_BYTES and pkg.parse_json(exact, "x.json")["a"][:3] == "xxx"
    with pytest.raises(pkg.PackageError) as caught:
        pkg.parse_json(exact + b" ", "x.json")
    assert str(caught.value) == "x.json: 16,777,217 bytes; more than 16,777,216 is refused"
    deepest = {"a": []}
    inner = deepest["a"]
    for _ in range(pkg.MAX_JSON_DEPTH - 2):  # the object is level 1, its list level 2, ...
        inner.append([])
        inner = inner[0]
    assert pkg._depth(deepest) == pkg.MAX_JSON_DEPTH
    assert pkg.parse_json(json.dumps(deepest), "x.json") == deepest
    inner.append([])
    with pytest.raises(pkg.PackageError) as caught:
        pkg.parse_json(json.dumps(deepest), "x.json")
    assert str(caught.value) == "x.json: nested more than 64 levels deep; refused"
    assert pkg._depth("text") == 0 and pkg._depth({}) == 1


def test_a_tables_csv_is_written_sorted_by_key_with_every_field_in_order(tmp_path: Path) -> None:
    table = make_table("t", {"primaryKey": ["k", "n"], "fields": [{"name": "k"}, {"name": "n"}, {"name": "v"}]},
                       tmp_path / "t.csv", tmp_path / "t.json")
    rows = [{"k": "b", "n": "1", "v": "x,y"}, {"k": "a", "n": "2"}, {"k": "a", "n": "1", "v": None, "extra": "z"}]
    text = pkg.csv_text(table, rows)
    assert text == 'k,n,v\na,1,\na,2,\nb,1,"x,y"\n'
    table.path.write_text(text, encoding="utf-8", newline="")
    assert pkg.read_rows(table) == [{"k": "a", "n": "1", "v": ""}, {"k": "a", "n": "2", "v": ""},
                                    {"k": "b", "n": "1", "v": "x,y"}]
    keyless = make_table("u", {"fields": [{"name": "v"}, {"name": "w"}]}, tmp_path / "u.csv", tmp_path / "u.json")
    assert pkg.csv_text(keyless, [{"v": "b", "w": "1"}, {"v": "a", "w": "2"}, {"v": "a", "w": "1"}]) == \
        "v,w\na,1\na,2\nb,1\n"
