"""Metadata that data portals and search engines read: schema.org Dataset JSON-LD, Zenodo's
legacy deposit metadata (also the repository's ``.zenodo.json``), a Zenodo (InvenioRDM) REST API
record and a CKAN ``package_create`` body.

All of it is derived from the release record (:mod:`scripts.model.meta`) and the data; every
download URL is absolute (the descriptor's ``cac:download_base``). The tests validate each file
against the portal's published schema (tests/fixtures/portals/) and expand the JSON-LD with pyld.
"""

from __future__ import annotations

from html import escape
from typing import Any

from scripts.model.meta import DIGEST_PREFIX, PackageMeta, Party, format_name, media_type
from scripts.model.names import (
    DATE_END,
    DATE_START,
    MEETINGS,
    SOURCE_FILE,
    SOURCE_OUTLET,
    SOURCE_PUBLISHED,
    SOURCE_SHA256,
    SOURCE_TITLE,
    SOURCE_URL,
    SOURCES,
    STATE_NAME,
    STATES,
)
from scripts.model.package import Package
from scripts.model.publishing import CKAN_NAME
from scripts.model.values import link_or_empty

UNIT_FIELD = "unit"  # a table with this field states the unit of its number fields per row
SCHEMA_ORG_CONTEXT = "https://schema.org/"
ZENODO_LICENSE_IDS = {"CC-BY-4.0": "cc-by-4.0", "MIT": "MIT", "CC0-1.0": "cc-zero"}
ZENODO_PUBLISHER = "Zenodo"  # the publisher Zenodo itself states on the DOIs it mints
CKAN_LICENSE_IDS = {"CC-BY-4.0": "cc-by", "CC0-1.0": "cc-zero", "MIT": "other-open"}


def temporal_coverage(rows: dict[str, list[dict[str, str]]]) -> str:
    """ISO 8601 interval from the earliest meeting start to the latest end (at the precision
    the data gives, e.g. ``2018/2025-08``)."""
    starts = [r[DATE_START] for r in rows.get(MEETINGS, []) if r.get(DATE_START)]
    ends = [r.get(DATE_END) or r[DATE_START] for r in rows.get(MEETINGS, []) if r.get(DATE_START)]
    if not starts:
        return ""
    return f"{min(starts)}/{max(ends)}"


def state_names(rows: dict[str, list[dict[str, str]]]) -> list[str]:
    return sorted(r[STATE_NAME] for r in rows.get(STATES, []) if r.get(STATE_NAME))


def _sources(rows: dict[str, list[dict[str, str]]]) -> list[dict[str, str]]:
    return rows.get(SOURCES, [])


def _units(package: Package, rows: dict[str, list[dict[str, str]]]) -> dict[str, str]:
    """table name -> the units its rows state (for tables with a unit column)."""
    out = {}
    for table in package.tables.values():
        if UNIT_FIELD in table.field_names:
            units = sorted({r[UNIT_FIELD] for r in rows.get(table.name, []) if r.get(UNIT_FIELD)})
            out[table.name] = ", ".join(units)
    return out


def variables(package: Package, rows: dict[str, list[dict[str, str]]]) -> list[dict[str, Any]]:
    """A schema.org PropertyValue per field, with the units for number fields where known."""
    units = _units(package, rows)
    out = []
    for table in package.tables.values():
        for fld in table.fields:
            entry: dict[str, Any] = {"@type": "PropertyValue", "name": f"{table.name}.{fld.name}",
                                     "alternateName": fld.title, "description": fld.description}
            if fld.type in ("number", "integer") and units.get(table.name):
                entry["unitText"] = units[table.name]
            out.append(entry)
    return out


def _party_ld(party: Any) -> dict[str, Any]:
    if party.is_person:
        entry = {"@type": "Person", "name": f"{party.given_name} {party.family_name}".strip(),
                 "givenName": party.given_name, "familyName": party.family_name}
    else:
        entry = {"@type": "Organization", "name": party.name}
    if party.email:
        entry["email"] = party.email
    return entry


