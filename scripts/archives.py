"""Bounded, confined extraction of zip archives given by someone else (release zips for ``diff`` and
``release --previous``, git trees exported by ``git archive``).

Why a module of its own: a zip is untrusted content; every bound it must respect (member count,
sizes declared and actual, names that stay inside the target, no links) is checked here once.
"""

from __future__ import annotations

import re
import stat
import zipfile
from contextlib import suppress
from pathlib import Path

from scripts.files import CHUNK, inside, resolved


class UnsafeArchive(ValueError):
    """A zip that is too large, lies about its sizes, or holds names or links that escape."""


def safe_extract(zip_path: str | Path, dest: str | Path, *, max_total: int, max_member: int,
                 max_members: int) -> list[Path]:
    """Extract ``zip_path`` into the existing directory ``dest`` within the given bounds (bytes
    unpacked in all, bytes of one member, members), each its caller's to choose.

    Sizes are checked in the central directory first and again while streaming (a member that
    inflates beyond its declared size is cut off), names must be relative without ``..``, and
    symlink members are refused. Returns every path created, folders and files, in the order made.
    On refusal (UnsafeArchive) nothing created is left behind, and no folder that was there goes."""
    dest = resolved(dest)
    written: list[Path] = []
    try:
        with zipfile.ZipFile(zip_path) as archive:
            infos = _checked_members(archive, dest, max_total, max_member, max_members)
            for info in infos:
                _extract_member(archive, info, dest, written)
    except BaseException as exc:
        for path in reversed(written):
            with suppress(OSError):
                path.rmdir() if path.is_dir() else path.unlink()
        if isinstance(exc, zipfile.BadZipFile | EOFError):
            raise UnsafeArchive(f"{zip_path}: a damaged zip archive ({exc})") from exc
        raise
    return written


def _checked_members(archive: zipfile.ZipFile, dest: Path, max_total: int, max_member: int,
                     max_members: int) -> list[zipfile.ZipInfo]:
    """The members, refused as a whole if any name, link or declared size breaks a bound."""
    infos = archive.infolist()
    if len(infos) > max_members:
        raise UnsafeArchive(f"{archive.filename}: {len(infos):,} members; more than {max_members:,} is refused")
    if len({i.filename for i in infos}) != len(infos):
        raise UnsafeArchive(f"{archive.filename}: two members have the same name")
    total = 0
    for info in infos:
        name = info.filename
        if _escapes(name):
            raise UnsafeArchive(f"{archive.filename}: member {name!r} would be written outside the target")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise UnsafeArchive(f"{archive.filename}: member {name!r} is a symbolic link; links are refused")
        if info.file_size > max_member:
            raise UnsafeArchive(f"{archive.filename}: member {name!r} unpacks to {info.file_size:,} bytes; "
                                f"more than {max_member:,} is refused")
        total += info.file_size
        inside(dest / name, dest)
    if total > max_total:
        raise UnsafeArchive(f"{archive.filename}: unpacks to {total:,} bytes; more than {max_total:,} is refused")
    return infos


def _escapes(name: str) -> bool:
    """A member name that is absolute, climbs with "..", or names a drive or NUL."""
    return name.startswith("/") or "\\" in name or "\0" in name or bool(re.match(r"^[A-Za-z]:", name)) \
        or ".." in name.split("/")


def _extract_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, dest: Path, written: list[Path]) -> None:
    """Stream one member to disk. zipfile itself never yields more than the central directory
    declares and then checks the CRC, so a lying header ends as BadZipFile."""
    target = dest / info.filename
    _make_dirs(dest, target if info.is_dir() else target.parent, written)
    if info.is_dir():
        return
    with archive.open(info) as source, open(target, "xb") as sink:
        written.append(target)
        while chunk := source.read(CHUNK):
            sink.write(chunk)


def _make_dirs(dest: Path, folder: Path, written: list[Path]) -> None:
    """Create ``folder`` and the folders between it and ``dest`` that do not exist yet, recording
    each one created (outermost first): a refusal removes them, and never a folder that was there."""
    missing = [p for p in [folder, *folder.parents] if p != dest and dest in p.parents and not p.is_dir()]
    for path in reversed(missing):
        path.mkdir()
        written.append(path)
