"""Two writers at once: a second import waits for the first and is then refused as stale (no lost
update, no mixed tables); an import during a release waits, and the release ships the snapshot it
validated; a release during an import ships the imported tables whole.

Before: nothing locked the package. Two imports both exited 0 and one set of edits was silently
lost, and an import during a release gave a release (exit 0) whose citations pointed at records
that did not exist."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from scripts.validate import validate_package
from tests.faults.forks import wait_for, wait_for_text
from tests.faults.support import leftovers, tables
from tests.unit.xlsx_support import column_of, edit, row_of

WAITING = "waiting for another import/release on this package"


def _cell(sheet: str, key: str, column: str, value: str):
    def change(wb) -> None:
        ws = wb[sheet]
        ws.cell(row_of(ws, key), column_of(ws, column)).value = value
    return change


@pytest.fixture(scope="module")
def workbooks(exported: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two workbooks exported from the same state, each with its own edit."""
    base = tmp_path_factory.mktemp("writers")
    first = edit(exported, base / "venue.xlsx", _cell("meetings", "ca-consultative-6", "venue", "Hall Seven"))
    second = edit(exported, base / "state.xlsx", _cell("states", "AZE", "name", "Azerbaijan Republic"))
    return first, second


def _held(forks, argv: list, tmp_path: Path, step: str):
    """Start a writer and wait until it stands at ``step``, holding the package lock."""
    run = forks.start(argv, tmp_path, pause=(step, 1, tmp_path))
    wait_for(tmp_path / f"at-{step}")
    return run


def test_a_second_import_waits_then_is_refused_as_stale(workbooks, pkg: Path, forks, tmp_path: Path) -> None:
    first_book, second_book = workbooks
    first = _held(forks, ["import", first_book, pkg, "--no-provenance"], tmp_path, "staged")
    second = forks.start(["import", second_book, pkg, "--no-provenance"], tmp_path)
    wait_for_text(second.err, WAITING)
    (tmp_path / "go-staged").touch()
    one, two = first.wait(), second.wait()
    assert one.returncode == 0, one.stderr
    assert one.stdout.endswith(f"imported {first_book}: meetings changed\n")
    assert two.returncode == 1
    assert "[tables-changed] the package's tables changed after this workbook was exported" in two.stderr
    assert "import refused: nothing was written" in two.stderr
    meetings = (pkg / "tables" / "meetings.csv").read_text(encoding="utf-8")
    states = (pkg / "tables" / "states.csv").read_text(encoding="utf-8")
    assert "Hall Seven" in meetings and "Azerbaijan Republic" not in states  # the first edit kept, none mixed
    assert leftovers(pkg) == []


def _zip_tables(dist: Path) -> dict[str, str]:
    [archive] = dist.glob("*.zip")
    with zipfile.ZipFile(archive) as zf:
        return {Path(n).name: hashlib.sha256(zf.read(n)).hexdigest() for n in zf.namelist()
                if Path(n).parent.name == "tables"}  # <name>-<version>/tables/<table>.csv


def test_an_import_during_a_release_waits_and_the_release_ships_its_snapshot(workbooks, pkg: Path, forks,
                                                                             tmp_path: Path) -> None:
    before = tables(pkg)
    release = _held(forks, ["release", pkg, "--no-provenance"], tmp_path, "release-snapshot")
    importing = forks.start(["import", workbooks[0], pkg, "--no-provenance"], tmp_path)
    wait_for_text(importing.err, WAITING)
    (tmp_path / "go-release-snapshot").touch()
    released, imported = release.wait(), importing.wait()
    assert (released.returncode, imported.returncode) == (0, 0), released.stderr + imported.stderr
    assert _zip_tables(pkg / "dist") == before  # validated and shipped: the same bytes
    shipped = tmp_path / "shipped"
    with zipfile.ZipFile(next((pkg / "dist").glob("*.zip"))) as zf:
        zf.extractall(shipped)
    [folder] = shipped.iterdir()  # the zip's one folder
    assert validate_package(folder, None) == []
    assert "Hall Seven" in (pkg / "tables" / "meetings.csv").read_text(encoding="utf-8")
    assert leftovers(pkg) == []


def test_a_release_during_an_import_ships_the_imported_tables(workbooks, pkg: Path, forks, tmp_path: Path) -> None:
    importing = _held(forks, ["import", workbooks[0], pkg, "--no-provenance"], tmp_path, "staged")
    release = forks.start(["release", pkg, "--no-provenance"], tmp_path)
    wait_for_text(release.err, WAITING)
    (tmp_path / "go-staged").touch()
    imported, released = importing.wait(), release.wait()
    assert (imported.returncode, released.returncode) == (0, 0), imported.stderr + released.stderr
    assert _zip_tables(pkg / "dist") == tables(pkg)
    assert "Hall Seven" in (pkg / "tables" / "meetings.csv").read_text(encoding="utf-8")
    assert leftovers(pkg) == []
