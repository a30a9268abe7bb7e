"""load_package on tiny packages written here: what a resource carries over (title, description,
an inline schema), and each broken descriptor, schema or table refused in its exact words."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scripts.files import NotRegularFile
from scripts.model import package as pkg

SCHEMA = {"fields": [{"name": "code", "constraints": {"pattern": "^[A-Z]{3}$"}}], "primaryKey": "code"}


def _write(root: Path, resources: list, schema: dict | None = None) -> Path:
    (root / "tables").mkdir(parents=True, exist_ok=True)
    (root / "schemas").mkdir(exist_ok=True)
    (root / "datapackage.json").write_text(json.dumps({"name": "p", "resources": resources}), encoding="utf-8")
    (root / "schemas" / "t.json").write_text(json.dumps(schema or SCHEMA), encoding="utf-8")
    (root / "tables" / "t.csv").write_text("code\nKAZ\n", encoding="utf-8")
    return root


def _refusal(root: Path) -> str:
    with pytest.raises(pkg.PackageError) as caught:
        pkg.check_patterns(pkg.load_package(root))
    return str(caught.value)


def test_a_resource_carries_its_title_and_description_and_may_hold_its_schema(tmp_path: Path) -> None:
    root = _write(tmp_path, [
        {"name": "t", "path": "tables/t.csv", "schema": "schemas/t.json", "title": "T", "description": "All t."},
        {"name": "u", "path": "tables/t.csv", "schema": SCHEMA}])
    loaded = pkg.load_package(root)
    t, u = loaded.table("t"), loaded.table("u")
    assert (t.title, t.description, t.schema_path) == ("T", "All t.", root / "schemas" / "t.json")
    assert (u.title, u.description, u.schema_path, u.field_names) == ("u", "", root / "datapackage.json", ["code"])


@pytest.mark.parametrize(("resources", "words"), [
    ([{"name": "t", "path": "tables/t.csv"}], "datapackage.json: resource 't' needs name, path and schema"),
    ([{"name": "t", "schema": "schemas/t.json"}], "datapackage.json: resource 't' needs name, path and schema"),
    ([{"path": "tables/t.csv", "schema": "schemas/t.json"}],
     "datapackage.json: resource None needs name, path and schema"),
    ([{"name": "t", "path": "tables/t.csv", "schema": "../t.json"}],
     "datapackage.json: resource 't': schema: its path '../t.json' climbs out with '..'; keep files inside the "
     "package folder"),
])
def test_a_resource_lacking_a_part_or_leaving_the_package_is_refused(tmp_path: Path, resources: list,
                                                                      words: str) -> None:
    assert _refusal(_write(tmp_path, resources)) == words


@pytest.mark.parametrize("resources", [[], {"t": {}}, None])
def test_a_descriptor_without_a_list_of_resources_is_refused(tmp_path: Path, resources: object) -> None:
    root = _write(tmp_path, [])
    (root / "datapackage.json").write_text(json.dumps({"name": "p", "resources": resources}), encoding="utf-8")
    assert _refusal(root) == f"{root / 'datapackage.json'}: no resources listed"


def test_a_missing_or_unreadable_json_file_is_named(tmp_path: Path) -> None:
    assert _refusal(tmp_path) == f"{tmp_path / 'datapackage.json'}: file not found"
    (tmp_path / "datapackage.json").mkdir()
    with pytest.raises(NotRegularFile) as caught:  # the command line words it, as for any file
        pkg.load_package(tmp_path)
    assert caught.value.kind == "a directory"


def test_a_pattern_the_engine_cannot_run_is_refused_with_its_schema_and_field(tmp_path: Path) -> None:
    schema = {"fields": [{"name": "code", "constraints": {"pattern": "^(?=A)[A-Z]{3}$"}}]}
    root = _write(tmp_path, [{"name": "t", "path": "tables/t.csv", "schema": "schemas/t.json"}], schema)
    words = _refusal(root)
    assert words.startswith(f"{root / 'schemas' / 't.json'}: field 'code': the pattern '^(?=A)[A-Z]{{3}}$' cannot "
                            "be run in linear time (")
    assert words.endswith("); write it without look-around or back-references")


def test_a_table_that_is_not_utf8_is_named_when_rows_are_read(tmp_path: Path) -> None:
    root = _write(tmp_path, [{"name": "t", "path": "tables/t.csv", "schema": "schemas/t.json"}])
    (root / "tables" / "t.csv").write_bytes(b"code\nK\xffZ\n")
    with pytest.raises(pkg.PackageError) as caught:
        pkg.read_rows(pkg.load_package(root).table("t"))
    assert str(caught.value) == ("t.csv: not UTF-8 text (invalid start byte); run python -m scripts validate "
                                 "to find the row")
