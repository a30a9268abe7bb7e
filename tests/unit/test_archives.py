"""scripts.archives: a stranger's zip extracted within bounds, confined, and left nowhere on refusal."""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

import pytest

from scripts import archives
from scripts.archives import UnsafeArchive

BOUNDS = {"max_total": 1 << 20, "max_member": 1 << 20, "max_members": 100}


def safe_extract(zip_path: Path, dest: Path, **bounds: int) -> list[Path]:
    return archives.safe_extract(zip_path, dest, **{**BOUNDS, **bounds})


def _zip(path: Path, members: dict[str, bytes], symlink: str | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return path


def _damaged(path: Path, members: dict[str, bytes], last: str) -> Path:
    """A zip of ``members`` then ``last``, stored uncompressed, whose last member's data is flipped:
    the central directory passes every check, and reading the member fails its CRC."""
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_STORED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        archive.writestr(last, b"the genuine bytes")
    data = bytearray(raw.getvalue())
    at = data.rfind(b"the genuine bytes")
    data[at] ^= 0xFF
    path.write_bytes(bytes(data))
    return path


@pytest.fixture()
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def test_extracts_within_bounds_and_returns_what_it_made(tmp_path: Path, out: Path) -> None:
    written = safe_extract(_zip(tmp_path / "ok.zip", {"a/b/c.txt": b"hi", "d.txt": b"yo", "e/": b""}), out)
    assert [p.relative_to(out).as_posix() for p in written] == ["a", "a/b", "a/b/c.txt", "d.txt", "e"]
    assert (out / "a" / "b" / "c.txt").read_bytes() == b"hi" and (out / "e").is_dir()


@pytest.mark.parametrize(("members", "link", "limits", "message"), [
    ({"../evil.txt": b"x"}, None, {}, "member '../evil.txt' would be written outside the target"),
    ({"/abs.txt": b"x"}, None, {}, "member '/abs.txt' would be written outside the target"),
    ({"ok.txt": b"x"}, "link", {}, "member 'link' is a symbolic link; links are refused"),
    ({"big.bin": bytes(4096)}, None, {"max_member": 1024},
     "member 'big.bin' unpacks to 4,096 bytes; more than 1,024 is refused"),
    ({"a": bytes(600), "b": bytes(600)}, None, {"max_total": 1000},
     "unpacks to 1,200 bytes; more than 1,000 is refused"),
    ({f"m{i}": b"" for i in range(11)}, None, {"max_members": 10}, "11 members; more than 10 is refused"),
])
def test_refuses_what_breaks_a_bound_and_writes_nothing(tmp_path: Path, out: Path, members: dict[str, bytes],
                                                       link: str | None, limits: dict[str, int], message: str) -> None:
    bad = _zip(tmp_path / "bad.zip", members, link)
    with pytest.raises(UnsafeArchive) as caught:
        safe_extract(bad, out, **limits)
    assert str(caught.value) == f"{bad}: {message}"
    assert list(out.iterdir()) == []
    assert not (tmp_path / "evil.txt").exists()


def test_every_bound_is_inclusive(tmp_path: Path, out: Path) -> None:
    """Exactly max_members members, a member of exactly max_member bytes, exactly max_total in all."""
    members = {"a": bytes(600), "b": bytes(400)}
    written = safe_extract(_zip(tmp_path / "edge.zip", members), out, max_total=1000, max_member=600, max_members=2)
    assert [p.stat().st_size for p in written] == [600, 400]


def test_two_members_of_one_name_are_refused(tmp_path: Path, out: Path) -> None:
    path = tmp_path / "twice.zip"
    with pytest.warns(UserWarning, match="Duplicate name"), zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.txt", b"one")
        archive.writestr("a.txt", b"two")
    with pytest.raises(UnsafeArchive) as caught:
        safe_extract(path, out)
    assert str(caught.value) == f"{path}: two members have the same name"


@pytest.mark.parametrize(("name", "escapes"), [
    ("/abs", True), ("a\\b", True), ("a\0b", True), ("C:x", True), ("c:x", True), ("../x", True),
    ("a/../b", True), ("a/..", True), ("..", True),
    ("a/b", False), ("..a", False), ("a..b", False), ("a/b.", False), (":x", False), ("ab:c", False), ("1:x", False),
])
def test_a_name_escapes_when_absolute_climbing_a_drive_or_holding_nul(name: str, escapes: bool) -> None:
    assert archives._escapes(name) is escapes


def test_a_damaged_member_removes_everything_made_before_it(tmp_path: Path, out: Path) -> None:
    """Folders (named members and the ones made for a file) and files: all gone, deepest first."""
    bad = _damaged(tmp_path / "crc.zip", {"d/": b"", "a/b/c.txt": b"first"}, "z.txt")
    with pytest.raises(UnsafeArchive) as caught:
        safe_extract(bad, out)
    assert str(caught.value).startswith(f"{bad}: a damaged zip archive (Bad CRC-32 for file 'z.txt')")
    assert list(out.iterdir()) == []


def test_a_refusal_keeps_the_folders_that_were_there(tmp_path: Path, out: Path) -> None:
    (out / "kept").mkdir()
    (out / "kept" / "mine.txt").write_text("mine")
    (out / "empty").mkdir()
    bad = _damaged(tmp_path / "crc.zip", {"kept/": b"", "empty/": b"", "kept/new.txt": b"new"}, "z.txt")
    with pytest.raises(UnsafeArchive, match="a damaged zip archive"):
        safe_extract(bad, out)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == ["empty", "kept", "kept/mine.txt"]


def test_a_member_that_cannot_be_removed_does_not_hide_the_refusal(tmp_path: Path, out: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    bad = _damaged(tmp_path / "crc.zip", {"a.txt": b"first"}, "z.txt")

    def stuck(self: Path, *args: object) -> None:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "unlink", stuck)
    with pytest.raises(UnsafeArchive, match="a damaged zip archive"):
        safe_extract(bad, out)
    assert sorted(p.name for p in out.iterdir()) == ["a.txt", "z.txt"]


def test_a_lying_header_is_cut_off(tmp_path: Path, out: Path) -> None:
    """A member whose central directory claims 100 bytes but inflates to 10 MB: refused after at
    most the declared size was written, and the partial file removed."""
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bomb.bin", bytes(10 * 2**20))
    data = bytearray(raw.getvalue())
    central = data.rfind(b"PK\x01\x02")
    data[central + 24:central + 28] = (100).to_bytes(4, "little")  # uncompressed size in the directory
    local = data.find(b"PK\x03\x04")
    data[local + 22:local + 26] = (100).to_bytes(4, "little")
    bomb = tmp_path / "bomb.zip"
    bomb.write_bytes(bytes(data))
    with pytest.raises(UnsafeArchive, match="a damaged zip archive"):
        safe_extract(bomb, out, max_member=64 << 20, max_total=64 << 20)
    assert list(out.iterdir()) == []
