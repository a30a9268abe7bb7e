"""The Excel workbook: exact contents, cell types, validation, safety, determinism, import."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

from scripts import workbook
from scripts.package import load_package, parse_value, read_rows
from scripts.workbook import ExportError, export_workbook, import_workbook
from tests.conftest import ROOT

MALICIOUS = '=HYPERLINK("http://x","y")'


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real package exported once for the module's read-only checks."""
    return export_workbook(load_package(ROOT), tmp_path_factory.mktemp("wb") / "package.xlsx")


@pytest.fixture(scope="module")
def book(exported: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(exported)


def csv_bytes(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "tables").glob("*.csv"))}


def expected_values(table) -> list[list[object]]:
    """A table's CSV cells as the workbook must hold them: typed by the schema, None for empty."""
    return [[parse_value(f, row[f.name]) for f in table.fields] for row in read_rows(table)]


def sheet_row_of(table, key: str) -> int:
    """Sheet row (header = 1) of the record with primary key ``key`` in the CSV's order."""
    keys = [table.record_key(r) for r in read_rows(table)]
    return keys.index(key) + 2


def edit(path: Path, sheet: str, cell: str, value: object) -> None:
    """Change one cell with openpyxl, as a user's spreadsheet application would."""
    wb = openpyxl.load_workbook(path)
    wb[sheet][cell] = value
    wb.save(path)


# ---------------------------------------------------------------------------- contents

def test_every_table_sheet_holds_exactly_its_csv(package, book):
    for name, table in package.tables.items():
        rows = list(book[name].iter_rows(values_only=True))
        assert list(rows[0]) == table.field_names, name
        assert [list(r) for r in rows[1:]] == expected_values(table), name


def test_sheet_order_and_helper_sheets(package, book):
    assert book.sheetnames == ["about", "fields", *package.tables, "trade_chart"]
    assert "lists" not in book.sheetnames  # every enum of the real schemas fits inline


def test_cells_are_typed_by_the_schema(package, book):
    for name, table in package.tables.items():
        ws = book[name]
        for row in ws.iter_rows(min_row=2):
            for fld, cell in zip(table.fields, row, strict=True):
                if cell.value is None:
                    continue
                expected = {"string": ("s", "@"), "integer": ("n", "0"), "boolean": ("b", "General")}
                if fld.type in expected:
                    assert (cell.data_type, cell.number_format) == expected[fld.type], cell.coordinate
                elif fld.type == "number":
                    assert cell.data_type == "n" and cell.number_format.startswith("#,##0")
    # IDs made of digits stay text with their leading zeros
    assert book["sources"]["A2"].value == "000" and book["sources"]["A2"].data_type == "s"
    kaz = sheet_row_of(package.table("states"), "KAZ")
    assert book["states"][f"A{kaz}"].value == "KAZ"


def test_column_styles_match_cell_styles(book):
    ws = book["leaders"]
    assert ws.column_dimensions["A"].number_format == "@"  # new cells typed in stay text too


def test_about_sheet_introduces_the_dataset(package, book):
    values = [v for row in book["about"].iter_rows(values_only=True) for v in row if v is not None]
    assert values[0] == package.title
    assert package.version in values and package.descriptor["description"] in values
    cite = values[values.index("How to cite") + 1]
    assert package.title in cite and package.version in cite
    links = {c.value: c.hyperlink.location for row in book["about"].iter_rows() for c in row
             if c.hyperlink is not None}
    for name, table in package.tables.items():
        assert links[name] == f"'{name}'!A1"
        row = next(r for r in book["about"].iter_rows(values_only=True) if r[0] == name)
        assert row[2] == len(read_rows(table))
    for source in read_rows(package.table("sources")):
        assert links[source["source_id"]].startswith("'sources'!A")


