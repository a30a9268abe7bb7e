"""Headless Chromium for the site tests: the marker, the binary, and a runner that returns the
DOM after the page's scripts ran plus any console message the page logged."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass

import pytest

SKIP_ENV = "CAC_NO_CHROMIUM"  # set to 1 on a machine that cannot have chromium: the tests skip
CONSOLE = re.compile(r":CONSOLE[^\]]*\] (.*)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "chromium: needs Debian's headless chromium (apt-get install chromium)")


@dataclass(frozen=True)
class Loaded:
    """What Chromium made of one page."""

    dom: str
    console: list[str]


@pytest.fixture(scope="session")
def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get(SKIP_ENV) == "1":
        pytest.skip(f"chromium not installed and {SKIP_ENV}=1")
    pytest.fail(f"chromium not found on PATH: run `apt-get install chromium` (or set {SKIP_ENV}=1 to skip)")


@pytest.fixture()
def load(chromium: str, tmp_path_factory: pytest.TempPathFactory):
    """load(url, *flags) -> Loaded: the DOM after scripts ran, and the console messages."""
    profile = tmp_path_factory.mktemp("chromium-profile")

    def run(url: str, *flags: str) -> Loaded:
        done = subprocess.run(
            [chromium, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run",
             "--disable-extensions", "--disable-dev-shm-usage", f"--user-data-dir={profile}",
             "--enable-logging=stderr", "--v=0", "--virtual-time-budget=3000", *flags, "--dump-dom", url],
            capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 0, done.stderr[-2000:]
        return Loaded(done.stdout, CONSOLE.findall(done.stderr))

    return run
