"""Git tags are data: a fork's tag named like an option never reaches git as one.

Before: ``release`` and ``bump`` ran ``git show <tag>:datapackage.json`` for every tag, so a tag
named ``--output=/any/path`` made git write the shown commit to ``/any/path:datapackage.json``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.data.release_support import git
from tests.faults.untrusted import run

pytestmark = [pytest.mark.git, pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")]


@pytest.fixture()
def hostile_repo(pkg: Path, tmp_path: Path) -> tuple[Path, Path, str]:
    """The package as a git checkout whose one tag is named ``--output=<target>/pwned``."""
    target = tmp_path / "target"
    target.mkdir()
    git(pkg, "init", "-q")
    git(pkg, "add", "-A")
    git(pkg, "commit", "-q", "-m", "a fork")
    tag = f"--output={target}/pwned"
    git(pkg, "update-ref", f"refs/tags/{tag}", "HEAD")  # `git tag` refuses the name; a fork's refs need not
    assert git(pkg, "tag", "--list").split() == [tag]
    return pkg, target, tag


@pytest.mark.parametrize("verb", ["release", "bump"])
def test_a_tag_named_like_an_option_is_skipped_with_a_warning(hostile_repo: tuple[Path, Path, str], tmp_path: Path,
                                                            verb: str) -> None:
    pkg, target, tag = hostile_repo
    argv = ["release", pkg, "--no-provenance", "--dist", tmp_path / "dist"] if verb == "release" \
        else ["bump", "patch", pkg, "--date", "2030-01-01"]
    done = run(*argv)
    assert list(target.iterdir()) == []
    assert done.returncode == 0, done.stderr
    assert done.stderr == (f"warning: git tag {tag!r} starts with '-'; it is skipped (a tag is never passed to git "
                           "as an option)\n")
    if verb == "bump":  # no usable earlier tag: the summary says so, and names none
        assert "version 0.2.0 -> 0.2.1. Review, build the release to publish" in done.stdout
        assert "No earlier tagged version to compare the data with." in (pkg / "CHANGELOG.md").read_text()


def test_an_ordinary_tag_is_still_the_previous_version(hostile_repo: tuple[Path, Path, str], tmp_path: Path) -> None:
    """Reading tags as refs/tags/NAME keeps finding the earlier version (here 0.2.0 before a bump)."""
    pkg, target, _ = hostile_repo
    git(pkg, "tag", "v0.2.0")
    assert run("bump", "minor", pkg, "--date", "2030-01-01").returncode == 0
    done = run("release", pkg, "--no-provenance", "--dist", tmp_path / "dist")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "dist" / "changes.json").is_file() and list(target.iterdir()) == []
