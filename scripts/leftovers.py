"""Leftovers of processes that died mid-command: temporary files ``.<name>.tmp-<pid>-<hex>`` and
stage folders ``.<name>.stage-<pid>-<hex>``, removed only once the pid that made them is gone.

Why apart from :mod:`scripts.files`: the release snapshot (in the system's temporary folder) and
the package's own recovery judge a leftover the same way, by whether its process is alive.
"""

from __future__ import annotations

import os
import re
import shutil
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
