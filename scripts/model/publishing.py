"""The publishing settings, and when one of them is a placeholder.

The settings a published release depends on live at the top of ``datapackage.json``, typed here
and in :mod:`scripts.model.meta`:

* ``homepage``: the dataset's page (the citation, CITATION.cff, every portal);
* ``cac:download_base``: where the release's files are downloaded from (``{version}`` filled in);
* ``cac:ckan_owner_org``: the CKAN organisation the dataset belongs to (``owner_org``, which a
  default CKAN requires in ``package_create``);
* the creators' contact: each contributor with the ``creator`` role (every contributor when none
  has it) has an ``email``.

A setting is a **placeholder** when any of these holds (the definition ``release --final``
applies, and the README's Publishing section repeats):

1. it is missing or empty (a creator without ``email`` included);
2. it is named in ``cac:unverified``, the maintainers' list of settings nobody has checked yet
   (``"cac:unverified": ["homepage"]``: remove a name once its value is verified; ``contributors``
   there marks every creator's contact);
3. its address (a URL's host, an email's domain) is a reserved example or test name that can
   never be the real one: ``example.org``, ``example.com``, ``example.net`` and their subdomains,
   any name under ``.example``, ``.test``, ``.invalid`` or ``.localhost``, ``localhost`` itself and
   loopback addresses (RFC 2606, RFC 6761);
4. it is not what it must be: a web address that is not ``http(s)://`` with a host, a CKAN
   organisation name that is not 2–100 lower-case letters, digits, ``-`` or ``_``.

A release that is not final still builds and names each placeholder in one note; ``release
--final`` refuses (exit 1, nothing written), naming each.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from scripts.model.shapes import CKAN_OWNER_ORG, DOWNLOAD_BASE, UNVERIFIED
from scripts.model.values import fill_version, url_problem

HOMEPAGE = "homepage"
CONTRIBUTORS = "contributors"
SETTINGS = (HOMEPAGE, DOWNLOAD_BASE, CKAN_OWNER_ORG, CONTRIBUTORS)
RESERVED_NAMES = ("example.org", "example.com", "example.net", "localhost")
RESERVED_SUFFIXES = (".example", ".test", ".invalid", ".localhost")
CKAN_NAME = re.compile(r"[a-z0-9_-]{2,100}")


@dataclass(frozen=True)
class Placeholder:
    """One setting that is not ready to publish: where (a JSON path), its value, and why."""

    setting: str
    value: str
    why: str

    def __str__(self) -> str:
        return f"{self.setting} {self.why}"


def reserved_host(host: str | None) -> bool:
    """Is ``host`` a reserved example or test name, or a loopback address?"""
    name = (host or "").lower().rstrip(".")
    if name in RESERVED_NAMES or name.endswith(tuple("." + n for n in RESERVED_NAMES) + RESERVED_SUFFIXES):
        return True
    try:
        return ipaddress.ip_address(name.strip("[]")).is_loopback
    except ValueError:
        return False


def _address_problem(value: str) -> str | None:
    problem = url_problem(value)
    if problem:
        return problem
    host = urlsplit(value).hostname
    return f"points at {host}, a reserved example or test host" if reserved_host(host) else None


def _setting(descriptor: dict[str, Any], key: str, unverified: set[str]) -> Placeholder | None:
    value = descriptor.get(key)
    text = value if isinstance(value, str) else ""
    if not text:
        return Placeholder(key, text, "is missing or empty")
    if key in unverified:
        return Placeholder(key, text, f"is marked as not yet verified ({UNVERIFIED})")
    if key == CKAN_OWNER_ORG:
        ok = CKAN_NAME.fullmatch(text)
        return None if ok else Placeholder(key, text, "is not a CKAN organisation name (2-100 lower-case "
                                                      "letters, digits, '-' or '_')")
    problem = _address_problem(fill_version(text, "0.0.0") if key == DOWNLOAD_BASE else text)
    return Placeholder(key, text, problem) if problem else None


def _creators(descriptor: dict[str, Any], unverified: set[str]) -> list[Placeholder]:
    listed = descriptor.get(CONTRIBUTORS)
    entries = [c for c in listed if isinstance(c, dict)] if isinstance(listed, list) else []
    creators = [(i, c) for i, c in enumerate(entries) if "creator" in _roles(c)] or list(enumerate(entries))
    if not creators:
        return [Placeholder(CONTRIBUTORS, "", "names no creator")]
    found = []
    for index, entry in creators:
        who = str(entry.get("title") or " ".join(str(entry.get(k) or "") for k in ("givenName", "familyName")).strip())
        email = entry.get("email") if isinstance(entry.get("email"), str) else ""
        where = f"{CONTRIBUTORS}[{index}].email"
        if not email:
            found.append(Placeholder(where, "", f"is missing: the creator {who!r} has no contact address"))
        elif CONTRIBUTORS in unverified:
            found.append(Placeholder(where, email, f"is marked as not yet verified ({UNVERIFIED})"))
        elif "@" not in email or reserved_host(email.rsplit("@", 1)[1]):
            found.append(Placeholder(where, email, "is not a real contact address (a reserved example or test "
                                                   "domain, or no domain)"))
    return found


def _roles(entry: dict[str, Any]) -> list[Any]:
    roles = entry.get("roles")
    return roles if isinstance(roles, list) else [entry.get("role")]


def placeholders(descriptor: dict[str, Any]) -> list[Placeholder]:
    """Every publishing setting of ``descriptor`` that is a placeholder, in SETTINGS order."""
    marked = descriptor.get(UNVERIFIED)
    unverified = {m for m in marked if isinstance(m, str)} if isinstance(marked, list) else set()
    found = [p for key in SETTINGS[:-1] if (p := _setting(descriptor, key, unverified)) is not None]
    return found + _creators(descriptor, unverified)
