"""The table switch's journal, and the proof that a staged ``tables.new/`` is the one this tool
staged, not one that came with the package.

Why: ``.cac-journal`` and ``tables.new/`` are only git-ignored, so a fork can commit both; a
recovery that trusted them would swap the fork's tables in and delete ``tables/`` (uncommitted
edits included), or, with ``tables.new`` a link to an outside folder, make ``tables/`` that link.
So the journal records a random token and the fingerprint of the staged tables, the token is also
written inside the stage, and recovery rolls forward only when (:func:`distrust`):

- neither the journal nor ``tables.new`` is a symbolic link, and the journal parses;
- the token inside ``tables.new`` equals the journal's, and the tables' fingerprint matches;
- git does not track either (a commit, not a kill, put them there; skipped outside a checkout);
- the staged package validates (a callback: this module does not import the validator).

Otherwise the switch is rolled back: ``tables/`` is kept.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import stat
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

TOKEN_NAME = ".cac-stage-token"  # inside the staged tables; removed before they become tables/
MAX_JOURNAL = 4096  # bytes; ours is about 200
GIT_TIMEOUT = 60  # seconds for one `git ls-files`


@dataclass(frozen=True)
class Journal:
    """What the commit point records: which folder is switched, the token, the fingerprint."""

    folder: str
    token: str
    fingerprint: str

    def text(self) -> str:
        return json.dumps({"switch": self.folder, "token": self.token, "fingerprint": self.fingerprint}) + "\n"


def seal(staged: Path, folder: str) -> Journal:
    """Write a new token inside the staged tables and return the journal that vouches for them."""
    token = secrets.token_hex(16)
    (staged / TOKEN_NAME).write_text(token + "\n", encoding="ascii")
    return Journal(folder, token, fingerprint(staged))


def fingerprint(folder: Path) -> str:
    """sha256 over every entry under ``folder`` (relative name, kind, size and bytes; a link's
    target text, never its target), leaving out the token file. Links are not followed."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if name == TOKEN_NAME:
            continue
        info = os.lstat(path)
        digest.update(f"{name}\0{stat.S_IFMT(info.st_mode)}\0{info.st_size}\0".encode())
        if stat.S_ISLNK(info.st_mode):
            digest.update(os.readlink(path).encode())
        elif stat.S_ISREG(info.st_mode):
            digest.update(_bytes(path))
    return digest.hexdigest()


def _bytes(path: Path) -> bytes:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def read(path: Path) -> Journal | None:
    """The journal at ``path``; None unless it is a small regular file (not a link) of our form."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        raw = os.read(fd, MAX_JOURNAL + 1)
        if len(raw) > MAX_JOURNAL:  # not ours, whatever it holds
            return None
        data = json.loads(raw.decode("utf-8"))
    except (OSError, ValueError, RecursionError):  # 4 kB of "[" nests past the interpreter's limit
        return None
    finally:
        os.close(fd)
    fields = [data.get(k) for k in ("switch", "token", "fingerprint")] if isinstance(data, dict) else []
    return Journal(*fields) if len(fields) == 3 and all(isinstance(f, str) and f for f in fields) else None


def distrust(root: Path, journal: Path, new: Path, check: Callable[[Path], bool] | None,
             view: Callable[[], Path]) -> str:
    """Why the staged switch ``new`` (with ``journal``) may not be rolled forward; "" when it may.
    ``view()`` builds the staged package for ``check`` (the validator); without a check: distrust."""
    if journal.is_symlink() or not os.path.lexists(journal):
        return "the journal is a symbolic link" if journal.is_symlink() else "there is no journal"
    if new.is_symlink() or not new.is_dir():
        return f"{new.name} is a symbolic link" if new.is_symlink() else f"{new.name} is not a folder"
    record = read(journal)
    if record is None or record.folder != new.name.removesuffix(".new"):
        return "the journal cannot be read"
    if _token(new) != record.token:
        return f"the journal's token does not match {new.name}"
    if fingerprint(new) != record.fingerprint:
        return f"{new.name} changed after it was staged"
    tracked = next((p.name for p in (journal, new) if tracked_by_git(root, p)), "")
    if tracked:
        return f"{tracked} is tracked by git"
    if check is None or not _validates(check, view):
        return "the staged tables do not validate" if check else "no validator was given"
    return ""


def _token(new: Path) -> str:
    path = new / TOKEN_NAME
    if path.is_symlink() or not path.is_file():
        return ""
    return path.read_text(encoding="ascii", errors="replace").strip()[:64]


def _validates(check: Callable[[Path], bool], view: Callable[[], Path]) -> bool:
    staged = view()
    try:
        return check(staged)
    finally:
        shutil.rmtree(staged, ignore_errors=True)


def tracked_by_git(root: Path, path: Path) -> bool:
    """Does the git checkout holding ``root`` track ``path`` (or, for a folder, a file in it)?
    False where git is absent or ``root`` is not in a checkout."""
    if shutil.which("git") is None:
        return False
    try:
        done = subprocess.run(["git", "-C", str(root), "ls-files", "--error-unmatch", "--", path.name],
                              capture_output=True, timeout=GIT_TIMEOUT)
    except subprocess.TimeoutExpired:
        return True  # cannot tell: do not trust it
    return done.returncode == 0
