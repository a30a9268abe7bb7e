"""Every check of a table's frame, run by pandera: the Table Schema's, the CSV's and the named rules.

For each table, validation builds one ``pandera.polars.DataFrameSchema`` with one check per rule:
the Table Schema's (types, required, unique, primary and foreign keys, enums, patterns, ranges,
lengths: the model's expressions, :func:`scripts.model.backends.pandera.expressions`), the CSV's
(spaces around a key, rows sorted by key) and the named rules (:mod:`.registry`), each given the
CSV's text columns beside the typed ones. pandera validates lazily, collecting every failing row
of every rule; each becomes one :class:`~scripts.report.Problem` per failing column with file, row,
field, value, rule, message and hint — none dropped, none duplicated.

Why one check per rule and not per column and rule (as the analyst's schema has): a pandera check
costs about a millisecond whatever the table's size (polars plans and runs several small queries
for it), and the package has ~730 column-rule pairs over ~900 rows, so the fixed cost would be
most of validation. The rule's expressions for all its columns are evaluated together, in one
``select`` per table (:class:`Plan`), and the failing rows are attributed back to their columns
from the same masks.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from scripts.model import catalogue, cells, text
from scripts.model.backends import pandera as schemas
from scripts.model.backends import words
from scripts.model.spec import Field, Table
from scripts.report import Problem

from .frames import Frames
from .plan import TEXT, Plan
from .registry import Rule, RuleRun
from .suggest import suggestion

if TYPE_CHECKING:
    import polars as pl



def _key_whitespace(table: Table, column: str) -> pl.Expr:
    """Spaces around a key value (the key would not match its reference); a control character in
    it is clean_text's finding."""
    import polars as pl

    raw = pl.col(column + TEXT)
    return (raw != raw.str.strip_chars()) & ~text.polars_refused_chars(raw, table.field(column).multiline)


def _unsorted(names: list[str]) -> pl.Expr:
    """The first row that sorts before the row above it by primary key (as the CSVs are written)."""
    import polars as pl

    before, tied = pl.lit(False), pl.lit(True)
    for column in names:
        current, previous = pl.col(column + TEXT).fill_null(""), pl.col(column + TEXT).fill_null("").shift(1)
        before = before | (tied & (current < previous))
        tied = tied & (current == previous)
    return before & (before.cast(pl.Int32).cum_sum() == 1)


def csv_expressions(frames: Frames, name: str) -> list[tuple[str, str, pl.Expr]]:
    """The checks only a CSV has: no spaces around key values, rows sorted by primary key."""
    table, missing = frames.table(name), frames.missing_columns.get(name, set())
    found = [(column, catalogue.KEY_WHITESPACE, _key_whitespace(table, column))
             for column in table.key_fields() if column not in missing]
    order = [n for n in table.sort_names() if n not in missing]
    if order and frames.raw[name].height > 1:
        found.append((order[0], catalogue.NOT_SORTED, _unsorted(order)))
    return found


def _plan(frames: Frames, run: RuleRun, name: str, rules: list[tuple[Rule, str, str]], only_rules: bool) -> Plan:
    table, plan = frames.table(name), Plan(frames, name)
    if not only_rules:
        parents = {fk.resource: frames.typed(fk.resource, *fk.ref_fields)
                   for fk in table.foreign_keys if fk.resource in frames.raw}
        missing = frozenset(frames.missing_columns.get(name, set()))
        for column, rule, failing in schemas.cell_expressions(table, TEXT, missing):
            plan.add_expression(column, rule, failing, cell=True)
        between = [*schemas.key_expressions(table, parents, missing), *csv_expressions(frames, name)]
        for column, rule, failing in between:
            plan.add_expression(column, rule, failing, cell=_reads_only(failing, column) and rule in CELL_RULES)
    for item, target, column in rules:
        if target == name:
            plan.add_mask(column, item.name, lambda item=item, column=column: run.result(item, name, column)[0])
    return plan


CELL_RULES = (catalogue.FOREIGN_KEY, catalogue.KEY_WHITESPACE)  # a value at a time, when of one column


def _reads_only(expr: pl.Expr, column: str) -> bool:
    return set(expr.meta.root_names()) <= {column, column + TEXT}


def table_problems(frames: Frames, run: RuleRun, name: str, rules: list[tuple[Rule, str, str]],
                   only_rules: bool = False) -> Iterator[Problem]:
    """Every problem pandera finds in the frame of ``name`` (only the named rules' when
    ``only_rules``: the tests of a rule ask for its findings alone)."""
    import pandera.polars as pa

    table = frames.table(name)
    plan = _plan(frames, run, name, rules, only_rules)
    schema = pa.DataFrameSchema(schemas.columns(table), checks=plan.checks(), strict=False, name=name)
    frame = plan.frame()
    cases = schemas.failure_cases(schema, frame)
    if cases.height == 0:  # most tables: no query to list no cases
        return
    by_name = {item.name: item for item, _, _ in rules}
    for rule, index in cases.select("check", "index").unique(maintain_order=True).iter_rows():
        if index is None:
            raise RuntimeError(f"{name}: pandera reported {rule!r} for the whole table")
        for failing in plan.failing_columns(rule, index):
            yield _problem(frames, run, table, failing, rule, index, by_name.get(rule))


def rule_problems(frames: Frames) -> list[Problem]:
    """The named rules' findings alone (provenance's aside), through pandera: what a rule's tests ask."""
    run = RuleRun(frames)  # no lock and no texts: the rules that read either are not wanted
    rules = list(run.applicable(include_provenance=False))
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
    found = special(frames, table, fld, index, value) if special is not None else \
        Problem(file, row, column, value, rule, cell_message(fld, rule, value), words.hint(fld, rule))
    return with_suggestion(frames, table, fld, found) if rule in KEY_RULES else found


def with_suggestion(frames: Frames, table: Table, fld: Field, problem: Problem) -> Problem:
    """A foreign-key cell that fails its pattern or reference, with the key its text names."""
    found = suggestion(frames, table, fld, frames.raw[table.name][fld.name][problem.row - 2])
    if found is None:
        return problem
    return replace(problem, message=f"{problem.message}; {found[0]}", hint=found[1])


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
    typed = frames.typed(table.name, *fk.fields)
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


KEY_RULES = (catalogue.PATTERN, catalogue.FOREIGN_KEY)  # where a typed name gets "did you mean"
SPECIAL = {catalogue.UNIQUE: _unique, catalogue.PRIMARY_KEY: _primary_key, catalogue.FOREIGN_KEY: _foreign_key,
           catalogue.KEY_WHITESPACE: _key_space, catalogue.NOT_SORTED: _not_sorted}
