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

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scripts.model import catalogue, cells, text
from scripts.model.backends import pandera as schemas
from scripts.model.backends import words
from scripts.model.spec import Field, Table
from scripts.report import Problem

from .frames import Frames
from .registry import Rule, RuleRun
from .suggest import suggestion

if TYPE_CHECKING:
    import pandera.polars as pa
    import polars as pl

TEXT = "\x00text"  # suffix of the CSV's text columns beside the typed ones
Mask = Callable[[], "pl.Series"]


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


@dataclass
class Plan:
    """A table's checks grouped by rule: each rule's (column, mask) pairs, where a mask is an
    expression evaluated with all the others in one pass, or a named rule's result."""

    frame: pl.DataFrame
    exprs: list[pl.Expr] = field(default_factory=list)
    by_rule: dict[str, list[tuple[str, Mask]]] = field(default_factory=dict)
    _evaluated: pl.DataFrame | None = None

    def add_expression(self, column: str, rule: str, failing: pl.Expr) -> None:
        slot = f"c{len(self.exprs)}"
        self.exprs.append(failing.fill_null(False).alias(slot))
        self.by_rule.setdefault(rule, []).append((column, lambda: self._column(slot)))

    def add_mask(self, column: str, rule: str, mask: Mask) -> None:
        self.by_rule.setdefault(rule, []).append((column, mask))

    def _column(self, slot: str) -> pl.Series:
        if self._evaluated is None:
            self._evaluated = self.frame.select(self.exprs)
        return self._evaluated.get_column(slot)

    def rule_mask(self, rule: str) -> pl.Series:
        """True on every row where one of the rule's columns fails."""
        masks = [mask().fill_null(False) for _, mask in self.by_rule[rule]]
        combined = masks[0]
        for mask in masks[1:]:
            combined = combined | mask
        return combined

    def failing_columns(self, rule: str, index: int) -> list[str]:
        return [column for column, mask in self.by_rule[rule] if mask()[index]]

    def checks(self) -> list[pa.Check]:
        """One pandera check per rule, named by its id."""
        return [schemas.check(rule, lambda _frame, rule=rule: self.rule_mask(rule)) for rule in self.by_rule]


def _plan(frames: Frames, run: RuleRun, name: str, rules: list[tuple[Rule, str, str]], only_rules: bool,
          frame: pl.DataFrame) -> Plan:
    table, plan = frames.table(name), Plan(frame)
    if not only_rules:
        parents = {fk.resource: frames.typed(fk.resource, *fk.ref_fields)
                   for fk in table.foreign_keys if fk.resource in frames.raw}
        missing = frozenset(frames.missing_columns.get(name, set()))
        for column, rule, failing in [*schemas.expressions(table, parents, TEXT, missing),
                                      *csv_expressions(frames, name)]:
            plan.add_expression(column, rule, failing)
    for item, target, column in rules:
        if target == name:
            plan.add_mask(column, item.name, lambda item=item, column=column: run.result(item, name, column)[0])
    return plan


def table_problems(frames: Frames, run: RuleRun, name: str, rules: list[tuple[Rule, str, str]],
                   only_rules: bool = False) -> Iterator[Problem]:
    """Every problem pandera finds in the frame of ``name`` (only the named rules' when
    ``only_rules``: the tests of a rule ask for its findings alone)."""
    import pandera.polars as pa
    import polars as pl

    table = frames.table(name)
    frame = frames.typed(name).hstack(frames.text(name).select(pl.all().name.suffix(TEXT)))
    plan = _plan(frames, run, name, rules, only_rules, frame)
    schema = pa.DataFrameSchema(schemas.columns(table), checks=plan.checks(), strict=False, name=name)
    cases = schemas.failure_cases(schema, frame)
    by_name = {item.name: item for item, _, _ in rules}
    for rule, index in cases.select("check", "index").unique(maintain_order=True).iter_rows():
        if index is None:
            raise RuntimeError(f"{name}: pandera reported {rule!r} for the whole table")
        for failing in plan.failing_columns(rule, index):
            yield _problem(frames, run, table, failing, rule, index, by_name.get(rule))


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
