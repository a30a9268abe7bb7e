"""Shared by the release tests: a disposable copy of what a release reads, an older version of it
(one row added, one removed, one value changed), and a release built twice from the copy."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from scripts.commands import release_steps
from scripts.model.package import Package, csv_text, load_package, read_rows
from scripts.release.build import ReleaseResult, release
from scripts.release.generated import write_generated
from tests.conftest import ROOT, sources_dir

CHANGED_MEETING = "ca-consultative-6"
OLD_VERSION = "0.0.1"
INPUTS = ("datapackage.json", "README.md", "CITATION.cff", "CHANGELOG.md", "REUSE.toml", ".zenodo.json",
          "pyproject.toml")


def copy_release_inputs(dest: Path) -> Path:
    """Copy what a release reads into ``dest`` and regenerate the generated files there, so the
    copy is releasable while the data owner edits the real tables (freshness of the committed
    files is its own test)."""
    dest.mkdir(parents=True)
    for name in INPUTS:
        if (ROOT / name).is_file():
            shutil.copy2(ROOT / name, dest / name)
    for name in ("schemas", "tables", "LICENSES"):
        shutil.copytree(ROOT / name, dest / name)
    for path in ROOT.glob("LICENSE*"):
        if path.is_file():
            shutil.copy2(path, dest / path.name)
    write_generated(dest)
    return dest


def write_rows(package: Package, table: str, rows: list[dict[str, str]]) -> None:
    t = package.table(table)
    t.path.write_text(csv_text(t, rows), encoding="utf-8")


@dataclass
class Edits:
    """What the older version has that the release does not, and the reverse."""

    only_old_table: str
    only_old_key: str
    only_new_table: str
    only_new_key: str
    old_city: str
    new_city: str | None


def make_older_version(src: Path, dest: Path) -> Edits:
    """A copy of ``src`` labelled OLD_VERSION with one extra ``states`` row, the last
    ``attendance`` row missing and the city of CHANGED_MEETING changed."""
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("dist*", ".cac.lock"))
    descriptor = json.loads((dest / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["version"] = OLD_VERSION
    (dest / "datapackage.json").write_text(json.dumps(descriptor, indent=2), encoding="utf-8")
    package = load_package(dest)
    states = read_rows(package.table("states"))
    write_rows(package, "states", [*states, {**states[0], "state_id": "ZZZ"}])
    attendance = read_rows(package.table("attendance"))
    dropped = attendance[-1]
    write_rows(package, "attendance", attendance[:-1])
    meetings = read_rows(package.table("meetings"))
    target = next(m for m in meetings if m["meeting_id"] == CHANGED_MEETING)
    new_city = target["city"] or None
    target["city"] = "Old Town"
    write_rows(package, "meetings", meetings)
    return Edits("states", "ZZZ", "attendance", package.table("attendance").record_key(dropped),
                 "Old Town", new_city)


@dataclass
class Build:
    src: Path
    older: Path
    edits: Edits
    first: ReleaseResult
    second: ReleaseResult
    package: Package

    @property
    def dist(self) -> Path:
        return self.first.dist

    def file(self, name: str) -> Path:
        return self.first.dist / name


def make_build(base: Path) -> Build:
    src = copy_release_inputs(base / "pkg")
    edits = make_older_version(src, base / "older")
    first = release(src, release_steps(), base / "dist-a", sources_dir(), str(base / "older"))
    second = release(src, release_steps(), base / "dist-b", sources_dir(), str(base / "older"))
    return Build(src, base / "older", edits, first, second, load_package(src))


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), "-c", "user.name=test", "-c", "user.email=test@example.org",
                           "-c", "tag.gpgSign=false", "-c", "commit.gpgSign=false", *args],
                          check=True, capture_output=True, text=True)
    return done.stdout
