"""Property: whatever a package holds, validate, export and release answer with exit 0, 1 or 2,
never an internal error or a traceback, within a time bound, and change nothing outside the
package (its dist/ included).

Each example is a hostile variant of a tiny package (:mod:`tests.fuzz.hostile`), written to a fresh
temporary folder beside a sentinel folder; the three verbs run through the command line in a
forked child of the warm fork server (:mod:`tests.faults.forks`: a new process per run, without
paying a second for the interpreter's imports). A fixed, derandomized set of examples keeps the
run fast and the same on every machine; raise ``CAC_FUZZ_EXAMPLES`` to search further.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from tests.fuzz.hostile import apply, variants
from tests.fuzz.tiny import write_tiny

EXAMPLES = int(os.environ.get("CAC_FUZZ_EXAMPLES", "25"))
RUN_SECONDS = 60.0  # the bound on one verb's run
VERBS = (["validate", "{pkg}", "--no-provenance"], ["export", "{pkg}"], ["release", "{pkg}", "--no-provenance"])
OPTION_TARGET = Path("/tmp/cac-fuzz-owned")  # where a value taken as a git or CLI option would write


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny(tmp_path_factory.mktemp("fuzz-template") / "pkg")


def snapshot(base: Path, inside: Path) -> dict[str, str]:
    """sha256 of every file under ``base`` but those under ``inside`` (links by their target)."""
    out = {}
    for path in sorted(base.rglob("*")):
        if path == inside or inside in path.parents:
            continue
        if path.is_symlink():
            out[str(path)] = "-> " + os.readlink(path)
        elif path.is_file():
            out[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            out[str(path)] = "dir"
    return out


def _sentinel(base: Path) -> Path:
    outside = base / "outside"
    outside.mkdir()
    (outside / "owned").write_text("the user's own file\n", encoding="utf-8")
    (outside / "owned.xlsx").write_bytes(b"not a workbook, the user's")
    (base / "budget.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    return outside


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                 HealthCheck.data_too_large, HealthCheck.large_base_example])
@given(edits=variants)
def test_every_verb_answers_0_1_or_2_in_bounded_time_and_writes_only_inside(edits, template: Path, forks,
                                                                            tmp_path_factory) -> None:
    base = Path(tempfile.mkdtemp(prefix="fuzz-", dir=tmp_path_factory.getbasetemp()))
    logs = Path(tempfile.mkdtemp(prefix="fuzz-logs-", dir=tmp_path_factory.getbasetemp()))
    try:
        pkg = base / "pkg"
        shutil.copytree(template, pkg)
        outside = _sentinel(base)
        apply(pkg, edits, outside)
        before = snapshot(base, pkg)
        for argv in VERBS:
            started = time.monotonic()
            done = forks.run([a.format(pkg=pkg) for a in argv], logs)
            elapsed = time.monotonic() - started
            said = done.stdout + done.stderr
            where = f"{argv[0]} on {edits!r:.2000}"
            assert done.returncode in (0, 1, 2), f"{where}: exit {done.returncode}\n{said[-3000:]}"
            assert "internal error" not in said and "Traceback" not in said, f"{where}:\n{said[-3000:]}"
            assert elapsed < RUN_SECONDS, f"{where}: {elapsed:.1f} s"
        assert snapshot(base, pkg) == before, f"a file outside the package changed: {edits!r:.2000}"
        assert not OPTION_TARGET.exists(), f"{OPTION_TARGET} was written: {edits!r:.2000}"
    finally:
        shutil.rmtree(base, ignore_errors=True)
        shutil.rmtree(logs, ignore_errors=True)
