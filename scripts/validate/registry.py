"""The named rules' registry, and the run that feeds their results to pandera checks.

A named rule is a function registered with :func:`rule` under its catalogue id. It yields
``(table, field, failing)`` — a boolean polars Series aligned with the table's rows, True where the
row breaks the rule — or ``(table, field, failing, messages)`` with a text Series giving the
report's line per row where the catalogue's message is not precise enough. ``targets`` declares
where it reports (``"table.field"`` strings, or a function of the package for rules that apply to
every table), so that validation can build a pandera check for each (rule, table, field) before
anything runs; the first such check that pandera runs computes the rule once for every table
(:class:`RuleRun`), and the others read its result.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from scripts.model import catalogue
from scripts.model.package import Package
from scripts.model.spec import Field

from .columns import fails
from .frames import Frames

if TYPE_CHECKING:
    import polars as pl

Found = Iterator[tuple[Any, ...]]
Masks = dict[tuple[str, str], tuple["pl.Series", "pl.Series | None"]]
Targets = Callable[[Package], Iterable[tuple[str, str]]]


@dataclass(frozen=True)
class Rule:
    """A rule a Table Schema cannot express: its name is the catalogue id reports and tests use."""

    name: str
    func: Callable[..., Found]
    needs: tuple[str, ...]
    targets: Targets
    describe: Callable[[Field, str | None], str] | None = None  # a message naming what is wrong with a cell
    provenance: bool | str = False  # True: needs the source texts; LOCK: runs without them, against
    # provenance.lock; STALE: runs with both, comparing the lock with what the texts prove

    @property
    def info(self) -> catalogue.RuleInfo:
        return catalogue.info(self.name)

    def message(self, fld: Field, value: str | None) -> str:
        return self.describe(fld, value) if self.describe else self.info.message

    def needed_tables(self, package: Package) -> set[str]:
        """The tables the rule reads: those named, and every table of the package for '*'."""
        named = {n for n in self.needs if n != "*"}
        return named | set(package.tables) if "*" in self.needs else named


RULES: dict[str, Rule] = {}
LOCK, STALE = "lock", "stale"  # provenance modes of a rule beside True (the source texts)


def _fixed(targets: tuple[str, ...]) -> Targets:
    pairs = [tuple(t.split(".", 1)) for t in targets]
    return lambda package: [p for p in pairs if p[0] in package.tables]  # type: ignore[misc]


def rule(*needs: str, targets: tuple[str, ...] | Targets, describe: Callable[[Field, str | None], str] | None = None,
         provenance: bool | str = False) -> Callable:
    """Register a rule under its function's name, which must be a catalogue id; ``needs`` are the
    tables it reads ('*' = every table of the package, besides any named), ``targets`` where it
    reports. A rule runs only when every table it needs was read, so a package without one of them
    (a fork's, a tiny test package) skips the rule instead of failing inside it."""

    def register(func: Callable) -> Callable:
        catalogue.info(func.__name__)  # an unknown id fails at import, not in a report
        where = _fixed(targets) if isinstance(targets, tuple) else targets
        RULES[func.__name__] = Rule(func.__name__, func, needs, where, describe, provenance)
        return func

    return register


def rule_of(rule_id: str, func: Callable[..., Found], /, *needs: str, targets: tuple[str, ...] | Targets,
            provenance: bool | str = False, **bound: Any) -> None:
    """Register ``func`` with ``bound`` keywords fixed as the rule ``rule_id``: one function that
    serves several rules (the provenance and lock findings, by rule id). A module-level function,
    not a closure made at import, so that mutation testing can see inside it."""
    check = functools.partial(func, **bound)
    check.__name__ = rule_id  # type: ignore[attr-defined]
    rule(*needs, targets=targets, provenance=provenance)(check)


def every_field(package: Package) -> Iterator[tuple[str, str]]:
    """Targets: every field of every table."""
    for table in package.tables.values():
        for fld in table.fields:
            yield table.name, fld.name


def cached_masks(frames: Frames, item: Rule, **inputs: Any) -> Masks:
    """The rule's result for these frames, computed once (kept on the frames), by (table, field):
    the failing mask and, where the rule gives them, per-row messages. A rule that reads another
    rule's findings (so as not to report one mistake twice) gets the same result validation uses."""
    key = ("rule", item.name)
    if key not in frames.cache:
        frames.cache[key] = _compute(frames, item, inputs)
    return frames.cache[key]


def _compute(frames: Frames, item: Rule, inputs: dict[str, Any]) -> Masks:
    declared = set(item.targets(frames.package))
    out: Masks = {}
    for table, column, failing, *rest in item.func(frames, **inputs):
        if (table, column) not in declared:
            raise RuntimeError(f"rule {item.name} reports on {table}.{column}, which it does not declare")
        messages = rest[0] if rest else None
        if (table, column) in out:
            failing = out[(table, column)][0] | failing
            messages = out[(table, column)][1] if messages is None else messages
        out[(table, column)] = (fails(failing), messages)
    return out


@dataclass
class RuleRun:
    """One validation's results of the named rules, computed on first use and kept by
    (rule, table, field): the failing mask and, where the rule gives them, per-row messages."""

    frames: Frames
    args: dict[str, Any] = field(default_factory=dict)  # extra inputs (e.g. the sources folder)

    def result(self, item: Rule, table: str, column: str) -> tuple[pl.Series, pl.Series | None]:
        found = cached_masks(self.frames, item, **self._inputs(item)).get((table, column))
        if found is None:
            import polars as pl

            return pl.Series([False] * self.frames.raw[table].height, dtype=pl.Boolean), None
        return found

    def _inputs(self, item: Rule) -> dict[str, Any]:
        if item.provenance == LOCK:
            return {"lock": self.args["lock"]}
        if item.provenance == STALE:
            return {"sources": self.args["sources"], "lock": self.args["lock"]}
        return {"sources": self.args["sources"]} if item.provenance else {}

    def wanted(self, item: Rule, include_provenance: bool) -> bool:
        """Does ``item`` run in this validation's provenance mode? The source texts (``include_provenance``)
        run the provenance rules and, with a lock (``args["lock"]``), the stale-lock rule; a lock
        without the texts runs the lock rules instead."""
        has_lock = self.args.get("lock") is not None
        if item.provenance == LOCK:
            return has_lock and not include_provenance
        if item.provenance == STALE:
            return has_lock and include_provenance
        return include_provenance or not item.provenance

    def applicable(self, include_provenance: bool) -> Iterator[tuple[Rule, str, str]]:
        """Every (rule, table, field) to check: rules whose tables were read, at declared targets."""
        available = set(self.frames.raw)
        for item in RULES.values():
            if not self.wanted(item, include_provenance):
                continue
            if not item.needed_tables(self.frames.package) <= available:
                continue
            for table, column in item.targets(self.frames.package):
                if table in available:
                    yield item, table, column
