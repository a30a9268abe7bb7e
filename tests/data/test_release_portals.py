"""Portal metadata of a release, checked against the portals' published schemas (written into
tests/fixtures/portals/ from their documentation, with the URLs) and, for schema.org, expanded as
JSON-LD with pyld against a bundled context (no network)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from scripts.package import read_rows
from scripts.release.generated import ZENODO
from tests.conftest import ROOT
from tests.data.release_support import Build, make_build

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "portals"
SCHEMA_ORG = "https://schema.org/"


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    return make_build(tmp_path_factory.mktemp("portals"))


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def errors(schema_name: str, document: dict) -> list[str]:
    validator = Draft202012Validator(load(FIXTURES / schema_name), format_checker=FormatChecker())
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]


def data_files(build: Build) -> list[str]:
    return sorted(p.name for p in build.dist.iterdir()
                  if p.suffix in {".zip", ".csv", ".parquet", ".xlsx", ".sqlite"})


def test_zenodo_metadata_passes_zenodos_deposit_schema(build: Build) -> None:
    release_copy = load(build.file("zenodo.json"))["metadata"]
    assert errors("zenodo-deposit.schema.json", release_copy) == []
    assert release_copy == load(build.src / ZENODO)  # .zenodo.json at the root is the same record
    assert (release_copy["upload_type"], release_copy["license"], release_copy["access_right"]) == (
        "dataset", "cc-by-4.0", "open")
    org = "Central Asia Cooperation Dataset maintainers"
    assert release_copy["creators"] == [{"name": org, "affiliation": org}]
    assert {c["type"] for c in release_copy["contributors"]} == {"RightsHolder", "DataManager"}
    related = {r["relation"]: r["identifier"] for r in release_copy["related_identifiers"]}
    assert related["isSupplementedBy"] == build.package.descriptor["homepage"]
    assert related["isIdenticalTo"].endswith(f"/v{build.package.version}/"
                                             f"{build.package.name}-{build.package.version}.zip")


def test_zenodo_schema_refuses_what_zenodo_refuses() -> None:
    assert errors("zenodo-deposit.schema.json", {"upload_type": "dataset", "title": "t", "description": "d",
                                                 "access_right": "open", "license": "cc-by-4.0",
                                                 "creators": [{"name": "X", "type": "Organizational"}]})


def test_ckan_package_passes_ckans_package_create_schema(build: Build) -> None:
    ckan = load(build.file("ckan-package.json"))
    assert errors("ckan-package.schema.json", ckan) == []
    assert ckan["license_id"] == "cc-by"
    base = build.package.descriptor["cac:download_base"].format(version=build.package.version)
    assert [(r["name"], r["url"]) for r in ckan["resources"]] == [(f, base + f) for f in data_files(build)]
    formats = {r["name"].rsplit(".", 1)[1]: r["format"] for r in ckan["resources"]}
    assert formats == {"csv": "CSV", "parquet": "Parquet", "sqlite": "SQLite", "xlsx": "XLSX", "zip": "ZIP"}
    assert sum(r["format"] == "CSV" for r in ckan["resources"]) == len(build.package.tables)


def test_schema_org_dataset_passes_the_dataset_schema(build: Build) -> None:
    ld = load(build.file("schema-org.jsonld"))
    assert errors("schema-org-dataset.schema.json", ld) == []
    meetings = read_rows(build.package.table("meetings"))
    starts = [m["date_start"] for m in meetings if m["date_start"]]
    ends = [m["date_end"] or m["date_start"] for m in meetings if m["date_start"]]
    assert ld["temporalCoverage"] == f"{min(starts)}/{max(ends)}"
    states = sorted(r["name"] for r in read_rows(build.package.table("states")))
    assert [p["name"] for p in ld["spatialCoverage"]] == states
    assert {"Kazakhstan", "Kyrgyzstan", "Tajikistan", "Turkmenistan", "Uzbekistan"} <= set(states)
    sources = read_rows(build.package.table("sources"))
    assert [b["name"] for b in ld["isBasedOn"]] == [s["title"] for s in sources] and len(sources) == 5
    fields = [f"{t.name}.{f.name}" for t in build.package.tables.values() for f in t.fields]
    assert [v["name"] for v in ld["variableMeasured"]] == fields
    value = next(v for v in ld["variableMeasured"] if v["name"] == "indicators.value")
    units = sorted({r["unit"] for r in read_rows(build.package.table("indicators"))})
    assert value["unitText"] == ", ".join(units)
    assert [d["name"] for d in ld["distribution"]] == data_files(build)


def test_schema_org_expands_as_json_ld_to_absolute_iris(build: Build) -> None:
    from pyld import jsonld

    context = load(FIXTURES / "schema-org-context.jsonld")

    def loader(url: str, options: dict | None = None) -> dict:
        assert url.rstrip("/") == SCHEMA_ORG.rstrip("/"), f"network access to {url}"
        return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url, "document": context}

    [dataset] = jsonld.expand(load(build.file("schema-org.jsonld")), {"documentLoader": loader})
    assert dataset["@type"] == [f"{SCHEMA_ORG}Dataset"]
    assert dataset[f"{SCHEMA_ORG}url"] == [{"@id": build.package.descriptor["homepage"]}]
    downloads = dataset[f"{SCHEMA_ORG}distribution"]
    assert all(d[f"{SCHEMA_ORG}contentUrl"][0]["@id"].startswith("https://") for d in downloads)
    assert len(dataset[f"{SCHEMA_ORG}isBasedOn"]) == 5


def test_committed_generated_files_are_fresh() -> None:
    """CITATION.cff, .zenodo.json and docs/ as datapackage.json and the schemas generate them."""
    from scripts.package import load_package
    from scripts.release.generated import generated_files

    package = load_package(ROOT)
    rows = {n: read_rows(t) for n, t in package.tables.items()}
    stale = [name for name, text in generated_files(package, rows).items()
             if not (ROOT / name).is_file() or (ROOT / name).read_text(encoding="utf-8") != text]
    assert stale == [], f"stale: {stale}; run `python -m scripts docs`"
