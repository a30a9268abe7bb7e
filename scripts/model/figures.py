"""How a figure reads with its unit and scale, defined once for every place that shows one.

A figure is stored as reported (``36.5``), with its unit (``USD``) and scale (``billion``) in
columns of the same row. Shown bare, ``36.5`` is a number without meaning, so the workbook's
number formats and the site's cells both append the words given here: ``36.5 billion USD``,
``11%`` (the data stores 11 for 11 %, never 0.11), ``5,000`` for a count. The names of the unit
and scale columns are kept here too: a table with both columns states the unit and scale of its
number fields row by row.
"""

from __future__ import annotations

UNIT_FIELD = "unit"
SCALE_FIELD = "scale"
# How a unit and a scale read after a number; a unit or scale not listed is written as it is.
UNIT_WORDS = {"percent": "%", "count": "", "USD": "USD"}
SCALE_WORDS = {"one": "", "thousand": "thousand", "million": "million", "billion": "billion",
               "trillion": "trillion"}


def unit_words(unit: str, scale: str) -> str:
    """How a figure's scale and unit read after it: "billion USD", "%", or nothing for a count."""
    if unit == "percent":
        return "%"
    return " ".join(w for w in (SCALE_WORDS.get(scale, scale), UNIT_WORDS.get(unit, unit)) if w)


def is_whole(text: str) -> bool:
    """Does the figure's text hold a whole number (``5000``, ``11.0``)? Text that is no number
    counts as whole, so it is shown as it is."""
    try:
        return float(text).is_integer()
    except ValueError:
        return True


def decimal_text(value: float) -> str:
    """A number with one to three decimals, trailing zeros past the first dropped (``36.5``)."""
    whole, _, decimals = f"{value:,.3f}".partition(".")
    return f"{whole}.{decimals.rstrip('0') or '0'}"


def number_text(value_text: str) -> str:
    """The number as a reader sees it: thousands separated, no decimals for a whole number."""
    try:
        value = float(value_text)
    except ValueError:
        return value_text
    return f"{value:,.0f}" if is_whole(value_text) else decimal_text(value)


def figure_text(value_text: str, unit: str = "", scale: str = "") -> str:
    """The figure with its scale and unit in words: ``36.5 billion USD``, ``5,000``, ``11%``."""
    words = unit_words(unit, scale)
    return number_text(value_text) + ("%" if words == "%" else f" {words}" if words else "")
