"""Staged state that came with the package is never taken on trust.

Before: ``.cac-journal`` and ``tables.new/`` were only git-ignored, so a fork could commit them; the
next export, import or release "recovered" by swapping the forged ``tables.new/`` in and deleting
``tables/`` (uncommitted edits included), and with ``tables.new`` a link to an outside folder the
package's tables were deleted and ``tables/`` became that link. Now recovery rolls forward only
a stage whose journal, token and fingerprint agree, that git does not track and that validates;
anything else is rolled back, in one line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scripts import journal
from scripts.model.package import csv_text, load_package, read_rows
from tests.data.release_support import git
from tests.faults.untrusted import run, tree, writer_argv

VERBS = ["export", "import", "release"]


def _edit_venue(root: Path, folder: str, venue: str) -> None:
    """Set the venue of ca-consultative-6 in ``root/folder/meetings.csv`` (a valid edit)."""
    table = load_package(root).table("meetings")
    rows = read_rows(table)
    next(r for r in rows if r["meeting_id"] == "ca-consultative-6")["venue"] = venue
    (root / folder / "meetings.csv").write_text(csv_text(table, rows), encoding="utf-8")


def _forge(pkg: Path, how: str, outside: Path) -> str:
    """Plant a stage as a fork would ship it; return the reason recovery must give."""
    new = pkg / "tables.new"
    if how == "link":
        shutil.copytree(pkg / "tables", outside)
        new.symlink_to(outside)
        (pkg / ".cac-journal").write_text("switch tables\n")
        return "tables.new is a symbolic link"
    shutil.copytree(pkg / "tables", new)
    _edit_venue(pkg, "tables.new", "The fork's venue")
    if how == "old journal":  # what 0.2.0 wrote: no token, no fingerprint
        (pkg / ".cac-journal").write_text("switch tables\n")
        return "the journal cannot be read"
    (pkg / ".cac-journal").write_text(journal.seal(new, "tables").text())  # a perfect forgery, but committed
    return ".cac-journal is tracked by git"


@pytest.fixture()
def fork(pkg: Path) -> Path:
    """The package as a git checkout (so that what a fork commits is tracked)."""
    git(pkg, "init", "-q")
    git(pkg, "add", "-A")
    git(pkg, "commit", "-q", "-m", "upstream")
    return pkg


@pytest.mark.git
@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
@pytest.mark.parametrize("how", ["sealed", "old journal", "link"])
@pytest.mark.parametrize("verb", VERBS)
def test_a_committed_stage_is_rolled_back_and_tables_are_kept(fork: Path, exported: Path, tmp_path: Path,
                                                             how: str, verb: str) -> None:
    outside = tmp_path / "outside-tables"
    why = _forge(fork, how, outside)
    git(fork, "add", "-A")
    git(fork, "commit", "-q", "-m", "a fork's forged stage")
    _edit_venue(fork, "tables", "My uncommitted venue")  # the user's own edit, not yet committed
    before, outside_before = tree(fork / "tables"), tree(outside) if outside.exists() else {}
    done = run(*writer_argv(verb, fork, exported, tmp_path))
    note = (f"note: an unfinished switch of tables/ was rolled back ({why}): tables/ is kept, "
            "tables.new and .cac-journal removed")
    assert note in done.stderr.splitlines(), done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert done.returncode == (1 if verb == "import" else 0), done.stderr  # import: the tables changed since export
    assert tree(fork / "tables") == before and not (fork / "tables").is_symlink()
    assert "My uncommitted venue" in (fork / "tables" / "meetings.csv").read_text()
    assert not (fork / "tables.new").exists() and not (fork / "tables.new").is_symlink()
    assert not (fork / ".cac-journal").exists()
    if how == "link":
        assert tree(outside) == outside_before


def test_a_sealed_stage_that_does_not_validate_is_rolled_back(pkg: Path, tmp_path: Path) -> None:
    """Outside git (a package from a zip) the seal can be forged too: validation is the last check."""
    new = pkg / "tables.new"
    shutil.copytree(pkg / "tables", new)
    (new / "states.csv").write_text("not,the,header\n")
    (pkg / ".cac-journal").write_text(journal.seal(new, "tables").text())
    before = tree(pkg / "tables")
    done = run("export", pkg, "--output", tmp_path / "out.xlsx")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ("note: an unfinished switch of tables/ was rolled back (the staged tables do not "
                           "validate): tables/ is kept, tables.new and .cac-journal removed\n")
    assert tree(pkg / "tables") == before and not new.exists()


def test_a_stage_changed_after_sealing_is_rolled_back(pkg: Path, tmp_path: Path) -> None:
    new = pkg / "tables.new"
    shutil.copytree(pkg / "tables", new)
    (pkg / ".cac-journal").write_text(journal.seal(new, "tables").text())
    _edit_venue(pkg, "tables.new", "Changed after the seal")
    before = tree(pkg / "tables")
    done = run("export", pkg, "--output", tmp_path / "out.xlsx")
    assert "(tables.new changed after it was staged)" in done.stderr and tree(pkg / "tables") == before


def test_a_journal_nested_past_the_interpreters_limit_is_unreadable_not_a_crash(pkg: Path, tmp_path: Path) -> None:
    shutil.copytree(pkg / "tables", pkg / "tables.new")
    (pkg / ".cac-journal").write_text("[" * 4000)
    before = tree(pkg / "tables")
    done = run("export", pkg, "--output", tmp_path / "out.xlsx")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ("note: an unfinished switch of tables/ was rolled back (the journal cannot be read): "
                           "tables/ is kept, tables.new and .cac-journal removed\n")
    assert tree(pkg / "tables") == before
