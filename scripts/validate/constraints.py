"""What a Table Schema says, checked on whole columns: types, constraints, unique, keys, order.

Every check is a polars expression from the interpreter (:mod:`scripts.schema`); nothing here reads
a constraint keyword. A failing cell becomes one :class:`~scripts.report.Problem` with the rule's
id, a message and a hint in plain words; messages are built only for failing cells, so the cost of
a valid table is a handful of vectorised passes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from scripts.report import Problem
from scripts.schema import FOREIGN_KEY, PRIMARY_KEY, TYPE, UNIQUE, Field, Table

from .frames import Frames

if TYPE_CHECKING:
    import polars as pl

KEY_WHITESPACE, NOT_SORTED = "key-whitespace", "rows-not-sorted"
HINTS = {
    KEY_WHITESPACE: "remove the spaces around the key value",
    NOT_SORTED: "sort the rows by primary key (python -m scripts import rewrites the CSVs sorted)",
}


def failing_rows(frame: pl.DataFrame, checks: dict[str, pl.Expr]) -> dict[str, list[int]]:
    """For each named boolean expression (True = fails), the 0-based rows where it is True."""
    import polars as pl

    if not checks or frame.height == 0:
        return {}
    flags = frame.select([expr.fill_null(False).alias(name) for name, expr in checks.items()])
    counts = flags.sum().row(0, named=True)
    return {name: flags.select(pl.col(name).arg_true()).to_series().to_list()
            for name, count in counts.items() if count}


def field_problems(frames: Frames, name: str) -> Iterator[Problem]:
    """Type and cell constraints of every field, plus ``unique`` columns, in one pass over the table."""
    import polars as pl

    table, raw, typed = frames.table(name), frames.raw[name], frames.typed(name)
    checks: dict[str, pl.Expr] = {}
    by_key: dict[str, tuple[Field, str]] = {}
    both = raw.select(pl.all().name.suffix("\x00text")).hstack(typed)
    for fld in table.fields:
        if fld.name in frames.missing_columns.get(name, ()):
            continue  # the missing label is the problem; its cells are not checked
        found = fld.polars_checks(pl.col(fld.name + "\x00text"), pl.col(fld.name))
        if fld.unique and not fld.sole_primary_key:  # a repeated key is the primary-key problem
            found.append((UNIQUE, pl.col(fld.name).is_not_null() & ~pl.col(fld.name).is_first_distinct()))
        for rule, expr in found:
            checks[f"{fld.name}\x00{rule}"] = expr
            by_key[f"{fld.name}\x00{rule}"] = (fld, rule)
    for key, rows in failing_rows(both, checks).items():
        fld, rule = by_key[key]
        values = raw[fld.name].gather(rows).to_list()
        for row, value in zip(rows, values, strict=True):
            yield Problem(frames.file(name), row + 2, fld.name, value, rule, cell_message(fld, rule, value),
                          fld.hint(rule))


def cell_message(fld: Field, rule: str, value: Any) -> str:
    """The interpreter's own message for this cell and rule (one failing cell at a time)."""
    if rule == UNIQUE:
        return f"{fld.name} {value!r} occurs more than once; each value may occur once"
    for found, message in fld.check_cell(value):
        if found == rule:
            return f"{fld.name}: {message}"
    return f"{fld.name}: breaks the {rule} rule" if rule != TYPE else f"{fld.name}: {value!r} is not {fld.example}"


def primary_key_problems(frames: Frames, name: str) -> Iterator[Problem]:
    """A primary key occurs once: every later repeat of a key is reported at its row."""
    import polars as pl

    table = frames.table(name)
    if not table.primary_key or frames.missing_columns.get(name, set()) & set(table.primary_key):
        return
    typed = frames.typed(name)
    present = pl.all_horizontal([pl.col(k).is_not_null() for k in table.primary_key])
    repeat = present & ~pl.struct(table.primary_key).is_first_distinct()
    rows = failing_rows(typed, {"pk": repeat}).get("pk", [])
    keys = frames.keys(name).gather(rows).to_list() if rows else []
    for row, key in zip(rows, keys, strict=True):
        yield Problem(frames.file(name), row + 2, table.primary_key[0], key, PRIMARY_KEY,
                      f"the primary key ({', '.join(table.primary_key)}) {key!r} occurs more than once",
                      "each record needs its own primary key: change or remove the duplicate")


