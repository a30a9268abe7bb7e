"""A full disk (a real tiny tmpfs, where root may mount one) and injected OS errors during import,
export and release: one plain line on stderr, exit 2, the tables or dist/ as they were, and no
temporary file, stage or journal left behind.

Before: ENOSPC during the import's writes left some tables new and some old plus stray
``tables/.*.tmp`` files, and ENOSPC / EROFS / EBUSY / EFBIG ended in a traceback with the exit code
of invalid data."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import types
from pathlib import Path

import pytest

from scripts import files
from tests.faults.support import cli, leftovers, tables, tmpfs
from tests.unit.xlsx_support import column_of, edit, row_of

FULL = "the disk is full (free some space and run the command again)"
MOUNT_SIZE = "16m"
FREE_LEFT = 8192  # bytes left on the tmpfs: room for the lock's pid, not for a table or a workbook


@pytest.fixture()
def tiny_disk(tmp_path: Path):
    """A 16 MiB tmpfs mounted for this test."""
    with tmpfs(tmp_path / "disk", MOUNT_SIZE) as mount:
        yield mount


def fill(disk: Path) -> None:
    """Leave only FREE_LEFT bytes free on the tmpfs."""
    stats = os.statvfs(disk)
    with open(disk / "filler", "wb") as handle:
        handle.truncate(0)
        handle.write(b"\0" * (stats.f_bavail * stats.f_frsize - FREE_LEFT))


def one_line(err: str, words: str) -> None:
    assert len(err.splitlines()) == 1 and words in err and "Traceback" not in err, err


@pytest.fixture(scope="module")
def workbook(exported: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The export with one valid edit (a venue), so that an import has a table to write."""
    def change(wb) -> None:
        ws = wb["meetings"]
        ws.cell(row_of(ws, "ca-consultative-6"), column_of(ws, "venue")).value = "Hall Seven"
    return edit(exported, tmp_path_factory.mktemp("disk") / "edited.xlsx", change)


def test_full_disk_during_import_keeps_the_tables(tiny_disk: Path, pristine: Path, workbook: Path, capsys) -> None:
    root = tiny_disk / "pkg"
    shutil.copytree(pristine, root)
    (root / files.LOCK_NAME).write_text("0\n")
    before = tables(root)
    fill(tiny_disk)
    code, out, err = cli(capsys, "import", workbook, root, "--no-provenance")
    assert (code, out) == (2, "")
    one_line(err, FULL)
    assert tables(root) == before
    assert leftovers(root) == []


def test_full_disk_during_export_writes_no_workbook(tiny_disk: Path, pkg: Path, capsys) -> None:
    fill(tiny_disk)
    code, out, err = cli(capsys, "export", pkg, "--output", tiny_disk / "package.xlsx")
    assert (code, out) == (2, "")
    one_line(err, FULL)
    assert sorted(p.name for p in tiny_disk.iterdir()) == ["filler"]


def _digests(dist: Path) -> dict[str, str]:
    return {p.relative_to(dist).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(dist.rglob("*")) if p.is_file()}


def test_full_disk_during_release_keeps_the_old_dist(tiny_disk: Path, pkg: Path, capsys) -> None:
    dist = tiny_disk / "dist"
    assert cli(capsys, "release", pkg, "--dist", dist, "--no-provenance")[0] == 0
    old = _digests(dist)
    meetings = pkg / "tables" / "meetings.csv"
    meetings.write_text(meetings.read_text(encoding="utf-8").replace("Opening meeting", "First meeting", 1),
                        encoding="utf-8")
    fill(tiny_disk)
    code, out, err = cli(capsys, "release", pkg, "--dist", dist, "--no-provenance")
    assert (code, out) == (2, "")
    one_line(err, FULL)
    assert _digests(dist) == old
    assert sorted(p.name for p in tiny_disk.iterdir()) == ["dist", "filler"]


# --------------------------------------------------------------------------- injected errors

ERRORS = [(errno.ENOSPC, FULL), (errno.EROFS, "the file system is read-only"),
          (errno.EBUSY, "the file or device is busy"), (errno.EFBIG, "the file is too large for the file system")]


def _failing_os(code: int) -> types.SimpleNamespace:
    """scripts.files' view of the os module, whose write() fails with ``code``."""
    def write(fd: int, data: object) -> int:
        raise OSError(code, os.strerror(code))
    return types.SimpleNamespace(**{**{n: getattr(os, n) for n in dir(os) if not n.startswith("__")}, "write": write})


@pytest.mark.parametrize(("code", "words"), ERRORS, ids=[errno.errorcode[c] for c, _ in ERRORS])
def test_os_errors_during_import_are_one_line_and_exit_2(pkg: Path, workbook: Path, capsys,
                                                        monkeypatch: pytest.MonkeyPatch, code: int, words: str) -> None:
    before = tables(pkg)
    monkeypatch.setattr(files, "os", _failing_os(code))
    exit_code, out, err = cli(capsys, "import", workbook, pkg, "--no-provenance")
    assert (exit_code, out) == (2, "")
    one_line(err, words)
    assert tables(pkg) == before
    assert leftovers(pkg) == []


@pytest.mark.parametrize(("code", "words"), ERRORS[:2], ids=[errno.errorcode[c] for c, _ in ERRORS[:2]])
def test_os_errors_during_export_are_one_line_and_exit_2(pkg: Path, tmp_path: Path, capsys,
                                                        monkeypatch: pytest.MonkeyPatch, code: int, words: str) -> None:
    monkeypatch.setattr(files, "os", _failing_os(code))
    exit_code, out, err = cli(capsys, "export", pkg, "--output", tmp_path / "out" / "package.xlsx")
    assert (exit_code, out) == (2, "")
    one_line(err, words)
    assert list((tmp_path / "out").iterdir()) == []
