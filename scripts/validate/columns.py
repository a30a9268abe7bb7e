"""Small polars helpers the named rules share: lookups by key and dates at a common precision."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl


def lookup(wanted: pl.Series, keys: pl.Series, values: pl.Series) -> pl.Series:
    """``values`` by ``keys`` for each item of ``wanted`` (null when absent); a repeated key keeps
    its first value."""
    import polars as pl

    table = pl.DataFrame({"k": keys, "v": values}).filter(pl.col("k").is_not_null()).unique("k", keep="first")
    probe = pl.DataFrame({"k": wanted.cast(keys.dtype)})
    return probe.join(table, on="k", how="left", maintain_order="left")["v"]


def common_precision(a: pl.Series, b: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Cut two columns of ISO dates to the coarser precision of each pair ('2024-08' vs '2024')."""
    import polars as pl

    frame = pl.DataFrame({"a": a, "b": b})
    width = pl.min_horizontal(pl.col("a").str.len_chars().fill_null(10), pl.col("b").str.len_chars().fill_null(10))
    cut = frame.select(pl.col("a").str.slice(0, width), pl.col("b").str.slice(0, width))
    return cut["a"], cut["b"]


def both(a: pl.Series, b: pl.Series) -> pl.Series:
    """True where both are present."""
    return a.is_not_null() & b.is_not_null()


def fails(mask: pl.Series) -> pl.Series:
    """A failure mask with nulls read as 'passes'."""
    return mask.fill_null(False)
