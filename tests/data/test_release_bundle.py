"""The release bundle built from the real data: what dist/ holds, that two builds are identical,
and that the zip, the Parquet files, the SQLite database and the site say what the CSVs say."""

from __future__ import annotations

import hashlib
import html
import json
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest

from scripts.model import cells
from scripts.model.backends import sqlite as sqlite_backend
from scripts.model.derived import with_derived
from scripts.model.package import load_package, read_rows
from scripts.release.build import CHECKSUMS, ZIP_TIME
from scripts.release.distdir import MARKER
from tests.data.release_support import CHANGED_MEETING, Build


def test_dist_holds_every_release_file(build: Build) -> None:
    name, version = build.package.name, build.package.version
    tables = list(build.package.tables)
    expected = {f"{name}-{version}.zip", f"{name}.xlsx", f"{name}.sqlite", "datasette-metadata.json",
                "datapackage.json", "data-dictionary.md", "erd.svg", "changes.json", "schema-org.jsonld", "zenodo.json",
                "zenodo-record.json", "ckan-package.json", CHECKSUMS,
                *(f"{t}.csv" for t in tables), *(f"{t}.parquet" for t in tables)}
    assert set(build.first.files) == expected
    assert sorted(p.name for p in build.dist.iterdir() if p.is_dir()) == ["site"]
    assert not list(build.dist.parent.glob(".dist*"))


def test_two_builds_give_identical_checksums_covering_every_file_but_sqlite(build: Build) -> None:
    sums = (build.first.dist / CHECKSUMS).read_text(encoding="utf-8")
    assert sums == (build.second.dist / CHECKSUMS).read_text(encoding="utf-8")
    listed = dict(reversed(line.split("  ")) for line in sums.splitlines())
    on_disk = {p.relative_to(build.dist).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
               for p in build.dist.rglob("*") if p.is_file() and p.name != CHECKSUMS}
    sqlite_name = f"{build.package.name}.sqlite"
    assert sqlite_name in on_disk and sqlite_name not in listed
    assert MARKER in on_disk and MARKER not in listed  # the release's own bookkeeping, not a release file
    del on_disk[sqlite_name], on_disk[MARKER]
    assert listed == on_disk
    assert "site/index.html" in listed


