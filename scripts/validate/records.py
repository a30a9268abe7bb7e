"""Named rules between records: tables that answer the same question answer it the same way.

Each record can be typed, cited and true to its own lines and still contradict another record:
a meeting's chair against the chairmanship of its year, a statement dated outside the meeting it
was made at, a person signing for a state that is not theirs, a project described as "called
for" while the statement about it says "agreed", a meeting marked held though every source that
mentions it was written before it. These rules look across records. Like every rule they
register in the one registry (:mod:`.registry`, ``@rule``; their words are in
:mod:`scripts.model.catalogue`), read the frames read once, and yield ``(table, field, fails)``
masks that pandera reports. Honest exceptions belong in the data, never here.

Rules elsewhere are not repeated: a signature or document signed at a meeting is dated within
the meeting's dates (``signed_on_meeting_date``), chairs and hosts attend their meeting
(``chair_and_host_attend``), a status supported by a citation from before the event
(``status_as_of_source``, ``attendance_status_fits_sources``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scripts.model.dates import common_precision, polars_first_day, polars_last_day
from scripts.model.names import (
    ATTENDANCE,
    CHAIRMANSHIPS,
    CITATIONS,
    DOCUMENTS,
    MEETING_TOPICS,
    MEETINGS,
    MEMBERSHIPS,
    PERSONS,
    PROJECTS,
    SIGNATORIES,
    SOURCES,
    STATEMENTS,
)
from scripts.model.names import MEETING_FORMATS as FORMATS

from .columns import both, fails, lookup
from .frames import Frames
from .registry import RULES, Found, cached_masks, rule
from .rules import enum_values

if TYPE_CHECKING:
    import polars as pl

TOPICS = MEETING_TOPICS
SEP = "\x00"

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

# The words that give a statement's reading, one pattern per statement status (case-insensitive,
# whole words). Small on purpose: each entry is a verb the sources or the descriptions use.
READINGS: dict[str, str] = {
    "proposed": r"\b(?:propos(?:e|es|ed|ing|al|als)|recommend(?:s|ed|ing)?|suggest(?:s|ed|ing)?|put forward"
                r"|invit(?:e|es|ed|ing))\b",
    "called_for": r"\b(?:call(?:s|ed|ing)? for|urg(?:e|es|ed|ing)|argu(?:e|es|ed|ing) for|press(?:es|ed|ing)? for"
                  r"|(?:stress|underlin|highlight|emphasi[sz])\w* the (?:need|importance))\b",
    "hoped_for": r"\bhop(?:e|es|ed|ing)\b",
    "agreed": r"\b(?:agree(?:s|d)?|decid(?:e|es|ed|ing))\b",
    "assessed": r"\b(?:not(?:ed|ing)|judg(?:e|es|ed|ing)|assess(?:es|ed|ing)|describ(?:e|es|ed|ing)|saw"
                r"|pointed to|read)\b",
}
# Where a statement's project or document is named: (statements field, table it points into).
LINKS = (("project_id", PROJECTS), ("document_id", DOCUMENTS), ("in_document_id", DOCUMENTS))


def after(a: pl.Series, b: pl.Series) -> pl.Series:
    """True where ``a`` is certainly after ``b``: the first day ``a`` can mean is later than the last
    day ``b`` can mean ('2025' after '2024-08'; '2024' not after '2024-08'). Null reads as not after."""
    import polars as pl

    frame = pl.DataFrame({"a": a.cast(pl.String), "b": b.cast(pl.String)})
    return fails(frame.select(polars_first_day(pl.col("a")) > polars_last_day(pl.col("b"))).to_series())


def pairs(frame: pl.DataFrame, *columns: str) -> pl.Series:
    """Each row's ``columns`` joined into one text key (null when one of them is null)."""
    import polars as pl

    return frame.select(pl.concat_str(list(columns), separator=SEP)).to_series()


# --------------------------------------------------------------------------- knowledge horizon

