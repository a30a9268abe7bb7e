"""scripts/files.py and scripts/archives.py: atomic writes, confinement, fingerprints, staged
tables, bounded extraction, OS errors in plain words. Kill -9 and concurrency live in test_faults.py."""

from __future__ import annotations

import errno
import os
import shutil
import stat
from pathlib import Path

import pytest

from scripts import files, oserrors


def _package(root: Path) -> Path:
    """A minimal package: descriptor, one schema, two tables."""
    (root / "tables").mkdir(parents=True)
    (root / "schemas").mkdir()
    (root / "datapackage.json").write_text('{"name": "t"}\n')
    (root / "schemas" / "a.json").write_text("{}\n")
    (root / "tables" / "a.csv").write_text("id\n1\n")
    (root / "tables" / "b.csv").write_text("id\n2\n")
    return root


def _leftovers(root: Path) -> list[str]:
    return sorted(p.name for d in (root, root / "tables") for p in d.iterdir()
                  if (p.name.startswith(".") and p.name != files.LOCK_NAME) or p.name.startswith("tables."))


def test_atomic_write_replaces_with_umask_mode(tmp_path: Path) -> None:
    target = tmp_path / "x.csv"
    target.write_text("old")
    old_mask = os.umask(0o027)
    try:
        files.atomic_write(target, "new ✓")
    finally:
        os.umask(old_mask)
    assert target.read_text(encoding="utf-8") == "new ✓"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["x.csv"]


@pytest.mark.parametrize("victim", ["write", "replace", "fsync"])
def test_atomic_write_enospc_keeps_old_file_and_no_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        victim: str) -> None:
    target = tmp_path / "x.csv"
    target.write_text("old")

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, victim, full)
    with pytest.raises(OSError) as caught:
        files.atomic_write(target, b"new" * 1000)
    monkeypatch.undo()
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.csv"]
    assert oserrors.describe_os_error(caught.value, "tables/x.csv") == (
        "cannot use tables/x.csv: the disk is full (free some space and run the command again)")


@pytest.mark.parametrize(("code", "words"), [
    (errno.EROFS, "the file system is read-only"), (errno.EACCES, "permission denied"),
    (errno.ENOENT, "no such file or directory"), (errno.EBUSY, "the file or device is busy"),
    (errno.EFBIG, "the file is too large for the file system"), (errno.EDQUOT, "the disk quota is exceeded"),
])
def test_describe_os_error_names_the_cause(code: int, words: str) -> None:
    line = oserrors.describe_os_error(OSError(code, os.strerror(code)), "dist/x.zip")
    assert line.startswith(f"cannot use dist/x.zip: {words}")
    assert "\n" not in line


def test_describe_os_error_generic() -> None:
    assert oserrors.describe_os_error(OSError(errno.EIO, "Input/output error")) == (
        "file system error: Input/output error")


def test_inside_refuses_escapes_and_symlinks(tmp_path: Path) -> None:
    root = _package(tmp_path / "pkg")
    (tmp_path / "outside.csv").write_text("secret")
    (root / "tables" / "link.csv").symlink_to(tmp_path / "outside.csv")
    assert files.inside("tables/a.csv", root) == (root / "tables" / "a.csv").resolve()
    for bad in ("../outside.csv", "tables/link.csv", "/etc/passwd"):
        with pytest.raises(files.OutsideRoot, match="lies outside"):
            files.inside(bad, root)


def test_a_symbolic_link_loop_is_an_os_error_wherever_a_path_is_resolved(tmp_path: Path) -> None:
    loop, other = tmp_path / "loop.csv", tmp_path / "other"
    loop.symlink_to(loop)
    (tmp_path / "data.csv").write_text("a\n", encoding="utf-8")
    other.symlink_to(tmp_path / "data.csv")
    with pytest.raises(OSError) as refused:
        files.resolved(loop)
    assert (refused.value.errno, refused.value.strerror, refused.value.filename) == (
        errno.ELOOP, "Too many levels of symbolic links", str(loop))
    assert files.resolved(other) == (tmp_path / "data.csv").resolve()
    assert files.resolved("relative") == Path.cwd() / "relative"
    with pytest.raises(OSError) as refused:
        files.inside("loop.csv", tmp_path)
    assert refused.value.errno == errno.ELOOP
    with pytest.raises(OSError) as refused:
        files.read_regular(loop)
    assert refused.value.errno == errno.ELOOP