def test_about_sheet_cites_citation_cff_when_present(package_copy, tmp_path):
    (package_copy / "CITATION.cff").write_text(
        "cff-version: 1.2.0\ntitle: A Title From CFF\nversion: 9.9.9\ndate-released: 2031-02-03\n"
        "authors:\n  - family-names: Doe\n    given-names: Jane\ndoi: 10.5281/zenodo.1\n",
        encoding="utf-8")
    wb = openpyxl.load_workbook(export_workbook(load_package(package_copy), tmp_path / "c.xlsx"))
    values = [v for row in wb["about"].iter_rows(values_only=True) for v in row]
    cite = values[values.index("How to cite") + 1]
    assert cite == "Jane Doe (2031). A Title From CFF (version 9.9.9) [Data set]. https://doi.org/10.5281/zenodo.1"


def test_fields_sheet_documents_every_field(package, book):
    rows = list(book["fields"].iter_rows(values_only=True))
    assert rows[0] == ("table", "field", "title", "type", "unit", "required", "constraints", "description")
    assert [(r[0], r[1]) for r in rows[1:]] == [(t.name, f.name) for t in package.tables.values()
                                                for f in t.fields]
    ordinal = next(r for r in rows if r[:2] == ("meetings", "ordinal"))
    fld = package.table("meetings").field("ordinal")
    assert ordinal[2:6] == (fld.title, "integer", None, "no")
    assert ordinal[6] == f"at least {fld.minimum}; at most {fld.maximum}"
    status = next(r for r in rows if r[:2] == ("meetings", "status"))
    assert "one of: " + ", ".join(package.table("meetings").field("status").enum) in status[6]


def test_table_sheets_are_excel_tables_with_notes(package, book):
    for name, table in package.tables.items():
        ws = book[name]
        rows = len(read_rows(table))
        (xl,) = ws.tables.values()
        last = openpyxl.utils.get_column_letter(len(table.fields))
        assert xl.ref == f"A1:{last}{max(rows, 1) + 1}"
        assert xl.autoFilter.ref == xl.ref
        assert xl.tableStyleInfo.showRowStripes
        assert [c.name for c in xl.tableColumns] == table.field_names
        assert ws.freeze_panes == "A2"
        for fld, cell in zip(table.fields, ws[1], strict=True):
            assert cell.comment.text.startswith(f"{fld.title}: {fld.description}"), cell.coordinate
        for col in ws.column_dimensions.values():
            assert col.width <= workbook.WIDTH_CAP + 2


def test_validation_is_derived_from_the_schemas(package, book):
    def rules(sheet):
        return {str(dv.sqref): dv for dv in book[sheet].data_validations.dataValidation}

    meetings = package.table("meetings")
    n = len(read_rows(meetings)) + 1
    status = rules("meetings")[f"Q2:Q{n}"]
    assert status.type == "list" and status.formula1 == '"' + ",".join(meetings.field("status").enum) + '"'
    ordinal = rules("meetings")[f"C2:C{n}"]
    assert (ordinal.type, ordinal.operator, ordinal.formula1, ordinal.formula2) == ("whole", "between", "1", "100")
    host = rules("meetings")[f"L2:L{n}"]
    assert (host.type, host.formula1) == ("list", "keys_states_state_id")
    states = len(read_rows(package.table("states"))) + 1
    assert book.defined_names["keys_states_state_id"].attr_text == f"'states'!$A$2:$A${states}"
    leaders_n = len(read_rows(package.table("leaders"))) + 1
    full_name = rules("leaders")[f"B2:B{leaders_n}"]
    assert (full_name.type, full_name.operator, full_name.formula1, full_name.formula2) == (
        "textLength", "between", "1", "120")


def test_long_enum_goes_through_hidden_lists_sheet(package_copy, tmp_path):
    schema_path = package_copy / "schemas" / "meetings.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    status = next(f for f in schema["fields"] if f["name"] == "status")
    status["constraints"]["enum"] += [f"a-rather-long-status-value-{i:02d}" for i in range(12)]
    schema_path.write_text(json.dumps(schema), encoding="utf-8")
    wb = openpyxl.load_workbook(export_workbook(load_package(package_copy), tmp_path / "l.xlsx"))
    enum = status["constraints"]["enum"]
    assert wb["lists"].sheet_state == "hidden"
    assert [r[0] for r in wb["lists"].iter_rows(values_only=True)] == ["enum_meetings_status", *enum]
    assert wb.defined_names["enum_meetings_status"].attr_text == f"'lists'!$A$2:$A${len(enum) + 1}"
    dv = next(d for d in wb["meetings"].data_validations.dataValidation if str(d.sqref).startswith("Q2"))
    assert dv.formula1 == "enum_meetings_status"


