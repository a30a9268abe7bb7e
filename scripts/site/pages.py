"""The table pages and the meeting pages. Both are driven by the Table Schemas: every resource
gets a table page, and a meeting page gathers the rows of every table whose foreign key points
at the meeting, so a renamed or new table appears without a code change."""

from __future__ import annotations

from dataclasses import replace

from scripts.model.dates import human_date
from scripts.model.figures import SCALE_FIELD, UNIT_FIELD, figure_text
from scripts.model.spec import Field, Table
from scripts.report import noun
from scripts.site import names
from scripts.site.html import Cell, Footnotes, data_table, esc, link
from scripts.site.model import ROW_LEVEL, MeetingLink, SiteData, meeting_label, slug

NUMERIC_TYPES = ("integer", "number")
LONG_TEXT = 60


def table_href(name: str, up: str) -> str:
    """Relative link to a table page from a page ``up`` ('' or '../') below the root."""
    return f"{up}tables/{slug(name)}.html"


def meeting_href(key: str, up: str) -> str:
    """Relative link to a meeting page."""
    return f"{up}meetings/{slug(key)}.html"


def row_anchor(key: str) -> str:
    """The id of a table row, so that foreign-key links land on it."""
    return f"r-{slug(key)}"


def _fk_targets(data: SiteData, table: Table) -> dict[str, str]:
    """Field -> referenced table, for single-field foreign keys to a single-field primary key."""
    targets = {}
    for fk in table.foreign_keys:
        ref = data.package.tables.get(fk.resource)
        if ref is not None and len(fk.fields) == 1 and fk.ref_fields == ref.primary_key:
            targets[fk.fields[0]] = ref.name
    return targets


def _cell(data: SiteData, targets: dict[str, str], table: Table, field: Field, row: dict[str, str], up: str,
          *, named: bool = False) -> Cell:
    """One value as a cell. Ids do not wrap (class ``key``) and link to their record: a foreign key
    to the row (or meeting page) it refers to, a meeting's own id to its page, a citation's record
    to the row it cites. A figure shows its scale and unit (``36.5 billion USD``) and sorts by its
    number. ``named`` (the meeting pages) shows the referenced row's name instead of its key and
    dates in words; table pages keep keys and dates as stored, so sorting and filtering use them."""
    value = row.get(field.name) or ""
    css = "key" if field.name in _key_columns(table) else ""
    if not value:
        return Cell("", css)
    if field.kind == "number" and {UNIT_FIELD, SCALE_FIELD} <= set(table.field_names):
        shown = figure_text(value, row.get(UNIT_FIELD) or "", row.get(SCALE_FIELD) or "")
        return Cell(esc(shown), "figure", sort=value)
    if named and field.is_reduced_date:
        return Cell(f'<time datetime="{esc(value)}">{esc(human_date(value))}</time>')
    href = _record_href(data, targets, table, field, row, up)
    if href is None:
        return Cell(esc(value), css)
    ref = targets.get(field.name)
    text = data.label(ref, value) if named and ref else value
    return Cell(link(href, text), css)


def _key_columns(table: Table) -> set[str]:
    keys = set(table.key_fields())
    return keys | {names.CITE_RECORD} if table.name == names.CITATIONS else keys


def _record_href(data: SiteData, targets: dict[str, str], table: Table, field: Field, row: dict[str, str],
                 up: str) -> str | None:
    """Where a key cell leads: the page or row of the record it names (None: nowhere)."""
    value = row.get(field.name) or ""
    if table.name == names.MEETINGS and table.primary_key == (field.name,):
        return meeting_href(value, up)
    ref = targets.get(field.name)
    if ref is None and table.name == names.CITATIONS and field.name == names.CITE_RECORD:
        ref = row.get(names.CITE_TABLE) or ""
        ref = ref if ref in data.package.tables else None
    if ref is None:
        return None
    if ref == names.MEETINGS:
        return meeting_href(value, up)
    return f"{table_href(ref, up)}#{row_anchor(value)}"


def _headers(fields: list[Field]) -> list[tuple[str, str, str]]:
    return [(f.title, "number" if f.type in NUMERIC_TYPES else "text", f.name) for f in fields]


def table_page(data: SiteData, table: Table) -> tuple[str, str, str]:
    """(title, body, description) of the page listing every row of ``table``."""
    targets = _fk_targets(data, table)
    fields = list(table.fields)
    rows = [
        (row_anchor(table.record_key(row)) if table.primary_key else "",
         [_cell(data, targets, table, f, row, "../") for f in fields])
        for row in data.rows[table.name]
    ]
    count = len(rows)
    body = (
        f"<h1>{esc(table.title)}</h1>\n<p>{esc(table.description)}</p>\n"
        f"<p>{count} {noun(count, 'row')}, from <code>{esc(table.path.name)}</code>. "
        "Click a column heading to sort; type in the box to filter.</p>\n"
        + data_table(f"{table.title}: all {count} rows", _headers(fields), rows,
                     table_id=f"t-{slug(table.name)}", interactive=True,
                     wide=_wide(fields, data.rows[table.name]))
        + legend(data, table, targets)
    )
    return table.title, body, f"{table.title}: {table.description}"


