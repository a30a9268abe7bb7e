"""tests/mutation/rejudge.py: survivors are run against the given tests the way mutmut runs them
(in the mutants folder, the mutant named in MUTANT_UNDER_TEST), a kill is written into mutmut's
results, and nothing else changes: a mutant the tests do not kill, and one mutmut never judged,
keep their verdicts."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.mutation import rejudge

SURVIVORS = {"scripts.a.x_f__mutmut_1": 0, "scripts.a.x_f__mutmut_2": 0, "scripts.a.x_f__mutmut_3": None,
             "scripts.a.x_f__mutmut_4": 1, "scripts.a.x_g__mutmut_1": 33}
# Stands in for a test written against survivors: it fails under mutants 1 of f and g, as a
# killing test fails when the trampoline routes calls to the mutant.
KILLING_TEST = '''
import os

def test_tells_the_mutant():
    assert os.environ["MUTANT_UNDER_TEST"] not in ("scripts.a.x_f__mutmut_1", "scripts.a.x_g__mutmut_1")
'''

USAGE_ERROR_TEST = '''
import os
import pytest

def test_usage_error_under_g():
    if os.environ["MUTANT_UNDER_TEST"] == "scripts.a.x_g__mutmut_1":
        pytest.exit("usage", returncode=4)
'''
HANGING_TEST = '''
import os
import time

def test_hangs_under_f1():
    if os.environ["MUTANT_UNDER_TEST"] == "scripts.a.x_f__mutmut_1":
        time.sleep(120)
'''


def _mutants(tmp_path: Path) -> Path:
    mutants = tmp_path / "mutants"
    (mutants / "scripts").mkdir(parents=True)
    (mutants / "scripts" / "a.py.meta").write_text(
        json.dumps({"exit_code_by_key": SURVIVORS, "durations_by_key": {}}), encoding="utf-8")
    (mutants / "test_killing.py").write_text(KILLING_TEST, encoding="utf-8")
    return mutants


def test_only_judged_survivors_matching_the_pattern_are_candidates(tmp_path: Path) -> None:
    mutants = _mutants(tmp_path)
    assert rejudge.candidates(mutants, "scripts.a.x_f__*") == {
        "scripts.a.x_f__mutmut_1": "scripts/a.py", "scripts.a.x_f__mutmut_2": "scripts/a.py"}
    assert sorted(rejudge.candidates(mutants, "*")) == [
        "scripts.a.x_f__mutmut_1", "scripts.a.x_f__mutmut_2", "scripts.a.x_g__mutmut_1"]


def test_kills_are_recorded_and_every_other_verdict_is_kept(tmp_path: Path, capsys) -> None:
    mutants = _mutants(tmp_path)
    assert rejudge.main(["*", "test_killing.py", "--mutants", str(mutants)]) == 0
    codes = json.loads((mutants / "scripts" / "a.py.meta").read_text(encoding="utf-8"))["exit_code_by_key"]
    assert codes == {**SURVIVORS, "scripts.a.x_f__mutmut_1": 1, "scripts.a.x_g__mutmut_1": 1}
    assert capsys.readouterr().out == "2 of 3 killed; 1 still survive\n"


def test_a_run_that_is_not_a_verdict_changes_nothing_and_is_named(tmp_path: Path, capsys) -> None:
    """A usage error under one mutant (pytest exit 4) says nothing about it."""
    mutants = _mutants(tmp_path)
    (mutants / "test_killing.py").write_text(USAGE_ERROR_TEST, encoding="utf-8")
    before = (mutants / "scripts" / "a.py.meta").read_bytes()
    assert rejudge.main(["scripts.a.x_g__*", "test_killing.py", "--mutants", str(mutants)]) == 1
    assert (mutants / "scripts" / "a.py.meta").read_bytes() == before
    assert capsys.readouterr().out == ("scripts.a.x_g__mutmut_1: pytest exit 4, verdict left as it was\n"
                                       "0 of 1 killed; 0 still survive\n")


def test_tests_that_fail_on_the_unmutated_code_judge_nothing(tmp_path: Path, capsys) -> None:
    mutants = _mutants(tmp_path)
    before = (mutants / "scripts" / "a.py.meta").read_bytes()
    assert rejudge.main(["*", "no_such_test.py", "--mutants", str(mutants)]) == 2
    assert (mutants / "scripts" / "a.py.meta").read_bytes() == before
    assert capsys.readouterr().err == f"the tests do not pass on the unmutated code in {mutants}; nothing was judged\n"


def test_a_mutant_that_overruns_mutmuts_limit_is_recorded_as_a_timeout(tmp_path: Path, capsys,
                                                                       monkeypatch) -> None:
    """The limit is mutmut's rule over the unmutated run; past it the run is stopped and counted as
    caught (mutmut's code 36), as mutmut counts it."""
    monkeypatch.setattr(rejudge, "TIMEOUT_MULTIPLIER", 1.0)
    monkeypatch.setattr(rejudge, "TIMEOUT_CONSTANT", 2.0)
    mutants = _mutants(tmp_path)
    (mutants / "test_killing.py").write_text(HANGING_TEST, encoding="utf-8")
    assert rejudge.main(["scripts.a.x_f__*", "test_killing.py", "--mutants", str(mutants)]) == 0
    codes = json.loads((mutants / "scripts" / "a.py.meta").read_text(encoding="utf-8"))["exit_code_by_key"]
    assert codes == {**SURVIVORS, "scripts.a.x_f__mutmut_1": 36}
    out = capsys.readouterr().out
    assert re.fullmatch(r"1 of 2 killed \(1 by overrunning [0-9]+ s\); 1 still survive\n", out)


def test_nothing_to_judge_is_said(tmp_path: Path, capsys) -> None:
    assert rejudge.main(["scripts.b.*", "test_killing.py", "--mutants", str(_mutants(tmp_path))]) == 2
    assert "no survivor matches 'scripts.b.*'" in capsys.readouterr().err


def test_unjudged_mutants_are_judged_on_request_and_a_non_kill_counts_as_surviving(tmp_path: Path,
                                                                                  capsys) -> None:
    """The score stays a lower bound: a mutant never run that these tests miss is a survivor."""
    mutants = _mutants(tmp_path)
    (mutants / "test_killing.py").write_text(KILLING_TEST.replace("x_g__mutmut_1", "x_f__mutmut_3"),
                                             encoding="utf-8")
    assert rejudge.main(["scripts.a.x_f__*", "test_killing.py", "--unjudged", "--mutants", str(mutants)]) == 0
    codes = json.loads((mutants / "scripts" / "a.py.meta").read_text(encoding="utf-8"))["exit_code_by_key"]
    assert codes == {**SURVIVORS, "scripts.a.x_f__mutmut_1": 1, "scripts.a.x_f__mutmut_3": 1}
    assert capsys.readouterr().out == "2 of 3 killed; 1 still survive\n"
    (mutants / "scripts" / "a.py.meta").write_text(
        json.dumps({"exit_code_by_key": {"scripts.a.x_h__mutmut_1": None}, "durations_by_key": {}}), encoding="utf-8")
    assert rejudge.main(["*", "test_killing.py", "--mutants", str(mutants)]) == 2  # not without --unjudged
    assert rejudge.main(["*", "test_killing.py", "--unjudged", "--mutants", str(mutants)]) == 0
    codes = json.loads((mutants / "scripts" / "a.py.meta").read_text(encoding="utf-8"))["exit_code_by_key"]
    assert codes == {"scripts.a.x_h__mutmut_1": 0}


def test_a_run_stopped_early_keeps_the_verdicts_it_had(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Verdicts are written every RECORD_EVERY mutants: hours of judging are not lost to a stop."""
    mutants = _mutants(tmp_path)
    judged: list[str] = []

    def judge(_mutants: Path, name: str, _tests: list[str], timeout: float) -> int:
        if name == "":
            return 0  # the unmutated run
        if len(judged) == 2:
            raise KeyboardInterrupt
        judged.append(name)
        return 1

    monkeypatch.setattr(rejudge, "judge", judge)
    monkeypatch.setattr(rejudge, "RECORD_EVERY", 1)
    with pytest.raises(KeyboardInterrupt):
        rejudge.main(["*", "test_killing.py", "--mutants", str(mutants), "--jobs", "1"])
    codes = json.loads((mutants / "scripts" / "a.py.meta").read_text(encoding="utf-8"))["exit_code_by_key"]
    assert codes == {**SURVIVORS, **dict.fromkeys(judged, 1)}
    assert len(judged) == 2
