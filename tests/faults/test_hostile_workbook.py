"""Hostile workbooks end to end through the CLI: a sheet's layout is checked, and its reach bounded,
before any cell is read (issue 17: two sheets with one name, one far cell)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from scripts.model.package import load_package
from scripts.xlsx.state import STATE_SHEET, fingerprint
from tests.faults.support import cli, leftovers, patch_part, tables
from tests.unit.xlsx_support import column_of, row_of

REPO = Path(__file__).resolve().parents[2]
MEETINGS_SHEET = "xl/worksheets/sheet14.xml"  # the meetings sheet of the export
STATES_SHEET = "xl/worksheets/sheet6.xml"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WORKSHEET_TYPE = f"{REL}/worksheet"
MEASURED = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(json.dumps({"code": done.returncode, "out": done.stdout, "err": done.stderr,
                  "seconds": time.perf_counter() - start,
                  "peak_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def add_sheet(source: Path, dest: Path, name: str, xml: str, first: bool = True) -> Path:
    """A copy of the workbook with one more sheet, hidden, first in the tab order by default."""
    entry = (f'<sheet xmlns:r="{REL}" name="{name}" sheetId="99" state="hidden" r:id="rId99"/>')
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == "xl/workbook.xml":
                text = data.decode()
                data = (text.replace("<sheets>", f"<sheets>{entry}") if first
                        else text.replace("</sheets>", f"{entry}</sheets>")).encode()
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", f'<Relationship Type="{WORKSHEET_TYPE}" '
                                    'Target="/xl/worksheets/sheet99.xml" Id="rId99"/></Relationships>'.encode())
            elif info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/worksheets/sheet99.xml" ContentType='
                                    b'"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                                    b"</Types>")
            new.writestr(info, data)
        new.writestr("xl/worksheets/sheet99.xml", xml)
    return dest


def _meetings_with(exported: Path, old: str, new: str) -> str:
    """The meetings sheet's XML with one cell replaced (``old`` matched as a regex, once)."""
    with zipfile.ZipFile(exported) as archive:
        text = archive.read(MEETINGS_SHEET).decode()
    changed, count = re.subn(old, new, text, count=1)
    assert count == 1, old
    return changed


@pytest.mark.parametrize(("name", "cell", "replacement"), [
    ("Meetings", r'<c r="A2" [^>]*><is><t>[^<]*</t></is></c>', '<c r="A2" t="e"><v>#N/A</v></c>'),
    ("meetings", r'<c r="B2" [^>]*><is><t>[^<]*</t></is></c>',
     '<c r="B2" t="str"><f>"Forged "&amp;"title"</f><v>Forged title</v></c>'),
    ("MEETINGS", r'<c r="A2" [^>]*><is><t>[^<]*</t></is></c>', '<c r="A2" t="e"><v>#N/A</v></c>'),
])
def test_a_hidden_sheet_named_like_a_table_is_refused_naming_both(pkg: Path, exported: Path, tmp_path: Path,
                                                                  capsys, name: str, cell: str,
                                                                  replacement: str) -> None:
    """A hidden first sheet named like the meetings sheet, holding an error value or a formula's
    cached value: before, the scans checked one sheet and calamine read the other, and the import
    ended with exit 0 (the #N/A blanking a key, the forged title imported)."""
    book = add_sheet(exported, tmp_path / "twin.xlsx", name, _meetings_with(exported, cell, replacement))
    before = tables(pkg)
    code, _, err = cli(capsys, "import", book, pkg, "--no-provenance", "--format", "json")
    assert code == 1, err
    problems = json.loads(err)["problems"]
    assert [(p["rule"], p["message"]) for p in problems] == [
        ("duplicate-sheet", f"the workbook has two sheets named {name!r} and 'meetings'; sheet names must differ in "
                            "more than upper and lower case")]
    assert tables(pkg) == before and leftovers(pkg) == []


def test_a_formula_or_error_in_the_only_meetings_sheet_is_named_at_its_cell(pkg: Path, exported: Path,
                                                                           tmp_path: Path, capsys) -> None:
    """The same cells in the one sheet of that name are refused at their cell, as always."""
    xml = _meetings_with(exported, r'<c r="B2" [^>]*><is><t>[^<]*</t></is></c>',
                         '<c r="B2" t="str"><f>"Forged"</f><v>Forged</v></c>')
    xml, count = re.subn(r'<c r="A3" [^>]*><is><t>[^<]*</t></is></c>', '<c r="A3" t="e"><v>#N/A</v></c>', xml, count=1)
    assert count == 1
    book = patch_part(exported, tmp_path / "cells.xlsx", MEETINGS_SHEET, lambda _: xml)
    code, _, err = cli(capsys, "import", book, pkg, "--no-provenance", "--format", "json")
    assert code == 1
    assert [(p["rule"], p["message"].split(";")[0]) for p in json.loads(err)["problems"]] == [
        ("formula", 'meetings!B2: holds a formula (="Forged")'),
        ("cell-error", "meetings!A3: holds the error value #N/A")]


def _measured_import(book: Path, pkg: Path) -> dict:
    """The import run as a child of a fresh interpreter, so that the peak memory measured is the
    import's alone (RUSAGE_CHILDREN of this process would carry earlier children's)."""
    argv = [sys.executable, "-c", MEASURED, sys.executable, "-m", "scripts", "import", str(book), str(pkg),
            "--no-provenance"]
    done = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=300, check=True)
    return json.loads(done.stdout)


