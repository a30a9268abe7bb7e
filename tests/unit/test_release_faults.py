"""A release under faults: kill -9 at each step (dist/ is the old or the new release, and the next
run leaves no leftovers), a writer holding the lock, a writer ignoring it, a full or read-only
disk and a missing table (one line, exit 2, dist/ untouched)."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from scripts.cli import main
from scripts.release.build import CHECKSUMS, release
from tests.conftest import ROOT
from tests.data.release_support import copy_release_inputs

CHILD = """
import os, signal, sys
from pathlib import Path
from scripts import files
step = sys.argv[1]
def hook(name):
    if name == step:
        os.kill(os.getpid(), signal.SIGKILL)
files._step_hook = hook
from scripts.release.build import release
release(Path(sys.argv[2]))
"""
STEPS = ("release-snapshot", "release-parquet-written", "release-site-written", "release-staged",
         "new-in-place", "old-moved", "new-moved", "old-removed")
MEETINGS_EDIT = ("Opening meeting of the series", "First meeting of the series")


def digests(dist: Path) -> dict[str, str]:
    return {p.relative_to(dist).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(dist.rglob("*")) if p.is_file()}


def dead_snapshots() -> list[Path]:
    """Snapshot folders in the temp dir whose release process is gone."""
    found = []
    for path in Path(tempfile.gettempdir()).glob("cac-release-snapshot-[0-9]*-*"):
        try:
            os.kill(int(path.name.split("-")[3]), 0)
        except ProcessLookupError:
            found.append(path)
    return found


def edit_meetings(root: Path) -> None:
    path = root / "tables" / "meetings.csv"
    text = path.read_text(encoding="utf-8")
    assert MEETINGS_EDIT[0] in text
    path.write_text(text.replace(*MEETINGS_EDIT), encoding="utf-8")


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], dict[str, str]]:
    """A package copy and the digests of its release before and after one edit to meetings."""
    base = tmp_path_factory.mktemp("faults")
    pkg = copy_release_inputs(base / "pkg")
    old = digests(release(pkg).dist)
    edited = base / "edited"
    shutil.copytree(pkg, edited, ignore=shutil.ignore_patterns("dist", ".cac.lock"))
    edit_meetings(edited)
    new = digests(release(edited).dist)
    assert old != new
    return pkg, old, new


@pytest.mark.parametrize("step", STEPS)
def test_kill_at_any_step_leaves_the_old_or_the_new_release(releases, tmp_path: Path, step: str) -> None:
    pkg, old, new = releases
    root = tmp_path / "pkg"
    shutil.copytree(pkg, root)
    edit_meetings(root)
    child = subprocess.run([sys.executable, "-c", CHILD, step, str(root)], cwd=ROOT, capture_output=True)
    assert child.returncode == -signal.SIGKILL, child.stderr.decode()
    dist = root / "dist"
    if dist.exists():
        assert digests(dist) in (old, new), step
    else:  # killed between the two renames: the new release is complete beside it
        assert step == "old-moved" and digests(root / "dist.new") == new
    assert release(root).dist == dist
    assert digests(dist) == new
    assert dead_snapshots() == []
    assert sorted(p.name for p in root.iterdir() if p.name.startswith((".dist", "dist."))) == []


def test_a_release_waits_for_the_writer_holding_the_lock(releases, tmp_path: Path) -> None:
    pkg, old, _ = releases
    root = tmp_path / "pkg"
    shutil.copytree(pkg, root)
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time\nfrom scripts.files import package_lock\n"
                               "with package_lock(sys.argv[1]):\n    print('held', flush=True)\n    time.sleep(3)",
                               str(root)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    started = time.monotonic()
    waiting = subprocess.run([sys.executable, "-m", "scripts", "release", str(root), "--no-provenance"],
                             cwd=ROOT, capture_output=True, text=True)
    holder.wait()
    assert waiting.returncode == 0, waiting.stderr
    assert "waiting for another import/release on this package" in waiting.stderr
    assert time.monotonic() - started > 1.5
    assert digests(root / "dist") == old


def test_a_writer_ignoring_the_lock_cannot_leak_into_the_release(releases, tmp_path: Path) -> None:
    """The tables are replaced right after the snapshot by a citations file that points at a
    record that does not exist: the release ships the snapshot, valid as validated."""
    pkg, old, _ = releases
    root = tmp_path / "pkg"
    shutil.copytree(pkg, root)
    child = CHILD.replace("os.kill(os.getpid(), signal.SIGKILL)",
                          "p = Path(sys.argv[2], 'tables', 'citations.csv'); "
                          "p.write_text(p.read_text().replace(',meetings,ca-consultative-6,', "
                          "',meetings,no-such-meeting,'))")
    done = subprocess.run([sys.executable, "-c", child, "release-snapshot", str(root)], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "no-such-meeting" in (root / "tables" / "citations.csv").read_text(encoding="utf-8")
    assert digests(root / "dist") == old


@pytest.mark.parametrize(("code", "words"), [(errno.ENOSPC, "the disk is full"), (errno.EROFS, "read-only")])
def test_disk_errors_are_one_line_exit_2_and_keep_dist(releases, tmp_path: Path, monkeypatch, capsys,
                                                       code: int, words: str) -> None:
    pkg, old, _ = releases
    root = tmp_path / "pkg"
    shutil.copytree(pkg, root)

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(code, "injected", str(root / "dist" / "meetings.parquet"))

    monkeypatch.setattr("scripts.release.parquet.write_parquet", full)
    assert main(["release", str(root), "--no-provenance"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and words in err and "Traceback" not in err
    assert digests(root / "dist") == old
    assert [p.name for p in root.iterdir() if p.name.startswith(".dist")] == []


def test_a_missing_table_is_one_line_exit_2(releases, tmp_path: Path, capsys) -> None:
    pkg, old, _ = releases
    root = tmp_path / "pkg"
    shutil.copytree(pkg, root)
    (root / "tables" / "states.csv").unlink()
    assert main(["release", str(root), "--no-provenance"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "states.csv" in err and len(err.splitlines()) == 1
    assert digests(root / "dist") == old
    assert CHECKSUMS in old


def test_invalid_data_is_refused_and_nothing_is_written(releases, tmp_path: Path, capsys) -> None:
    pkg, old, _ = releases
    root = tmp_path / "pkg"
    shutil.copytree(pkg, root)
    path = root / "tables" / "meetings.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",held,", ",finished,", 1), encoding="utf-8")
    assert main(["release", str(root), "--no-provenance"]) == 1
    err = capsys.readouterr().err
    assert "meetings" in err and "status" in err and "finished" in err and "release refused: nothing written" in err
    assert digests(root / "dist") == old


def test_files_a_release_did_not_write_are_never_deleted(releases, tmp_path: Path, capsys) -> None:
    pkg, _, _ = releases
    root = tmp_path / "pkg"
    shutil.copytree(pkg, root, ignore=shutil.ignore_patterns("dist"))
    (root / "dist").mkdir()
    (root / "dist" / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["release", str(root), "--no-provenance"]) == 2
    assert "notes.txt" in capsys.readouterr().err
    assert [p.name for p in (root / "dist").iterdir()] == ["notes.txt"]
    assert not [p for p in root.iterdir() if p.name.startswith(".dist")]
