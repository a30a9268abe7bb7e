"""Portal metadata of a release, checked against the portals' published schemas (written into
tests/fixtures/portals/ from their documentation, with the URLs) and, for schema.org, expanded as
JSON-LD with pyld against a bundled context (no network)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from scripts.model.package import read_rows
from scripts.release.generated import ZENODO
from tests.conftest import ROOT
from tests.data.release_support import Build

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "portals"
SCHEMA_ORG = "https://schema.org/"
RDM_SCHEMA = "zenodo-rdm-record.schema.json"
ORG = "Central Asia Cooperation Dataset maintainers"
CREATOR = "metadata/creators/0/person_or_org"  # where the RDM schema reports a creator's error


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
    # The legacy format cannot type an organisation: its name alone, no fake affiliation or roles.
    assert release_copy["creators"] == [{"name": ORG}]
    assert "contributors" not in release_copy
    related = {r["relation"]: r["identifier"] for r in release_copy["related_identifiers"]}
    assert related["isSupplementedBy"] == build.package.descriptor["homepage"]
    assert related["isIdenticalTo"].endswith(f"/v{build.package.version}/"
                                             f"{build.package.name}-{build.package.version}.zip")


def test_zenodo_schema_refuses_what_zenodo_refuses() -> None:
    assert errors("zenodo-deposit.schema.json", {"upload_type": "dataset", "title": "t", "description": "d",
                                                 "access_right": "open", "license": "cc-by-4.0",
                                                 "creators": [{"name": "X", "type": "Organizational"}]})


def test_zenodo_record_passes_the_invenio_rdm_schema_and_types_the_organisation(build: Build) -> None:
    record = load(build.file("zenodo-record.json"))
    assert errors(RDM_SCHEMA, record) == []
    metadata = record["metadata"]
    assert metadata["creators"] == [{"person_or_org": {"type": "organizational", "name": ORG}}]
    descriptor = build.package.descriptor
    assert metadata["publication_date"] == descriptor["created"][:10]
    assert (metadata["resource_type"], metadata["rights"], metadata["languages"]) == (
        {"id": "dataset"}, [{"id": "cc-by-4.0"}], [{"id": "eng"}])
    assert [s["subject"] for s in metadata["subjects"]] == descriptor["keywords"]
    states = sorted(r["name"] for r in read_rows(build.package.table("states")))
    assert metadata["locations"] == {"features": [{"place": n} for n in states]}
    meetings = read_rows(build.package.table("meetings"))
    starts = [m["date_start"] for m in meetings if m["date_start"]]
    ends = [m["date_end"] or m["date_start"] for m in meetings if m["date_start"]]
    assert [(d["date"], d["type"]) for d in metadata["dates"]] == [(f"{min(starts)}/{max(ends)}", {"id": "other"})]
    related = {r["relation_type"]["id"]: (r["identifier"], r["scheme"], r["resource_type"]["id"])
               for r in metadata["related_identifiers"]}
    assert related["issupplementedby"] == (descriptor["homepage"], "url", "software")
    assert related["isidenticalto"][0].endswith(f"/{build.package.name}-{build.package.version}.zip")


def test_zenodo_record_turns_a_person_into_a_personal_creator() -> None:
    from scripts.model.meta import meta_from_descriptor
    from scripts.release.portals import zenodo_record

    descriptor = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["contributors"] = [
        {"givenName": "Aigerim", "familyName": "Sadykova", "organization": "Example University",
         "roles": ["creator"]},
        {"title": ORG, "roles": ["creator"]}]
    record = zenodo_record(meta_from_descriptor(descriptor), {})
    assert errors(RDM_SCHEMA, record) == []
    assert record["metadata"]["creators"] == [
        {"person_or_org": {"type": "personal", "given_name": "Aigerim", "family_name": "Sadykova"},
         "affiliations": [{"name": "Example University"}]},
        {"person_or_org": {"type": "organizational", "name": ORG}}]
    assert "dates" not in record["metadata"] and "locations" not in record["metadata"]  # no rows


@pytest.mark.parametrize(("person_or_org", "error"), [
    ({"type": "organizational"}, f"{CREATOR}: 'name' is a required property"),
    ({"type": "organizational", "name": ""}, f"{CREATOR}/name: '' should be non-empty"),
    ({"type": "personal", "given_name": "Aigerim", "name": "Aigerim"},
     f"{CREATOR}: 'family_name' is a required property"),
    ({"type": "person", "name": "X"}, f"{CREATOR}/type: 'person' is not one of ['personal', 'organizational']"),
])
def test_invenio_rdm_schema_refuses_an_unnamed_or_untyped_creator(person_or_org: dict, error: str) -> None:
    record = {"metadata": {"resource_type": {"id": "dataset"}, "title": "A title",
                           "publication_date": "2026-11-23", "creators": [{"person_or_org": person_or_org}]}}
    assert errors(RDM_SCHEMA, record) == [error]


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
    from scripts.model.package import load_package
    from scripts.release.generated import generated_files

    package = load_package(ROOT)
    rows = {n: read_rows(t) for n, t in package.tables.items()}
    stale = [name for name, text in generated_files(package, rows).items()
             if not (ROOT / name).is_file() or (ROOT / name).read_text(encoding="utf-8") != text]
    assert stale == [], f"stale: {stale}; run `python -m scripts docs`"
