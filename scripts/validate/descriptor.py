"""The descriptor's values, checked as data: each by a named rule, reported at its JSON path.

Why: the Data Package profile (checked by frictionless) says which keys exist and their JSON
types, not what a value may do once it leaves the file. Here every value that becomes a link
must be a web address (``descriptor-url``), every name that becomes a file name a Data Package
name (``descriptor-name``), every text people read clean and on one line (``descriptor-text``,
the clean-text policy of :mod:`scripts.model.text`) and the version semantic
(``descriptor-version``). The policies themselves are :mod:`scripts.model.values`; this module
only walks the descriptor. A problem names ``datapackage.json``, the JSON path as the field (e.g.
``licenses[0].path``), the value, the rule and its hint. Values of the wrong JSON type are
frictionless's to report; here they are skipped or reported, never a crash.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from scripts.model import catalogue, shapes, values
from scripts.model.meta import descriptor_source
from scripts.model.names import DESCRIPTOR, SOURCE_FILE
from scripts.report import Problem

Check = Callable[[Any], "str | None"]
SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def _multiline(value: Any) -> str | None:
    return values.text_problem(value, multiline=True)


def _url_or_file_name(value: Any) -> str | None:
    """A source's path: a web address, or the name of a file in the sources folder."""
    if isinstance(value, str) and (SCHEME.match(value) or "//" in value):
        return values.url_problem(value)
    problem = values.text_problem(value)
    if problem is None and (value.startswith(("/", "\\")) or ".." in re.split(r"[/\\]", value)):
        return "is neither a web address nor a file name inside the sources folder"
    return problem


TEXT, MULTILINE = (catalogue.DESCRIPTOR_TEXT, values.text_problem), (catalogue.DESCRIPTOR_TEXT, _multiline)
URL, NAME = (catalogue.DESCRIPTOR_URL, values.url_problem), (catalogue.DESCRIPTOR_NAME, values.name_problem)
PACKAGE_KEYS = {"name": NAME, "title": TEXT, "description": MULTILINE, "homepage": URL,
                "version": (catalogue.DESCRIPTOR_VERSION, values.version_problem),
                shapes.DOWNLOAD_BASE: (catalogue.DESCRIPTOR_URL, values.template_problem)}
RESOURCE_KEYS = {"name": NAME, "title": TEXT, "description": MULTILINE}
# Lists of objects (at the top and in each resource), and the checks of their keys.
PARTS = {
    "licenses": {"name": TEXT, "title": TEXT, "path": URL},
    "contributors": {"title": TEXT, "givenName": TEXT, "familyName": TEXT, "email": TEXT, "organization": TEXT,
                     "role": TEXT, "roles": TEXT, "path": URL},
    "sources": {"title": TEXT, "email": TEXT, "path": (catalogue.DESCRIPTOR_URL, _url_or_file_name)},
}


def descriptor_problems(descriptor: dict[str, Any]) -> list[Problem]:
    """Every value of the descriptor that breaks its policy, in the descriptor's order."""
    found = list(_object(descriptor, "", PACKAGE_KEYS))
    found += _texts(descriptor.get("keywords"), "keywords")
    found += _parts(descriptor, "")
    resources = descriptor.get("resources")
    for index, resource in enumerate(resources if isinstance(resources, list) else []):
        if isinstance(resource, dict):
            found += _object(resource, f"resources[{index}].", RESOURCE_KEYS)
            found += _parts(resource, f"resources[{index}].")
    return found


def _parts(container: dict[str, Any], prefix: str) -> Iterator[Problem]:
    for key, checks in PARTS.items():
        entries = container.get(key)
        for index, entry in enumerate(entries if isinstance(entries, list) else []):
            if isinstance(entry, dict):
                yield from _object(entry, f"{prefix}{key}[{index}].", checks)


def _object(entry: dict[str, Any], prefix: str, checks: dict[str, tuple[str, Check]]) -> Iterator[Problem]:
    """The checked keys of one object; a list value (``roles``) is checked item by item."""
    for key, (rule, check) in checks.items():
        if key not in entry:
            continue
        value = entry[key]
        if isinstance(value, list) and key == "roles":
            yield from _texts(value, f"{prefix}{key}")
            continue
        problem = check(value)
        if problem:
            yield _problem(f"{prefix}{key}", value, rule, problem)


def _texts(items: Any, path: str) -> Iterator[Problem]:
    for index, value in enumerate(items if isinstance(items, list) else []):
        problem = values.text_problem(value)
        if problem:
            yield _problem(f"{path}[{index}]", value, catalogue.DESCRIPTOR_TEXT, problem)


def sources_problems(descriptor: dict[str, Any], rows: list[dict[str, str | None]], table_file: str) -> list[Problem]:
    """The descriptor's ``sources`` against the sources table's ``rows`` (read from ``table_file``,
    first row first): entry i is :func:`scripts.model.meta.descriptor_source` of row i.

    Why: the descriptor's list is what portals and the release's SQLite ``_files`` read as the
    texts' digests, and nothing writes it from the table; a source retitled, re-hashed or added
    in the table alone would ship a release that contradicts its own data. An empty cell is the
    table's own finding (required), not compared here."""
    entries = descriptor.get("sources")
    entries = entries if isinstance(entries, list) else []
    found = []
    for index in range(max(len(entries), len(rows))):
        entry = entries[index] if index < len(entries) else None
        if index >= len(rows):
            found.append(_agreement(f"sources[{index}]", entry, f"lists a text no row of {table_file} has"))
            continue
        where = f"{table_file} row {index + 2}"
        if not isinstance(entry, dict):
            found.append(_agreement(f"sources[{index}]", entry, f"is missing: {where} names "
                                    f"{rows[index].get(SOURCE_FILE)!r}"))
            continue
        expected = descriptor_source(rows[index])
        found.extend(_agreement(f"sources[{index}].{key}", entry.get(key), f"is not {expected[key]!r}, as {where} says")
                     for key in ("path", "version", "title")  # the text, its digest, then its words
                     if expected[key] is not None and entry.get(key) != expected[key])
    return found


def _agreement(path: str, value: Any, why: str) -> Problem:
    return _problem(path, value, catalogue.DESCRIPTOR_SOURCES, why)


def _problem(path: str, value: Any, rule: str, why: str) -> Problem:
    shown = value if isinstance(value, str | int | float | bool) or value is None else repr(value)[:200]
    return Problem(DESCRIPTOR, None, path, shown, rule, f"the value {why}", catalogue.hint(rule))