def test_zip_gets_the_same_frictionless_verdict_as_the_package(build: Build, tmp_path: Path) -> None:
    import frictionless

    folder = f"{build.package.name}-{build.package.version}"
    archive = build.file(f"{folder}.zip")
    with zipfile.ZipFile(archive) as zf:
        names = zf.namelist()
        assert names == sorted(names)
        assert {info.date_time for info in zf.infolist()} == {ZIP_TIME}
        zf.extractall(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == [folder]  # unpacks into one folder, nothing beside it
    assert all(name.startswith(f"{folder}/") for name in names)
    unpacked_root = tmp_path / folder
    for table in build.package.tables.values():
        assert (unpacked_root / "tables" / table.path.name).read_bytes() == table.path.read_bytes()
    assert {f"{folder}/{n}" for n in ("README.md", "CITATION.cff", "CHANGELOG.md", "REUSE.toml",
                                      "LICENSES/CC-BY-4.0.txt", "LICENSES/MIT.txt", "docs/data-dictionary.md",
                                      "docs/erd.svg")} <= set(names)
    unpacked = frictionless.validate(unpacked_root / "datapackage.json")
    original = frictionless.validate(build.src / "datapackage.json")
    fields = ["title", "rowNumber", "fieldName", "type", "note"]
    assert unpacked.flatten(fields) == original.flatten(fields) == []
    assert unpacked.valid and original.valid


def test_parquet_columns_are_typed_and_equal_the_csv(build: Build) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    expected_types = {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(), "boolean": pa.bool_()}
    for table in build.package.tables.values():
        data = pq.read_table(build.file(f"{table.name}.parquet"))
        assert data.column_names == [f.name for f in with_derived(table).fields]  # the CSV's, then derived
        for fld in table.fields:
            assert data.schema.field(fld.name).type == expected_types[fld.type], (table.name, fld.name)
        key = {tuple(r[k] for k in table.sort_names()): r for r in read_rows(table)}
        assert data.num_rows == len(key)
        for row in data.select(table.field_names).to_pylist():
            csv_row = key[tuple(cells.write_cell(table.field(k), row[k]) for k in table.sort_names())]
            assert row == {f.name: cells.read_cell(f, csv_row[f.name]) for f in table.fields}
    meetings = pq.read_table(build.file("meetings.parquet")).to_pylist()
    sixth = next(r for r in meetings if r["meeting_id"] == CHANGED_MEETING)
    raw = next(r for r in read_rows(build.package.table("meetings")) if r["meeting_id"] == CHANGED_MEETING)
    assert (sixth["ordinal"], sixth["date_start"]) == (6, raw["date_start"])  # a reduced date stays text
    assert isinstance(sixth["date_start"], str) and len(raw["date_start"]) < 10


@pytest.fixture()
def db(build: Build, tmp_path: Path):
    copy = tmp_path / "copy.sqlite"
    shutil.copy2(build.file(f"{build.package.name}.sqlite"), copy)
    conn = sqlite3.connect(copy, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    yield conn
    conn.close()


def test_sqlite_describes_itself(build: Build, db: sqlite3.Connection) -> None:
    meta = dict(db.execute("SELECT key, value FROM _metadata"))
    desc = build.package.descriptor
    assert meta["version"] == desc["version"] and meta["license"] == "CC-BY-4.0"
    assert meta["license_url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert meta["homepage"] == desc["homepage"]
    assert meta["citation"].startswith("Central Asia Cooperation Dataset maintainers (")
    assert meta["sqlite_version"] == sqlite3.sqlite_version
    files = {path: (role, digest) for path, role, digest in db.execute("SELECT path, role, sha256 FROM _files")}
    for table in build.package.tables.values():
        rel = table.path.relative_to(build.src).as_posix()
        assert files[rel] == ("table", hashlib.sha256(table.path.read_bytes()).hexdigest())
    sources = {p: d for p, (r, d) in files.items() if r == "source text"}
    assert sources == {s["path"]: s["version"].removeprefix("sha256:") for s in desc["sources"]}


def test_sqlite_tables_use_the_models_ddl_and_values(build: Build, db: sqlite3.Connection) -> None:
    for table in build.package.tables.values():
        ddl = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table.name,)).fetchone()
        assert ddl[0] == sqlite_backend.ddl(with_derived(table))
        count = db.execute(f'SELECT count(*) FROM "{table.name}"').fetchone()[0]
        assert count == len(read_rows(table))
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
        db.execute("UPDATE meetings SET status = 'finished' WHERE meeting_id = ?", (CHANGED_MEETING,))
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY constraint failed"):
        db.execute("UPDATE attendance SET person_id = 'no-such-person' WHERE meeting_id = ?", (CHANGED_MEETING,))


def test_datasette_metadata_carries_licence_source_and_descriptions(build: Build) -> None:
    meta = json.loads(build.file("datasette-metadata.json").read_text(encoding="utf-8"))
    desc = build.package.descriptor
    assert (meta["license"], meta["license_url"]) == ("Creative Commons Attribution 4.0",
                                                      "https://creativecommons.org/licenses/by/4.0/")
    assert meta["source_url"] == desc["homepage"]
    assert meta["about_url"].startswith("https://") and meta["about_url"].endswith(".zip")
    tables = meta["databases"][desc["name"]]["tables"]
    for table in build.package.tables.values():
        assert tables[table.name]["description"] == table.description
        assert list(tables[table.name]["columns"]) == [f.name for f in with_derived(table).fields]
    assert "hidden" not in tables["_metadata"] and tables["_columns"] == {"hidden": True}


def test_site_is_in_the_release_and_links_every_table(build: Build) -> None:
    site = build.dist / "site"
    index = (site / "index.html").read_text(encoding="utf-8")
    for table in build.package.tables.values():
        assert (site / "tables" / f"{table.name}.html").is_file()
        assert f"tables/{table.name}.html" in index
    assert 'src="http' not in index and 'rel="stylesheet" href="http' not in index  # works offline


def test_site_cites_the_dataset_in_the_databases_words(build: Build, db: sqlite3.Connection) -> None:
    citation = dict(db.execute("SELECT key, value FROM _metadata"))["citation"]
    index = (build.dist / "site" / "index.html").read_text(encoding="utf-8")
    assert f'<p class="reference">{html.escape(citation)}</p>' in index


def test_generated_docs_in_dist_match_the_schemas(build: Build) -> None:
    from scripts.release.docs import render_docs

    for name, text in render_docs(load_package(build.src)).items():
        assert build.file(name).read_text(encoding="utf-8") == text


def test_the_readmes_pandera_example_runs_on_the_release(build: Build, tmp_path: Path) -> None:
    """The README's analyst example, run as written beside a release: a filtered copy passes, an
    edited one fails by rule id, and attendance is checked against its parents' keys."""
    import re
    import subprocess
    import sys

    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### The checks on your own frames (pandera)", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)  # type: ignore[union-attr]
    import shutil

    shutil.copy(build.src / "datapackage.json", tmp_path)
    shutil.copytree(build.src / "schemas", tmp_path / "schemas")  # a link leading out would be refused
    (tmp_path / "dist").symlink_to(build.dist)
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    rows = build.first.dist / "meetings.parquet"
    import polars as pl

    height = pl.read_parquet(rows).height
    assert f"│ ordinal ┆ minimum ┆ {height}" in done.stdout and f"│ status  ┆ enum    ┆ {height}" in done.stdout


def test_the_release_index_embeds_its_json_ld_and_lists_every_file_with_its_digest(build: Build) -> None:
    import re

    index = (build.dist / "site" / "index.html").read_text(encoding="utf-8")
    [block] = re.findall(r'<script type="application/ld\+json">\n(.*?)\n</script>', index, re.S)
    assert json.loads(block) == json.loads(build.file("schema-org.jsonld").read_text(encoding="utf-8"))
    section = index.split('<h2 id="downloads">', 1)[1].split("</section>", 1)[0]
    listed = re.findall(r'<a href="[^"]+/([^"/]+)">\1</a></td><td class="format">[^<]*</td>'
                        r'<td class="size" data-sort="(\d+)">[^<]*</td><td class="digest"><code class="digest">'
                        r"([0-9a-f]{64})</code>", section)
    assert {name for name, _, _ in listed} == {
        p.name for p in build.dist.iterdir() if p.suffix in {".zip", ".csv", ".parquet", ".xlsx", ".sqlite"}} | {
        "datapackage.json", "data-dictionary.md", "erd.svg", "changes.json"}
    for name, size, digest in listed:
        data = build.file(name).read_bytes()
        assert (int(size), digest) == (len(data), hashlib.sha256(data).hexdigest()), name