def horizons(frames: Frames, tables: list[str]) -> dict[str, pl.Series]:
    """Each record's knowledge horizon, by table, as the last day it can mean: the latest date of
    any source cited for the record, whatever field the citation names. Null when a cited source
    has no date (the record's horizon is then unknown) or nothing cites the record
    (record_is_cited's)."""
    import polars as pl

    sources = frames.typed(SOURCES, "source_id", "published")
    last = sources.select("source_id", polars_last_day(pl.col("published")).alias("last"))
    cited = frames.citing(pl.col("table_name").is_in(tables), "table_name", "record_id", "source_id")
    latest = cited.join(last, on="source_id", how="left").group_by("table_name", "record_id").agg(
        pl.col("last").max().alias("horizon"), pl.col("last").is_null().any().alias("undated"))
    latest = latest.filter(~pl.col("undated")).with_columns(pl.col("horizon").cast(pl.String))
    by_table = latest.partition_by("table_name", as_dict=True, include_key=False)
    empty = latest.clear().drop("table_name")
    return {t: lookup(frames.keys(t), by_table.get((t,), empty)["record_id"], by_table.get((t,), empty)["horizon"])
            for t in tables}


def _reported_already(frames: Frames) -> dict[tuple[str, str], pl.Series]:
    """Cells the status rules already report, by (table, field): the horizon leaves them to them."""
    found: dict[tuple[str, str], pl.Series] = {}
    for name in STATUS_RULES:
        for (table, column), (mask, _) in cached_masks(frames, RULES[name]).items():
            key = (table, column)
            found[key] = found[key] | mask if key in found else mask
    return found


def _meeting_start(frames: Frames, table: str) -> pl.Series:
    meetings = frames.typed(MEETINGS)
    return lookup(frames.typed(table)["meeting_id"], meetings["meeting_id"], meetings["date_start"])


@rule(MEETINGS, ATTENDANCE, TOPICS, DOCUMENTS, SIGNATORIES, CHAIRMANSHIPS, MEMBERSHIPS, STATEMENTS, CITATIONS,
      SOURCES, targets=tuple(f"{t}.{f}" for t, f, *_ in HAPPENED) + tuple(f"{t}.{f}" for t, f in DATED))
def within_knowledge_horizon(frames: Frames) -> Found:
    """A record claims nothing after its knowledge horizon, the latest date of the sources cited for it.

    Refused: a held meeting, reported attendance, a discussed topic, a signed or adopted document
    or signature, a current chairmanship dated after the horizon; a membership as of, or a
    statement made, after it. Every citation of the record counts, whatever field it names.
    "After" means the first day the record's date can mean is later than the last day the horizon
    can mean. Why: a reduced date is a span of days, and a claim is refused only when no day of
    its span could lie within what its sources could know. A meeting dated '2024' from a source of
    '2024-08' may have been held (in January to August) and passes; one dated '2024-09' cannot and
    fails. (Years, months and days nest, so this equals comparing at the coarser precision, as
    status_as_of_source does. figure_not_after_report compares last day with last day instead: a
    figure's whole period must have ended, an event need only have happened.) A status a cited
    source already contradicts is status_as_of_source's or attendance_status_fits_sources's line,
    not reported twice."""
    already = _reported_already(frames)
    horizon = horizons(frames, [t for t, *_ in HAPPENED] + [t for t, _ in DATED])
    for table, status_field, statuses, own in HAPPENED:
        enum_values(frames, table, status_field, *statuses)
        rows = frames.typed(table)
        date = rows[own] if own else _meeting_start(frames, table)
        if own and "meeting_id" in rows.columns:
            date = date.fill_null(_meeting_start(frames, table))
        late = rows[status_field].is_in(list(statuses)) & after(date, horizon[table])
        yield table, status_field, fails(late) & ~already.get((table, status_field), late & False)
    for table, date_field in DATED:
        yield table, date_field, after(frames.typed(table)[date_field], horizon[table])


# --------------------------------------------------------------------------- who chaired

@rule(MEETINGS, CHAIRMANSHIPS, FORMATS, targets=("meetings.chair_state_id",))
def chair_agrees_with_chairmanship(frames: Frames) -> Found:
    """A meeting's chair is the state holding its format's chairmanship in the meeting's year.

    The chairmanship of a format covers the meetings of that format and of the formats directly
    under it (a ministers' meeting within the consultative process), compared by year. A held
    meeting in a chaired year with no chair_state_id leaves open what chairmanships answers: that
    is a disagreement too. A planned meeting may leave its chair open."""
    import polars as pl

    (held,) = enum_values(frames, MEETINGS, "status", "held")
    meetings, formats, chairs = frames.typed(MEETINGS), frames.typed(FORMATS), frames.typed(CHAIRMANSHIPS)
    year = meetings["date_start"].str.slice(0, 4)
    parent = lookup(meetings["format_id"], formats["format_id"], formats["parent_format_id"])
    by_year = pairs(chairs.with_columns(pl.col("period").str.slice(0, 4)), "format_id", "period")
    own = pairs(pl.DataFrame({"f": meetings["format_id"], "y": year}), "f", "y")
    above = pairs(pl.DataFrame({"f": parent, "y": year}), "f", "y")
    state = lookup(own, by_year, chairs["state_id"]).fill_null(lookup(above, by_year, chairs["state_id"]))
    chair = meetings["chair_state_id"]
    open_ = (meetings["status"] == held) & chair.is_null()
    yield MEETINGS, "chair_state_id", fails(state.is_not_null() & (open_ | (chair != state)))


