"""What a sheet part holds, found from its bytes before any reader parses it: how far the sheet
reaches, and whether calamine may read it.

Why from the bytes, first: python-calamine builds a sheet's whole grid, from A1 to its farthest
cell, before Python sees a value, so one plain cell at XFD1048576 in a 164 KB workbook asks for
17 billion cells and aborts the process; caps checked on what it returns come too late. And it is
blind to formulas and error cells (it returns their cached value, or ""). So each wanted sheet's
part — the one :mod:`.layout` resolved, which every reader then reads — is scanned once, in
1 MiB chunks cut after a complete cell, by regular expressions that run at C speed:

- **reach**: a cell reference (``<c r="…">``), row number or ``<dimension>`` beyond the caps
  refuses the sheet with one problem naming the cell and the caps, before anything builds a grid;
- **plain**: the sheet may go the fast way only when every cell is written the usual way
  (``<c r="B7" s="3" t="s">``: the reference first and only the attributes every writer uses, so
  that calamine, which takes the last ``r`` of a tag and accepts lower case and spaces, reads the
  same position as expat) and holds a plain value (no formula, error, phonetic run or other
  namespace prefix; a number cell holds one number), in UTF-8. Anything else goes to the
  streaming reader (:mod:`.reader`), which checks the same reach on the parsed XML.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from scripts.report import Problem
from scripts.xlsx.ooxml import column_letter, column_number, split_ref
from scripts.xlsx.read.caps import ReadCaps

CHUNK = 1 << 20
MAX_CARRY = 8 * CHUNK  # a cell this long is left to the streaming reader, which bounds it itself
NUMBER = r"\s*[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\s*"
# A formula, a phonetic run, a <v> with attributes or whose text is not one plain number (error,
# date, formula-string and damaged number cells), a cell or row whose reference is not its first
# attribute: each needs the streaming reader to be read or refused precisely.
UNUSUAL = re.compile(rf'<(?:f[\s>/]|rPh[\s>]|v[\s/]|v>(?!{NUMBER}</v>)|c(?! r=")[\s>/]|row(?! r=")[\s>/])'.encode())
PREFIXED = re.compile(rb":(?:c|f|v|is|t|r|row|rPh|dimension|sheetData)[\s>/]")  # <x:c ...>: calamine ignores prefixes
TAIL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:c|row|sheetData)[\s>/]")
FIRST_CELL = re.compile(rb'[^>]*>\s*<c r="([A-Z]{1,3}[1-9][0-9]{0,6})"')  # after a row's start
DIMENSION = re.compile(rb'<dimension\s+ref="([^"]*)"')
ENCODING = re.compile(rb"""^(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding\s*=\s*["']([^"']*)["']""")
FAST_COLUMNS = 64  # calamine builds every cell up to the farthest: a wider sheet is read by streaming
REACH_HINT = ("delete what lies below and right of the table (whole rows and columns) and save again; "
              "a larger package needs import --max-rows")


@dataclass(frozen=True)
class PartScan:
    """What the scan found: whether calamine may read the sheet, and the problem that refuses it
    for reaching too far (None when it stays within the caps)."""

    plain: bool
    beyond: Problem | None = None


def beyond(sheet: str, ref: str, what: str, caps: ReadCaps) -> Problem:
    """The one problem of a sheet reaching past the caps: ``what`` names how (a cell, a row, the
    recorded used range). Shared with the streaming reader so that both say it the same way."""
    corner = f"{column_letter(caps.max_columns)}{caps.max_rows + 1}"
    row = split_ref(ref)
    return Problem(sheet, row[1] if row else None, None, None, "sheet-too-large",
                   f"{sheet}!{ref}: the sheet reaches {what}, beyond what an import reads (A1:{corner}: "
                   f"{caps.max_rows:,} rows of data under the header, {caps.max_columns} columns)", REACH_HINT)


def reaches_beyond(column: int, row: int, caps: ReadCaps) -> bool:
    return row > caps.max_rows + 1 or column > caps.max_columns


def scan_part(archive: zipfile.ZipFile, part: str, sheet: str, caps: ReadCaps) -> PartScan:
    """Scan the sheet part once. Never raises: a part that cannot be read is not plain (the
    streaming reader then names the fault)."""
    scanner = _Scanner(sheet, caps)
    try:
        for chunk in _chunks(archive, part, caps.max_part_bytes):
            if scanner.feed(chunk):
                break
    except (KeyError, ValueError, zipfile.BadZipFile, EOFError, OSError, RuntimeError, NotImplementedError):
        return PartScan(False)
    return PartScan(scanner.plain, scanner.problem)


def _chunks(archive: zipfile.ZipFile, part: str, max_bytes: int) -> Iterator[bytes]:
    """The part in pieces of about CHUNK bytes, each cut after a complete cell so that no pattern
    is split. With no complete cell in a full chunk (the formatting after the last row), it is
    carried into the next one; a carry past MAX_CARRY (one huge cell) or a part past ``max_bytes``
    ends the scan with ValueError. Only a short read is the last."""
    carry, fed = b"", 0
    with archive.open(part) as stream:
        while chunk := stream.read(CHUNK):
            fed += len(chunk)
            if fed > max_bytes:
                raise ValueError("the part is larger than the cap")
            data = carry + chunk
            end = data.rfind(b"</c>")
            cut = len(data) if len(chunk) < CHUNK else end + 4 if end >= 0 else 0
            if len(data) - cut > MAX_CARRY:
                raise ValueError("a cell too long to scan")
            if cut:
                yield data[:cut]
            carry = data[cut:]
    yield carry


class _Scanner:
    """Feeds chunks through the patterns; stops at the first reach past the caps."""

    def __init__(self, sheet: str, caps: ReadCaps) -> None:
        self.sheet, self.caps = sheet, caps
        self.patterns = _reach_patterns(caps.max_rows + 1, caps.max_columns)
        self.plain, self.first, self.tail = True, True, False
        self.problem: Problem | None = None

    def feed(self, data: bytes) -> bool:
        """Scan one chunk; True when the sheet is refused (nothing more to learn)."""
        if self.first:
            self.first = False
            self.plain = _utf8(data)
        if self.plain:
            self.plain = not self._unusual(data)
        cells, rows = self.patterns[0 if self.plain else 1]  # once not plain, only the reach matters
        found = [far for far in (self._far(cells, data, "cell"), self._far(rows, data, "row"),
                                 self._dimension(data)) if far is not None]
        if not found:
            return False
        _, ref, what = min(found)  # the first in the part, as the streaming reader meets it
        self.problem, self.plain = beyond(self.sheet, ref, what, self.caps), False
        return True

    def _far(self, pattern: re.Pattern[bytes], data: bytes, kind: str) -> tuple[int, str, str] | None:
        """The first cell or row in the chunk past the caps: (offset, reference, words); a cell or
        row written unusually on the way makes the sheet not plain."""
        for match in pattern.finditer(data):
            if match.group(1) is None:
                self.plain = False
                continue
            text = match.group(1).decode()
            if kind == "cell":
                if not _far_ref(text, self.caps):  # in reach, but not written the usual way
                    self.plain = False
                    continue
                return match.start(), text, f"cell {text}"
            return match.start(), *self._first_cell(data, match.end(), text)
        return None

    def _first_cell(self, data: bytes, start: int, row: str) -> tuple[str, str]:
        """A row past the caps is named by its first cell, as the streaming reader names it (the
        cell is what the user can find), or as a row when it has none."""
        cell = FIRST_CELL.match(data, start)
        ref = cell.group(1).decode() if cell else ""
        place = split_ref(ref)
        if place is not None and reaches_beyond(*place, self.caps):
            return ref, f"cell {ref}"
        return f"A{row}", f"row {int(row):,}"

    def _dimension(self, data: bytes) -> tuple[int, str, str] | None:
        """The used range the sheet records, past the caps (a malformed one is ignored, as calamine
        ignores it: it only sizes a buffer)."""
        match = DIMENSION.search(data)
        if match is None:
            return None
        recorded = match.group(1).decode("ascii", "replace")
        place = split_ref(recorded.rpartition(":")[2])
        if place is None or not reaches_beyond(*place, self.caps):
            return None
        return match.start(), recorded.rpartition(":")[2], f"{recorded} (the used range the sheet records)"

    def _unusual(self, data: bytes) -> bool:
        """Cells are read up to the first ``</sheetData>`` (calamine stops there): what follows
        (Excel's extensions, whose ``<xm:f>`` are list references, not cell formulas) only has
        to hold no cell or row, which the streaming reader would read and calamine would not."""
        if self.tail:
            return TAIL.search(data) is not None
        end = data.find(b"</sheetData>")
        if end < 0:
            return _unusual_cells(data)
        self.tail = True
        return _unusual_cells(data[:end]) or TAIL.search(data, end + 12) is not None


def _unusual_cells(data: bytes) -> bool:
    """Anything among the cells that only the streaming reader reads exactly (besides the cells'
    own tags, which the reach patterns judge)."""
    return UNUSUAL.search(data) is not None or PREFIXED.search(data) is not None


def _utf8(head: bytes) -> bool:
    """The part is UTF-8 (the byte patterns read it as such): no UTF-16/32 byte order mark or NUL
    bytes, and no other declared encoding."""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in head[:64]:
        return False
    declared = ENCODING.match(head)
    return declared is None or declared.group(1).lower() in (b"utf-8", b"utf8")


Patterns = tuple[re.Pattern[bytes], re.Pattern[bytes]]


@lru_cache(maxsize=8)
def _reach_patterns(last_row: int, last_column: int) -> tuple[Patterns, Patterns]:
    """Patterns for cells and rows, in two sets: while the sheet is plain, a match is a cell or
    row not written the usual way or past the caps, group 1 holding its reference (or row number)
    when it has one of the shapes a far one may take (:func:`_far_ref` tells which); then only the
    cells and rows past the caps. A usual cell is ``<c r="REF"`` with only ``s`` and ``t`` after
    it, so a second ``r`` cannot hide in it, a type calamine reads exactly (not an error ``e`` or a
    date ``d``; a boolean only with the value 0 or 1), a row within the caps and a column up to
    FAST_COLUMNS: calamine's grid is then at most that wide, the widest table having 21 columns.
    Why one lookahead a cell and the reach judged after a match: the scan tries the pattern at
    every cell of the sheet, and a usual cell passing one test costs 40 % less than one tried
    against the far shapes first (0.14 s against 0.24 s for 50 MB of a sheet's XML)."""
    row, column = _greater_number(last_row), _greater_letters(last_column)
    far_ref = rf'((?:{column})[1-9][0-9]{{0,6}}|[A-Z]{{1,3}}(?:{row}))"'
    far_cell, far_row = rf'<c r="{far_ref}', rf'<row r="({row})"'
    usual_cell = (rf'(?:{_up_to_letters(min(FAST_COLUMNS, last_column))})(?:{_up_to_number(last_row)})"'
                  r'(?: s="[0-9]{1,9}")?(?:/?>| t="(?:s|n|str|inlineStr)"/?>| t="b">\s*<v>\s*[01]\s*</v>)')
    cells = rf'<c r="(?!{usual_cell})(?:([A-Z]+[1-9][0-9]*)")?'
    rows = rf'<row r="(?:({row})"|(?![1-9][0-9]{{0,6}}"))'
    return ((re.compile(cells.encode()), re.compile(rows.encode())),
            (re.compile(far_cell.encode()), re.compile(far_row.encode())))


def _far_ref(ref: str, caps: ReadCaps) -> bool:
    """Is ``ref`` (letters, then digits without a leading zero) a cell past the caps, in the shapes
    the streaming reader refuses as such: a column past them in a row of up to seven digits, or a
    row past them in a column of up to three letters? A row of more than seven digits is past any
    cap (Excel's last row has seven) and is not converted: Python refuses an int of 4,300 digits,
    which had ended the scan without naming the cell."""
    letters = ref.rstrip("0123456789")
    digits = ref[len(letters):]
    if len(digits) <= 7 and column_number(letters) > caps.max_columns:
        return True
    return len(letters) <= 3 and (len(digits) > 7 or int(digits) > caps.max_rows + 1)


def _up_to_number(limit: int) -> str:
    """A pattern for the decimal numbers (no leading zero) from 1 up to ``limit``."""
    text = str(limit)
    options = [f"[1-9][0-9]{{0,{len(text) - 2}}}"] if len(text) > 1 else []
    for at, char in enumerate(text):
        low = "1" if at == 0 else "0"
        if char > low:
            rest = len(text) - at - 1
            options.append(f"{text[:at]}[{low}-{chr(ord(char) - 1)}]" + (f"[0-9]{{{rest}}}" if rest else ""))
    options.append(text)
    return "|".join(options)


def _greater_number(limit: int) -> str:
    """A pattern for the decimal numbers (no leading zero) greater than ``limit``."""
    return _greater(str(limit), "0", "9", first="1")


def _greater(text: str, low: str, high: str, first: str) -> str:
    """A pattern for the words over the letters ``low``-``high`` that sort after ``text`` when a
    longer word is always greater (numbers, spreadsheet column letters): every longer word (its
    first letter from ``first``), or the same length with a greater letter at some place."""
    options = [f"[{first}-{high}][{low}-{high}]{{{len(text)},}}"]
    for at, char in enumerate(text):
        if char != high:
            rest = len(text) - at - 1
            options.append(f"{text[:at]}[{chr(ord(char) + 1)}-{high}]" + (f"[{low}-{high}]{{{rest}}}" if rest else ""))
    return "|".join(options)


def _up_to_letters(limit: int) -> str:
    """A pattern for the column letters up to column number ``limit``."""
    text = column_letter(limit)
    options = [f"[A-Z]{{1,{len(text) - 1}}}"] if len(text) > 1 else []
    for at, char in enumerate(text):
        if char > "A":
            rest = len(text) - at - 1
            options.append(f"{text[:at]}[A-{chr(ord(char) - 1)}]" + (f"[A-Z]{{{rest}}}" if rest else ""))
    options.append(text)
    return "|".join(options)


def _greater_letters(limit: int) -> str:
    """A pattern for the column letters after column number ``limit`` (AA after Z)."""
    return _greater(column_letter(limit), "A", "Z", first="A")
