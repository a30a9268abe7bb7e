"""Package-level metadata, typed, read from ONE place: the top level of ``datapackage.json``.

Name, title, version, release date (``created``), homepage, licences, contributors, the base URL
of the downloads (``cac:download_base``, a template with ``{version}``) and the CKAN organisation
(``cac:ckan_owner_org``) are stored there only (when each is a placeholder not to publish:
:mod:`scripts.model.publishing`);
CITATION.cff, .zenodo.json, pyproject's version, the portal files and the docs are generated from
this record (or checked against it by a test), so a version is never typed twice.

Links are built here only from web addresses (:func:`scripts.model.values.link_or_empty`): a
homepage, licence path or download base that is not ``http(s)://`` is dropped, so even a release
built without validation carries no ``javascript:`` link into CITATION.cff, the portal files, the
SQLite metadata or Datasette. The download base is filled by plain replacement of ``{version}``,
never ``str.format`` on the descriptor's text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scripts.model.names import SOURCE_FILE, SOURCE_SHA256, SOURCE_TITLE
from scripts.model.shapes import CKAN_OWNER_ORG, DOWNLOAD_BASE
from scripts.model.values import fill_version, link_or_empty

__all__ = ["DIGEST_PREFIX", "DOWNLOAD_BASE", "License", "PackageMeta", "Party", "citation_text", "descriptor_source",
           "html_safe_json_text", "json_text", "meta_from_descriptor", "package_meta"]
MEDIA_TYPES = {
    ".zip": "application/zip",
    ".csv": "text/csv",
    ".parquet": "application/vnd.apache.parquet",
    ".sqlite": "application/vnd.sqlite3",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".md": "text/markdown",
    ".svg": "image/svg+xml",
    ".json": "application/json",
    ".jsonld": "application/ld+json",
    ".html": "text/html",
}
# A portal's short format name per suffix (CKAN's ``format``).
FORMATS = {".zip": "ZIP", ".csv": "CSV", ".parquet": "Parquet", ".sqlite": "SQLite", ".xlsx": "XLSX",
           ".json": "JSON", ".jsonld": "JSON-LD", ".md": "Markdown", ".svg": "SVG"}


@dataclass(frozen=True)
class Party:
    """A contributor: a person (family/given names) or an organisation (title only)."""

    name: str
    family_name: str
    given_name: str
    roles: tuple[str, ...]
    email: str
    organization: str

    @property
    def is_person(self) -> bool:
        return bool(self.family_name)

    @property
    def inverted_name(self) -> str:
        """"Family, Given" for a person (what Zenodo and CFF expect), the name for an organisation."""
        return f"{self.family_name}, {self.given_name}".rstrip(", ") if self.is_person else self.name


@dataclass(frozen=True)
class License:
    spdx: str
    url: str
    title: str


@dataclass(frozen=True)
class PackageMeta:
    """Everything about a release that is not data, as stored in datapackage.json."""

    name: str
    title: str
    description: str
    version: str
    date: str  # YYYY-MM-DD, the date part of ``created``: set by ``bump``, never by the clock
    homepage: str
    download_base: str
    ckan_owner_org: str  # "" until set (a placeholder, see scripts.model.publishing)
    identifier: str
    keywords: tuple[str, ...]
    licenses: tuple[License, ...]
    contributors: tuple[Party, ...]

    @property
    def license(self) -> License:
        return self.licenses[0]

    @property
    def creators(self) -> tuple[Party, ...]:
        """Contributors with the creator role (all contributors when none has it)."""
        found = tuple(p for p in self.contributors if "creator" in p.roles)
        return found or self.contributors

    def url(self, file_name: str) -> str:
        """The absolute download URL of a released file ("" when the package has no web download base)."""
        base = link_or_empty(fill_version(self.download_base, self.version))
        return base.rstrip("/") + "/" + file_name if base else ""

    def folder_name(self) -> str:
        """``<name>-<version>``: the zip's name and the one folder it unpacks into."""
        return f"{self.name}-{self.version}"

    def zip_name(self) -> str:
        return f"{self.folder_name()}.zip"

    def workbook_name(self) -> str:
        return f"{self.name}.xlsx"

    def database_name(self) -> str:
        return f"{self.name}.sqlite"


