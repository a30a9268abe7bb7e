"""No silent skips where a promise is tested: the tests that need something outside Python (the
source texts, LibreOffice, pdftotext, Chromium, Datasette, git, root, a tmpfs) are marked by what
they need, and a skipped one is never quiet.

- Each marker is registered in pyproject.toml; tests using the ``sources``, ``tiny_disk``, ``forks``
  or ``chromium`` fixtures get theirs here, by fixture, so no such test can miss its marker.
- With ``CAC_REQUIRE_REAL_TOOLS=1`` (set by ``.ci/run``, which installs every tool) a skipped
  marked test fails instead, naming what was missing. One skip stays allowed: a tmpfs that the
  machine refuses to mount (a container without the mount capability), said in the summary.
- Any run that skipped marked tests ends its terminal summary with the promises that went
  untested: each marker, how many tests, and the README promise they hold.
"""

from __future__ import annotations

import os

import pytest

REQUIRE_ENV = "CAC_REQUIRE_REAL_TOOLS"
# A skip whose reason starts with this is the machine's refusal, not a missing tool: allowed even
# when the tools are required (only the tmpfs helper uses it).
REFUSED_HERE = "refused by this machine: "

# marker -> (what the tests need, the README promise they hold)
PROMISES: dict[str, tuple[str, str]] = {
    "sources": ("the source texts ($CAC_SOURCES or ../shared/sources)",
                "every citation and verbatim value proved against the source texts (Validation, provenance)"),
    "libreoffice": ("LibreOffice (apt-get install libreoffice-calc)",
                    "the workbook re-saved by LibreOffice imports back exactly (Editing the workbook)"),
    "pdftotext": ("pdftotext (apt-get install poppler-utils)",
                  "every sheet prints without ### and at a readable size (Editing the workbook)"),
    "chromium": ("Chromium (apt-get install chromium)", "the site works offline in a browser (What dist/ holds)"),
    "datasette": ("datasette (requirements-dev.txt)", "the SQLite release serves in Datasette (What dist/ holds)"),
    "git": ("git on PATH",
            "diff of git refs, bump on a clean clone, git refs read as data (Publishing, Hostile input)"),
    "root": ("root", "a log folder owned by another user is not used (Exit codes)"),
    "tmpfs": ("root and a machine that permits mounting a tmpfs",
              "a real full disk leaves nothing half-written (A full disk, a read-only disk)"),
}
BY_FIXTURE = {"sources": "sources", "tiny_disk": "tmpfs", "forks": "forks", "chromium": "chromium"}


def required() -> bool:
    return os.environ.get(REQUIRE_ENV) == "1"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test by the fixtures it uses (their closure: a fixture using ``sources`` counts)."""
    for item in items:
        for fixture in getattr(item, "fixturenames", ()):
            if fixture in BY_FIXTURE and not item.get_closest_marker(BY_FIXTURE[fixture]):
                item.add_marker(BY_FIXTURE[fixture])


def _needs(keywords) -> list[str]:
    return [name for name in PROMISES if name in keywords]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Under CAC_REQUIRE_REAL_TOOLS=1, a marked test that skips fails, saying what it lacked."""
    outcome = yield
    report = outcome.get_result()
    if not (report.skipped and required() and _needs(item.keywords)):
        return
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    reason = reason.removeprefix("Skipped: ")
    if reason.startswith(REFUSED_HERE):
        return
    needs = ", ".join(PROMISES[n][0] for n in _needs(item.keywords))
    report.outcome = "failed"
    report.longrepr = (f"{REQUIRE_ENV}=1 (.ci/run) and this test was skipped ({reason}): it needs {needs}, "
                       "and skipping it would leave a README promise untested")


def pytest_terminal_summary(terminalreporter) -> None:
    """After any run that skipped marked tests: which promises went untested, and why."""
    counts: dict[str, int] = {}
    for report in terminalreporter.stats.get("skipped", []):
        for name in _needs(getattr(report, "keywords", {})):
            counts[name] = counts.get(name, 0) + 1
    if not counts:
        return
    terminalreporter.section("promises not tested in this run")
    for name, count in counts.items():
        needs, promise = PROMISES[name]
        terminalreporter.write_line(f"{name}: {count} test{'s' if count > 1 else ''} skipped (needs {needs}): "
                                    f"{promise}")
    if not required():
        terminalreporter.write_line(f"(.ci/run sets {REQUIRE_ENV}=1, where a skip of these fails, except a tmpfs "
                                    "the machine refuses to mount)")
