"""scripts.files.recover on each state a killed table switch can leave on disk (written here by hand,
so no process is killed): what is rolled forward or back, what stays, and the one line it says."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest

from scripts import files
from scripts.journal import TOKEN_NAME, Journal, seal


def _package(root: Path) -> Path:
    (root / "tables").mkdir(parents=True)
    (root / "schemas").mkdir()
    (root / "datapackage.json").write_text('{"name": "t"}\n')
    (root / "schemas" / "a.json").write_text("{}\n")
    (root / "tables" / "a.csv").write_text("id\nold\n")
    return root


def _stage(root: Path, text: str = "id\nnew\n", sealed: bool = True) -> Path:
    new = root / "tables.new"
    new.mkdir()
    (new / "a.csv").write_text(text)
    journal = seal(new, "tables") if sealed else Journal("tables", "t", "f")
    (root / files.JOURNAL_NAME).write_text(journal.text())
    return new


def _tree(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.name != files.LOCK_NAME)


def _recover(root: Path, check: object) -> str:
    said = io.StringIO()
    files.recover(root, check=check, stream=said)  # type: ignore[arg-type]
    return said.getvalue()


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    return _package(tmp_path / "pkg")


def test_a_trusted_stage_is_rolled_forward_and_seen_whole_by_the_check(root: Path) -> None:
    _stage(root)
    seen: list[list[str]] = []

    def check(view: Path) -> bool:
        seen.append(_tree(view))
        return (view / "tables" / "a.csv").read_text() == "id\nnew\n"

    assert _recover(root, check) == ("note: finished an interrupted switch of tables/ (its journal and staged "
                                     "tables agree)\n")
    assert seen == [["datapackage.json", "schemas", "schemas/a.json", "tables", f"tables/{TOKEN_NAME}", "tables/a.csv"]]
    assert _tree(root) == ["datapackage.json", "schemas", "schemas/a.json", "tables", "tables/a.csv"]
    assert (root / "tables" / "a.csv").read_text() == "id\nnew\n"


@pytest.mark.parametrize("tables_left", [True, False])
def test_an_untrusted_stage_is_rolled_back_and_the_old_tables_kept(root: Path, tables_left: bool) -> None:
    """Killed after the seal (tables/ still there) or between the renames (only tables.old)."""
    _stage(root, sealed=False)
    if not tables_left:
        (root / "tables").rename(root / "tables.old")
    assert _recover(root, lambda view: True) == (
        "note: an unfinished switch of tables/ was rolled back (the journal's token does not match tables.new): "
        "tables/ is kept, tables.new and .cac-journal removed\n")
    assert _tree(root) == ["datapackage.json", "schemas", "schemas/a.json", "tables", "tables/a.csv"]
    assert (root / "tables" / "a.csv").read_text() == "id\nold\n"


def test_a_stage_the_check_refuses_is_rolled_back(root: Path) -> None:
    _stage(root)
    assert "(the staged tables do not validate)" in _recover(root, lambda view: False)
    assert (root / "tables" / "a.csv").read_text() == "id\nold\n" and not (root / "tables.new").exists()


def test_a_journal_left_after_the_switch_is_removed_and_nothing_else_moves(root: Path) -> None:
    (root / files.JOURNAL_NAME).write_text("anything\n")
    (root / "tables.old").mkdir()
    assert _recover(root, None) == ""
    assert _tree(root) == ["datapackage.json", "schemas", "schemas/a.json", "tables", "tables/a.csv"]


def test_old_tables_come_back_when_a_kill_left_no_tables(root: Path) -> None:
    (root / "tables").rename(root / "tables.old")
    assert _recover(root, None) == ""
    assert _tree(root) == ["datapackage.json", "schemas", "schemas/a.json", "tables", "tables/a.csv"]


def test_a_link_named_tables_old_is_never_moved_into_place(root: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "a.csv").write_text("id\nforged\n")
    (root / "tables").rename(tmp_path / "gone")
    (root / "tables.old").symlink_to(outside)
    _recover(root, None)
    assert not (root / "tables").exists() and not (root / "tables.old").exists()
    assert (outside / "a.csv").read_text() == "id\nforged\n"  # the link removed, never followed


def test_a_stale_tables_old_beside_the_tables_is_removed_not_moved(root: Path) -> None:
    _stage(root, sealed=False)
    (root / "tables.old").mkdir()
    (root / "tables.old" / "a.csv").write_text("id\nolder\n")
    assert "rolled back" in _recover(root, lambda view: True)
    assert _tree(root) == ["datapackage.json", "schemas", "schemas/a.json", "tables", "tables/a.csv"]
    assert (root / "tables" / "a.csv").read_text() == "id\nold\n"


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_stage_a_fork_committed_is_rolled_back_even_if_it_validates(root: Path) -> None:
    """A sealed stage and journal that arrive in a clone were written by someone else: git in the
    package's checkout tells, and the old tables stay."""
    _stage(root)
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "--", files.JOURNAL_NAME], check=True)
    subprocess.run([*git, "commit", "-qm", "fork"], check=True)
    assert _recover(root, lambda view: True) == (
        "note: an unfinished switch of tables/ was rolled back (.cac-journal is tracked by git): "
        "tables/ is kept, tables.new and .cac-journal removed\n")
    assert (root / "tables" / "a.csv").read_text() == "id\nold\n"


def test_without_a_check_given_recovery_uses_the_one_set_at_start(root: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line sets the validator once (files.py does not import it); with none set, a
    stage is never trusted."""
    monkeypatch.setattr(files, "_stage_check", None)
    _stage(root)
    assert "(no validator was given)" in _recover(root, None)
    _stage(root)
    seen: list[Path] = []
    files.set_stage_check(lambda view: seen.append(view) or True)
    assert _recover(root, None) == ("note: finished an interrupted switch of tables/ (its journal and staged "
                                    "tables agree)\n")
    assert len(seen) == 1 and (root / "tables" / "a.csv").read_text() == "id\nnew\n"
