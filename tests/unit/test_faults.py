"""Fault injection for scripts/files.py: kill -9 at every step of a table switch and a dist swap,
two writers at once, a writer killed while holding the lock, and a genuinely full disk (tmpfs)."""

from __future__ import annotations

import errno
import hashlib
import io
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from scripts import files, oserrors
from scripts.release import distdir
from tests.faults.support import tmpfs

REPO = Path(__file__).resolve().parents[2]
OLD = {"a.csv": "id\n1\n", "b.csv": "id\n2\n"}
NEW = {"a.csv": "id\n10\n", "b.csv": "id\n20\n", "c.csv": "id\n30\n"}

# The child commits a switch and SIGKILLs itself at the count-th time it reaches step `target`.
CHILD = """
import os, signal, sys
from pathlib import Path
sys.path.insert(0, {repo!r})
from scripts import files, oserrors
from scripts.release import distdir
root, mode, target, count = Path(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
seen = {{}}
def hook(name):
    seen[name] = seen.get(name, 0) + 1
    if name == target and seen[name] == count:
        os.kill(os.getpid(), signal.SIGKILL)
files.checkpoint_hook = hook
if mode == "tables":
    with files.package_lock(root), files.StagedTables(root) as staged:
        for name, text in {new!r}.items():
            staged.write("tables/" + name, text)
        staged.commit()
elif mode == "dist":
    from scripts.release.distdir import make_release_stage
    stage = make_release_stage(root / "dist")
    (stage / "f.txt").write_text("new")
    hook("before-swap")
    files.swap_dir(stage, root / "dist")
elif mode == "hold":
    with files.package_lock(root):
        print("locked", flush=True)
        sys.stdin.readline()
elif mode == "count":
    for _ in range(count):
        with files.package_lock(root), files.StagedTables(root) as staged:
            value = int((root / "tables" / "a.csv").read_text().split()[1])
            staged.write("tables/a.csv", "id\\n%d\\n" % (value + 1))
            staged.commit()
"""


def _child(root: Path, mode: str, target: str = "", count: int = 1, **kwargs: object) -> subprocess.Popen:
    script = CHILD.format(repo=str(REPO), new=NEW)
    return subprocess.Popen([sys.executable, "-c", script, str(root), mode, target, str(count)],
                            text=True, **kwargs)  # type: ignore[call-overload]


def _package(root: Path) -> Path:
    (root / "tables").mkdir(parents=True)
    (root / "schemas").mkdir()
    (root / "datapackage.json").write_text("{}\n")
    for name, text in OLD.items():
        (root / "tables" / name).write_text(text)
    return root


def _checksums(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()[:12] for p in sorted(directory.iterdir())}


def _sums(contents: dict[str, str]) -> dict[str, str]:
    return {name: hashlib.sha256(text.encode()).hexdigest()[:12] for name, text in contents.items()}


def _stray(root: Path) -> list[str]:
    """Anything a switch may leave behind: unknown entries in the root, hidden files in tables/."""
    allowed = {files.LOCK_NAME, "tables", "schemas", "datapackage.json"}
    found = [p.name for p in root.iterdir() if p.name not in allowed]
    found += [f"tables/{p.name}" for p in (root / "tables").iterdir() if p.name.startswith(".")]
    return sorted(found)


TABLE_STEPS = [  # (step, nth time reached, expected set after recover)
    ("staged", 1, OLD), ("tmp-written", 1, OLD), ("tmp-written", 3, OLD), ("new-in-place", 1, OLD),
    ("tmp-written", 4, OLD),  # the journal's own temp file: not yet committed
    ("journal-written", 1, NEW), ("old-moved", 1, NEW), ("new-moved", 1, NEW),
    ("journal-removed", 1, NEW), ("old-removed", 1, NEW), ("never", 1, NEW),
]


