"""The reduced-precision date policy: one shape, read one way everywhere.

A date in this package is ISO 8601 at the precision its source gives: ``2024``, ``2024-08`` or
``2024-08-09``, never a padded false date. Such a date is an interval: ``2024-08`` runs from its
first day (2024-08-01) to its last (2024-08-31). Comparisons between records need one of three
readings, and mixing them up is how false findings (or missed ones) happen, so they live here:

* :func:`polars_first_day` / :func:`polars_last_day`: the interval's ends, to ask "could this have
  happened by then" (a figure's period must end by the last day its report can mean);
* :func:`common_precision`: both dates cut to the coarser precision, to ask "same or before" when
  either could be meant (a signature in 2022-07 is within a meeting dated 2022);
* :func:`precision`: ``year``, ``month`` or ``day``, for readers who parse the text themselves
  (the release's ``*_precision`` columns, :mod:`scripts.model.derived`).

For people, :func:`human_date` writes such a date in words at its own precision (``August 2024``,
never ``2024-08-01``), as the site shows it.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl

REDUCED_DATE = r"^[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$"
PRECISIONS = {4: "year", 7: "month", 10: "day"}
WORDS = "a date written as a year (2024), a year and month (2024-08) or a full date (2024-08-09)"
EXAMPLE = "a date as 2024, 2024-08 or 2024-08-09"
_SHAPES_OK = ("2024", "2024-08", "2024-08-09")
_SHAPES_BAD = ("2024-13", "2024-08-9", "date", "20240809")


def is_reduced_date_pattern(pattern: str | None) -> bool:
    """Does ``pattern`` accept exactly ISO dates at year, month or day precision? (A string field
    with such a pattern is a reduced-precision date: text everywhere, compared as an interval.)"""
    if not pattern:
        return False
    if pattern == REDUCED_DATE:
        return True
    try:  # the probes are at most 10 characters, so even a backtracking pattern answers at once
        regex = re.compile(pattern)
    except (RecursionError, OverflowError):
        raise re.error("the pattern is too deeply nested") from None
    ok = [regex.search(s) is not None for s in _SHAPES_OK + _SHAPES_BAD]
    return all(ok[: len(_SHAPES_OK)]) and not any(ok[len(_SHAPES_OK):])


def precision(text: str) -> str | None:
    """``year``, ``month`` or ``day`` for a reduced date; None for anything else."""
    return PRECISIONS.get(len(text)) if re.fullmatch(REDUCED_DATE, text) else None


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def human_date(text: str) -> str:
    """A reduced date in words at its precision: ``2024``, ``August 2024``, ``9 August 2024``; a
    timestamp (``2026-11-30T00:00:00Z``, the descriptor's ``created``) by its day. Text that is no
    such date is returned as it is."""
    day = text[:10] if len(text) > 10 and text[10:11] == "T" else text
    if precision(day) is None:
        return text
    parts = [int(p) for p in day.split("-")]
    try:
        as_date = dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:  # 2024-02-30 has the shape of a date but is none
        return text
    month = MONTHS[as_date.month - 1]
    return {1: f"{as_date.year}", 2: f"{month} {as_date.year}", 3: f"{as_date.day} {month} {as_date.year}"}[len(parts)]


def human_span(start: str, end: str = "") -> str:
    """A date range in words: ``9–10 August 2024``, ``30 November – 1 December 2024``, or the
    start alone when there is no (other) end."""
    if not end or end == start:
        return human_date(start)
    first, last = human_date(start).split(" "), human_date(end).split(" ")
    if len(first) == len(last) == 3 and first[1:] == last[1:]:
        return f"{first[0]}–{last[0]} {first[1]} {first[2]}"
    if len(first) == len(last) == 3 and first[2] == last[2]:
        return f"{first[0]} {first[1]} – {last[0]} {last[1]} {last[2]}"
    return f"{human_date(start)} – {human_date(end)}"


def as_calendar_date(text: str) -> dt.date | None:
    """The calendar date a spreadsheet makes of a reduced date (its first day): 2024 → 2024-01-01,
    2024-08 → 2024-08-01, 2024-08-09 → itself; None when the text is not such a date."""
    parts = text.split("-")
    try:
        numbers = [int(p) for p in parts]
        if len(numbers) == 1:
            return dt.date(numbers[0], 1, 1)
        if len(numbers) == 2:
            return dt.date(numbers[0], numbers[1], 1)
        return dt.date.fromisoformat(text) if len(numbers) == 3 else None
    except ValueError:
        return None


def polars_shaped(text: pl.Expr) -> pl.Expr:
    """The text where it has the reduced-date shape, else null. Why: the readings below tell a
    date's precision by its length, so a malformed date would be read as some other date
    ('2024-8-9' as 9 August 2024 whose last day is 31 August); the pattern rule reports it, and no
    comparison reads it."""
    import polars as pl

    return pl.when(text.str.contains(REDUCED_DATE)).then(text)


def polars_first_day(text: pl.Expr) -> pl.Expr:
    """The first day a reduced date covers, as a polars Date: '2024' -> 2024-01-01."""
    import polars as pl

    text = polars_shaped(text)
    width = text.str.len_chars()
    padded = pl.when(width == 4).then(text + "-01-01").when(width == 7).then(text + "-01").otherwise(text)
    return padded.str.to_date("%Y-%m-%d", strict=False)


def polars_last_day(text: pl.Expr) -> pl.Expr:
    """The last day a reduced date covers: '2024' -> 2024-12-31, '2024-08' -> 2024-08-31."""
    import polars as pl

    text = polars_shaped(text)
    width = text.str.len_chars()
    padded = pl.when(width == 4).then(text + "-12-01").when(width == 7).then(text + "-01").otherwise(text)
    day = padded.str.to_date("%Y-%m-%d", strict=False)
    return pl.when(width < 10).then(day.dt.month_end()).otherwise(day)


def polars_precision(text: pl.Expr) -> pl.Expr:
    """``year``, ``month`` or ``day`` by the text's length (null for a missing or malformed date)."""
    import polars as pl

    width = polars_shaped(text).str.len_chars()
    return (pl.when(width == 4).then(pl.lit("year")).when(width == 7).then(pl.lit("month"))
            .when(width == 10).then(pl.lit("day")))


def common_precision(a: pl.Series, b: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Cut two columns of reduced dates to the coarser precision of each pair ('2024-08' vs '2024')."""
    import polars as pl

    frame = pl.DataFrame({"a": a, "b": b}).select(polars_shaped(pl.col("a")).alias("a"),
                                                  polars_shaped(pl.col("b")).alias("b"))
    width = pl.min_horizontal(pl.col("a").str.len_chars().fill_null(10), pl.col("b").str.len_chars().fill_null(10))
    cut = frame.select(pl.col("a").str.slice(0, width), pl.col("b").str.slice(0, width))
    return cut["a"], cut["b"]
