"""The benchmark (scripts/bench.py): a target is judged only on runs that succeeded, and the edited
import edits exactly one cell of the real package's export."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from scripts.bench import EDIT, edit_workbook, make_scaled_package, verdict
from scripts.model.package import load_package
from scripts.xlsx.write.export import export_workbook


def _item(what: str, size: str, ours: tuple[float, float, int], base: tuple[float, float, int]) -> dict:
    return {"what": what, "size": size, "ours": ours, "base": base}


@pytest.mark.parametrize(("ours", "base", "expected"), [
    ((2.0, 100, 0), (10.0, 50, 0), "≤ 0.2× time, ≤ 2.0× memory: met"),
    ((2.1, 100, 0), (10.0, 50, 0), "≤ 0.2× time, ≤ 2.0× memory: MISSED"),
    ((2.0, 101, 0), (10.0, 50, 0), "≤ 0.2× time, ≤ 2.0× memory: MISSED"),
    ((0.29, 19, 1), (193.1, 510, 0), "not measured: exit 1/0"),  # a crash is fast and small, never "met"
    ((9.0, 300, 0), (40.0, 200, -9), "not measured: exit 0/-9"),
])
def test_validate_at_scale_is_judged_on_time_and_memory_of_successful_runs(ours, base, expected) -> None:
    assert verdict(_item("validate vs frictionless", "300000", ours, base)) == expected


def test_the_real_package_is_judged_on_time_and_workbooks_there_are_start_up_bound() -> None:
    assert verdict(_item("validate vs frictionless", "real", (1.0, 120, 0), (1.0, 49, 0))) == "≤ 1.0× time: met"
    assert verdict(_item("import vs calamine read", "real", (0.4, 77, 0), (0.03, 11, 0))) == "– (start-up bound)"
    assert verdict(_item("export vs XlsxWriter", "10000", (1.21, 1, 0), (1.0, 1, 0))) == "≤ 1.2× time: MISSED"
    assert verdict(_item("import edited vs calamine read", "10000", (3.0, 1, 0), (1.0, 1, 0))) == "≤ 3.0× time: met"


def _parts(book: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(book) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_edited_workbook_differs_from_the_export_by_one_cell(tmp_path: Path) -> None:
    """The real round exports a fresh copy (the warm-up's import must not have used up the edit)."""
    package = make_scaled_package(tmp_path / "real", 0)
    export_workbook(load_package(package), tmp_path / "book.xlsx")
    edit_workbook(tmp_path / "book.xlsx", tmp_path / "edited.xlsx")
    before, after = _parts(tmp_path / "book.xlsx"), _parts(tmp_path / "edited.xlsx")
    changed = [name for name in before if before[name] != after[name]]
    assert list(after) == list(before) and len(changed) == 1
    assert before[changed[0]].replace(EDIT[0], EDIT[1]) == after[changed[0]]


def test_an_edit_that_finds_nothing_to_edit_is_refused(tmp_path: Path) -> None:
    book = tmp_path / "book.xlsx"
    with zipfile.ZipFile(book, "w") as archive:
        archive.writestr("xl/worksheets/sheet1.xml", "<t>something else</t>")
    with pytest.raises(ValueError, match=r"book\.xlsx: no cell reads 'against the same months a year earlier'"):
        edit_workbook(book, tmp_path / "edited.xlsx")