@rule(MEETINGS, ATTENDANCE, targets=("attendance.role", "meetings.chair_state_id"))
def chair_role_agrees(frames: Frames) -> Found:
    """The attendance role 'chair' belongs to the meeting's chair state, and the chair state has it.

    Attendance and meetings both answer who chaired a meeting. A state whose attendance says
    'chair' while the meeting names another chair or none is a second answer; so is a chair state
    that attends without the role (a chair state absent from attendance is chair_and_host_attend's)."""
    (chair_role,) = enum_values(frames, ATTENDANCE, "role", "chair")
    meetings, attendance = frames.typed(MEETINGS), frames.typed(ATTENDANCE)
    chair = lookup(attendance["meeting_id"], meetings["meeting_id"], meetings["chair_state_id"])
    is_chair = attendance["role"] == chair_role
    yield ATTENDANCE, "role", fails(is_chair & (chair.is_null() | (chair != attendance["state_id"])))
    attending = pairs(attendance, "meeting_id", "state_id")
    as_chair = attending.filter(fails(is_chair))
    wanted = pairs(meetings, "meeting_id", "chair_state_id")
    attends = wanted.is_in(attending.implode())
    yield MEETINGS, "chair_state_id", fails(attends & ~wanted.is_in(as_chair.implode()))


# --------------------------------------------------------------------------- when it was said

@rule(STATEMENTS, MEETINGS, targets=("statements.statement_date",))
def said_within_meeting_dates(frames: Frames) -> Found:
    """A statement is dated within the dates of the meeting it was made at, or not after one it preceded.

    Each pair of dates is compared at the coarser precision ('2024-08' is within a meeting of
    '2024-08-09'). Signatures and documents signed at a meeting are signed_on_meeting_date's."""
    at, ahead = enum_values(frames, STATEMENTS, "meeting_relation", "at", "ahead_of")
    meetings, statements = frames.typed(MEETINGS), frames.typed(STATEMENTS)
    start, end = meetings["date_start"], meetings["date_end"].fill_null(meetings["date_start"])
    first = lookup(statements["meeting_id"], meetings["meeting_id"], start)
    last = lookup(statements["meeting_id"], meetings["meeting_id"], end)
    date, relation = statements["statement_date"], statements["meeting_relation"]
    a, lo = common_precision(date, first)
    b, hi = common_precision(date, last)
    outside = both(a, lo) & ((a < lo) | (b > hi))
    yield STATEMENTS, "statement_date", fails(((relation == at) & outside) | ((relation == ahead) & (a > lo)))


# --------------------------------------------------------------------------- who acted for whom

@rule(ATTENDANCE, STATEMENTS, SIGNATORIES, PERSONS, MEMBERSHIPS,
      targets=("attendance.person_id", "statements.person_id", "document_signatories.person_id"))
def acts_for_own_state(frames: Frames) -> Found:
    """A person attends, speaks or signs for their own state (persons.state_id or a membership's).

    Why: a leader listed under another state's attendance, statement or signature is a false claim
    about who acted for whom."""
    import polars as pl

    persons, memberships = frames.typed(PERSONS), frames.typed(MEMBERSHIPS)
    own = pl.concat([persons.select("person_id", "state_id"), memberships.select("person_id", "state_id")])
    known = pairs(own.drop_nulls(), "person_id", "state_id").implode()
    for table in (ATTENDANCE, STATEMENTS, SIGNATORIES):
        rows = frames.typed(table)
        acting = both(rows["person_id"], rows["state_id"])
        yield table, "person_id", fails(acting & ~pairs(rows, "person_id", "state_id").is_in(known))


