"""scripts/xlsx/read/prescan.py: which sheets calamine may read, and how far a sheet may reach,
judged from the bytes of the part before any reader builds it."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from scripts.xlsx.ooxml import column_letter
from scripts.xlsx.read.caps import DEFAULT_READ_CAPS, ReadCaps
from scripts.xlsx.read.prescan import (
    CHUNK,
    FAST_COLUMNS,
    PartScan,
    _greater_letters,
    _greater_number,
    _up_to_letters,
    _up_to_number,
    scan_part,
)

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CELL = b'<c r="A1"><v>3</v></c>'


def _scan(tmp_path: Path, data: bytes, caps: ReadCaps = DEFAULT_READ_CAPS) -> PartScan:
    book = tmp_path / "part.zip"
    with zipfile.ZipFile(book, "w") as archive:
        archive.writestr("sheet.xml", data)
    with zipfile.ZipFile(book) as archive:
        return scan_part(archive, "sheet.xml", "s", caps)


def _sheet(rows: bytes, head: bytes = b"", tail: bytes = b"") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">'.encode() + head + b"<sheetData>"
            + rows + b"</sheetData>" + tail + b"</worksheet>")


def _plain(tmp_path: Path, cell: bytes) -> bool:
    return _scan(tmp_path, _sheet(b'<row r="2">' + cell + b"</row>")).plain


@pytest.mark.parametrize("xml", [
    b'<c r="A2"><f>1+1</f><v>2</v></c>',
    b'<c r="A2"><f t="shared" si="0"/><v>2</v></c>',
    b'<c r="A2" t="e"><v>#N/A</v></c>',
    b'<c r="A2" t="e"><v>0</v></c>',
    b'<c r="A2"><v xml:space="preserve">#N/A</v></c>',
    b'<c r="A2"><v>abc</v></c>',
    b'<c r="A2" t="d"><v>2024-08-01T00:00:00</v></c>',
    b'<c r="A2" t="b"><v>2</v></c>',
    b'<c r="A2" t="inlineStr"><is><t>a</t><rPh sb="0" eb="1"><t>b</t></rPh></is></c>',
    b'<x:c xmlns:x="' + MAIN.encode() + b'" r="A2"><x:f>1+1</x:f><x:v>2</x:v></x:c>',  # calamine ignores prefixes
    b'<c r="A2" s="1" r="B2"><v>1</v></c>',  # calamine takes the last r, expat refuses the tag
    b'<c s="1" r="A2"><v>1</v></c>',
    b'<c r = "A2"><v>1</v></c>',
    b"<c r='A2'><v>1</v></c>",
    b'<c r="a2"><v>1</v></c>',
    b'<c r="A02"><v>1</v></c>',
    b'<c><v>1</v></c>',
    b'<c r="A2" cm="1"><v>1</v></c>',
])
def test_cells_calamine_cannot_read_exactly_send_the_sheet_to_the_streaming_reader(tmp_path, xml):
    assert not _plain(tmp_path, xml)


@pytest.mark.parametrize("xml", [
    b'<c r="A2" t="s"><v>12</v></c>',
    b'<c r="A2" s="3"><v>-1.5E-3</v></c>',
    b'<c r="A2" t="b"><v>1</v></c>',
    b'<c r="A2" s="11" t="inlineStr"><is><t>f(x) = 1 &lt;f&gt; r="B9"</t></is></c>',
    b'<c r="BL2" s="1"/>',
])
def test_plain_cells_keep_the_fast_path(tmp_path, xml):
    assert _plain(tmp_path, xml)


def test_excel_extensions_after_the_cells_keep_the_fast_path(tmp_path):
    """Excel writes list references of dropdowns as <xm:f> in extensions after the cells: calamine
    does not read them, so they are no formula cells; a cell or row after the cells is."""
    ext = (b'<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}"><x14:dataValidations><x14:dataValidation>'
           b"<x14:formula1><xm:f>lists!$A$1:$A$5</xm:f></x14:formula1></x14:dataValidation></x14:dataValidations>"
           b"</ext></extLst>")
    assert _scan(tmp_path, _sheet(b'<row r="1">' + CELL + b"</row>", tail=ext)).plain
    later = b'<sheetData><row r="9"><c r="A9"><v>1</v></c></row></sheetData>'
    assert not _scan(tmp_path, _sheet(b'<row r="1">' + CELL + b"</row>", tail=later)).plain


def test_a_part_in_another_encoding_is_not_plain(tmp_path):
    assert not _scan(tmp_path, _sheet(CELL).decode().encode("utf-16")).plain
    latin = _sheet(CELL).replace(b'encoding="UTF-8"', b'encoding="ISO-8859-1"')
    assert not _scan(tmp_path, latin).plain


@pytest.mark.parametrize(("rows", "head", "message"), [
    (b'<row r="1"><c r="XFD1048576"><v>1</v></c></row>', b"",
     "s!XFD1048576: the sheet reaches cell XFD1048576"),
    (b'<row r="2000"><c r="XFD2000"><v>1</v></c></row>', b"", "s!XFD2000: the sheet reaches cell XFD2000"),
    (b'<row r="1"><c r="IW1"><v>1</v></c></row>', b"", "s!IW1: the sheet reaches cell IW1"),
    (b'<row r="50002"><c r="A50002"><v>1</v></c></row>', b"", "s!A50002: the sheet reaches cell A50002"),
    (b'<row r="50002" spans="2:2"><c r="B50002"><v>1</v></c></row>', b"", "s!B50002: the sheet reaches cell B50002"),
    (b'<row r="2"><c r="A50002" t="e"><v>#N/A</v></c></row>', b"", "s!A50002: the sheet reaches cell A50002"),
    (b'<row r="2"><c r="B' + b"1" * 5000 + b'"><v>1</v></c></row>', b"",
     "s!B" + "1" * 5000 + ": the sheet reaches cell B" + "1" * 5000),
    (b'<row r="2"><c r="A2" t="e"><v>#N/A</v></c><c r="IW2"><v>1</v></c></row>', b"",
     "s!IW2: the sheet reaches cell IW2"),
    (b'<row r="2"><c r="A2"><f>1</f><v>1</v></c><c r="A1048576"><v>1</v></c></row>', b"",
     "s!A1048576: the sheet reaches cell A1048576"),
    (b'<row r="1048576" ht="20" customHeight="1"/>', b"", "s!A1048576: the sheet reaches row 1,048,576"),
    (CELL, b'<dimension ref="A1:XFD1048576"/>',
     "s!XFD1048576: the sheet reaches A1:XFD1048576 (the used range the sheet records)"),
])
def test_a_sheet_reaching_past_the_caps_is_refused_from_its_bytes(tmp_path, rows, head, message):
    scan = _scan(tmp_path, _sheet(rows, head))
    assert not scan.plain and scan.beyond is not None
    assert (scan.beyond.rule, scan.beyond.message) == (
        "sheet-too-large", f"{message}, beyond what an import reads (A1:IV50001: 50,000 rows of data under "
                           "the header, 256 columns)")


def test_the_last_row_and_column_the_caps_allow_are_read(tmp_path):
    """Within the caps nothing is refused; a cell past FAST_COLUMNS leaves the sheet to the
    streaming reader, which keeps only the cells, where calamine would build 50,001 x 256 (a
    164 KB workbook cost 618 MiB)."""
    scan = _scan(tmp_path, _sheet(b'<row r="50001"><c r="IV50001"><v>1</v></c></row>',
                                  b'<dimension ref="A1:IV50001"/>'))
    assert scan == PartScan(False)
    last = column_letter(FAST_COLUMNS).encode()
    assert _scan(tmp_path, _sheet(b'<row r="50001"><c r="' + last + b'50001"><v>1</v></c></row>')) == PartScan(True)


@pytest.mark.parametrize("limit", [1, 9, 10, 26, 27, 256, 702, 703, 16_383, 50_001, 240_431, 1_048_575])
def test_greater_patterns_match_exactly_the_numbers_past_the_limit(limit):
    number, letters = re.compile(_greater_number(limit)), re.compile(_greater_letters(limit))
    up_to = re.compile(_up_to_letters(limit)) if limit <= 16_384 else None
    up_to_number = re.compile(_up_to_number(limit))
    for value in {1, limit - 1, limit, limit + 1, limit + 9, 10 * limit, 16_384, 1_048_576} - {0}:
        assert (number.fullmatch(str(value)) is not None) == (value > limit), value
        assert (up_to_number.fullmatch(str(value)) is not None) == (value <= limit), value
        if value <= 16_384:
            assert (letters.fullmatch(column_letter(value)) is not None) == (value > limit), value
            assert up_to is None or (up_to.fullmatch(column_letter(value)) is not None) == (value <= limit), value


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
    rest = CELL[len(half):] + b"<x/>" * (CHUNK // 2) + tail + b"<x/></sheetData>"
    assert len(head) == len(second) == CHUNK
    assert _scan(tmp_path, head + second + rest).plain is plain


def test_a_far_cell_split_over_chunks_is_still_seen(tmp_path):
    """The farthest cell right after a cut (the chunk ended on the cell before it)."""
    filler = CELL * (CHUNK // len(CELL))
    scan = _scan(tmp_path, _sheet(filler + b'<c r="XFD9"><v>1</v></c>'))
    assert scan.beyond is not None and scan.beyond.message.startswith("s!XFD9: the sheet reaches cell XFD9")