@pytest.mark.parametrize(("step", "count", "expected"), TABLE_STEPS, ids=[f"{s}-{c}" for s, c, _ in TABLE_STEPS])
def test_kill_during_table_switch_leaves_old_or_new(tmp_path: Path, step: str, count: int,
                                                     expected: dict[str, str]) -> None:
    root = _package(tmp_path / "pkg")
    child = _child(root, "tables", step, count)
    assert child.wait(timeout=20) == (0 if step == "never" else -signal.SIGKILL)
    with files.package_lock(root, wait=False):
        files.recover(root, check=lambda staged: True)  # the journal and token are checked; these tables are bare
    assert _checksums(root / "tables") == _sums(expected)
    assert _stray(root) == []


DIST_STEPS = [("before-swap", "old"), ("new-in-place", "old"), ("old-moved", "new"), ("new-moved", "new"),
              ("old-removed", "new"), ("never", "new")]


@pytest.mark.parametrize(("step", "expected"), DIST_STEPS)
def test_kill_during_dist_swap_never_loses_dist(tmp_path: Path, step: str, expected: str) -> None:
    root = tmp_path / "pkg"
    (root / "dist").mkdir(parents=True)
    (root / "dist" / "f.txt").write_text("old")
    (root / "dist" / distdir.MARKER).write_text("")
    assert _child(root, "dist", step).wait(timeout=20) == (0 if step == "never" else -signal.SIGKILL)
    distdir.recover_dist(root / "dist")
    assert (root / "dist" / "f.txt").read_text() == expected
    assert sorted(p.name for p in root.iterdir()) == ["dist"]


def test_second_writer_refuses_or_waits_with_message(tmp_path: Path) -> None:
    root = _package(tmp_path / "pkg")
    holder = _child(root, "hold", stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        with pytest.raises(files.LockBusy) as busy, files.package_lock(root, wait=False):
            pass
        assert str(busy.value) == (f"another import, export or release is writing this package (pid {holder.pid}); "
                                   "try again when it has finished")
        said = io.StringIO()
        with pytest.raises(files.LockBusy), files.package_lock(root, timeout=0.2, stream=said):
            pass
        assert said.getvalue() == f"waiting for another import/release on this package (pid {holder.pid})…\n"
        assert holder.stdin is not None
        holder.stdin.write("go\n")
        holder.stdin.flush()
        with files.package_lock(root, timeout=10, stream=io.StringIO()):
            assert (root / files.LOCK_NAME).read_text() == f"{os.getpid()}\n"
    finally:
        holder.kill()
        holder.wait()


def test_lock_is_released_when_the_holder_is_killed(tmp_path: Path) -> None:
    root = _package(tmp_path / "pkg")
    holder = _child(root, "hold", stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    with files.package_lock(root, wait=False):
        pass


def test_lock_is_not_taken_twice_by_one_process(tmp_path: Path) -> None:
    root = _package(tmp_path / "pkg")
    with files.package_lock(root), pytest.raises(RuntimeError, match="already held by this process"), \
            files.package_lock(root, wait=False):
        pass
    with files.package_lock(root, wait=False):  # released properly after both
        pass


def test_concurrent_writers_lose_no_update(tmp_path: Path) -> None:
    """Two processes each add 1 to a table five times under the lock: the result is exactly 10."""
    root = _package(tmp_path / "pkg")
    (root / "tables" / "a.csv").write_text("id\n0\n")
    writers = [_child(root, "count", count=5, stderr=subprocess.DEVNULL) for _ in range(2)]
    assert [w.wait(timeout=30) for w in writers] == [0, 0]
    assert (root / "tables" / "a.csv").read_text() == "id\n10\n"
    assert _stray(root) == []


@pytest.fixture
def tiny_disk(tmp_path: Path):
    """A 64 KiB tmpfs, where the test runs as root and may mount one."""
    with tmpfs(tmp_path / "tiny", "64k") as mount:
        yield mount


def test_full_disk_during_staging_keeps_old_tables(tiny_disk: Path) -> None:
    root = _package(tiny_disk / "pkg")
    with pytest.raises(OSError) as caught, files.package_lock(root), files.StagedTables(root) as staged:
        staged.write("tables/a.csv", "x" * 200_000)
        staged.commit()
    assert caught.value.errno == errno.ENOSPC
    assert oserrors.describe_os_error(caught.value).endswith(
        ": the disk is full (free some space and run the command again)")
    assert _checksums(root / "tables") == _sums(OLD)
    assert _stray(root) == []
