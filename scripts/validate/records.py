"""Named rules between records: tables that answer the same question answer it the same way.

Each record can be typed, cited and true to its own lines and still contradict another record:
a meeting's chair against the chairmanship of its year, a statement dated outside the meeting it
was made at, a person signing for a state that is not theirs, a project described as "called
for" while the statement about it says "agreed", a meeting marked held though every source that
mentions it was written before it. These rules look across records. Like every rule they
register in the one registry of :mod:`.rules` (``@rule``), read the frames read once, and yield
``(table, field, fails)`` masks. Honest exceptions belong in the data, never here.

Rules elsewhere are not repeated: a signature or document signed at a meeting is dated within
the meeting's dates (``signed_on_meeting_date``), chairs and hosts attend their meeting
(``chair_and_host_attend``), a status supported by a citation from before the event
(``status_as_of_source``, ``attendance_status_fits_sources``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .columns import fails, lookup
from .facts import MEMBERSHIPS, STATEMENTS, TOPICS, last_day
from .frames import Frames
from .rules import ATTENDANCE, CITATIONS, DOCUMENTS, MEETINGS, RULES, SIGNATORIES, SOURCES, Found, enum_values, rule

if TYPE_CHECKING:
    import polars as pl

CHAIRMANSHIPS = "chairmanships"

# A claim that something happened, by table: (status field, the statuses that say it happened,
# the record's own date field or None for its meeting's start). The field reported is the status.
HAPPENED: tuple[tuple[str, str, tuple[str, ...], str | None], ...] = (
    (MEETINGS, "status", ("held",), "date_start"),
    (ATTENDANCE, "attendance_status", ("reported",), None),
    (TOPICS, "claim", ("discussed",), None),
    (DOCUMENTS, "status", ("signed", "adopted"), "status_date"),
    (SIGNATORIES, "signature_status", ("signed",), "signature_date"),
    (CHAIRMANSHIPS, "status", ("current",), "period"),
)
# A date that is itself the claim: (table, date field).
DATED: tuple[tuple[str, str], ...] = ((MEMBERSHIPS, "as_of"), (STATEMENTS, "statement_date"))
# Rules that already report a status a cited source contradicts (one mistake, one line).
STATUS_RULES = ("status_as_of_source", "attendance_status_fits_sources")

def first_day(text: pl.Expr) -> pl.Expr:
    """The first day a reduced date covers: '2024' -> 2024-01-01, '2024-08' -> 2024-08-01."""
    import polars as pl

    width = text.str.len_chars()
    padded = pl.when(width == 4).then(text + "-01-01").when(width == 7).then(text + "-01").otherwise(text)
    return padded.str.to_date("%Y-%m-%d", strict=False)


def after(a: pl.Series, b: pl.Series) -> pl.Series:
    """True where ``a`` is certainly after ``b``: the first day ``a`` can mean is later than the last
    day ``b`` can mean ('2025' after '2024-08'; '2024' not after '2024-08'). Null reads as not after."""
    import polars as pl

    frame = pl.DataFrame({"a": a.cast(pl.String), "b": b.cast(pl.String)})
    return fails(frame.select(first_day(pl.col("a")) > last_day(pl.col("b"))).to_series())


# --------------------------------------------------------------------------- knowledge horizon

def horizon(frames: Frames, table: str) -> pl.Series:
    """Each record's knowledge horizon, as the last day it can mean: the latest date of any source
    cited for the record, whatever field the citation names. Null when a cited source has no date
    (the record's horizon is then unknown) or nothing cites the record (record_is_cited's)."""
    import polars as pl

    sources = frames.typed(SOURCES)
    last = sources.select("source_id", last_day(pl.col("published")).alias("last"))
    cited = frames.raw[CITATIONS].filter(pl.col("table_name") == table).select("record_id", "source_id")
    latest = cited.join(last, on="source_id", how="left").group_by("record_id").agg(
        pl.col("last").max().alias("horizon"), pl.col("last").is_null().any().alias("undated"))
    latest = latest.filter(~pl.col("undated"))
    return lookup(frames.keys(table), latest["record_id"], latest["horizon"].cast(pl.String))


def _reported_already(frames: Frames) -> dict[tuple[str, str], pl.Series]:
    """Cells the status rules already report, by (table, field): the horizon leaves them to them."""
    found: dict[tuple[str, str], pl.Series] = {}
    for name in STATUS_RULES:
        for table, column, mask in RULES[name].func(frames):
            key = (table, column)
            found[key] = found[key] | mask if key in found else mask
    return found


def _meeting_start(frames: Frames, table: str) -> pl.Series:
    meetings = frames.typed(MEETINGS)
    return lookup(frames.typed(table)["meeting_id"], meetings["meeting_id"], meetings["date_start"])


@rule(MEETINGS, ATTENDANCE, TOPICS, DOCUMENTS, SIGNATORIES, CHAIRMANSHIPS, MEMBERSHIPS, STATEMENTS, CITATIONS,
      SOURCES, hint="nothing in a record may run past the latest source cited for it: cite a source from after "
                    "the event, or record only what was expected, planned or announced (and date it no later)")
def within_knowledge_horizon(frames: Frames) -> Found:
    """A record claims nothing after its knowledge horizon, the latest date of the sources cited for it.

    Refused: a held meeting, reported attendance, a discussed topic, a signed or adopted document
    or signature, a current chairmanship dated after the horizon; a membership as of, or a
    statement made, after it. Every citation of the record counts, whatever field it names.
    "After" means the first day the record's date can mean is later than the last day the horizon
    can mean: a claim dated '2024' from a source of '2024-08' may be true (the event can lie in
    January to August), one dated '2024-09' cannot. Comparing at the coarser precision would let
    '2024-09' against '2024-08-09' through as well as refuse nothing wrongly, but it could not
    tell '2024' from '2024-08'; the two ends decide it exactly. A status a cited source already
    contradicts is reported by status_as_of_source or attendance_status_fits_sources, not twice."""
    already = _reported_already(frames)
    for table, status_field, statuses, own in HAPPENED:
        enum_values(frames, table, status_field, *statuses)
        rows = frames.typed(table)
        date = rows[own] if own else _meeting_start(frames, table)
        if own and "meeting_id" in rows.columns:
            date = date.fill_null(_meeting_start(frames, table))
        late = rows[status_field].is_in(list(statuses)) & after(date, horizon(frames, table))
        yield table, status_field, fails(late) & ~already.get((table, status_field), late & False)
    for table, date_field in DATED:
        yield table, date_field, after(frames.typed(table)[date_field], horizon(frames, table))