@rule(SIGNATORIES, MEMBERSHIPS, targets=("document_signatories.capacity_office_id",))
def capacity_is_held(frames: Frames) -> Found:
    """A signature's capacity is an office the signer holds in memberships, as of no later than the act.

    "Later" as for the knowledge horizon: the first day the membership's as_of can mean is after
    the last day the signature date can mean. An expected signature has no date: only the office
    is checked."""
    signatures, memberships = frames.typed(SIGNATORIES), frames.typed(MEMBERSHIPS)
    wanted = pairs(signatures, "person_id", "capacity_office_id")
    held = pairs(memberships, "person_id", "office_id")
    as_of = lookup(wanted, held, memberships["as_of"])
    missing = wanted.is_not_null() & ~wanted.is_in(held.implode())
    yield SIGNATORIES, "capacity_office_id", fails(missing) | after(as_of, signatures["signature_date"])


# --------------------------------------------------------------------------- one reading per sentence

def _readings(text: pl.Series, status: pl.Series) -> pl.Series:
    """True where ``text`` uses a status verb (READINGS) and none of them is ``status``'s."""
    import polars as pl

    frame = pl.DataFrame({"text": text, "status": status})
    uses = {s: pl.col("text").str.contains("(?i)" + pattern).fill_null(False) for s, pattern in READINGS.items()}
    any_ = pl.any_horizontal(list(uses.values()))
    own = pl.any_horizontal([(pl.col("status") == s) & used for s, used in uses.items()])
    return fails(frame.select(any_ & ~own.fill_null(False)).to_series())


def _linked_descriptions(frames: Frames, field: str, table: str) -> pl.DataFrame:
    """(statement_id, status, description) of each statement and the description of the record its
    ``field`` points to, where a citation of each names the same source and overlapping lines."""
    import polars as pl

    # the raw citations of two small tables, lines cast here: the whole typed table is provenance's
    lines = (pl.col("line_start").cast(pl.Int64, strict=False), pl.col("line_end").cast(pl.Int64, strict=False))
    cited = frames.citing(pl.col("table_name").is_in([STATEMENTS, table]), "table_name", "record_id", "source_id",
                          "line_start", "line_end").with_columns(*lines)
    said = cited.filter(pl.col("table_name") == STATEMENTS).select(
        pl.col("record_id").alias("statement_id"), "source_id", pl.col("line_start").alias("a0"),
        pl.col("line_end").alias("a1"))
    named = cited.filter(pl.col("table_name") == table).select(
        pl.col("record_id").alias("target"), "source_id", pl.col("line_start").alias("b0"),
        pl.col("line_end").alias("b1"))
    statements = frames.typed(STATEMENTS).select("statement_id", "status", pl.col(field).alias("target"))
    shared = statements.drop_nulls("target").join(said, on="statement_id").join(named, on=["target", "source_id"])
    shared = shared.filter((pl.col("a0") <= pl.col("b1")) & (pl.col("b0") <= pl.col("a1")))
    shared = shared.select("statement_id", "status", "target").unique(maintain_order=True)
    description = lookup(shared["target"], frames.keys(table), frames.column(table, "description"))
    return shared.with_columns(description.alias("description"))


@rule(STATEMENTS, DOCUMENTS, PROJECTS, CITATIONS, targets=("statements.status",))
def one_reading_per_sentence(frames: Frames) -> Found:
    """One act has one reading: a statement's status agrees with the verbs that describe the same act.

    Why: a statement saying 'agreed' and the project it is about saying 'called for' give a query
    on either table a different answer about one sentence of a source. Mechanics: READINGS holds a
    few verbs per statement status ('called for', 'stressed the need' for called_for; 'agreed',
    'decided' for agreed; 'noted', 'judged' for assessed; ...). A text that uses any of them must
    use one of the statement's own status. The texts are the statement's description, and the
    description of the project or document it is about or was made in, but only where a citation
    of the statement and one of that record name the same source and overlapping lines: then both
    describe the same sentence. Limits: a description that tells several acts passes if any of its
    verbs matches the status; a verb outside READINGS, a negation ('did not agree') or a topic
    (what was said, not how) is not seen; the words are English."""
    import polars as pl

    statements = frames.typed(STATEMENTS)
    wrong = statements["statement_id"].filter(_readings(frames.column(STATEMENTS, "description"), statements["status"]))
    for field, table in LINKS:
        linked = _linked_descriptions(frames, field, table)
        wrong = pl.concat([wrong, linked["statement_id"].filter(_readings(linked["description"], linked["status"]))])
    yield STATEMENTS, "status", frames.keys(STATEMENTS).is_in(wrong.unique().implode())
