"""tests/mutation/report.py on made-up mutmut results: the score per module excludes equivalents and
unchecked mutants and counts untested ones against the module, and the equivalents list is held
to the truth (a listed mutant that a test kills, or that no longer exists, is reported)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.mutation import report

CODES = {"scripts.a.x_f__mutmut_1": 1, "scripts.a.x_f__mutmut_2": 1, "scripts.a.x_f__mutmut_3": 0,
         "scripts.a.x_f__mutmut_4": 33, "scripts.a.x_f__mutmut_5": 36, "scripts.a.x_f__mutmut_6": None,
         "scripts.a.x_f__mutmut_7": 0, "scripts.a.x_f__mutmut_8": 255}


def write_meta(mutants: Path, path: str, codes: dict[str, int | None]) -> None:
    meta = mutants / f"{path}.meta"
    meta.parent.mkdir(parents=True, exist_ok=True)
    meta.write_text(json.dumps({"exit_code_by_key": codes, "durations_by_key": {}}), encoding="utf-8")


def test_the_score_counts_kills_and_timeouts_over_what_was_run_less_equivalents(tmp_path: Path) -> None:
    write_meta(tmp_path, "scripts/a.py", CODES)
    write_meta(tmp_path, "scripts/empty.py", {})
    (module,) = report.read_modules(tmp_path)
    assert module.path == "scripts/a.py"
    assert [module.count(c) for c in report.COLUMNS] == [2, 1, 2, 1, 1, 0, 0, 1]
    assert (module.scored, module.score) == (7, 42.9)  # 3 caught of 7; the one pytest never ran counts against
    assert report.apply_equivalents([module], {"scripts.a.x_f__mutmut_7": "same value either way"}) == []
    assert (module.count("survived"), module.scored, module.score) == (1, 6, 50.0)


def test_a_listed_equivalent_that_is_killed_or_gone_is_reported(tmp_path: Path) -> None:
    write_meta(tmp_path, "scripts/a.py", CODES)
    modules = report.read_modules(tmp_path)
    wrong = report.apply_equivalents(modules, {"scripts.a.x_f__mutmut_1": "x", "scripts.a.x_g__mutmut_1": "y"})
    assert wrong == [
        "scripts.a.x_f__mutmut_1: listed as equivalent but a test kills it: remove it from the list",
        "scripts.a.x_g__mutmut_1: listed as equivalent but there is no such mutant (renumbered? re-check the list)"]
    assert modules[0].equivalent == []


def test_the_equivalents_file_needs_a_reason_on_every_line(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("# comment\n\nscripts.a.x_f__mutmut_7: the slice is the same for every input\n", encoding="utf-8")
    assert report.read_equivalents(good) == {"scripts.a.x_f__mutmut_7": "the slice is the same for every input"}
    bad = tmp_path / "bad.txt"
    bad.write_text("scripts.a.x_f__mutmut_7\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.txt:1: expected 'mutant name: reason'"):
        report.read_equivalents(bad)
    twice = tmp_path / "twice.txt"
    twice.write_text("scripts.a.x_f__mutmut_7: one reason\n# note\nscripts.a.x_f__mutmut_7: another\n",
                     encoding="utf-8")
    with pytest.raises(ValueError, match=r"twice.txt:3: scripts.a.x_f__mutmut_7 is already listed on line 1$"):
        report.read_equivalents(twice)


def test_the_markdown_table_marks_modules_below_the_target(tmp_path: Path) -> None:
    write_meta(tmp_path, "scripts/a.py", CODES)
    write_meta(tmp_path, "scripts/b.py", {"scripts.b.x_g__mutmut_1": 1})
    modules = report.read_modules(tmp_path)
    text = report.as_markdown(report.as_json(modules, {}, [], diffs=False))
    assert "| `scripts/a.py` | 8 | 2 | 1 | 2 | 1 | 1 | 0 | 1 | 42.9 % ✗ |" in text
    assert "| `scripts/b.py` | 1 | 1 | 0 | 0 | 0 | 0 | 0 | 0 | 100.0 % |" in text
    assert "### `scripts.a.x_f__mutmut_3` (survived)" in text and "### `scripts.a.x_f__mutmut_4` (no tests)" in text
    assert "### `scripts.a.x_f__mutmut_8` (not run)" in text


def test_the_committed_equivalents_list_reads() -> None:
    for name, reason in report.read_equivalents().items():
        assert name.startswith("scripts.") and len(reason) > 15, name


def test_survivors_and_unjudged_mutants_are_named_to_run_again(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    """mutmut keeps a verdict until the function changes: make mutation names these so that a test
    written since can kill them. Equivalents are left out; the pattern matches as mutmut's does."""
    write_meta(tmp_path, "scripts/a.py", CODES)
    write_meta(tmp_path, "scripts/b.py", {"scripts.b.x_g__mutmut_1": 0})
    modules = report.read_modules(tmp_path)
    equivalent = {"scripts.a.x_f__mutmut_7": "same value either way"}
    assert report.to_rerun(modules, equivalent) == [
        "scripts.a.x_f__mutmut_3", "scripts.a.x_f__mutmut_8", "scripts.b.x_g__mutmut_1"]
    assert report.to_rerun(modules, equivalent, "scripts.b.*") == ["scripts.b.x_g__mutmut_1"]
    assert report.main(["--mutants", str(tmp_path), "--to-rerun", "scripts.a.*", "--out", str(tmp_path / "out")]) == 0
    assert capsys.readouterr().out == "scripts.a.x_f__mutmut_3 scripts.a.x_f__mutmut_7 scripts.a.x_f__mutmut_8\n"
    assert not (tmp_path / "out").exists()


def test_survivors_diffs_are_read_beside_the_mutants_folder_named(tmp_path: Path, monkeypatch) -> None:
    """mutmut reads a mutant's diff from ./mutants: the report looks where --mutants points, not in
    the folder it was started from (a mutation worktree's results, reported from main)."""
    mutants = tmp_path / "worktree" / "mutants"
    write_meta(mutants, "scripts/a.py", CODES)
    seen = []
    monkeypatch.setattr(report, "diff_of", lambda name, path: seen.append(Path.cwd()) or f"diff of {name}")
    monkeypatch.setattr(report, "read_equivalents", lambda: {})
    monkeypatch.chdir(tmp_path)
    assert report.main(["--mutants", "worktree/mutants", "--out", "out"]) == 0
    assert seen and set(seen) == {tmp_path / "worktree"} and Path.cwd() == tmp_path
    assert "diff of scripts.a.x_f__mutmut_3" in (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
