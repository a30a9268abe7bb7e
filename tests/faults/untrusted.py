"""Shared by the untrusted-package tests: the CLI run as a user runs it (``python -m scripts`` in a
subprocess, with a time bound), the one-line refusal every such run must end with, and the
arguments each verb takes on a package copy."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 60  # seconds; a run that hangs fails its test instead of the suite


def run(*argv: object, timeout: float = TIMEOUT, env: dict[str, str] | None = None,
        cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m scripts ARGV`` in a fresh interpreter; a hang past ``timeout`` fails the test."""
    try:
        return subprocess.run([sys.executable, "-m", "scripts", *map(str, argv)], capture_output=True, text=True,
                              timeout=timeout, cwd=cwd or REPO, env={**os.environ, **(env or {})})
    except subprocess.TimeoutExpired:
        raise AssertionError(f"python -m scripts {' '.join(map(str, argv))} ran past {timeout} s") from None


def one_line(done: subprocess.CompletedProcess[str], code: int = 2) -> str:
    """The run's stderr, asserted to be one plain line (no traceback, no internal error) and the exit
    code to be ``code``; stdout must be empty."""
    err = done.stderr
    assert (done.returncode, done.stdout) == (code, ""), (done.returncode, done.stdout, err)
    assert len(err.splitlines()) == 1 and "Traceback" not in err and "internal error" not in err, err
    return err.rstrip("\n")


def writer_argv(verb: str, pkg: Path, workbook: Path, out: Path) -> list[object]:
    """The arguments of each writing verb on the package ``pkg`` (export and release write to ``out``)."""
    return {"export": ["export", pkg, "--output", out / "out.xlsx"],
            "import": ["import", workbook, pkg, "--no-provenance"],
            "release": ["release", pkg, "--no-provenance", "--dist", out / "dist"],
            "bump": ["bump", "patch", pkg, "--date", "2030-01-01"],
            "docs": ["docs", pkg]}[verb]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (links not followed) with the sha256 of its bytes."""
    return {p.relative_to(folder).as_posix(): digest(p) for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.is_symlink()}
