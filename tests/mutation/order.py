"""Under mutmut, run a mutant's tests fastest first, so that a mutant dies in the first test that
can kill it rather than after the slow ones.

mutmut (3.8, forkserver mode) hands pytest a mutant's covering tests in no particular order and
stops at the first failure (``-x``); a function that hundreds of tests cover (a rule, a date
reading) then often ran whole-package validations for seconds before reaching the unit test that
fails. The durations are mutmut's own, recorded when it mapped which tests cover which function
(``mutmut-stats.json`` in the folder it runs from). Outside a mutmut run this does nothing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

STATS = Path("mutmut-stats.json")


def durations(stats: Path = STATS) -> dict[str, float]:
    """Each test's duration in mutmut's stats run, by node id; empty when there is none to read."""
    try:
        found = json.loads(stats.read_text(encoding="utf-8")).get("duration_by_test", {})
    except (OSError, ValueError, AttributeError):
        return {}
    return {str(k): float(v) for k, v in found.items() if isinstance(v, int | float)} if isinstance(found, dict) else {}


def fastest_first(items: list[pytest.Item], known: dict[str, float]) -> list[pytest.Item]:
    """``items`` by recorded duration (an unknown test last), otherwise in their order."""
    return sorted(items, key=lambda item: known.get(item.nodeid, float("inf")))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if os.environ.get("MUTANT_UNDER_TEST"):
        known = durations()
        if known:
            items[:] = fastest_first(items, known)
