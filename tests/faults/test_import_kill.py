"""kill -9 at every step of an import that changes two tables: the tables are the old set or the
new set, byte for byte, never a mix; the next import finishes or undoes the switch, leaves nothing
behind, and refuses the workbook when the first one got through (its edits are in already, and a
second import of the same workbook would be a lost update if the tables had moved on).

Before: import wrote the CSVs one by one, so a kill between two of them left new citations beside
old indicators, and stray ``tables/.*.tmp`` files that no later run removed."""

from __future__ import annotations

import shutil
import signal
from pathlib import Path

import pytest

from scripts.journal import TOKEN_NAME
from scripts.xlsx.read.importer import import_workbook
from tests.faults.support import cli, leftovers, tables
from tests.unit.xlsx_support import column_of, edit, row_of

VENUE = ("meetings", "ca-consultative-6", "venue", "Hall of the Sixth Meeting")
STATE = ("states", "AZE", "name", "Azerbaijan Republic")

# (step, n-th time reached, which tables the next run finds): two tables are staged (temp files 1
# and 2), then the journal is written through a temp file (3); writing the journal commits.
# (A kill at the first temp file leaves what one at "staged" leaves: a stage, no switch.)
STEPS = [("staged", 1, "old"), ("tmp-written", 2, "old"), ("new-in-place", 1, "old"), ("tmp-written", 3, "old"),
         ("journal-written", 1, "new"), ("old-moved", 1, "new"), ("new-moved", 1, "new"),
         ("journal-removed", 1, "new"), ("old-removed", 1, "new")]


def _edit_cells(wb, edits=(VENUE, STATE)) -> None:
    for sheet, key, column, value in edits:
        ws = wb[sheet]
        ws.cell(row_of(ws, key), column_of(ws, column)).value = value


@pytest.fixture(scope="module")
def change(pristine: Path, exported: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, dict]:
    """The workbook with two tables edited, and the tables before and after importing it."""
    base = tmp_path_factory.mktemp("kill-import")
    workbook = edit(exported, base / "edited.xlsx", _edit_cells)
    after = base / "pkg"
    shutil.copytree(pristine, after)
    result = import_workbook(after, workbook, None)
    assert (result.problems, result.changed) == ([], ["meetings", "states"])
    return workbook, tables(pristine), tables(after)


@pytest.mark.parametrize(("step", "count", "expected"), STEPS, ids=[f"{s}-{c}" for s, c, _ in STEPS])
def test_kill_during_import_leaves_old_or_new_and_the_next_run_cleans_up(change, pkg: Path, forks, tmp_path: Path,
                                                                         capsys, step: str, count: int,
                                                                         expected: str) -> None:
    workbook, old, new = change
    killed = forks.run(["import", workbook, pkg, "--no-provenance"], tmp_path, kill=(step, count))
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    if (pkg / "tables").is_dir():
        assert tables(pkg) in (old, new), step
    else:  # killed between the two renames: the journal says the complete new set is beside it
        assert step == "old-moved" and (pkg / ".cac-journal").is_file()
        staged = tables(pkg, "tables.new")
        assert staged.pop(TOKEN_NAME) and staged == new  # the token that proves the stage is this import's
    code, out, err = cli(capsys, "import", workbook, pkg, "--no-provenance")  # the next run
    if expected == "old":  # rolled back: the same workbook now imports
        assert code == 0, err
        assert out.endswith(f"\nimported {workbook}: meetings, states changed\n")
    else:  # rolled forward: the edits are in; the workbook no longer matches the tables
        assert code == 1 and "[tables-changed]" in err, err
    assert tables(pkg) == new
    assert leftovers(pkg) == []


@pytest.fixture(scope="module")
def venue_change(pristine: Path, exported: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """A workbook with the venue edited (a change that keeps the generated metadata fresh) and the
    tables after importing it."""
    base = tmp_path_factory.mktemp("kill-venue")
    workbook = edit(exported, base / "venue.xlsx", lambda wb: _edit_cells(wb, [VENUE]))
    after = base / "pkg"
    shutil.copytree(pristine, after)
    assert import_workbook(after, workbook, None).changed == ["meetings"]
    return workbook, tables(after)


@pytest.mark.parametrize("verb", ["release", "export"])
def test_a_release_or_export_after_a_killed_import_finishes_it_first(venue_change, pkg: Path, forks,
                                                                   tmp_path: Path, capsys, verb: str) -> None:
    """Killed between the two renames, tables/ is missing until a writer recovers: every writing
    command does so first, under the lock, and then reads the complete new tables."""
    workbook, new = venue_change
    killed = forks.run(["import", workbook, pkg, "--no-provenance"], tmp_path, kill=("old-moved", 1))
    assert killed.returncode == -signal.SIGKILL and not (pkg / "tables").exists()
    argv = ["release", pkg, "--no-provenance"] if verb == "release" else ["export", pkg, "--output",
                                                                          tmp_path / "out.xlsx"]
    code, _, err = cli(capsys, *argv)
    assert code == 0, err
    assert tables(pkg) == new and leftovers(pkg) == []
