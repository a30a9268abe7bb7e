"""A package from someone else cannot make a writer destroy a file through its lock.

Before: ``.cac.lock`` was opened with O_RDWR|O_CREAT, following links, then truncated and given
the pid, so a fork shipping ``.cac.lock -> ~/.ssh/authorized_keys`` (git stores symbolic links)
wiped that file on the first export, import, release, bump or docs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.faults.support import tables
from tests.faults.untrusted import one_line, run, writer_argv

VERBS = ["export", "import", "release", "bump", "docs"]


@pytest.mark.parametrize("verb", VERBS)
def test_a_lock_that_is_a_link_is_refused_and_its_target_kept(pkg: Path, exported: Path, tmp_path: Path,
                                                             verb: str) -> None:
    victim = tmp_path / "authorized_keys"
    victim.write_bytes(b"ssh-ed25519 AAAA... me@home\n")
    (pkg / ".cac.lock").symlink_to(victim)
    before = tables(pkg)
    err = one_line(run(*writer_argv(verb, pkg, exported, tmp_path)))
    assert err == (f"error: {pkg.resolve()}/.cac.lock is a symbolic link; the package lock must be a regular file: "
                   "delete it and run the command again")
    assert victim.read_bytes() == b"ssh-ed25519 AAAA... me@home\n"
    assert (pkg / ".cac.lock").is_symlink() and tables(pkg) == before
    assert not (tmp_path / "out.xlsx").exists() and not (tmp_path / "dist").exists()


@pytest.mark.parametrize("kind", ["fifo", "directory", "dangling link"])
def test_a_lock_that_is_not_a_regular_file_is_refused(pkg: Path, tmp_path: Path, kind: str) -> None:
    lock = pkg / ".cac.lock"
    if kind == "fifo":
        os.mkfifo(lock)
    elif kind == "directory":
        lock.mkdir()
    else:
        lock.symlink_to(tmp_path / "created-through-the-link")
    words = {"fifo": "a FIFO (named pipe)", "directory": "a directory", "dangling link": "a symbolic link"}[kind]
    err = one_line(run("export", pkg, "--output", tmp_path / "out.xlsx", timeout=20))
    assert err.startswith(f"error: {pkg.resolve()}/.cac.lock is {words}; ")
    assert not (tmp_path / "created-through-the-link").exists() and not (tmp_path / "out.xlsx").exists()


def test_a_lock_hard_linked_to_another_file_is_never_truncated(pkg: Path, tmp_path: Path) -> None:
    other = pkg / "notes.txt"
    other.write_text("keep me\n")
    os.link(other, pkg / ".cac.lock")
    err = one_line(run("export", pkg, "--output", tmp_path / "out.xlsx"))
    assert err.endswith(".cac.lock is a hard link to another file; the package lock must be a regular file: "
                        "delete it and run the command again")
    assert other.read_text() == "keep me\n"


def test_an_ordinary_lock_file_left_by_an_earlier_run_is_reused(pkg: Path, tmp_path: Path) -> None:
    (pkg / ".cac.lock").write_text("12345\n")
    done = run("export", pkg, "--output", tmp_path / "out.xlsx")
    assert (done.returncode, done.stderr) == (0, "")
    holder = (pkg / ".cac.lock").read_text()
    assert holder.strip().isdigit() and holder != "12345\n"  # the pid of the export that held it
