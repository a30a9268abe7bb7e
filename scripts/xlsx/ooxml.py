"""What the workbook's readers and writers both speak: the OOXML names, cell references and the
``_xHHHH_`` text escape.

Kept apart from both sides so that neither borrows from the other: the writers need column
letters and the escape, the readers need them too and the reverse, and a change to how a
reference or an escaped text looks is made once, for both.
"""

from __future__ import annotations

import re

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MAX_EXCEL_COLUMN = 16_384
MAX_EXCEL_ROW = 1_048_576
ESCAPE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")
UNESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
CELL_REF = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,6})")


def escape_ooxml_text(text: str) -> str:
    """Protect a literal ``_xHHHH_`` as Excel does (``_x005F_xHHHH_``), for writers that do not
    (openpyxl writes text as is; XlsxWriter already escapes)."""
    return ESCAPE.sub("_x005F_", text) if "_x" in text else text


def escape_xml_text(text: str) -> str:
    """Text for a raw ``<t>`` element: XML special characters and ``_xHHHH_`` look-alikes escaped."""
    return escape_ooxml_text(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def unescape_ooxml_text(text: str) -> str:
    """Decode ``_xHHHH_`` exactly once, the inverse of ``escape_ooxml_text``."""
    return UNESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


def column_letter(number: int) -> str:
    """1 → A, 27 → AA. A number below 1 names no column: ValueError (it looped for ever on a
    negative one)."""
    if number < 1:
        raise ValueError(f"no column has the number {number}")
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_number(letters: str) -> int:
    """A → 1, AA → 27: the inverse of :func:`column_letter`."""
    return sum((ord(char) - 64) * 26**power for power, char in enumerate(reversed(letters)))


def split_ref(ref: str) -> tuple[int, int] | None:
    """"B7" → (column 2, row 7); None when it is not a valid cell reference."""
    match = CELL_REF.fullmatch(ref)
    if match is None:
        return None
    column, row = column_number(match.group(1)), int(match.group(2))
    return (column, row) if column <= MAX_EXCEL_COLUMN and row <= MAX_EXCEL_ROW else None
