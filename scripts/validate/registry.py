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

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from scripts.model import catalogue
from scripts.model.package import Package
from scripts.model.spec import Field

from .frames import Frames

if TYPE_CHECKING:
    import polars as pl

Found = Iterator[tuple[Any, ...]]
Targets = Callable[[Package], Iterable[tuple[str, str]]]


@dataclass(frozen=True)
class Rule:
    """A rule a Table Schema cannot express: its name is the catalogue id reports and tests use."""

    name: str
    func: Callable[..., Found]
    needs: tuple[str, ...]
    targets: Targets
    describe: Callable[[Field, str | None], str] | None = None  # a message naming what is wrong with a cell
    provenance: bool = False  # needs the source texts (run only when they are given)

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


def _fixed(targets: tuple[str, ...]) -> Targets:
    pairs = [tuple(t.split(".", 1)) for t in targets]
    return lambda package: [p for p in pairs if p[0] in package.tables]  # type: ignore[misc]


def rule(*needs: str, targets: tuple[str, ...] | Targets, describe: Callable[[Field, str | None], str] | None = None,
         provenance: bool = False) -> Callable:
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


def every_field(package: Package) -> Iterator[tuple[str, str]]:
    """Targets: every field of every table."""
    for table in package.tables.values():
        for fld in table.fields:
            yield table.name, fld.name


@dataclass
class RuleRun:
    """One validation's results of the named rules, computed on first use and kept by
    (rule, table, field): the failing mask and, where the rule gives them, per-row messages."""

    frames: Frames
    args: dict[str, Any] = field(default_factory=dict)  # extra inputs (e.g. the sources folder)
    _results: dict[str, dict[tuple[str, str], tuple[pl.Series, pl.Series | None]]] = field(default_factory=dict)

    def result(self, item: Rule, table: str, column: str) -> tuple[pl.Series, pl.Series | None]:
        if item.name not in self._results:
            self._results[item.name] = self._compute(item)
        found = self._results[item.name].get((table, column))
        if found is None:
            import polars as pl

            return pl.Series([False] * self.frames.raw[table].height, dtype=pl.Boolean), None
        return found

    def _compute(self, item: Rule) -> dict[tuple[str, str], tuple[pl.Series, pl.Series | None]]:
        declared = set(item.targets(self.frames.package))
        out: dict[tuple[str, str], tuple[pl.Series, pl.Series | None]] = {}
        for table, column, failing, *rest in item.func(self.frames, **self._inputs(item)):
            if (table, column) not in declared:
                raise RuntimeError(f"rule {item.name} reports on {table}.{column}, which it does not declare")
            messages = rest[0] if rest else None
            if (table, column) in out:
                failing = out[(table, column)][0] | failing
                messages = out[(table, column)][1] if messages is None else messages
            out[(table, column)] = (failing.fill_null(False), messages)
        return out

    def _inputs(self, item: Rule) -> dict[str, Any]:
        return {"sources": self.args["sources"]} if item.provenance else {}

    def applicable(self, include_provenance: bool) -> Iterator[tuple[Rule, str, str]]:
        """Every (rule, table, field) to check: rules whose tables were read, at declared targets."""
        available = set(self.frames.raw)
        for item in RULES.values():
            if item.provenance and not include_provenance:
                continue
            if not item.needed_tables(self.frames.package) <= available:
                continue
            for table, column in item.targets(self.frames.package):
                if table in available:
                    yield item, table, column
