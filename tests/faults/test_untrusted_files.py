"""Where a file is expected, only a regular file is read: a FIFO, socket or folder is refused with
one line (in validate, a report line ``not-a-regular-file``) and exit 2, never waited on.

Before: a FIFO as a table or as the workbook blocked validate, import and release forever, and the
release held the package lock meanwhile, so every other writer waited forever too. Each run here
has a 20-second bound: a hang fails the test instead of the suite."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest

from tests.conftest import sources_dir
from tests.faults.support import leftovers
from tests.faults.untrusted import one_line, run, tree

BOUND = 20  # seconds; every refusal here takes about one


def _fifo(path: Path) -> Path:
    path.unlink(missing_ok=True)
    os.mkfifo(path)
    return path


def test_validate_reports_a_fifo_table_as_a_problem_and_exits_2(pkg: Path) -> None:
    _fifo(pkg / "tables" / "meetings.csv")
    done = run("validate", pkg, "--no-provenance", timeout=BOUND)
    assert done.returncode == 2, done.stderr
    assert "  file  [not-a-regular-file] tables/meetings.csv is a FIFO (named pipe), not a regular file; it was " \
           "not read\n" in done.stdout
    assert done.stdout.endswith("invalid: 1 problem in 1 file\n")


@pytest.mark.parametrize("verb", ["export", "release"])
def test_a_writer_refuses_a_fifo_table_in_one_line_and_holds_no_lock(pkg: Path, tmp_path: Path, verb: str) -> None:
    fifo = _fifo(pkg / "tables" / "meetings.csv")
    before = tree(pkg / "tables")
    argv = ["export", pkg, "--output", tmp_path / "out.xlsx"] if verb == "export" \
        else ["release", pkg, "--no-provenance", "--dist", tmp_path / "dist"]
    err = one_line(run(*argv, timeout=BOUND))
    assert err == f"error: {fifo} is a FIFO (named pipe), not a regular file; nothing was read from it"
    assert tree(pkg / "tables") == before and leftovers(pkg) == []
    assert not (tmp_path / "out.xlsx").exists() and not (tmp_path / "dist").exists()
    done = run("docs", pkg, timeout=BOUND)  # the lock was released: the next writer runs at once
    assert done.returncode == 2 and "waiting" not in done.stderr


def test_import_refuses_a_fifo_as_the_workbook(pkg: Path, tmp_path: Path) -> None:
    workbook = _fifo(tmp_path / "edited.xlsx")
    before = tree(pkg / "tables")
    err = one_line(run("import", workbook, pkg, "--no-provenance", timeout=BOUND))
    assert err == f"error: {workbook} is a FIFO (named pipe), not a regular file; nothing was read from it"
    assert tree(pkg / "tables") == before and leftovers(pkg) == []


def test_a_folder_and_a_socket_as_tables_are_reported_by_name(pkg: Path, tmp_path: Path) -> None:
    folder = pkg / "tables" / "states.csv"
    folder.unlink()
    folder.mkdir()
    sock_path = pkg / "tables" / "topics.csv"
    sock_path.unlink()
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(sock_path))
        done = run("validate", pkg, "--no-provenance", timeout=BOUND)
    assert done.returncode == 2
    assert "[not-a-regular-file] tables/states.csv is a directory, not a regular file; it was not read" in done.stdout
    assert "[not-a-regular-file] tables/topics.csv is a socket, not a regular file; it was not read" in done.stdout


@pytest.mark.parametrize("name", ["datapackage.json", "schemas/meetings.json"])
@pytest.mark.parametrize("verb", ["validate", "diff"])
def test_a_fifo_descriptor_or_schema_is_one_line(pkg: Path, tmp_path: Path, name: str, verb: str) -> None:
    fifo = _fifo(pkg / name)
    argv = ["validate", pkg, "--no-provenance"] if verb == "validate" else ["diff", pkg, pkg]
    err = one_line(run(*argv, timeout=BOUND))
    assert err == f"error: {fifo} is a FIFO (named pipe), not a regular file; nothing was read from it"


def test_release_refuses_a_fifo_among_the_files_it_ships(pkg: Path, tmp_path: Path) -> None:
    fifo = _fifo(pkg / "CHANGELOG.md")
    err = one_line(run("release", pkg, "--no-provenance", "--dist", tmp_path / "dist", timeout=BOUND))
    assert err == f"error: {fifo} is a FIFO (named pipe), not a regular file; nothing was read from it"
    assert not (tmp_path / "dist").exists() and leftovers(pkg) == []


@pytest.mark.parametrize("verb", ["diff", "release --previous"])
def test_a_fifo_given_as_the_previous_zip_is_refused(pkg: Path, tmp_path: Path, verb: str) -> None:
    fifo = _fifo(tmp_path / "previous.zip")
    argv = ["diff", fifo, pkg] if verb == "diff" else ["release", pkg, "--no-provenance", "--previous", fifo,
                                                        "--dist", tmp_path / "dist"]
    err = one_line(run(*argv, timeout=BOUND))
    assert err == f"error: {fifo} is a FIFO (named pipe), not a regular file; nothing was read from it"
    assert not (tmp_path / "dist").exists()


@pytest.fixture()
def sources(tmp_path: Path) -> Path:
    found = sources_dir()
    if found is None:
        pytest.skip("source texts not found")
    return Path(shutil.copytree(found, tmp_path / "sources"))


def test_a_fifo_source_text_is_reported_by_validate_and_coverage(pkg: Path, sources: Path) -> None:
    fifo = _fifo(sources / "002_2537df4e64f84754.txt")
    done = run("validate", pkg, "--sources", sources, timeout=BOUND)
    assert done.returncode == 2, done.stderr
    assert (f"[not-a-regular-file] source text {fifo} is a FIFO (named pipe), not a regular file; it was not read"
            in done.stdout)
    err = one_line(run("coverage", pkg, "--sources", sources, timeout=BOUND))
    assert err.endswith(f"{fifo} is a FIFO (named pipe), not a regular file; nothing was read from it"), err
