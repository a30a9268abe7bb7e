"""Loading the package: the interpreter's tables, and resource paths confined to the package."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scripts.model import cells
from scripts.model.cells import CellError
from scripts.model.package import PackageError, confinement_problem, load_package


def point(root: Path, resource: str, path: str) -> None:
    descriptor = root / "datapackage.json"
    data = json.loads(descriptor.read_text(encoding="utf-8"))
    next(r for r in data["resources"] if r["name"] == resource)["path"] = path
    descriptor.write_text(json.dumps(data), encoding="utf-8")


def test_tables_carry_the_models_fields(package_copy: Path) -> None:
    meetings = load_package(package_copy).table("meetings")
    assert meetings.field("ordinal").kind == "integer"
    assert meetings.field("date_start").kind == "date"
    ordinal = meetings.field("ordinal")
    assert cells.read_cell(ordinal, "6") == 6 and cells.write_cell(ordinal, 6) == "6"
    with pytest.raises(CellError, match="not a whole number"):
        cells.read_cell(ordinal, "six")


@pytest.mark.parametrize(("path", "words"), [
    ("/etc/passwd", "is absolute"), ("../x.csv", "climbs out"), ("tables/../../x.csv", "climbs out"),
    ("https://example.org/x.csv", "is a URL"), ("", "not a relative file path"),
])
def test_writers_cannot_load_a_package_whose_paths_leave_it(package_copy: Path, path: str, words: str) -> None:
    point(package_copy, "offices", path)
    with pytest.raises(PackageError, match=f"resource 'offices': .*{words}"):
        load_package(package_copy)
    package = load_package(package_copy, confine=False)
    assert words in package.refused["offices"]
    assert not package.table("offices").path.exists()


def test_a_symlink_inside_the_package_is_fine_one_leading_out_is_not(package_copy: Path, tmp_path: Path) -> None:
    inside = package_copy / "tables" / "offices-link.csv"
    inside.symlink_to(package_copy / "tables" / "offices.csv")
    assert confinement_problem(package_copy, "tables/offices-link.csv") is None
    outside = package_copy / "tables" / "escape.csv"
    outside.symlink_to(tmp_path)
    assert "symbolic link leading outside" in confinement_problem(package_copy, "tables/escape.csv")


@pytest.mark.parametrize(("change", "words"), [
    (lambda s: s["fields"][0].pop("name"), "fields[0].name is null, not a field name"),
    (lambda s: s["fields"][1].update(name=None), "fields[1].name is null, not a field name"),
    (lambda s: s["fields"][1].update(name=s["fields"][0]["name"]), "two fields are named 'state_id'"),
    (lambda s: s["fields"][0].update(title=5), "fields[0].title is a number, not text"),
    (lambda s: s["fields"][0].update(constraints="x"), "fields[0].constraints is text, not an object"),
    (lambda s: s["fields"][0].update(constraints={"maxLength": "9"}), "fields[0].constraints.maxLength is text"),
    (lambda s: s["fields"][0].update(constraints={"required": 1}), "fields[0].constraints.required is a number"),
    (lambda s: s["fields"][0].update(trueValues="yes"), "fields[0].trueValues is text, not a list"),
    (lambda s: s.update(fields="state_id"), "fields is not a list of fields"),
    (lambda s: s.update(foreignKeys=[{"fields": "state_id"}]),
     "foreignKeys[0] is not {fields, reference: {resource, fields}} naming fields"),
    (lambda s: s.update(primaryKey=5), "primaryKey does not name fields of the schema"),
    (lambda s: s.update(primaryKey=["nope"]), "primaryKey does not name fields of the schema"),
    (lambda s: s.update(missingValues=[None]), "missingValues is not a list of text"),
    (lambda s: s["fields"][0].update(constraints={"pattern": "[A-Z"}),
     "a pattern is not a valid regular expression: unterminated character set at position 0"),
])
def test_a_schema_of_the_wrong_shape_is_named_not_a_crash(package_copy: Path, change, words: str) -> None:
    path = package_copy / "schemas" / "states.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    change(schema)
    path.write_text(json.dumps(schema), encoding="utf-8")
    with pytest.raises(PackageError) as info:
        load_package(package_copy)
    assert str(info.value) == f"{path}: resource 'states': not a valid Table Schema ({words})"


@pytest.mark.parametrize(("key", "value", "words"), [
    ("licenses", "CC-BY-4.0", "licenses is text, not a list"),
    ("licenses", ["CC-BY-4.0"], "licenses[0] is text, not an object"),
    ("contributors", [{"title": ["x"]}], "contributors[0].title is a list, not text"),
    ("contributors", [{"title": "x", "roles": "creator"}], "contributors[0].roles is text, not a list"),
    ("keywords", ["a", 5], "keywords[1] is a number, not text"),
    ("homepage", None, "homepage is null, not text"),
    ("version", 1.0, "version is a number, not text"),
])
def test_a_descriptor_value_of_the_wrong_type_is_named_not_a_crash(package_copy: Path, key: str, value: object,
                                                                   words: str) -> None:
    """Every command reads these values; before, export failed inside the workbook's README sheet
    ("'str' object has no attribute 'get'") for ``"licenses": "CC-BY-4.0"``."""
    path = package_copy / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    descriptor[key] = value
    path.write_text(json.dumps(descriptor), encoding="utf-8")
    for confine in (True, False):
        with pytest.raises(PackageError) as info:
            load_package(package_copy, confine=confine)
        assert str(info.value) == f"{path}: {words}"


def test_a_descriptor_nested_too_deeply_is_named_not_a_crash(package_copy: Path) -> None:
    path = package_copy / "datapackage.json"
    text = path.read_text(encoding="utf-8").rstrip()
    path.write_text(text[:-1] + ', "x": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    with pytest.raises(PackageError) as info:
        load_package(package_copy)
    assert str(info.value) == f"{path}: nested more than 64 levels deep; refused"
