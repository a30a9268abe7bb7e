"""scripts.journal: when a staged ``tables.new/`` may be rolled forward, and why not (each reason in
its own words); the journal's form; the fingerprint and token that vouch for a stage."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from scripts import journal
from scripts.journal import TOKEN_NAME, Journal, distrust, fingerprint, read, seal

TOKEN = "the journal's token does not match tables.new"


@pytest.fixture()
def stage(tmp_path: Path) -> tuple[Path, Path, Path]:
    """(root, journal path, tables.new) of a sealed stage outside any git checkout."""
    root = tmp_path / "pkg"
    new = root / "tables.new"
    new.mkdir(parents=True)
    (new / "states.csv").write_text("state_id\nKAZ\n", encoding="utf-8")
    path = root / ".cac-journal"
    path.write_text(seal(new, "tables").text(), encoding="utf-8")
    return root, path, new


def _view(tmp_path: Path, seen: list[Path]) -> object:
    def view() -> Path:
        folder = tmp_path / f"view{len(seen)}"
        folder.mkdir()
        seen.append(folder)
        return folder
    return view


def _why(stage: tuple[Path, Path, Path], tmp_path: Path, check: object = lambda staged: True) -> str:
    root, path, new = stage
    return distrust(root, path, new, check, _view(tmp_path, []))  # type: ignore[arg-type]


def test_a_sealed_stage_that_validates_is_trusted(stage: tuple[Path, Path, Path], tmp_path: Path) -> None:
    seen: list[Path] = []
    checked: list[Path] = []

    def check(staged: Path) -> bool:
        checked.append(staged)
        assert staged.is_dir()  # the view exists while it is checked
        return True

    root, path, new = stage
    assert distrust(root, path, new, check, _view(tmp_path, seen)) == ""
    assert checked == seen and not seen[0].exists()  # the view built for the check, then removed


@pytest.mark.parametrize(("breaking", "reason"), [
    (lambda root, path, new: path.unlink(), "there is no journal"),
    (lambda root, path, new: (path.unlink(), path.symlink_to(root / "elsewhere")), "the journal is a symbolic link"),
    (lambda root, path, new: (shutil.rmtree(new), new.symlink_to(root)), "tables.new is a symbolic link"),
    (lambda root, path, new: (shutil.rmtree(new), new.write_text("x")), "tables.new is not a folder"),
    (lambda root, path, new: path.write_text("switch tables\n"), "the journal cannot be read"),
    (lambda root, path, new: path.write_text(Journal("meetings", "t", "f").text()), "the journal cannot be read"),
    (lambda root, path, new: (new / TOKEN_NAME).write_text("another\n"), TOKEN),
    (lambda root, path, new: (new / TOKEN_NAME).unlink(), TOKEN),
    (lambda root, path, new: (new / "states.csv").write_text("state_id\nUZB\n"),
     "tables.new changed after it was staged"),
])
def test_each_reason_not_to_roll_forward(stage: tuple[Path, Path, Path], tmp_path: Path, breaking, reason: str) -> None:
    breaking(*stage)
    assert _why(stage, tmp_path) == reason


def test_a_stage_that_does_not_validate_or_has_no_validator(stage: tuple[Path, Path, Path], tmp_path: Path) -> None:
    assert _why(stage, tmp_path, lambda staged: False) == "the staged tables do not validate"
    assert _why(stage, tmp_path, None) == "no validator was given"
    assert list(tmp_path.glob("view*")) == []  # a failed check's view is removed too


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
@pytest.mark.parametrize("committed", [".cac-journal", "tables.new"])
def test_a_stage_git_tracks_is_not_trusted(stage: tuple[Path, Path, Path], tmp_path: Path, committed: str) -> None:
    root = stage[0]
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "--", committed], check=True)
    subprocess.run([*git, "commit", "-qm", "fork"], check=True)
    assert _why(stage, tmp_path) == f"{committed} is tracked by git"
    assert journal.tracked_by_git(root, root / committed)
    other = ({".cac-journal", "tables.new"} - {committed}).pop()
    assert not journal.tracked_by_git(root, root / other)


def test_without_git_nothing_counts_as_tracked(stage: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    assert journal.tracked_by_git(stage[0], stage[1]) is False


def test_a_journal_is_read_only_in_its_own_form(tmp_path: Path) -> None:
    path = tmp_path / "journal"
    good = {"switch": "tables", "token": "ab" * 16, "fingerprint": "f" * 64}
    path.write_text(json.dumps(good))
    assert read(path) == Journal("tables", "ab" * 16, "f" * 64)
    for bad in ([good], {**good, "token": ""}, {**good, "token": 5}, {"switch": "tables", "token": "t"}, "text"):
        path.write_text(json.dumps(bad))
        assert read(path) is None, bad
    padded = json.dumps(good).encode().rjust(journal.MAX_JOURNAL)
    path.write_bytes(padded)
    assert read(path) == Journal("tables", "ab" * 16, "f" * 64)  # exactly MAX_JOURNAL bytes is read whole
    path.write_bytes(b" " + padded)
    assert read(path) is None  # one byte more: not ours
    path.write_bytes(json.dumps({**good, "switch": "tablés"}, ensure_ascii=False).encode("latin-1"))
    assert read(path) is None  # not UTF-8
    link = tmp_path / "link"
    path.write_text(json.dumps(good))
    link.symlink_to(path)
    assert read(link) is None and read(tmp_path) is None and read(tmp_path / "absent") is None


def test_a_journal_on_a_fifo_is_not_waited_for(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    assert read(fifo) is None


def test_the_token_is_read_as_written_and_only_from_a_regular_file(tmp_path: Path) -> None:
    new = tmp_path / "tables.new"
    new.mkdir()
    (new / TOKEN_NAME).write_text(" " + "a" * 70 + "\n", encoding="ascii")
    assert journal._token(new) == "a" * 64
    (new / TOKEN_NAME).write_bytes(b"\xff token")
    assert journal._token(new) == "\ufffd token"  # undecodable bytes replaced, never an error
    (new / TOKEN_NAME).write_text("é", encoding="utf-8")
    assert journal._token(new) == "\ufffd\ufffd"  # read as ASCII, whatever the locale
    (new / TOKEN_NAME).unlink()
    (new / TOKEN_NAME).symlink_to(tmp_path / "elsewhere")
    (tmp_path / "elsewhere").write_text("secret")
    assert journal._token(new) == ""


def test_the_fingerprint_sees_names_bytes_and_link_targets_but_not_the_token(tmp_path: Path) -> None:
    folder = tmp_path / "t"
    folder.mkdir()
    (folder / "a.csv").write_bytes(b"x\n")
    first = fingerprint(folder)
    (folder / TOKEN_NAME).write_text("token")
    assert fingerprint(folder) == first
    (folder / "a.csv").write_bytes(b"y\n")
    assert fingerprint(folder) != first
    (folder / "a.csv").write_bytes(b"x\n")
    assert fingerprint(folder) == first
    (folder / "a.csv").rename(folder / "b.csv")
    assert fingerprint(folder) != first
    (folder / "b.csv").rename(folder / "a.csv")
    (folder / "l").symlink_to("one")
    linked = fingerprint(folder)
    (folder / "l").unlink()
    (folder / "l").symlink_to("two")
    assert fingerprint(folder) not in (first, linked)


def test_the_fingerprint_is_the_documented_sha256_for_a_file_read_in_several_pieces(tmp_path: Path) -> None:
    """Name, kind, size and every byte, in order, whatever the read size (3 MiB: three reads)."""
    import hashlib
    import stat

    folder = tmp_path / "t"
    (folder / "sub").mkdir(parents=True)
    data = bytes(range(256)) * (3 * 4096)
    (folder / "sub" / "big.csv").write_bytes(data)
    expected = hashlib.sha256()
    expected.update(f"sub\0{stat.S_IFDIR}\0{os.lstat(folder / 'sub').st_size}\0".encode())
    expected.update(f"sub/big.csv\0{stat.S_IFREG}\0{len(data)}\0".encode() + data)
    assert fingerprint(folder) == expected.hexdigest()


def test_a_file_swapped_after_it_was_looked_at_is_never_followed_or_waited_for(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Between looking at an entry and reading it, a regular file may become a link or a FIFO: the
    read then fails on the link (never reading what it points to) and does not wait on the FIFO."""
    import errno
    import threading

    regular = tmp_path / "regular"
    regular.write_text("r")
    real_lstat = os.lstat
    monkeypatch.setattr(journal.os, "lstat", lambda path: real_lstat(regular))  # "it was a file"
    linked = tmp_path / "linked"
    linked.mkdir()
    (tmp_path / "secret").write_text("secret")
    (linked / "a.csv").symlink_to(tmp_path / "secret")
    with pytest.raises(OSError) as raised:
        fingerprint(linked)
    assert raised.value.errno == errno.ELOOP
    piped = tmp_path / "piped"
    piped.mkdir()
    os.mkfifo(piped / "a.csv")
    done = threading.Event()
    worker = threading.Thread(target=lambda: (fingerprint(piped), done.set()), daemon=True)
    worker.start()
    worker.join(timeout=5)
    if not done.is_set():  # free the blocked open so the thread can end
        os.close(os.open(piped / "a.csv", os.O_WRONLY | os.O_NONBLOCK))
    assert done.is_set()


def test_a_check_that_removes_its_view_itself_is_still_believed(stage: tuple[Path, Path, Path],
                                                                tmp_path: Path) -> None:
    assert _why(stage, tmp_path, lambda staged: shutil.rmtree(staged) or True) == ""


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_asking_git_prints_nothing(stage: tuple[Path, Path, Path], capfd: pytest.CaptureFixture[str]) -> None:
    root = stage[0]
    subprocess.run(["git", "-C", str(root), "init", "-q"], check=True)
    capfd.readouterr()
    assert journal.tracked_by_git(root, stage[1]) is False  # git says "did not match" on its stderr
    assert capfd.readouterr() == ("", "")


def test_a_git_that_does_not_answer_in_time_counts_as_tracking(stage: tuple[Path, Path, Path],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[float] = []

    def slow(*args: object, timeout: float, **kwargs: object) -> None:
        asked.append(timeout)
        raise subprocess.TimeoutExpired("git", timeout)

    monkeypatch.setattr(journal.shutil, "which", lambda name: "/usr/bin/git")
    monkeypatch.setattr(journal.subprocess, "run", slow)
    assert journal.tracked_by_git(stage[0], stage[1]) is True  # cannot tell: not trusted
    assert asked == [journal.GIT_TIMEOUT]