def _source_ld(source: dict[str, str]) -> dict[str, Any]:
    """A source as a CreativeWork; its outlet (publisher) and web address only where known."""
    entry: dict[str, Any] = {"@type": "CreativeWork", "name": source.get(SOURCE_TITLE, ""),
                             "identifier": f"{DIGEST_PREFIX}{source.get(SOURCE_SHA256, '')}",
                             "alternateName": source.get(SOURCE_FILE, ""),
                             "datePublished": source.get(SOURCE_PUBLISHED, "")}
    if source.get(SOURCE_OUTLET):
        entry["publisher"] = {"@type": "Organization", "name": source[SOURCE_OUTLET]}
    if link_or_empty(source.get(SOURCE_URL)):
        entry["url"] = source[SOURCE_URL]
    return entry


def source_urls(rows: dict[str, list[dict[str, str]]]) -> list[str]:
    """The sources' web addresses, where known (for the portals' related identifiers)."""
    return [s[SOURCE_URL] for s in _sources(rows) if link_or_empty(s.get(SOURCE_URL))]


def schema_org(meta: PackageMeta, package: Package, rows: dict[str, list[dict[str, str]]],
               files: list[str]) -> dict[str, Any]:
    """schema.org ``Dataset`` as JSON-LD (what Google Dataset Search reads)."""
    return {
        "@context": SCHEMA_ORG_CONTEXT,
        "@type": "Dataset",
        "@id": meta.homepage,
        "name": meta.title,
        "alternateName": meta.name,
        "description": meta.description,
        "url": meta.homepage,
        "version": meta.version,
        "datePublished": meta.date,
        "identifier": meta.identifier or meta.homepage,
        "license": meta.license.url,
        "keywords": list(meta.keywords),
        "isAccessibleForFree": True,
        "creator": [_party_ld(p) for p in meta.creators],
        "citation": meta.homepage,
        "temporalCoverage": temporal_coverage(rows),
        "spatialCoverage": [{"@type": "Place", "name": n} for n in state_names(rows)],
        "isBasedOn": [_source_ld(s) for s in _sources(rows)],
        "variableMeasured": variables(package, rows),
        "distribution": [{"@type": "DataDownload", "name": f, "contentUrl": meta.url(f),
                          "encodingFormat": media_type(f)} for f in files],
    }


def zenodo(meta: PackageMeta, rows: dict[str, list[dict[str, str]]]) -> dict[str, Any]:
    """Zenodo deposit metadata in the legacy format, which is what ``.zenodo.json`` (read by
    Zenodo's GitHub integration) holds.

    The legacy format cannot say that a creator is an organisation: a creator is only
    ``{name, affiliation, orcid, gnd}``, and Zenodo converts every one to a person, splitting the
    name into family and given names (zenodo/zenodo#1956). So an organisation is given by its
    name alone; a record that types it properly is :func:`zenodo_record` (the REST API body).
    No publication date: Zenodo sets it on publishing.
    """
    creators = []
    for party in meta.creators:
        entry = {"name": party.inverted_name}
        if party.is_person and party.organization:
            entry["affiliation"] = party.organization
        creators.append(entry)
    related = [{"identifier": meta.homepage, "relation": "isSupplementedBy", "resource_type": "software"},
               {"identifier": meta.url(meta.zip_name()), "relation": "isIdenticalTo", "resource_type": "dataset"},
               *({"identifier": url, "relation": "isDerivedFrom", "resource_type": "publication"}
                 for url in source_urls(rows))]
    return {
        "upload_type": "dataset",
        "title": meta.title,
        "description": escape(meta.description, quote=False),
        "version": meta.version,
        "creators": creators,
        "keywords": list(meta.keywords),
        "license": ZENODO_LICENSE_IDS.get(meta.license.spdx, meta.license.spdx.lower()),
        "access_right": "open",
        "language": "eng",
        "related_identifiers": related,
        "notes": f"Temporal coverage {temporal_coverage(rows)}; states: {', '.join(state_names(rows))}.",
    }


