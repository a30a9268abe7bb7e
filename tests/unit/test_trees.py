"""scripts.trees: whose leftovers recovery may delete (a dead process's only), and copies and syncs
that never follow a link."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.trees import pid_alive

SLEEPER = ("import signal, time\n"
           "for number in (signal.SIGHUP, signal.SIGINT, signal.SIGTERM):\n"
           "    signal.signal(number, signal.SIG_DFL)\n"
           "print('ready', flush=True)\n"
           "time.sleep(30)\n")


def test_a_running_process_is_alive_and_is_not_signalled() -> None:
    """Asked with signal 0: the child, which would die of SIGHUP or SIGTERM, is still running after.

    The child restores the default action of those signals before it says it is ready: run under
    ``nohup`` (as a long mutation run is), it would inherit SIGHUP ignored and outlive the signal."""
    child = subprocess.Popen([sys.executable, "-c", SLEEPER], stdout=subprocess.PIPE)
    try:
        assert child.stdout is not None and child.stdout.readline() == b"ready\n"
        assert pid_alive(child.pid) is True
        with pytest.raises(subprocess.TimeoutExpired):
            child.wait(timeout=0.5)  # still running: a signal that ends it would have ended it by now
    finally:
        child.kill()
        child.communicate()
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


def test_a_file_is_hard_linked_into_folders_made_on_the_way(tmp_path: Path) -> None:
    from scripts.trees import link_copy

    (tmp_path / "src.csv").write_text("a,b\n")
    link_copy(tmp_path / "src.csv", tmp_path / "snap" / "tables" / "src.csv")
    copied = tmp_path / "snap" / "tables" / "src.csv"
    assert copied.read_text() == "a,b\n" and copied.stat().st_ino == (tmp_path / "src.csv").stat().st_ino


def test_a_link_is_copied_as_a_link_never_followed(tmp_path: Path) -> None:
    """A link in a package (whether or not recovery or a check would refuse it later) stays a link in
    the copy: following it would copy whatever it points to, outside the package, into the snapshot."""
    from scripts.trees import link_copy

    (tmp_path / "outside.txt").write_text("secret")
    tree = tmp_path / "pkg"
    (tree / "tables").mkdir(parents=True)
    (tree / "tables" / "a.csv").write_text("x\n")
    (tree / "tables" / "link.csv").symlink_to(tmp_path / "outside.txt")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.txt").write_text("secret")
    (tree / "sources").symlink_to(tmp_path / "outside", target_is_directory=True)
    (tmp_path / "file-link.csv").symlink_to(tmp_path / "outside.txt")
    link_copy(tree, tmp_path / "snap" / "pkg")
    link_copy(tmp_path / "file-link.csv", tmp_path / "snap" / "file-link.csv")
    for copied in (tmp_path / "snap" / "pkg" / "tables" / "link.csv", tmp_path / "snap" / "file-link.csv"):
        assert copied.is_symlink() and os.readlink(copied) == str(tmp_path / "outside.txt")
    folder_link = tmp_path / "snap" / "pkg" / "sources"
    assert folder_link.is_symlink() and os.readlink(folder_link) == str(tmp_path / "outside")
    assert (tmp_path / "snap" / "pkg" / "tables" / "a.csv").read_text() == "x\n"


def test_across_filesystems_a_file_is_copied_and_a_link_stays_a_link(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Where a hard link cannot be made (another filesystem: EXDEV), the file is copied instead."""
    import errno

    from scripts import trees

    def cross_device(*args, **kwargs) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(trees.os, "link", cross_device)
    (tmp_path / "src.csv").write_text("a,b\n")
    (tmp_path / "outside.txt").write_text("secret")
    (tmp_path / "link.csv").symlink_to(tmp_path / "outside.txt")
    trees.link_copy(tmp_path / "src.csv", tmp_path / "snap" / "src.csv")
    trees.link_copy(tmp_path / "link.csv", tmp_path / "snap" / "link.csv")
    copied = tmp_path / "snap" / "src.csv"
    assert copied.read_text() == "a,b\n" and copied.stat().st_ino != (tmp_path / "src.csv").stat().st_ino
    assert os.readlink(tmp_path / "snap" / "link.csv") == str(tmp_path / "outside.txt")


def test_a_folder_that_cannot_be_synced_is_passed_over(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Some filesystems refuse fsync on a folder (EINVAL): the rename is as durable as they allow."""
    import errno

    from scripts import trees

    def refused(fd: int) -> None:
        raise OSError(errno.EINVAL, "Invalid argument")

    monkeypatch.setattr(trees.os, "fsync", refused)
    assert trees.fsync_dir(tmp_path) is None
    assert trees.fsync_dir(tmp_path / "missing") is None


def test_remove_says_what_it_removed_whatever_the_kind_and_nothing_when_nothing_is_there(tmp_path: Path) -> None:
    from scripts.trees import remove

    (tmp_path / "file").write_text("x")
    (tmp_path / "folder" / "sub").mkdir(parents=True)
    (tmp_path / "folder" / "sub" / "f").write_text("y")
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "link").symlink_to(tmp_path / "folder")
    assert [remove(tmp_path / name) for name in ("link", "file", "folder", "fifo", "missing")] == [
        "link", "file", "folder", "fifo", ""]
    assert list(tmp_path.iterdir()) == []


def test_every_dead_leftover_is_removed_past_a_live_one_and_listed(tmp_path: Path) -> None:
    from scripts.trees import remove_dead_leftovers

    dead = 2**22 + 12345  # above the default pid_max, so no process has it
    live = os.getpid()
    names = [f".a.csv.tmp-{live}-ab", f".b.csv.tmp-{dead}-ab", f".c.tmp-{live}", f".d.tmp-{dead}"]
    for name in names:
        (tmp_path / name).write_text("partial")
    (tmp_path / f".cac-tables.stage-{dead}-beef").mkdir()
    (tmp_path / f".cac-tables.stage-{dead}-beef" / "a.csv").write_text("staged")
    removed = remove_dead_leftovers(tmp_path, ".cac-tables.stage-")
    assert removed == [tmp_path / f".b.csv.tmp-{dead}-ab", tmp_path / f".cac-tables.stage-{dead}-beef",
                       tmp_path / f".d.tmp-{dead}"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [f".a.csv.tmp-{live}-ab", f".c.tmp-{live}"]