@pytest.mark.parametrize("ref", ["XFD1048576", "XFD2000"])
def test_one_far_cell_is_refused_before_any_grid_is_built(pkg: Path, exported: Path, tmp_path: Path,
                                                          ref: str) -> None:
    """One plain cell far out on the states sheet: before, python-calamine tried to build the grid up
    to it and the process aborted (exit 134, a Rust backtrace) or, at XFD2000, imported using 1.3 GB."""
    row = ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    book = patch_part(exported, tmp_path / "far.xlsx", STATES_SHEET, lambda xml: xml.replace(
        "</sheetData>", f'<row r="{row}"><c r="{ref}" t="inlineStr"><is><t>far</t></is></c></row></sheetData>'))
    assert book.stat().st_size < 250_000  # a small file: the export of the real package plus one cell
    before = tables(pkg)
    run = _measured_import(book, pkg)
    assert run["code"] == 1, run
    lines = [line for line in run["err"].splitlines() if "sheet-too-large" in line]
    assert [line.split("] ", 1)[1] for line in lines] == [
        f"states!{ref}: the sheet reaches cell {ref}, beyond what an import reads (A1:IV50001: 50,000 rows of "
        "data under the header, 256 columns)"]
    assert "invalid: 1 problem in 1 file" in run["err"]
    assert "panicked" not in run["err"] and "backtrace" not in run["err"].lower() and "Traceback" not in run["err"]
    assert run["peak_mib"] < 400, run
    assert run["seconds"] < 30, run
    assert tables(pkg) == before and leftovers(pkg) == []


def test_a_far_cell_in_a_sheet_with_formulas_is_refused_the_same_way(pkg: Path, exported: Path, tmp_path: Path,
                                                                    capsys) -> None:
    """Where the sheet is not plain (a formula), the reach is still refused, with the same words."""
    def change(xml: str) -> str:
        xml = re.sub(r'<c r="B2" [^>]*><is><t>[^<]*</t></is></c>', '<c r="B2"><f>1+1</f><v>2</v></c>', xml, count=1)
        return xml.replace("</sheetData>", '<row r="60000"><c r="A60000"><v>1</v></c></row></sheetData>')

    book = patch_part(exported, tmp_path / "far.xlsx", STATES_SHEET, change)
    code, _, err = cli(capsys, "import", book, pkg, "--no-provenance", "--format", "json")
    assert code == 1
    assert [p["message"] for p in json.loads(err)["problems"]] == [
        "states!A60000: the sheet reaches cell A60000, beyond what an import reads (A1:IV50001: 50,000 rows of "
        "data under the header, 256 columns)"]


def test_the_sheet_calamine_would_read_is_the_one_checked(pkg: Path, exported: Path, tmp_path: Path,
                                                         capsys) -> None:
    """A sheet entry with a second ``id`` attribute: calamine took the last, this reader the r:id.
    The layout is refused rather than read two ways."""
    hidden = _meetings_with(exported, r'<c r="A2" [^>]*><is><t>[^<]*</t></is></c>', '<c r="A2" t="e"><v>#N/A</v></c>')
    book = add_sheet(exported, tmp_path / "extra.xlsx", "notes", hidden, first=False)
    book = patch_part(book, tmp_path / "twoids.xlsx", "xl/workbook.xml", lambda xml: xml.replace(
        'name="meetings" sheetId="14" state="visible" r:id="rId14"',
        'name="meetings" sheetId="14" state="visible" r:id="rId14" id="rId99"'))
    code, _, err = cli(capsys, "import", book, pkg, "--no-provenance", "--format", "json")
    assert code == 1
    assert [(p["rule"], p["message"]) for p in json.loads(err)["problems"]] == [
        ("bad-sheet-entry", "the sheet 'meetings' is listed in xl/workbook.xml with a damaged relationship id")]


def test_a_forged_fingerprint_cannot_undo_an_edit_unseen(pkg: Path, exported: Path, tmp_path: Path, capsys) -> None:
    """Someone edits a CSV after the export; the stale workbook gets the tables' current
    fingerprint written into its hidden export_state sheet (a sha256 anyone can compute), so the
    import takes it and reverts the edit. It cannot be refused, but it is shown, cell by cell:
    before, the import said only "topics changed"."""
    csv_path = pkg / "tables" / "topics.csv"
    csv_path.write_text(csv_path.read_text(encoding="utf-8").replace("\nenergy,Energy,", "\nenergy,Energy policy,"),
                        encoding="utf-8")
    wb = openpyxl.load_workbook(exported)
    wb[STATE_SHEET]["B1"] = fingerprint(load_package(pkg))
    ws = wb["topics"]
    cell = f"topics!B{row_of(ws, 'energy')}"
    assert column_of(ws, "name") == 2 and ws[cell.split("!")[1]].value == "Energy"
    wb.save(tmp_path / "forged.xlsx")
    backup = tmp_path / "before"
    shutil.copytree(pkg, backup)

    code, out, err = cli(capsys, "import", tmp_path / "forged.xlsx", pkg, "--no-provenance")
    assert code == 0, err
    assert out.splitlines()[1:] == [f"{cell} (energy, name): 'Energy policy' → 'Energy'",
                                    f"imported {tmp_path / 'forged.xlsx'}: topics changed"]
    shutil.rmtree(pkg)
    shutil.copytree(backup, pkg)
    code, out, err = cli(capsys, "import", tmp_path / "forged.xlsx", pkg, "--no-provenance", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["changes"] == {
        "cells": [{"table": "topics", "cell": cell, "key": "energy", "field": "name", "old": "Energy policy",
                   "new": "Energy"}], "added": [], "removed": []}