def _party(entry: dict[str, Any]) -> Party:
    roles = entry.get("roles") or ([entry["role"]] if entry.get("role") else [])
    return Party(name=str(entry.get("title") or ""), family_name=str(entry.get("familyName") or ""),
                 given_name=str(entry.get("givenName") or ""), roles=tuple(roles),
                 email=str(entry.get("email") or ""), organization=str(entry.get("organization") or ""))


def meta_from_descriptor(descriptor: dict[str, Any]) -> PackageMeta:
    """The release record of a descriptor; KeyError names a missing key the release needs."""
    licenses = tuple(License(str(x["name"]), link_or_empty(x.get("path")), str(x.get("title", x["name"])))
                     for x in descriptor["licenses"])
    return PackageMeta(
        name=descriptor["name"], title=descriptor.get("title", descriptor["name"]),
        description=" ".join(str(descriptor.get("description", "")).split()),
        version=descriptor["version"], date=str(descriptor["created"])[:10],
        homepage=link_or_empty(descriptor["homepage"]), download_base=str(descriptor[DOWNLOAD_BASE]),
        ckan_owner_org=str(descriptor.get(CKAN_OWNER_ORG) or ""),
        identifier=str(descriptor.get("id", "")), keywords=tuple(descriptor.get("keywords", [])),
        licenses=licenses, contributors=tuple(_party(c) for c in descriptor.get("contributors", [])))


def package_meta(package: Any) -> PackageMeta:
    """The metadata of a loaded :class:`scripts.model.package.Package`."""
    return meta_from_descriptor(package.descriptor)


def media_type(file_name: str) -> str:
    return MEDIA_TYPES.get(Path(file_name).suffix, "application/octet-stream")


def format_name(file_name: str) -> str:
    return FORMATS.get(Path(file_name).suffix, Path(file_name).suffix.lstrip(".").upper())


DIGEST_PREFIX = "sha256:"  # a source text's ``version`` in the descriptor is its digest, so prefixed


def descriptor_source(row: dict[str, Any]) -> dict[str, str | None]:
    """The descriptor's ``sources`` entry for one row of the sources table: the one statement of
    that convention (validation checks the descriptor against it; the release reads digests back
    with DIGEST_PREFIX). A part whose cell is empty is None: nothing can be said of it."""
    file, digest, title = row.get(SOURCE_FILE), row.get(SOURCE_SHA256), row.get(SOURCE_TITLE)
    return {"title": f"{title} ({file})" if title and file else None, "path": file or None,
            "version": f"{DIGEST_PREFIX}{digest}" if digest else None}


def json_text(data: Any) -> str:
    """JSON as every release file writes it: indented, UTF-8, newline at the end."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


HTML_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}


def html_safe_json_text(data: Any) -> str:
    """:func:`json_text` that can be pasted into an HTML ``<script>`` element as it is: ``<``, ``>``
    and ``&`` are written as JSON escapes, so a value holding ``</script>`` or ``<!--`` cannot end
    the element or open a comment (the README says to embed the JSON-LD in a landing page). Outside
    strings JSON has none of these characters, so replacing them in the text changes no value."""
    out = json_text(data)
    for char, escaped in HTML_UNSAFE.items():
        out = out.replace(char, escaped)
    return out


def citation_text(meta: PackageMeta) -> str:
    """The recommended citation, one line (the same words as CITATION.cff's fields)."""
    names = "; ".join(p.inverted_name for p in meta.creators)
    return (f"{names} ({meta.date[:4]}). {meta.title} (version {meta.version}) [Data set]. "
            f"{meta.license.title}. {meta.homepage}")
