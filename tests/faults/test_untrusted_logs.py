"""A crash cannot be aimed at someone's file through its log.

Before: the traceback of an unexpected error went to ``internal-error-<date>-<pid>.log`` in a shared
``cac-logs`` folder of the system's temporary directory, opened following links, so another local
user could plant ``/tmp/cac-logs/internal-error-…`` -> any file of the victim's and have the crash
overwrite it. The crash is injected (a verb that raises), since no input may crash the commands;
everything after it is the real command line's handling, in a fresh process."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.faults.untrusted import REPO

CRASH = f"""
import datetime as dt, os, sys
from pathlib import Path
sys.path.insert(0, {str(REPO)!r})
from scripts import cli

def explode(args, notes):
    raise ZeroDivisionError("boom")

cli.HANDLERS["docs"] = explode
planted = Path(os.environ["PLANT"]) if os.environ.get("PLANT") else None
if planted:  # the old predictable names, for this pid and the next seconds, linked to the victim's file
    now = dt.datetime.now()
    for second in range(10):
        stamp = (now + dt.timedelta(seconds=second)).strftime("%Y%m%d-%H%M%S")
        (planted / f"internal-error-{{stamp}}-{{os.getpid()}}.log").symlink_to(os.environ["VICTIM"])
sys.exit(cli.main(["docs"]))
"""
LOGS = "central-asia-cooperation/logs"


def _crash(tmp_path: Path, **env: str) -> tuple[int, str]:
    """Run the crashing verb with a private HOME, XDG_STATE_HOME and TMPDIR under ``tmp_path``."""
    base = {k: v for k, v in os.environ.items() if k != "CAC_LOG_DIR"}
    base.update(HOME=str(tmp_path / "home"), XDG_STATE_HOME=str(tmp_path / "state"), TMPDIR=str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir(exist_ok=True)
    done = subprocess.run([sys.executable, "-c", CRASH], capture_output=True, text=True, timeout=60,
                          env={**base, **env}, cwd=REPO)
    assert done.stdout == "" and len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stderr.rstrip("\n")


@pytest.fixture()
def victim(tmp_path: Path) -> Path:
    path = tmp_path / "home" / "thesis.tex"
    path.parent.mkdir(parents=True)
    path.write_text("three years of work\n")
    return path


def test_links_planted_at_the_old_predictable_names_are_never_followed(tmp_path: Path, victim: Path) -> None:
    planted = tmp_path / "tmp" / "cac-logs"
    planted.mkdir(parents=True)
    code, err = _crash(tmp_path, PLANT=str(planted), VICTIM=str(victim))
    assert code == 2 and err.startswith("internal error: ZeroDivisionError: boom; details written to ")
    assert victim.read_text() == "three years of work\n"
    folder = tmp_path / "state" / LOGS
    (log,) = folder.iterdir()
    assert err == f"internal error: ZeroDivisionError: boom; details written to {log}; please report it"
    assert log.name.startswith("internal-error-") and "explode" in log.read_text()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700 and stat.S_IMODE(log.stat().st_mode) == 0o600


def test_the_home_state_folder_is_the_default(tmp_path: Path) -> None:
    code, err = _crash(tmp_path, XDG_STATE_HOME="")
    (log,) = (tmp_path / "home" / ".local" / "state" / LOGS).iterdir()
    assert (code, err) == (2, f"internal error: ZeroDivisionError: boom; details written to {log}; please report it")


def test_cac_log_dir_still_chooses_the_folder(tmp_path: Path) -> None:
    code, err = _crash(tmp_path, CAC_LOG_DIR=str(tmp_path / "mine"))
    (log,) = (tmp_path / "mine").iterdir()
    assert code == 2 and err.endswith(f"details written to {log}; please report it")


@pytest.mark.parametrize("plant", ["symlink", "group-writable", "world-writable",
                                   pytest.param("other owner", marks=pytest.mark.root)])
def test_a_log_folder_that_is_not_private_is_refused(tmp_path: Path, victim: Path, plant: str) -> None:
    folder = tmp_path / "state" / LOGS
    folder.parent.mkdir(parents=True)
    elsewhere = tmp_path / "attacker"
    elsewhere.mkdir()
    words = {"symlink": "is a symbolic link", "group-writable": "is writable by other users",
             "world-writable": "is writable by other users", "other owner": "is owned by another user"}[plant]
    if plant == "symlink":
        folder.symlink_to(elsewhere)
    else:
        folder.mkdir()
        folder.chmod({"group-writable": 0o770, "world-writable": 0o777}.get(plant, 0o700))
        if plant == "other owner":
            if os.geteuid() != 0:
                pytest.skip("giving a folder to another user needs root")
            os.chown(folder, 65534, 65534)
    code, err = _crash(tmp_path)
    assert (code, err) == (2, f"internal error: ZeroDivisionError: boom; no log written: the log folder {folder} "
                              f"{words}; please report it")
    assert list(elsewhere.iterdir()) == [] and (plant == "symlink" or list(folder.iterdir()) == [])
    assert victim.read_text() == "three years of work\n"
