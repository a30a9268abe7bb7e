"""scripts/xlsx/read/reader.py: exact text round trips, typed cells, every malformed or hostile cell
named with its sheet and reference, and caps that stop the work early (counted, not timed)."""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from scripts.xlsx.ooxml import column_letter, escape_ooxml_text, escape_xml_text, split_ref
from scripts.xlsx.read.archive import ArchiveCaps
from scripts.xlsx.read.reader import Cell, ReadCaps, read_workbook
from tests.unit.xlsx_support import resave

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
TYPES = ('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
         '<Default Extension="xml" ContentType="application/xml"/></Types>')
ROOT_RELS = (f'<?xml version="1.0"?><Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" Type="{REL}/'
             'officeDocument" Target="xl/workbook.xml"/></Relationships>')
BOOK_RELS = (f'<?xml version="1.0"?><Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" Type="{REL}/'
             'worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
STYLES = (f'<?xml version="1.0"?><styleSheet xmlns="{MAIN}"><numFmts count="1"><numFmt numFmtId="164" '
          'formatCode="yyyy-mm-dd hh:mm"/></numFmts><cellStyleXfs count="1"><xf numFmtId="0"/></cellStyleXfs>'
          '<cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/></cellXfs></styleSheet>')


def _book(tmp_path: Path, rows: str, strings: list[str] | None = None, date1904: bool = False,
          name: str = "book.xlsx") -> Path:
    """A hand-zipped workbook with one sheet "s" holding ``rows`` (XML of <row> elements)."""
    pr = '<workbookPr date1904="1"/>' if date1904 else ""
    book = (f'<?xml version="1.0"?><workbook xmlns="{MAIN}" xmlns:r="{REL}">{pr}<sheets>'
            '<sheet name="s" sheetId="1" r:id="rId1"/></sheets></workbook>')
    sheet = f'<?xml version="1.0"?><worksheet xmlns="{MAIN}"><sheetData>{rows}</sheetData></worksheet>'
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, xml in (("[Content_Types].xml", TYPES), ("_rels/.rels", ROOT_RELS), ("xl/workbook.xml", book),
                          ("xl/_rels/workbook.xml.rels", BOOK_RELS), ("xl/styles.xml", STYLES),
                          ("xl/worksheets/sheet1.xml", sheet)):
            archive.writestr(part, xml)
        if strings is not None:
            items = "".join(f"<si><t>{s}</t></si>" for s in strings)
            archive.writestr("xl/sharedStrings.xml", f'<?xml version="1.0"?><sst xmlns="{MAIN}">{items}</sst>')
    return path


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


HEADER = '<row r="1">' + _inline("A1", "id") + _inline("B1", "note") + "</row>"


def _read(path: Path, **kwargs: object):
    sheets, problems = read_workbook(str(path), ["s"], **kwargs)  # type: ignore[arg-type]
    assert problems == []
    return sheets["s"]


def _messages(sheet) -> list[tuple[str, str]]:
    return [(p.rule, p.message) for p in sheet.problems]


def test_openpyxl_round_trip_is_exact(tmp_path: Path) -> None:
    texts = ["lit_x0041_", "a_x005F_b", "_x000D_", "plain", " spaced ", "Ünïcødé ✓"]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "s"
    ws.append(["text", "count", "share", "flag", "day", "moment"])
    for text in texts:
        ws.append([escape_ooxml_text(text), 42, 1.5, True, dt.date(2024, 8, 1), dt.datetime(2024, 8, 1, 12, 30)])
    path = tmp_path / "o.xlsx"
    wb.save(path)
    sheet = _read(path)
    assert sheet.header == ["text", "count", "share", "flag", "day", "moment"]
    assert [r.cells[0].value for r in sheet.rows] == texts
    assert [(c.value, c.kind) for c in sheet.rows[0].cells[1:]] == [
        (42.0, "number"), (1.5, "number"), (True, "bool"), (dt.date(2024, 8, 1), "date"),
        (dt.datetime(2024, 8, 1, 12, 30), "datetime")]
    assert sheet.problems == []


def test_xlsxwriter_literal_escape_and_control_character(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("s")
    ws.write_row(0, 0, ["id", "note"])
    ws.write_row(1, 0, ["lit_x0041_", "esc\x1bape"])
    book.close()
    sheet = _read(path)
    assert sheet.rows[0].cells[0] == Cell("A2", "lit_x0041_", "text")
    assert _messages(sheet) == [("control-character", "s!B2: the text holds the control character U+001B at "
                                 "position 4")]
    assert (sheet.problems[0].file, sheet.problems[0].row, sheet.problems[0].field) == ("s!B2", 2, "note")


@pytest.mark.parametrize(("text", "message"), [
    ("a_x0000_b", "s!B2: the text holds the control character U+0000 at position 2"),
    ("a_x001B_b", "s!B2: the text holds the control character U+001B at position 2"),
    ("a_x000D_b", "s!B2: the text holds the control character U+000D at position 2"),
    ("a_x0085_b", "s!B2: the text holds the control character U+0085 at position 2"),
    ("a_xD800_b", "s!B2: the text holds the control character U+D800 at position 2"),
    ("a_xFFFE_b", "s!B2: the text holds the control character U+FFFE at position 2"),
    ("line&#13;end", "s!B2: the text holds the control character U+000D at position 5"),
    ("tab\there", "s!B2: the text holds the control character U+0009 at position 4"),
    ("two\nlines", "s!B2: the text holds the control character U+000A at position 4"),
])
def test_control_characters_refused_naming_the_cell(tmp_path: Path, text: str, message: str) -> None:
    sheet = _read(_book(tmp_path, HEADER + '<row r="2">' + _inline("A2", "1") + _inline("B2", text) + "</row>"))
    assert _messages(sheet) == [("control-character", message)]


@pytest.mark.parametrize(("xml", "text"), [("tab\there", "tab\there"), ("two\nlines", "two\nlines"),
                                         ("crlf&#13;\nok", "crlf\r\nok")])
def test_multiline_columns_allow_tab_and_newline(tmp_path: Path, xml: str, text: str) -> None:
    path = _book(tmp_path, HEADER + '<row r="2">' + _inline("A2", "1") + _inline("B2", xml) + "</row>")
    sheet = _read(path, multiline={"s": {"note"}})
    assert sheet.problems == []
    assert sheet.rows[0].cells[1] == Cell("B2", text, "text")


def test_lone_cr_refused_even_in_multiline(tmp_path: Path) -> None:
    path = _book(tmp_path, HEADER + '<row r="2">' + _inline("B2", "a&#13;b") + "</row>")
    assert _messages(_read(path, multiline={"s": {"note"}})) == [
        ("control-character", "s!B2: the text holds the control character U+000D at position 2")]


def test_shared_strings_decoded_once(tmp_path: Path) -> None:
    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>' \
           '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v></c></row>'
    sheet = _read(_book(tmp_path, rows, ["id", "note", "lit_x005F_x0041_", "a_x0041_b"]))
    assert [c.value for c in sheet.rows[0].cells] == ["lit_x0041_", "aAb"]


def test_formula_error_and_dates(tmp_path: Path) -> None:
    rows = HEADER.replace("</row>", _inline("C1", "day") + _inline("D1", "at") + "</row>") + (
        '<row r="2"><c r="A2"><f>1+1</f><v>2</v></c><c r="B2" t="e"><v>#N/A</v></c>'
        '<c r="C2" s="1"><v>45505</v></c><c r="D2" s="2"><v>45505.75</v></c></row>')
    sheet = _read(_book(tmp_path, rows))
    assert sheet.rows[0].cells == [Cell("A2", 2.0, "number", "1+1"), Cell("B2", "#N/A", "error"),
                                   Cell("C2", dt.date(2024, 8, 1), "date"),
                                   Cell("D2", dt.datetime(2024, 8, 1, 18, 0), "datetime")]


def test_date1904(tmp_path: Path) -> None:
    rows = HEADER + '<row r="2"><c r="A2" s="1"><v>0</v></c></row>'
    assert _read(_book(tmp_path, rows, date1904=True)).rows[0].cells[0] == Cell("A2", dt.date(1904, 1, 1), "date")


@pytest.mark.parametrize(("cell", "rule", "message"), [
    ('<c r="B2" t="s"><v>99</v></c>', "bad-cell",
     "s!B2: the cell points to shared string '99', which does not exist (a damaged file)"),
    ('<c r="B2" t="s"><v>-1</v></c>', "bad-cell",
     "s!B2: the cell points to shared string '-1', which does not exist (a damaged file)"),
    ('<c r="B2"><v>abc</v></c>', "bad-cell", "s!B2: the number cell holds 'abc', which is not a number"),
    ('<c r="B2"><v>nan</v></c>', "bad-cell", "s!B2: the number cell holds 'nan', which is not a number"),
    ('<c r="B2" t="b"><v>yes</v></c>', "bad-cell", "s!B2: the cell's value 'yes' does not match its type 'b'"),
    ('<c r="2B"><v>1</v></c>', "bad-coordinate", "s: a cell has the invalid reference '2B' in row 2"),
    ('<c r="B9"><v>1</v></c>', "bad-coordinate", "s: a cell has the invalid reference 'B9' in row 2"),
])
def test_malformed_cells_named(tmp_path: Path, cell: str, rule: str, message: str) -> None:
    sheet = _read(_book(tmp_path, HEADER + f'<row r="2">{cell}</row>', ["id", "note"]))
    assert _messages(sheet) == [(rule, message)]


def test_truncated_sheet_xml(tmp_path: Path) -> None:
    path = _book(tmp_path, HEADER + '<row r="2"><c r="A2"><v>1</v></c>')
    sheet = _read(path)
    assert [(p.rule, p.message.split(" (")[0]) for p in sheet.problems] == [
        ("malformed-xml", "s: damaged XML in xl/worksheets/sheet1.xml")]


def test_dtd_in_sheet_refused_before_parsing(tmp_path: Path) -> None:
    path = _book(tmp_path, HEADER)
    with zipfile.ZipFile(path) as src:
        parts = {i.filename: src.read(i.filename) for i in src.infolist()}
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
        b"?>", b'?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>', 1)
    with zipfile.ZipFile(path, "w") as out:
        for name, data in parts.items():
            out.writestr(name, data)
    sheets, problems = read_workbook(str(path), ["s"])
    assert sheets == {} and [p.rule for p in problems] == ["xml-dtd"]


def test_huge_cell_refused_with_bounded_memory(tmp_path: Path) -> None:
    """A 2 MB cell: refused as too long; the collector keeps at most 8x the cap, not the cell."""
    path = _book(tmp_path, HEADER + '<row r="2">' + _inline("B2", "x" * 2_000_000) + "</row>")
    assert [p.rule for p in read_workbook(str(path), ["s"])[1]] == ["compression-ratio"]  # the archive check
    sheet = _read(path, archive_caps=ArchiveCaps(max_ratio=10**6))  # and the reader on its own
    assert _messages(sheet) == [("cell-too-long", "s!B2: the text is longer than Excel's limit of 32,767 characters")]
    assert sheet.problems[0].value == "x" * 60


def test_shared_string_over_cap(tmp_path: Path) -> None:
    rows = HEADER + '<row r="2"><c r="B2" t="s"><v>0</v></c></row>'
    sheet = _read(_book(tmp_path, rows, ["y" * 40_000]))
    assert _messages(sheet) == [("cell-too-long", "s!B2: the text is longer than Excel's limit of 32,767 characters")]


def test_part_inflating_past_cap_stops_while_streaming(tmp_path: Path) -> None:
    rows = HEADER + "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(2, 2000))
    path = _book(tmp_path, rows)
    sheet = _read(path, caps=ReadCaps(max_part_bytes=20_000))
    assert [(p.rule, p.message) for p in sheet.problems] == [
        ("malformed-xml", "s: damaged XML in xl/worksheets/sheet1.xml (it unpacks to more than 20,000 bytes)")]


def test_extra_columns_empty_ignored_nonempty_reported_once(tmp_path: Path) -> None:
    rows = HEADER + '<row r="2">' + _inline("A2", "1") + '<c r="Z2" s="1"/><c r="D2"><v>5</v></c></row>' \
        + '<row r="3">' + _inline("A3", "2") + '<c r="D3"><v>6</v></c><c r="AB3"><v>7</v></c></row>'
    sheet = _read(_book(tmp_path, rows))
    assert sheet.extra_columns == ["D", "AB"]
    assert _messages(sheet) == [("extra-columns", "s: values right of the table's columns (column D, AB) are ignored")]
    assert [[c.value if c else None for c in r.cells] for r in sheet.rows] == [["1", None], ["2", None]]


def test_200k_rows_with_20_stray_cells_stop_early(tmp_path: Path) -> None:
    """The issue's 200k-row sheet with 20 extra cells a row: the sheet is given up after the
    1,001st stray value, in row 52, without reading the rest."""
    path = tmp_path / "wide.xlsx"
    small = _book(tmp_path, HEADER, name="small.xlsx")
    stray = "".join(f'<c r="{chr(67 + i)}{{n}}"><v>1</v></c>' for i in range(20))
    with zipfile.ZipFile(small) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
        for info in src.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                out.writestr(info.filename, src.read(info.filename))
        with out.open("xl/worksheets/sheet1.xml", "w") as sheet_part:
            sheet_part.write(f'<worksheet xmlns="{MAIN}"><sheetData>{HEADER}'.encode())
            for start in range(2, 200_002, 1000):
                block = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c>' + stray.format(n=n) + "</row>"
                                for n in range(start, start + 1000))
                sheet_part.write(block.encode())
            sheet_part.write(b"</sheetData></worksheet>")
    assert [p.rule for p in read_workbook(str(path), ["s"])[1]] == ["part-too-large"]  # the archive check
    sheet = _read(path, archive_caps=ArchiveCaps(max_part_bytes=2**30, max_total_bytes=2**30))
    assert [(p.rule, p.message) for p in sheet.problems] == [
        ("extra-cells", "s!C52: more than 1,000 values right of the table's columns"),
        ("extra-columns", "s: values right of the table's columns (column C, D, E, F, G, H, I, J, K, L) are ignored")]
    assert len(sheet.rows) == 50


