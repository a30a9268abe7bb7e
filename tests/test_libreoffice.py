"""A real spreadsheet application reads and re-saves the workbook: LibreOffice, headless.

LibreOffice runs twice per session (in one fixture): once to write every sheet as CSV, once to
re-save two workbooks as .xlsx (the untouched export and a copy with one cell changed). Each run
uses a private profile so that tests never touch a user's LibreOffice settings.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

from scripts.package import load_package, read_rows
from scripts.workbook import export_workbook, import_workbook
from tests.conftest import ROOT

pytestmark = pytest.mark.libreoffice

# All sheets (-1, the last token) as UTF-8 (76) CSV, comma-separated, quoted with '"', raw values.
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
EDIT = ("leaders", "kassym-jomart-tokayev", "full_name", " (edited)")


@dataclass
class Converted:
    export: Path
    sheets_csv: Path
    resaved: Path
    resaved_edited: Path
    edited_cell: str


def soffice(args: list[str], profile: Path) -> None:
    command = [shutil.which("soffice") or "soffice", f"-env:UserInstallation={profile.as_uri()}",
               "--headless", "--norestore", *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=240, check=False)
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="session")
def converted(tmp_path_factory: pytest.TempPathFactory) -> Converted:
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-calc "
                    "(.ci/run does this)")
    work = tmp_path_factory.mktemp("libreoffice")
    profile = work / "profile"
    export = export_workbook(load_package(ROOT), work / "export.xlsx")
    edited = shutil.copy(export, work / "edited.xlsx")
    sheet, key, field, suffix = EDIT
    table = load_package(ROOT).table(sheet)
    rows = read_rows(table)
    row = [table.record_key(r) for r in rows].index(key) + 2
    cell = f"{openpyxl.utils.get_column_letter(table.field_names.index(field) + 1)}{row}"
    wb = openpyxl.load_workbook(edited)
    wb[sheet][cell] = wb[sheet][cell].value + suffix
    wb.save(edited)
    soffice(["--convert-to", CSV_FILTER, "--outdir", str(work / "csv"), str(export)], profile)
    soffice(["--convert-to", "xlsx", "--outdir", str(work / "resaved"), str(export), str(edited)], profile)
    return Converted(export, work / "csv", work / "resaved" / "export.xlsx",
                     work / "resaved" / "edited.xlsx", cell)


def test_libreoffice_reads_every_table_as_written(package, converted):
    for name, table in package.tables.items():
        path = converted.sheets_csv / f"export-{name}.csv"
        with path.open(encoding="utf-8", newline="") as handle:
            seen = list(csv.reader(handle))
        with table.path.open(encoding="utf-8", newline="") as handle:
            expected = list(csv.reader(handle))
        assert seen[0] == expected[0], name
        booleans = [f.type == "boolean" for f in table.fields]
        # LibreOffice writes booleans as TRUE/FALSE; every other value must be the CSV's text
        assert [[v.lower() if b else v for v, b in zip(r, booleans, strict=True)] for r in seen[1:]] == \
            expected[1:], name


def test_libreoffice_resaved_workbook_imports_identically(package_copy, converted):
    before = {p.name: p.read_bytes() for p in (package_copy / "tables").glob("*.csv")}
    assert import_workbook(package_copy, converted.resaved, None) == []
    assert {p.name: p.read_bytes() for p in (package_copy / "tables").glob("*.csv")} == before


def test_one_changed_cell_imports_as_exactly_that_change(package_copy, converted):
    sheet, key, field, suffix = EDIT
    before = {p.name: p.read_text(encoding="utf-8") for p in (package_copy / "tables").glob("*.csv")}
    assert import_workbook(package_copy, converted.resaved_edited, None) == []
    after = {p.name: p.read_text(encoding="utf-8") for p in (package_copy / "tables").glob("*.csv")}
    changed = [name for name in before if before[name] != after[name]]
    assert changed == [f"{sheet}.csv"]
    old, new = before[changed[0]].splitlines(), after[changed[0]].splitlines()
    diff = [(a, b) for a, b in zip(old, new, strict=True) if a != b]
    table = load_package(package_copy).table(sheet)
    (row,) = [r for r in read_rows(table) if table.record_key(r) == key]
    assert len(diff) == 1 and diff[0][1].startswith(f"{key},")
    original = next(r for r in csv.DictReader(old) if table.record_key(r) == key)
    assert row == {**original, field: original[field] + suffix}
