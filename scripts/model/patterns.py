"""Table Schema ``pattern`` constraints: matched in linear time, and turned into plain words and
SQLite GLOB checks.

Matching: a pattern comes from the package, which may be a stranger's; Python's backtracking
``re`` takes exponential time on a pattern such as ``^(a+)+$`` and a cell built for it. Every
pattern is therefore run by ONE engine, polars' Rust regex, which guarantees time linear in the
cell (:func:`matches`, :func:`polars_matches`); a pattern that engine cannot run (look-around,
back-references) is refused when the schema is loaded (:func:`engine_problem`).

Users never see a regular expression: the workbook's input messages, the data dictionary and the
validation hints describe a pattern in words. SQLite has no regular expressions, so each pattern is
translated to GLOB tests that accept exactly the same strings. Two families are understood:

* a known pattern (reduced-precision ISO dates, hyphenated slugs), listed in :data:`KNOWN`;
* a sequence of character classes or literal characters, each with an optional quantifier
  (``[A-Z]{3}``, ``C[0-9]{4,}``, ``[a-z][a-z0-9_]*``, ``[0-9]{3}_[0-9a-f]{16}\\.txt``) with at most
  one open-ended repetition.

Anything else gets a generic description and no SQL check; the agreement test then fails, which is
the signal to teach this module the new pattern.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from scripts.model.dates import REDUCED_DATE
from scripts.model.dates import WORDS as DATE_WORDS

if TYPE_CHECKING:
    import polars as pl

SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
# A web address: http:// or https://, then the characters a URL holds (RFC 3986's unreserved and
# reserved ones and %, less ! ' [ ]), at least one; so no space, quote or javascript: can pass.
URL_CHARS = "A-Za-z0-9._~:/?#@$&()*+,;=%-"
WEB_ADDRESS = rf"^https?://[{URL_CHARS}]+$"

_YEAR = "[0-9][0-9][0-9][0-9]"
_MONTH = "(substr({c}, 6, 2) BETWEEN '01' AND '12')"
_DAY = "(substr({c}, 9, 2) BETWEEN '01' AND '31')"
KNOWN_SQL = {
    REDUCED_DATE: (f"({{c}} GLOB '{_YEAR}' OR ({{c}} GLOB '{_YEAR}-[0-9][0-9]' AND {_MONTH})"
                   f" OR ({{c}} GLOB '{_YEAR}-[0-9][0-9]-[0-9][0-9]' AND {_MONTH} AND {_DAY}))"),
    SLUG: ("({c} <> '' AND {c} NOT GLOB '*[^a-z0-9-]*' AND {c} NOT GLOB '-*' AND {c} NOT GLOB '*-'"
           " AND {c} NOT GLOB '*--*')"),
    WEB_ADDRESS: (f"(({{c}} GLOB 'http://?*' AND substr({{c}}, 8) NOT GLOB '*[^{URL_CHARS}]*')"
                  f" OR ({{c}} GLOB 'https://?*' AND substr({{c}}, 9) NOT GLOB '*[^{URL_CHARS}]*'))"),
}
KNOWN_WORDS = {
    REDUCED_DATE: DATE_WORDS,
    SLUG: "lowercase letters and digits in words joined by single hyphens, e.g. ca-consultative-6",
    WEB_ADDRESS: "a web address starting with http:// or https://, without spaces or quotes",
}
CLASS_WORDS = {  # singular, plural
    "A-Z": ("capital letter", "capital letters"), "a-z": ("lowercase letter", "lowercase letters"),
    "0-9": ("digit", "digits"), "a-z0-9": ("lowercase letter or digit", "lowercase letters or digits"),
    "0-9a-f": ("hexadecimal digit (0-9, a-f)", "hexadecimal digits (0-9, a-f)"),
    "a-f0-9": ("hexadecimal digit (0-9, a-f)", "hexadecimal digits (0-9, a-f)"),
    "a-z0-9_": ("lowercase letter, digit or underscore", "lowercase letters, digits or underscores"),
    "A-Za-z": ("letter", "letters"), "A-Z0-9": ("capital letter or digit", "capital letters or digits"),
}
_ATOM = re.compile(r"(\[[^\]^]+\]|\\.|[^\\\[\](){}*+?|^$.])(\{(\d+)(,(\d*))?\}|[*+?])?")


def anchored(pattern: str) -> str:
    """The pattern matching whole cells only (Table Schema patterns are implicitly anchored)."""
    return "^(?:" + _body(pattern) + ")$"


def _body(pattern: str) -> str:
    """The pattern without its optional anchors: a leading ``^`` and a trailing ``$`` that is not
    escaped (in ``USD\\$`` the dollar sign is the text's own and stays)."""
    body = pattern.removeprefix("^")
    before = body.removesuffix("$")
    escaped = (len(before) - len(before.rstrip("\\"))) % 2 == 1
    return body if body == before or escaped else before


@lru_cache(maxsize=256)
def engine_problem(pattern: str) -> str | None:
    """Why the linear-time engine cannot run ``pattern`` (None when it can)."""
    import polars as pl

    try:
        pl.Series([""], dtype=pl.String).str.contains(anchored(pattern))
    except pl.exceptions.PolarsError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"the pattern {pattern!r} cannot be run in linear time ({first[:120]})"
    return None


def polars_matches(text: pl.Expr, pattern: str) -> pl.Expr:
    """True where the whole cell matches ``pattern`` (null where the cell is null)."""
    return text.str.contains(anchored(pattern))


def matches(pattern: str, texts: list[str]) -> list[bool]:
    """Whether each text matches ``pattern`` as a whole, in time linear in the text."""
    import polars as pl

    return pl.Series(texts, dtype=pl.String).str.contains(anchored(pattern)).to_list()


@dataclass(frozen=True)
class Atom:
    """One character class or literal with how often it repeats (``most`` None = no limit)."""

    glob: str
    words: tuple[str, str]
    least: int
    most: int | None


def parse(pattern: str) -> list[Atom] | None:
    """The pattern as a list of atoms, or None when it is not a simple sequence."""
    body = _body(pattern)
    atoms, position = [], 0
    while position < len(body):
        match = _ATOM.match(body, position)
        if match is None:
            return None
        atoms.append(_atom(match))
        position = match.end()
    open_ended = [a for a in atoms if a.most is None]
    return atoms if len(open_ended) <= 1 else None


def _atom(match: re.Match[str]) -> Atom:
    text, quantifier = match.group(1), match.group(2) or ""
    if text.startswith("["):
        inner = text[1:-1]
        glob, words = text, CLASS_WORDS.get(inner, (f"character from {inner}", f"characters from {inner}"))
    else:
        char = text[-1]
        glob, words = (f"[{char}]" if char in "*?[" else char), (f"'{char}'", f"'{char}'")
    if quantifier in ("", "?", "*", "+"):
        least, most = {"": (1, 1), "?": (0, 1), "*": (0, None), "+": (1, None)}[quantifier]
    else:
        least = int(match.group(3))
        most = least if match.group(4) is None else (int(match.group(5)) if match.group(5) else None)
    return Atom(glob, words, least, most)


def describe(pattern: str) -> str:
    """The pattern in plain words, for input messages, hints and the data dictionary."""
    if pattern in KNOWN_WORDS:
        return KNOWN_WORDS[pattern]
    atoms = parse(pattern)
    if atoms is None:
        return "text in the form the field's description gives"
    parts: list[str] = []
    for atom in atoms:
        literal = atom.words[0].startswith("'") and atom.least == atom.most == 1
        if literal and parts and parts[-1].startswith("'"):
            parts[-1] = parts[-1][:-1] + atom.words[0][1:]
        else:
            parts.append(atom.words[0] if literal else _count_words(atom))
    return ", then ".join(parts)


def _count_words(atom: Atom) -> str:
    singular, plural = atom.words
    if atom.least == atom.most:
        return f"one {singular}" if atom.least == 1 else f"{atom.least} {plural}"
    if atom.most is None:
        return f"any number of {plural}" if atom.least == 0 else f"{atom.least} or more {plural}"
    return f"{atom.least} to {atom.most} {plural}"


def sql_check(pattern: str, column: str) -> str | None:
    """A SQLite boolean expression true exactly when ``column`` matches ``pattern`` (None: cannot)."""
    if pattern in KNOWN_SQL:
        return KNOWN_SQL[pattern].format(c=column)
    atoms = parse(pattern)
    if atoms is None or any(a.most is not None and a.least != a.most for a in atoms):
        return None
    split = _open_index(atoms)
    if split == len(atoms):
        return f"{column} GLOB '{_glob(atoms)}'"
    head, middle, tail = atoms[:split], atoms[split], atoms[split + 1:]
    fixed = sum(a.least for a in head + tail)
    negated = "[^" + middle.glob[1:] if middle.glob.startswith("[") else f"[^{middle.glob}]"
    return (f"({column} GLOB '{_glob(head)}*{_glob(tail)}' AND length({column}) >= {fixed + middle.least}"
            f" AND substr({column}, {fixed - sum(a.least for a in tail) + 1}, length({column}) - {fixed})"
            f" NOT GLOB '*{negated}*')")


def _glob(atoms: list[Atom]) -> str:
    return "".join(a.glob * a.least for a in atoms)


def _open_index(atoms: list[Atom]) -> int:
    for index, atom in enumerate(atoms):
        if atom.most is None:
            return index
    return len(atoms)


KNOWN_EXAMPLES = {REDUCED_DATE: "2024-08-09", SLUG: "ca-consultative-6", WEB_ADDRESS: "https://www.example.org/a"}


def example(pattern: str, length: int | None = None) -> str | None:
    """A string matching ``pattern`` (stretched towards ``length`` characters where it can), or None."""
    if pattern in KNOWN_EXAMPLES:
        return _known_example(pattern, length)
    atoms = parse(pattern)
    if atoms is None:
        return None
    pieces = [_first_char(a.glob) * a.least for a in atoms]
    extra = max(0, (length or 0) - sum(len(p) for p in pieces))
    for index, atom in enumerate(atoms):
        room = extra if atom.most is None else min(extra, atom.most - atom.least)
        pieces[index] += _first_char(atom.glob) * room
        extra -= room
    return "".join(pieces)


def _known_example(pattern: str, length: int | None) -> str:
    """The example of a known pattern (not a sequence of atoms, so none can be built), a slug
    stretched towards ``length`` with "x": kept apart from building one from a pattern's atoms."""
    text = KNOWN_EXAMPLES[pattern]
    stretch = pattern == SLUG and length is not None and length > len(text)
    return text + "x" * (length - len(text)) if stretch else text  # type: ignore[operator]


def _first_char(glob: str) -> str:
    if glob.startswith("[") and len(glob) > 1:
        return glob[1]
    return glob
