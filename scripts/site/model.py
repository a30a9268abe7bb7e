"""Read the package once into what the pages need: sorted rows, citations by value, and the
tables that point at meetings (found from the schemas' foreign keys, not from table names)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from scripts.model.package import Package, Table, load_package, read_rows, sort_key
from scripts.site import names

ROW_LEVEL = ""  # field_name of a citation that supports a whole record


class SiteDataError(ValueError):
    """The package holds a value the site cannot draw (a figure that is not a number, a descriptor
    without what a citation needs): invalid data, which validate names too."""


@dataclass(frozen=True)
class Citation:
    """One citation, with the source's file name resolved for display."""

    citation_id: str
    source_id: str
    file_name: str
    line_start: str
    line_end: str
    support: str
    evidence: str

    @property
    def lines(self) -> str:
        """'line 4' or 'lines 4–6', as a reader says it."""
        if not self.line_end or self.line_end == self.line_start:
            return f"line {self.line_start}"
        return f"lines {self.line_start}–{self.line_end}"


@dataclass(frozen=True)
class MeetingLink:
    """A foreign key from ``table.field`` to the meetings table's primary key."""

    table: Table
    field: str


@dataclass
class SiteData:
    """The package plus indexes built once, so that each page is a lookup, not a scan."""

    package: Package
    rows: dict[str, list[dict[str, str]]]
    citations: dict[tuple[str, str, str], list[Citation]] = field(default_factory=dict)
    meeting_links: list[MeetingLink] = field(default_factory=list)
    _labels: dict[str, dict[str, str]] = field(default_factory=dict)
    _groups: dict[tuple[str, str], dict[str, list[dict[str, str]]]] = field(default_factory=dict)

    def label(self, table_name: str, key: str) -> str:
        """What a reader calls the row ``key`` of ``table_name`` (its first plain text field after
        the key, e.g. a state's or a person's name), else the key itself."""
        if table_name not in self._labels:
            self._labels[table_name] = _labels(self.package.tables[table_name], self.rows[table_name])
        return self._labels[table_name].get(key) or key

    def referring(self, link: MeetingLink, key: str) -> list[dict[str, str]]:
        """Rows of ``link.table`` whose ``link.field`` is ``key`` (grouped once per link)."""
        group = self._groups.get((link.table.name, link.field))
        if group is None:
            group = {}
            for row in self.rows[link.table.name]:
                group.setdefault(row.get(link.field) or "", []).append(row)
            self._groups[(link.table.name, link.field)] = group
        return group.get(key, [])

    def cites(self, table: Table, row: dict[str, str], field_name: str) -> list[Citation]:
        """Citations supporting ``field_name`` of ``row`` (ROW_LEVEL for the whole record)."""
        return self.citations.get((table.name, table.record_key(row), field_name), [])

    @property
    def meetings(self) -> Table | None:
        return self.package.tables.get(names.MEETINGS)


def load_site_data(root: Path) -> SiteData:
    """Load the package under ``root`` and index it for the site."""
    package = load_package(root)
    return site_data(package, {name: read_rows(t) for name, t in package.tables.items()})


def site_data(package: Package, raw: dict[str, list[dict[str, str]]]) -> SiteData:
    """Index rows already read (a release passes its snapshot's, so nothing is read twice)."""
    rows = {name: sorted(raw[name], key=sort_key(t)) for name, t in package.tables.items()}
    data = SiteData(package=package, rows=rows)
    data.citations = _index_citations(package, rows)
    data.meeting_links = _meeting_links(package)
    return data


def _index_citations(package: Package, rows: dict[str, list[dict[str, str]]]
                     ) -> dict[tuple[str, str, str], list[Citation]]:
    """Group citations by (table, record key, field), each group in citation-id order."""
    if names.CITATIONS not in rows:
        return {}
    files = source_files(package, rows)
    index: dict[tuple[str, str, str], list[Citation]] = {}
    for row in sorted(rows[names.CITATIONS], key=lambda r: tuple(r.values())):
        key = (row.get(names.CITE_TABLE, ""), row.get(names.CITE_RECORD, ""), row.get(names.CITE_FIELD, ""))
        source = row.get(names.CITE_SOURCE, "")
        index.setdefault(key, []).append(Citation(
            citation_id=_first_key(package.tables[names.CITATIONS], row),
            source_id=source,
            file_name=files.get(source, source),
            line_start=row.get(names.CITE_LINE_START, ""),
            line_end=row.get(names.CITE_LINE_END, ""),
            support=row.get(names.CITE_SUPPORT, ""),
            evidence=row.get(names.CITE_EVIDENCE, ""),
        ))
    return index


def _first_key(table: Table, row: dict[str, str]) -> str:
    return table.record_key(row) if table.primary_key else ""


def source_files(package: Package, rows: dict[str, list[dict[str, str]]]) -> dict[str, str]:
    """Source key -> file name, so a citation names the file a reader can open."""
    table = package.tables.get(names.SOURCES)
    if table is None:
        return {}
    return {table.record_key(r): r.get(names.SOURCE_FILE, "") for r in rows[names.SOURCES]}


def _meeting_links(package: Package) -> list[MeetingLink]:
    """Every single-field foreign key that references the meetings table's primary key."""
    meetings = package.tables.get(names.MEETINGS)
    if meetings is None:
        return []
    links = []
    for table in package.tables.values():
        for fk in table.foreign_keys:
            if fk.resource == meetings.name and fk.ref_fields == meetings.primary_key and len(fk.fields) == 1:
                links.append(MeetingLink(table, fk.fields[0]))
    return links


def _labels(table: Table, rows: list[dict[str, str]]) -> dict[str, str]:
    keyed = set(table.primary_key) | {f for fk in table.foreign_keys for f in fk.fields}
    name = next((f.name for f in table.fields if f.type == "string" and f.name not in keyed), None)
    if name is None or not table.primary_key:
        return {}
    return {table.record_key(r): r.get(name) or "" for r in rows}


def slug(value: str) -> str:
    """A file-name- and fragment-safe form of a key; keys that needed changing get a short hash
    so that two different keys can never share a page."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", value).strip(".") or "_"
    if safe == value:
        return value
    return f"{safe[:60]}-{hashlib.sha256(value.encode('utf-8')).hexdigest()[:8]}"


def meeting_label(row: dict[str, str]) -> str:
    """The name a reader knows a meeting by (its name, else its id)."""
    for name in names.MEETING_LABEL_FIELDS:
        if row.get(name):
            return row[name]
    return ""
