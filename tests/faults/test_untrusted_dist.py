"""``release --dist DIR`` touches only what a release made.

Before: a release removed ``DIR.old/`` and ``DIR.new/``, renamed ``DIR.old`` to ``DIR`` when ``DIR``
was missing, deleted ``.*.tmp-<pid>`` files beside ``DIR``, and replaced a ``DIR`` holding only
the user's own CSV, Markdown and JSON files whole, with exit 0. Now every folder a release builds
carries a ``.cac-release`` marker and nothing without it is replaced, renamed or removed."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.release.distdir import MARKER
from tests.faults.untrusted import one_line, run, tree

DEAD = 2**22 + 4321  # above the default pid_max: no process has it


def _users_folder(path: Path) -> Path:
    """A folder of the user's own files, of the kinds a release also writes."""
    path.mkdir(parents=True)
    (path / "budget.csv").write_text("item,amount\nrent,900\n")
    (path / "README.md").write_text("# My notes\n")
    (path / "settings.json").write_text('{"theme": "dark"}\n')
    return path


def _release(pkg: Path, dist: Path):
    return run("release", pkg, "--no-provenance", "--dist", dist)


def test_a_folder_of_the_users_files_is_never_replaced(pkg: Path, tmp_path: Path) -> None:
    dist = _users_folder(tmp_path / "out")
    before = tree(dist)
    err = one_line(_release(pkg, dist))
    assert err == (f"release failed: {dist} is a folder without the .cac-release marker, so a release did not make "
                   "it and will not replace it: move it away or choose another --dist")
    assert tree(dist) == before and sorted(p.name for p in tmp_path.iterdir()) == ["out", "pkg"]


@pytest.mark.parametrize("beside", ["old", "new"])
@pytest.mark.parametrize("dist_exists", [False, True], ids=["first release", "after a release"])
def test_a_users_folder_named_like_the_swap_is_left_alone(pkg: Path, tmp_path: Path, beside: str,
                                                        dist_exists: bool) -> None:
    dist = tmp_path / "out"
    if dist_exists:
        assert _release(pkg, dist).returncode == 0
    users = _users_folder(tmp_path / f"out.{beside}")
    before, released = tree(users), tree(dist) if dist_exists else {}
    err = one_line(_release(pkg, dist))
    assert err == (f"release failed: {users} is in the way of the release (a release did not make it): move it "
                   "away or choose another --dist")
    assert tree(users) == before and (tree(dist) if dist_exists else {}) == released
    assert dist.exists() == dist_exists  # out.old was not renamed into its place


def test_files_beside_the_folder_are_not_the_releases_to_delete(pkg: Path, tmp_path: Path) -> None:
    """Names a dead process's leftovers would have: a temporary file, a stage folder without the marker."""
    tmp_file = tmp_path / f".thesis.tex.tmp-{DEAD}-abcd"
    tmp_file.write_text("an editor's autosave\n")
    stage = _users_folder(tmp_path / f".out.stage-{DEAD}-beef")
    before = tree(stage)
    done = _release(pkg, tmp_path / "out")
    assert done.returncode == 0, done.stderr
    assert tmp_file.read_text() == "an editor's autosave\n" and tree(stage) == before
    assert (tmp_path / "out" / MARKER).is_file()


def test_a_folder_that_is_a_link_is_refused(pkg: Path, tmp_path: Path) -> None:
    users = _users_folder(tmp_path / "Documents")
    (tmp_path / "out").symlink_to(users)
    before = tree(users)
    err = one_line(_release(pkg, tmp_path / "out"))
    assert err.startswith(f"release failed: {tmp_path / 'out'} is a symbolic link, so a release did not make it")
    assert tree(users) == before


def test_a_release_replaces_its_own_folder_and_cleans_its_own_leftovers(pkg: Path, tmp_path: Path) -> None:
    dist = tmp_path / "out"
    assert _release(pkg, dist).returncode == 0
    assert (dist / MARKER).read_text() == "Made by `python -m scripts release`; the next release replaces this " \
                                          "folder whole.\n"
    dead_stage = tmp_path / f".out.stage-{DEAD}-cafe"
    dead_stage.mkdir()
    (dead_stage / MARKER).write_text("")
    (dead_stage / "half.zip").write_bytes(b"PK")
    done = _release(pkg, dist)
    assert done.returncode == 0, done.stderr
    assert MARKER not in done.stdout and not dead_stage.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "pkg"]
