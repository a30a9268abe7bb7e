"""Views the release offers over the tables, defined once: the SQL for SQLite and the same rows in
Python for the site, so the two cannot disagree.

``leaders``: every person the data places in a head-of-state or head-of-government office, with
the office, the state and the date as of which a source places them in it. Which offices count is
the offices table's to say (its ``office_kind``), never a list of people: a new president in
``memberships`` is a leader as soon as the office is of a leader's kind. The date is the
membership's ``as_of`` (the earliest date a source places the person in the post: not the start
of the term, which the sources do not give), with its precision and interval in SQLite.
"""

from __future__ import annotations

from scripts.model import names

LEADER_KINDS = ("head_of_state", "head_of_government")  # the offices table's kinds that make a leader
LEADERS = "leaders"
LEADERS_TITLE = "Leaders"
LEADERS_DESCRIPTION = ("Persons in a head-of-state or head-of-government office (by the offices table's "
                       "office_kind), with the office, the state and the date as of which a source places "
                       "them in it. Derived from persons, memberships, offices and states.")
# (column, the table and column it comes from), in order; the view's columns and the site's.
LEADER_COLUMNS = (
    (names.PERSON_ID, names.MEMBERSHIPS, names.PERSON_ID),
    (names.FULL_NAME, names.PERSONS, names.FULL_NAME),
    (names.OFFICE_ID, names.MEMBERSHIPS, names.OFFICE_ID),
    ("office_title", names.OFFICES, names.OFFICE_TITLE),
    (names.OFFICE_KIND, names.OFFICES, names.OFFICE_KIND),
    (names.STATE_ID, names.MEMBERSHIPS, names.STATE_ID),
    ("state_name", names.STATES, names.STATE_NAME),
    (names.AS_OF, names.MEMBERSHIPS, names.AS_OF),
    (names.IS_AS_OF_INFERRED, names.MEMBERSHIPS, names.IS_AS_OF_INFERRED),
)
ORDER = (names.STATE_ID, names.PERSON_ID, names.OFFICE_ID)
ALIASES = {names.MEMBERSHIPS: "m", names.PERSONS: "p", names.OFFICES: "o", names.STATES: "s"}


def leaders_available(tables: dict[str, list[str]]) -> bool:
    """Does a package whose tables have these fields (table name → field names) hold every column
    the view reads? (A stranger's package may lack them; it then has no leaders view.)"""
    needed = {(t, c) for _, t, c in LEADER_COLUMNS} | {(names.OFFICES, names.OFFICE_KIND),
                                                          (names.PERSONS, names.PERSON_ID),
                                                          (names.STATES, names.STATE_ID)}
    return all(column in tables.get(table, ()) for table, column in needed)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def leaders_sql(extra_columns: tuple[str, ...] = ()) -> str:
    """``CREATE VIEW leaders``; ``extra_columns`` are further memberships columns (the derived
    ``as_of_*`` columns SQLite carries), placed after ``as_of``."""
    picked = []
    for column, table, source in LEADER_COLUMNS:
        picked.append(f"{ALIASES[table]}.{_q(source)} AS {_q(column)}")
        if column == names.AS_OF:
            picked += [f"m.{_q(c)} AS {_q(c)}" for c in extra_columns]
    kinds = ", ".join("'" + k + "'" for k in LEADER_KINDS)
    return (f"CREATE VIEW {_q(LEADERS)} AS SELECT {', '.join(picked)}\n"
            f"FROM {_q(names.MEMBERSHIPS)} AS m\n"
            f"JOIN {_q(names.PERSONS)} AS p ON p.{_q(names.PERSON_ID)} = m.{_q(names.PERSON_ID)}\n"
            f"JOIN {_q(names.OFFICES)} AS o ON o.{_q(names.OFFICE_ID)} = m.{_q(names.OFFICE_ID)}\n"
            f"LEFT JOIN {_q(names.STATES)} AS s ON s.{_q(names.STATE_ID)} = m.{_q(names.STATE_ID)}\n"
            f"WHERE o.{_q(names.OFFICE_KIND)} IN ({kinds})\n"
            f"ORDER BY {', '.join(f'm.{_q(c)}' for c in ORDER)}")


def leaders_rows(rows: dict[str, list[dict[str, str]]]) -> list[dict[str, str]]:
    """The view's rows from the tables' CSV rows (text cells, "" when missing), in its order."""
    by_key = {
        names.PERSONS: {r[names.PERSON_ID]: r for r in rows.get(names.PERSONS, [])},
        names.OFFICES: {r[names.OFFICE_ID]: r for r in rows.get(names.OFFICES, [])},
        names.STATES: {r[names.STATE_ID]: r for r in rows.get(names.STATES, [])},
    }
    out = []
    for membership in rows.get(names.MEMBERSHIPS, []):
        office = by_key[names.OFFICES].get(membership.get(names.OFFICE_ID) or "")
        person = by_key[names.PERSONS].get(membership.get(names.PERSON_ID) or "")
        if office is None or person is None or office.get(names.OFFICE_KIND) not in LEADER_KINDS:
            continue
        joined = {names.MEMBERSHIPS: membership, names.PERSONS: person, names.OFFICES: office,
                  names.STATES: by_key[names.STATES].get(membership.get(names.STATE_ID) or "", {})}
        out.append({column: joined[table].get(source) or "" for column, table, source in LEADER_COLUMNS})
    return sorted(out, key=lambda r: tuple(r[c] for c in ORDER))