def test_fingerprint_changes_with_bytes_and_names_only(tmp_path: Path) -> None:
    root = _package(tmp_path / "pkg")
    names = ["tables/b.csv", "tables/a.csv"]
    first = files.tables_fingerprint(root, names)
    assert first == files.tables_fingerprint(root, list(reversed(names)))
    assert len(first) == 64
    (root / "tables" / "a.csv").write_text("id\n1\n")  # same bytes, new mtime
    assert files.tables_fingerprint(root, names) == first
    (root / "tables" / "a.csv").write_text("id\n3\n")
    assert files.tables_fingerprint(root, names) != first


def test_staged_tables_commit_switches_all(tmp_path: Path) -> None:
    root = _package(tmp_path / "pkg")
    with files.StagedTables(root) as staged:
        staged.write("tables/a.csv", "id\n10\n")
        staged.write("tables/c.csv", "id\n30\n")
        pkg = staged.package
        assert (pkg / "datapackage.json").read_text() == '{"name": "t"}\n'
        assert (pkg / "schemas" / "a.json").exists()
        assert (pkg / "tables" / "a.csv").read_text() == "id\n10\n"
        assert (root / "tables" / "a.csv").read_text() == "id\n1\n"  # the live table is untouched
        staged.commit()
    assert {p.name: p.read_text() for p in (root / "tables").iterdir()} == {
        "a.csv": "id\n10\n", "b.csv": "id\n2\n", "c.csv": "id\n30\n"}
    assert _leftovers(root) == []


def test_staged_tables_without_commit_changes_nothing(tmp_path: Path) -> None:
    root = _package(tmp_path / "pkg")
    with files.StagedTables(root) as staged:
        staged.write("tables/a.csv", "id\n10\n")
    assert (root / "tables" / "a.csv").read_text() == "id\n1\n"
    assert _leftovers(root) == []


def test_staged_tables_refuses_writes_outside_tables(tmp_path: Path) -> None:
    root = _package(tmp_path / "pkg")
    with files.StagedTables(root) as staged:
        for bad in ("datapackage.json", "../../evil.csv", "schemas/a.json"):
            with pytest.raises(files.OutsideRoot):
                staged.write(bad, "x")
    assert not (tmp_path / "evil.csv").exists()
    assert (root / "datapackage.json").read_text() == '{"name": "t"}\n'


