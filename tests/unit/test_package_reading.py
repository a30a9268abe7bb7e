"""scripts/model/package.py reading a small made-up package: JSON that is not UTF-8, a table's
bytes kept as written (CR LF inside a quoted cell), the sort order of keys with empty parts, a
resource's title, special and missing table files with and without confinement, and the words of
each refusal."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from scripts.files import NotRegularFile
from scripts.model.package import (
    PackageError,
    _shape_problem,
    load_package,
    parse_json,
    read_json,
    read_rows,
    sort_key,
)


def _package(root: Path, resource: dict | None = None, rows: str = "a,b\n1,x\n") -> Path:
    root.mkdir(exist_ok=True)
    schema = {"fields": [{"name": "a"}, {"name": "b"}], "primaryKey": ["a", "b"]}
    (root / "t.json").write_text(json.dumps(schema), encoding="utf-8")
    (root / "t.csv").write_text(rows, encoding="utf-8", newline="")
    resource = resource or {"name": "t", "path": "t.csv", "schema": "t.json"}
    (root / "datapackage.json").write_text(json.dumps({"name": "p", "resources": [resource]}), encoding="utf-8")
    return root


def test_json_in_another_unicode_encoding_is_refused_not_guessed() -> None:
    utf16 = '{"a": 1}'.encode("utf-16")  # json.loads would take it, guessing the encoding from the bytes
    with pytest.raises(PackageError) as refused:
        parse_json(utf16, "datapackage.json")
    assert str(refused.value) == ("datapackage.json: cannot be read ('utf-8' codec can't decode byte 0xff in "
                                  "position 0: invalid start byte)")
    assert parse_json('{"a": 1}', "x") == parse_json(b'{"a": 1}', "x") == {"a": 1}


def test_a_json_file_that_cannot_be_followed_is_named(tmp_path: Path) -> None:
    loop = tmp_path / "datapackage.json"
    loop.symlink_to(loop)
    with pytest.raises(PackageError) as refused:
        read_json(loop)
    assert str(refused.value) == f"{loop}: cannot be read ([Errno 40] Too many levels of symbolic links: '{loop}')"


def test_a_table_is_read_as_written_cr_lf_inside_a_quoted_cell_kept(tmp_path: Path) -> None:
    package = load_package(_package(tmp_path / "p", rows='a,b\r\n1,"two\r\nlines"\r\n2,é\r\n'))
    assert read_rows(package.table("t")) == [{"a": "1", "b": "two\r\nlines"}, {"a": "2", "b": "é"}]


def test_rows_sort_by_key_with_an_empty_part_first(tmp_path: Path) -> None:
    table = load_package(_package(tmp_path / "p")).table("t")
    rows = [{"a": "1", "b": "B"}, {"a": "1", "b": ""}, {"a": "1"}, {"a": "0", "b": "Z"}]
    assert sorted(rows, key=sort_key(table)) == [{"a": "0", "b": "Z"}, {"a": "1", "b": ""}, {"a": "1"},
                                                 {"a": "1", "b": "B"}]


def test_a_resource_without_a_title_is_titled_by_its_name_and_an_unknown_name_is_refused(tmp_path: Path) -> None:
    package = load_package(_package(tmp_path / "p"))
    assert (package.table("t").title, package.table("t").description) == ("t", "")
    titled = load_package(_package(tmp_path / "q", {"name": "t", "path": "t.csv", "schema": "t.json",
                                                    "title": "Tees", "description": "All of them."}))
    assert (titled.table("t").title, titled.table("t").description) == ("Tees", "All of them.")
    with pytest.raises(PackageError) as refused:
        package.table("nope")
    assert str(refused.value) == "datapackage.json: no resource named 'nope'"


def test_a_table_file_that_is_a_folder_is_refused_when_confined_and_left_to_validate_otherwise(tmp_path: Path) -> None:
    root = _package(tmp_path / "p")
    (root / "t.csv").unlink()
    (root / "t.csv").mkdir()
    with pytest.raises(NotRegularFile) as refused:
        load_package(root)
    assert str(refused.value) == f"{root / 't.csv'} is a directory, not a regular file; nothing was read from it"
    assert load_package(root, confine=False).table("t").path == root / "t.csv"


def test_a_missing_table_file_is_left_to_validate_to_report(tmp_path: Path) -> None:
    root = _package(tmp_path / "p")
    os.unlink(root / "t.csv")
    assert load_package(root).table("t").path == root / "t.csv"
    assert load_package(root, confine=False).table("t").path == root / "t.csv"


def test_a_schema_entry_lacking_a_key_is_named() -> None:
    """The shape check before the interpreter names most; this is the words when the interpreter finds one."""
    assert _shape_problem(KeyError("name")) == "a field or foreign key lacks 'name'"
    assert _shape_problem(TypeError("bad")) == "an entry has the wrong kind of value: bad"


def test_tables_are_read_as_utf8_whatever_the_locale(tmp_path: Path) -> None:
    """A C locale without UTF-8 mode (a bare container) reads files as ASCII unless told."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    root = _package(tmp_path / "p", rows="a,b\n1,Almaty — Алматы\n")
    code = ("import sys; from scripts.model.package import load_package, read_rows; "
            "sys.stdout.buffer.write(repr(read_rows(load_package(sys.argv[1]).table('t'))).encode())")
    env = {**os.environ, "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code, str(root)], capture_output=True, env=env, timeout=60,
                          check=False)
    assert (done.returncode, done.stdout.decode(), done.stderr) == (0, "[{'a': '1', 'b': 'Almaty — Алматы'}]", b"")


def test_the_package_is_read_from_the_current_folder_by_default(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(_package(tmp_path / "p"))
    assert list(load_package().tables) == ["t"]
