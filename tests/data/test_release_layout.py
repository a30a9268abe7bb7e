"""The release's layout for analysts: the Parquet files' own descriptor (checked by frictionless),
the derived precision and interval columns of every reduced-precision date (checked in SQLite and
Parquet against an independent reading of the CSV text), the leaders view, and the one line a
release prints when there is no earlier version. Expected values come from the CSVs read with the
csv module and the calendar, not from the code under test."""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import json
import re
import shutil
import sqlite3
from html import unescape
from pathlib import Path

import pytest

from scripts.model.package import Table
from tests.conftest import ROOT
from tests.data.release_support import Build, copy_release_inputs

DATE_PATTERN = r"^[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$"
LEADER_KINDS = {"head_of_state", "head_of_government"}


def csv_rows(root: Path, table: str) -> list[dict[str, str]]:
    with (root / "tables" / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def date_fields(root: Path, table: str) -> list[str]:
    """The reduced-precision date fields, read from the schema file itself."""
    schema = json.loads((root / "schemas" / f"{table}.json").read_text(encoding="utf-8"))
    return [f["name"] for f in schema["fields"] if f.get("constraints", {}).get("pattern") == DATE_PATTERN]


def interval(text: str) -> tuple[str | None, dt.date | None, dt.date | None]:
    """(precision, first day, last day) of a reduced date, worked out with the calendar module."""
    if not text:
        return None, None, None
    parts = [int(p) for p in text.split("-")]
    if len(parts) == 1:
        return "year", dt.date(parts[0], 1, 1), dt.date(parts[0], 12, 31)
    if len(parts) == 2:
        return "month", dt.date(*parts, 1), dt.date(*parts, calendar.monthrange(*parts)[1])
    return "day", dt.date(*parts), dt.date(*parts)


def test_every_table_with_a_date_is_covered() -> None:
    dated = {t: fields for t in ("meetings", "memberships", "indicators", "sources", "statements")
             if (fields := date_fields(ROOT, t))}
    assert dated["meetings"] == ["date_start", "date_end"] and dated["memberships"] == ["as_of"]


@pytest.fixture()
def db(build: Build, tmp_path: Path):
    copy = tmp_path / "copy.sqlite"
    shutil.copy2(build.file(f"{build.package.name}.sqlite"), copy)
    conn = sqlite3.connect(copy)
    conn.row_factory = sqlite3.Row
    yield conn
    conn.close()


def test_sqlite_and_parquet_carry_the_precision_and_interval_of_every_date(build: Build, db) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    checked = 0
    for table in build.package.tables.values():
        key = table.primary_key
        fields = date_fields(build.src, table.name)
        parquet = pq.read_table(build.file(f"{table.name}.parquet"))
        by_key = {tuple(r[k] for k in key): r for r in parquet.to_pylist()} if key else {}
        stored = {tuple(r[k] for k in key): dict(r) for r in db.execute(f'SELECT * FROM "{table.name}"')} \
            if key else {}
        for name in fields:
            assert parquet.schema.field(f"{name}_earliest").type == pa.date32()
            assert parquet.schema.field(f"{name}_precision").type == pa.string()
        for row in csv_rows(build.src, table.name) if key else []:
            ident = tuple(row[k] for k in key)
            for name in fields:
                precision, first, last = interval(row[name])
                assert (by_key[ident][f"{name}_precision"], by_key[ident][f"{name}_earliest"],
                        by_key[ident][f"{name}_latest"]) == (precision, first, last), (table.name, ident, name)
                assert (stored[ident][f"{name}_precision"], stored[ident][f"{name}_earliest"],
                        stored[ident][f"{name}_latest"]) == (
                    precision, first and first.isoformat(), last and last.isoformat()), (table.name, ident, name)
                assert by_key[ident][name] == (row[name] or None)  # the text itself is unchanged
                checked += 1
    assert checked > 40
    sixth = db.execute("SELECT date_start, date_start_precision, date_start_earliest, date_start_latest "
                       "FROM meetings WHERE meeting_id = 'ca-consultative-6'").fetchone()
    assert tuple(sixth) == ("2024-08", "month", "2024-08-01", "2024-08-31")


def test_the_derived_columns_are_documented_in_sqlite_and_the_dictionary(build: Build, db) -> None:
    documented = {(r["table_name"], r["column_name"]): r["description"]
                  for r in db.execute("SELECT table_name, column_name, description FROM _columns")}
    dictionary = build.file("data-dictionary.md").read_text(encoding="utf-8")
    for table in build.package.tables.values():
        for name in date_fields(build.src, table.name):
            for part in ("precision", "earliest", "latest"):
                column = f"{name}_{part}"
                assert "not in the CSV" in documented[(table.name, column)]
                assert f"| `{column}` |" in dictionary
    assert (ROOT / "docs" / "data-dictionary.md").read_text(encoding="utf-8") == dictionary


def test_the_csvs_stay_as_they_are(build: Build) -> None:
    for table in build.package.tables.values():
        assert build.file(f"{table.name}.csv").read_bytes() == table.path.read_bytes()


def expected_leaders(root: Path) -> list[tuple[str, ...]]:
    """Memberships in an office of a leader's kind, joined by hand."""
    offices = {r["office_id"]: r for r in csv_rows(root, "offices")}
    persons = {r["person_id"]: r for r in csv_rows(root, "persons")}
    states = {r["state_id"]: r for r in csv_rows(root, "states")}
    rows = [(m["person_id"], persons[m["person_id"]]["full_name"], m["office_id"], offices[m["office_id"]]["title"],
             offices[m["office_id"]]["office_kind"], m["state_id"], states[m["state_id"]]["name"], m["as_of"])
            for m in csv_rows(root, "memberships") if offices[m["office_id"]]["office_kind"] in LEADER_KINDS]
    return sorted(rows, key=lambda r: (r[5], r[0], r[2]))


def test_sqlite_offers_the_leaders_view(build: Build, db) -> None:
    got = [tuple(r) for r in db.execute(
        "SELECT person_id, full_name, office_id, office_title, office_kind, state_id, state_name, as_of FROM leaders")]
    assert got == expected_leaders(build.src)
    assert {r[0] for r in got} == {"emomali-rahmon", "fumio-kishida", "ilham-aliyev", "kassym-jomart-tokayev",
                                   "sadyr-zhaparov", "serdar-berdimuhamedov", "shavkat-mirziyoyev"}
    tokayev = db.execute("SELECT as_of_precision, as_of_earliest, as_of_latest, is_as_of_inferred FROM leaders "
                         "WHERE person_id = 'kassym-jomart-tokayev'").fetchone()
    assert tuple(tokayev) == ("month", "2022-07-01", "2022-07-31", 1)
    kind = db.execute("SELECT type FROM sqlite_master WHERE name = 'leaders'").fetchone()[0]
    assert kind == "view"


def test_the_site_lists_the_same_leaders(build: Build) -> None:
    page = (build.dist / "site" / "leaders.html").read_text(encoding="utf-8")
    shown = re.findall(r'<tr id="leader-([a-z0-9-]+)\.([a-z0-9-]+)">', page)
    assert shown == [(r[0], r[2]) for r in expected_leaders(build.src)]
    assert "Kassym-Jomart Tokayev" in unescape(page) and "July 2022" in page


def test_which_offices_count_is_the_offices_tables_kind(build: Build, tmp_path: Path) -> None:
    """Make the foreign minister's office a head of government's: the view gains its holders."""
    from scripts.model.meta import package_meta
    from scripts.model.package import load_package, read_rows
    from scripts.release.sqlite import build_sqlite

    src = copy_release_inputs(tmp_path / "pkg")
    offices = (src / "tables" / "offices.csv").read_text(encoding="utf-8")
    changed = offices.replace("foreign-minister,Foreign Minister,minister", "foreign-minister,Foreign Minister,"
                              "head_of_government")
    assert changed != offices
    (src / "tables" / "offices.csv").write_text(changed, encoding="utf-8")
    package = load_package(src)
    dest = tmp_path / "db.sqlite"
    build_sqlite(package, {n: read_rows(t) for n, t in package.tables.items()}, package_meta(package), {}, dest)
    with sqlite3.connect(dest) as conn:
        got = [tuple(r) for r in conn.execute(
            "SELECT person_id, full_name, office_id, office_title, office_kind, state_id, state_name, as_of "
            "FROM leaders")]
    assert got == expected_leaders(src)
    assert {"murat-nurtleu", "wang-yi"} <= {r[0] for r in got}


def parquet_package(build: Build, edit=None):
    """The dist/ descriptor as frictionless resources whose rows are the Parquet files' (read by
    pyarrow; ``edit(table, rows)`` may change them first)."""
    import frictionless
    import pyarrow.parquet as pq

    descriptor = json.loads(build.file("datapackage.json").read_text(encoding="utf-8"))
    resources = []
    for resource in descriptor["resources"]:
        data = pq.read_table(build.file(resource["path"]))
        rows = data.to_pylist()
        if edit is not None:
            edit(resource["name"], rows)
        inline = {k: v for k, v in resource.items() if k not in ("path", "format", "mediatype")}
        resources.append(frictionless.Resource({**inline, "data": [data.column_names,
                                                                   *[list(r.values()) for r in rows]]}))
    return frictionless.Package(resources=resources)


def test_dist_holds_a_frictionless_descriptor_of_the_parquet_files(build: Build) -> None:
    import frictionless

    descriptor = json.loads(build.file("datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    assert (descriptor["name"], descriptor["version"]) == (build.package.name, build.package.version)
    assert [(r["name"], r["path"], r["format"], r["mediatype"]) for r in descriptor["resources"]] == [
        (t, f"{t}.parquet", "parquet", "application/vnd.apache.parquet") for t in build.package.tables]
    report = frictionless.Package.validate_descriptor(str(build.file("datapackage.json")))
    assert report.valid, report.flatten(["type", "note"])
    for resource in descriptor["resources"]:
        table: Table = build.package.table(resource["name"])
        names = [f["name"] for f in resource["schema"]["fields"]]
        assert names[: len(table.field_names)] == table.field_names
        import pyarrow.parquet as pq

        assert pq.read_schema(build.file(resource["path"])).names == names
    report = parquet_package(build).validate()
    assert [(task.name, *e) for task in report.tasks for e in task.flatten(["rowNumber", "fieldName", "type"])] == []
    assert report.valid


def test_frictionless_finds_a_broken_parquet_value_through_the_descriptor(build: Build) -> None:
    """The schemas in the descriptor are the package's: a status outside the enum, a date's
    derived precision that is no precision, and a dangling key are each reported."""
    def edit(table: str, rows: list[dict]) -> None:
        if table == "meetings":
            rows[0]["status"] = "finished"
            rows[0]["date_start_precision"] = "week"
        if table == "attendance":
            rows[0]["person_id"] = "no-such-person"

    report = parquet_package(build, edit).validate()
    found = {(task.name, field, kind) for task in report.tasks for field, kind in task.flatten(["fieldName", "type"])}
    assert {("meetings", "status", "constraint-error"), ("meetings", "date_start_precision", "constraint-error"),
            ("attendance", None, "foreign-key")} <= found


def test_a_release_without_an_earlier_version_says_so_in_one_line(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture) -> None:
    from scripts.cli import main

    src = copy_release_inputs(tmp_path / "pkg")  # not a git checkout: no tag to compare with
    assert main(["release", str(src), "--no-provenance"]) == 0
    out = capsys.readouterr().out
    notes = [line for line in out.splitlines() if "changes.json" in line]
    version = json.loads((src / "datapackage.json").read_text(encoding="utf-8"))["version"]
    assert notes == [
        "note: no previous version to compare with (no git tag of another version is merged into HEAD, and no "
        "--previous), so changes.json is not written; once this version is tagged "
        f"(v{version}), the release of the next version writes it, listing every record added, removed or "
        "changed since"]
    assert not (src / "dist" / "changes.json").exists()
