"""The release bundle: zip, SQLite, docs, portal metadata, checksums, version diff and CHANGELOG.

The release is built twice (into two dist directories) from one disposable copy of the package,
once per module, against an "older version" that differs from it by one row added, one removed
and one field changed; every test reads those two builds.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import sqlite3
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from scripts import release as rel
from scripts.package import Package, csv_text, load_package, read_rows
from tests.conftest import ROOT, sources_dir

CHANGED_MEETING = "ca-consultative-6"
OLD_VERSION = "0.0.1"


def copy_release_inputs(dest: Path) -> Path:
    """Copy what a release reads into ``dest``. Files the lead has not written yet (README,
    licence, citation file) get placeholders here, in the copy only."""
    dest.mkdir(parents=True)
    shutil.copy2(ROOT / "datapackage.json", dest / "datapackage.json")
    shutil.copytree(ROOT / "schemas", dest / "schemas")
    shutil.copytree(ROOT / "tables", dest / "tables")
    for path in [ROOT / "README.md", ROOT / "CITATION.cff", ROOT / "CHANGELOG.md", *ROOT.glob("LICENSE*")]:
        if path.is_file():
            shutil.copy2(path, dest / path.name)
    version = load_package(dest).version
    if not list(dest.glob("LICENSE*")):
        (dest / "LICENSE").write_text("Placeholder licence\n", encoding="utf-8")
    if not (dest / "README.md").exists():
        (dest / "README.md").write_text("# Placeholder README\n", encoding="utf-8")
    if not (dest / "CITATION.cff").exists():
        (dest / "CITATION.cff").write_text(f"cff-version: 1.2.0\ntitle: placeholder\nversion: {version}\n",
                                           encoding="utf-8")
    return dest


def write_rows(package: Package, table: str, rows: list[dict[str, str]]) -> None:
    t = package.table(table)
    t.path.write_text(csv_text(t, rows), encoding="utf-8")


@dataclass
class Edits:
    """What the older version has that the release does not, and the reverse."""

    only_old_table: str  # a row that the release removed (it exists only in the old version)
    only_old_key: str
    only_new_table: str  # a row that the release added (missing from the old version)
    only_new_key: str
    old_city: str
    new_city: str | None


def make_older_version(src: Path, dest: Path) -> Edits:
    """A copy of ``src`` labelled as an older version, with one extra row in ``states``, the last
    ``attendance`` row missing and the city of ``ca-consultative-6`` changed."""
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("dist*", "docs"))
    descriptor = json.loads((dest / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["version"] = OLD_VERSION
    (dest / "datapackage.json").write_text(json.dumps(descriptor, indent=2), encoding="utf-8")
    package = load_package(dest)

    states = read_rows(package.table("states"))
    write_rows(package, "states", [*states, {**states[0], "state_id": "ZZZ"}])

    attendance = read_rows(package.table("attendance"))
    dropped = attendance[-1]
    write_rows(package, "attendance", attendance[:-1])

    meetings = read_rows(package.table("meetings"))
    target = next(m for m in meetings if m["meeting_id"] == CHANGED_MEETING)
    new_city = target["city"] or None
    target["city"] = "Old Town"
    write_rows(package, "meetings", meetings)
    return Edits("states", "ZZZ", "attendance", package.table("attendance").record_key(dropped),
                 "Old Town", new_city)


@dataclass
class Build:
    src: Path
    older: Path
    edits: Edits
    first: rel.ReleaseResult
    second: rel.ReleaseResult
    package: Package

    def file(self, suffix: str) -> Path:
        return next(p for p in self.first.dist.iterdir() if p.name.endswith(suffix))


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    base = tmp_path_factory.mktemp("release")
    src = copy_release_inputs(base / "pkg")
    edits = make_older_version(src, base / "older")
    first = rel.release(src, base / "dist-a", sources_dir(), base / "older")
    second = rel.release(src, base / "dist-b", sources_dir(), base / "older")
    return Build(src, base / "older", edits, first, second, load_package(src))


# ---------------------------------------------------------------------------------------------
# The bundle
# ---------------------------------------------------------------------------------------------


def test_dist_holds_every_release_file(build: Build) -> None:
    name, version = build.package.name, build.package.version
    assert sorted(build.first.files) == sorted([
        f"{name}-{version}.zip", f"{name}.xlsx", f"{name}.sqlite", "datasette-metadata.json",
        "data-dictionary.md", "erd.svg", "changes.json", "schema-org.jsonld", "zenodo.json",
        "ckan-package.json", "SHA256SUMS",
    ])


def test_two_builds_are_byte_identical(build: Build) -> None:
    sums = (build.first.dist / "SHA256SUMS").read_bytes()
    assert sums == (build.second.dist / "SHA256SUMS").read_bytes()
    listed = {}
    for line in sums.decode().splitlines():
        digest, name = line.split("  ")
        listed[name] = digest
    on_disk = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
               for p in build.first.dist.iterdir() if p.name != "SHA256SUMS"}
    assert listed == on_disk


def test_zip_unpacks_to_a_package_frictionless_accepts(build: Build, tmp_path: Path) -> None:
    import frictionless

    archive = build.file(".zip")
    with zipfile.ZipFile(archive) as zf:
        names = zf.namelist()
        assert names == sorted(names)
        assert {info.date_time for info in zf.infolist()} == {rel.ZIP_TIME}
        zf.extractall(tmp_path)
    expected = {"datapackage.json", "README.md", "CITATION.cff", "CHANGELOG.md",
                "docs/data-dictionary.md", "docs/erd.svg", *(p.name for p in build.src.glob("LICENSE*"))}
    for table in build.package.tables.values():
        expected |= {f"tables/{table.path.name}", f"schemas/{table.schema_path.name}"}
    assert set(names) == expected
    report = frictionless.validate(tmp_path / "datapackage.json")
    assert report.flatten(["title", "rowNumber", "fieldName", "type", "note"]) == []
    assert report.valid
    for table in build.package.tables.values():
        assert (tmp_path / "tables" / table.path.name).read_bytes() == table.path.read_bytes()
    assert (tmp_path / "docs" / "data-dictionary.md").read_bytes() == build.file("data-dictionary.md").read_bytes()


# ---------------------------------------------------------------------------------------------
# SQLite
# ---------------------------------------------------------------------------------------------


@pytest.fixture()
def db(build: Build, tmp_path: Path) -> sqlite3.Connection:
    """A private copy of the released database, so a test may try writes."""
    copy = tmp_path / "copy.sqlite"
    shutil.copy2(build.file(".sqlite"), copy)
    conn = sqlite3.connect(copy, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    yield conn
    conn.close()


def test_sqlite_row_counts_equal_csv_row_counts(build: Build, db: sqlite3.Connection) -> None:
    for table in build.package.tables.values():
        with table.path.open(encoding="utf-8", newline="") as handle:
            csv_count = sum(1 for _ in csv.reader(handle)) - 1
        assert db.execute(f'SELECT count(*) FROM "{table.name}"').fetchone()[0] == csv_count, table.name


def test_sqlite_foreign_keys_are_declared_and_intact(build: Build, db: sqlite3.Connection) -> None:
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    for table in build.package.tables.values():
        declared = {(fk.resource, fk.fields, fk.ref_fields) for fk in table.foreign_keys}
        found: dict[int, tuple[str, list[str], list[str]]] = {}
        for row in db.execute(f'PRAGMA foreign_key_list("{table.name}")'):
            entry = found.setdefault(row[0], (row[2], [], []))
            entry[1].append(row[3])
            entry[2].append(row[4])
        assert {(t, tuple(f), tuple(r)) for t, f, r in found.values()} == declared, table.name


def test_sqlite_types_and_primary_keys_come_from_the_schemas(build: Build, db: sqlite3.Connection) -> None:
    for table in build.package.tables.values():
        info = {row[1]: row for row in db.execute(f'PRAGMA table_info("{table.name}")')}
        assert list(info) == table.field_names
        for fld in table.fields:
            assert info[fld.name][2] == rel.SQL_TYPES.get(fld.type, "TEXT"), (table.name, fld.name)
            assert bool(info[fld.name][3]) == (fld.required or fld.name in table.primary_key)
        pk = sorted((row[5], name) for name, row in info.items() if row[5])
        assert tuple(name for _, name in pk) == table.primary_key
    row = db.execute("SELECT ordinal, typeof(ordinal), is_ordinal_inferred FROM meetings "
                     "WHERE meeting_id = ?", (CHANGED_MEETING,)).fetchone()
    raw = next(r for r in read_rows(build.package.table("meetings")) if r["meeting_id"] == CHANGED_MEETING)
    assert row == (int(raw["ordinal"]), "integer", 1 if raw["is_ordinal_inferred"] == "true" else 0)


def test_sqlite_enforces_enums_booleans_and_foreign_keys(db: sqlite3.Connection) -> None:
    with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
        db.execute("UPDATE meetings SET status = 'finished' WHERE meeting_id = ?", (CHANGED_MEETING,))
    with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
        db.execute("UPDATE meetings SET is_date_inferred = 2 WHERE meeting_id = ?", (CHANGED_MEETING,))
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY constraint failed"):
        db.execute("UPDATE attendance SET leader_id = 'no-such-person' WHERE meeting_id = ?", (CHANGED_MEETING,))


def test_sqlite_keeps_table_and_column_descriptions(build: Build, db: sqlite3.Connection) -> None:
    meetings = build.package.table("meetings")
    ddl = db.execute("SELECT sql FROM sqlite_master WHERE name = 'meetings'").fetchone()[0]
    assert f"-- {meetings.title}: {' '.join(meetings.description.split())}" in ddl
    described = dict(db.execute("SELECT column_name, description FROM _columns WHERE table_name = 'meetings'"))
    assert described == {f.name: f.description for f in meetings.fields}
    labels = dict(db.execute("SELECT value, label FROM _categories "
                             "WHERE table_name = 'meetings' AND column_name = 'status'"))
    assert labels == meetings.field("status").categories


def test_datasette_metadata_is_derived_from_the_schemas(build: Build) -> None:
    meta = json.loads((build.first.dist / "datasette-metadata.json").read_text(encoding="utf-8"))
    assert meta["title"] == build.package.title
    assert meta["license"] == build.package.descriptor["licenses"][0]["name"]
    tables = meta["databases"][build.package.name]["tables"]
    for table in build.package.tables.values():
        assert tables[table.name]["description"] == table.description
        assert list(tables[table.name]["columns"]) == table.field_names
    status = build.package.table("meetings").field("status")
    assert tables["meetings"]["columns"]["status"].startswith(status.description)


# ---------------------------------------------------------------------------------------------
# Docs and portal metadata
# ---------------------------------------------------------------------------------------------


def test_data_dictionary_explains_every_enum_value(build: Build) -> None:
    text = (build.first.dist / "data-dictionary.md").read_text(encoding="utf-8")
    for table in build.package.tables.values():
        assert f"\n## {table.name}\n" in text
        for fld in table.fields:
            assert f"| `{fld.name}` |" in text
            for value, label in fld.categories.items():
                assert f"| `{value}` | {rel._cell(label)} |" in text


def test_committed_data_dictionary_is_fresh(package: Package) -> None:
    committed = ROOT / "docs" / "data-dictionary.md"
    assert committed.is_file(), "docs/data-dictionary.md missing: run `python -m scripts.release docs`"
    assert committed.read_text(encoding="utf-8") == rel.render_data_dictionary(package), (
        "docs/data-dictionary.md is stale: run `python -m scripts.release docs`")


def test_committed_erd_is_fresh(package: Package) -> None:
    committed = ROOT / "docs" / "erd.svg"
    assert committed.is_file(), "docs/erd.svg missing: run `python -m scripts.release docs`"
    assert rel.svg_digest(committed.read_text(encoding="utf-8")) == rel.dot_digest(rel.erd_dot(package)), (
        "docs/erd.svg is stale: run `python -m scripts.release docs`")


def test_erd_draws_every_table_and_foreign_key(build: Build) -> None:
    svg = (build.first.dist / "erd.svg").read_text(encoding="utf-8")
    assert "Generated by graphviz" not in svg
    for table in build.package.tables.values():
        assert f"<title>{table.name}</title>" in svg
        for fk in table.foreign_keys:
            assert f"<title>{table.name}:{fk.fields[0]}&#45;&gt;{fk.resource}:{fk.ref_fields[0]}</title>" in svg


def test_portal_metadata_is_derived_from_the_descriptor(build: Build) -> None:
    desc = build.package.descriptor
    ld = json.loads((build.first.dist / "schema-org.jsonld").read_text(encoding="utf-8"))
    assert (ld["@type"], ld["name"], ld["version"]) == ("Dataset", desc["title"], desc["version"])
    assert ld["license"] == desc["licenses"][0]["path"]
    assert ld["keywords"] == desc["keywords"]
    assert f"{desc['name']}-{desc['version']}.zip" in {d["name"] for d in ld["distribution"]}
    zenodo = json.loads((build.first.dist / "zenodo.json").read_text(encoding="utf-8"))["metadata"]
    assert (zenodo["upload_type"], zenodo["version"]) == ("dataset", desc["version"])
    assert zenodo["license"] == desc["licenses"][0]["name"].lower()
    assert zenodo["creators"] == [{"name": c["title"]} for c in desc["contributors"]
                                  if "creator" in c.get("roles", [])]
    ckan = json.loads((build.first.dist / "ckan-package.json").read_text(encoding="utf-8"))
    assert (ckan["name"], ckan["version"]) == (desc["name"], desc["version"])


# ---------------------------------------------------------------------------------------------
# Versions: diff and CHANGELOG
# ---------------------------------------------------------------------------------------------


def expected_text(build: Build) -> str:
    e, version = build.edits, build.package.version
    lines = {
        e.only_old_table: [f"{e.only_old_table}: 0 added, 1 removed, 0 changed", f"  - {e.only_old_key}"],
        "meetings": ["meetings: 0 added, 0 removed, 1 changed",
                     f"  ~ {CHANGED_MEETING}: city {json.dumps(e.old_city)} -> {json.dumps(e.new_city)}"],
        e.only_new_table: [f"{e.only_new_table}: 1 added, 0 removed, 0 changed", f"  + {e.only_new_key}"],
    }
    order = [name for name in build.package.tables if name in lines]
    body = [line for name in order for line in lines[name]]
    return "\n".join([f"version {OLD_VERSION} -> {version}", *body,
                      "total: 1 added, 1 removed, 1 changed"]) + "\n"


def test_diff_reports_exactly_the_three_changes_as_text(build: Build, capsys: pytest.CaptureFixture) -> None:
    assert rel.run("diff", [str(build.older), str(build.src)]) == 0
    assert capsys.readouterr().out == expected_text(build)
    assert rel.run("diff", [str(build.older), str(build.file(".zip"))]) == 0  # a release zip as NEW
    assert capsys.readouterr().out == expected_text(build)


def test_diff_reports_exactly_the_three_changes_as_json(build: Build, capsys: pytest.CaptureFixture) -> None:
    assert rel.run("diff", [str(build.older), str(build.src), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    e = build.edits
    attendance = build.package.table("attendance")
    added_row = next(r for r in read_rows(attendance) if attendance.record_key(r) == e.only_new_key)
    assert out["totals"] == {"added": 1, "removed": 1, "changed": 1}
    assert sorted(out["tables"]) == sorted({"meetings", e.only_old_table, e.only_new_table})
    assert out["tables"]["meetings"] == {
        "status": "kept", "added": [], "removed": [],
        "changed": [{"key": CHANGED_MEETING, "fields": {"city": {"old": e.old_city, "new": e.new_city}}}],
    }
    assert [r["key"] for r in out["tables"][e.only_old_table]["removed"]] == [e.only_old_key]
    [added] = out["tables"][e.only_new_table]["added"]
    assert added["key"] == e.only_new_key
    assert added["row"]["leader_id"] == (added_row["leader_id"] or None)
    assert added["row"]["is_person_inferred"] is (added_row["is_person_inferred"] == "true")
    assert json.loads((build.first.dist / "changes.json").read_text(encoding="utf-8")) == out


def test_diff_of_identical_versions_is_empty(build: Build, capsys: pytest.CaptureFixture) -> None:
    assert rel.run("diff", [str(build.src), str(build.file(".zip"))]) == 0
    version = build.package.version
    assert capsys.readouterr().out == (f"version {version} -> {version}\nno changes\n"
                                       "total: 0 added, 0 removed, 0 changed\n")


def test_changelog_entry_carries_the_diff_once(build: Build) -> None:
    text = (build.src / "CHANGELOG.md").read_text(encoding="utf-8")
    assert text.count(rel.CHANGES_BEGIN) == 1
    assert build.first.changelog_changed and not build.second.changelog_changed
    e = build.edits
    lines = {e.only_old_table: f"- `{e.only_old_table}`:\n  - removed `{e.only_old_key}`",
             "meetings": f"- `meetings`:\n  - changed `{CHANGED_MEETING}`: `city`",
             e.only_new_table: f"- `{e.only_new_table}`:\n  - added `{e.only_new_key}`"}
    listed = "\n".join(lines[name] for name in build.package.tables if name in lines)
    entry = text.split(rel.CHANGES_BEGIN)[1].split(rel.CHANGES_END)[0]
    assert entry == f"\nData changes since {OLD_VERSION}: 1 added, 1 removed, 1 changed.\n\n{listed}\n"
    with zipfile.ZipFile(build.file(".zip")) as zf:
        assert zf.read("CHANGELOG.md").decode("utf-8") == text


def test_update_changelog_replaces_only_its_own_block() -> None:
    text = "# Changelog\n\nIntro.\n\n## [0.2.0] - 2026-12-01\n\nNotes by hand.\n\n## [0.1.0]\n\nOld notes.\n"
    once = rel.update_changelog(text, "0.2.0", "first body")
    assert once == ("# Changelog\n\nIntro.\n\n## [0.2.0] - 2026-12-01\n\nNotes by hand.\n\n"
                    f"{rel.CHANGES_BEGIN}\nfirst body\n{rel.CHANGES_END}\n\n## [0.1.0]\n\nOld notes.\n")
    assert rel.update_changelog(once, "0.2.0", "first body") == once
    assert rel.update_changelog(once, "0.2.0", "second body") == once.replace("first body", "second body")
    new = rel.update_changelog(text, "0.3.0", "body")
    assert new == text.replace("## [0.2.0]", f"## [0.3.0]\n\n{rel.CHANGES_BEGIN}\nbody\n{rel.CHANGES_END}\n\n"
                                              "## [0.2.0]", 1)


# ---------------------------------------------------------------------------------------------
# Refusals
# ---------------------------------------------------------------------------------------------


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_release_refuses_invalid_data_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    src = copy_release_inputs(tmp_path / "pkg")
    package = load_package(src)
    meetings = read_rows(package.table("meetings"))
    next(m for m in meetings if m["meeting_id"] == CHANGED_MEETING)["status"] = "finished"
    write_rows(package, "meetings", meetings)
    before = snapshot(tmp_path)
    assert rel.run("release", [str(src), "--dist", str(tmp_path / "dist")]) == 1
    err = capsys.readouterr().err
    assert "meetings" in err and "status" in err and "finished" in err
    assert err.rstrip().endswith("nothing written")
    assert snapshot(tmp_path) == before


def test_release_refuses_a_version_mismatch(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    src = copy_release_inputs(tmp_path / "pkg")
    version = load_package(src).version
    cff = src / "CITATION.cff"
    cff.write_text(cff.read_text(encoding="utf-8").replace(f"version: {version}", "version: 9.9.9"),
                   encoding="utf-8")
    before = snapshot(tmp_path)
    assert rel.run("release", [str(src), "--dist", str(tmp_path / "dist")]) == 1
    err = capsys.readouterr().err
    assert err == (
        "CITATION.cff: 1 problem\n"
        f"  file, version = '9.9.9'  [version-mismatch] CITATION.cff has version '9.9.9' but "
        f"datapackage.json has '{version}'\n"
        "      hint: give both files the same version\n\n"
        "invalid: 1 problem in 1 file\n"
        "release refused: nothing written\n")
    assert snapshot(tmp_path) == before


def test_release_never_deletes_files_it_did_not_write(build: Build, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(rel.ReleaseError, match=r"notes\.txt"):
        rel.release(build.src, dist, sources_dir(), build.older)
    assert [p.name for p in dist.iterdir()] == ["notes.txt"]
    assert not list(tmp_path.glob(".dist.*"))


def test_previous_version_comes_from_the_last_git_tag(build: Build, tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git not installed")
    repo = tmp_path / "repo"
    shutil.copytree(build.older, repo)

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(repo), "-c", "user.name=test", "-c", "user.email=test@example.org",
                        "-c", "tag.gpgSign=false", "-c", "commit.gpgSign=false", *args],
                       check=True, capture_output=True)

    git("init", "-q")
    git("add", "-A")
    git("commit", "-q", "-m", "older version")
    version = build.package.version
    assert rel.previous_from_git(repo, version, tmp_path / "none") is None  # no tag yet
    git("tag", f"v{OLD_VERSION}")
    shutil.copy2(build.src / "datapackage.json", repo / "datapackage.json")
    shutil.copytree(build.src / "tables", repo / "tables", dirs_exist_ok=True)
    git("commit", "-q", "-am", "this version")
    git("tag", f"v{version}")  # a tag of the version being released is not its predecessor
    found = rel.previous_from_git(repo, version, tmp_path / "prev")
    assert found is not None
    diff = rel.diff_packages(load_package(found), load_package(repo))
    assert rel.diff_text(diff) == expected_text(build)
