"""Small polars helpers the named rules share: lookups by key, presence and failure masks.

(Dates at a common precision are the reduced-date policy's: :func:`scripts.model.dates.common_precision`.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl


def lookup(wanted: pl.Series, keys: pl.Series, values: pl.Series) -> pl.Series:
    """``values`` by ``keys`` for each item of ``wanted`` (null when absent); a repeated key keeps
    its first value.

    A long ``wanted`` of few distinct values (each observation's source, or baseline) is looked up
    once per distinct value, and only the keys among them are joined: a join of a million rows
    against a million keys would build a hash table of every key, and a second column of every
    value, to answer a dozen questions."""
    import polars as pl

    probe = wanted.cast(keys.dtype)
    if probe.len() + keys.len() <= SMALL and not keys.dtype.is_float():  # NaN matches NaN in a join only
        return _small(probe, keys, values)
    if keys.dtype == pl.String and _repeats(probe):
        coded = probe.cast(pl.Categorical(pl.Categories.random()))  # its dictionary lives as long as it does
        distinct = coded.dtype.categories.to_series()
        return _join(distinct, keys, values, pl.col("k").is_in(distinct.implode())).gather(coded.to_physical())
    return _join(probe, keys, values, pl.lit(True))


SMALL = 5_000  # rows (wanted and keys together) below which a lookup is answered without a join


def _small(wanted: pl.Series, keys: pl.Series, values: pl.Series) -> pl.Series:
    """A small lookup as a dictionary: a polars join has a fixed cost of ~0.3 ms whatever its
    size, ten times a dictionary's over a few hundred keys, and validating the package makes a
    hundred lookups. The answer is the join's, to the name and type (a test compares them)."""
    import polars as pl

    found: dict = {}
    for key, value in zip(keys.to_list(), values.to_list(), strict=True):
        if key is not None:
            found.setdefault(key, value)
    return pl.Series("v", [found.get(key) for key in wanted.to_list()], dtype=values.dtype)


def _join(wanted: pl.Series, keys: pl.Series, values: pl.Series, among: pl.Expr) -> pl.Series:
    """One query: each lookup of a small package costs its queries' fixed cost more than its work."""
    import polars as pl

    first = pl.col("k").is_first_distinct()  # a repeated key keeps its first value
    table = pl.LazyFrame({"k": keys, "v": values}).filter(pl.col("k").is_not_null() & among & first)
    return pl.LazyFrame({"k": wanted}).join(table, on="k", how="left", maintain_order="left").collect()["v"]


def _repeats(column: pl.Series, least: int = 10_000, sample: int = 1_000) -> bool:
    """Is ``column`` long, with its values (sampled) mostly repeats?"""
    if column.len() < least:
        return False
    picked = column.gather_every(column.len() // sample)
    return picked.n_unique() <= picked.len() // 2


def both(a: pl.Series, b: pl.Series) -> pl.Series:
    """True where both are present."""
    return a.is_not_null() & b.is_not_null()


def at_rows(height: int, messages: dict[int, str]) -> tuple[pl.Series, pl.Series | None]:
    """Findings given row by row (0-based row: message) as a rule yields them: the failing mask,
    and each row's message, None when nothing is found (no column as long as the table is built
    to say nothing). For rules that report problems found elsewhere (provenance, the lock)."""
    import polars as pl

    failing = pl.repeat(False, height, dtype=pl.Boolean, eager=True)
    if not messages:
        return failing, None
    rows = list(messages)
    return (failing.scatter(rows, True),
            pl.repeat(None, height, dtype=pl.String, eager=True).scatter(rows, list(messages.values())))


def fails(mask: pl.Series) -> pl.Series:
    """A failure mask with nulls read as 'passes'. (Kleene logic: null AND false is false; the
    operators run directly, where fill_null is a query of its own, ~0.1 ms, and validation reads
    hundreds of masks.)"""
    return mask if mask.null_count() == 0 else mask & mask.is_not_null()


def blank(cell: pl.Expr) -> pl.Expr:
    """True where a text cell is empty or only spaces (null counts as empty)."""
    return cell.fill_null("").str.strip_chars() == ""
