"""validate_package as a library call: what it passes on (the second process only when asked), and
packages it cannot read a table of, which it reports rather than raising."""

from __future__ import annotations

import errno
import json
import os
import shutil
from pathlib import Path

import pytest

import scripts.validate
from scripts.model.names import PROVENANCE_LOCK
from scripts.report import Problem
from scripts.validate import validate_package
from tests.conftest import ROOT
from tests.data.corpus import edit_field


def test_the_second_process_is_asked_for_only_when_the_caller_says_parallel(
        package_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Library callers (the import, the tests) ask frictionless in process; the command line asks
    a second process meanwhile."""
    asked: list[bool] = []
    real = scripts.validate.start

    def spy(package, parallel=False):
        asked.append(parallel)
        return real(package, False)

    monkeypatch.setattr(scripts.validate, "start", spy)
    assert validate_package(package_copy) == []
    assert validate_package(package_copy, parallel=True) == []
    assert scripts.validate.run_validation(package_copy)[0] == []  # as --update-lock calls it
    assert asked == [False, True, False]


def test_a_package_with_no_table_file_names_each_and_nothing_else(package_copy: Path) -> None:
    descriptor = json.loads((package_copy / "datapackage.json").read_text(encoding="utf-8"))
    for path in (package_copy / "tables").glob("*.csv"):
        path.unlink()
    paths = [r["path"] for r in descriptor["resources"]]
    assert sorted(validate_package(package_copy), key=lambda p: p.file) == sorted(
        [Problem(path, None, None, None, "missing-file", f"{path} is listed in datapackage.json but does not exist",
                 "restore the file or fix its path in datapackage.json") for path in paths], key=lambda p: p.file)


def test_a_resource_leaving_the_package_is_reported_not_raised(package_copy: Path) -> None:
    """The first resource is refused; every later table is still read and checked."""
    row = edit_field(package_copy, "meetings", "ca-consultative-6", "ordinal", "six")
    descriptor_path = package_copy / "datapackage.json"
    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    name = descriptor["resources"][0]["name"]
    descriptor["resources"][0]["path"] = "../outside.csv"
    descriptor_path.write_text(json.dumps(descriptor), encoding="utf-8")
    (package_copy.parent / "outside.csv").write_text("never read\n", encoding="utf-8")
    assert validate_package(package_copy) == [
        Problem("datapackage.json", None, None, name, "unsafe-path",
                f"resource {name!r}: its path '../outside.csv' climbs out with '..'; keep files inside the package "
                "folder; the file was not read", "give the resource a path relative to the package folder, inside it"),
        Problem("tables/meetings.csv", row, "ordinal", "six", "type-error", "ordinal: 'six' is not a whole number",
                "write a whole number such as 7")]


def test_a_table_file_that_is_a_symbolic_link_loop_is_reported_not_a_crash(package_copy: Path) -> None:
    """pathlib raises RuntimeError on a link to itself (Python 3.11): validate said "internal error"."""
    table = package_copy / "tables" / "states.csv"
    table.unlink()
    table.symlink_to(table)
    assert validate_package(package_copy) == [
        Problem("datapackage.json", None, None, "states", "unsafe-path",
                "resource 'states': its path 'tables/states.csv' cannot be resolved (Too many levels of symbolic "
                "links); the file was not read", "give the resource a path relative to the package folder, inside it")]


def test_with_the_texts_the_lock_is_optional_and_judged_against_them(package_copy: Path, sources: Path) -> None:
    """With the source texts, a package without a lock is valid in lock mode; a lock entry whose
    citation is gone is stale (rewrite the lock), not "verify with the sources" as without them."""
    assert validate_package(package_copy, sources, lock=True) == []
    lock = package_copy / PROVENANCE_LOCK
    shutil.copy2(ROOT / PROVENANCE_LOCK, lock)
    lines = lock.read_text(encoding="utf-8").splitlines(keepends=True)
    orphan = lines[-1].split('"')[3].replace("C0", "C8")
    lock.write_text("".join([*lines, lines[-1].replace('"C0', '"C8')]), encoding="utf-8")
    line = len(lines) + 1
    assert validate_package(package_copy, sources, lock=True) == [
        Problem(PROVENANCE_LOCK, line, "citation_id", orphan, "provenance-lock-stale",
                f"{PROVENANCE_LOCK} line {line} records citation {orphan}, which the package no longer has",
                "rewrite the lock: python -m scripts validate --sources DIR --update-lock")]


def test_a_source_rehashed_in_the_table_alone_is_refused_in_the_descriptor(package_copy: Path) -> None:
    """sources.csv says a text changed; the descriptor, which the release's SQLite and the portals
    read for the texts' digests, still says the old sha256: one finding at the descriptor's entry."""
    table = package_copy / "tables" / "sources.csv"
    old = json.loads((package_copy / "datapackage.json").read_text(encoding="utf-8"))["sources"][1]["version"]
    digest = old.removeprefix("sha256:")
    table.write_text(table.read_text(encoding="utf-8").replace(digest, "f" * 64), encoding="utf-8")
    assert [(p.file, p.field, p.value, p.rule, p.message) for p in validate_package(package_copy)] == [
        ("datapackage.json", "sources[1].version", old, "descriptor-sources",
         f"the value is not 'sha256:{'f' * 64}', as tables/sources.csv row 3 says")]


REGULAR_HINT = "replace it with a regular file (a FIFO, socket, device or folder is never read)"


@pytest.mark.parametrize(("make", "kind"), [(Path.mkdir, "a directory"), (os.mkfifo, "a FIFO (named pipe)")])
def test_a_table_file_that_is_not_a_regular_file_is_named_and_not_read(package_copy: Path, make, kind: str) -> None:
    """A folder or a FIFO where a table's CSV should be (a FIFO would block a reader forever)."""
    table = package_copy / "tables" / "meeting_topics.csv"
    table.unlink()
    make(table)
    assert validate_package(package_copy) == [
        Problem("tables/meeting_topics.csv", None, None, None, "not-a-regular-file",
                f"tables/meeting_topics.csv is {kind}, not a regular file; it was not read", REGULAR_HINT)]


def test_a_table_file_that_cannot_be_read_is_named_with_why(package_copy: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Root reads any file, so the refusal is made here (as a file of another user's would be)."""
    import scripts.validate.frames as frames

    real = frames.read_blocks

    def refuse(path, size):
        if Path(path).name == "meeting_topics.csv":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path, size)

    monkeypatch.setattr(frames, "read_blocks", refuse)
    assert [(p.file, p.row, p.rule, p.message) for p in validate_package(package_copy)] == [
        ("tables/meeting_topics.csv", None, "unreadable-file",
         "tables/meeting_topics.csv cannot be read: Permission denied")]


def test_an_empty_table_file_is_one_blank_header(package_copy: Path) -> None:
    """Nothing of an empty file is checked further: the citations of its records are not called dangling."""
    (package_copy / "tables" / "meeting_topics.csv").write_bytes(b"")
    assert validate_package(package_copy) == [
        Problem("tables/meeting_topics.csv", None, None, None, "blank-header",
                "the file is empty: it has no header row",
                "the file needs its header row: the field names, in the schema's order")]


def test_lock_mode_without_a_lock_names_the_file_and_both_ways_out(package_copy: Path) -> None:
    """Without the texts, provenance is checked against the lock, so its absence stops validation."""
    from scripts.model.package import PackageError

    (package_copy / PROVENANCE_LOCK).unlink(missing_ok=True)
    with pytest.raises(PackageError) as refused:
        validate_package(package_copy, None, lock=True)
    assert str(refused.value) == (f"{package_copy.resolve() / PROVENANCE_LOCK}: file not found; without the source "
                                  "texts provenance is checked against it (pass --sources DIR, or --no-provenance "
                                  "to skip provenance)")