def test_highlighting_of_required_and_duplicate_cells(package, book):
    def rules(sheet):
        return {str(cf.sqref): [(r.type, r.formula) for r in cf.rules]
                for cf in book[sheet].conditional_formatting}

    n = len(read_rows(package.table("leaders"))) + 1
    assert rules("leaders")[f"A2:A{n}"] == [("expression", ["LEN(A2)=0"]), ("duplicateValues", [])]
    assert rules("leaders")[f"B2:B{n}"] == [("expression", ["LEN(B2)=0"])]
    m = len(read_rows(package.table("leader_offices"))) + 1
    assert rules("leader_offices")[f"A2:A{m} B2:B{m}"] == [
        ("expression", [f"COUNTIFS($A$2:$A${m},$A2,$B$2:$B${m},$B2)>1"])]


def test_citations_link_to_cited_record_and_source(package, book):
    citations = read_rows(package.table("citations"))
    number, cite = next((i, c) for i, c in enumerate(citations, start=2) if c["table_name"] == "meetings")
    ws = book["citations"]
    cited_row = sheet_row_of(package.table("meetings"), cite["record_id"])
    assert ws[f"C{number}"].hyperlink.location == f"'meetings'!A{cited_row}"
    source_row = sheet_row_of(package.table("sources"), cite["source_id"])
    assert ws[f"E{number}"].hyperlink.location == f"'sources'!A{source_row}"
    linked = sum(1 for row in ws.iter_rows(min_row=2) for c in row if c.hyperlink is not None)
    assert linked == 2 * len(citations)


def test_trade_chart_sheet(package, book):
    ws = book["trade_chart"]
    assert len(ws._charts) == 1
    trade = [r for r in read_rows(package.table("indicators")) if r["indicator_code"] == "intraregional_trade"]
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    drawn = {r[3] for r in rows}
    assert drawn <= {r["observation_id"] for r in trade} and drawn
    undated = [r for r in rows if r[0].endswith("no year)") or ", no year (" in r[0]]
    assert rows[len(rows) - len(undated):] == undated  # figures without a period come last
    for r in rows:
        source = next(t for t in trade if t["observation_id"] == r[3])
        column = 1 if source["value_kind"] == "actual" else 2
        assert r[column] == float(source["value"])


# ---------------------------------------------------------------------------- safety

def test_formula_like_text_is_written_as_text_and_round_trips(package_copy, tmp_path):
    path = package_copy / "tables" / "meetings.csv"
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    column = rows[0].index("description")
    values = [MALICIOUS, "+1", "-x", "@SUM(A1)", "_x0041_ literal"]
    for row, value in zip(rows[1:], values, strict=False):
        row[column] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    before = csv_bytes(package_copy)
    book_path = export_workbook(load_package(package_copy), tmp_path / "m.xlsx")
    with zipfile.ZipFile(book_path) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert not any(b"<f>" in archive.read(n) or b"<f " in archive.read(n) for n in sheets)
    ws = openpyxl.load_workbook(book_path)["meetings"]
    letter = openpyxl.utils.get_column_letter(column + 1)
    assert [(ws[f"{letter}{i}"].value, ws[f"{letter}{i}"].data_type) for i in range(2, 6)] == [
        (v, "s") for v in values[:4]]
    assert import_workbook(package_copy, book_path, None) == []
    assert csv_bytes(package_copy) == before


def test_oversize_cell_is_refused(package_copy, tmp_path):
    path = package_copy / "tables" / "meetings.csv"
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    rows[3][rows[0].index("description")] = "x" * (workbook.MAX_CELL_CHARS + 1)
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    dest = tmp_path / "big.xlsx"
    with pytest.raises(ExportError, match=r"meetings\.csv: field description has a value over "
                                          r"Excel's 32,767-character cell limit"):
        export_workbook(load_package(package_copy), dest)
    assert not dest.exists()


