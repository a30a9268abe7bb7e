"""Checks every fault test repeats: the tables byte for byte, nothing left behind, the CLI run in
this process, and workbooks with one part of their XML replaced."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from scripts.cli import main
from tests.real_tools import REFUSED_HERE

LEFTOVER = re.compile(r"^\.(cac-|dist\.|tables\.)|\.tmp|\.(new|old)$")
STATES_SHEET = "xl/worksheets/sheet6.xml"  # the states sheet of the export (A state_id, B name)


def tables(root: Path, folder: str = "tables") -> dict[str, str]:
    """Every entry of tables/ (hidden ones too) with the sha256 of its bytes."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted((root / folder).iterdir())}


def leftovers(root: Path) -> list[str]:
    """Anything a writing command may leave in the package: stages, journal, tables.new/.old,
    dist.new/.old, temporary files (the lock file stays by design: it is empty of meaning)."""
    found = [p.name for p in root.iterdir() if LEFTOVER.search(p.name)]
    if (root / "tables").is_dir():
        found += [f"tables/{p.name}" for p in (root / "tables").iterdir() if p.name.startswith(".")]
    return sorted(found)


@contextmanager
def tmpfs(mount: Path, size: str) -> Iterator[Path]:
    """A real tmpfs of ``size`` mounted at ``mount`` (created) for the duration; the test is skipped,
    saying why, where mounting is refused (not root, or no permission in this container)."""
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("a real full disk needs root to mount a tmpfs; the injected-error tests cover it")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"{REFUSED_HERE}mounting a tmpfs ({done.stderr.strip()}); the injected-error tests cover it")
    try:
        yield mount
    finally:
        for _ in range(50):
            if subprocess.run(["umount", str(mount)], capture_output=True).returncode == 0:
                break
            time.sleep(0.05)


def cli(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    """``python -m scripts ARGV`` in this process: exit code, stdout, stderr."""
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def run_cli(capsys: pytest.CaptureFixture[str], *argv: object) -> subprocess.CompletedProcess[str]:
    """:func:`cli` as the result of ``subprocess.run``, for tests that read a command's exit code and
    output but are not about its process: no second of interpreter start-up per command."""
    args = [str(a) for a in argv]
    code, out, err = cli(capsys, *args)
    return subprocess.CompletedProcess(["python", "-m", "scripts", *args], code, out, err)


def patch_part(source: Path, dest: Path, part: str, change) -> Path:
    """A copy of the workbook ``source`` with the XML of one part replaced by ``change(text)``."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == part:
                data = change(data.decode("utf-8")).encode("utf-8")
            new.writestr(info, data)
    return dest


def state_cell(source: Path, dest: Path, old: str, new: str) -> Path:
    """The export with one cell of the states sheet replaced, XML for XML (``old`` must be there once)."""
    def change(text: str) -> str:
        assert text.count(old) == 1, old
        return text.replace(old, new)

    return patch_part(source, dest, STATES_SHEET, change)


AZERBAIJAN = '<c r="B2" s="11" t="inlineStr"><is><t>Azerbaijan</t></is></c>'
