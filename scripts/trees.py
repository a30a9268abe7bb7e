"""Folder operations that never follow a link: durable renames (fsync), hard-link copies of a
tree, removal, and the leftovers of processes that died mid-command (temporary files
``.<name>.tmp-<pid>-<hex>`` and stage folders ``.<name>.stage-<pid>-<hex>``, removed only once the
pid that made them is gone).

Why apart from :mod:`scripts.files`: these act on whatever is found on disk, which in a package
from someone else may be a link, a FIFO or a forged folder; the release snapshot (in the system's
temporary folder) and the package's own recovery judge a leftover the same way.
"""

from __future__ import annotations

import os
import re
import shutil
from contextlib import suppress
from pathlib import Path

TMP_PATTERN = re.compile(r"^\..+\.tmp-(\d+)(-[0-9a-f]+)?$")
STAGE_PATTERN = re.compile(r"^\..+?(?:stage-)(\d+)-[0-9a-f]+$")


def pid_alive(pid: int) -> bool:
    """True when a process with this pid exists (a reused pid keeps a leftover one run longer)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, owned by someone else
    return True


def remove_dead_leftovers(directory: str | Path, stage_prefix: str | None = None) -> list[Path]:
    """Delete ``.*.tmp-<pid>…`` files (and ``<stage_prefix><pid>-…`` directories) in
    ``directory`` whose process is gone; return what was removed."""
    removed: list[Path] = []
    directory = Path(directory)
    if not directory.is_dir():
        return removed
    for entry in sorted(directory.iterdir()):
        match = TMP_PATTERN.match(entry.name)
        if stage_prefix and entry.name.startswith(stage_prefix):
            match = STAGE_PATTERN.match(entry.name)
        if match is None or pid_alive(int(match.group(1))):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed.append(entry)
    return removed


def fsync_dir(directory: str | Path) -> None:
    """Make a rename or unlink in ``directory`` durable (a no-op where directories cannot be opened)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        with suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(directory: Path) -> None:
    """fsync every file and directory under ``directory`` before it is switched into place."""
    for path in sorted(directory.rglob("*"), reverse=True):
        if path.is_file() and not path.is_symlink():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
        elif path.is_dir():
            fsync_dir(path)
    fsync_dir(directory)


def link_copy(source: Path, target: Path) -> None:
    """Hard-link (or copy, across filesystems) a file or a directory tree; never follows a symlink
    out of the package, since ``inside`` resolved ``source`` already."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, target, copy_function=_link_or_copy, symlinks=True)
    elif source.exists():
        _link_or_copy(source, target)


def _link_or_copy(source: str | Path, target: str | Path) -> None:
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError:
        shutil.copy2(source, target, follow_symlinks=False)


def remove(path: Path) -> str:
    """Delete ``path`` without ever following a link (a link is unlinked, a folder removed whole);
    its name when something was there, else ""."""
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    elif path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    elif not os.path.lexists(path):
        return ""
    else:
        path.unlink(missing_ok=True)  # a FIFO, socket or device node
    return path.name