def test_control_character_is_refused(package_copy, tmp_path):
    path = package_copy / "tables" / "leaders.csv"
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    lines[2] = lines[2].replace(",", ",\x07", 1)
    path.write_text("\n".join(lines), encoding="utf-8")
    dest = tmp_path / "ctl.xlsx"
    with pytest.raises(ExportError, match=r"^leaders\.csv row 3, field full_name: control character "
                                          r"U\+0007"):
        export_workbook(load_package(package_copy), dest)
    assert not dest.exists()


def test_table_over_the_sheet_row_limit_is_refused(package_copy, tmp_path, monkeypatch):
    monkeypatch.setattr(workbook, "MAX_DATA_ROWS", 3)
    with pytest.raises(ExportError, match=r"^sources\.csv: more than 3 rows"):
        export_workbook(load_package(package_copy), tmp_path / "rows.xlsx")


# ---------------------------------------------------------------------------- determinism

def test_two_exports_are_byte_identical(package, exported, tmp_path):
    again = export_workbook(package, tmp_path / "again.xlsx")
    assert hashlib.sha256(again.read_bytes()).hexdigest() == hashlib.sha256(exported.read_bytes()).hexdigest()
    created = dt.datetime(2026, 11, 23) if package.descriptor["created"].startswith("2026-11-23") else None
    with zipfile.ZipFile(exported) as archive:
        names = archive.namelist()
        assert names[0] == "[Content_Types].xml"
        stamps = {i.date_time for i in archive.infolist()}
    assert len(stamps) == 1
    if created is not None:
        assert stamps == {created.timetuple()[:6]}
    props = openpyxl.load_workbook(exported).properties
    assert props.created == props.modified


# ---------------------------------------------------------------------------- import

def test_untouched_export_imports_to_identical_csvs(package_copy, exported):
    before = csv_bytes(package_copy)
    assert import_workbook(package_copy, exported, None) == []
    assert csv_bytes(package_copy) == before == csv_bytes(ROOT)


def test_import_casts_excel_values(package, package_copy, exported, tmp_path):
    """A whole number stored as a float and a date typed into a date-string field import as text."""
    copy = shutil.copy(exported, tmp_path / "cast.xlsx")
    meetings = package.table("meetings")
    row = sheet_row_of(meetings, "ca-consultative-6")
    original = next(r for r in read_rows(meetings) if r["meeting_id"] == "ca-consultative-6")
    wb = openpyxl.load_workbook(copy)
    wb["meetings"][f"C{row}"] = float(original["ordinal"])
    if len(original["date_start"]) == 10:
        wb["meetings"][f"F{row}"] = dt.datetime.fromisoformat(original["date_start"])
    wb.save(copy)
    before = csv_bytes(package_copy)
    assert import_workbook(package_copy, copy, None) == []
    assert csv_bytes(package_copy) == before


def test_import_reports_bad_enum_formula_and_header_by_cell(package, package_copy, exported, tmp_path):
    meetings, leaders = package.table("meetings"), package.table("leaders")
    m_row = sheet_row_of(meetings, "ca-consultative-6")
    l_row = sheet_row_of(leaders, "kassym-jomart-tokayev")
    bad = shutil.copy(exported, tmp_path / "bad.xlsx")
    wb = openpyxl.load_workbook(bad)
    wb["meetings"][f"Q{m_row}"] = "finished"
    wb["leaders"][f"C{l_row}"] = "=1+1"
    wb.save(bad)
    before = csv_bytes(package_copy)
    problems = import_workbook(package_copy, bad, None)
    assert [(p.file, p.row, p.field, p.rule) for p in problems] == [
        (f"leaders!C{l_row}", l_row, "given_name", "formula"),
        (f"meetings!Q{m_row}", m_row, "status", "constraint-error"),
    ]
    assert problems[0].message == f"leaders!C{l_row} holds a formula (=1+1); the import takes values only"
    assert csv_bytes(package_copy) == before

    edit(bad, "leaders", "C1", "given")
    problems = import_workbook(package_copy, bad, None)
    assert [(p.file, p.rule, p.value) for p in problems] == [("leaders!C1", "incorrect-label", "given")]
    assert csv_bytes(package_copy) == before


