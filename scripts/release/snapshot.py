"""A consistent snapshot of the package: every file a release reads, copied once into a private
temporary folder while the package lock is held.

Validation, the data files, the site and the checksums are all built from this copy, so an import
that starts after the lock is released (or a hand edit during the build) cannot mix two states of
the tables into one release: what is validated is byte for byte what is shipped.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from scripts.files import inside, read_regular, resolved
from scripts.model.package import DESCRIPTOR, CellTooLong, Package, load_package, read_descriptor, read_rows
from scripts.trees import pid_alive

# Files beside the data that a release carries (missing optional ones are skipped).
README = "README.md"
CITATION = "CITATION.cff"
CHANGELOG = "CHANGELOG.md"
REUSE = "REUSE.toml"
LICENSES_DIR = "LICENSES"
TEXT_FILES = (README, CITATION, CHANGELOG, REUSE)
PREFIX = "cac-release-snapshot-"
LEFTOVER = re.compile(rf"^{PREFIX}(\d+)-")


@dataclass
class Snapshot:
    """The copied package: its root, the loaded package, each table's rows (read once) and the
    sha256 of every copied file (relative path -> hex). ``unread`` names the tables whose rows
    could not be read (a cell over the cap, which validation reports); their rows are empty."""

    root: Path
    package: Package
    rows: dict[str, list[dict[str, str]]]
    digests: dict[str, str] = field(default_factory=dict)
    unread: list[str] = field(default_factory=list)

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Snapshot:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _resource_files(descriptor: dict) -> list[str]:
    """Each resource's data and schema path (URLs are left to validation, which refuses them)."""
    names = []
    for resource in descriptor.get("resources", []):
        values = (resource.get("path"), resource.get("schema"))
        names += [v for v in values if isinstance(v, str) and not v.startswith(("http:", "https:"))]
    return names


def _package_files(root: Path) -> list[str]:
    """Relative paths of the descriptor, every resource and schema file, and the release texts.
    Optional texts are taken when they exist as anything but a folder: one that is a FIFO or
    device is then refused when it is read, rather than left out of the release unsaid."""
    descriptor = read_descriptor(root)  # the loader's reader: JSON, resources and value types checked
    names = [DESCRIPTOR, *_resource_files(descriptor)]
    names += [n for n in TEXT_FILES if _present(root / n)]
    names += sorted(p.name for p in root.glob("LICENSE*") if _present(p))
    licenses = root / LICENSES_DIR
    if licenses.is_dir():
        names += sorted(f"{LICENSES_DIR}/{p.name}" for p in licenses.iterdir() if _present(p))
    return list(dict.fromkeys(names))


def _present(path: Path) -> bool:
    return os.path.lexists(path) and not path.is_dir()


def remove_dead_snapshots() -> None:
    """Delete snapshots that releases killed before they could clean up (their pid is gone)."""
    for entry in Path(tempfile.gettempdir()).iterdir():
        match = LEFTOVER.match(entry.name)
        if match and entry.is_dir() and not entry.is_symlink() and not pid_alive(int(match.group(1))):
            shutil.rmtree(entry, ignore_errors=True)


def take_snapshot(root: Path) -> Snapshot:
    """Copy the package at ``root`` into a new private folder and load it from there.

    Each file is read once; a path leaving the package raises scripts.files.OutsideRoot, a FIFO,
    device or folder NotRegularFile, a missing one FileNotFoundError (the CLI turns each into one
    line and exit 2).
    """
    root = resolved(root)
    remove_dead_snapshots()
    dest = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))
    digests: dict[str, str] = {}
    try:
        for name in _package_files(root):
            data = read_regular(inside(name, root))
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            digests[name] = hashlib.sha256(data).hexdigest()
        package = load_package(dest)
        rows, unread = _rows(package)
    except BaseException:
        shutil.rmtree(dest, ignore_errors=True)
        raise
    return Snapshot(dest, package, rows, dict(sorted(digests.items())), unread)


def _rows(package: Package) -> tuple[dict[str, list[dict[str, str]]], list[str]]:
    """Each table's rows; a table with a cell over the cap gets none and is named as unread."""
    rows: dict[str, list[dict[str, str]]] = {}
    unread = []
    for name, table in package.tables.items():
        try:
            rows[name] = read_rows(table)
        except CellTooLong:
            rows[name] = []
            unread.append(name)
    return rows, unread
