"""Open a version of the package named by a folder, a release zip or a git ref.

Zips (and git refs, exported with ``git archive --format=zip``) are unpacked into a private
temporary folder with :func:`scripts.archives.safe_extract`, which checks the sizes and names in the
central directory before writing and cuts off any member that inflates past its declared size, so
a 4 MB zip bomb is refused in milliseconds instead of filling the disk.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from scripts.archives import UnsafeArchive, safe_extract
from scripts.files import regular_file
from scripts.model.package import DESCRIPTOR, Package, PackageError, load_package, parse_json

MAX_UNPACKED = 256 << 20  # far above any honest release of this package (a few MB)
MAX_MEMBER = 64 << 20
MAX_MEMBERS = 10_000
GIT_TIMEOUT = 300  # seconds for one git command; an archive of this repository takes well under one


def split_range(spec: str) -> tuple[str, str] | None:
    """``"v1.2.3..HEAD"`` -> ("v1.2.3", "HEAD"); None when ``spec`` is not a range."""
    if ".." in spec and not Path(spec).exists():
        old, new = spec.split("..", 1)
        if old and new and "/" not in old[:1]:
            return old, new
    return None


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    """Run git in ``repo``. Callers put ``--end-of-options`` before any ref: a ref is data (a tag
    named ``--output=PATH`` must never become an option), and git is given a time bound."""
    try:
        return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, timeout=GIT_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise PackageError(f"git {args[0]} in {repo} did not finish within {GIT_TIMEOUT} s") from None


def is_git_ref(repo: Path, ref: str) -> bool:
    """Does ``ref`` name a commit in the git checkout at ``repo``?"""
    if shutil.which("git") is None or ref.startswith("-"):
        return False
    return _git(repo, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}").returncode == 0


def _unpack(zip_path: Path, dest: Path) -> Path:
    """Unpack a zip safely; return the folder holding its top-most datapackage.json."""
    try:
        safe_extract(zip_path, dest, max_total=MAX_UNPACKED, max_member=MAX_MEMBER, max_members=MAX_MEMBERS)
    except UnsafeArchive as exc:
        raise PackageError(f"{zip_path}: refused: {exc}") from None
    except zipfile.BadZipFile as exc:
        raise PackageError(f"{zip_path}: not a readable zip ({exc})") from None
    found = sorted(dest.glob(f"**/{DESCRIPTOR}"), key=lambda p: len(p.parts))
    if not found:
        raise PackageError(f"{zip_path}: no {DESCRIPTOR} in the zip")
    return found[0].parent


def _archive_ref(repo: Path, ref: str, tmp: Path) -> Path:
    """``git archive`` the tree at ``ref`` as a zip in ``tmp``, then unpack it safely."""
    archive = tmp / "ref.zip"
    done = _git(repo, "archive", "--format=zip", f"--output={archive}", "--end-of-options", ref)
    if done.returncode != 0:
        raise PackageError(f"git archive {ref} failed: {done.stderr.decode(errors='replace').strip()}")
    unpacked = tmp / "tree"
    unpacked.mkdir()
    return _unpack(archive, unpacked)


@contextmanager
def open_version(spec: str | Path, repo: Path = Path(".")) -> Iterator[Package]:
    """The package at ``spec``: a package folder, a release zip, or a git ref of ``repo``."""
    path = Path(spec)
    if path.is_dir():
        yield load_package(path)
        return
    if os.path.lexists(path):
        regular_file(path)  # a FIFO or device given as the zip: refused before it is opened
    with tempfile.TemporaryDirectory(prefix="cac-version-") as tmp:
        if path.is_file():
            if not zipfile.is_zipfile(path):
                raise PackageError(f"{path}: neither a package folder nor a zip file")
            unpacked = Path(tmp) / "zip"
            unpacked.mkdir()
            yield load_package(_unpack(path, unpacked))
        elif is_git_ref(repo, str(spec)):
            yield load_package(_archive_ref(repo, str(spec), Path(tmp)))
        else:
            raise PackageError(f"{spec}: no such folder, zip file or git ref")


def previous_tag(repo: Path, version: str, stream: IO[str] | None = None) -> str | None:
    """The newest tag merged into HEAD whose datapackage.json has a version other than
    ``version`` (None outside a git checkout or without such a tag).

    Tags are content (a fork brings its own): each is read as ``refs/tags/NAME`` after
    ``--end-of-options``, and a name starting with "-" is skipped with a warning on ``stream``."""
    if shutil.which("git") is None:
        return None
    done = _git(repo, "tag", "--list", "--merged", "HEAD", "--sort=-v:refname")
    if done.returncode != 0:
        return None
    for tag in done.stdout.decode("utf-8", "replace").split():
        if tag.startswith("-"):
            print(f"warning: git tag {tag!r} starts with '-'; it is skipped (a tag is never passed to git "
                  "as an option)", file=stream or sys.stderr)
            continue
        shown = _git(repo, "show", "--end-of-options", f"refs/tags/{tag}:{DESCRIPTOR}")
        try:
            tagged = parse_json(shown.stdout, f"{tag}:{DESCRIPTOR}").get("version") if shown.returncode == 0 \
                else version
        except PackageError:  # unreadable, too large or too deep: not a version to compare with
            continue
        if tagged != version:
            return tag
    return None
