"""Read each table's CSV once into a polars frame of text, with the problems visible in the file.

One read per file: the bytes are checked (missing or unreadable file, byte-order mark, UTF-8, CRLF
line endings), the header is compared with the schema, and polars parses the body with every
column as text. Row ``i`` of a frame is spreadsheet row ``i + 2`` (the header is row 1), as
frictionless numbers rows. Ragged rows are found without a second parse in the common case: the
number of field separators outside quoted values must equal rows x (columns - 1); only when it does
not is the file re-parsed with the csv module to locate the short or long rows.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from scripts.files import NotRegularFile, read_regular
from scripts.model import catalogue
from scripts.model.limits import CELL_CHARS as MAX_CELL_CHARS
from scripts.model.names import CITATIONS, DESCRIPTOR, KEY_SEPARATOR
from scripts.model.package import Package
from scripts.model.spec import Table
from scripts.report import Problem

if TYPE_CHECKING:
    import polars as pl

TEXT_KINDS = ("text", "date")  # fields whose typed value is their text (null when missing)


def problem(file: str, row: int | None, fld: str | None, value: Any, rule: str, message: str = "") -> Problem:
    """A file-level problem with the catalogue's message (unless one is given) and hint."""
    entry = catalogue.info(rule)
    return Problem(file, row, fld, value, rule, message or entry.message, entry.hint)


@dataclass
class Frames:
    """The package's tables as polars frames of text, read once and shared by every check.

    ``raw[name]`` has the schema's column names (missing columns as nulls); tables whose file
    could not be read are absent, and checks that need them are skipped. A big table keeps its
    repeated columns as categoricals (:func:`compact`): checks read columns through :meth:`text`,
    :meth:`typed`, :meth:`cells` and :meth:`citing`, which decode only the columns (and rows) they
    ask for, so that no check holds a second copy of a whole table.
    """

    package: Package
    raw: dict[str, pl.DataFrame] = field(default_factory=dict)
    missing_columns: dict[str, set[str]] = field(default_factory=dict)
    cache: dict[Any, Any] = field(default_factory=dict)  # results computed once per validation
    _typed: dict[tuple[str, str], pl.Series] = field(default_factory=dict)
    _keys: dict[str, pl.Series] = field(default_factory=dict)

    def table(self, name: str) -> Table:
        return self.package.table(name)

    def forget(self, name: str) -> None:
        """Drop what was derived from table ``name`` (typed columns, keys, every rule's result) after
        its raw frame changed: tests edit frames cell by cell and run the rules again."""
        for key in [k for k in self._typed if k[0] == name]:
            del self._typed[key]
        self._keys.pop(name, None)
        self.cache.clear()

    def file(self, name: str) -> str:
        return relative(self.package, self.table(name))

    def text(self, name: str, *columns: str) -> pl.DataFrame:
        """The CSV's text of ``columns`` (every column when none is named) as String columns."""
        import polars as pl

        raw = self.raw[name]
        return raw.select([pl.col(c).cast(pl.String) for c in columns or raw.columns])

    def column(self, name: str, column: str) -> pl.Series:
        """The CSV's text of one column."""
        return self.text(name, column).to_series()

    def cells(self, name: str, column: str, build: Callable[[pl.Expr], pl.Expr]) -> pl.Series:
        """``build(cell)`` for every cell of ``column``: an expression of the cell's text alone,
        evaluated once per distinct value when the column is stored as a categorical."""
        return per_value(self.raw[name].get_column(column), build)

    def citing(self, where: pl.Expr, *columns: str) -> pl.DataFrame:
        """The citations rows where ``where`` holds, with ``columns`` as text. ``where`` compares
        stored columns with literals (==, is_in, fill_null, is_null), which a categorical answers
        as its text would: only the matching rows of the columns asked for are decoded."""
        import polars as pl

        return self.raw[CITATIONS].lazy().filter(where).select(
            [pl.col(c).cast(pl.String) for c in columns]).collect()

    def typed(self, name: str, *columns: str) -> pl.DataFrame:
        """``columns`` (every field when none is named) cast through the interpreter: typed values,
        null where missing or invalid. Kept for the validation, except the text columns of a
        categorical table: a typed text column costs as much as the column itself, so those are
        decoded anew for each check that asks."""
        import polars as pl

        names = columns or tuple(self.table(name).field_names)
        found = {c: self._typed[(name, c)] for c in names if (name, c) in self._typed}
        todo = [c for c in names if c not in found]
        if todo:
            raw = self.raw[name]
            coded = any(isinstance(t, pl.Categorical) for t in raw.dtypes)
            found.update(self._cast(name, todo))
            self._typed.update({(name, c): found[c] for c in todo
                                if not coded or self.table(name).field(c).kind not in TEXT_KINDS})
        return pl.DataFrame([found[c] for c in names])

    def _cast(self, name: str, columns: list[str]) -> dict[str, pl.Series]:
        """Typed ``columns``: the text ones in one pass, each categorical one by its distinct values."""
        import polars as pl

        from scripts.model.backends.polars import cast

        raw, table = self.raw[name], self.table(name)
        coded = [c for c in columns if isinstance(raw.schema[c], pl.Categorical)]
        plain = raw.select([cast(table.field(c), pl.col(c)).alias(c) for c in columns if c not in coded])
        found = {c: plain.get_column(c) for c in plain.columns}
        for c in coded:
            fld = table.field(c)
            found[c] = per_value(raw.get_column(c), lambda cell, fld=fld: cast(fld, cell))
        return found

    def keys(self, name: str) -> pl.Series:
        """Each row's record key as citations write it (primary key values joined by '/')."""
        import polars as pl

        if name not in self._keys:
            key = self.table(name).primary_key
            columns = [pl.col(k).fill_null("") for k in key]
            self._keys[name] = self.text(name, *key).select(
                pl.concat_str(columns, separator=KEY_SEPARATOR).alias("key")).to_series()
        return self._keys[name]


