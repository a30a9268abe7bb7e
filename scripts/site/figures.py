"""The timeline and trade-figure pages: the data for each SVG, the SVG, and a table giving the
same facts as text (the figures' text alternative)."""

from __future__ import annotations

from scripts.model import cells
from scripts.model.cells import CellError
from scripts.model.dates import human_span
from scripts.model.figures import figure_text
from scripts.site import names
from scripts.site.html import Cell, data_table, esc, link
from scripts.site.model import SiteData, SiteDataError, meeting_label, source_files
from scripts.site.pages import meeting_href
from scripts.site.svg import Point, TimelineItem, parse_span, timeline_svg, trade_svg

TO_BILLIONS = {"one": 1e-9, "thousand": 1e-6, "million": 1e-3, "billion": 1.0}
CHART_UNIT, CHART_SCALE = "USD", "billion"


def timeline_items(data: SiteData, up: str) -> tuple[list[TimelineItem], list[dict[str, str]]]:
    """Dated meetings in date order, and the undated ones."""
    meetings = data.meetings
    if meetings is None:
        return [], []
    dated, undated = [], []
    for row in data.rows[meetings.name]:
        span = parse_span(row.get(names.MEETING_DATE_START) or "", row.get(names.MEETING_DATE_END) or "")
        if span is None:
            undated.append(row)
        else:
            href = meeting_href(meetings.record_key(row), up)
            dated.append(TimelineItem(meeting_label(row), href, span))
    dated.sort(key=lambda i: (i.span.start, i.span.end, i.label, i.href))
    return dated, undated


def timeline_page(data: SiteData) -> tuple[str, str, str]:
    """(title, body, description) of the timeline page."""
    items, undated = timeline_items(data, "")
    rows = [("", [link(i.href, i.label), esc(human_span(*i.span.text.split(" to "))), Cell(esc(i.span.text), "key"),
                  esc(i.span.precision)]) for i in items]
    table = data_table("Dated meetings, as text", [("Meeting", "text"), ("Date", "text"), ("As stored", "text"),
                                                   ("Precision", "text")], rows,
                       table_id="timeline-text", interactive=False)
    meetings = data.meetings
    missing = "".join(f"<li>{link(meeting_href(meetings.record_key(r), ''), meeting_label(r))}</li>"
                      for r in undated) if meetings else ""
    body = (
        "<h1>Timeline of the meetings</h1>\n"
        "<p>Each meeting is drawn at the precision its date is known: a dot for a day, a solid bar "
        "for a month, a dashed light bar for a whole year. Select a meeting to open its page.</p>\n"
        + _figure(timeline_svg(items), "Meetings by date.")
        + table
        + (f"<h2>Meetings the sources do not date</h2>\n<ul>{missing}</ul>\n" if missing else "")
    )
    return "Timeline of the meetings", body, ("Every meeting in the dataset on a timeline, each drawn at the "
                                              "precision its date is known, with the dates as text.")


def _figure(svg: str, caption: str) -> str:
    """A chart at its drawn size (its text stays legible), scrolling sideways on a narrow screen
    (keyboard-focusable, like the table scrollers); the table after it gives the same facts."""
    return (f'<figure class="chart" role="region" aria-label="{esc(caption)}" tabindex="0">{svg}'
            f"<figcaption>{esc(caption)}</figcaption></figure>\n")


def trade_points(data: SiteData) -> list[tuple[Point, dict[str, str]]]:
    """The trade figures in USD billions, each with its row, in a stable order."""
    table = data.package.tables.get(names.INDICATORS)
    if table is None:
        return []
    value_field = table.field(names.IND_VALUE)
    out = []
    for row in data.rows[table.name]:
        code = row.get(names.IND_CODE, "")
        factor = TO_BILLIONS.get(row.get(names.IND_SCALE, ""))
        if code not in names.TRADE_INDICATORS or row.get(names.IND_UNIT) != CHART_UNIT or factor is None:
            continue
        try:
            value = cells.read_cell(value_field, row.get(names.IND_VALUE))
        except CellError as exc:  # the site is drawn from valid data; say where it is not
            raise SiteDataError(f"{table.path.name}: record {table.record_key(row)}, field {names.IND_VALUE}: "
                               f"{exc.message} (rule: {exc.rule}); run validate") from None
        if value is None:
            continue
        out.append((Point(series=_series(code, row), period=_period(row), value=value * factor,
                          is_target=row.get(names.IND_KIND) == "target",
                          source=row.get(names.IND_SOURCE, ""), row_id=table.record_key(row)), row))
    return out


def _series(code: str, row: dict[str, str]) -> str:
    scope, *states = (row.get(f) or "" for f in names.IND_SCOPE_FIELDS)
    where = "–".join(s for s in states if s) or scope
    return f"{names.TRADE_INDICATORS[code]} ({where})"


def _period(row: dict[str, str]) -> str:
    start, end = row.get(names.IND_PERIOD_START) or "", row.get(names.IND_PERIOD_END) or ""
    return f"{start} to {end}" if start and end else start


def trade_page(data: SiteData) -> tuple[str, str, str]:
    """(title, body, description) of the trade-figures page."""
    pairs = trade_points(data)
    unit = f"{CHART_UNIT} {CHART_SCALE}"
    files = source_files(data.package, data.rows)
    field = next((m.field for m in data.meeting_links if m.table.name == names.INDICATORS), "")
    rows = [("", [esc(p.series), esc(p.period or "not stated"),
                  Cell(esc(figure_text(f"{p.value:g}", CHART_UNIT, CHART_SCALE)), "figure", sort=f"{p.value:g}"),
                  "target" if p.is_target else "reported", esc(p.source), esc(files.get(p.source, "")),
                  link(meeting_href(r[field], ""), r[field]) if r.get(field) else ""])
            for p, r in sorted(pairs, key=lambda pr: (pr[0].series, pr[0].period, pr[0].source, pr[0].row_id))]
    headers = [("Series", "text"), ("Period", "text"), ("Value", "number"), ("Kind", "text"),
               ("Source", "text"), ("Source file", "text"), ("Meeting", "text")]
    body = (
        "<h1>Reported trade figures</h1>\n"
        "<p>Trade values as the sources report them, converted to one unit. Where several sources "
        "report a value for the same period, each is drawn and labelled with its source, so "
        "differences between the reports stay visible.</p>\n"
        + _figure(trade_svg([p for p, _ in pairs], unit),
                  "Trade figures by period, labelled with the reporting source.")
        + data_table("Trade figures, as text", headers, rows, table_id="trade-text", interactive=True)
    )
    return "Reported trade figures", body, ("Trade values as the sources report them, in billions of US dollars, "
                                            "each labelled with its source, so disagreements stay visible.")

