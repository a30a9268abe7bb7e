"""Where a source was published: the optional outlet, web address and access date of each source,
empty where the text does not say, and shown wherever a source is shown (the site's index, the
SQLite sources table, the workbook's sources sheet, the schema.org and Zenodo records)."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from scripts.cli import main
from scripts.model.package import csv_text, load_package, read_rows
from scripts.release.generated import write_generated
from tests.conftest import ROOT
from tests.data.release_support import copy_release_inputs
from tests.data.test_release_portals import RDM_SCHEMA, errors

FIELDS = ("outlet", "url", "accessed")
URL = "https://tass.com/politics/1849915"


def test_every_source_has_the_fields_and_none_is_guessed(package, sources: Path) -> None:
    """The five texts name no web address and no outlet of their own (src-004's 'Based on materials
    from TASS' names where its material came from, which source_organizations records)."""
    table = package.table("sources")
    assert [f for f in table.field_names if f in FIELDS] == list(FIELDS)
    assert not any(table.field(f).required for f in FIELDS)
    rows = read_rows(table)
    assert [tuple(r[f] for f in FIELDS) for r in rows] == [("", "", "")] * 5
    for row in rows:
        text = (sources / row["file_name"]).read_text(encoding="utf-8")
        assert not re.search(r"https?://|www\.", text), row["file_name"]
    based_on = [r for r in read_rows(package.table("source_organizations")) if r["role"] == "based_on"]
    assert [(r["source_id"], r["organization_id"]) for r in based_on] == [("src-004", "tass")]


def with_a_known_place(root: Path, url: str = URL) -> Path:
    package = load_package(root)
    table = package.table("sources")
    rows = read_rows(table)
    rows[4].update(outlet="TASS", url=url, accessed="2024-08")
    table.path.write_text(csv_text(table, rows), encoding="utf-8")
    if url.startswith("https:"):
        write_generated(root)  # .zenodo.json names the sources' addresses
    return root


def test_a_known_place_is_shown_wherever_the_source_is(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    src = with_a_known_place(copy_release_inputs(tmp_path / "pkg"))
    assert main(["release", str(src), "--no-provenance"]) == 0, capsys.readouterr().err
    dist = src / "dist"
    index = (dist / "site" / "index.html").read_text(encoding="utf-8")
    assert f'<td>TASS, <a href="{URL}">{URL}</a>, accessed August 2024</td>' in index
    assert index.count("<td>not stated in the text</td>") == 4
    with sqlite3.connect(dist / "central-asia-cooperation.sqlite") as conn:
        stored = conn.execute("SELECT outlet, url, accessed, accessed_precision FROM sources "
                              "WHERE source_id = 'src-004'").fetchone()
    assert stored == ("TASS", URL, "2024-08", "month")
    ld = json.loads((dist / "schema-org.jsonld").read_text(encoding="utf-8"))
    assert ld["isBasedOn"][4]["publisher"] == {"@type": "Organization", "name": "TASS"}
    assert ld["isBasedOn"][4]["url"] == URL and "url" not in ld["isBasedOn"][0]
    zenodo = json.loads((dist / "zenodo.json").read_text(encoding="utf-8"))["metadata"]
    assert {"identifier": URL, "relation": "isDerivedFrom", "resource_type": "publication"} in \
        zenodo["related_identifiers"]
    record = json.loads((dist / "zenodo-record.json").read_text(encoding="utf-8"))
    assert errors("zenodo-deposit.schema.json", zenodo) == [] and errors(RDM_SCHEMA, record) == []
    assert errors("schema-org-dataset.schema.json", ld) == []
    from openpyxl import load_workbook

    sheet = load_workbook(dist / "central-asia-cooperation.xlsx", read_only=True)["sources"]
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert [h for h in header if h in FIELDS] == list(FIELDS)


def test_a_url_that_is_no_web_address_is_refused_and_never_linked(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture) -> None:
    src = with_a_known_place(copy_release_inputs(tmp_path / "pkg"), url="javascript:alert(1)")
    assert main(["validate", str(src), "--no-provenance", "--format", "json"]) == 1
    [problem] = json.loads(capsys.readouterr().out)["problems"]
    assert (problem["file"], problem["row"], problem["field"], problem["rule"]) == (
        "tables/sources.csv", 6, "url", "pattern")
    assert main(["site", str(src), "--output", str(tmp_path / "site")]) == 0  # the site alone does not validate
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "<td>TASS, javascript:alert(1), accessed August 2024</td>" in index
    assert 'href="javascript' not in index


def test_the_dictionary_explains_the_fields() -> None:
    dictionary = (ROOT / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    assert "| `outlet` | Outlet | text |" in dictionary
    assert "a web address starting with http:// or https://" in dictionary
