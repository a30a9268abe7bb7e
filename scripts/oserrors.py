"""OS errors in plain words: the one line the command line prints (exit 2) when the environment,
not the data, stops a command: a full or read-only disk, a missing file, a permission."""

from __future__ import annotations

import errno
from pathlib import Path

_OS_ERRORS = {  # errno: (cause, what to do)
    errno.ENOSPC: ("the disk is full", "free some space and run the command again"),
    errno.EDQUOT: ("the disk quota is exceeded", "free some space and run the command again"),
    errno.EROFS: ("the file system is read-only", "run the command on a writable copy of the package"),
    errno.EACCES: ("permission denied", "check the file's permissions"),
    errno.EPERM: ("operation not permitted", "check the file's permissions"),
    errno.ENOENT: ("no such file or directory", "check the path"),
    errno.EBUSY: ("the file or device is busy", "close the program using it and run the command again"),
    errno.EFBIG: ("the file is too large for the file system", "write to another file system"),
    errno.ENOTDIR: ("a part of the path is not a directory", "check the path"),
    errno.EISDIR: ("it is a directory, not a file", "check the path"),
}


def describe_os_error(exc: OSError, path: str | Path | None = None) -> str:
    """One plain line for an environment failure (the CLI prints it and exits 2)."""
    where = path if path is not None else exc.filename
    cause, hint = _OS_ERRORS.get(exc.errno or 0, (exc.strerror or type(exc).__name__, ""))
    line = f"cannot use {where}: {cause}" if where else f"file system error: {cause}"
    return f"{line} ({hint})" if hint else line
