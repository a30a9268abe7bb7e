"""Small polars helpers the named rules share: lookups by key, presence and failure masks.

(Dates at a common precision are the reduced-date policy's: :func:`scripts.model.dates.common_precision`.)
"""

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


def both(a: pl.Series, b: pl.Series) -> pl.Series:
    """True where both are present."""
    return a.is_not_null() & b.is_not_null()


def fails(mask: pl.Series) -> pl.Series:
    """A failure mask with nulls read as 'passes'."""
    return mask.fill_null(False)


def blank(cell: pl.Expr) -> pl.Expr:
    """True where a text cell is empty or only spaces (null counts as empty)."""
    return cell.fill_null("").str.strip_chars() == ""
