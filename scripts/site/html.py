"""HTML building blocks shared by every page: the page frame, escaping, citation markers and the
data table the script makes sortable and filterable. Every text that came from the package goes
through :func:`esc`; nothing here emits inline scripts, styles or event handlers, so the strict
Content-Security-Policy below holds."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

from scripts.site.model import Citation, slug

CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'"


def esc(value: object) -> str:
    """Escape text for an HTML element or a double-quoted attribute."""
    return html.escape(str(value), quote=True)


def page(title: str, body: str, depth: int, *, footer: str) -> str:
    """A complete HTML document; ``depth`` is how many folders below the site root it lives."""
    up = "../" * depth
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        f"<title>{esc(title)}</title>\n"
        f'<link rel="stylesheet" href="{up}assets/site.css">\n'
        f'<script src="{up}assets/site.js" defer></script>\n'
        "</head>\n<body>\n"
        '<a class="skip" href="#main">Skip to content</a>\n'
        f'<header><nav aria-label="Site"><a href="{up}index.html">Home</a> · '
        f'<a href="{up}timeline.html">Timeline</a> · <a href="{up}trade.html">Trade figures</a></nav></header>\n'
        f'<main id="main">\n{body}</main>\n'
        f"<footer>{footer}</footer>\n</body>\n</html>\n"
    )


def link(href: str, text: str) -> str:
    """An anchor with escaped target and text."""
    return f'<a href="{esc(href)}">{esc(text)}</a>'


class Footnotes:
    """Numbers citations in order of first use on one page and renders them as a list, so each
    value's marker links to the source file, lines and kind of support."""

    def __init__(self) -> None:
        self._order: dict[str, tuple[int, Citation]] = {}

    def markers(self, cites: Sequence[Citation]) -> str:
        """Superscript links for ``cites`` (empty when there are none)."""
        if not cites:
            return ""
        parts = []
        for cite in cites:
            number, _ = self._order.setdefault(cite.citation_id, (len(self._order) + 1, cite))
            label = f"Citation {number}: {cite.file_name}, {cite.lines}, {cite.support}"
            parts.append(f'<a class="cite" href="#cite-{esc(slug(cite.citation_id))}" '
                         f'aria-label="{esc(label)}">[{number}]</a>')
        return '<sup class="cites">' + "".join(parts) + "</sup>"

    def render(self) -> str:
        """The numbered list of every citation used on the page."""
        if not self._order:
            return "<p>No citations.</p>\n"
        items = []
        for cid, (number, cite) in sorted(self._order.items(), key=lambda kv: kv[1][0]):
            evidence = f" — “{esc(cite.evidence)}”" if cite.evidence else ""
            items.append(
                f'<li id="cite-{esc(slug(cid))}" value="{number}"><span class="file">{esc(cite.file_name)}</span>, '
                f'<span class="lines">{esc(cite.lines)}</span>, '
                f'support: <span class="support">{esc(cite.support)}</span>{evidence} '
                f'<span class="cid">({esc(cid)})</span></li>'
            )
        return '<ol class="citations">\n' + "\n".join(items) + "\n</ol>\n"


def data_table(caption: str, headers: Sequence[Sequence[str]], rows: Iterable[tuple[str, Sequence[str]]],
               *, table_id: str, interactive: bool, wide: Sequence[bool] = ()) -> str:
    """A table of pre-escaped cells. ``headers`` are (title, type[, field name]); ``rows`` are
    (row id, cells). Interactive tables get sort buttons and a filter box (see site.js); columns
    flagged in ``wide`` (long texts) get room so rows do not grow tall."""
    opens = [' class="long"' if i < len(wide) and wide[i] else "" for i in range(len(headers))]
    head = "".join(_header(h, i, interactive) for i, h in enumerate(headers))
    body = "\n".join(
        (f'<tr id="{esc(rid)}">' if rid else "<tr>")
        + "".join(f"<td{opens[i]}>{cell}</td>" for i, cell in enumerate(cells)) + "</tr>"
        for rid, cells in rows
    )
    attrs = f' id="{esc(table_id)}"' + (' class="sortable" data-filter="filter-' + esc(table_id) + '"'
                                        if interactive else "")
    control = _filter_box(table_id) if interactive else ""
    return (
        f"{control}<div class=\"scroll\" role=\"region\" aria-label=\"{esc(caption)}\" tabindex=\"0\">"
        f"<table{attrs}>\n<caption>{esc(caption)}</caption>\n"
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table></div>\n"
    )


def _header(header: Sequence[str], index: int, interactive: bool) -> str:
    """A column heading; (title, type[, field name]). Sortable ones hold a button (keyboard
    reachable) and carry the field name so a link can ask for a sort (?sort=name)."""
    title, kind, *rest = header
    if not interactive:
        return f'<th scope="col">{esc(title)}</th>'
    key = f' data-key="{esc(rest[0])}"' if rest else ""
    return (f'<th scope="col" data-type="{esc(kind)}"{key}>'
            f'<button type="button" data-col="{index}">{esc(title)}</button></th>')


def _filter_box(table_id: str) -> str:
    fid = f"filter-{table_id}"
    return (
        f'<div class="filter"><label for="{esc(fid)}">Filter rows (matches any cell)</label> '
        f'<input type="search" id="{esc(fid)}" autocomplete="off"> '
        f'<output id="{esc(fid)}-count" aria-live="polite"></output></div>\n'
    )
