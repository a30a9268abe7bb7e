"""scripts/xlsx/read/archive.py: hostile workbooks refused from the central directory and XML prologs,
before any parser sees them — each with its exact message."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from scripts.xlsx.read.archive import ArchiveCaps, check_archive

SHEET = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
         '<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c></row></sheetData></worksheet>')


def _real(tmp_path: Path) -> Path:
    """A real workbook written by openpyxl."""
    wb = openpyxl.Workbook()
    wb.active.title = "states"
    wb.active.append(["state_id", "name"])
    wb.active.append(["KZ", "Kazakhstan"])
    path = tmp_path / "real.xlsx"
    wb.save(path)
    return path


def _rezip(source: Path, dest: Path, replace: dict[str, bytes | str] | None = None,
           add: dict[str, bytes | str] | None = None) -> Path:
    """Copy a workbook, replacing or adding parts (the way an attacker would hand-zip one)."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            out.writestr(info.filename, (replace or {}).get(info.filename, src.read(info.filename)))
        for name, data in (add or {}).items():
            out.writestr(name, data)
    return dest


def _one(problems: list) -> tuple[str, str, object]:
    assert len(problems) == 1, problems
    return problems[0].rule, problems[0].message, problems[0].value


def test_real_workbook_passes(tmp_path: Path) -> None:
    assert check_archive(_real(tmp_path)) == []


def test_encrypted_workbook_is_named(tmp_path: Path) -> None:
    path = tmp_path / "secret.xlsx"
    path.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(4096))
    assert _one(check_archive(path)) == (
        "encrypted", "the workbook is password-protected (or an old .xls file); save it without a password "
        "as 'Excel Workbook (.xlsx)'", None)