def test_swap_dir_replaces_and_creates(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    for content in ("one", "two"):
        stage = files.make_stage(dist)
        assert stage.name.startswith(".dist.stage-")
        (stage / "f.txt").write_text(content)
        files.swap_dir(stage, dist)
        assert (dist / "f.txt").read_text() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist"]


def test_recover_removes_dead_leftovers_only(tmp_path: Path) -> None:
    root = _package(tmp_path / "pkg")
    dead = 2**22 + 12345  # above the default pid_max, so no process has it
    for name in (f".a.csv.tmp-{dead}-abcd", f".a.csv.tmp-{os.getpid()}-abcd"):
        (root / "tables" / name).write_text("partial")
    (root / f".cac-tables.stage-{dead}-beef").mkdir()
    (root / "tables.new").mkdir()
    files.recover(root)
    assert _leftovers(root) == [f".a.csv.tmp-{os.getpid()}-abcd"]
    assert sorted(p.name for p in (root / "tables").iterdir())[-2:] == ["a.csv", "b.csv"]


def test_while_tables_switch_a_sealed_journal_vouches_for_the_staged_ones(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """What recovery would find after a kill at each step: the journal names tables/, and its token
    and fingerprint are those of tables.new (until the new tables are in place)."""
    from scripts import journal

    root = _package(tmp_path / "pkg")
    seen: dict[str, object] = {}

    def at(step: str) -> None:
        new = root / "tables.new"
        record = journal.read(root / files.JOURNAL_NAME)
        seen[step] = record if not new.exists() else (
            record, (new / journal.TOKEN_NAME).read_text().strip(), journal.fingerprint(new))

    monkeypatch.setattr(files, "checkpoint_hook", at)
    with files.StagedTables(root) as staged:
        staged.write("tables/a.csv", "id\n10\n")
        staged.commit()
    assert [step for step in seen if step not in ("staged", "tmp-written")] == [
        "new-in-place", "journal-written", "old-moved", "new-moved", "journal-removed", "old-removed"]
    assert seen["new-in-place"][0] is None  # type: ignore[index]  # no journal yet: a kill here rolls back
    record, token, fingerprint = seen["old-moved"]  # type: ignore[misc]
    assert record == journal.Journal("tables", token, fingerprint) and len(token) == 32
    assert seen["new-moved"] == record and seen["journal-removed"] is None


def test_the_lock_holder_is_the_pid_written_or_unknown(tmp_path: Path) -> None:
    path = tmp_path / "lock"
    for written, holder in ((b"12345\n", "12345"), (b"1" * 40, "1" * 32), (b"abc", "?"), (b"", "?"),
                            ("١٢".encode(), "?"), (b"\xff12", "?")):
        path.write_bytes(written)
        fd = os.open(path, os.O_RDONLY)
        try:
            assert files._lock_holder(fd) == holder, written
        finally:
            os.close(fd)


def test_a_fifo_is_refused_unopened_with_its_kind_in_words(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    with pytest.raises(files.NotRegularFile) as caught:
        files.read_regular(fifo)
    assert (str(caught.value), caught.value.kind) == (
        f"{fifo} is a FIFO (named pipe), not a regular file; nothing was read from it",
        "a FIFO (named pipe)")


def test_an_output_name_behind_a_link_out_of_its_folder_is_refused(tmp_path: Path) -> None:
    folder, outside = tmp_path / "dist", tmp_path / "outside"
    folder.mkdir()
    outside.mkdir()
    (folder / "pkg.zip").symlink_to(outside / "pkg.zip")
    assert files.output_file(folder, "pkg", ".csv", "name") == folder / "pkg.csv"
    with pytest.raises(files.UnsafeName) as caught:
        files.output_file(folder, "pkg", ".zip", "datapackage.json: name")
    assert str(caught.value) == f"datapackage.json: name 'pkg': {folder / 'pkg.zip'} is a link leading out of {folder}"


def test_a_lock_file_that_is_not_a_regular_file_says_what_it_is(tmp_path: Path) -> None:
    fifo, link, hard = tmp_path / "fifo.lock", tmp_path / "link.lock", tmp_path / "hard.lock"
    os.mkfifo(fifo)
    link.symlink_to(tmp_path / "elsewhere")
    (tmp_path / "other").write_text("")
    os.link(tmp_path / "other", hard)
    for path, kind in ((fifo, "a FIFO (named pipe)"), (link, "a symbolic link"), (hard, "a hard link to another file")):
        with pytest.raises(files.NotRegularFile) as caught:
            files._open_lock(path)
        assert caught.value.kind == kind
        assert str(caught.value) == (f"{path} is {kind}; the package lock must be a regular file: delete it and run "
                                     "the command again")


@pytest.mark.parametrize("written", [False, True])
def test_a_journal_that_cannot_be_written_undoes_the_stage_unless_it_was(tmp_path: Path, written: bool,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A full disk before the commit point: tables/ untouched and tables.new gone. Failing after the
    journal was written, tables.new stays for recovery to finish."""
    root = _package(tmp_path / "pkg")
    real = files.atomic_write

    def full(path: Path, text: str) -> None:
        if Path(path).name != files.JOURNAL_NAME:
            return real(path, text)
        if written:
            real(path, text)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files, "atomic_write", full)
    with pytest.raises(OSError, match="No space left"), files.StagedTables(root) as staged:
        staged.write("tables/a.csv", "id\n10\n")
        staged.commit()
    assert (root / "tables" / "a.csv").read_text() == "id\n1\n"
    assert (root / "tables.new").exists() is written and (root / files.JOURNAL_NAME).exists() is written


def test_atomic_write_makes_missing_folders_and_gives_exactly_0666_less_the_umask(tmp_path: Path) -> None:
    """Under umask 0 the mode is 0666 itself: never an execute bit on data (an umask such as 027
    would hide one in the others' bits)."""
    target = tmp_path / "dist" / "new" / "deeper" / "x.csv"
    old_mask = os.umask(0)
    try:
        files.atomic_write(target, "x")
    finally:
        os.umask(old_mask)
    assert target.read_text() == "x" and stat.S_IMODE(target.stat().st_mode) == 0o666


def test_atomic_write_that_cannot_create_its_temporary_file_raises_that_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With no temporary file made there is nothing to remove: the clean-up's own failure (no such
    file) is swallowed and the cause reaches the caller unchanged."""
    def full(*args: object, **kwargs: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "open", full)
    with pytest.raises(OSError) as caught:
        files.atomic_write(tmp_path / "x.csv", "x")
    assert caught.value.errno == errno.ENOSPC and list(tmp_path.iterdir()) == []


def test_an_unsafe_output_name_is_refused_naming_where_it_came_from(tmp_path: Path) -> None:
    with pytest.raises(files.UnsafeName) as caught:
        files.output_file(tmp_path, "../budget", ".zip", "datapackage.json: name")
    assert str(caught.value) == ("datapackage.json: name '../budget' cannot name a file: use "
                                 f"{files.FILE_NAME_WORDS}")


def test_staged_tables_recover_their_own_tables_folder_first(tmp_path: Path) -> None:
    """A package whose tables live in another folder gets that folder's dead leftovers removed."""
    root = _package(tmp_path / "pkg")
    (root / "tables").rename(root / "data")
    dead = 2**22 + 12345  # above the default pid_max, so no process has it
    (root / "data" / f".a.csv.tmp-{dead}-abcd").write_text("partial")
    with files.StagedTables(root, tables_dir="data") as staged:
        staged.write("data/a.csv", "id\n10\n")
        staged.commit()
    assert sorted(p.name for p in (root / "data").iterdir()) == ["a.csv", "b.csv"]


def test_staged_tables_outside_their_with_block_are_refused_and_leaving_never_fails(tmp_path: Path) -> None:
    root = _package(tmp_path / "pkg")
    staged = files.StagedTables(root)
    with pytest.raises(RuntimeError, match=r"^StagedTables is used outside its with block$"):
        _ = staged.package
    with staged:
        with pytest.raises(files.OutsideRoot, match=r"^schemas/a\.json is not in the tables directory$"):
            staged.write("schemas/a.json", "x")
        files.remove(staged.package)  # gone already (whoever removed it): leaving still succeeds
    with pytest.raises(RuntimeError, match=r"^StagedTables is used outside its with block$"):
        _ = staged.package
    assert _leftovers(root) == []


def test_every_kind_of_file_that_is_not_regular_is_named_in_words(tmp_path: Path) -> None:
    import socket

    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "folder").mkdir()
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(tmp_path / "sock"))
        kinds = {name: files.file_kind(os.lstat(tmp_path / name).st_mode) for name in ("fifo", "folder", "sock")}
    kinds["null"] = files.file_kind(os.lstat("/dev/null").st_mode)
    (tmp_path / "link").symlink_to(tmp_path / "fifo")
    kinds["link"] = files.file_kind(os.lstat(tmp_path / "link").st_mode)
    (tmp_path / "plain").write_text("x")
    kinds["plain"] = files.file_kind(os.lstat(tmp_path / "plain").st_mode)
    assert kinds == {"fifo": "a FIFO (named pipe)", "folder": "a directory", "sock": "a socket", "null": "a device",
                     "link": "a symbolic link", "plain": ""}
    with pytest.raises(files.NotRegularFile) as caught:
        files.read_regular(tmp_path / "folder")
    assert (str(caught.value), caught.value.kind) == (
        f"{tmp_path / 'folder'} is a directory, not a regular file; nothing was read from it", "a directory")


def test_a_file_is_read_whole_up_to_its_bound_and_refused_one_byte_past_it(tmp_path: Path) -> None:
    """The bound is inclusive and holds across reads: a file one byte longer than a whole number of
    reads is refused, not cut; the message gives the file's full size."""
    mib = 1 << 20
    exact, over, far = tmp_path / "exact", tmp_path / "over", tmp_path / "far"
    exact.write_bytes(bytes(range(256)) * (mib // 256))
    over.write_bytes(b"a" * (mib + 1))
    far.write_bytes(b"b" * (3 * mib))
    assert files.read_regular(exact, max_bytes=mib) == exact.read_bytes()
    assert files.read_regular(far) == far.read_bytes()
    for path, size in ((over, "1,048,577"), (far, "3,145,728")):
        with pytest.raises(files.FileTooLarge) as caught:
            files.read_regular(path, max_bytes=mib)
        assert str(caught.value) == f"{path} is {size} bytes; more than 1,048,576 is refused"


def test_a_file_is_read_in_blocks_of_the_size_asked_and_a_fifo_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(b"0123456789")
    assert list(files.read_blocks(path, 4)) == [b"0123", b"4567", b"89"]
    assert b"".join(files.read_blocks(path)) == b"0123456789"
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(files.NotRegularFile):
        next(files.read_blocks(tmp_path / "fifo"))


def test_a_fifo_swapped_in_after_the_look_is_refused_without_waiting(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """regular_file looked at a regular file; by the open it is a FIFO with no writer: the read
    neither waits for a writer nor returns it as empty, and no descriptor is left open."""
    import threading

    fifo = tmp_path / "a.csv"
    os.mkfifo(fifo)
    monkeypatch.setattr(files, "regular_file", Path)  # "it was a regular file"
    open_before = len(os.listdir("/proc/self/fd"))
    outcome: list[BaseException | bytes] = []

    def read() -> None:
        try:
            outcome.append(files.read_regular(fifo))
        except BaseException as exc:  # the test inspects whatever came out
            outcome.append(exc)

    worker = threading.Thread(target=read, daemon=True)
    worker.start()
    worker.join(timeout=5)
    waited = not outcome
    if waited:  # free the blocked open so the thread can end
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        worker.join(timeout=5)
    assert not waited, "the read waited for a writer on the FIFO"
    assert len(outcome) == 1 and isinstance(outcome[0], files.NotRegularFile), outcome
    assert (str(outcome[0]), outcome[0].kind) == (
        f"{fifo} is a FIFO (named pipe), not a regular file; nothing was read from it", "a FIFO (named pipe)")
    assert len(os.listdir("/proc/self/fd")) == open_before


def test_a_link_is_judged_by_its_target(tmp_path: Path) -> None:
    """Links are followed for the kind (confinement is checked apart): a link to a regular file is
    read, a link to a FIFO or a folder is refused naming what it points to."""
    (tmp_path / "data.csv").write_text("id\n1\n")
    os.mkfifo(tmp_path / "fifo")
    for name, target in (("to-data", "data.csv"), ("to-fifo", "fifo"), ("to-folder", ".")):
        (tmp_path / name).symlink_to(tmp_path / target)
    assert files.regular_file(tmp_path / "to-data") == tmp_path / "to-data"
    assert files.read_regular(tmp_path / "to-data") == b"id\n1\n"
    fifo, folder = "a FIFO (named pipe)", "a directory"
    for name, kind in (("to-fifo", fifo), ("to-folder", folder), ("fifo", fifo)):
        with pytest.raises(files.NotRegularFile) as caught:
            files.regular_file(tmp_path / name)
        assert (str(caught.value), caught.value.kind) == (
            f"{tmp_path / name} is {kind}, not a regular file; nothing was read from it", kind)


def test_both_kinds_of_device_are_a_device() -> None:
    """Read from the mode alone: a block device (a disk) is refused like a character device."""
    assert files.file_kind(stat.S_IFBLK | 0o660) == files.file_kind(stat.S_IFCHR | 0o666) == "a device"


def test_a_journal_that_cannot_be_written_undoes_the_rename_and_its_error_reaches_the_caller(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The full disk is what the user must read: a failure while cleaning up after it does not
    replace it, and the staged folder does not stay beside the tables."""
    from scripts.journal import seal

    root = _package(tmp_path / "pkg")
    stage = files.make_stage(root / "tables")
    (stage / "a.csv").write_text("id\n3\n")
    record = seal(stage, "tables")
    real_rmtree = shutil.rmtree

    def full_disk(path, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    def rmtree_failing_loudly(path, ignore_errors=False, **kwargs):
        real_rmtree(path, ignore_errors=True)
        if not ignore_errors:
            raise PermissionError(errno.EACCES, "cleanup failed", str(path))

    monkeypatch.setattr(files, "atomic_write", full_disk)
    monkeypatch.setattr(files.shutil, "rmtree", rmtree_failing_loudly)
    with pytest.raises(OSError) as caught:
        files.swap_dir(stage, root / "tables", (root / files.JOURNAL_NAME, record))
    assert caught.value.errno == errno.ENOSPC
    assert sorted(p.name for p in root.iterdir()) == ["datapackage.json", "schemas", "tables"]
    assert (root / "tables" / "a.csv").read_text() == "id\n1\n"