def per_value(column: pl.Series, build: Callable[[pl.Expr], pl.Expr]) -> pl.Series:
    """``build`` (an elementwise expression of one text column) for every row of ``column``.

    A categorical column is evaluated on its distinct values (and null) and spread to the rows by
    their codes: a regular expression over 300,000 repeats of a dozen values runs a dozen times."""
    import polars as pl

    name = column.name
    if not isinstance(column.dtype, pl.Categorical):
        return pl.DataFrame([column]).select(build(pl.col(name)).alias(name)).to_series()
    values = column.dtype.categories.to_series()
    distinct = pl.DataFrame({name: values.extend_constant(None, 1)})
    results = distinct.select(build(pl.col(name)).alias(name)).to_series()
    return results.gather(column.to_physical().fill_null(values.len()))


def relative(package: Package, table: Table) -> str:
    """A table's file as the report names it: its path relative to the package root."""
    try:
        return table.path.relative_to(package.root).as_posix()
    except ValueError:
        return table.path.as_posix()


def read_package(package: Package) -> tuple[Frames, list[Problem]]:
    """Every readable table as a frame, and the problems found in the files themselves."""
    frames = Frames(package)
    problems: list[Problem] = []
    for name, table in package.tables.items():
        file = relative(package, table)
        if name in package.refused:
            problems.append(problem(DESCRIPTOR, None, None, name, "unsafe-path",
                                    f"resource {name!r}: {package.refused[name]}; the file was not read"))
            continue
        content = _read_bytes(file, table, problems)
        if content is None:
            continue
        frame, missing = read_table(file, table, content, problems)
        problems.extend(long_cell_problems(file, frame))
        del content  # the file's bytes go before the frame is compacted: one copy of a table at a time
        if frame is not None:
            frames.raw[name] = compact(frame)
            frames.missing_columns[name] = missing
    return frames, problems


def _read_bytes(file: str, table: Table, problems: list[Problem]) -> bytes | None:
    try:
        return read_regular(table.path)
    except NotRegularFile as exc:
        problems.append(problem(file, None, None, None, "not-a-regular-file",
                                f"{file} is {exc.kind}, not a regular file; it was not read"))
    except FileNotFoundError:
        problems.append(problem(file, None, None, None, "missing-file",
                                f"{file} is listed in {DESCRIPTOR} but does not exist"))
    except OSError as exc:
        problems.append(problem(file, None, None, None, "unreadable-file",
                                f"{file} cannot be read: {exc.strerror or exc}"))
    return None


def byte_problems(file: str, content: bytes) -> list[Problem]:
    """BOM, non-UTF-8 bytes and CRLF endings, each reported once per file at its first line."""
    found = []
    if content.startswith(codecs.BOM_UTF8):
        found.append(problem(file, 1, None, None, "byte-order-mark"))
    bad_at = first_invalid_utf8(content)
    if bad_at is not None:
        start, end, reason = bad_at
        line = content.count(b"\n", 0, start) + 1
        bad = content[start:end]
        found.append(problem(file, line, None, bad.hex(" "), "encoding-error",
                             f"bytes {bad!r} on line {line} are not UTF-8 ({reason})"))
    crlf = content.find(b"\r\n")
    if crlf >= 0:
        line = content.count(b"\n", 0, crlf) + 1
        count = content.count(b"\r\n")
        found.append(problem(file, line, None, None, "crlf-line-ending",
                             f"{count} line{'s' if count != 1 else ''} end with CRLF, first on line {line}"))
    return found


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


def read_table(file: str, table: Table, content: bytes,
               problems: list[Problem]) -> tuple[pl.DataFrame | None, set[str]]:
    """Parse one CSV: a frame with the schema's columns (text), and the columns the header lacks."""
    import polars as pl

    problems.extend(byte_problems(file, content))
    body = content.removeprefix(codecs.BOM_UTF8)
    labels = _header(body)
    if not labels:
        problems.append(problem(file, None, None, None, "blank-header"))
        return None, set(table.field_names)
    problems.extend(label_problems(file, table, labels))
    try:  # a row with more cells than the header stops the strict parse: then locate every ragged row
        frame = _parse(body, labels, truncate=False)
        problems.extend(ragged_problems(file, table, labels, body, frame))
    except pl.exceptions.ComputeError:
        frame = _parse(body, labels, truncate=True)
        blank = _blank_rows(frame)
        problems.extend(problem(file, i + 2, None, None, "blank-row") for i in blank)
        problems.extend(_locate_ragged(file, table, labels, body, set(blank)))
    return _align(table, labels, frame)