@pytest.mark.parametrize(("content", "message"), [
    (b"id,name\nKZ,Kazakhstan\n", "not an Excel workbook (.xlsx): the file is not a zip archive"),
    (b"", "not an Excel workbook (.xlsx): the file is not a zip archive"),
])
def test_not_a_zip(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "x.xlsx"
    path.write_bytes(content)
    assert _one(check_archive(path))[:2] == ("not-a-workbook", message)


def test_truncated_zip(tmp_path: Path) -> None:
    real = _real(tmp_path).read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(real[: len(real) // 2])
    rule, message, _ = _one(check_archive(path))
    assert (rule, message.split(" (")[0]) == ("not-a-workbook", "the workbook is damaged or truncated")


def test_missing_file(tmp_path: Path) -> None:
    rule, message, _ = _one(check_archive(tmp_path / "nope.xlsx"))
    assert (rule, message) == ("unreadable", "the workbook cannot be read (No such file or directory)")


def test_zip_without_workbook_part(tmp_path: Path) -> None:
    path = tmp_path / "z.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    assert _one(check_archive(path))[:2] == (
        "not-a-workbook", "a zip archive but not an Excel workbook (no xl/workbook.xml)")


def test_macros_refused(tmp_path: Path) -> None:
    path = _rezip(_real(tmp_path), tmp_path / "m.xlsx", add={"xl/vbaProject.bin": b"\0" * 10})
    assert _one(check_archive(path)) == (
        "macros", "the workbook contains macros (xl/vbaProject.bin); save it as 'Excel Workbook (.xlsx)', "
        "which drops them", "xl/vbaProject.bin")


def test_macro_enabled_content_type_refused(tmp_path: Path) -> None:
    real = _real(tmp_path)
    types = zipfile.ZipFile(real).read("[Content_Types].xml").replace(
        b"spreadsheetml.sheet.main+xml", b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
    path = _rezip(real, tmp_path / "m.xlsx", replace={"[Content_Types].xml": types})
    assert _one(check_archive(path))[:2] == (
        "macros", "the workbook is macro-enabled (.xlsm content types); save it as 'Excel Workbook (.xlsx)'")


def test_part_over_cap(tmp_path: Path) -> None:
    path = _rezip(_real(tmp_path), tmp_path / "big.xlsx", add={"xl/media/big.bin": bytes(20_000)})
    assert _one(check_archive(path, ArchiveCaps(max_part_bytes=19_999))) == (
        "part-too-large", "part xl/media/big.bin unpacks to 20,000 bytes; more than 19,999 is refused",
        "xl/media/big.bin")


def test_total_over_cap(tmp_path: Path) -> None:
    real = _real(tmp_path)
    total = sum(i.file_size for i in zipfile.ZipFile(real).infolist())
    rule, message, _ = _one(check_archive(real, ArchiveCaps(max_total_bytes=total - 1)))
    assert (rule, message) == ("unpacked-too-large",
                               f"the workbook unpacks to {total:,} bytes; more than {total - 1:,} is refused")


def test_whitespace_bomb_refused_from_directory(tmp_path: Path) -> None:
    """A sheet padded with 70 MiB of spaces: refused by its declared size alone (the default caps),
    the spaces never decompressed."""
    path = tmp_path / "ws.xlsx"
    real = _real(tmp_path)
    with zipfile.ZipFile(real) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                out.writestr(info.filename, src.read(info.filename))
        with out.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(SHEET[:-len("</worksheet>")].encode())
            block = b" " * 2**20
            for _ in range(70):
                sheet.write(block)
            sheet.write(b"</worksheet>")
    assert path.stat().st_size < 200_000
    rule, message, part = _one(check_archive(path))
    assert (rule, part) == ("part-too-large", "xl/worksheets/sheet1.xml")
    assert message.endswith("more than 67,108,864 is refused")


def test_compression_ratio(tmp_path: Path) -> None:
    path = _rezip(_real(tmp_path), tmp_path / "r.xlsx", add={"xl/media/zeros.bin": bytes(2 * 2**20)})
    rule, message, part = _one(check_archive(path))
    assert (rule, part) == ("compression-ratio", "xl/media/zeros.bin")
    assert message.endswith("times its packed size; more than 400 is refused (a zip bomb)")


def test_too_many_parts(tmp_path: Path) -> None:
    path = _rezip(_real(tmp_path), tmp_path / "p.xlsx", add={f"xl/media/{i}.bin": b"" for i in range(30)})
    rule, message, _ = _one(check_archive(path, ArchiveCaps(max_parts=20)))
    assert rule == "too-many-parts" and message.endswith("more than 20 is refused")


DTD_SHEETS = {
    "external entity": '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                       + SHEET.split("?>\n", 1)[1],
    "billion laughs": '<?xml version="1.0"?>\n<!-- hi -->\n<!DOCTYPE w [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]>'
                      + SHEET.split("?>\n", 1)[1],
    "after a BOM": "\ufeff<!DOCTYPE worksheet>" + SHEET.split("?>\n", 1)[1],
    "lower-case doctype": '<?xml version="1.0"?><!doctype w>' + SHEET.split("?>\n", 1)[1],
}


@pytest.mark.parametrize("case", DTD_SHEETS)
def test_dtd_refused_naming_the_part(tmp_path: Path, case: str) -> None:
    path = _rezip(_real(tmp_path), tmp_path / "dtd.xlsx",
                  replace={"xl/worksheets/sheet1.xml": DTD_SHEETS[case].encode("utf-8")})
    assert _one(check_archive(path)) == (
        "xml-dtd", "part xl/worksheets/sheet1.xml declares a DTD or entities (<!DOCTYPE/<!ENTITY); workbooks "
        "never need one and it can attack the reader", "xl/worksheets/sheet1.xml")


def test_dtd_in_utf16_part_refused(tmp_path: Path) -> None:
    xml = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE w [<!ENTITY a "x">]><w/>'
    path = _rezip(_real(tmp_path), tmp_path / "u16.xlsx", replace={"xl/styles.xml": xml.encode("utf-16")})
    assert _one(check_archive(path))[0] == "xml-dtd"


def test_endless_prolog_is_bounded(tmp_path: Path) -> None:
    xml = "<?xml version='1.0'?>" + "<!-- padding -->" * 10_000 + "<w/>"
    path = _rezip(_real(tmp_path), tmp_path / "pro.xlsx", replace={"xl/styles.xml": xml})
    assert _one(check_archive(path))[:2] == (
        "xml-prolog", "part xl/styles.xml has more than 65,536 bytes before its first element")


@pytest.mark.parametrize(("extra", "rule", "message"), [
    ("XL/Worksheets/Sheet1.xml", "duplicate-part",
     "the workbook holds two parts with the same name ('xl/worksheets/sheet1.xml' and 'XL/Worksheets/Sheet1.xml')"),
    ("xl\\worksheets\\sheet1.xml", "bad-part-name",
     "the workbook holds a part named 'xl\\\\worksheets\\\\sheet1.xml', which is not a valid part name"),
    ("xl/./worksheets/sheet1.xml", "bad-part-name",
     "the workbook holds a part named 'xl/./worksheets/sheet1.xml', which is not a valid part name"),
    ("xl/../xl/worksheets/sheet1.xml", "bad-part-name",
     "the workbook holds a part named 'xl/../xl/worksheets/sheet1.xml', which is not a valid part name"),
])
def test_a_second_name_for_a_part_is_refused(tmp_path: Path, extra: str, rule: str, message: str) -> None:
    """calamine looks parts up ignoring case and turning backslashes into slashes: a second part
    under such a name could be read by it in place of the one the scans checked."""
    path = _rezip(_real(tmp_path), tmp_path / "twice.xlsx", add={extra: SHEET})
    assert _one(check_archive(path))[:2] == (rule, message)
