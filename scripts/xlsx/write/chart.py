"""The trade chart sheet: the reported intraregional trade over time, with the stated targets apart.

Only measured values (value_kind actual) of the most common scope, unit and scale are drawn, one
bar per observation in period order, so bars compare like with like. Targets are aims, not
points of the series: they are listed in a table of their own under the chart instead of being
placed on the time axis. Titles are in words; the codes stay in the data.
"""

from __future__ import annotations

import heapq
from collections import Counter
from typing import Any

from scripts.model import cells
from scripts.model.package import Package, csv_dict_reader
from scripts.model.spec import Table
from scripts.xlsx.write import printing, styles
from scripts.xlsx.write.sheets import append, text_cell

CHART_SHEET = "trade_chart"
INDICATORS = "indicators"
TRADE_INDICATOR = "intraregional_trade"
CHART_FIELDS = ("observation_id", "indicator_code", "scope", "period_start", "period_end", "value", "unit",
                "scale", "value_kind", "source_id")
TITLE = "Trade among the Central Asian states"
ACTUAL, TARGET = "actual", "target"
MAX_BARS = 60
CHART_WIDTHS = (28, 14, 14, 52)
AXIS_TEXT_SIZE = 10  # points
CHART_ROWS = 24  # rows the chart covers (11 cm of 15-point rows) and a blank one


def _rows(table: Table) -> list[dict[str, str]]:
    with table.path.open(encoding="utf-8", newline="") as handle:
        return [r for r in csv_dict_reader(handle) if r["indicator_code"] == TRADE_INDICATOR]


def _group(row: dict[str, str]) -> tuple[str, str, str]:
    return row["scope"], row["unit"], row["scale"]


def _period(row: dict[str, str]) -> str:
    return "–".join(p for p in (row["period_start"], row["period_end"]) if p)


def write_chart(wb: Any, package: Package) -> None:
    """The chart sheet, when the package has trade figures to draw."""
    table = package.tables.get(INDICATORS)
    if table is None or not set(CHART_FIELDS) <= set(table.field_names):
        return
    rows = _rows(table)
    if not rows:
        return
    group = Counter(_group(r) for r in rows).most_common(1)[0][0]
    chosen = [r for r in rows if _group(r) == group]
    actuals = _actuals(chosen)
    targets = [r for r in chosen if r["value_kind"] == TARGET]
    ws = _chart_sheet(wb)
    unit = styles.unit_words(group[1], group[2])
    _write_series(ws, table, actuals, unit, len(chosen) - len(actuals) - len(targets))
    below = len(actuals) + 6  # the chart goes under the series, so the sheet prints one page wide
    if actuals:
        _add_chart(ws, len(actuals), unit, below)
    _write_targets(ws, table, targets, unit, first_row=below + CHART_ROWS if actuals else below)


def _actuals(chosen: list[dict[str, str]]) -> list[dict[str, str]]:
    """The measured figures the chart draws: the first MAX_BARS in period order, the source and
    observation breaking ties so that the bars come in the same order on every export."""
    return heapq.nsmallest(MAX_BARS, (r for r in chosen if r["value_kind"] == ACTUAL),
                           key=lambda r: (r["period_end"] or r["period_start"], r["source_id"], r["observation_id"]))


def _chart_sheet(wb: Any) -> Any:
    """The empty chart sheet with its columns sized and its page set up: the layout apart from
    the choice of figures in :func:`write_chart`."""
    ws = wb.create_sheet(CHART_SHEET)
    for col, width in zip("ABCD", CHART_WIDTHS, strict=True):
        ws.column_dimensions[col].width = width
    printing.print_setup(ws, CHART_WIDTHS, header_rows=0)
    return ws


def _figure_cell(ws: Any, table: Table, row: dict[str, str]) -> Any:
    value = cells.read_cell(table.field("value"), row["value"])
    fmt = styles.figure_format(row["value"], row["unit"], row["scale"])
    return text_cell(ws, value, number_format=fmt)


def _write_series(ws: Any, table: Table, actuals: list[dict[str, str]], unit: str, omitted: int) -> None:
    bold = styles.font(bold=True)
    append(ws, [text_cell(ws, f"{TITLE}, as reported ({unit})", font=styles.font(bold=True, size=14))])
    note = ("One bar per reported figure from the indicators sheet, in period order; the source is "
            "named after the period. Stated targets are listed below the chart, not drawn as part of "
            "the series.")
    if omitted:
        note += f" {omitted} figure(s) beyond the first {MAX_BARS} are not drawn."
    # wrapped over the table's width: a long line left to overflow would widen the printed page
    row = append(ws, [text_cell(ws, note, alignment=styles.wrap())], {0: sum(CHART_WIDTHS)})
    ws.merged_cells.add(f"A{row}:D{row}")
    append(ws, [text_cell(ws, h, font=bold) for h in ("Period (source)", "Reported", "", "Observation")])
    for r in actuals:
        append(ws, [text_cell(ws, f"{_period(r) or 'no period'} ({r['source_id']})"), _figure_cell(ws, table, r),
                   None, text_cell(ws, r["observation_id"])])


def _add_chart(ws: Any, count: int, unit: str, row: int) -> None:
    from openpyxl.chart import BarChart, Reference

    chart = BarChart()
    chart.type, chart.grouping = "col", "clustered"
    chart.title = f"{TITLE} ({unit})"
    chart.y_axis.title = unit
    chart.x_axis.title = "Period reported (source)"
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.legend = None
    chart.add_data(Reference(ws, min_col=2, min_row=3, max_row=3 + count), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=4, max_row=3 + count))
    chart.width, chart.height = 22, 11
    chart.x_axis.txPr = chart.y_axis.txPr = _axis_text()
    ws.add_chart(chart, f"A{row}")


def _axis_text() -> Any:
    """Axis labels at a stated 10 points in the workbook's font: left to itself, LibreOffice draws
    them at 7 points, below what the printed sheet keeps (:mod:`.printing`)."""
    from openpyxl.chart.text import RichText
    from openpyxl.drawing.text import CharacterProperties, Font, Paragraph, ParagraphProperties

    chars = CharacterProperties(sz=AXIS_TEXT_SIZE * 100, latin=Font(typeface=styles.FONT_NAME))
    return RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=chars), endParaRPr=chars)])


def _write_targets(ws: Any, table: Table, targets: list[dict[str, str]], unit: str, first_row: int) -> None:
    while getattr(ws, "cac_rows", 0) < first_row - 1:
        append(ws, [])
    bold = styles.font(bold=True)
    append(ws, [text_cell(ws, f"Stated targets ({unit})", font=styles.font(bold=True, size=13))])
    if not targets:
        append(ws, [text_cell(ws, "The sources state no target for this figure.")])
        return
    append(ws, [text_cell(ws, h, font=bold) for h in ("Target for (source)", "Aimed at", "", "Observation")])
    for r in targets:
        append(ws, [text_cell(ws, f"{_period(r) or 'no year stated'} ({r['source_id']})"), _figure_cell(ws, table, r),
                   None, text_cell(ws, r["observation_id"])])
