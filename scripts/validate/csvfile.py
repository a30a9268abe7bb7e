"""Read one CSV file once, in pieces, into a polars frame of text, with the problems visible in the file.

The file is read in blocks and cut into pieces that end at the end of a row (a newline outside
quoted values), so that a table is never held twice, as bytes and as a frame: each piece is
checked (UTF-8, CRLF line endings; the byte-order mark and the header with the first), parsed by
polars with every column as text (the header put in front of it, so that each piece parses as
the whole file would) and handed to a ``store`` that keeps it as it likes (:mod:`.frames` stores
repeated columns as categoricals) before the next piece is read. Row ``i`` of a frame is
spreadsheet row ``i + 2`` (the header is row 1), as frictionless numbers rows. Ragged rows are
found without a second parse in the common case: the number of field separators outside quoted
values must equal rows x (columns - 1); only when it does not is the piece re-parsed with the csv
module to locate the short or long rows.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scripts.model import catalogue
from scripts.model.limits import CELL_CHARS as MAX_CELL_CHARS
from scripts.model.package import csv_reader
from scripts.model.spec import Table
from scripts.report import Problem, noun

if TYPE_CHECKING:
    import polars as pl

PIECE_BYTES = 8 << 20  # bytes read at a time; a piece is cut at the last row end in what was read
Store = Callable[["pl.DataFrame"], None]


def problem(file: str, row: int | None, fld: str | None, value: Any, rule: str, message: str = "") -> Problem:
    """A file-level problem with the catalogue's message (unless one is given) and hint."""
    entry = catalogue.info(rule)
    return Problem(file, row, fld, value, rule, message or entry.message, entry.hint)


def read_table(file: str, table: Table, content: bytes | Iterable[bytes], problems: list[Problem],
               store: Store | None = None) -> tuple[pl.DataFrame | None, set[str]]:
    """Parse one CSV (its bytes, or its blocks as read): a frame with the schema's columns (text),
    and the columns the header lacks. With ``store``, each piece's frame is handed to it instead
    and None is returned in place of the frame."""
    import polars as pl

    blocks = [bytes(content)] if isinstance(content, bytes | bytearray) else content
    scan, found, parsed = ByteScan(), [], []
    reader = PieceReader(file, table)
    for piece in row_pieces(blocks):
        scan.feed(piece)
        frame = reader.parse(piece, found)
        if frame is not None:
            (store or parsed.append)(frame)
    problems.extend(scan.problems(file))
    if not reader.labels:
        problems.append(problem(file, None, None, None, "blank-header"))
        return None, set(table.field_names)
    problems.extend(found)
    if reader.broken:
        return None, set(table.field_names)
    if store is not None:
        return None, reader.missing
    return pl.concat(parsed, rechunk=False) if len(parsed) > 1 else parsed[0], reader.missing


@dataclass
class ByteScan:
    """The byte-order mark, the first bytes that are not UTF-8 and CRLF endings, over the pieces of
    one file (each piece ends at a row's end, so no character or line ending is cut)."""

    lines: int = 0  # newlines in the pieces before this one
    started: bool = False
    bom: bool = False
    bad: tuple[int, bytes, str] | None = None
    crlf_line: int | None = None
    crlf_count: int = 0

    def feed(self, piece: bytes) -> None:
        if not self.started:
            self.bom, self.started = piece.startswith(codecs.BOM_UTF8), True
        if self.bad is None and (bad_at := first_invalid_utf8(piece)) is not None:
            start, end, reason = bad_at
            self.bad = (self.lines + piece.count(b"\n", 0, start) + 1, piece[start:end], reason)
        count, first = row_crlfs(piece)
        if count:
            self.crlf_line = self.crlf_line or self.lines + piece.count(b"\n", 0, first) + 1
            self.crlf_count += count
        self.lines += piece.count(b"\n")

    def problems(self, file: str) -> list[Problem]:
        """BOM, non-UTF-8 bytes and CRLF endings, each reported once per file at its first line."""
        found = [problem(file, 1, None, None, "byte-order-mark")] if self.bom else []
        if self.bad is not None:
            line, bad, reason = self.bad
            found.append(problem(file, line, None, bad.hex(" "), "encoding-error",
                                 f"bytes {bad!r} on line {line} are not UTF-8 ({reason})"))
        if self.crlf_line is not None:
            count, line = self.crlf_count, self.crlf_line
            verb = "lines end" if count != 1 else "line ends"
            found.append(problem(file, line, None, None, "crlf-line-ending",
                                 f"{count} {verb} with CRLF, first on line {line}"))
        return found