def _person_or_org(party: Party) -> dict[str, Any]:
    """An InvenioRDM creator: a typed ``person_or_org`` (plus the person's organisation)."""
    if not party.is_person:
        return {"person_or_org": {"type": "organizational", "name": party.name}}
    entry: dict[str, Any] = {"person_or_org": {"type": "personal", "given_name": party.given_name,
                                               "family_name": party.family_name}}
    if party.organization:
        entry["affiliations"] = [{"name": party.organization}]
    return entry


def _related(identifier: str, relation: str, resource_type: str) -> dict[str, Any]:
    return {"identifier": identifier, "scheme": "url", "relation_type": {"id": relation},
            "resource_type": {"id": resource_type}}


def zenodo_record(meta: PackageMeta, rows: dict[str, list[dict[str, str]]]) -> dict[str, Any]:
    """The body of a ``POST /api/records`` to Zenodo's current (InvenioRDM) REST API.

    Unlike the legacy format of :func:`zenodo`, it types each creator, so an organisation stays
    an organisation. The temporal coverage is a date of type ``other`` with a description, the
    one date type every InvenioRDM version has for it (DataCite's ``Coverage`` is newer).
    """
    coverage = temporal_coverage(rows)
    metadata: dict[str, Any] = {
        "resource_type": {"id": "dataset"},
        "title": meta.title,
        "publication_date": meta.date,
        "creators": [_person_or_org(p) for p in meta.creators],
        "description": escape(meta.description, quote=False),
        "version": meta.version,
        "publisher": ZENODO_PUBLISHER,
        "rights": [{"id": lic.spdx.lower()} for lic in meta.licenses],
        "languages": [{"id": "eng"}],
        "subjects": [{"subject": k} for k in meta.keywords],
        "related_identifiers": [_related(meta.homepage, "issupplementedby", "software"),
                                _related(meta.url(meta.zip_name()), "isidenticalto", "dataset"),
                                *(_related(url, "isderivedfrom", "publication") for url in source_urls(rows))],
    }
    if states := state_names(rows):
        metadata["locations"] = {"features": [{"place": n} for n in states]}
    if coverage:
        metadata["dates"] = [{"date": coverage, "type": {"id": "other"},
                              "description": "Temporal coverage: first meeting start to last meeting end"}]
    return {"access": {"record": "public", "files": "public"}, "files": {"enabled": True}, "metadata": metadata}


def ckan(meta: PackageMeta, rows: dict[str, list[dict[str, str]]], files: list[str]) -> dict[str, Any]:
    """A CKAN ``package_create`` body: the dataset and a resource per released data file."""
    maintainer = next((p for p in meta.contributors if "maintainer" in p.roles), None)
    body: dict[str, Any] = {
        "name": meta.name,
        "title": meta.title,
        "notes": meta.description,
        "version": meta.version,
        "url": meta.homepage,
        "license_id": CKAN_LICENSE_IDS.get(meta.license.spdx, "other-open"),
        "author": "; ".join(p.inverted_name for p in meta.creators),
        "tags": [{"name": k} for k in meta.keywords],
        "extras": [{"key": "temporal_coverage", "value": temporal_coverage(rows)},
                   {"key": "spatial_coverage", "value": ", ".join(state_names(rows))},
                   {"key": "release_date", "value": meta.date}],
        "resources": [{"name": f, "url": meta.url(f), "format": format_name(f), "mimetype": media_type(f)}
                      for f in files],
    }
    if maintainer is not None:
        body["maintainer"] = maintainer.inverted_name
        if maintainer.email:
            body["maintainer_email"] = maintainer.email
    contact = next((p.email for p in meta.creators if p.email), "")
    if contact:
        body["author_email"] = contact
    if CKAN_NAME.fullmatch(meta.ckan_owner_org):  # a default CKAN requires it; "" until the maintainers set it
        body["owner_org"] = meta.ckan_owner_org
    return body
