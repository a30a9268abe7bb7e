"""A release under faults: kill -9 at each step that leaves a different state (dist/ is the old or
the new release, and the next run leaves no leftovers; each kill is a child forked from a warm
process, tests/faults/forks.py), a writer holding the lock, a writer ignoring it, a full or read-only
disk and a missing table (one line, exit 2, dist/ untouched)."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import signal
import tempfile
from pathlib import Path

import pytest

from scripts.cli import main
from scripts.commands import release_steps
from scripts.files import package_lock
from scripts.release.build import CHECKSUMS, release
from scripts.release.distdir import recover_dist
from scripts.release.snapshot import remove_dead_snapshots
from tests.data.release_support import copy_release_inputs
from tests.faults.forks import wait_for, wait_for_text

# Where a kill leaves each state a release can be in, and what the next run must make of it. A kill
# anywhere else in the build (after the Parquet files, after staging) leaves the same state as at
# "release-site-written": a stage folder and a snapshot, dist/ untouched. Every step of the swap
# itself is also killed on a plain folder in tests/unit/test_faults.py.
STEPS = {"release-snapshot": "old", "release-site-written": "old", "new-in-place": "old", "old-moved": "new",
         "new-moved": "new", "old-removed": "new"}
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
    old = digests(release(pkg, release_steps()).dist)
    edited = base / "edited"
    shutil.copytree(pkg, edited, ignore=shutil.ignore_patterns("dist", ".cac.lock"))
    edit_meetings(edited)
    new = digests(release(edited, release_steps()).dist)
    assert old != new
    return pkg, old, new


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith((".dist", "dist.")))


@pytest.mark.parametrize("step", STEPS)
def test_kill_at_any_step_leaves_the_old_or_the_new_release(releases, forks, tmp_path: Path, step: str) -> None:
    pkg, old, new = releases
    root = tmp_path / "pkg"
    shutil.copytree(pkg, root)
    edit_meetings(root)
    child = forks.run(["release", root, "--no-provenance"], tmp_path, kill=(step, 1))
    assert child.returncode == -signal.SIGKILL, child.stderr
    dist = root / "dist"
    if dist.exists():
        assert digests(dist) in (old, new), step
    else:  # killed between the two renames: the new release is complete beside it
        assert step == "old-moved" and digests(root / "dist.new") == new
    if step == "old-moved":  # the narrow window: the next release itself must finish the job
        assert release(root, release_steps()).dist == dist
        assert digests(dist) == new
    else:  # what the next release does first, holding the lock
        with package_lock(root, wait=False):
            recover_dist(dist)
            remove_dead_snapshots()
        assert digests(dist) == {"old": old, "new": new}[STEPS[step]], step
    assert dead_snapshots() == []
    assert leftovers(root) == []


def test_a_release_waits_for_the_writer_holding_the_lock(releases, forks, tmp_path: Path) -> None:
    """A first release stands still holding the lock; a second one says it waits, and runs after."""
    pkg, _, new = releases
    root = tmp_path / "pkg"
    shutil.copytree(pkg, root)
    holder = forks.start(["release", root, "--no-provenance"], tmp_path, pause=("release-snapshot", 1, tmp_path))
    wait_for(tmp_path / "at-release-snapshot")
    edit_meetings(root)  # after the first release's snapshot: only the second one sees it
    second = forks.start(["release", root, "--no-provenance"], tmp_path)
    wait_for_text(second.err, "waiting for another import/release on this package")
    assert second.out.read_text(encoding="utf-8") == ""  # still waiting, nothing built
    (tmp_path / "go-release-snapshot").touch()
    first, later = holder.wait(), second.wait()
    assert (first.returncode, later.returncode) == (0, 0), first.stderr + later.stderr
    assert digests(root / "dist") == new


def test_a_writer_ignoring_the_lock_cannot_leak_into_the_release(releases, forks, tmp_path: Path) -> None:
    """The tables are replaced right after the snapshot by a citations file that points at a
    record that does not exist: the release ships the snapshot, valid as validated."""
    pkg, old, _ = releases
    root = tmp_path / "pkg"
    shutil.copytree(pkg, root)
    run = forks.start(["release", root, "--no-provenance"], tmp_path, pause=("release-snapshot", 1, tmp_path))
    wait_for(tmp_path / "at-release-snapshot")
    citations = root / "tables" / "citations.csv"
    text = citations.read_text(encoding="utf-8")
    assert ",meetings,ca-consultative-6," in text
    citations.write_text(text.replace(",meetings,ca-consultative-6,", ",meetings,no-such-meeting,"), encoding="utf-8")
    (tmp_path / "go-release-snapshot").touch()
    done = run.wait()
    assert done.returncode == 0, done.stderr
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
    assert capsys.readouterr().err == (f"release failed: {root / 'dist'} is a folder without the .cac-release marker, "
                                       "so a release did not make it and will not replace it: move it away or "
                                       "choose another --dist\n")
    assert [p.name for p in (root / "dist").iterdir()] == ["notes.txt"]
    assert not [p for p in root.iterdir() if p.name.startswith(".dist")]