def _wide(fields: list[Field], rows: list[dict[str, str]]) -> list[bool]:
    """Columns holding prose (any value longer than LONG_TEXT characters)."""
    return [any(len(r.get(f.name) or "") > LONG_TEXT for r in rows) for f in fields]


def legend(data: SiteData, table: Table, targets: dict[str, str]) -> str:
    """Each field's title, name, description, category labels and key role."""
    items = []
    for f in table.fields:
        notes = []
        if f.name in table.primary_key:
            notes.append("Part of the primary key.")
        if f.name in targets:
            ref = data.package.tables[targets[f.name]]
            notes.append(f"Refers to {link(table_href(ref.name, '../'), ref.title)}.")
        cats = "".join(f"<li><code>{esc(v)}</code>{': ' + esc(lab) if lab else ''}</li>"
                       for v, lab in f.categories)
        items.append(
            f"<dt>{esc(f.title)} <code>{esc(f.name)}</code> <span class=\"type\">({esc(f.type)})</span></dt>\n"
            f"<dd>{esc(f.description)} {' '.join(notes)}"
            + (f'<ul class="categories">{cats}</ul>' if cats else "") + "</dd>"
        )
    return ('<section aria-labelledby="legend"><h2 id="legend">Fields</h2>\n<dl class="legend">\n'
            + "\n".join(items) + "\n</dl></section>\n")


def meeting_page(data: SiteData, row: dict[str, str]) -> tuple[str, str, str]:
    """(title, body, description) of one meeting's page: its details, then every row that refers
    to it."""
    meetings = data.meetings
    assert meetings is not None
    key = meetings.record_key(row)
    notes = Footnotes()
    title = meeting_label(row)
    body = [f"<h1>{esc(title)}</h1>\n", _details(data, meetings, row, notes)]
    for mlink in data.meeting_links:
        body.append(_section(data, mlink, key, notes))
    body.append('<section aria-labelledby="citations"><h2 id="citations">Citations</h2>\n'
                "<p>Each bracketed number beside a value links here: the source file, the lines "
                "that support the value, and how (verbatim, paraphrase or inferred).</p>\n"
                + notes.render() + "</section>\n")
    return title, "".join(body), _meeting_description(row, title)


def _meeting_description(row: dict[str, str], title: str) -> str:
    """What the meeting was, when and where (in words), then its description."""
    when = human_date(row.get(names.MEETING_DATE_START) or "")
    where = row.get(names.MEETING_CITY) or ""
    facts = ", ".join(x for x in (when, where) if x)
    return f"{title}{f' ({facts})' if facts else ''}. {row.get(names.MEETING_DESCRIPTION) or ''}".strip()


def _details(data: SiteData, table: Table, row: dict[str, str], notes: Footnotes) -> str:
    targets = _fk_targets(data, table)
    items = []
    for f in table.fields:
        value = row.get(f.name) or ""
        if not value:
            continue
        cell = _cell(data, targets, table, f, row, "../", named=True)
        items.append(f"<dt>{esc(f.title)}</dt><dd>{cell.html}{notes.markers(data.cites(table, row, f.name))}</dd>")
    whole = notes.markers(data.cites(table, row, ROW_LEVEL))
    record = f"<p>The record as a whole: {whole}</p>\n" if whole else ""
    return ('<section aria-labelledby="details"><h2 id="details">Details</h2>\n<dl class="details">\n'
            + "\n".join(items) + "\n</dl>\n" + record + "</section>\n")


def _section(data: SiteData, mlink: MeetingLink, key: str, notes: Footnotes) -> str:
    """The rows of one referring table, without the column that names this meeting."""
    table = mlink.table
    rows = data.referring(mlink, key)
    if not rows:
        return ""
    heading = table.title
    if table.name == names.MEETINGS or sum(1 for m in data.meeting_links if m.table is table) > 1:
        heading = f"{table.title} (by {table.field(mlink.field).title.lower()})"
    anchor = f"s-{slug(table.name)}-{slug(mlink.field)}"
    fields = [f for f in table.fields if f.name != mlink.field]
    headers, cells = _cited_rows(data, table, fields, rows, notes)
    head = f'<section aria-labelledby="{anchor}"><h2 id="{anchor}">{esc(heading)}</h2>\n'
    return head + data_table(f"{heading} at this meeting", headers, cells, table_id=f"{anchor}-table",
                             interactive=False, wide=_wide(fields, rows)) + "</section>\n"


def _cited_rows(data: SiteData, table: Table, fields: list[Field], rows: list[dict[str, str]],
                notes: Footnotes) -> tuple[list[tuple[str, str, str]], list[tuple[str, list[str | Cell]]]]:
    """Headers and cells with citation markers; a last column for citations of whole records."""
    targets = _fk_targets(data, table)
    headers = _headers(fields)
    whole = any(data.cites(table, r, ROW_LEVEL) for r in rows)
    if whole:
        headers.append(("Record cited", "text", ""))
    cells = []
    for r in rows:
        row_cells: list[str | Cell] = []
        for f in fields:
            cell = _cell(data, targets, table, f, r, "../", named=True)
            row_cells.append(replace(cell, html=cell.html + notes.markers(data.cites(table, r, f.name))))
        if whole:
            row_cells.append(notes.markers(data.cites(table, r, ROW_LEVEL)))
        cells.append(("", row_cells))
    return headers, cells
