"""The home page: what the dataset is, its downloads, how to cite it, its sources, and links to
every page. It embeds the release's schema.org JSON-LD (see :func:`scripts.site.html.json_ld`)."""

from __future__ import annotations

from typing import Any

from scripts.model.dates import human_date, human_span
from scripts.model.downloads import Downloads, unreleased
from scripts.model.meta import PackageMeta, citation_text, package_meta
from scripts.model.values import web_url  # only web addresses become links, never javascript: or data:
from scripts.site import names
from scripts.site.downloads import downloads_section
from scripts.site.figures import timeline_items
from scripts.site.html import data_table, esc, link
from scripts.site.model import SiteData, SiteDataError, meeting_label
from scripts.site.pages import meeting_href, table_href

CITATION_FILE = "CITATION.cff"


def release_meta(data: SiteData) -> PackageMeta:
    """The release record, which the citation and the downloads need (SiteDataError without it)."""
    try:
        return package_meta(data.package)
    except KeyError as exc:
        raise SiteDataError(f"datapackage.json has no top-level {exc} (needed to cite the dataset)") from None


def reference(data: SiteData) -> str:
    """The recommended citation: the release record's (:func:`scripts.model.meta.citation_text`),
    the same words as CITATION.cff, the SQLite ``_metadata`` and the Datasette pages."""
    return citation_text(release_meta(data))


def index_page(data: SiteData, downloads: Downloads | None = None) -> tuple[str, str, str]:
    """(title, body, description) of index.html; without ``downloads`` (no release), the files
    are listed by name."""
    desc = data.package.descriptor
    title = data.package.title
    meta = release_meta(data)
    body = (
        f"<h1>{esc(title)}</h1>\n<p>{esc(desc.get('description', ''))}</p>\n"
        + _facts(desc)
        + downloads_section(meta, downloads or unreleased(meta, data.package.tables))
        + '<section aria-labelledby="cite"><h2 id="cite">How to cite</h2>\n'
        f'<p class="reference">{esc(reference(data))}</p>\n'
        f"<p>The same reference in machine-readable form is in <code>{CITATION_FILE}</code>.</p></section>\n"
        + '<section aria-labelledby="figures"><h2 id="figures">Figures and views</h2>\n<ul>'
        f"<li>{link('leaders.html', 'Leaders: heads of state and government, with their state and dates')}</li>"
        f"<li>{link('timeline.html', 'Timeline of the meetings')}</li>"
        f"<li>{link('trade.html', 'Reported trade figures, labelled by source')}</li></ul></section>\n"
        + _sources(data) + _tables(data) + _meetings(data)
    )
    return title, body, str(desc.get("description", ""))


def _facts(desc: dict[str, Any]) -> str:
    licences = ", ".join(
        f'<a href="{esc(x["path"])}">{esc(x.get("title") or x.get("name", ""))}</a>' if web_url(x.get("path"))
        else esc(x.get("title") or x.get("name", "")) for x in desc.get("licenses", []) if isinstance(x, dict))
    created = str(desc.get("created", ""))
    released = f'<time datetime="{esc(created[:10])}">{esc(human_date(created))}</time>' if created else ""
    rows = [("Version", esc(desc.get("version", ""))), ("Released", released),
            ("Data licence", licences), ("Keywords", esc(", ".join(desc.get("keywords", []))))]
    return '<dl class="facts">' + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows if v) + "</dl>\n"


def _sources(data: SiteData) -> str:
    table = data.package.tables.get(names.SOURCES)
    if table is None:
        return ""
    fields = [table.field(n) for n in names.SOURCE_INDEX_FIELDS if n in table.field_names]
    rows = [(f"src-{i}", [f"<code>{esc(r.get(f.name, ''))}</code>" if f.name != names.SOURCE_TITLE
                          else esc(r.get(f.name, "")) for f in fields] + [source_place(r)])
            for i, r in enumerate(data.rows[table.name], 1)]
    return ('<section aria-labelledby="sources"><h2 id="sources">Sources</h2>\n'
            "<p>The texts are not part of the dataset; their checksums identify the exact versions "
            "cited. Where each was published is given only where the text itself says so. "
            f"Details: {link(table_href(table.name, ''), table.title)}.</p>\n"
            + data_table("The source texts", [(f.title, "text") for f in fields] + [("Published where", "text")], rows,
                         table_id="sources-list", interactive=False) + "</section>\n")


def source_place(row: dict[str, str]) -> str:
    """Where a source appeared: its outlet, its web address (a link only when it is a web address)
    and when it was accessed; the fields the sources table leaves empty rather than guess."""
    outlet, url = row.get(names.SOURCE_OUTLET) or "", row.get(names.SOURCE_URL) or ""
    accessed = row.get(names.SOURCE_ACCESSED) or ""
    parts = [esc(outlet)] if outlet else []
    if url:
        parts.append(link(url, url) if web_url(url) else esc(url))
    if accessed:
        parts.append(f"accessed {esc(human_date(accessed))}")
    return ", ".join(parts) or "not stated in the text"


def _tables(data: SiteData) -> str:
    items = "".join(
        f"<li>{link(table_href(t.name, ''), t.title)} — {len(data.rows[t.name])} rows. {esc(t.description)}</li>\n"
        for t in data.package.tables.values())
    return ('<section aria-labelledby="tables"><h2 id="tables">Tables</h2>\n'
            f'<ul class="tables">\n{items}</ul></section>\n')


def _meetings(data: SiteData) -> str:
    meetings = data.meetings
    if meetings is None:
        return ""
    dated, undated = timeline_items(data, "")
    items = [f"<li>{link(i.href, i.label)} <span class=\"date\">({esc(human_span(*i.span.text.split(' to ')))})"
             "</span></li>" for i in dated]
    items += [f"<li>{link(meeting_href(meetings.record_key(r), ''), meeting_label(r))} "
              '<span class="date">(not dated)</span></li>' for r in undated]
    return ('<section aria-labelledby="meetings"><h2 id="meetings">Meetings</h2>\n'
            "<p>Each page gathers what the dataset records about one meeting, with citations.</p>\n"
            '<ul class="meetings">\n' + "\n".join(items) + "\n</ul></section>\n")
