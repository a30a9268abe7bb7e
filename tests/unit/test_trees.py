"""scripts.trees.pid_alive: whose leftovers recovery may delete (a dead process's only)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.trees import pid_alive


def test_a_running_process_is_alive_and_is_not_signalled() -> None:
    """Asked with signal 0: the child, which would die of SIGHUP or SIGTERM, is still running after."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert pid_alive(child.pid) is True
        with pytest.raises(subprocess.TimeoutExpired):
            child.wait(timeout=0.5)  # still running: a signal that ends it would have ended it by now
    finally:
        child.kill()
        child.wait()
    assert pid_alive(child.pid) is False  # reaped: no process has that pid now


def test_this_process_and_one_owned_by_another_user_are_alive() -> None:
    assert pid_alive(os.getpid()) is True
    assert pid_alive(1) is True  # init: it exists, whoever owns it (PermissionError if not ours)


def test_a_tree_is_made_durable_children_before_their_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every regular file and folder is fsynced, deepest first and the tree's root last, so that a
    crash never leaves a durable folder entry whose contents are not; a link is not followed."""
    from scripts import trees

    root = tmp_path / "tree"
    (root / "a" / "b").mkdir(parents=True)
    (root / "a" / "b" / "f.csv").write_text("x")
    (root / "a" / "g.csv").write_text("y")
    (root / "link.csv").symlink_to(tmp_path / "outside.csv")
    (tmp_path / "outside.csv").write_text("z")
    synced: list[str] = []
    real_fsync = os.fsync

    def recording(fd: int) -> None:
        synced.append(Path(os.readlink(f"/proc/self/fd/{fd}")).relative_to(tmp_path).as_posix())
        real_fsync(fd)

    monkeypatch.setattr(trees.os, "fsync", recording)
    trees.fsync_tree(root)
    assert synced == ["tree/a/g.csv", "tree/a/b/f.csv", "tree/a/b", "tree/a", "tree"]
