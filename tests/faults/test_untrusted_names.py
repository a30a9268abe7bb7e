"""A name in the descriptor never chooses where a file lands.

Before: ``"name": "../../x/budget"`` validated; ``export`` then wrote ``budget.xlsx`` two folders
above the package, and ``release`` wrote its zip, database and workbook there too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.faults.support import leftovers, tables
from tests.faults.untrusted import one_line, run

RULE = "cannot name a file: use lower-case letters, digits, '-', '.' and '_', not starting with '.'"


def _set(pkg: Path, change) -> None:
    descriptor = pkg / "datapackage.json"
    data = json.loads(descriptor.read_text(encoding="utf-8"))
    change(data)
    descriptor.write_text(json.dumps(data, indent=2), encoding="utf-8")


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*")) if folder.exists() else []


@pytest.mark.parametrize("verb", ["export", "release", "release --dist"])
def test_a_name_that_climbs_out_is_refused_and_nothing_is_written(pkg: Path, tmp_path: Path, verb: str) -> None:
    _set(pkg, lambda d: d.update(name="../../x/budget"))
    before = tables(pkg)
    argv = {"export": ["export", pkg], "release": ["release", pkg, "--no-provenance"],
            "release --dist": ["release", pkg, "--no-provenance", "--dist", tmp_path / "out" / "dist"]}[verb]
    err = one_line(run(*argv))
    assert err == f"error: datapackage.json: name '../../x/budget' {RULE}"
    assert _files(tmp_path / "x") == [] and _files(tmp_path / "out") == [] and _files(pkg / "dist") == []
    assert tables(pkg) == before and leftovers(pkg) == []


@pytest.mark.parametrize(("field", "value"), [("version", "1.0.0/../../../x"), ("name", ".hidden"),
                                              ("name", "Budget"), ("resource", "../x/states")])
def test_every_release_file_name_taken_from_content_is_checked(pkg: Path, tmp_path: Path, field: str,
                                                               value: str) -> None:
    if field == "resource":
        _set(pkg, lambda d: next(r for r in d["resources"] if r["name"] == "states").update(name=value))
    else:
        _set(pkg, lambda d: d.update({field: value}))
    label = "resource name" if field == "resource" else field
    err = one_line(run("release", pkg, "--no-provenance", "--dist", tmp_path / "dist"))
    assert err == f"error: datapackage.json: {label} {value!r} {RULE}"
    assert [p.name for p in tmp_path.iterdir()] == ["pkg"] and not (tmp_path.parent / "x.zip").exists()
    assert leftovers(pkg) == []


def test_export_refuses_a_dist_folder_that_links_out_of_the_package(pkg: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "Documents"
    elsewhere.mkdir()
    (pkg / "dist").symlink_to(elsewhere)
    err = one_line(run("export", pkg))
    assert err == f"error: dist lies outside {pkg.resolve()}; only files inside the package are used"
    assert _files(elsewhere) == []