def long_cell_problems(file: str, frame: pl.DataFrame | None) -> list[Problem]:
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
            found.append(problem(file, index + 2, name, frame[name][index], "cell-too-long",
                                 f"{lengths[index]:,} characters; a cell holds at most {MAX_CELL_CHARS:,}"))
    return found


SHARE_MIN_ROWS, SAMPLE_ROWS, INLINE_BYTES = 10_000, 1_000, 12


def compact(frame: pl.DataFrame) -> pl.DataFrame:
    """The same frame (values, nulls, dtypes) in less memory, each column in one piece.

    The parallel parse leaves every column in dozens of chunks, and every later check that lines
    columns up (the type checks, the provenance joins) would copy them into one piece again: a
    transient the size of the table. Done here once, one table at a time. And a polars String
    cell is a 16-byte view into a text buffer in which the parse writes every repeat again (an
    inference note repeated on 300,000 rows is 300,000 copies): a long, repeated column is
    gathered from its distinct values, so that every view of a value points at one copy. Columns
    whose values, sampled across the table, are mostly distinct (keys) or short (held inside the
    view) are left as parsed.
    """
    import polars as pl

    if frame.height < SHARE_MIN_ROWS:
        return frame.rechunk()
    columns = []
    for column in frame.get_columns():
        sample = column.gather_every(frame.height // SAMPLE_ROWS)
        if sample.n_unique() <= sample.len() // 2 and (sample.str.len_bytes().mean() or 0) > INLINE_BYTES:
            categories = pl.Categories.random()  # a private dictionary, dropped with the column
            coded = column.cast(pl.Categorical(categories))
            shared = categories.to_series().gather(coded.to_physical())
            if shared.null_count() == column.null_count():  # every code found its text
                column = shared.alias(column.name)
        columns.append(column.rechunk())
    return pl.DataFrame(columns)


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
        return next(csv.reader([first]), []) if first else []
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


def _align(table: Table, labels: list[str], frame: pl.DataFrame) -> tuple[pl.DataFrame, set[str]]:
    """The frame with the schema's column names: matched by position (as frictionless does) for the
    columns the header has; absent columns are nulls."""
    import polars as pl

    columns, missing = [], set()
    for index, name in enumerate(table.field_names):
        if index < len(labels):
            columns.append(pl.col(f"column {index + 1}").alias(name))
        else:
            columns.append(pl.lit(None, dtype=pl.String).alias(name))
            missing.add(name)
    return frame.select(columns), missing


def ragged_problems(file: str, table: Table, labels: list[str], body: bytes, frame: pl.DataFrame) -> list[Problem]:
    """Blank rows, and rows with fewer cells than the header (a strict parse already refused rows
    with more): the separators outside quoted values must number rows x (columns - 1)."""
    import polars as pl

    width = len(labels)
    if frame.height == 0:
        return []
    blank = _blank_rows(frame)
    found = [problem(file, i + 2, None, None, "blank-row") for i in blank]
    in_cells = frame.select(pl.sum_horizontal(pl.all().str.count_matches(",", literal=True).sum())).item()
    header_commas = body[: max(body.find(b"\n"), 0)].count(b",")
    separators = body.count(b",") - header_commas - (in_cells or 0)
    if separators == (frame.height - len(blank)) * (width - 1):
        return found
    return found + _locate_ragged(file, table, labels, body, set(blank))


def _locate_ragged(file: str, table: Table, labels: list[str], body: bytes, blank: set[int]) -> list[Problem]:
    """The slow path, for broken files only: parse again with the csv module to find ragged rows."""
    found = []
    rows = csv.reader(io.StringIO(body.decode("utf-8", "replace"), newline=""))
    next(rows, None)
    width, names = len(labels), table.field_names
    for index, cells in enumerate(_until_too_long(rows)):
        if index in blank or not cells:
            continue
        if len(cells) > width:
            found.append(problem(file, index + 2, f"column {width + 1}", cells[width], "extra-cell",
                                 f"the row has {len(cells)} cells; the header has {width}"))
        elif len(cells) < width:
            name = names[len(cells)] if len(cells) < len(names) else f"column {len(cells) + 1}"
            found.append(problem(file, index + 2, name, None, "missing-cell",
                                 f"the row has {len(cells)} cells; the header has {width}"))
    return found


def _until_too_long(rows: Iterator[list[str]]) -> Iterator[list[str]]:
    """The csv module's rows up to a cell over the cap (reported apart, as cell-too-long)."""
    with suppress(csv.Error):
        yield from rows
