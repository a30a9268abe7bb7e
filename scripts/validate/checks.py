"""Every check of a table's frame, run by pandera: the Table Schema's, the CSV's and the named rules.

For each table, validation builds one ``pandera.polars.DataFrameSchema``: the model's schema of
the typed frame (types, required, unique, primary and foreign keys, enums, patterns, ranges,
lengths: :mod:`scripts.model.backends.pandera`), with the CSV's text columns beside the typed ones
so a cell that is not of its type is caught, plus the checks only a CSV has (spaces around a key,
rows sorted by key) and one check per named rule and column it reports on (:mod:`.registry`).
pandera validates lazily, collecting every failure case; each case becomes one
:class:`~scripts.report.Problem` with file, row, field, value, rule, message and hint — none
dropped, none duplicated. Messages are built only for failing cells, so a valid table costs a
handful of vectorised passes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scripts.model import catalogue, cells, text
from scripts.model.backends import pandera as schemas
from scripts.model.backends import words
from scripts.model.spec import Field, Table
from scripts.report import Problem

from .frames import Frames
from .registry import Rule, RuleRun

if TYPE_CHECKING:
    import pandera.polars as pa
    import polars as pl

TEXT = "\x00text"  # suffix of the CSV's text columns beside the typed ones


def _key_whitespace(table: Table, column: str) -> pl.Expr:
    """Spaces around a key value (the key would not match its reference); a control character in
    it is clean_text's finding."""
    import polars as pl

    raw = pl.col(column + TEXT)
    return (raw != raw.str.strip_chars()) & ~text.polars_refused_chars(raw, table.field(column).multiline)


def _unsorted(table: Table, names: list[str]) -> pl.Expr:
    """The first row that sorts before the row above it by primary key (as the CSVs are written)."""
    import polars as pl

    before, tied = pl.lit(False), pl.lit(True)
    for column in names:
        current, previous = pl.col(column + TEXT).fill_null(""), pl.col(column + TEXT).fill_null("").shift(1)
        before = before | (tied & (current < previous))
        tied = tied & (current == previous)
    return before & (before.cast(pl.Int32).cum_sum() == 1)


def csv_checks(frames: Frames, name: str) -> dict[str, list[pa.Check]]:
    """The checks only a CSV has: no spaces around key values, rows sorted by primary key."""
    table, missing = frames.table(name), frames.missing_columns.get(name, set())
    found: dict[str, list[pa.Check]] = {}
    for column in table.key_fields():
        if column not in missing:
            found.setdefault(column, []).append(schemas.check(catalogue.KEY_WHITESPACE,
                                                              _key_whitespace(table, column)))
    order = [n for n in table.sort_names() if n not in missing]
    if order and frames.raw[name].height > 1:
        found.setdefault(order[0], []).append(schemas.check(catalogue.NOT_SORTED, _unsorted(table, order)))
    return found


def rule_checks(run: RuleRun, name: str, rules: list[tuple[Rule, str, str]]) -> dict[str, list[pa.Check]]:
    """One check per named rule and column of this table; the rule runs when pandera first asks."""
    found: dict[str, list[pa.Check]] = {}
    for item, table, column in rules:
        if table == name:
            found.setdefault(column, []).append(schemas.check(item.name, _deferred(run, item, name, column)))
    return found


def _deferred(run: RuleRun, item: Rule, table: str, column: str) -> Any:
    """The rule's failing mask for one column, computed when pandera runs the check."""
    return lambda _frame: run.result(item, table, column)[0]


def table_problems(frames: Frames, run: RuleRun, name: str, rules: list[tuple[Rule, str, str]],
                   only_rules: bool = False) -> Iterator[Problem]:
    """Every problem pandera finds in the frame of ``name`` (only the named rules' when
    ``only_rules``: the tests of a rule ask for its findings alone)."""
    import pandera.polars as pa
    import polars as pl

    table = frames.table(name)
    extra = {} if only_rules else csv_checks(frames, name)
    for column, more in rule_checks(run, name, rules).items():
        extra.setdefault(column, []).extend(more)
    if only_rules:
        schema = pa.DataFrameSchema({c: pa.Column(checks=checks, nullable=True) for c, checks in extra.items()},
                                    strict=False)
    else:
        parents = {fk.resource: frames.typed(fk.resource) for fk in table.foreign_keys if fk.resource in frames.raw}
        missing = frozenset(frames.missing_columns.get(name, set()))
        schema = schemas.table_schema(table, parents, TEXT, extra, missing)
    frame = frames.typed(name).hstack(frames.raw[name].select(pl.all().name.suffix(TEXT)))
    cases = schemas.failure_cases(schema, frame)
    by_name = {item.name: item for item, _, _ in rules}
    for column, rule, index in cases.select("column", "check", "index").iter_rows():
        if index is None:
            raise RuntimeError(f"{name}.{column}: pandera reported {rule!r} for the whole column")
        yield _problem(frames, run, table, column, rule, index, by_name.get(rule))


