"""scripts.trees.pid_alive: whose leftovers recovery may delete (a dead process's only)."""

from __future__ import annotations

import os
import subprocess
import sys

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
