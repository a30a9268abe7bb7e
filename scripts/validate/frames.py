"""The package's tables as frames, read once (:mod:`.csvfile`) and shared by every check.

A table is held once, in as little memory as its values allow (:class:`TableStore`), and checks
ask for the columns they use (:class:`Frames`), so that validation's peak memory stays a small
multiple of the largest table's text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from scripts.files import NotRegularFile, read_blocks
from scripts.model import catalogue
from scripts.model.names import CITATIONS, DESCRIPTOR, KEY_SEPARATOR
from scripts.model.package import Package
from scripts.model.spec import Table
from scripts.report import Problem

from .csvfile import PIECE_BYTES, problem, read_table

if TYPE_CHECKING:
    import polars as pl



@dataclass
class Frames:
    """The package's tables as polars frames of text, read once and shared by every check.

    ``raw[name]`` has the schema's column names (missing columns as nulls); tables whose file
    could not be read are absent, and checks that need them are skipped. A big table keeps its
    repeated columns as categoricals (:class:`TableStore`): checks read columns through :meth:`text`,
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
        names = list(columns or raw.columns)
        if all(raw.schema[c] == pl.String for c in names):  # as read: taken, not queried (~0.1 ms a query)
            return raw[names]
        return raw.select([pl.col(c).cast(pl.String) for c in names])

    def column(self, name: str, column: str) -> pl.Series:
        """The CSV's text of one column."""
        return self.text(name, column).to_series()

    def cells(self, name: str, column: str, build: Callable[[pl.Expr], pl.Expr]) -> pl.Series:
        """``build(cell)`` for every cell of ``column``: an expression of the cell's text alone,
        evaluated once per distinct value when the column is stored as a categorical."""
        return self.each_cell(name, {column: build})[column]

    def each_cell(self, name: str, builds: dict[str, Callable[[pl.Expr], pl.Expr]]) -> dict[str, pl.Series]:
        """:meth:`cells` for several columns: the text ones in one pass (a query costs a tenth of
        a millisecond whatever its size, and the package has ~250 columns), each categorical one
        by its distinct values."""
        import polars as pl

        raw = self.raw[name]
        coded = {c for c in builds if isinstance(raw.schema[c], pl.Categorical)}
        plain = raw.select([build(pl.col(c)).alias(c) for c, build in builds.items() if c not in coded])
        found = {c: plain.get_column(c) for c in plain.columns}
        found.update({c: per_value(raw.get_column(c), builds[c]) for c in coded})
        return found

    def cells_of(self, pairs: Iterable[tuple[str, str]], build: Callable[[pl.Expr], pl.Expr]
                 ) -> Iterator[tuple[str, str, pl.Series]]:
        """``build(cell)`` for every cell of each (table, column) of a table that was read, as
        (table, column, result): one query a table (:meth:`each_cell`), not one a column."""
        by_table: dict[str, list[str]] = {}
        for name, column in pairs:
            if name in self.raw:
                by_table.setdefault(name, []).append(column)
        for name, columns in by_table.items():
            found = self.each_cell(name, dict.fromkeys(columns, build))
            yield from ((name, column, found[column]) for column in columns)

    def citing(self, where: pl.Expr, *columns: str) -> pl.DataFrame:
        """The citations rows where ``where`` holds, with ``columns`` as text. ``where`` compares
        stored columns with literals (==, is_in, fill_null, is_null), which a categorical answers
        as its text would: only the matching rows of the columns asked for are decoded."""
        import polars as pl

        return self.raw[CITATIONS].lazy().filter(where).select(
            [pl.col(c).cast(pl.String) for c in columns]).collect()

    def citing_by_table(self, where: pl.Expr, *columns: str) -> ByTable:
        """:meth:`citing` for every table at once, by the table the citations name: one pass over
        the citations where a rule would make one per table (twenty, each a query)."""
        found = self.citing(where, "table_name", *columns)
        parts = found.partition_by("table_name", as_dict=True, maintain_order=True, include_key=False)
        return ByTable({key[0]: part for key, part in parts.items()}, found.clear().drop("table_name"))

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
                                if not coded or not self.table(name).field(c).is_textual})
        return pl.DataFrame([found[c] for c in names])

    def _cast(self, name: str, columns: list[str]) -> dict[str, pl.Series]:
        """Typed ``columns``, cast through the interpreter (:meth:`each_cell`)."""
        from scripts.model.backends.polars import cast

        fields = [self.table(name).field(c) for c in columns]
        return self.each_cell(name, {f.name: lambda cell, fld=f: cast(fld, cell) for f in fields})

    def keys(self, name: str) -> pl.Series:
        """Each row's record key as citations write it (primary key values joined by '/')."""
        import polars as pl

        if name not in self._keys:
            key = self.table(name).primary_key
            columns = [pl.col(k).fill_null("") for k in key]
            self._keys[name] = self.text(name, *key).select(
                pl.concat_str(columns, separator=KEY_SEPARATOR).alias("key")).to_series()
        return self._keys[name]


