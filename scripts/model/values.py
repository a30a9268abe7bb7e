"""What a descriptor value must be before it becomes a link, a file name or a version, defined once.

Why: ``datapackage.json`` is a stranger's data like any table, yet its values end up in places
where they act. A URL becomes an ``href`` on the site, in Datasette and in every portal file, where
``javascript:alert(1)`` runs when clicked; a name becomes a file name (``dist/<name>.xlsx``), where
``../../home/me/budget`` writes outside the package; a version becomes a tag and a download path.
Validation reports a value that breaks these policies (:mod:`scripts.validate.descriptor`), and the
code that builds links (:mod:`scripts.model.meta`, the site, the Datasette metadata) asks
:func:`web_url` again, so that a skipped validation still yields no live link.
"""

from __future__ import annotations

import re
from string import Formatter
from typing import Any
from urllib.parse import urlsplit

from scripts.files import FILE_NAME, FILE_NAME_WORDS
from scripts.model import text
from scripts.model.shapes import kind

WEB_SCHEMES = ("http", "https")
# The Data Package name becomes file names: the pattern is the one files.checked_name enforces.
NAME, NAME_WORDS = FILE_NAME, FILE_NAME_WORDS
SEMVER = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")
VERSION_FIELD = "version"  # the one placeholder a download base may hold: {version}


def url_problem(value: Any) -> str | None:
    """Why ``value`` may not become a link (None: it may): it must be text, clean and on one line,
    an ``http://`` or ``https://`` address with a host and no user name or password."""
    if not isinstance(value, str):
        return f"is {kind(value)}, not a web address"
    unclean = text.unclean(value, multiline=False)
    if unclean or " " in value or "\\" in value:
        return f"is not a web address: it {unclean or 'holds a space or a backslash'}"
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError as exc:
        return f"is not a valid web address ({exc})"
    if parts.scheme.lower() not in WEB_SCHEMES:
        scheme = f"'{parts.scheme}:'" if parts.scheme else "no scheme"
        return f"has {scheme}; only http:// and https:// addresses become links"
    if not host:
        return "has no host after http(s)://"
    if parts.username is not None or parts.password is not None:
        return "names a user or password before the host, which hides the real host"
    return None


def web_url(value: Any) -> bool:
    """True when ``value`` may become a link (see :func:`url_problem`)."""
    return url_problem(value) is None


def link_or_empty(value: Any) -> str:
    """``value`` when it may become a link, else "" (the link is dropped, never built)."""
    return value if web_url(value) else ""


def template_problem(value: Any) -> str | None:
    """Why a download base (a URL holding ``{version}``) may not be used; None: it may."""
    if not isinstance(value, str):
        return url_problem(value)
    try:
        fields = [name for _, name, _, _ in Formatter().parse(value) if name is not None]
    except ValueError as exc:
        return f"is not a URL template ({exc}); write {{version}} where the version goes"
    others = sorted({f for f in fields if f != VERSION_FIELD})
    if others:
        return f"holds the placeholder {{{others[0]}}}; only {{version}} is filled in"
    return url_problem(fill_version(value, "0.0.0"))


def fill_version(template: str, version: str) -> str:
    """The template with ``{version}`` replaced: no ``str.format`` on a stranger's text."""
    return template.replace("{" + VERSION_FIELD + "}", version)


def name_problem(value: Any) -> str | None:
    """Why ``value`` is not a Data Package name (None: it is): it becomes a file name."""
    if not isinstance(value, str):
        return f"is {kind(value)}, not a name"
    if not NAME.fullmatch(value):
        return f"is not a Data Package name ({NAME_WORDS})"
    return None


def version_problem(value: Any) -> str | None:
    """Why ``value`` is not a semantic version MAJOR.MINOR.PATCH (None: it is)."""
    if not isinstance(value, str):
        return f"is {kind(value)}, not a version"
    if not SEMVER.fullmatch(value):
        return "is not a semantic version MAJOR.MINOR.PATCH (e.g. 1.4.0)"
    return None


def text_problem(value: Any, multiline: bool = False) -> str | None:
    """Why ``value`` is not clean text (single-line unless ``multiline``); None: it is."""
    if not isinstance(value, str):
        return f"is {kind(value)}, not text"
    return text.unclean(value, multiline)