def row_crlfs(piece: bytes) -> tuple[int, int]:
    """How many CRLFs of ``piece`` end a row, and where the first does (-1: none). A CRLF inside a
    quoted cell is the cell's text (a multi-line field may hold one), not the file's line ending;
    a piece starts outside quotes, so a CRLF ends a row after an even number of quotes."""
    if b'"' not in piece:
        return piece.count(b"\r\n"), piece.find(b"\r\n")
    count, first, quotes, counted = 0, -1, 0, 0
    at = piece.find(b"\r\n")
    while at >= 0:
        quotes += piece.count(b'"', counted, at)
        counted = at
        if quotes % 2 == 0:
            count, first = count + 1, first if first >= 0 else at
        at = piece.find(b"\r\n", at + 2)
    return count, first


def first_invalid_utf8(content: bytes, chunk: int = 1 << 20) -> tuple[int, int, str] | None:
    """Where the first bytes that are not UTF-8 start and end, and why; decoded a chunk at a time so
    that a large file never exists twice in memory (as bytes and as text)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(content)
    for offset in range(0, len(content), chunk):
        pending = len(decoder.getstate()[0])  # bytes of a character cut at the previous chunk's end
        try:
            decoder.decode(view[offset:offset + chunk], final=offset + chunk >= len(content))
        except UnicodeDecodeError as exc:
            return offset - pending + exc.start, offset - pending + exc.end, exc.reason
    return None


def row_pieces(blocks: Iterable[bytes], size: int | None = None) -> Iterator[bytes]:
    """The bytes of ``blocks`` regrouped into pieces of about ``size`` bytes (PIECE_BYTES) or more,
    each ending at the end of a row: a newline after an even number of double quotes (outside
    quoted values). The last piece is whatever follows the last such newline."""
    size = size or PIECE_BYTES
    parts: list[bytes] = []
    held, quotes = 0, 0  # bytes in parts, and double quotes among them
    for block in blocks:
        parts.append(block)
        held += len(block)
        if held >= size and (cut := _row_end(block, quotes)) >= 0:
            parts[-1] = block[:cut]
            yield b"".join(parts)
            rest = block[cut:]
            parts, held, quotes = [rest], len(rest), rest.count(b'"')
        else:
            quotes += block.count(b'"')
    if held:
        yield b"".join(parts)


def _row_end(block: bytes, quotes_before: int) -> int:
    """Where in ``block`` the last row ends (just after its newline), given the number of double
    quotes before it since the last row end; -1 when no row ends in it. Each byte is counted once."""
    end, quotes = len(block), quotes_before + block.count(b'"')
    while (newline := block.rfind(b"\n", 0, end)) >= 0:
        quotes -= block.count(b'"', newline, end)
        if quotes % 2 == 0:
            return newline + 1
        end = newline
    return -1


class PieceReader:
    """Parses the pieces of one file in order: the first gives the header (checked against the
    schema), each later one is parsed with the header in front of it, its rows numbered on from
    the rows before it."""

    def __init__(self, file: str, table: Table) -> None:
        self.file, self.table = file, table
        self.labels: list[str] | None = None  # None until the first piece is read; [] for a blank header
        self.head = b""  # the header's bytes, put in front of each later piece
        self.rows = 0  # rows parsed so far
        self.past_long_cell = False  # the csv module stops at a cell over the cap: later rows unlocated
        self.broken = False  # a quote never closed: the file cannot be split into rows

    @property
    def missing(self) -> set[str]:
        return {name for index, name in enumerate(self.table.field_names) if index >= len(self.labels or [])}

    def parse(self, piece: bytes, found: list[Problem]) -> pl.DataFrame | None:
        """The piece's rows as a frame with the schema's columns; its problems added to ``found``."""
        if self.labels is None:
            body = piece.removeprefix(codecs.BOM_UTF8)
            self.labels, self.head = _header(body), body[:_row_end_first(body)]
            if not self.labels:
                return None
            found.extend(label_problems(self.file, self.table, self.labels))
        elif not self.labels:
            return None
        else:
            body = self.head + piece
        frame = self._rows(body, found)
        found.extend(long_cell_problems(self.file, frame, self.rows))
        self.past_long_cell = self.past_long_cell or _longer_than(frame, MAX_CELL_CHARS)
        self.rows += frame.height
        return frame

    def _rows(self, body: bytes, found: list[Problem]) -> pl.DataFrame:
        import polars as pl

        labels = self.labels or []
        try:  # a row with more cells than the header stops the strict parse: then locate every ragged row
            frame = _parse(body, labels, truncate=False)
            found.extend(self._ragged(labels, body, frame))
        except pl.exceptions.ComputeError:
            try:
                frame = _parse(body, labels, truncate=True)
            except pl.exceptions.ComputeError:  # a quote opened and never closed: no row can be trusted
                found.append(problem(self.file, None, None, None, catalogue.UNCLOSED_QUOTE))
                self.broken = True
                return pl.DataFrame(schema=dict.fromkeys(self.table.field_names, pl.String))
            ragged = self._locate(labels, body)
            filled = {p.row for p in ragged}  # empty in the header's columns, with cells past them: not blank
            found.extend(problem(self.file, row, None, None, "blank-row")
                         for row in (self.rows + i + 2 for i in _blank_rows(frame)) if row not in filled)
            found.extend(ragged)
        return _align(self.table, labels, frame)

    def _ragged(self, labels: list[str], body: bytes, frame: pl.DataFrame) -> list[Problem]:
        """Blank rows, and rows with fewer cells than the header (a strict parse already refused rows
        with more): the separators outside quoted values must number rows x (columns - 1); a file
        whose count falls short (a blank line, a missing cell) is located row by row."""
        import polars as pl

        if frame.height == 0:
            return []
        blank = _blank_rows(frame)
        found = [problem(self.file, self.rows + i + 2, None, None, "blank-row") for i in blank]
        in_cells = frame.select(pl.sum_horizontal(pl.all().str.count_matches(",", literal=True).sum())).item()
        header_commas = body[: max(body.find(b"\n"), 0)].count(b",")
        separators = body.count(b",") - header_commas - (in_cells or 0)
        if separators == frame.height * (len(labels) - 1):  # a blank line or a missing cell falls short
            return found
        return found + self._locate(labels, body)

    def _locate(self, labels: list[str], body: bytes) -> list[Problem]:
        """The slow path, for broken files only: parse again with the csv module to find ragged rows."""
        if self.past_long_cell:
            return []
        found = []
        rows = csv_reader(io.StringIO(_lone_cr_kept(body.decode("utf-8", "replace")), newline=""))
        next(rows, None)
        width, names = len(labels), self.table.field_names
        for index, cells in enumerate(_until_too_long(rows)):
            if not any(cells):  # blank, whatever its commas: the caller's finding
                continue
            row = self.rows + index + 2
            if len(cells) > width:
                found.append(problem(self.file, row, f"column {width + 1}", _lone_cr_back(cells[width]), "extra-cell",
                                     _width_message(len(cells), width)))
            elif len(cells) < width:
                name = names[len(cells)] if len(cells) < len(names) else f"column {len(cells) + 1}"
                found.append(problem(self.file, row, name, None, "missing-cell", _width_message(len(cells), width)))
        return found


# polars ends a row only at LF (CRLF included); the csv module also at a lone CR outside quotes. So
# that both count the same rows, a lone CR stands in as a character of no meaning to CSV while the
# csv module locates ragged rows (it is the clean-text rule's finding, U+000D, in its cell).
LONE_CR, CR_STAND_IN = re.compile(r"\r(?!\n)"), "\ue000"


def _lone_cr_kept(text: str) -> str:
    return LONE_CR.sub(CR_STAND_IN, text)


def _lone_cr_back(cell: str) -> str:
    return cell.replace(CR_STAND_IN, "\r")


def _width_message(cells: int, width: int) -> str:
    return f"the row has {cells} {noun(cells, 'cell')}; the header has {width}"


def _row_end_first(body: bytes) -> int:
    """Where the first row (the header) ends: after the first newline outside quoted values."""
    start = 0
    while (newline := body.find(b"\n", start)) >= 0:
        if body.count(b'"', 0, newline) % 2 == 0:
            return newline + 1
        start = newline + 1
    return len(body)


def _longer_than(frame: pl.DataFrame, limit: int) -> bool:
    """Does a cell of ``frame`` hold more than ``limit`` characters? (Byte lengths, free in polars,
    spare the count of characters where no cell could be that long.)"""
    import polars as pl

    for length in (pl.all().str.len_bytes().max(), pl.all().str.len_chars().max()):
        if frame.height == 0 or max((n or 0 for n in frame.select(length).row(0)), default=0) <= limit:
            return False
    return True


def long_cell_problems(file: str, frame: pl.DataFrame | None, offset: int) -> list[Problem]:
    """Cells over MAX_CELL_CHARS, the cell cap every reader of the package shares (the csv module
    stops at it; Excel holds no more). Byte lengths (free in polars) find the columns to count."""
    import polars as pl

    if frame is None or frame.height == 0:
        return []
    found = []
    for name, widest in zip(frame.columns, frame.select(pl.all().str.len_bytes().max()).row(0), strict=True):
        if widest is None or widest <= MAX_CELL_CHARS:
            continue
        lengths = frame.get_column(name).str.len_chars()
        for index in (lengths > MAX_CELL_CHARS).arg_true().to_list():
            found.append(problem(file, offset + index + 2, name, frame[name][index], "cell-too-long",
                                 f"{lengths[index]:,} characters; a cell holds at most {MAX_CELL_CHARS:,}"))
    return found


def _parse(body: bytes, labels: list[str], truncate: bool) -> pl.DataFrame:
    import polars as pl

    return pl.read_csv(body, infer_schema=False, has_header=True, empty_string_is_null=False,
                       truncate_ragged_lines=truncate, encoding="utf8-lossy", raise_if_empty=False,
                       new_columns=[f"column {i + 1}" for i in range(len(labels))], quote_char='"')


def _blank_rows(frame: pl.DataFrame) -> list[int]:
    import polars as pl

    if frame.height == 0:
        return []
    return frame.select(pl.all_horizontal(pl.all().fill_null("") == "").arg_true()).to_series().to_list()


def _header(body: bytes) -> list[str]:
    end = body.find(b"\n")
    first = (body if end < 0 else body[:end]).decode("utf-8", "replace").rstrip("\r")
    try:
        return next(csv_reader([first]), []) if first else []
    except csv.Error:  # a label over the cell cap: the labels, unquoted, are reported as not the schema's
        return first.split(",")


def label_problems(file: str, table: Table, labels: list[str]) -> list[Problem]:
    """Header against schema, as frictionless reports it: extra, missing or incorrect labels."""
    names = table.field_names
    found = []
    for index, name in enumerate(names):
        if index >= len(labels):
            found.append(problem(file, None, name, None, "missing-label",
                                 f"the header has no column {name!r} (column {index + 1})"))
        elif labels[index] != name:
            found.append(problem(file, None, name, labels[index], "incorrect-label",
                                 f"column {index + 1} is named {labels[index]!r}; the schema calls it {name!r}"))
    for index, label in enumerate(labels[len(names):], start=len(names)):
        found.append(problem(file, None, label, label, "extra-label",
                             f"column {index + 1} ({label!r}) is not in the schema"))
    return found


def _align(table: Table, labels: list[str], frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with the schema's column names: matched by position (as frictionless does) for the
    columns the header has; absent columns are nulls."""
    import polars as pl

    columns = []
    for index, name in enumerate(table.field_names):
        if index < len(labels):
            columns.append(pl.col(f"column {index + 1}").alias(name))
        else:
            columns.append(pl.lit(None, dtype=pl.String).alias(name))
    return frame.select(columns)


def _until_too_long(rows: Iterator[list[str]]) -> Iterator[list[str]]:
    """The csv module's rows up to a cell over the cap (reported apart, as cell-too-long)."""
    with suppress(csv.Error):
        yield from rows
