"""A table's checks grouped by rule, evaluated in as few passes and as little memory as the table allows.

pandera runs one check per rule (:mod:`.checks`); each check's mask is the union of the rule's
masks over its columns, and those masks come from here. A small table is checked in one
``select`` over its typed columns beside its text (the fixed cost of a query matters there: the
package has ~730 column-rule pairs over ~900 rows). A big table keeps its repeated columns as
categoricals (:class:`.frames.TableStore`), and putting every column's text and typed value side
by side would hold the table twice over; so there each cell check (type, required, enum,
pattern, range, lengths, spaces around a key, a single-column foreign key) is evaluated once per
distinct value of its column and spread to the rows, and each check between rows (unique,
primary key, sort order, a foreign key of several columns) reads only the columns it names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from scripts.model.backends.polars import cast
from scripts.model.spec import Field

from .columns import fails
from .frames import Frames, per_value_frame

if TYPE_CHECKING:
    import pandera.polars as pa
    import polars as pl

TEXT = "\x00text"  # suffix of the CSV's text columns beside the typed ones
Mask = Callable[[], "pl.Series"]


@dataclass
class Plan:
    """A table's checks grouped by rule: each rule's (column, mask) pairs, where a mask is an
    expression's result (all evaluated together on first use) or a named rule's result."""

    frames: Frames
    name: str
    cells: dict[str, list[tuple[str, pl.Expr]]] = field(default_factory=dict)  # by column: (slot, expression)
    between: list[tuple[str, pl.Expr]] = field(default_factory=list)  # (slot, expression) across rows
    by_rule: dict[str, list[tuple[str, Mask]]] = field(default_factory=dict)
    _evaluated: dict[str, pl.Series] | None = None
    _frame: pl.DataFrame | None = None

    @property
    def coded(self) -> bool:
        import polars as pl

        return any(isinstance(t, pl.Categorical) for t in self.frames.raw[self.name].dtypes)

    def add_expression(self, column: str, rule: str, failing: pl.Expr, cell: bool) -> None:
        """A check true where a row fails; ``cell``: it reads only ``column`` (typed or as text)."""
        slot = f"c{sum(map(len, self.cells.values())) + len(self.between)}"
        entry = (slot, failing.fill_null(False).alias(slot))
        (self.cells.setdefault(column, []).append(entry) if cell else self.between.append(entry))
        self.by_rule.setdefault(rule, []).append((column, lambda: self._column(slot)))

    def add_mask(self, column: str, rule: str, mask: Mask) -> None:
        self.by_rule.setdefault(rule, []).append((column, mask))

    def frame(self) -> pl.DataFrame | pl.LazyFrame:
        """What pandera validates: the typed table; for a big table a lazy one, whose columns pandera
        checks by their types alone (it computes nothing unless a check fails)."""
        import polars as pl

        if not self.coded:
            return self._together()
        table = self.frames.table(self.name)
        return self.frames.raw[self.name].lazy().select(
            [cast(f, pl.col(f.name).cast(pl.String)).alias(f.name) for f in table.fields])

    def _together(self) -> pl.DataFrame:
        """The typed columns beside the CSV's text (a small table's every column, once)."""
        if self._frame is None:
            self._frame = self.frames.typed(self.name).hstack(_suffixed(self.frames.text(self.name)))
        return self._frame

    def _column(self, slot: str) -> pl.Series:
        if self._evaluated is None:
            self._evaluated = self._evaluate_coded() if self.coded else self._evaluate_together()
        return self._evaluated[slot]

    def _evaluate_together(self) -> dict[str, pl.Series]:
        exprs = [e for entries in self.cells.values() for _, e in entries] + [e for _, e in self.between]
        found = self._together().select(exprs) if exprs else None
        return {c.name: c for c in found.get_columns()} if found is not None else {}

    def _evaluate_coded(self) -> dict[str, pl.Series]:

        found: dict[str, pl.Series] = {}
        table = self.frames.table(self.name)
        for column, entries in self.cells.items():
            fld = table.field(column)
            result = per_value_frame(self.frames.raw[self.name].get_column(column),
                                     lambda text, fld=fld: _typed_beside(fld, text), [e for _, e in entries])
            found.update({c.name: c for c in result.get_columns()})
        for slot, expr in self.between:  # one at a time: each reads only the columns it names
            found[slot] = self._inputs(expr).select(expr).to_series()
        return found

    def _inputs(self, expr: pl.Expr) -> pl.DataFrame:
        """The columns ``expr`` names: typed, or as text (with the TEXT suffix)."""
        import polars as pl

        names = sorted(set(expr.meta.root_names()))
        texts = [n.removesuffix(TEXT) for n in names if n.endswith(TEXT)]
        typed = [n for n in names if not n.endswith(TEXT)]
        parts = [self.frames.typed(self.name, *typed)] if typed else []
        if texts:
            parts.append(_suffixed(self.frames.text(self.name, *texts)))
        return pl.concat(parts, how="horizontal") if len(parts) > 1 else parts[0]

    def rule_mask(self, rule: str) -> pl.Series:
        """True on every row where one of the rule's columns fails."""
        masks = [fails(mask()) for _, mask in self.by_rule[rule]]
        combined = masks[0]
        for mask in masks[1:]:
            combined = combined | mask
        return combined

    def failing_columns(self, rule: str, index: int) -> list[str]:
        return [column for column, mask in self.by_rule[rule] if mask()[index]]

    def checks(self) -> list[pa.Check]:
        """One pandera check per rule, named by its id."""
        from scripts.model.backends import pandera as schemas

        return [schemas.check(rule, lambda _frame, rule=rule: self.rule_mask(rule)) for rule in self.by_rule]


def _suffixed(text: pl.DataFrame) -> pl.DataFrame:
    """The text columns under their names with the TEXT suffix (renamed Series: no query)."""
    import polars as pl

    return pl.DataFrame([column.alias(column.name + TEXT) for column in text.get_columns()])


def _typed_beside(fld: Field, text: pl.Series) -> pl.DataFrame:
    """A column's text (with the TEXT suffix) and its typed value (under its name), for its cell checks."""
    import polars as pl

    return pl.DataFrame({fld.name + TEXT: text}).with_columns(cast(fld, pl.col(fld.name + TEXT)).alias(fld.name))
