"""Where the traceback of an unexpected error goes, written so that no one else can aim it.

The user sees one line; the traceback goes to a log file in a private per-user folder:
``$CAC_LOG_DIR``, else ``$XDG_STATE_HOME/central-asia-cooperation/logs``, else
``~/.local/state/central-asia-cooperation/logs``. Why not the system's temporary folder: any
local user can create a folder or a symbolic link there under a predictable name, and a crash
would then write (as the victim) wherever the link points. So the folder is created with mode
0700 and refused when it is a symbolic link, not owned by the user, or writable by group or
others; the file is created through the opened folder with O_CREAT|O_EXCL|O_NOFOLLOW and a random
part in its name, so it is always a new file of ours.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import stat
from contextlib import suppress
from pathlib import Path

LOG_DIR_ENV = "CAC_LOG_DIR"
APP = "central-asia-cooperation"


class UnsafeLogDir(OSError):
    """The log folder exists but is not private to this user: nothing is written there."""


def log_dir() -> Path:
    """The log folder this user's crashes go to (see the module docstring)."""
    if os.environ.get(LOG_DIR_ENV):
        return Path(os.environ[LOG_DIR_ENV])
    state = os.environ.get("XDG_STATE_HOME")
    base = Path(state) if state and Path(state).is_absolute() else Path.home() / ".local" / "state"
    return base / APP / "logs"


def write_log(text: str, folder: Path | None = None) -> Path:
    """Write ``text`` to a new file in the private log folder; return its path.

    Raises UnsafeLogDir when the folder is a link, someone else's or writable by others, and
    OSError when it cannot be created or written."""
    folder = folder or log_dir()
    folder.parent.mkdir(parents=True, exist_ok=True)
    with suppress(FileExistsError):
        folder.mkdir(mode=0o700)
    fd_dir = _open_private(folder)
    try:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        name = f"internal-error-{stamp}-{os.getpid()}-{secrets.token_hex(8)}.log"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        fd = os.open(name, flags, 0o600, dir_fd=fd_dir)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
    finally:
        os.close(fd_dir)
    return folder / name


def _open_private(folder: Path) -> int:
    """The folder opened without following a link, refused unless it is ours and private."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        if os.path.islink(folder):
            raise UnsafeLogDir(f"the log folder {folder} is a symbolic link") from None
        raise exc
    info = os.fstat(fd)
    why = ""
    if info.st_uid != os.geteuid():
        why = "is owned by another user"
    elif stat.S_IMODE(info.st_mode) & 0o022:
        why = "is writable by other users"
    if why:
        os.close(fd)
        raise UnsafeLogDir(f"the log folder {folder} {why}")
    return fd
