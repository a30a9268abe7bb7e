"""Safe file operations for every command: atomic writes, confinement, file names made from
content, regular files only, one writer at a time, and all-or-nothing table switches. (Zips:
:mod:`scripts.archives`; leftovers of dead processes: :mod:`scripts.leftovers`; OS errors in
words: :mod:`scripts.oserrors`.)

Why one module: each guarantee of the README's "Reliability" and "Hostile or damaged input"
sections rests on one function here, so every command shares the same, tested behaviour.

The table switch and its state machine (``StagedTables.commit`` / ``recover``)::

    tables/ + <stage>/tables          (1) stage built; a kill here: stage is a leftover, tables old
    tables/ + tables.new/             (2) stage renamed to tables.new; no journal yet: roll back
    journal + tables/ + tables.new/   (3) journal written (commit point): roll forward from here
    journal + tables.old/ + tables.new/   (4) old moved aside: roll forward
    journal + tables.old/ + tables/   (5) new in place: finish
    tables/ + tables.old/             (6) journal removed: tables.old is a leftover

``recover`` maps every state to "old tables" (1, 2) or "new tables" (3-6) and deletes the
leftovers, so a kill -9 at any instant leaves one complete set, never a mix. Every rename is
followed by an fsync of the directory so the order above is also the order on disk. Since a
package from someone else may bring its own ``.cac-journal`` and ``tables.new/`` (git stores
them), states 3 and 4 roll forward only when the journal and the stage prove each other
(:mod:`scripts.journal`: a token sealed inside the stage, its fingerprint, neither a link nor
tracked by git, the staged package valid); anything else is rolled back, and said.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import re
import secrets
import shutil
import stat
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO

from scripts.journal import TOKEN_NAME, Journal, distrust, seal
from scripts.trees import fsync_dir, fsync_tree, link_copy, remove, remove_dead_leftovers

LOCK_NAME = ".cac.lock"
JOURNAL_NAME = ".cac-journal"
# A name made from content that becomes a file name (the Data Package name, a version): lower-case
# letters, digits, '-', '.', '_'; not starting with '.' (a hidden file, or '..'). ASCII only, so
# that no look-alike letter names a different file.
FILE_NAME = re.compile(r"[a-z0-9_-][a-z0-9._-]*")
FILE_NAME_WORDS = "lower-case letters, digits, '-', '.' and '_', not starting with '.'"
CHUNK = 1 << 16

_HELD: set[Path] = set()  # lock files this process holds
StageCheck = Callable[[Path], bool]  # True when the staged package at the path validates
_stage_check: StageCheck | None = None  # see set_stage_check

# Named checkpoints of the multi-step operations (the table switch, a release): the kill tests set
# this hook in a child process to SIGKILL it at a chosen checkpoint and check what a kill there leaves.
checkpoint_hook: Callable[[str], None] | None = None


def checkpoint(name: str) -> None:
    """Mark a named point of a multi-step operation: a no-op unless ``checkpoint_hook`` is set (a
    fault-injection test). Public, so that every writer marks its steps the same way."""
    if checkpoint_hook is not None:
        checkpoint_hook(name)


class OutsideRoot(ValueError):
    """A path that resolves outside the directory it must stay in."""


class UnsafeName(OutsideRoot):
    """A content value (the package's name, its version, a resource name) that cannot name a file."""


class NotRegularFile(ValueError):
    """Where a file is expected: a symbolic link that may not be followed, a FIFO, socket, device or
    directory. Opening one could block forever (a FIFO), act on a device, or write through a link.
    ``kind`` says which, in words ("a FIFO (named pipe)")."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


class FileTooLarge(ValueError):
    """A file of the package larger than its reader's bound (a descriptor past 16 MiB)."""


class LockBusy(RuntimeError):
    """Another writer holds the package lock and we were told not to wait (longer)."""


def atomic_write(path: str | Path, data: bytes | str) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never a part.

    The temporary file ``.<name>.tmp-<pid>-<token>`` beside it (so the rename is atomic) is removed
    on any error, and by ``recover`` after a kill. Missing parent directories are created; the file
    gets mode 0666 less the umask and is fsynced before the rename, the directory after it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)  # a first export creates dist/
    payload = data.encode("utf-8") if isinstance(data, str) else data
    tmp = path.parent / f".{path.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies
        try:
            view = memoryview(payload)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        checkpoint("tmp-written")
        os.replace(tmp, path)
    except BaseException:
        with suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(path.parent)


