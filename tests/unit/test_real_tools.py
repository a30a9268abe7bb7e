"""tests/real_tools.py: a test that needs a real tool never skips silently. Run on a tiny suite in
a fresh pytest: a marked skip fails under CAC_REQUIRE_REAL_TOOLS=1 (as in .ci/run), except a tmpfs
the machine refuses; without it, the summary names each untested promise and how many tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT
from tests.real_tools import PROMISES, REFUSED_HERE

SUITE = f'''
import pytest

@pytest.mark.sources
def test_needs_the_texts():
    pytest.skip("source texts not found")

@pytest.mark.libreoffice
def test_needs_libreoffice():
    pytest.skip("soffice is not installed")

@pytest.mark.libreoffice
def test_needs_libreoffice_too():
    pytest.skip("soffice is not installed")

@pytest.mark.tmpfs
def test_refused_mount():
    pytest.skip("{REFUSED_HERE}mounting a tmpfs (permission denied)")

def test_plain_skip():
    pytest.skip("nothing real is needed here")

def test_runs(sources):
    pass

@pytest.fixture()
def sources():
    pytest.skip("source texts not found")
'''


def run_suite(tmp_path: Path, require: bool) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_suite.py").write_text(SUITE, encoding="utf-8")
    # Only the hooks under test are loaded: no installed plugin (hypothesis alone takes ~1 s to import).
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    env.pop("CAC_REQUIRE_REAL_TOOLS", None)
    if require:
        env["CAC_REQUIRE_REAL_TOOLS"] = "1"
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "tests.real_tools", "-p", "no:cacheprovider",
                           "-q", "-rA", "-W", "ignore::pytest.PytestUnknownMarkWarning", "test_suite.py"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)


def test_without_the_requirement_marked_skips_are_listed_as_untested_promises(tmp_path: Path) -> None:
    done = run_suite(tmp_path, require=False)
    assert done.returncode == 0, done.stdout
    summary = done.stdout.split("promises not tested in this run", 1)[1].splitlines()[1:5]
    assert summary == [
        f"sources: 2 tests skipped (needs {PROMISES['sources'][0]}): {PROMISES['sources'][1]}",
        f"libreoffice: 2 tests skipped (needs {PROMISES['libreoffice'][0]}): {PROMISES['libreoffice'][1]}",
        f"tmpfs: 1 test skipped (needs {PROMISES['tmpfs'][0]}): {PROMISES['tmpfs'][1]}",
        "(.ci/run sets CAC_REQUIRE_REAL_TOOLS=1, where a skip of these fails, except a tmpfs the machine refuses "
        "to mount)"]
    assert "6 skipped" in done.stdout.splitlines()[-1]


def test_with_the_requirement_a_marked_skip_fails_naming_what_it_needs(tmp_path: Path) -> None:
    done = run_suite(tmp_path, require=True)
    assert done.returncode == 1
    failed = sorted(line.split(" ")[1] for line in done.stdout.splitlines() if line.startswith(("FAILED", "ERROR")))
    assert failed == ["test_suite.py::test_needs_libreoffice", "test_suite.py::test_needs_libreoffice_too",
                      "test_suite.py::test_needs_the_texts", "test_suite.py::test_runs"]
    assert ("CAC_REQUIRE_REAL_TOOLS=1 (.ci/run) and this test was skipped (soffice is not installed): it needs "
            "LibreOffice (apt-get install libreoffice-calc), and skipping it would leave a README promise "
            "untested") in done.stdout
    assert "2 skipped" in done.stdout.splitlines()[-1]  # the refused tmpfs and the unmarked skip
    assert "tmpfs: 1 test skipped" in done.stdout


def test_ci_run_requires_the_real_tools() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "export CAC_REQUIRE_REAL_TOOLS=1\nmake test" in script
    for tool, package in (("soffice", "libreoffice-calc"), ("chromium", "chromium"), ("pdftotext", "poppler-utils"),
                          ("git", "git")):
        assert f"command -v {tool} >/dev/null 2>&1 || need+=({package})" in script
