"""What a person editing the workbook is told, end to end through ``python -m scripts import``:
the cell they changed and a fix, in plain words, in the order that saves them work."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from tests.unit.xlsx_support import ROOT, checksums, column_of, copy_package, edit, export, row_of

MONTH_MEETING = "ca-consultative-6"  # date_start 2024-08 (month precision), city Astana (cited)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pristine = copy_package(tmp_path_factory.mktemp("pristine") / "pkg")
    return export(pristine, tmp_path_factory.mktemp("export") / "package.xlsx")


@pytest.fixture()
def pkg(tmp_path: Path) -> Path:
    return copy_package(tmp_path / "pkg")


def cli_import(pkg: Path, workbook: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """The import as a person runs it; a refused import must leave the tables as they were."""
    before = checksums(pkg)
    done = subprocess.run([sys.executable, "-m", "scripts", "import", str(workbook), str(pkg), *options],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert "Traceback" not in done.stdout + done.stderr
    if done.returncode:
        assert checksums(pkg) == before
    return done


def set_cell(sheet: str, key: str, column: str, value: object):
    def change(wb):
        ws = wb[sheet]
        ws.cell(row_of(ws, key), column_of(ws, column)).value = value
    return change


def test_a_stale_workbook_with_a_bad_cell_reports_the_staleness_first(pkg, exported, tmp_path):
    """The tables changed since the export and the workbook also holds a refused cell: the
    staleness is the one problem (its edits must be redone in a fresh export anyway), and the bad
    cell is named in a note so it is not typed wrong again."""
    workbook = edit(exported, tmp_path / "edited.xlsx", set_cell("meetings", MONTH_MEETING, "date_start",
                                                                 dt.datetime(2024, 8, 15)))
    states = pkg / "tables" / "states.csv"
    states.write_text(states.read_text(encoding="utf-8").replace("Azerbaijan", "Azerbaijan Republic"),
                      encoding="utf-8")
    done = cli_import(pkg, workbook, "--no-provenance")
    assert done.returncode == 1
    assert "[tables-changed]" in done.stderr and "[type-error]" not in done.stderr
    assert done.stderr.splitlines()[1] == (
        "note: this workbook also has 1 cell problem (meetings!F8), not listed since the edits must be made "
        "again in a fresh export: check those cells there")
    assert done.stderr.rstrip().endswith("invalid: 1 problem in 1 file")