def test_missing_sheet_is_reported(package_copy, exported, tmp_path):
    copy = shutil.copy(exported, tmp_path / "nosheet.xlsx")
    wb = openpyxl.load_workbook(copy)
    del wb["offices"]
    wb.save(copy)
    problems = import_workbook(package_copy, copy, None)
    assert [(p.file, p.rule) for p in problems] == [("offices", "missing-sheet")]


def test_not_a_workbook_and_oversize_files_are_refused(package_copy, exported, tmp_path):
    before = csv_bytes(package_copy)
    text = tmp_path / "notes.xlsx"
    text.write_text("not a spreadsheet", encoding="utf-8")
    assert [p.rule for p in import_workbook(package_copy, text, None)] == ["not-a-workbook"]
    archive = tmp_path / "other.xlsx"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("hello.txt", "hi")
    (problem,) = import_workbook(package_copy, archive, None)
    assert (problem.rule, problem.message) == (
        "not-a-workbook", "a zip archive but not an Excel workbook (no xl/workbook.xml)")
    size = exported.stat().st_size
    assert [p.rule for p in import_workbook(package_copy, exported, None, max_bytes=size - 1)] == [
        "file-too-large"]
    assert [p.rule for p in import_workbook(package_copy, exported, None, max_unpacked=size)] == [
        "unpacked-too-large"]
    assert csv_bytes(package_copy) == before


def test_xml_is_parsed_with_defusedxml(package_copy, exported, tmp_path):
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML is True
    hostile = tmp_path / "entity.xlsx"
    with zipfile.ZipFile(exported) as src, zipfile.ZipFile(hostile, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet3.xml":
                data = b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY e "boom">]>' + data
            dst.writestr(info, data)
    problems = import_workbook(package_copy, hostile, None)
    assert [p.rule for p in problems] == ["unsafe-xml"]


def test_cli_exit_codes(package_copy, exported, tmp_path, capsys):
    out = tmp_path / "cli.xlsx"
    assert workbook.run("export", [str(package_copy), "--output", str(out)]) == 0
    assert out.read_bytes() == export_workbook(load_package(package_copy), tmp_path / "api.xlsx").read_bytes()
    assert workbook.run("import", [str(out), str(package_copy)]) == 0
    (tmp_path / "junk.xlsx").write_bytes(b"junk")
    assert workbook.run("import", [str(tmp_path / "junk.xlsx"), str(package_copy)]) == 1
    assert "[not-a-workbook]" in capsys.readouterr().err
    assert workbook.run("export", [str(tmp_path / "nowhere")]) == 2


def test_date_fields_are_real_dates(package_copy, tmp_path):
    """A `date` field (none in the real schemas yet) is a dated cell shown yyyy-mm-dd, and reads
    back from an Excel date or ISO text."""
    schema_path = package_copy / "schemas" / "leader_offices.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    as_of = next(f for f in schema["fields"] if f["name"] == "as_of")
    as_of["type"] = "date"
    del as_of["constraints"]["pattern"]
    schema_path.write_text(json.dumps(schema), encoding="utf-8")
    path = package_copy / "tables" / "leader_offices.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8", newline="")))
    for row in rows:
        row["as_of"] = "2024-08-09"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    wb = openpyxl.load_workbook(export_workbook(load_package(package_copy), tmp_path / "d.xlsx"))
    cell = wb["leader_offices"]["D2"]
    assert (cell.value, cell.number_format) == (dt.datetime(2024, 8, 9), "yyyy-mm-dd")
    fld = load_package(package_copy).table("leader_offices").field("as_of")
    assert workbook._cast_value(fld, dt.datetime(2024, 8, 9)) == "2024-08-09"
    assert workbook._cast_value(fld, "2024-08-09") == "2024-08-09"
    with pytest.raises(ValueError, match="a date has no time of day"):
        workbook._cast_value(fld, dt.datetime(2024, 8, 9, 12))
