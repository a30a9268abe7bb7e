"""Big cells are data, not crashes: one cell cap (Excel's 32,767 characters) for validation and
every CSV reader, so each verb names the cell.

Before: a cell over 131,072 characters (the csv module's default field limit) crashed export and
release ("internal error", exit 2) where validate reported it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.faults.untrusted import one_line, run

OPENING = "Opening meeting of the series;"  # the description of row 2 (ca-consultative-1) starts so


def _long_description(pkg: Path, extra: int) -> int:
    """Make row 2's description ``extra`` characters longer; return its new length."""
    path = pkg / "tables" / "meetings.csv"
    text = path.read_text(encoding="utf-8")
    assert text.count(OPENING) == 1
    path.write_text(text.replace(OPENING, "x" * extra + OPENING), encoding="utf-8")
    start = text.index(OPENING)
    return extra + text.index(",", text.index(OPENING)) - start


def _cell_line(length: int) -> str:
    return (f"  row 2, description = '{'x' * 80}'… ({length:,} characters)  [cell-too-long] {length:,} characters; "
            "a cell holds at most 32,767\n")


@pytest.mark.parametrize("extra", [200_000, 40_000], ids=["over the csv default", "over the cap only"])
@pytest.mark.parametrize("verb", ["validate", "export", "release"])
def test_an_over_long_cell_is_reported_by_name_with_exit_1(pkg: Path, tmp_path: Path, verb: str, extra: int) -> None:
    length = _long_description(pkg, extra)
    argv = {"validate": ["validate", pkg, "--no-provenance"],
            "export": ["export", pkg, "--output", tmp_path / "o.xlsx"],
            "release": ["release", pkg, "--no-provenance", "--dist", tmp_path / "dist"]}[verb]
    done = run(*argv)
    report = done.stdout if verb == "validate" else done.stderr
    assert done.returncode == 1, done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    assert "tables/meetings.csv: 1 problem\n" + _cell_line(length) in report, report
    assert report.endswith("invalid: 1 problem in 1 file\n")
    assert not (tmp_path / "o.xlsx").exists() and not (tmp_path / "dist").exists()


@pytest.mark.parametrize("verb", ["docs", "diff"])
def test_verbs_that_only_read_rows_stop_in_one_line_at_an_over_long_cell(pkg: Path, verb: str) -> None:
    _long_description(pkg, 200_000)
    err = one_line(run(*(["docs", pkg] if verb == "docs" else ["diff", pkg, pkg])))
    assert err == (f"error: {pkg}/tables/meetings.csv: line 2: field larger than field limit (32767) (a cell holds "
                   "at most 32,767 characters); run validate to see the cell")


def test_a_cell_at_the_cap_is_no_cell_too_long(pkg: Path) -> None:
    base = _long_description(pkg, 0)
    assert _long_description(pkg, 32_767 - base) == 32_767
    done = run("validate", pkg, "--no-provenance")
    assert done.returncode == 1 and "cell-too-long" not in done.stdout
    assert "[max-length] description: 32,767 characters; at most 800 allowed" in done.stdout
