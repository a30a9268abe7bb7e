"""scripts/xlsx/read/fast.py, columns.py and caps.py: which sheets calamine reads, that the fast and
the streaming path give the same CSV texts, and that the caps scale for a big package. (Which
sheets calamine may read at all is decided by the byte scan: test_xlsx_prescan.py.)"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from scripts.model.package import csv_text, load_package, read_rows
from scripts.xlsx.read.archive import DEFAULT_CAPS
from scripts.xlsx.read.caps import DEFAULT_READ_CAPS, DEFAULT_WORKBOOK_CAPS, WorkbookCaps
from scripts.xlsx.read.fast import FastReader, _columns, _plain_column
from scripts.xlsx.read.layout import read_layout
from scripts.xlsx.read.prescan import scan_part
from scripts.xlsx.read.rows import SheetTable, read_sheets
from scripts.xlsx.state import STATE_SHEET
from tests.unit.xlsx_support import copy_package, edit, export


@pytest.fixture(scope="module")
def pkg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_package(tmp_path_factory.mktemp("fast") / "pkg")


@pytest.fixture(scope="module")
def exported(pkg: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export(pkg, tmp_path_factory.mktemp("fast-export") / "package.xlsx")


def _fast(book: Path, wanted: list[str]) -> set[str]:
    """The sheets read the fast way, as the import chooses them: plain by the scan, then read."""
    with zipfile.ZipFile(book) as archive:
        parts = read_layout(archive, DEFAULT_READ_CAPS.max_part_bytes).sheets
        plain = [n for n in wanted if scan_part(archive, parts[n], n, DEFAULT_READ_CAPS).plain]
    with FastReader(book, DEFAULT_READ_CAPS, {}) as fast:
        for name in plain:
            fast.read(name)
        return set(fast.sheets(plain))


def test_every_sheet_of_an_export_reads_the_fast_way(pkg, exported):
    package = load_package(pkg)
    wanted = [*package.tables, STATE_SHEET]
    assert _fast(exported, wanted) == set(wanted)


def test_fast_read_gives_each_table_byte_for_byte(pkg, exported):
    package = load_package(pkg)
    reading = read_sheets(package, exported, STATE_SHEET)
    assert reading.problems == []
    for name, table in package.tables.items():
        assert reading.tables[name].csv_text() == table.path.read_text(encoding="utf-8"), name


def test_fast_and_streaming_paths_agree(pkg, exported, monkeypatch):
    package = load_package(pkg)
    fast = read_sheets(package, exported, STATE_SHEET)
    monkeypatch.setattr(FastReader, "read", lambda self, name: None)
    slow = read_sheets(package, exported, STATE_SHEET)
    assert slow.state == fast.state
    assert {n: t.columns for n, t in slow.tables.items()} == {n: t.columns for n, t in fast.tables.items()}
    assert {n: t.sheet_rows for n, t in slow.tables.items()} == {n: t.sheet_rows for n, t in fast.tables.items()}


def _set(sheet: str, ref: str, value: str):
    def change(wb):
        wb[sheet][ref] = value
    return change


def test_formula_or_control_character_reads_that_sheet_slowly(pkg, exported, tmp_path):
    package = load_package(pkg)
    wanted = [*package.tables, STATE_SHEET]
    formula = edit(exported, tmp_path / "formula.xlsx", _set("states", "B2", "=1+1"))
    assert set(wanted) - _fast(formula, wanted) == {"states"}
    control = edit(exported, tmp_path / "control.xlsx", _set("meetings", "B2", "a_x001B_b"))
    assert set(wanted) - _fast(control, wanted) == {"meetings"}


@pytest.mark.parametrize("text", ["x_xFFFE_y", "x_xD800_y"])
def test_escapes_calamine_leaves_undecoded_read_that_sheet_slowly(pkg, exported, tmp_path, text):
    """calamine returns ``_xFFFE_`` and ``_xD800_`` as typed (it cannot hold the character); the
    streaming reader decodes and refuses them. (The fast path imported them as literal text, the
    streaming path ended a lone surrogate in an internal error.)"""
    package = load_package(pkg)
    wanted = [*package.tables, STATE_SHEET]
    book = edit(exported, tmp_path / "escape.xlsx", _set("states", "B2", text))
    assert set(wanted) - _fast(book, wanted) == {"states"}
    assert [(p.rule, p.message) for p in read_sheets(package, book, STATE_SHEET).problems] == [
        ("control-character", f"states!B2: the text holds the control character U+{text[3:7]} at position 2")]


def test_damaged_archive_reads_nothing_the_fast_way(tmp_path):
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook")
    with FastReader(broken, DEFAULT_READ_CAPS, {}) as fast:
        fast.read("states")
        assert fast.sheets(["states"]) == {}


def test_csv_text_quotes_and_sorts_as_the_package_writes(pkg):
    table = load_package(pkg).table("states")
    records = list(read_rows(table))[::-1]
    records[0] = {**records[0], "name": 'a "quoted", text\nover lines'}
    sheet = SheetTable.from_records(table, records, list(range(2, len(records) + 2)))
    assert sheet.csv_text() == csv_text(table, records)
    assert ',"a ""quoted"", text\nover lines",' in sheet.csv_text()
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
    records = [{**r, "name": text} for r in read_rows(table)][:2] if text else []
    sheet = SheetTable.from_records(table, records, list(range(2, len(records) + 2)))
    assert sheet.csv_text() == csv_text(table, records)
    assert sheet.csv_text().count(f",{text},") == (2 if text else 0)


@pytest.mark.parametrize("multiline", [True, False])
def test_refused_texts_are_found_by_parts_as_by_one_pattern(multiline: bool) -> None:
    import re

    from scripts.xlsx.read.fast import UNDECODED, refused
    from scripts.xlsx.read.reader import CONTROL, LONE_CR

    breaks = "" if multiline else "\t\n\r"
    lone_cr = f"|{LONE_CR.pattern}" if multiline else ""
    whole = re.compile(f"{CONTROL.pattern[:-1]}{breaks}]|{UNDECODED.pattern}{lone_cr}")  # the one pattern it was
    texts = ["plain text", "a\x00b", "bell\x07", "del\x7f", "tab\there", "line\nbreak", "crlf\r\nend", "lone\rcr",
             "end\r", "_xD800_", "_xd9ff_ here", "_xFFFE_", "_xffff_", "_x0041_", "_xD7FF_", "snake_xd_case", "\ufffe",
             "\ud800", "a_x", ""]
    for text in texts:
        assert refused(text, multiline) is bool(whole.search(text)), (text, multiline)


def test_the_cell_budget_is_spent_in_the_workbooks_order_whatever_the_reading_order(exported):
    from dataclasses import replace

    order = ["sources", "citations", "states", "persons"]  # as the workbook has them
    with FastReader(exported, DEFAULT_READ_CAPS, {}) as fast:
        for name in order:
            fast.read(name)
        assert set(fast.sheets(order)) == set(order)
        cells = {name: sum(fast.converted[name][1]) for name in order}
    caps = replace(DEFAULT_READ_CAPS, max_cells=cells["sources"] + cells["citations"] + cells["states"] - 1)
    with FastReader(exported, caps, {}) as fast:
        for name in reversed(order):  # the largest sheets are read first: the budget follows the workbook
            fast.read(name)
        assert set(fast.sheets(order)) == {"sources", "citations"}  # states crosses it, and persons comes after


def test_the_first_sheet_reaching_too_far_is_reported_though_a_larger_one_is_scanned_first(pkg, exported, tmp_path):
    def reach(wb):
        wb["sources"]["A60000"] = "far"
        wb["citations"]["A70000"] = "farther"

    book = edit(exported, tmp_path / "far.xlsx", reach)
    reading = read_sheets(load_package(pkg), book, STATE_SHEET, DEFAULT_WORKBOOK_CAPS)
    assert [(p.rule, p.file, p.row) for p in reading.problems] == [("sheet-too-large", "sources", 60000)]


@pytest.mark.parametrize(("column", "plain"), [((1.0, "a", True, ""), True), ((1.0, 2), False), ((2,), False)])
def test_a_number_calamine_gives_as_an_int_is_left_to_the_streaming_reader(column, plain):
    """calamine reads every number of an .xlsx as a float (the fast reader relies on it: a whole
    number is then 2.0, as the streaming reader reads it). An int, which calamine gives for other
    formats, sends the sheet to the streaming reader rather than being read another way."""
    assert _plain_column(column, frozenset(map(type, column)), DEFAULT_READ_CAPS, multiline=False) is plain


def test_empty_rows_are_dropped_and_each_columns_empty_cells_counted_once() -> None:
    """The cells a column spends of the budget are its values in the rows kept: an empty row is a
    gap in every column, taken off the count made before the rows were dropped."""
    body = [["a", ""], ["", ""], ["", 2.0], ["", ""], ["c", "d"]]
    assert _columns(body, 2) == ([2, 4, 6], [("a", "", "c"), ("", 2.0, "d")], [1, 1])
    assert _columns([["a", "b"], ["", "c"]], 2) == ([2, 3], [("a", ""), ("b", "c")], [1, 0])
    assert _columns([["a", "", "x"]], 2) is None  # a value right of the header: the streaming reader's