class ByTable(dict):
    """Citations by the table they name; a table that no citation names has an empty frame."""

    def __init__(self, parts: dict[str, pl.DataFrame], empty: pl.DataFrame) -> None:
        super().__init__(parts)
        self.empty = empty

    def __missing__(self, key: str) -> pl.DataFrame:
        return self.empty


def per_value(column: pl.Series, build: Callable[[pl.Expr], pl.Expr]) -> pl.Series:
    """``build`` (an elementwise expression of one text column) for every row of ``column``."""
    import polars as pl

    name = column.name
    return per_value_frame(column, lambda text: pl.DataFrame({name: text}), [build(pl.col(name)).alias(name)]
                           ).to_series()


def per_value_frame(column: pl.Series, make: Callable[[pl.Series], pl.DataFrame],
                    exprs: list[pl.Expr]) -> pl.DataFrame:
    """``exprs`` (elementwise) over ``make(text)``, a frame built from the column's text, for every
    row of ``column``. A categorical column is evaluated on its distinct values (and null) and the
    results spread to the rows by their codes: a regular expression over 300,000 repeats of a
    dozen values runs a dozen times, and no column of the table's length is decoded."""
    import polars as pl

    if not isinstance(column.dtype, pl.Categorical):
        return make(column.cast(pl.String)).select(exprs)
    distinct = column.unique()
    results = make(distinct.cast(pl.String)).select(exprs)
    return by_code(column, distinct, results)


def by_code(column: pl.Series, distinct: pl.Series, results: pl.DataFrame) -> pl.DataFrame:
    """``results`` (a row per value of ``distinct``, the categorical column's distinct values and
    maybe null) for every row of ``column``: each row's code is looked up in a table indexed by
    code, which needs no text at all."""
    import polars as pl

    codes = distinct.to_physical()
    where = pl.repeat(None, (codes.max() or 0) + 1, dtype=pl.UInt32, eager=True)
    present = codes.is_not_null()
    where = where.scatter(codes.filter(present), pl.int_range(codes.len(), dtype=pl.UInt32, eager=True).filter(present))
    rows = where.gather(column.to_physical())
    if codes.null_count():  # null has no code: its row of results by position
        rows = rows.fill_null(codes.is_null().arg_true()[0])
    return results.select(pl.all().gather(rows))


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
        found: list[Problem] = []
        store = TableStore()
        try:  # read in blocks, each piece stored as read: a table is never held twice
            _, missing = read_table(file, table, read_blocks(table.path, PIECE_BYTES), found, store.add)
        except (OSError, NotRegularFile) as exc:
            problems.append(_unreadable(file, exc))
            continue
        problems.extend(found)
        if store.pieces and not any(p.rule == catalogue.UNCLOSED_QUOTE for p in found):
            frames.raw[name] = store.frame()
            frames.missing_columns[name] = missing
    return frames, problems


