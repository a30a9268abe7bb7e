"""HTML building blocks shared by every page: the page frame, escaping, citation markers and the
data table the script makes sortable and filterable. Every text that came from the package goes
through :func:`esc`; nothing here emits inline scripts, styles or event handlers, so the strict
Content-Security-Policy below holds. The one inline element is the index's JSON-LD, a data block
the browser never runs (``type="application/ld+json"``), its ``<``, ``>`` and ``&`` written as
JSON escapes so no value can end it (:func:`json_ld`)."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from scripts.site.model import Citation, slug

CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'"
DESCRIPTION_CHARS = 300  # search engines show about this much of a page's description
JSON_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}
NAV = (("index.html", "Home"), ("index.html#downloads", "Downloads"), ("leaders.html", "Leaders"),
       ("timeline.html", "Timeline"), ("trade.html", "Trade figures"))


def esc(value: object) -> str:
    """Escape text for an HTML element or a double-quoted attribute."""
    return html.escape(str(value), quote=True)


def summary(text: str, limit: int = DESCRIPTION_CHARS) -> str:
    """``text`` on one line, cut at a word before ``limit`` characters (with an ellipsis)."""
    words = " ".join(str(text).split())
    if len(words) <= limit:
        return words
    return words[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def json_ld(text: str) -> str:
    """A JSON-LD data block. The JSON is escaped again here, whoever made it: ``<``, ``>`` and
    ``&`` (which JSON has only inside strings) become JSON escapes, so ``</script>`` in a value
    cannot end the element; escaping twice changes nothing."""
    for char, escaped in JSON_UNSAFE.items():
        text = text.replace(char, escaped)
    return f'<script type="application/ld+json">\n{text.strip()}\n</script>\n'


def page(title: str, body: str, depth: int, *, footer: str, description: str, head: str = "") -> str:
    """A complete HTML document; ``depth`` is how many folders below the site root it lives,
    ``description`` its summary for search engines (one line), ``head`` extra elements."""
    up = "../" * depth
    nav = " · ".join(f'<a href="{up}{href}">{label}</a>' for href, label in NAV)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        f"<title>{esc(title)}</title>\n"
        f'<meta name="description" content="{esc(summary(description))}">\n'
        f'<link rel="stylesheet" href="{up}assets/site.css">\n'
        f'<script src="{up}assets/site.js" defer></script>\n'
        f"{head}</head>\n<body>\n"
        '<a class="skip" href="#main">Skip to content</a>\n'
        f'<header><nav aria-label="Site">{nav}</nav></header>\n'
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


@dataclass(frozen=True)
class Cell:
    """A pre-escaped cell with a class (``key``: an id that must not wrap; ``figure``) and the
    text the script sorts it by when that differs from what it shows (a figure with its unit)."""

    html: str
    css: str = ""
    sort: str | None = None


def _td(cell: str | Cell, wide: bool) -> str:
    if not isinstance(cell, Cell):
        cell = Cell(cell)
    classes = " ".join(c for c in (cell.css, "long" if wide else "") if c)
    attrs = (f' class="{classes}"' if classes else "") + (f' data-sort="{esc(cell.sort)}"' if cell.sort is not None
                                                           else "")
    return f"<td{attrs}>{cell.html}</td>"


def data_table(caption: str, headers: Sequence[Sequence[str]], rows: Iterable[tuple[str, Sequence[str | Cell]]],
               *, table_id: str, interactive: bool, wide: Sequence[bool] = (), css: str = "") -> str:
    """A table of pre-escaped cells (text or :class:`Cell`). ``headers`` are (title, type[, field
    name]); ``rows`` are (row id, cells). Interactive tables get sort buttons and a filter box (see
    site.js); columns flagged in ``wide`` (long texts) get room so rows do not grow tall."""
    head = "".join(_header(h, i, interactive) for i, h in enumerate(headers))
    body = "\n".join(
        (f'<tr id="{esc(rid)}">' if rid else "<tr>")
        + "".join(_td(cell, i < len(wide) and wide[i]) for i, cell in enumerate(cells)) + "</tr>"
        for rid, cells in rows
    )
    classes = " ".join(c for c in ("sortable" if interactive else "", css) if c)
    attrs = f' id="{esc(table_id)}"' + (f' class="{classes}"' if classes else "") + (
        ' data-filter="filter-' + esc(table_id) + '"' if interactive else "")
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