def rule_problems(frames: Frames, sources: Path | None = None) -> list[Problem]:
    """The named rules' findings alone (and provenance's with ``sources``), through pandera."""
    run = RuleRun(frames, {"sources": sources})
    rules = list(run.applicable(include_provenance=sources is not None))
    return [p for name in frames.raw for p in table_problems(frames, run, name, rules, only_rules=True)]


def _problem(frames: Frames, run: RuleRun, table: Table, column: str, rule: str, index: int,
             item: Rule | None) -> Problem:
    """One failure case as a report line, in the words of its rule."""
    file, row = frames.file(table.name), index + 2
    value = frames.raw[table.name][column][index]
    fld = table.field(column)
    if item is not None:
        messages = run.result(item, table.name, column)[1]
        message = messages[index] if messages is not None and messages[index] is not None else None
        return Problem(file, row, column, value, rule, message or item.message(fld, value), item.info.hint)
    special = SPECIAL.get(rule)
    if special is not None:
        return special(frames, table, fld, index, value)
    return Problem(file, row, column, value, rule, cell_message(fld, rule, value), words.hint(fld, rule))


def cell_message(fld: Field, rule: str, value: Any) -> str:
    """The cell's own message for this rule (one failing cell at a time)."""
    for found, message in cells.check_cell(fld, value):
        if found == rule:
            return f"{fld.name}: {message}"
    return f"{fld.name}: breaks the {rule} rule" if rule != catalogue.TYPE else \
        f"{fld.name}: {value!r} is not {words.example(fld)}"


def _unique(frames: Frames, table: Table, fld: Field, index: int, value: Any) -> Problem:
    return Problem(frames.file(table.name), index + 2, fld.name, value, catalogue.UNIQUE,
                   f"{fld.name} {value!r} occurs more than once; each value may occur once",
                   catalogue.hint(catalogue.UNIQUE))


def _primary_key(frames: Frames, table: Table, fld: Field, index: int, value: Any) -> Problem:
    key = frames.keys(table.name)[index]
    return Problem(frames.file(table.name), index + 2, fld.name, key, catalogue.PRIMARY_KEY,
                   f"the primary key ({', '.join(table.primary_key)}) {key!r} occurs more than once",
                   catalogue.hint(catalogue.PRIMARY_KEY))


def _foreign_key(frames: Frames, table: Table, fld: Field, index: int, value: Any) -> Problem:
    fk = next(fk for fk in table.foreign_keys if fk.fields[0] == fld.name)
    typed = frames.typed(table.name)
    key = "/".join(str(typed[f][index]) for f in fk.fields)
    return Problem(frames.file(table.name), index + 2, fld.name, key, catalogue.FOREIGN_KEY,
                   f"{', '.join(fk.fields)} {key!r} is not a {', '.join(fk.ref_fields)} of {fk.resource}",
                   f"use a {fk.ref_fields[0]} that exists in {fk.resource}, or add that record first")


def _key_space(frames: Frames, table: Table, fld: Field, index: int, value: Any) -> Problem:
    return Problem(frames.file(table.name), index + 2, fld.name, value, catalogue.KEY_WHITESPACE,
                   f"key value {value!r} has leading or trailing spaces", catalogue.hint(catalogue.KEY_WHITESPACE))


def _not_sorted(frames: Frames, table: Table, fld: Field, index: int, value: Any) -> Problem:
    row = index + 2
    return Problem(frames.file(table.name), row, None, None, catalogue.NOT_SORTED,
                   f"row {row} sorts before the row above it by primary key ({', '.join(table.primary_key)})",
                   catalogue.hint(catalogue.NOT_SORTED))


SPECIAL = {catalogue.UNIQUE: _unique, catalogue.PRIMARY_KEY: _primary_key, catalogue.FOREIGN_KEY: _foreign_key,
           catalogue.KEY_WHITESPACE: _key_space, catalogue.NOT_SORTED: _not_sorted}
