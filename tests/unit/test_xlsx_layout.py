"""scripts/xlsx/read/layout.py: every sheet name leads to one part, the one every reader reads;
a layout that two readers could resolve differently is refused with one plain message."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from scripts.xlsx.read.layout import load_layout
from scripts.xlsx.read.reader import read_workbook

REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _book(tmp_path: Path, names: list[str]) -> Path:
    wb = openpyxl.Workbook()
    wb.active.title = "first"
    for name in names:
        wb.create_sheet(name).append(["id"])
    path = tmp_path / "book.xlsx"
    wb.save(path)
    return path


def _patched(path: Path, part: str, old: str, new: str) -> Path:
    """A copy with one text replaced in one part (openpyxl would not write these layouts)."""
    dest = path.with_name(f"patched-{path.name}")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == part:
                assert old.encode() in data, old
                data = data.replace(old.encode(), new.encode(), 1)
            out.writestr(info.filename, data)
    return dest


def _layout(path: Path):
    with zipfile.ZipFile(path) as archive:
        return load_layout(archive, str(path), 1 << 20)


def test_sheet_names_lead_to_their_parts(tmp_path: Path) -> None:
    layout, problems = _layout(_book(tmp_path, ["meetings", "states"]))
    assert problems == [] and layout is not None
    assert layout.sheets == {"first": "xl/worksheets/sheet1.xml", "meetings": "xl/worksheets/sheet2.xml",
                             "states": "xl/worksheets/sheet3.xml"}


@pytest.mark.parametrize("twin", ["Meetings", "meetings", "MEETINGS"])
def test_two_sheets_whose_names_differ_only_in_case_are_refused(tmp_path: Path, twin: str) -> None:
    book = _patched(_book(tmp_path, ["meetings", "other"]), "xl/workbook.xml", 'name="other"', f'name="{twin}"')
    layout, problems = _layout(book)
    assert layout is None
    assert [(p.rule, p.message) for p in problems] == [
        ("duplicate-sheet", f"the workbook has two sheets named 'meetings' and {twin!r}; sheet names must differ "
                            "in more than upper and lower case")]
    assert [p.rule for p in read_workbook(book, ["meetings"])[1]] == ["duplicate-sheet"]


def test_a_second_id_attribute_on_a_sheet_is_refused(tmp_path: Path) -> None:
    book = _patched(_book(tmp_path, ["meetings"]), "xl/workbook.xml", 'name="meetings"', 'id="rId1" name="meetings"')
    assert [(p.rule, p.message) for p in _layout(book)[1]] == [
        ("bad-sheet-entry", "the sheet 'meetings' is listed in xl/workbook.xml with a damaged relationship id")]


def test_a_main_part_other_than_xl_workbook_xml_is_refused(tmp_path: Path) -> None:
    book = _patched(_book(tmp_path, ["meetings"]), "_rels/.rels", 'Target="xl/workbook.xml"',
                    'Target="/other/workbook.xml"')
    assert [(p.rule, p.message) for p in _layout(book)[1]] == [
        ("not-a-workbook", "the workbook's main part is '/other/workbook.xml', not xl/workbook.xml")]


def test_a_target_is_found_ignoring_case_as_calamine_finds_it(tmp_path: Path) -> None:
    book = _patched(_book(tmp_path, ["meetings"]), "xl/_rels/workbook.xml.rels", "/xl/worksheets/sheet2.xml",
                    "worksheets/SHEET2.xml")
    layout, problems = _layout(book)
    assert problems == [] and layout is not None and layout.sheets["meetings"] == "xl/worksheets/sheet2.xml"
