"""Under mutmut a mutant's tests run fastest first (tests/mutation/order.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.mutation.order import durations

TESTS = '''
def test_slow():
    assert 0
def test_fast():
    assert 0
def test_unknown():
    assert 0
'''


def _first_failure(folder: Path, env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "tests.mutation.order", "-p",
                           "no:cacheprovider", "test_x.py"], cwd=folder, capture_output=True, text=True,
                          env={**env, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}, check=False)
    return next(line for line in done.stdout.splitlines() if line.startswith("FAILED")).split()[1]


def test_a_mutants_tests_run_fastest_first_and_only_under_mutmut(tmp_path: Path) -> None:
    (tmp_path / "test_x.py").write_text(TESTS, encoding="utf-8")
    (tmp_path / "mutmut-stats.json").write_text(json.dumps(
        {"duration_by_test": {"test_x.py::test_slow": 3.0, "test_x.py::test_fast": 0.01}}), encoding="utf-8")
    assert _first_failure(tmp_path, {"MUTANT_UNDER_TEST": "m.x_f__mutmut_1"}) == "test_x.py::test_fast"
    assert _first_failure(tmp_path, {}) == "test_x.py::test_slow"  # outside mutmut: the file's order


def test_unreadable_stats_leave_the_order_alone(tmp_path: Path) -> None:
    assert durations(tmp_path / "missing.json") == {}
    (tmp_path / "bad.json").write_text("[1, 2]", encoding="utf-8")
    assert durations(tmp_path / "bad.json") == {}
    (tmp_path / "odd.json").write_text('{"duration_by_test": {"a": "x", "b": 2}}', encoding="utf-8")
    assert durations(tmp_path / "odd.json") == {"b": 2.0}