def resolved(path: str | Path) -> Path:
    """``path`` absolute, with symbolic links followed. A symbolic link that leads back to itself is
    OSError (ELOOP), as every caller expects of a path that cannot be followed: Python 3.11's
    pathlib raises RuntimeError there (3.13 raises OSError), which escaped as an internal error
    from a package holding such a link. Every path resolved in scripts goes through here."""
    try:
        return Path(path).resolve()
    except RuntimeError:
        raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), str(path)) from None


def inside(path: str | Path, root: str | Path) -> Path:
    """``path`` resolved (symlinks followed), refused with OutsideRoot unless it lies in ``root``.

    Use it on every path a command reads or writes; relative paths are taken from ``root``."""
    base = resolved(root)
    candidate = Path(path)
    found = resolved(candidate if candidate.is_absolute() else base / candidate)
    if found != base and base not in found.parents:
        raise OutsideRoot(f"{path} lies outside {base}; only files inside the package are used")
    return found


def output_file(folder: str | Path, value: object, suffix: str, label: str) -> Path:
    """``folder/<value><suffix>`` for a file named after content (``label`` says which value:
    "datapackage.json: name"), refused with UnsafeName unless ``value`` follows the Data Package
    name pattern (lower-case letters, digits, "-", "." and "_", not starting with ".") and the path
    resolves inside ``folder``. Every writer names its outputs through here: a descriptor's
    ``"name": "../../x/budget"`` must never choose where a file lands."""
    name = checked_name(value, label)
    try:
        return inside(Path(folder) / f"{name}{suffix}", folder)
    except OutsideRoot:
        raise UnsafeName(f"{label} {value!r}: {Path(folder) / (value + suffix)} is a link leading out of "
                         f"{folder}") from None


def checked_name(value: object, label: str) -> str:
    """``value`` when it may be (part of) a file name (see :func:`output_file`), else UnsafeName."""
    if not isinstance(value, str) or not FILE_NAME.fullmatch(value):
        raise UnsafeName(f"{label} {value!r} cannot name a file: use {FILE_NAME_WORDS}")
    return value


@contextmanager
def package_lock(root: str | Path, wait: bool = True, timeout: float | None = None,
                 stream: IO[str] | None = None) -> Iterator[Path]:
    """Hold the package's writer lock (flock on ``<root>/.cac.lock``) for the ``with`` block.

    The OS releases it when the process dies, so a kill never leaves a stale lock. A second
    writer waits, saying so once on ``stream`` (stderr), or raises LockBusy when ``wait`` is
    False or ``timeout`` seconds pass. Readers (validate) do not take it."""
    path = resolved(root) / LOCK_NAME
    if path in _HELD:  # a second flock from this process would wait for itself forever
        raise RuntimeError(f"{path} is already held by this process; take the package lock once per command")
    fd = _open_lock(path)
    try:
        _acquire(fd, wait, timeout, stream or sys.stderr)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        _HELD.add(path)
        yield path
    finally:
        _HELD.discard(path)
        os.close(fd)  # closing the descriptor releases the lock


def _open_lock(path: Path) -> int:
    """The lock file, opened without following a link and refused unless it is a regular file of
    one name: it is truncated and written, so a committed ``.cac.lock -> ~/.ssh/authorized_keys``
    (git stores links), a FIFO or a hard link to another file must never be opened for writing."""
    refusal = f"{path} is {{}}; the package lock must be a regular file: delete it and run the command again"
    with suppress(FileNotFoundError):
        kind = file_kind(os.lstat(path).st_mode)
        if kind:
            raise NotRegularFile(refusal.format(kind), kind)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK, 0o666)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # made a link between the lstat and the open
            raise NotRegularFile(refusal.format("a symbolic link"), "a symbolic link") from None
        raise
    info = os.fstat(fd)
    if file_kind(info.st_mode) or info.st_nlink != 1:
        os.close(fd)
        kind = file_kind(info.st_mode) or "a hard link to another file"
        raise NotRegularFile(refusal.format(kind), kind)
    return fd


