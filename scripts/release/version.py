"""``python -m scripts bump major|minor|patch``: cut the next version with one command.

The version and release date are stored once, in datapackage.json (``version``, ``created``).
Bump changes them there, then regenerates every file that repeats them — CITATION.cff and
.zenodo.json (written whole from the descriptor), pyproject's ``[project] version``, the README's
version mentions and docs/data-dictionary.md — and turns CHANGELOG's ``## [Unreleased]`` section
into ``## [X.Y.Z] - DATE`` with a summary of the data changes since the previous git tag. It
commits and tags nothing: it prints the git commands to run, after a warning for each publishing
setting that is still a placeholder (:mod:`scripts.model.publishing`), which the next step,
``release --final``, refuses.

The date rule: DATE is ``--date`` when given, else today's date in UTC, and it is stored as
``created`` in datapackage.json; every later build reads the date from there (CITATION.cff's
``date-released``, schema.org's ``datePublished``, the SQLite metadata), never from the clock, so
rebuilding a tagged version gives the same bytes on any day.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from scripts.files import atomic_write, package_lock, resolved
from scripts.model.meta import package_meta
from scripts.model.package import DESCRIPTOR, Package, PackageError, load_package, parse_json
from scripts.model.publishing import Placeholder, placeholders
from scripts.release.diff import diff_packages, diff_summary
from scripts.release.generated import write_generated
from scripts.release.refs import open_version, previous_tag

PARTS = ("major", "minor", "patch")
SEMVER = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
UNRELEASED = re.compile(r"^## \[Unreleased\][^\n]*\n", re.MULTILINE)
PYPROJECT = "pyproject.toml"
README = "README.md"
CHANGELOG = "CHANGELOG.md"


def next_version(version: str, part: str) -> str:
    match = SEMVER.match(version)
    if match is None:
        raise PackageError(f"{DESCRIPTOR}: version {version!r} is not MAJOR.MINOR.PATCH")
    major, minor, patch = map(int, match.groups())
    if part == "major":
        return f"{major + 1}.0.0"
    if part == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def set_descriptor_version(text: str, version: str, date: str) -> str:
    """datapackage.json with a new top-level version and created date; the rest byte for byte
    (the data owner edits resources at the same time, so the file is not re-serialised)."""
    new, count = re.subn(r'^(  "version": )"[^"]*"', rf'\g<1>"{version}"', text, count=1, flags=re.MULTILINE)
    new, dates = re.subn(r'^(  "created": )"[^"]*"', rf'\g<1>"{date}T00:00:00Z"', new, count=1, flags=re.MULTILINE)
    if count != 1 or dates != 1:
        raise PackageError(f"{DESCRIPTOR}: no top-level \"version\" and \"created\" to update")
    parse_json(new, DESCRIPTOR)
    return new


def set_pyproject_version(text: str, version: str) -> str:
    section = text.find("[project]")
    head, tail = text[:section], text[section:]
    tail, count = re.subn(r'^version = "[^"]*"', f'version = "{version}"', tail, count=1, flags=re.MULTILINE)
    if section < 0 or count != 1:
        raise PackageError(f"{PYPROJECT}: no [project] version to update")
    return head + tail


def set_readme_version(text: str, old: str, new: str) -> str:
    """Replace the version on the README lines that state it ("Version X", "(version X)")."""
    pattern = re.compile(rf"(\b[Vv]ersion\s+){re.escape(old)}\b")
    return pattern.sub(rf"\g<1>{new}", text)


def changelog_section(text: str, version: str, date: str, summary: str) -> str:
    """Turn ``## [Unreleased]`` into the new version's section (its notes kept, the data-change
    summary added first) and open a new empty Unreleased section above it."""
    match = UNRELEASED.search(text)
    heading = f"## [{version}] - {date}\n"
    if match is None:
        first = re.search(r"^## ", text, re.MULTILINE)
        at = first.start() if first else len(text)
        return text[:at] + "## [Unreleased]\n\n" + heading + "\n" + summary + "\n\n" + text[at:]
    return text[:match.start()] + "## [Unreleased]\n\n" + heading + "\n" + summary + "\n\n" + \
        text[match.end():].lstrip("\n")


@dataclass
class BumpResult:
    old: str
    new: str
    tag: str
    changed: list[Path]
    previous: str | None
    placeholders: list[Placeholder]  # publishing settings release --final will refuse


def _summary(root: Path, package: Package, new_version: str) -> tuple[str, str | None]:
    """The data changes of ``package`` since the newest tag (of any version but the one being cut)."""
    tag = previous_tag(root, new_version)
    if tag is None:
        return "No earlier tagged version to compare the data with.", None
    with open_version(tag, root) as old:
        return diff_summary(diff_packages(old, package)), tag


def _write_if_changed(path: Path, text: str, changed: list[Path]) -> None:
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        atomic_write(path, text)
        changed.append(path)


def bump(root: Path, part: str, date: str | None = None) -> BumpResult:
    """Cut the next ``part`` version of the package at ``root`` (see the module docstring)."""
    if part not in PARTS:
        raise PackageError(f"bump: say major, minor or patch (not {part!r})")
    root = resolved(root)
    day = date or dt.datetime.now(dt.UTC).date().isoformat()
    dt.date.fromisoformat(day)  # ValueError on a malformed --date
    with package_lock(root):
        package = load_package(root)
        old = package_meta(package).version
        new = next_version(old, part)
        summary, tag = _summary(root, package, new)
        changed: list[Path] = []
        descriptor = root / DESCRIPTOR
        _write_if_changed(descriptor, set_descriptor_version(descriptor.read_text(encoding="utf-8"), new, day),
                          changed)
        for name, edit in ((PYPROJECT, lambda t: set_pyproject_version(t, new)),
                           (README, lambda t: set_readme_version(t, old, new)),
                           (CHANGELOG, lambda t: changelog_section(t, new, day, summary))):
            path = root / name
            if path.is_file():
                _write_if_changed(path, edit(path.read_text(encoding="utf-8")), changed)
        changed += write_generated(root)
        unset = placeholders(load_package(root).descriptor)
    return BumpResult(old, new, f"v{new}", changed, tag, unset)
