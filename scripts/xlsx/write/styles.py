"""Fonts, fills and number formats shared by every sheet of the exported workbook.

Every font is named (a reader without the default font otherwise substitutes one of its own and
the column widths no longer fit), and every number format is chosen from what a value means:
whole numbers show no decimals, money in billions says so, percentages carry a percent sign
without being multiplied by 100 (the data stores 11 for 11 %). The unit and scale of a figure
are data, read from the row that holds it; the names of those columns are kept here, once.
"""

from __future__ import annotations

from typing import Any

from scripts.model import figures

FONT_NAME = "Calibri"
FONT_SIZE = 11
TABLE_STYLE = "TableStyleMedium2"
TEXT_FORMAT = "@"
INTEGER_FORMAT = "0"
DATE_FORMAT = "yyyy-mm-dd"
COUNT_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.0##"
WARN_FILL = "FFC7CE"
LINK_COLOUR = "0563C1"
LINE_HEIGHT = 15.0  # points per line of 11-point text
CHARS_PER_WIDTH = 1.2  # characters of proportional text per unit of column width (one "0")

# The columns that say how to read a figure in the same row, and how its unit reads, are the
# model's (the site shows the same words).
UNIT_FIELD, SCALE_FIELD = figures.UNIT_FIELD, figures.SCALE_FIELD
unit_words = figures.unit_words


def font(bold: bool = False, size: int = FONT_SIZE, link: bool = False) -> Any:
    """A named font: plain, bold, a title size, or a hyperlink's blue underline."""
    from openpyxl.styles import Font

    if link:
        return Font(name=FONT_NAME, size=size, color=LINK_COLOUR, underline="single")
    return Font(name=FONT_NAME, size=size, bold=bold)


def wrap() -> Any:
    from openpyxl.styles import Alignment

    return Alignment(wrap_text=True, vertical="top")


def centred() -> Any:
    from openpyxl.styles import Alignment

    return Alignment(horizontal="center", vertical="top")


def top() -> Any:
    from openpyxl.styles import Alignment

    return Alignment(vertical="top")


def figure_format(value_text: str, unit: str = "", scale: str = "") -> str:
    """The number format of one figure: no decimals for a whole number (a count of 5000 shows
    5,000, never 5,000.0), up to three otherwise, followed by its scale and unit in words."""
    base = COUNT_FORMAT if figures.is_whole(value_text) else DECIMAL_FORMAT
    words = unit_words(unit, scale)
    if words == "%":
        return base + '"%"'
    return base + (f'" {_quote(words)}"' if words else "")


def figure_text(value_text: str, unit: str = "", scale: str = "") -> str:
    """What a spreadsheet shows for a figure in its :func:`figure_format` (``36.5 billion USD``,
    ``5,000``, ``11%``): the column is sized from this text, never from the bare number, so the
    words the format appends never push a value into ``###``. The model's words, quoted as the
    format quotes them."""
    return _quote(figures.figure_text(value_text, unit, scale))


def wrapped_height(cells: list[tuple[str, float]]) -> float | None:
    """The height of a row whose cells wrap, from each text and its column width (in characters):
    spreadsheets do not grow such rows on their own when printing, so lines would overprint.
    None when every text fits on one line."""
    lines = 1
    for text, width in cells:
        per_line = max(int(width * CHARS_PER_WIDTH), 1)
        lines = max(lines, sum(max(1, -(-len(part) // per_line)) for part in text.split("\n")))
    return LINE_HEIGHT * lines if lines > 1 else None


def _quote(words: str) -> str:
    return words.replace('"', "'")


class StyleBook:
    """Cell styles registered in an openpyxl workbook, by (number format, font, wrapping).

    Rows are streamed into the sheet XML after openpyxl has written the style table, so every
    style a row can need must be registered first; this keeps the ids, one per combination."""

    def __init__(self, wb: Any) -> None:
        self.wb = wb
        self.ids: dict[tuple[str, bool, bool], int] = {}

    def style_id(self, number_format: str, link: bool = False, wraps: bool = False) -> int:
        key = (number_format, link, wraps)
        if key not in self.ids:
            self.ids[key] = self._register(number_format, link, wraps)
        return self.ids[key]

    def _register(self, number_format: str, link: bool, wraps: bool) -> int:
        from openpyxl.styles.cell_style import StyleArray
        from openpyxl.styles.numbers import BUILTIN_FORMATS_REVERSE

        style = StyleArray()
        style.fontId = self.wb._fonts.add(font(link=link))
        if number_format in BUILTIN_FORMATS_REVERSE:
            style.numFmtId = BUILTIN_FORMATS_REVERSE[number_format]
        else:
            style.numFmtId = self.wb._number_formats.add(number_format) + 164
        # top-aligned like the wrapped cells, so a printed row reads across one line
        style.alignmentId = self.wb._alignments.add(wrap() if wraps else top())
        return self.wb._cell_styles.add(style)


def warn_style() -> Any:
    """The highlight of an empty required cell or a duplicate key."""
    from openpyxl.styles import PatternFill
    from openpyxl.styles.differential import DifferentialStyle

    return DifferentialStyle(fill=PatternFill(bgColor=WARN_FILL, fill_type="solid"))
