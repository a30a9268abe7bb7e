"""A real consumer of the release: Datasette serves the SQLite file with the release's metadata
on a loopback port; its JSON API answers for a known meeting and its attendees exactly as the
CSV files say, and its pages show the licence, the source and the release metadata table."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from scripts.commands import release_steps
from scripts.model.backends import sqlite as sqlite_backend
from scripts.model.meta import json_text, package_meta
from scripts.model.package import Package, load_package, read_rows
from scripts.release.build import release
from scripts.release.sqlite import build_sqlite, datasette_metadata
from tests.conftest import sources_dir
from tests.data.release_support import copy_release_inputs

pytestmark = pytest.mark.datasette


@pytest.fixture(scope="module", autouse=True)
def _datasette_installed() -> None:
    """A skip per test (marked datasette, so .ci/run fails on it), not a silent skip of the module."""
    pytest.importorskip("datasette", reason="datasette is a test dependency: pip install -r requirements-dev.txt")


MEETING = "ca-consultative-6"
READY_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


class Server:
    def __init__(self, base: str, database: str, package: Package, dist: Path):
        self.base, self.database, self.package, self.dist = base, database, package, dist

    def sql(self, query: str, **params: str) -> list[dict]:
        args = urllib.parse.urlencode({"sql": query, "_shape": "array", **params})
        return json.loads(get(f"{self.base}/{self.database}.json?{args}"))


def wait_until_ready(proc: subprocess.Popen, url: str) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while True:
        if proc.poll() is not None:
            pytest.fail(f"datasette exited early: {proc.stdout.read().decode(errors='replace')}")
        try:
            get(f"{url}/-/versions.json")
            return
        except OSError:
            if time.monotonic() > deadline:
                pytest.fail(f"datasette did not answer on {url} within {READY_TIMEOUT} s")
            time.sleep(0.1)


@contextmanager
def serve(database: Path, metadata: Path, package: Package) -> Iterator[Server]:
    """Datasette serving ``database`` with ``metadata`` on a free loopback port, stopped after."""
    port = free_port()
    command = [sys.executable, "-m", "datasette", "serve", str(database), "--metadata", str(metadata),
               "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(proc, url)
        yield Server(url, package.name, package, database.parent)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Build the release once, start Datasette on it, stop it after the module."""
    base = tmp_path_factory.mktemp("datasette")
    src = copy_release_inputs(base / "pkg")
    result = release(src, release_steps(), base / "dist", sources_dir())
    package = load_package(src)
    with serve(result.dist / f"{package.name}.sqlite", result.dist / "datasette-metadata.json", package) as running:
        yield running


def test_datasette_serves_the_meeting_typed(server: Server) -> None:
    table = server.package.table("meetings")
    raw = next(r for r in read_rows(table) if r["meeting_id"] == MEETING)
    [row] = server.sql("select * from meetings where meeting_id = :id", id=MEETING)
    assert (row["ordinal"], row["city"], row["status"]) == (6, "Astana", "held")
    assert {f.name: row[f.name] for f in table.fields} == {f.name: sqlite_backend.value(f, raw[f.name])
                                                           for f in table.fields}


def test_datasette_joins_the_meeting_and_its_attendees(server: Server) -> None:
    rows = server.sql("""
        select a.state_id, a.attendance_status, a.role, a.person_id, p.full_name
        from attendance a left join persons p on p.person_id = a.person_id
        where a.meeting_id = :id order by a.state_id, a.attendance_status, a.person_id
    """, id=MEETING)
    persons = {r["person_id"]: r["full_name"] for r in read_rows(server.package.table("persons"))}
    expected = [{"state_id": r["state_id"], "attendance_status": r["attendance_status"], "role": r["role"] or None,
                 "person_id": r["person_id"] or None, "full_name": persons.get(r["person_id"])}
                for r in read_rows(server.package.table("attendance")) if r["meeting_id"] == MEETING]
    key = lambda r: (r["state_id"], r["attendance_status"], r["person_id"] or "")  # noqa: E731
    assert sorted(rows, key=key) == sorted(expected, key=key)
    assert ("KAZ", "kassym-jomart-tokayev") in {(r["state_id"], r["person_id"]) for r in rows if r["role"] == "chair"}


def test_datasette_shows_licence_source_and_descriptions(server: Server) -> None:
    meta = json.loads(get(f"{server.base}/-/metadata.json"))
    desc = server.package.descriptor
    assert (meta["title"], meta["license_url"], meta["source_url"]) == (
        desc["title"], desc["licenses"][0]["path"], desc["homepage"])
    tables = meta["databases"][server.database]["tables"]
    meetings = server.package.table("meetings")
    assert tables["meetings"]["description"] == meetings.description
    page = get(f"{server.base}/{server.database}/meetings").decode("utf-8")
    assert "Creative Commons Attribution 4.0" in page and desc["licenses"][0]["path"] in page
    assert desc["homepage"] in page


def test_datasette_serves_the_package_metadata_table(server: Server) -> None:
    rows = {r["key"]: r["value"] for r in server.sql("select key, value from _metadata")}
    assert (rows["version"], rows["license"]) == (server.package.version, "CC-BY-4.0")
    tables = json.loads(get(f"{server.base}/{server.database}.json"))["tables"]
    visible = {t["name"] for t in tables if not t["hidden"]}
    assert {"_metadata", "_files", "meetings"} <= visible and "_columns" not in visible


JS = "javascript:alert(document.domain)"
HREF = re.compile(r"""href\s*=\s*["']?\s*([^"'\s>]*)""", re.IGNORECASE)


def test_javascript_urls_in_the_descriptor_give_no_link_in_datasette(tmp_path: Path) -> None:
    """A package whose homepage, licence path and download base are javascript: URLs, built
    directly (validation would refuse it): no page Datasette serves holds a javascript: link, while
    the licence is still named. Before: ``license_url`` and ``source_url`` were the URLs as given."""
    src = copy_release_inputs(tmp_path / "pkg")
    descriptor = json.loads((src / "datapackage.json").read_text(encoding="utf-8"))
    descriptor.update({"homepage": JS, "cac:download_base": JS + "//{version}/"})
    descriptor["licenses"][0]["path"] = JS
    (src / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    package = load_package(src)
    meta = package_meta(package)
    rows = {name: read_rows(table) for name, table in package.tables.items()}
    database, metadata = tmp_path / f"{package.name}.sqlite", tmp_path / "datasette-metadata.json"
    build_sqlite(package, rows, meta, {}, database)
    metadata.write_text(json_text(datasette_metadata(package, meta)), encoding="utf-8")
    with serve(database, metadata, package) as running:
        pages = ["/", f"/{running.database}", f"/{running.database}/meetings", f"/{running.database}/_metadata"]
        for path in pages:
            page = get(f"{running.base}{path}").decode("utf-8")
            assert "Creative Commons Attribution 4.0" in page, path
            targets = HREF.findall(page)
            assert targets and not [t for t in targets if t.lower().startswith("javascript")], path