def test_row_and_column_caps(tmp_path: Path) -> None:
    rows = HEADER + "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(2, 200))
    sheet = _read(_book(tmp_path, rows), caps=ReadCaps(max_rows=100))
    assert _messages(sheet) == [("sheet-too-large", "s!A102: the sheet reaches cell A102, beyond what an import "
                                 "reads (A1:IV101: 100 rows of data under the header, 256 columns)")]
    assert len(sheet.rows) == 100
    wide = '<row r="1">' + "".join(_inline(f"{chr(65 + i)}1", f"h{i}") for i in range(5)) + "</row>"
    sheet = _read(_book(tmp_path, wide, name="wide.xlsx"), caps=ReadCaps(max_columns=3))
    assert _messages(sheet) == [("sheet-too-large", "s!D1: the sheet reaches cell D1, beyond what an import "
                                 "reads (A1:C50001: 50,000 rows of data under the header, 3 columns)")]


def test_an_empty_far_row_or_used_range_is_refused_as_the_byte_scan_refuses_it(tmp_path: Path) -> None:
    """The streaming reader checks the reach on the parsed XML, for the sheets the byte scan
    cannot judge (here a cell written with its reference last, and prefixed elements)."""
    far_row = HEADER + '<row r="1048576" ht="20" customHeight="1"/>'
    assert _messages(_read(_book(tmp_path, far_row))) == [
        ("sheet-too-large", "s!A1048576: the sheet reaches row 1,048,576, beyond what an import reads "
                            "(A1:IV50001: 50,000 rows of data under the header, 256 columns)")]
    odd = HEADER + '<row r="2"><c s="0" r="XFD2"><v>1</v></c></row>'
    assert _messages(_read(_book(tmp_path, odd, name="odd.xlsx")))[0][1].startswith(
        "s!XFD2: the sheet reaches cell XFD2, beyond")


