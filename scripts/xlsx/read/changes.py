"""What an import changes, cell by cell, so that a stale or forged workbook cannot undo an edit
unseen.

The fingerprint in the hidden export_state sheet stops an honest mistake (importing a workbook
exported before someone else's edit), not an attack: anyone who can read the tables can write
their current fingerprint into a stale workbook, and the import then overwrites whatever changed
since. So every import that writes says what it wrote: each changed cell at its workbook cell,
with the record's key, the field and the old and new value, and each record added or removed.
The text report shows the first ``LIMIT`` and counts the rest; ``--format json`` lists them all.
"""

from __future__ import annotations

import io
from dataclasses import asdict, dataclass, field
from typing import Any

from scripts.model.limits import CHANGE_REPORT_CAP
from scripts.model.names import KEY_SEPARATOR
from scripts.model.spec import Table
from scripts.xlsx.ooxml import column_letter
from scripts.xlsx.read.reader import shorten
from scripts.xlsx.read.rows import SheetTable

LIMIT = CHANGE_REPORT_CAP
OLD, ROW = "__old", "__sheet_row"


@dataclass(frozen=True)
class CellChange:
    """One cell whose CSV text changed: where it is in the workbook and in the table."""

    table: str
    cell: str  # sheet!A1
    key: str
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class RecordChange:
    """A record added (``row`` is its sheet row) or removed (``row`` is None)."""

    table: str
    key: str
    row: int | None


@dataclass
class Changes:
    """Every change an import made, in sheet order."""

    cells: list[CellChange] = field(default_factory=list)
    added: list[RecordChange] = field(default_factory=list)
    removed: list[RecordChange] = field(default_factory=list)

    def extend(self, other: Changes) -> None:
        self.cells += other.cells
        self.added += other.added
        self.removed += other.removed

    def lines(self, limit: int = LIMIT) -> list[str]:
        """One line per change for people, at most ``limit``, then how many more there are."""
        every = ([f"{c.cell} ({c.key}, {c.field}): {_shown(c.old)} → {_shown(c.new)}" for c in self.cells]
                 + [f"{r.table}!A{r.row}: record {r.key} added" for r in self.added]
                 + [f"{r.table}: record {r.key} removed" for r in self.removed])
        if len(every) > limit:
            return [*every[:limit], f"… and {len(every) - limit:,} more changes (--format json lists them all)"]
        return every

    def to_dict(self) -> dict[str, list[dict[str, Any]]]:
        return {"cells": [asdict(c) for c in self.cells], "added": [asdict(r) for r in self.added],
                "removed": [asdict(r) for r in self.removed]}


def table_changes(table: Table, old_csv: bytes, sheet: SheetTable) -> Changes:
    """The changes from the table's current CSV text to the records read from its sheet, matched
    by primary key (a table without one: by the whole record, so a change shows as a record
    removed and one added)."""
    import polars as pl

    keys = list(table.primary_key or table.field_names)
    old = _old_frame(table, old_csv).with_columns(pl.lit(True).alias(OLD))
    new = pl.DataFrame({**sheet.columns, ROW: sheet.sheet_rows},
                       schema={**{n: pl.String for n in table.field_names}, ROW: pl.Int64})
    joined = old.join(new, on=keys, how="full", coalesce=True, suffix="__new", nulls_equal=True)
    found = Changes()
    for row in joined.filter(pl.col(OLD).is_null()).sort(ROW).iter_rows(named=True):
        found.added.append(RecordChange(table.name, _key(row, keys), row[ROW]))
    for row in joined.filter(pl.col(ROW).is_null()).sort(keys).iter_rows(named=True):
        found.removed.append(RecordChange(table.name, _key(row, keys), None))
    found.cells = _cell_changes(table, joined.filter(pl.col(OLD).is_not_null() & pl.col(ROW).is_not_null()),
                                keys, sheet.positions)
    return found


def _old_frame(table: Table, old_csv: bytes) -> Any:
    """The current CSV as text columns, an empty cell as ""."""
    import polars as pl

    frame = pl.read_csv(io.BytesIO(old_csv), infer_schema=False, encoding="utf8-lossy")
    return frame.select([pl.col(n).fill_null("") if n in frame.columns else pl.lit("").alias(n)
                         for n in table.field_names])


def _cell_changes(table: Table, both: Any, keys: list[str], positions: dict[str, int]) -> list[CellChange]:
    """The cells of records in both versions whose text differs, by sheet row then column."""
    import polars as pl

    others = [n for n in table.field_names if n not in keys]
    if not others or both.is_empty():
        return []
    differs = pl.any_horizontal([pl.col(n) != pl.col(f"{n}__new") for n in others])
    found: list[tuple[int, int, CellChange]] = []
    for row in both.filter(differs).iter_rows(named=True):
        key = _key(row, keys)
        for name in others:
            if row[name] != row[f"{name}__new"]:
                column = positions.get(name, table.field_names.index(name))
                found.append((row[ROW], column, CellChange(table.name, f"{table.name}!{column_letter(column + 1)}"
                                                           f"{row[ROW]}", key, name, row[name], row[f"{name}__new"])))
    return [change for _, _, change in sorted(found, key=lambda item: item[:2])]


def _key(row: dict[str, Any], keys: list[str]) -> str:
    return KEY_SEPARATOR.join(str(row[k]) for k in keys)


def _shown(value: str) -> str:
    """A value as the report shows it: quoted (so an empty one is seen), a long one shortened."""
    return repr(shorten(value))
