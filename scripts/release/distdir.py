"""The release's output folder (``dist/`` or ``--dist DIR``): replaced whole by each release, so a
release touches only folders it made itself.

Why: ``--dist`` names any folder, and the names beside it (``DIR.new``, ``DIR.old``, stage
folders) may be the user's own. Every folder a release builds carries a marker file
(:data:`MARKER`, written into the stage first), and nothing is replaced, renamed or removed
without it: an existing ``DIR`` without the marker (a folder of the user's CSV and Markdown files,
or a ``dist/`` of a release before the marker existed) refuses the release with one line, exit 2;
a ``DIR.new`` or ``DIR.old`` that is not a release's stops it too, since the swap needs those names.
Temporary files beside ``DIR`` are never touched: a release writes none there.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from scripts.files import make_stage
from scripts.release.errors import ReleaseError
from scripts.trees import STAGE_PATTERN, pid_alive

MARKER = ".cac-release"
MARKER_TEXT = "Made by `python -m scripts release`; the next release replaces this folder whole.\n"


def is_release(path: Path) -> bool:
    """Is ``path`` a real folder (not a link) holding the release marker as a regular file?"""
    marker = path / MARKER
    return path.is_dir() and not path.is_symlink() and marker.is_file() and not marker.is_symlink()


def make_release_stage(dist: Path) -> Path:
    """A new stage beside ``dist``, marked as a release's before anything else is written in it."""
    stage = make_stage(dist)
    (stage / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
    return stage


def recover_dist(dist: Path) -> None:
    """Finish or undo a release killed mid-swap, then delete what dead releases left beside
    ``dist``: only folders that carry the marker (a dead stage killed before its marker was
    written is removed only if empty). Call it holding the package lock."""
    new, old = _sibling(dist, "new"), _sibling(dist, "old")
    if not os.path.lexists(dist):
        for done in (new, old):  # new is complete once renamed; old is the release before it
            if is_release(done):
                os.rename(done, dist)
                break
    for leftover in (new, old):
        if is_release(leftover):
            shutil.rmtree(leftover, ignore_errors=True)
    _remove_dead_stages(dist)


def _remove_dead_stages(dist: Path) -> None:
    prefix = f".{dist.name}.stage-"
    if not dist.parent.is_dir():
        return
    for entry in sorted(dist.parent.iterdir()):
        match = STAGE_PATTERN.match(entry.name) if entry.name.startswith(prefix) else None
        if match is None or pid_alive(int(match.group(1))) or entry.is_symlink() or not entry.is_dir():
            continue
        if is_release(entry):
            shutil.rmtree(entry, ignore_errors=True)
        elif not any(entry.iterdir()):
            entry.rmdir()


def check_dist(dist: Path) -> None:
    """Refuse (ReleaseError, exit 2) a ``dist`` a release may not replace, and names beside it
    that the swap would need but that a release did not make."""
    if os.path.lexists(dist) and not (is_release(dist) or _empty_folder(dist)):
        kind = "a symbolic link" if dist.is_symlink() else "not a folder" if not dist.is_dir() else \
            f"a folder without the {MARKER} marker"
        raise ReleaseError(f"{dist} is {kind}, so a release did not make it and will not replace it: "
                           "move it away or choose another --dist")
    for name in (_sibling(dist, "new"), _sibling(dist, "old")):
        if os.path.lexists(name):
            raise ReleaseError(f"{name} is in the way of the release (a release did not make it): move it away "
                               "or choose another --dist")


def _empty_folder(path: Path) -> bool:
    """An empty real folder (``mkdir dist`` before a first release): nothing in it to lose."""
    return path.is_dir() and not path.is_symlink() and not any(path.iterdir())


def _sibling(dist: Path, suffix: str) -> Path:
    return dist.parent / f"{dist.name}.{suffix}"