def test_missing_header_said_once(tmp_path: Path) -> None:
    sheet = _read(_book(tmp_path, '<row r="2"><c r="A2"><v>1</v></c></row>'))
    assert _messages(sheet) == [("missing-header", "s: row 1 (the header) is empty")]


def test_missing_sheet_and_not_a_workbook(tmp_path: Path) -> None:
    sheets, problems = read_workbook(str(_book(tmp_path, HEADER)), ["s", "meetings"])
    assert list(sheets) == ["s"]
    assert [(p.rule, p.message) for p in problems] == [
        ("missing-sheet", "the workbook has no sheet named 'meetings'")]
    bad = tmp_path / "bad.xlsx"
    bad.write_text("id,name\n")
    assert [p.rule for p in read_workbook(str(bad), ["s"])[1]] == ["not-a-workbook"]


def test_escape_xml_text() -> None:
    assert escape_xml_text("a<b & _x0041_ >") == "a&lt;b &amp; _x005F_x0041_ &gt;"
    assert escape_ooxml_text("_x12_ _xABCD_") == "_x12_ _x005F_xABCD_"


@pytest.mark.libreoffice
def test_libreoffice_resave_keeps_text_exact_and_marks_boolean_formulas(tmp_path: Path) -> None:
    """LibreOffice re-saves text through shared strings and booleans as =TRUE()/=FALSE() formulas
    with cached values: text must come back exactly, booleans as bools carrying their formula."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-calc")
    texts = ["lit_x0041_", "a_x005F_b", "Ünïcødé ✓ & <tag>", "two\nlines"]
    wb = openpyxl.Workbook()
    wb.active.title = "s"
    wb.active.append(["id", "note", "flag"])
    for number, text in enumerate(texts, 1):
        wb.active.append([number, escape_ooxml_text(text), number % 2 == 1])
    wb.save(tmp_path / "in.xlsx")
    resaved = resave([tmp_path / "in.xlsx"], tmp_path / "out")[tmp_path / "in.xlsx"]
    sheet = _read(resaved, multiline={"s": {"note"}})
    assert sheet.problems == []
    assert [r.cells[1].value for r in sheet.rows] == texts
    assert [(c.value, c.kind, c.formula) for c in (r.cells[2] for r in sheet.rows[:2])] == [
        (True, "bool", "TRUE()"), (False, "bool", "FALSE()")]


@pytest.mark.parametrize(("ref", "place"), [("B7", (2, 7)), ("AA1", (27, 1)), ("XFD1048576", (16_384, 1_048_576)),
                                            ("XFE1", None), ("A0", None), ("a1", None), ("A01", None)])
def test_split_ref_and_column_letter(ref: str, place: tuple[int, int] | None) -> None:
    assert split_ref(ref) == place
    if place is not None:
        assert f"{column_letter(place[0])}{place[1]}" == ref


@pytest.mark.parametrize("number", [0, -1, -27])
def test_a_number_below_one_names_no_column(number: int) -> None:
    """It looped for ever on a negative number: a slip in a caller would hang the import."""
    with pytest.raises(ValueError, match=f"no column has the number {number}"):
        column_letter(number)


def _damage(rng, data: bytes) -> bytes:
    """One random corruption of a part: a flipped byte, a cut, stray markup or shifted references."""
    import re

    data = bytearray(data)
    pos, choice = rng.randrange(len(data)), rng.randrange(4)
    if choice == 0:
        data[pos] = rng.randrange(256)
    elif choice == 1:
        del data[pos:]
    elif choice == 2:
        data[pos:pos] = rng.choice([b"<", b"&", b"_x0000_", b"</c>", b'<c r="ZZZ9">', b't="s"', b"<v>9999</v>",
                                    b"\x00", b"&#1;"])
    else:
        return re.sub(rb'r="([A-Z]+)(\d+)"', lambda m: b'r="%s%d"' % (
            m.group(1), int(m.group(2)) + rng.choice([1, -1, 1000])), bytes(data), count=3)
    return bytes(data)


def _well_formed(data: bytes) -> bool:
    from xml.etree import ElementTree

    try:
        ElementTree.fromstring(data)
    except (ElementTree.ParseError, LookupError, ValueError):
        return False
    return True


def _as_calamine_reads(path: Path) -> list[list[object]]:
    from python_calamine import CalamineWorkbook

    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name("s").to_python()


def test_random_damage_is_reported_or_read_as_another_reader_reads_it(tmp_path: Path) -> None:
    """300 random corruptions of the parts of a real XlsxWriter workbook. Each reads to sheets and
    problems, never to an exception; a part that is no longer well-formed XML is always reported
    (never read as if nothing happened); and a damaged workbook read without any problem holds
    exactly what python-calamine reads from it (the damage changed a value, not the reading)."""
    import random

    source = tmp_path / "x.xlsx"
    book = xlsxwriter.Workbook(str(source))
    ws = book.add_worksheet("s")
    ws.write_row(0, 0, ["id", "note", "when", "flag"])
    for n in range(1, 40):
        ws.write_row(n, 0, [n, f"text {n} _x0041_", n * 1.5, n % 2 == 0])
    book.close()
    parts = {i.filename: zipfile.ZipFile(source).read(i.filename) for i in zipfile.ZipFile(source).infolist()}
    targets = ["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/workbook.xml", "xl/styles.xml"]
    rng = random.Random(12)
    outcomes = {"reported": 0, "clean": 0}
    for _ in range(300):
        name = rng.choice(targets)
        damaged = {**parts, name: _damage(rng, parts[name])}
        with zipfile.ZipFile(tmp_path / "d.xlsx", "w") as out:
            for part, content in damaged.items():
                out.writestr(part, content)
        sheets, problems = read_workbook(tmp_path / "d.xlsx", ["s"])
        problems = problems + (sheets["s"].problems if "s" in sheets else [])
        if not _well_formed(damaged[name]):
            assert problems, f"damaged {name} read without a problem"
        if problems:
            outcomes["reported"] += 1
            continue
        outcomes["clean"] += 1
        sheet = sheets["s"]
        read = [sheet.header] + [[c.value if c is not None else "" for c in r.cells] for r in sheet.rows]
        assert read == _as_calamine_reads(tmp_path / "d.xlsx")
    assert outcomes == {"reported": 220, "clean": 80}  # the seed's damages exercise both outcomes


def test_unknown_encoding_and_missing_sheet_part(tmp_path: Path) -> None:
    path = _book(tmp_path, HEADER)
    with zipfile.ZipFile(path) as src:
        parts = {i.filename: src.read(i.filename) for i in src.infolist()}
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
        b'<?xml version="1.0"?>', b'<?xml version="1.0" encoding="UTFq8"?>')
    with zipfile.ZipFile(path, "w") as out:
        for name, data in parts.items():
            out.writestr(name, data)
    assert _messages(_read(path)) == [
        ("malformed-xml", "s: damaged XML in xl/worksheets/sheet1.xml (unknown encoding: UTFq8)")]
    del parts["xl/worksheets/sheet1.xml"]
    with zipfile.ZipFile(path, "w") as out:
        for name, data in parts.items():
            out.writestr(name, data)
    assert _messages(_read(path)) == [("missing-part", "s: the part xl/worksheets/sheet1.xml is missing")]
