"""A fast-read sheet's columns as CSV records: each column converted at once, not cell by cell.

Why by columns: a column repeats few distinct values (codes, years, units, keys that share a
prefix are still distinct but cheap), so each distinct value goes once through the model's
:func:`~scripts.model.backends.excel.from_workbook` — the same call, messages and rules as the
streaming path — and the column is then mapped through that table at C speed. A refused value gives one problem per cell
holding it, in the order the streaming path reports them (by row, then by field).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scripts.model import text as clean
from scripts.model.backends import polars as exprs
from scripts.model.backends.excel import from_workbook
from scripts.model.catalogue import REQUIRED
from scripts.model.cells import CellError
from scripts.model.spec import Field, Table
from scripts.report import Problem
from scripts.xlsx.ooxml import column_letter
from scripts.xlsx.read.cells import at_cell
from scripts.xlsx.read.fast import FastSheet


def read_columns(table: Table, sheet: FastSheet, positions: dict[str, int],
                 problems: list[Problem]) -> tuple[dict[str, list[str]], list[int]]:
    """The CSV texts by field of the rows holding a value in one of the table's columns, and their
    sheet rows; refused cells are appended to ``problems`` (and read as empty)."""
    keep = _rows_with_fields(sheet, positions)
    numbers = [sheet.numbers[i] for i in keep] if keep is not None else sheet.numbers
    found: list[tuple[int, int, Problem]] = []
    texts = []
    for order, fld in enumerate(table.fields):
        column = sheet.columns[positions[fld.name]]
        column = tuple(column[i] for i in keep) if keep is not None else column
        place = _Place(sheet.name, column_letter(positions[fld.name] + 1), order, numbers)
        texts.append(_convert(fld, column, sheet.kinds[positions[fld.name]], place, found))
    found.sort(key=lambda item: (item[0], item[1]))
    problems.extend(p for _, _, p in found)
    return dict(zip(table.field_names, texts, strict=True)), numbers


@dataclass(frozen=True)
class _Place:
    """Where a column's cells are: sheet, column letter, the field's order, each cell's row."""

    sheet: str
    letter: str
    order: int
    numbers: list[int]


def _rows_with_fields(sheet: FastSheet, positions: dict[str, int]) -> list[int] | None:
    """Indexes of the rows with a value in a field column; None (all rows) when every column of
    the sheet is a field, the usual case, so nothing needs filtering."""
    if len(positions) >= len(sheet.header):
        return None
    columns = [sheet.columns[i] for i in positions.values()]
    return [i for i in range(len(sheet.numbers)) if any(c[i] != "" for c in columns)]


def _convert(fld: Field, column: tuple[Any, ...], kinds: frozenset[type], place: _Place,
             found: list[tuple[int, int, Problem]]) -> list[str]:
    """The column's CSV texts: each distinct value converted once; refusals noted per cell.
    ``kinds`` are the types of the sheet column's values, found by the fast reader: the rows
    left out here hold only "" in a field column, so the answers below are those of this
    column's own types."""
    if fld.is_textual and kinds <= {str}:
        return _convert_texts(fld, column, place, found)
    # True == 1.0 would share a table entry: a column mixing them is keyed by type as well
    keys: tuple[Any, ...] | list[Any] = [(type(v), v) for v in column] if bool in kinds and float in kinds else column
    table, refused = _convert_distinct(fld, keys)
    for index, key in enumerate(keys) if refused else ():
        if key in refused:
            found.append(_problem(fld, column[index], place, index, refused[key]))
    return list(map(table.__getitem__, keys))


def _convert_distinct(fld: Field, keys: tuple[Any, ...] | list[Any]) -> tuple[dict[Any, str], dict[Any, CellError]]:
    """Each distinct key's CSV text, converted once (a column repeats few values many times), and
    the refusal of each key refused, whose text is empty. A key is a value, or (type, value) in a
    column mixing booleans and numbers."""
    table: dict[Any, str] = {"": "", (str, ""): ""}
    refused: dict[Any, CellError] = {}
    for key in set(keys):
        if key not in table:
            try:
                table[key] = from_workbook(fld, key[1] if type(key) is tuple else key)
            except CellError as exc:
                table[key], refused[key] = "", exc
    return table, refused


def _convert_texts(fld: Field, column: tuple[Any, ...], place: _Place,
                   found: list[tuple[int, int, Problem]]) -> list[str]:
    """A text column of a string field: a text is its own CSV text when it is clean and meets the
    field's cell constraints, checked for the whole column by the interpreter's polars expressions
    (an empty cell is not checked, as in the streaming path). Only the texts that fail go through
    :func:`from_workbook`, for its exact message."""
    import polars as pl

    text = pl.col("t")
    checks = [clean.polars_unclean(text, fld.multiline),
              *(expr for rule, expr in exprs.failures(fld, text, text) if rule != REQUIRED)]
    frame = pl.DataFrame({"t": pl.Series(column, dtype=pl.String)}).select(pl.when(text != "").then(text).alias("t"))
    failing = frame.select(pl.any_horizontal([c.fill_null(False) for c in checks]).arg_true()).to_series().to_list()
    out = list(column)
    for index in failing:
        try:
            out[index] = from_workbook(fld, column[index])
        except CellError as exc:
            out[index] = ""
            found.append(_problem(fld, column[index], place, index, exc))
    return out


def _problem(fld: Field, value: Any, place: _Place, index: int, exc: CellError) -> tuple[int, int, Problem]:
    number = place.numbers[index]
    return number, place.order, at_cell(place.sheet, f"{place.letter}{number}", number, fld.name, value, exc.rule,
                                        exc.message, exc.hint)
