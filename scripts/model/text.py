"""The clean-text policy: which characters a cell of the package may hold, defined once.

Why a policy and not a pattern per field: a cell is read by people in a spreadsheet, a browser
and a terminal, and a few characters make text lie about itself there. Control characters (C0,
C1, DEL) corrupt files and terminals; a lone carriage return, like the Unicode line and paragraph
separators (U+2028, U+2029), is a line break to some tools (YAML, some editors) and not to others;
bidirectional overrides and isolates (U+202A-202E, U+2066-2069) make
``Deputy Prime \\u202eretsiniM`` display as "Deputy Prime Minister" (the Trojan Source pattern);
zero-width characters (U+200B-200D, U+2060, U+FEFF) make two keys that look equal differ. All of
them are refused in every text field; tab and line breaks (LF, or CRLF) only in fields whose
schema says ``"multiline": true``. Outer spaces are refused too (except in key columns, where
they are the key-whitespace rule's finding).

Validation (polars expressions), the workbook reader and the export scan all call this module.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl

CONTROL = "\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 (but tab and LF), DEL, C1; includes CR
INVISIBLE = "\u200b-\u200d\u2060\ufeff\u202a-\u202e\u2066-\u2069"  # zero-width; bidi overrides, isolates
SEPARATORS = "\u2028\u2029"  # line and paragraph separators: a line break to some readers only
SINGLE_LINE = re.compile(f"[{CONTROL}{INVISIBLE}{SEPARATORS}\t\n]")
MULTI_LINE = re.compile(f"[{CONTROL}{INVISIBLE}{SEPARATORS}]")
NAMES = {"\u202e": "right-to-left override", "\u202d": "left-to-right override", "\u202a": "left-to-right embedding",
         "\u202b": "right-to-left embedding", "\u202c": "pop directional formatting",
         "\u2066": "left-to-right isolate", "\u2067": "right-to-left isolate", "\u2068": "first strong isolate",
         "\u2069": "pop directional isolate", "\u200b": "zero-width space", "\u200c": "zero-width non-joiner",
         "\u200d": "zero-width joiner", "\u2060": "word joiner", "\ufeff": "zero-width no-break space",
         "\u2028": "line separator", "\u2029": "paragraph separator", "\r": "carriage return", "\t": "tab",
         "\n": "line break"}


SPACE = re.compile(r"\s+")


def fold(text: str) -> str:
    """Collapse every run of whitespace to one space: how cited lines, evidence and sentences are
    compared (a phrase broken across lines still matches)."""
    return SPACE.sub(" ", text).strip()


def refused(multiline: bool) -> re.Pattern[str]:
    """The characters a field may not hold (tab and newline allowed in a multi-line field)."""
    return MULTI_LINE if multiline else SINGLE_LINE


def describe_char(char: str) -> str:
    """A refused character in words: its code point and name ("U+202E (right-to-left override)")."""
    name = NAMES.get(char) or unicodedata.name(char, "control character").lower()
    return f"U+{ord(char):04X} ({name})"


def unclean(text: str | None, multiline: bool, outer_spaces: bool = True) -> str | None:
    """Why ``text`` is not clean (None when it is): a refused character, or (when ``outer_spaces``)
    spaces at its start or end. A CRLF counts as one line break."""
    if not text:
        return None
    found = refused(multiline).search(text.replace("\r\n", "\n"))
    if found:
        return f"holds the character {describe_char(found.group())} at position {found.start() + 1}"
    if outer_spaces and text != text.strip():
        return "has spaces (or other blank characters) at its start or end"
    return None


def polars_refused_chars(text: pl.Expr, multiline: bool) -> pl.Expr:
    """True where the text holds a refused character (nulls are clean)."""
    return text.str.replace_all("\r\n", "\n", literal=True).str.contains(refused(multiline).pattern).fill_null(False)


def polars_unclean(text: pl.Expr, multiline: bool) -> pl.Expr:
    """True where :func:`unclean` would give a reason (nulls are clean)."""
    return (polars_refused_chars(text, multiline) | (text != text.str.strip_chars())).fill_null(False)