def foreign_key_problems(frames: Frames, name: str) -> Iterator[Problem]:
    """Each foreign key value exists in the referenced table (an anti-join per key)."""
    import polars as pl

    table = frames.table(name)
    for fk in table.foreign_keys:
        if fk.resource not in frames.raw or set(fk.fields) & frames.missing_columns.get(name, set()):
            continue
        parent = frames.typed(fk.resource).select(
            [pl.col(r).alias(f) for f, r in zip(fk.fields, fk.ref_fields, strict=True)]).unique()
        child = frames.typed(name).select(fk.fields).with_row_index("row")
        present = child.filter(pl.all_horizontal([pl.col(f).is_not_null() for f in fk.fields]))
        dangling = present.join(parent, on=list(fk.fields), how="anti", nulls_equal=False).sort("row")
        for item in dangling.iter_rows(named=True):
            value = "/".join(str(item[f]) for f in fk.fields)
            yield Problem(frames.file(name), item["row"] + 2, fk.fields[0], value, FOREIGN_KEY,
                          f"{', '.join(fk.fields)} {value!r} is not a {', '.join(fk.ref_fields)} of {fk.resource}",
                          f"use a {fk.ref_fields[0]} that exists in {fk.resource}, or add that record first")


def key_fields(table: Table) -> list[str]:
    """Primary and foreign key columns, in order, once each."""
    return list(dict.fromkeys([*table.primary_key, *(f for fk in table.foreign_keys for f in fk.fields)]))


def key_whitespace_problems(frames: Frames, name: str) -> Iterator[Problem]:
    """Spaces around a key value (the key would not match its reference)."""
    import polars as pl

    table, raw = frames.table(name), frames.raw[name]
    checks = {}
    for column in key_fields(table):
        if column in frames.missing_columns.get(name, ()):
            continue
        text = pl.col(column)
        checks[column] = (text != text.str.strip_chars()) & ~table.field(column).polars_unclean_control(text)
    for column, rows in failing_rows(raw, checks).items():
        for row, value in zip(rows, raw[column].gather(rows).to_list(), strict=True):
            yield Problem(frames.file(name), row + 2, column, value, KEY_WHITESPACE,
                          f"key value {value!r} has leading or trailing spaces", HINTS[KEY_WHITESPACE])


def sort_problems(frames: Frames, name: str) -> Iterator[Problem]:
    """The first row that sorts before the row above it by primary key (as the CSVs are written)."""
    import polars as pl

    table, raw = frames.table(name), frames.raw[name]
    names = [n for n in table.sort_names() if n in raw.columns]
    if raw.height < 2 or not names:
        return
    before, tied = pl.lit(False), pl.lit(True)
    for column in names:
        current, previous = pl.col(column).fill_null(""), pl.col(column).fill_null("").shift(1)
        before = before | (tied & (current < previous))
        tied = tied & (current == previous)
    rows = failing_rows(raw, {"unsorted": before}).get("unsorted", [])
    if rows:
        row = rows[0] + 2
        yield Problem(frames.file(name), row, None, None, NOT_SORTED,
                      f"row {row} sorts before the row above it by primary key ({', '.join(table.primary_key)})",
                      HINTS[NOT_SORTED])


def table_problems(frames: Frames, name: str) -> Iterator[Problem]:
    """Everything the Table Schema of ``name`` says, on its frame."""
    yield from field_problems(frames, name)
    yield from primary_key_problems(frames, name)
    yield from foreign_key_problems(frames, name)
    yield from key_whitespace_problems(frames, name)
    yield from sort_problems(frames, name)
