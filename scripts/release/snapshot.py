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

from scripts.files import inside
from scripts.model.package import DESCRIPTOR, Package, load_package, read_descriptor, read_rows

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
    sha256 of every copied file (relative path -> hex)."""

    root: Path
    package: Package
    rows: dict[str, list[dict[str, str]]]
    digests: dict[str, str] = field(default_factory=dict)

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
    """Relative paths of the descriptor, every resource and schema file, and the release texts."""
    descriptor = read_descriptor(root)  # the loader's reader: JSON, resources and value types checked
    names = [DESCRIPTOR, *_resource_files(descriptor)]
    names += [n for n in TEXT_FILES if (root / n).is_file()]
    names += sorted(p.name for p in root.glob("LICENSE*") if p.is_file())
    licenses = root / LICENSES_DIR
    if licenses.is_dir():
        names += sorted(f"{LICENSES_DIR}/{p.name}" for p in licenses.iterdir() if p.is_file())
    return list(dict.fromkeys(names))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_dead_snapshots() -> None:
    """Delete snapshots that releases killed before they could clean up (their pid is gone)."""
    for entry in Path(tempfile.gettempdir()).iterdir():
        match = LEFTOVER.match(entry.name)
        if match and entry.is_dir() and not entry.is_symlink() and not _alive(int(match.group(1))):
            shutil.rmtree(entry, ignore_errors=True)


def take_snapshot(root: Path) -> Snapshot:
    """Copy the package at ``root`` into a new private folder and load it from there.

    Each file is read once; a path leaving the package raises scripts.files.OutsideRoot, a missing
    one FileNotFoundError (the CLI turns both into one line and exit 2).
    """
    root = Path(root).resolve()
    remove_dead_snapshots()
    dest = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))
    digests: dict[str, str] = {}
    try:
        for name in _package_files(root):
            data = inside(name, root).read_bytes()
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            digests[name] = hashlib.sha256(data).hexdigest()
        package = load_package(dest)
        rows = {name: read_rows(table) for name, table in package.tables.items()}
    except BaseException:
        shutil.rmtree(dest, ignore_errors=True)
        raise
    return Snapshot(dest, package, rows, dict(sorted(digests.items())))
