"""A real consumer of the release: Datasette serves the SQLite file on a loopback port and its
JSON API answers for a known meeting and its attendees, exactly as the CSV files say."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest

from scripts import release as rel
from scripts.package import Package, load_package, read_rows
from tests.conftest import sources_dir
from tests.test_release import copy_release_inputs

pytestmark = pytest.mark.datasette
pytest.importorskip("datasette", reason="datasette is a test dependency: pip install -r requirements-dev.txt")

MEETING = "ca-consultative-6"
READY_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_json(url: str) -> object:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


class Server:
    def __init__(self, base: str, database: str, package: Package):
        self.base, self.database, self.package = base, database, package

    def sql(self, query: str, **params: str) -> list[dict]:
        args = urllib.parse.urlencode({"sql": query, "_shape": "array", **params})
        return get_json(f"{self.base}/{self.database}.json?{args}")  # type: ignore[return-value]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Build the release once, start Datasette on it, wait (bounded) until it answers, stop it after."""
    base = tmp_path_factory.mktemp("datasette")
    src = copy_release_inputs(base / "pkg")
    result = rel.release(src, base / "dist", sources_dir())
    package = load_package(src)
    port = free_port()
    command = [sys.executable, "-m", "datasette", "serve", str(result.dist / f"{package.name}.sqlite"),
               "--metadata", str(result.dist / "datasette-metadata.json"),
               "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(f"datasette exited early: {proc.stdout.read().decode(errors='replace')}")
            try:
                get_json(f"{url}/-/versions.json")
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"datasette did not answer on {url} within {READY_TIMEOUT} s")
                time.sleep(0.1)
        yield Server(url, package.name, package)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_datasette_serves_the_meeting(server: Server) -> None:
    table = server.package.table("meetings")
    raw = next(r for r in read_rows(table) if r["meeting_id"] == MEETING)
    rows = server.sql("select * from meetings where meeting_id = :id", id=MEETING)
    assert len(rows) == 1
    row = rows[0]
    assert (row["ordinal"], row["city"], row["status"]) == (6, "Astana", "held")
    assert row == {f.name: (int(raw[f.name] == "true") if f.type == "boolean" else
                            int(raw[f.name]) if f.type == "integer" and raw[f.name] else
                            raw[f.name] or None) for f in table.fields}


def test_datasette_joins_the_meeting_and_its_attendees(server: Server) -> None:
    query = """
        select m.name as meeting, a.state_id, a.attendance_status, a.role, a.leader_id, l.full_name
        from meetings m
        join attendance a on a.meeting_id = m.meeting_id
        left join leaders l on l.leader_id = a.leader_id
        where m.meeting_id = :id
        order by a.state_id, a.attendance_status
    """
    rows = server.sql(query, id=MEETING)
    meeting = next(r for r in read_rows(server.package.table("meetings")) if r["meeting_id"] == MEETING)
    leaders = {r["leader_id"]: r["full_name"] for r in read_rows(server.package.table("leaders"))}
    expected = [
        {"meeting": meeting["name"], "state_id": r["state_id"], "attendance_status": r["attendance_status"],
         "role": r["role"], "leader_id": r["leader_id"] or None, "full_name": leaders.get(r["leader_id"])}
        for r in read_rows(server.package.table("attendance")) if r["meeting_id"] == MEETING
    ]
    assert rows == sorted(expected, key=lambda r: (r["state_id"], r["attendance_status"]))
    chair = [(r["state_id"], r["leader_id"]) for r in rows if r["attendance_status"] == "reported"
             and r["role"] == "chair"]
    assert chair == [("KAZ", "kassym-jomart-tokayev")]


def test_datasette_shows_the_descriptions_from_the_schemas(server: Server) -> None:
    meta = get_json(f"{server.base}/-/metadata.json")
    meetings = server.package.table("meetings")
    tables = meta["databases"][server.database]["tables"]  # type: ignore[index]
    assert meta["title"] == server.package.title  # type: ignore[index]
    assert tables["meetings"]["description"] == meetings.description
    assert tables["meetings"]["columns"]["meeting_id"] == meetings.field("meeting_id").description
    table_page = get_json(f"{server.base}/{server.database}/meetings.json?_shape=objects&_size=1")
    assert table_page["primary_keys"] == list(meetings.primary_key)  # type: ignore[index]
