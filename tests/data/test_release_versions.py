"""Versions: the diff between two versions (folders, release zips, git refs and ranges), the
release's changes.json, and ``bump`` on a clean git repository (no file but CHANGELOG keeps the
old version afterwards)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from scripts.cli import main
from scripts.model.package import read_rows
from tests.conftest import ROOT, sources_dir
from tests.data.release_support import (
    CHANGED_MEETING,
    OLD_VERSION,
    Build,
    copy_release_inputs,
    git,
)

pytestmark = [pytest.mark.git, pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")]


def expected_text(build: Build, old: str = OLD_VERSION) -> str:
    e, version = build.edits, build.package.version
    lines = {
        e.only_old_table: [f"{e.only_old_table}: 0 added, 1 removed, 0 changed", f"  - {e.only_old_key}"],
        "meetings": ["meetings: 0 added, 0 removed, 1 changed",
                     f"  ~ {CHANGED_MEETING}: city {json.dumps(e.old_city)} -> {json.dumps(e.new_city)}"],
        e.only_new_table: [f"{e.only_new_table}: 1 added, 0 removed, 0 changed", f"  + {e.only_new_key}"],
    }
    body = [line for name in build.package.tables if name in lines for line in lines[name]]
    return "\n".join([f"version {old} -> {version}", *body, "total: 1 added, 1 removed, 1 changed"]) + "\n"


def test_diff_of_folders_and_zips(build: Build, capsys: pytest.CaptureFixture) -> None:
    assert main(["diff", str(build.older), str(build.src)]) == 0
    assert capsys.readouterr().out == expected_text(build)
    zip_path = build.file(f"{build.package.name}-{build.package.version}.zip")
    assert main(["diff", str(build.older), str(zip_path)]) == 0
    assert capsys.readouterr().out == expected_text(build)


def test_diff_as_json_equals_the_releases_changes_json(build: Build, capsys: pytest.CaptureFixture) -> None:
    assert main(["diff", str(build.older), str(build.src), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    e = build.edits
    assert out["totals"] == {"added": 1, "removed": 1, "changed": 1}
    assert out["tables"]["meetings"]["changed"] == [
        {"key": CHANGED_MEETING, "fields": {"city": {"old": e.old_city, "new": e.new_city}}}]
    attendance = build.package.table("attendance")
    row = next(r for r in read_rows(attendance) if attendance.record_key(r) == e.only_new_key)
    [added] = out["tables"]["attendance"]["added"]
    assert added["row"]["person_id"] == (row["person_id"] or None)
    assert json.loads(build.file("changes.json").read_text(encoding="utf-8")) == out


@pytest.fixture(scope="module")
def repo(build: Build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A git repository: the older version tagged v0.0.1, then the current version committed."""
    repo = tmp_path_factory.mktemp("repo") / "repo"
    shutil.copytree(build.older, repo)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "older")
    git(repo, "tag", f"v{OLD_VERSION}")
    shutil.copy2(build.src / "datapackage.json", repo / "datapackage.json")
    shutil.copytree(build.src / "tables", repo / "tables", dirs_exist_ok=True)
    git(repo, "commit", "-q", "-am", "current")
    return repo


def test_diff_of_git_refs_and_ranges(build: Build, repo: Path, capsys: pytest.CaptureFixture) -> None:
    for argv in (["diff", f"v{OLD_VERSION}..HEAD"], ["diff", f"v{OLD_VERSION}", "HEAD"],
                 ["diff", f"v{OLD_VERSION}", str(build.src)]):
        assert main([*argv, "--repo", str(repo)]) == 0, argv
        assert capsys.readouterr().out == expected_text(build), argv


def test_diff_of_an_unknown_version_is_one_line_and_exit_2(repo: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["diff", "v9.9.9..HEAD", "--repo", str(repo)]) == 2
    err = capsys.readouterr().err
    assert err == "error: v9.9.9: no such folder, zip file or git ref\n"


def test_release_diffs_against_the_last_tag_by_default(build: Build, repo: Path, tmp_path: Path) -> None:
    from scripts.commands import release_steps
    from scripts.release.build import release

    result = release(repo, release_steps(), tmp_path / "dist", sources_dir())
    changes = json.loads((result.dist / "changes.json").read_text(encoding="utf-8"))
    assert changes["old_version"] == OLD_VERSION and changes["totals"] == {"added": 1, "removed": 1, "changed": 1}


def tracked_and_built_files_stating(root: Path, version: str) -> list[str]:
    """Files holding ``version``, except CHANGELOG.md and dist/changes.json, whose purpose is to
    name the previous version they compare with."""
    listed = git(root, "ls-files").splitlines() + [
        p.relative_to(root).as_posix() for p in (root / "dist").rglob("*") if p.is_file()]
    found = []
    for name in listed:
        path = root / name
        exempt = name in ("CHANGELOG.md", "dist/changes.json")
        if not exempt and path.is_file() and version.encode() in path.read_bytes():
            found.append(name)
    return found


def test_bump_on_a_clean_clone_leaves_no_old_version(build: Build, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture) -> None:
    """A repository made of the package and the code, tagged at its version; bump minor, build,
    and grep every tracked and built file for the old version. The verbs run in this process (the
    clone's code is a copy of this code) from the clone's folder, as a user would run them there."""
    origin = tmp_path / "origin"
    copy_release_inputs(origin)
    shutil.copytree(ROOT / "scripts", origin / "scripts", ignore=shutil.ignore_patterns("__pycache__"))
    old = build.package.version
    git(origin, "init", "-q")
    git(origin, "add", "-A")
    git(origin, "commit", "-q", "-m", "release")
    git(origin, "tag", f"v{old}")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(origin), str(clone)], check=True, capture_output=True)
    major, minor, _ = map(int, old.split("."))
    new = f"{major}.{minor + 1}.0"
    monkeypatch.chdir(clone)
    assert main(["bump", "minor", "--date", "2027-01-15"]) == 0, capsys.readouterr().err
    assert f"git tag -a v{new} -m 'Version {new}'" in capsys.readouterr().out
    assert main(["release", "--no-provenance"]) == 0, capsys.readouterr().err
    assert tracked_and_built_files_stating(clone, old) == []
    changelog = (clone / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## [Unreleased]\n\n## [{new}] - 2027-01-15\n\nData changes since {old}: 0 added, 0 removed, " \
           "0 changed records.\n" in changelog
    descriptor = json.loads((clone / "datapackage.json").read_text(encoding="utf-8"))
    assert (descriptor["version"], descriptor["created"]) == (new, "2027-01-15T00:00:00Z")
    assert f'version: "{new}"' in (clone / "CITATION.cff").read_text(encoding="utf-8")
