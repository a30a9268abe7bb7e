"""The leaders page: the release's ``leaders`` view (:mod:`scripts.model.views`) as a table, each
person linked to their row, each state to its row, dates in words beside the stored text."""

from __future__ import annotations

from scripts.model import names, views
from scripts.model.dates import human_date, precision
from scripts.site.html import Cell, data_table, esc, link
from scripts.site.model import SiteData
from scripts.site.pages import row_anchor, table_href

HEADERS = [("Person", "text", names.PERSON_ID), ("Office", "text", names.OFFICE_ID),
           ("State", "text", names.STATE_ID), ("In office as of", "text", names.AS_OF),
           ("As stored", "text", "as_of_text"), ("Precision", "text", "precision"),
           ("Date inferred?", "text", names.IS_AS_OF_INFERRED)]


def _row(row: dict[str, str]) -> tuple[str, list[str | Cell]]:
    person = link(f"{table_href(names.PERSONS, '')}#{row_anchor(row[names.PERSON_ID])}",
                  row[names.FULL_NAME] or row[names.PERSON_ID])
    state = link(f"{table_href(names.STATES, '')}#{row_anchor(row[names.STATE_ID])}",
                 row["state_name"] or row[names.STATE_ID]) if row[names.STATE_ID] else ""
    as_of = row[names.AS_OF]
    return (f"leader-{row[names.PERSON_ID]}.{row[names.OFFICE_ID]}",
            [person, esc(row["office_title"] or row[names.OFFICE_ID]), state,
             Cell(esc(human_date(as_of)), sort=as_of), Cell(esc(as_of), "key"), esc(precision(as_of) or ""),
             esc(row[names.IS_AS_OF_INFERRED])])


def leaders_page(data: SiteData) -> tuple[str, str, str]:
    """(title, body, description) of leaders.html (a short note when the package has no such view)."""
    available = views.leaders_available({t.name: t.field_names for t in data.package.tables.values()})
    rows = views.leaders_rows(data.rows) if available else []
    kinds = " or ".join(k.replace("_", " ") for k in views.LEADER_KINDS)
    body = (
        f"<h1>{views.LEADERS_TITLE}</h1>\n"
        f"<p>Every person the data places in an office of the kind {esc(kinds)} (the offices table's "
        f"{link(table_href(names.OFFICES, ''), 'kind of office')}), with the state and the date as of which "
        "a source places them in it: the earliest such date, not the start of the term, which the sources "
        "do not give. The release's SQLite database has the same rows as the view "
        f"<code>{views.LEADERS}</code>.</p>\n"
        + (data_table(f"{views.LEADERS_TITLE}: {len(rows)} rows", HEADERS, [_row(r) for r in rows],
                      table_id="leaders-table", interactive=True)
           if available else "<p>This package has no persons, offices and memberships to draw leaders from.</p>\n")
    )
    return views.LEADERS_TITLE, body, views.LEADERS_DESCRIPTION
