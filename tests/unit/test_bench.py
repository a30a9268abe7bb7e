"""The benchmark's verdicts (scripts/bench.py): a target is judged only on runs that succeeded."""

from __future__ import annotations

import pytest

from scripts.bench import verdict


def _item(what: str, size: str, ours: tuple[float, float, int], base: tuple[float, float, int]) -> dict:
    return {"what": what, "size": size, "ours": ours, "base": base}


@pytest.mark.parametrize(("ours", "base", "expected"), [
    ((2.0, 100, 0), (10.0, 50, 0), "≤ 0.2× time, ≤ 2.0× memory: met"),
    ((2.1, 100, 0), (10.0, 50, 0), "≤ 0.2× time, ≤ 2.0× memory: MISSED"),
    ((2.0, 101, 0), (10.0, 50, 0), "≤ 0.2× time, ≤ 2.0× memory: MISSED"),
    ((0.29, 19, 1), (193.1, 510, 0), "not measured: exit 1/0"),  # a crash is fast and small, never "met"
    ((9.0, 300, 0), (40.0, 200, -9), "not measured: exit 0/-9"),
])
def test_validate_at_scale_is_judged_on_time_and_memory_of_successful_runs(ours, base, expected) -> None:
    assert verdict(_item("validate vs frictionless", "300000", ours, base)) == expected


def test_the_real_package_is_judged_on_time_and_workbooks_there_are_start_up_bound() -> None:
    assert verdict(_item("validate vs frictionless", "real", (1.0, 120, 0), (1.0, 49, 0))) == "≤ 1.0× time: met"
    assert verdict(_item("import vs calamine read", "real", (0.4, 77, 0), (0.03, 11, 0))) == "– (start-up bound)"
    assert verdict(_item("export vs XlsxWriter", "10000", (1.21, 1, 0), (1.0, 1, 0))) == "≤ 1.2× time: MISSED"
    assert verdict(_item("import edited vs calamine read", "10000", (3.0, 1, 0), (1.0, 1, 0))) == "≤ 3.0× time: met"
