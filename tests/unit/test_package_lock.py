"""scripts/files.py's package lock in one process: how the lock file is made and opened (never
through a link, never inherited by a child) and how a waiting writer behaves. Concurrency between
processes and kill -9 live in test_faults.py."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

import pytest

from scripts import files


def _lock_descriptor(lock: Path) -> int:
    """The descriptor this process holds on ``lock`` (found through /proc/self/fd)."""
    fds = [int(fd) for fd in os.listdir("/proc/self/fd")
           if os.path.realpath(f"/proc/self/fd/{fd}") == str(lock.resolve())]
    assert len(fds) == 1, fds
    return fds[0]


def test_the_lock_file_is_made_0666_less_the_umask_and_is_not_inherited_by_a_child(tmp_path: Path) -> None:
    """A program the writer starts (LibreOffice, git) must not keep the package locked after the
    writer is gone, so the descriptor is closed on exec; the file is data, never executable."""
    import fcntl

    old_mask = os.umask(0)
    try:
        with files.package_lock(tmp_path) as lock:
            assert fcntl.fcntl(_lock_descriptor(lock), fcntl.F_GETFD) & fcntl.FD_CLOEXEC
    finally:
        os.umask(old_mask)
    assert stat.S_IMODE(os.lstat(tmp_path / files.LOCK_NAME).st_mode) == 0o666
    assert (tmp_path / files.LOCK_NAME).read_text() == f"{os.getpid()}\n"


def test_a_lock_made_a_link_between_the_look_and_the_open_is_refused(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The link appears after lstat found nothing: the open, which never follows a link, refuses
    it, and the file it points to is not truncated."""
    victim = tmp_path / "authorized_keys"
    victim.write_text("key\n")
    (tmp_path / "pkg").mkdir()
    lock = (tmp_path / "pkg").resolve() / files.LOCK_NAME
    lock.symlink_to(victim)
    real_lstat = os.lstat

    def lstat_before_the_link(path, *args, **kwargs):
        if Path(path) == lock:
            raise FileNotFoundError(errno.ENOENT, "not there yet", str(path))
        return real_lstat(path, *args, **kwargs)

    monkeypatch.setattr(files.os, "lstat", lstat_before_the_link)
    with pytest.raises(files.NotRegularFile) as caught, files.package_lock(tmp_path / "pkg"):
        pass
    assert (str(caught.value), caught.value.kind) == (
        f"{lock} is a symbolic link; the package lock must be a regular file: delete it and run the command again",
        "a symbolic link")
    assert victim.read_text() == "key\n"


def _held_elsewhere(root: Path) -> int:
    """A descriptor holding ``root``'s package lock as another writer would (flock is per open
    file, so this process's own package_lock must wait for it)."""
    import fcntl

    fd = os.open(root / files.LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o666)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.pwrite(fd, b"4242\n", 0)
    return fd


def test_a_waiting_writer_says_so_at_once_and_looks_again_ten_times_a_second(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The message reaches a block-buffered stream (a log file, a pipe) while the writer waits, and
    the lock is taken within a tenth of a second of its release."""
    import threading

    fd = _held_elsewhere(tmp_path)
    naps: list[float] = []
    real_sleep = files.time.sleep
    monkeypatch.setattr(files.time, "sleep", lambda seconds: naps.append(seconds) or real_sleep(seconds))
    read_end, write_end = os.pipe()
    stream = open(write_end, "w", buffering=8192, encoding="utf-8")  # noqa: SIM115 - closed below
    taken = threading.Event()

    def wait_for_the_lock() -> None:
        with files.package_lock(tmp_path, timeout=20, stream=stream):
            taken.set()

    waiter = threading.Thread(target=wait_for_the_lock, daemon=True)
    try:
        waiter.start()
        os.set_blocking(read_end, False)
        said = b""
        for _ in range(100):  # up to 5 s for the line, read while the lock is still held
            real_sleep(0.05)
            with contextlib.suppress(BlockingIOError):
                said += os.read(read_end, 1000)
            if said.endswith(b"\n"):
                break
        assert said.decode() == "waiting for another import/release on this package (pid 4242)…\n"
        assert not taken.is_set()
    finally:
        os.close(fd)  # releases the lock
        waiter.join(timeout=20)
        stream.close()
        os.close(read_end)
    assert taken.is_set() and naps and max(naps) <= 0.1