def file_kind(mode: int) -> str:
    """What a file of ``mode`` (from lstat) is, in words, when it is not a regular file; "" when it is."""
    kinds = ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
             (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"))
    return next((words for test, words in kinds if test(mode)), "") if not stat.S_ISREG(mode) else ""


def regular_file(path: str | Path) -> Path:
    """``path``, refused with NotRegularFile unless it is a regular file, checked with lstat before
    anything opens it: a FIFO would block the reader forever (and a release would hold the package
    lock meanwhile), a device could be read without end. A symbolic link is judged by its target
    (confinement is checked apart, by :func:`inside`). FileNotFoundError when it does not exist."""
    path = Path(path)
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        info = os.lstat(resolved(path))
    kind = file_kind(info.st_mode)
    if kind:
        raise NotRegularFile(f"{path} is {kind}, not a regular file; nothing was read from it", kind)
    return path


def _open_regular(path: str | Path) -> tuple[Path, int, os.stat_result]:
    """``path`` opened for reading, if it is a regular file (see :func:`regular_file`): opened
    without blocking and checked again on the open descriptor, so a FIFO swapped in after the check
    is refused too instead of hanging the read. The caller closes the descriptor."""
    path = regular_file(path)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    info = os.fstat(fd)
    kind = file_kind(info.st_mode)
    if kind:
        os.close(fd)
        raise NotRegularFile(f"{path} is {kind}, not a regular file; nothing was read from it", kind)
    return path, fd, info


def read_blocks(path: str | Path, size: int = 1 << 20) -> Iterator[bytes]:
    """The bytes of the regular file ``path`` (checked as :func:`read_regular` does), ``size`` bytes
    at a time: a reader that keeps what it needs of each block never holds the whole file."""
    _, fd, _ = _open_regular(path)
    try:
        while block := os.read(fd, size):
            yield block
    finally:
        os.close(fd)


def read_regular(path: str | Path, max_bytes: int | None = None) -> bytes:
    """The bytes of the regular file ``path`` (see :func:`regular_file` and :func:`_open_regular`).
    Past ``max_bytes``, FileTooLarge (nothing is kept)."""
    path, fd, info = _open_regular(path)
    try:
        chunks, size, bound = [], 0, (1 << 62) if max_bytes is None else max_bytes
        while size <= bound and (chunk := os.read(fd, 1 << 20)):
            chunks.append(chunk)
            size += len(chunk)
        if size > bound:
            raise FileTooLarge(f"{path} is {max(size, info.st_size):,} bytes; more than {bound:,} is refused")
        return b"".join(chunks)
    finally:
        os.close(fd)


def _acquire(fd: int, wait: bool, timeout: float | None, stream: IO[str]) -> None:
    """Take the lock on ``fd``, waiting (with one message) or refusing as asked."""
    deadline = None if timeout is None else time.monotonic() + timeout
    announced = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            holder = _lock_holder(fd)
        if not wait or (deadline is not None and time.monotonic() >= deadline):
            raise LockBusy(f"another import, export or release is writing this package (pid {holder}); "
                           "try again when it has finished")
        if not announced:
            print(f"waiting for another import/release on this package (pid {holder})…", file=stream, flush=True)
            announced = True
        time.sleep(0.05)


def _lock_holder(fd: int) -> str:
    """The pid the current holder wrote into the lock file ("?" if unknown)."""
    text = os.pread(fd, 32, 0).decode("ascii", errors="replace").strip()
    return text if text.isdigit() else "?"


def tables_fingerprint(root: str | Path, files: Iterable[str]) -> str:
    """sha256 over the named files (paths relative to ``root``: name, size and bytes, in sorted
    order). Export records it in the workbook; import compares it to refuse a lost update."""
    base = Path(root)
    digest = hashlib.sha256()
    for name in sorted(set(files)):
        data = read_regular(inside(name, base))
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def make_stage(dest: str | Path) -> Path:
    """A new private directory ``.<dest name>.stage-<pid>-<token>`` beside ``dest`` (same
    filesystem, so the final rename is atomic); recovery removes it if we die."""
    (stage := Path(dest).parent / f".{Path(dest).name}.stage-{os.getpid()}-{secrets.token_hex(4)}").mkdir()
    return stage


def swap_dir(stage: str | Path, dest: str | Path, journal: tuple[Path, Journal] | None = None) -> None:
    """Replace directory ``dest`` by the complete directory ``stage``, all or nothing.

    stage → dest.new, [journal], dest → dest.old, dest.new → dest, [journal removed], dest.old
    removed. The journal (the commit point: its path and record) holds the token sealed inside the
    stage and its fingerprint, which recovery checks before it trusts dest.new. Without one (dist/),
    the caller recovers first; ``dest`` is missing only between the two renames."""
    stage, dest = Path(stage), Path(dest)
    new = _sibling(dest, "new")
    fsync_tree(stage)
    os.rename(stage, new)
    fsync_dir(dest.parent)
    checkpoint("new-in-place")
    path = None
    if journal is not None:
        path, record = journal
        try:  # the journal is the commit point: if it cannot be written (a full disk), undo the rename
            atomic_write(path, record.text())
        except BaseException:
            if not path.exists():
                shutil.rmtree(new, ignore_errors=True)
            raise
        checkpoint("journal-written")
    _finish_switch(dest, path)


def _finish_switch(dest: Path, journal: Path | str | None) -> None:
    """Roll a switch forward from any state where dest.new is complete (and, with a journal, trusted)."""
    new, old = _sibling(dest, "new"), _sibling(dest, "old")
    if dest.exists() and new.exists():
        os.rename(dest, old)
        fsync_dir(dest.parent)
        checkpoint("old-moved")
    if new.exists():
        remove(new / TOKEN_NAME)  # the proof has served: tables/ never holds it
        os.rename(new, dest)
        fsync_dir(dest.parent)
        checkpoint("new-moved")
    if journal is not None:
        Path(journal).unlink(missing_ok=True)
        fsync_dir(Path(journal).parent)
        checkpoint("journal-removed")
    remove(old)
    checkpoint("old-removed")


def _sibling(dest: Path, suffix: str) -> Path:
    return dest.parent / f"{dest.name}.{suffix}"


class StagedTables:
    """Stage new contents for some tables, validate a full staged package, then switch all tables
    at once (see the module docstring for the states). Hold ``package_lock`` around it.

        with package_lock(root), StagedTables(root) as staged:
            staged.write("tables/states.csv", text)
            problems = validate(staged.package)      # a full copy: descriptor, schemas, tables
            if not problems:
                staged.commit()
        # leaving without commit: the stage is removed and the package is untouched
    """

    def __init__(self, root: str | Path, tables_dir: str = "tables",
                 extras: Iterable[str] = ("datapackage.json", "schemas")) -> None:
        self.root = resolved(root)
        self.tables = inside(tables_dir, self.root)
        self.extras = list(extras)
        self.stage: Path | None = None

    @property
    def package(self) -> Path:
        """The staged package's root: validate this path as you would the real package."""
        if self.stage is None:
            raise RuntimeError("StagedTables is used outside its with block")
        return self.stage

    def __enter__(self) -> StagedTables:
        recover(self.root, self.tables.relative_to(self.root).as_posix())
        self.stage = make_stage(self.root / f"cac-{self.tables.name}")
        for name in self.extras:
            link_copy(inside(name, self.root), self.stage / name)
        link_copy(self.tables, self.stage / self.tables.relative_to(self.root))
        checkpoint("staged")
        return self

    def write(self, relative: str, data: bytes | str) -> Path:
        """Stage new contents for the file ``relative`` (e.g. "tables/states.csv"), which must lie
        in the tables directory."""
        target = inside(relative, self.package)
        staged_tables = self.package / self.tables.relative_to(self.root)
        if resolved(staged_tables) not in target.parents:
            raise OutsideRoot(f"{relative} is not in the tables directory")
        target.unlink(missing_ok=True)  # break the hard link before writing new contents
        atomic_write(target, data)
        return target

    def commit(self) -> None:
        """Switch the package to the staged tables, all or nothing; the journal vouches for them."""
        staged_tables = self.package / self.tables.relative_to(self.root)
        swap_dir(staged_tables, self.tables, (self.root / JOURNAL_NAME, seal(staged_tables, self.tables.name)))

    def __exit__(self, *exc: object) -> None:
        if self.stage is not None:
            shutil.rmtree(self.stage, ignore_errors=True)
            self.stage = None


def recover(root: str | Path, tables_dir: str = "tables", check: StageCheck | None = None,
            stream: IO[str] | None = None) -> None:
    """Run at the start of every writing command, holding the lock: finish or undo an interrupted
    table switch and delete leftovers of dead processes (stages, tables.new/.old, temp files).

    A staged ``tables.new`` is rolled forward only when :func:`scripts.journal.distrust` finds
    nothing against it, ``check`` (default: the one given to :func:`set_stage_check`) validating
    the staged package; otherwise the switch is rolled back and one line on ``stream`` says so."""
    root = resolved(root)
    tables = inside(tables_dir, root)
    journal, new, old = root / JOURNAL_NAME, _sibling(tables, "new"), _sibling(tables, "old")
    if os.path.lexists(new):
        why = distrust(root, journal, new, check or _stage_check, lambda: _staged_view(root, tables, new))
        if why:
            _roll_back(tables, journal, why, stream or sys.stderr)
        else:
            _finish_switch(tables, journal)
            print(f"note: finished an interrupted switch of {tables.name}/ (its journal and staged tables agree)",
                  file=stream or sys.stderr)
    elif os.path.lexists(journal):
        _finish_switch(tables, journal)  # new tables in place (or none staged): only leftovers remain
    else:
        _restore_old(tables)
    remove(old)
    remove_dead_leftovers(root, f".cac-{tables.name}.stage-")
    remove_dead_leftovers(tables)


def _roll_back(tables: Path, journal: Path, why: str, stream: IO[str]) -> None:
    """Keep tables/ (or put tables.old back when a kill left it missing) and remove the staged
    tables and the journal, unlinking links rather than following them; say so in one line."""
    _restore_old(tables)
    removed = [name for name in (remove(_sibling(tables, "new")), remove(journal)) if name]
    fsync_dir(tables.parent)
    print(f"note: an unfinished switch of {tables.name}/ was rolled back ({why}): {tables.name}/ is kept, "
          f"{' and '.join(removed)} removed", file=stream)


def _restore_old(tables: Path) -> None:
    """Put ``tables.old`` back when a kill between the two renames left ``tables/`` missing (a real
    folder only: a link named tables.old is not followed)."""
    old = _sibling(tables, "old")
    if not os.path.lexists(tables) and old.is_dir() and not old.is_symlink():
        os.rename(old, tables)


def _staged_view(root: Path, tables: Path, new: Path) -> Path:
    """A staged package to validate: the descriptor and schemas, with ``new`` as the tables."""
    view = make_stage(root / f"cac-{tables.name}")
    for name in ("datapackage.json", "schemas"):
        link_copy(inside(name, root), view / name)
    link_copy(new, view / tables.relative_to(root))
    return view


def set_stage_check(check: StageCheck | None) -> None:
    """Give recovery the validator it runs on a staged package before rolling it forward (the
    command line does, at start): files.py does not import the validator. Without one, recovery
    rolls back."""
    global _stage_check
    _stage_check = check
