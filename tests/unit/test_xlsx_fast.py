"""scripts/xlsx/read/fast.py, columns.py and caps.py: which sheets calamine may read, that the fast and
the streaming path give the same CSV texts, and that the caps scale for a big package."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from scripts.package import csv_text, load_package, read_rows
from scripts.xlsx.read.archive import DEFAULT_CAPS
from scripts.xlsx.read.caps import DEFAULT_READ_CAPS, DEFAULT_WORKBOOK_CAPS, WorkbookCaps
from scripts.xlsx.read.fast import CHUNK, _plain_part, _suspect, read_fast
from scripts.xlsx.read.rows import SheetTable, read_sheets
from scripts.xlsx.state import STATE_SHEET
from tests.unit.xlsx_support import copy_package, edit, export


@pytest.fixture(scope="module")
def pkg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_package(tmp_path_factory.mktemp("fast") / "pkg")


@pytest.fixture(scope="module")
def exported(pkg: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export(pkg, tmp_path_factory.mktemp("fast-export") / "package.xlsx")


def test_every_sheet_of_an_export_reads_the_fast_way(pkg, exported):
    package = load_package(pkg)
    wanted = [*package.tables, STATE_SHEET]
    assert sorted(read_fast(exported, wanted, DEFAULT_READ_CAPS, {})) == sorted(wanted)


def test_fast_read_gives_each_table_byte_for_byte(pkg, exported):
    package = load_package(pkg)
    reading = read_sheets(package, exported, STATE_SHEET)
    assert reading.problems == []
    for name, table in package.tables.items():
        assert reading.tables[name].csv_text() == table.path.read_text(encoding="utf-8"), name


def test_fast_and_streaming_paths_agree(pkg, exported, monkeypatch):
    package = load_package(pkg)
    fast = read_sheets(package, exported, STATE_SHEET)
    monkeypatch.setattr("scripts.xlsx.read.rows.read_fast", lambda *args: {})
    slow = read_sheets(package, exported, STATE_SHEET)
    assert slow.state == fast.state
    assert {n: t.columns for n, t in slow.tables.items()} == {n: t.columns for n, t in fast.tables.items()}
    assert {n: t.sheet_rows for n, t in slow.tables.items()} == {n: t.sheet_rows for n, t in fast.tables.items()}


@pytest.mark.parametrize("xml", [
    b'<c r="A2"><f>1+1</f><v>2</v></c>',
    b'<c r="A2"><f t="shared" si="0"/><v>2</v></c>',
    b'<c r="A2" t="e"><v>#N/A</v></c>',
    b'<c r="A2"><v>abc</v></c>',
    b'<c r="A2" t="d"><v>2024-08-01T00:00:00</v></c>',
    b'<c r="A2" t="b"><v>2</v></c>',
    b'<c r="A2" t="inlineStr"><is><t>a</t><rPh sb="0" eb="1"><t>b</t></rPh></is></c>',
])
def test_cells_calamine_cannot_read_exactly_send_the_sheet_to_the_streaming_reader(xml):
    assert _suspect(b'<row r="2">' + xml + b"</row>")


@pytest.mark.parametrize("xml", [
    b'<c r="A2" t="s"><v>12</v></c>',
    b'<c r="A2" s="3"><v>-1.5E-3</v></c>',
    b'<c r="A2" t="b"><v>1</v></c>',
    b'<c r="A2" t="inlineStr"><is><t>f(x) = 1 &lt;f&gt;</t></is></c>',
])
def test_plain_cells_keep_the_fast_path(xml):
    assert not _suspect(b'<row r="2">' + xml + b"</row>")


def _set(sheet: str, ref: str, value: str):
    def change(wb):
        wb[sheet][ref] = value
    return change


CELL = b'<c r="A1"><v>3</v></c>'


def _part(tmp_path: Path, data: bytes) -> bool:
    book = tmp_path / "part.zip"
    with zipfile.ZipFile(book, "w") as archive:
        archive.writestr("sheet.xml", data)
    with zipfile.ZipFile(book) as archive:
        return _plain_part(archive, "sheet.xml", 1 << 30)


@pytest.mark.parametrize(("tail", "plain"), [(b"", True), (b"<f>A1</f>", False)])
def test_scan_cuts_chunks_at_cells_wherever_they_fall(tmp_path, tail, plain):
    """A chunk that ends on a cell's end, then one ending inside a cell's value, then more than a
    chunk without a cell (the formatting after the last row): still plain, and a formula in that
    tail is still seen. (The scan took the second chunk for the last and its half value for a
    suspect one, and refused a chunk without a cell: plain sheets went to the slow reader.)"""
    half = CELL[:CELL.index(b"</v>")]
    head = b"<sheetData>" + b" " * (CHUNK - len(b"<sheetData>") - len(CELL)) + CELL
    count = (CHUNK - len(half)) // len(CELL)
    second = b" " * (CHUNK - len(half) - count * len(CELL)) + CELL * count + half
    rest = CELL[len(half):] + b"</sheetData>" + b"<x/>" * (CHUNK // 2) + tail + b"<x/>"
    assert len(head) == len(second) == CHUNK
    assert _part(tmp_path, head + second + rest) is plain


def test_formula_or_control_character_reads_that_sheet_slowly(pkg, exported, tmp_path):
    package = load_package(pkg)
    wanted = [*package.tables, STATE_SHEET]
    formula = edit(exported, tmp_path / "formula.xlsx", _set("states", "B2", "=1+1"))
    assert set(wanted) - set(read_fast(formula, wanted, DEFAULT_READ_CAPS, {})) == {"states"}
    control = edit(exported, tmp_path / "control.xlsx", _set("meetings", "B2", "a_x001B_b"))
    assert set(wanted) - set(read_fast(control, wanted, DEFAULT_READ_CAPS, {})) == {"meetings"}


@pytest.mark.parametrize("text", ["x_xFFFE_y", "x_xD800_y"])
def test_escapes_calamine_leaves_undecoded_read_that_sheet_slowly(pkg, exported, tmp_path, text):
    """calamine returns ``_xFFFE_`` and ``_xD800_`` as typed (it cannot hold the character); the
    streaming reader decodes and refuses them. (The fast path imported them as literal text, the
    streaming path ended a lone surrogate in an internal error.)"""
    package = load_package(pkg)
    wanted = [*package.tables, STATE_SHEET]
    book = edit(exported, tmp_path / "escape.xlsx", _set("states", "B2", text))
    assert set(wanted) - set(read_fast(book, wanted, DEFAULT_READ_CAPS, {})) == {"states"}
    assert [(p.rule, p.message) for p in read_sheets(package, book, STATE_SHEET).problems] == [
        ("control-character", f"states!B2: the text holds the control character U+{text[3:7]} at position 2")]


def test_damaged_archive_reads_nothing_the_fast_way(tmp_path):
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook")
    assert read_fast(broken, ["states"], DEFAULT_READ_CAPS, {}) == {}


def test_csv_text_quotes_and_sorts_as_the_package_writes(pkg):
    table = load_package(pkg).table("states")
    records = list(read_rows(table))[::-1]
    records[0] = {**records[0], "label": 'a "quoted", text\nover lines'}
    sheet = SheetTable.from_records(table, records, list(range(2, len(records) + 2)))
    assert sheet.csv_text() == csv_text(table, records)
    assert [row for _, row in sheet.sorted_pairs()] == list(range(len(records) + 1, 1, -1))


def test_caps_grow_with_rows_and_never_shrink():
    assert WorkbookCaps.for_rows(10) == DEFAULT_WORKBOOK_CAPS
    big = WorkbookCaps.for_rows(1_000_000)
    assert big.read.max_rows == 1_000_000
    assert big.read.max_part_bytes == big.archive.max_part_bytes == 1_000_000 * WorkbookCaps.ROW_BYTES
    assert big.archive.max_total_bytes == 4 * big.archive.max_part_bytes
    assert big.archive.max_ratio == DEFAULT_CAPS.max_ratio  # a bomb is still a bomb


@pytest.mark.parametrize("text", ["", "lone \ud800 surrogate"])
def test_csv_text_of_no_rows_and_of_texts_polars_cannot_hold(pkg, text):
    table = load_package(pkg).table("states")
    records = [{**r, "label": text} for r in read_rows(table)][:2] if text else []
    sheet = SheetTable.from_records(table, records, list(range(2, len(records) + 2)))
    assert sheet.csv_text() == csv_text(table, records)
