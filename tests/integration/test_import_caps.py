"""Import caps follow the package being edited: a package whose citations table is past the default
50,000 rows re-imports its own export with no flag, and a file reaching past twice its longest
table is still refused from its bytes. End to end through ``python -m scripts``."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from scripts.bench import make_scaled_package
from scripts.model.package import load_package
from scripts.xlsx.read.caps import DEFAULT_WORKBOOK_CAPS, MARGIN, caps_for, package_rows
from scripts.xlsx.read.layout import read_layout
from scripts.xlsx.write.export import export_workbook
from tests.faults.support import patch_part
from tests.unit.xlsx_support import ROOT, checksums

OBSERVATIONS = 20_000  # the citations table grows to 53,832 rows, past the default 50,000


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scripts", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=600)


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A package grown past the default caps, and its export (made in process: the import is what
    these tests run end to end)."""
    base = tmp_path_factory.mktemp("big")
    package = make_scaled_package(base / "pkg", OBSERVATIONS)
    return package, export_workbook(load_package(package), base / "export.xlsx")


def test_caps_are_twice_the_longest_table_never_below_the_defaults(big):
    package = load_package(big[0])
    assert package_rows(package) == 53_832
    assert caps_for(package).read.max_rows == MARGIN * 53_832
    assert caps_for(package, asked_rows=200_000).read.max_rows == 200_000
    assert caps_for(load_package(ROOT)) == DEFAULT_WORKBOOK_CAPS  # the real package: 540 rows at most
    assert caps_for(package).archive.max_ratio == DEFAULT_WORKBOOK_CAPS.archive.max_ratio


def test_a_big_package_reimports_its_own_export_without_flags(big):
    package, book = big
    before = checksums(package)
    done = cli("import", str(book), str(package), "--no-provenance")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.splitlines()[-1] == f"imported {book}: no table changed"
    assert checksums(package) == before


def test_a_sheet_reaching_past_twice_the_package_is_still_refused(big, tmp_path):
    package, book = big
    with zipfile.ZipFile(book) as archive:
        part = read_layout(archive, 1 << 26).sheets["states"]
    far = patch_part(book, tmp_path / "far.xlsx", part, lambda xml: re.sub(
        "</sheetData>", '<row r="900000"><c r="A900000" t="inlineStr"><is><t>x</t></is></c></row></sheetData>',
        xml, count=1))
    before = checksums(package)
    done = cli("import", str(far), str(package), "--no-provenance")
    assert done.returncode == 1
    assert ("states!A900000: the sheet reaches cell A900000, beyond what an import reads (A1:IV107665: "
            "107,664 rows of data under the header, 256 columns)") in done.stderr
    assert checksums(package) == before
