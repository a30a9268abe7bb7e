"""How a sheet prints: A4 landscape, fitted to the page width only while its text stays readable,
else at a fixed readable scale across pages with the key columns repeated on each.

"Fit to one page wide" shrinks a 19-column sheet until its 11-point text prints at 4 or 5 points:
a page nobody can read. So the fit is decided here, from the column widths the export sets:

* a column width is a count of "0" characters of the sheet's font, and a spreadsheet lacking
  Calibri draws it in its substitute's "0" (LibreOffice with DejaVu Sans: 7 points at 11 points,
  where Calibri's is 5.25), so the width of a sheet on paper is judged with the widest, 7 points;
* the sheet is fitted to the page width when that keeps the text at ``MIN_SCALE`` or more of its
  size (11 × 0.75 = 8.25 points); a spreadsheet with a narrower font fits it at a larger scale;
* otherwise it prints at ``MIN_SCALE`` across as many pages as its width needs, page after page
  along the rows first (``overThenDown``), with the header row and the key columns (the leading
  primary-key columns, while they take at most half the page) repeated on every page, so
  each page says which record a value belongs to.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from scripts.xlsx.ooxml import column_letter
from scripts.xlsx.write.styles import FONT_NAME

PAPER_A4 = 9
PAGE_WIDTH_PT = 841.89  # A4 landscape
SIDE_MARGIN_IN = 0.5
PRINTABLE_PT = PAGE_WIDTH_PT - 2 * 72 * SIDE_MARGIN_IN
UNIT_PT = 7.0  # the widest "0" a reader may draw the 11-point font with (DejaVu Sans: 0.636 em)
MIN_SCALE = 75  # percent: 11-point text prints at 8.25 points, no smaller
KEY_SHARE = 1 / 2  # the repeated key columns take at most this share of a page


def fit_scale(widths: Sequence[float]) -> float:
    """The scale (1.0 = 100 %) at which columns of these widths fill the printable page width
    when drawn in the widest font a reader may substitute; 1.0 when they fit unscaled."""
    total = sum(widths) * UNIT_PT
    return min(1.0, PRINTABLE_PT / total) if total else 1.0


def key_columns(widths: Sequence[float], leading_keys: int) -> int:
    """How many of the ``leading_keys`` first columns to repeat on every page: as many as fit in
    :data:`KEY_SHARE` of the page at :data:`MIN_SCALE`."""
    room = PRINTABLE_PT * KEY_SHARE / (UNIT_PT * MIN_SCALE / 100)
    count, used = 0, 0.0
    for width in widths[:leading_keys]:
        used += width
        if used > room:
            break
        count += 1
    return count


def print_setup(ws: Any, widths: Sequence[float], header_rows: int = 1, leading_keys: int = 0) -> None:
    """Landscape A4 with the sheet name and page number in the footer; fitted to the page width
    or printed across pages as the module explains. ``header_rows`` rows repeat on every page."""
    from openpyxl.worksheet.page import PageMargins
    from openpyxl.worksheet.properties import PageSetupProperties

    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = PAPER_A4
    ws.page_margins = PageMargins(left=SIDE_MARGIN_IN, right=SIDE_MARGIN_IN, top=0.75, bottom=0.75,
                                  header=0.3, footer=0.3)
    fitted = fit_scale(widths) * 100 >= MIN_SCALE
    if fitted:
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    else:
        ws.page_setup.scale = MIN_SCALE
        ws.page_setup.pageOrder = "overThenDown"
        keys = key_columns(widths, leading_keys)
        if keys:
            ws.print_title_cols = f"A:{column_letter(keys)}"
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=fitted)
    if header_rows:
        ws.print_title_rows = f"1:{header_rows}"
    ws.oddFooter.left.text = "&A"
    ws.oddFooter.right.text = "Page &P of &N"
    ws.oddFooter.left.font = ws.oddFooter.right.font = FONT_NAME