def _unreadable(file: str, exc: OSError | NotRegularFile) -> Problem:
    """Why a table's file could not be read, as a problem of the file (nothing of it is kept)."""
    if isinstance(exc, NotRegularFile):
        return problem(file, None, None, None, "not-a-regular-file",
                       f"{file} is {exc.kind}, not a regular file; it was not read")
    if isinstance(exc, FileNotFoundError):
        return problem(file, None, None, None, "missing-file", f"{file} is listed in {DESCRIPTOR} but does not exist")
    return problem(file, None, None, None, "unreadable-file", f"{file} cannot be read: {exc.strerror or exc}")


CODED_MIN_ROWS, SAMPLE_ROWS = 10_000, 1_000
INLINE_BYTES = 12  # a polars String view holds a text this short itself


class TableStore:
    """A table's pieces as the CSV reader hands them over (:mod:`.csvfile`), kept in little memory.

    A polars String cell costs a 16-byte view plus its text, which the parse writes again for every
    repeat; a categorical cell costs a 4-byte code into one copy of each distinct text. Once a
    table has CODED_MIN_ROWS rows, every column whose values, sampled, are mostly repeats (all but
    keys: codes, flags, dates, notes, record ids cited several times) is stored as a categorical
    with its own dictionary, each piece encoded as it arrives, so the text of a whole table is
    never held. Smaller tables stay as parsed. The checks read through :class:`Frames`, which
    decodes what they ask for."""

    def __init__(self) -> None:
        self.pieces: list[pl.DataFrame] = []
        self.rows = 0
        self.coded: dict[str, pl.DataType] | None = None  # by column, chosen at CODED_MIN_ROWS rows

    def add(self, piece: pl.DataFrame) -> None:
        self.pieces.append(piece if self.coded is None else self._encode(piece))
        self.rows += piece.height
        if self.coded is None and self.rows >= CODED_MIN_ROWS:
            self.coded = _repeated_columns(self.pieces)
            self.pieces = [self._encode(p) for p in self.pieces]

    def _encode(self, piece: pl.DataFrame) -> pl.DataFrame:
        import polars as pl

        coded = self.coded or {}
        return pl.DataFrame([c.cast(coded[c.name]) if c.name in coded else _shared(c) for c in piece.get_columns()])

    def frame(self) -> pl.DataFrame:
        """The table, each column in one piece: later checks line columns up, and would otherwise
        copy the parse's many chunks into one again and again. Built a column at a time, each
        column's pieces dropped once it is whole."""
        import polars as pl

        if len(self.pieces) == 1:
            return self.pieces[0].rechunk()
        columns = []
        for name in self.pieces[0].columns:
            columns.append(pl.concat([p.get_column(name) for p in self.pieces]).rechunk())
            self.pieces = [p.drop(name) for p in self.pieces]
        return pl.DataFrame(columns, schema={c.name: c.dtype for c in columns})


def _shared(column: pl.Series) -> pl.Series:
    """A text column with each distinct long value written once in this piece, every repeat a view
    of it: a record id cited three times in a row is one copy of its text, not three (a column
    with too many distinct values to pay for a dictionary of its own stays text)."""
    import polars as pl

    if column.dtype != pl.String or (column.str.len_bytes().mean() or 0) <= INLINE_BYTES:
        return column
    coded = column.cast(pl.Categorical(pl.Categories.random()))
    distinct = coded.unique()
    if distinct.len() > column.len() * 3 // 4:
        return column
    return by_code(coded, distinct, distinct.cast(pl.String).to_frame(column.name)).to_series()


def _repeated_columns(pieces: list[pl.DataFrame]) -> dict[str, pl.DataType]:
    """A categorical type, with a private dictionary (dropped with the column), for each column
    whose sampled values are at most half distinct."""
    import polars as pl

    coded: dict[str, pl.DataType] = {}
    for name in pieces[0].columns:
        column = pl.concat([p.get_column(name) for p in pieces])
        sample = column.gather_every(max(1, column.len() // SAMPLE_ROWS))
        if sample.n_unique() <= sample.len() // 2:
            coded[name] = pl.Categorical(pl.Categories.random())
    return coded
