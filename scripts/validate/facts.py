"""Named rules about what the data claims, not its form: figures, statuses, inference and identity.

A value can be typed, keyed and cited and still be false: a figure dated after the report that
gives it, a meeting marked held on the word of a preview, an inference flagged in one place and
not another. These rules catch such claims. They register in the one registry
(:mod:`.registry`, ``@rule``; their words are in :mod:`scripts.model.catalogue`), work on the
frames read once, and yield ``(table, field, fails)`` masks like every other rule. Honest
exceptions belong in the data, never here.

Rules already in :mod:`.rules` are not repeated: ``clean_text``, ``state_codes_are_iso3166``,
``person_is_one_row``, ``attendance_status_fits_sources`` (expected/reported attendance against
its sources) and ``inference_is_explained`` (a marked inference has a note). Rules between records
(who acted for which state, who chaired, the knowledge horizon) are in :mod:`.records`. A ``verbatim``
citation's evidence is proved word for word by provenance (``citation-evidence-missing``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scripts.model.dates import common_precision, polars_last_day
from scripts.model.names import (
    ATTENDANCE,
    CITATIONS,
    DOCUMENTS,
    INDICATORS,
    MEETING_TOPICS,
    MEETINGS,
    SIGNATORIES,
    SOURCES,
    STATEMENTS,
)
from scripts.model.names import INFERENCE_NOTE as NOTE
from scripts.model.package import Package

from .columns import blank, both, fails, lookup
from .frames import Frames
from .registry import Found, rule
from .rules import _keyed, enum_values, is_inference_flag, keyed_tables

if TYPE_CHECKING:
    import polars as pl

# --------------------------------------------------------------------------- names, in one place
# (the tables rules.py also names are imported from there)
TOPICS = MEETING_TOPICS
INFERRED, ACTUAL = "inferred", "actual"
GROWTH_SUFFIX = "_growth"  # intraregional_trade_growth is measured against intraregional_trade
BASELINE_SAME = ("scope", "state_id", "partner_state_id")


class AsOf:
    """A status a source can only report once the event happened: (table, status field, values a
    source dated before the event may support, the record's own date field or None, further fields
    whose citations also support the status)."""

    # The event's date is the record's own date field when set, else its meeting's start. A status
    # is supported by citations naming it or naming no field; when it is part of the primary key
    # (meeting_topics.claim), by every citation of the record. Attendance is absent:
    # attendance_status_fits_sources in rules.py checks it both ways.
    STATUSES: tuple[tuple[str, str, tuple[str, ...], str | None, tuple[str, ...]], ...] = (
        (MEETINGS, "status", ("planned", "postponed", "cancelled"), "date_start", ()),
        (SIGNATORIES, "signature_status", ("expected",), "signature_date", ()),
        (DOCUMENTS, "status", ("proposed", "hoped_for"), "status_date", ()),
        (TOPICS, "claim", ("announced",), None, ()),
        (STATEMENTS, "meeting_relation", ("ahead_of",), None, ("meeting_id", "statement_date")),
    )
    PLANNED, REPORTED = "planned", "reported"


# An is_X_inferred flag qualifies the field X, X_id, X_state_id, X_start or X_end of its table;
# the few whose field has another name are listed here.
IRREGULAR_FLAGS: dict[tuple[str, str], tuple[str, ...]] = {
    (STATEMENTS, "is_date_inferred"): ("statement_date",),
    (SIGNATORIES, "is_capacity_inferred"): ("capacity_office_id",),
}
FLAG_SUFFIXES = ("", "_id", "_state_id", "_start", "_end")


# --------------------------------------------------------------------------- dates

@rule(INDICATORS, SOURCES, targets=("indicators.period_end", "indicators.period_start"))
def figure_not_after_report(frames: Frames) -> Found:
    """An actual figure's period ends on or before the date of the source that reports it.

    The period's last day may not be later than the last day the source's date allows: '2024' from
    a source of '2024-08' fails (the year had not ended), '2024-08-09' from one of '2024-08' passes.
    Cutting both to the coarser precision would let the first through, which is the case to catch."""
    import polars as pl

    (actual,) = enum_values(frames, INDICATORS, "value_kind", ACTUAL)
    indicators = frames.typed(INDICATORS, "source_id", "period_start", "period_end", "value_kind")
    sources = frames.typed(SOURCES, "source_id", "published")
    published = lookup(indicators["source_id"], sources["source_id"], sources["published"])
    end = indicators["period_end"].fill_null(indicators["period_start"])
    frame = pl.DataFrame({"end": end, "published": published, "kind": indicators["value_kind"]})
    after = polars_last_day(pl.col("end")) > polars_last_day(pl.col("published"))
    late = frame.select((pl.col("kind") == actual) & after)
    late = fails(late.to_series())
    has_end = indicators["period_end"].is_not_null()
    yield INDICATORS, "period_end", late & has_end
    yield INDICATORS, "period_start", late & ~has_end


# --------------------------------------------------------------------------- statuses as of sources

def _supporting(frames: Frames, table: str, fields: tuple[str, ...]) -> pl.DataFrame:
    """Citations supporting a record's status (naming one of ``fields``, or the whole record; any
    citation when the status is part of the key), with their source's date: columns
    ``record_id`` and ``published``."""
    import polars as pl

    sources = frames.typed(SOURCES, "source_id", "published")
    named = pl.col("field_name").fill_null("").is_in(["", *fields])
    if fields[0] in frames.table(table).primary_key:
        named = pl.lit(True)
    cited = frames.citing((pl.col("table_name") == table) & named, "record_id", "source_id")
    return pl.DataFrame({"record_id": cited["record_id"],
                         "published": lookup(cited["source_id"], sources["source_id"], sources["published"])})


def _event_date(frames: Frames, table: str, own: str | None) -> pl.Series:
    """When the record's event happened: its own date field when set, else its meeting's start."""
    meetings = frames.typed(MEETINGS, "meeting_id", "date_start")
    rows = frames.typed(table, "meeting_id", *([own] if own else []))
    meeting = lookup(rows["meeting_id"], meetings["meeting_id"], meetings["date_start"])
    return rows[own].fill_null(meeting) if own else meeting


def _reported_before(frames: Frames, table: str, status_field: str, allowed: tuple[str, ...],
                     own: str | None, also: tuple[str, ...]) -> pl.Series:
    """Rows whose status (outside ``allowed``) is supported by a source dated before the event."""
    import polars as pl

    rows = frames.typed(table, status_field)
    happened = ~rows[status_field].is_in(list(allowed)) & rows[status_field].is_not_null()
    events = pl.DataFrame({"record_id": frames.keys(table), "date": _event_date(frames, table, own)})
    joined = _supporting(frames, table, (status_field, *also)).join(events.filter(happened), on="record_id")
    published, date = common_precision(joined["published"], joined["date"])
    early = joined["record_id"].filter(fails(both(published, date) & (published < date)))
    return frames.keys(table).is_in(early.unique().implode())


@rule(MEETINGS, ATTENDANCE, SIGNATORIES, DOCUMENTS, TOPICS, STATEMENTS, CITATIONS, SOURCES,
      targets=lambda package: [*((t, f) for t, f, *_ in AsOf.STATUSES), (ATTENDANCE, "attendance_status")])
def status_as_of_source(frames: Frames) -> Found:
    """A status is as of its source: a source dated before an event cannot say it happened.

    Nothing is held, signed, adopted, discussed or said at a meeting on the word of a source dated
    before it (compared at the coarser precision), and a planned meeting has no reported
    attendance. A preview supports only the statuses listed as allowed in AsOf.STATUSES."""
    for table, status_field, allowed, own, also in AsOf.STATUSES:
        enum_values(frames, table, status_field, *allowed)
        yield table, status_field, _reported_before(frames, table, status_field, allowed, own, also)
    yield ATTENDANCE, "attendance_status", _reported_at_planned(frames)


def _reported_at_planned(frames: Frames) -> pl.Series:
    """Reported attendance at a planned meeting, unless a source dated before the meeting is cited
    for it: attendance_status_fits_sources reports that cell already (one mistake, one line)."""
    enum_values(frames, MEETINGS, "status", AsOf.PLANNED)
    (expected, reported) = enum_values(frames, ATTENDANCE, "attendance_status", "expected", AsOf.REPORTED)
    meetings = frames.text(MEETINGS, "meeting_id", "status")
    attendance = frames.text(ATTENDANCE, "meeting_id", "attendance_status")
    status = lookup(attendance["meeting_id"], meetings["meeting_id"], meetings["status"])
    early = _reported_before(frames, ATTENDANCE, "attendance_status", (expected,), None, ())
    return fails((status == AsOf.PLANNED) & (attendance["attendance_status"] == reported)) & ~early


# --------------------------------------------------------------------------- inference marked one way

def flag_fields(package: Package, table: str) -> dict[str, tuple[str, ...]]:
    """Each boolean ``is_X_inferred`` field of ``table`` and the fields it qualifies.

    Raises ValueError for a flag that qualifies no field, so that a new flag cannot slip by."""
    found = {}
    names = package.table(table).field_names
    for fld in package.table(table).fields:
        if not is_inference_flag(fld):
            continue
        stem = fld.name.removeprefix("is_").removesuffix("_inferred")
        fields = IRREGULAR_FLAGS.get((table, fld.name)) or tuple(
            stem + suffix for suffix in FLAG_SUFFIXES if stem + suffix in names)
        if not fields:
            raise ValueError(f"{table}.{fld.name} qualifies no field: add it to IRREGULAR_FLAGS in "
                             "scripts/validate/facts.py")
        found[fld.name] = fields
    return found


def _marking_targets(package: Package) -> list[tuple[str, str]]:
    """Where inference_marked_one_way reports: every flag of a keyed table, and its inference note."""
    found = []
    for table in _keyed(package):
        found.extend((table.name, flag) for flag in flag_fields(package, table.name))
        if NOTE in table.field_names:
            found.append((table.name, NOTE))
    return found


def _inferred_keys(citations: pl.DataFrame, fields: list[str] | None) -> pl.Series:
    """Records with an inferred citation naming one of ``fields`` (None: naming no field)."""
    import polars as pl

    field = pl.col("field_name").fill_null("")
    named = (field == "") if fields is None else field.is_in(fields)
    return citations.filter(named)["record_id"].unique()


@rule("*", CITATIONS, targets=lambda package: _marking_targets(package))
def inference_marked_one_way(frames: Frames) -> Found:
    """Inference is marked in one way: flag, inferred citation and inference note, all or none.

    An ``is_..._inferred`` flag is set exactly when a citation of its field (or of the whole
    record) is ``inferred``, and an inference note stands only beside a set flag or an inferred
    citation (a flag or inferred citation without a note is inference_is_explained's)."""
    import polars as pl

    (support,) = enum_values(frames, CITATIONS, "support", INFERRED)
    by_table = frames.citing_by_table(pl.col("support") == support, "field_name", "record_id")
    for name in keyed_tables(frames):
        table = frames.table(name)
        flags = flag_fields(frames.package, name)
        keys, typed, inferred = frames.keys(name), frames.typed(name, *flags), by_table[name]
        whole = keys.is_in(_inferred_keys(inferred, None).implode())
        marked = keys.is_in(inferred["record_id"].implode())
        for flag, fields in flags.items():
            named = keys.is_in(_inferred_keys(inferred, list(fields)).implode())
            flagged = typed[flag].fill_null(False)
            marked = marked | flagged
            yield name, flag, (flagged & ~(named | whole)) | (~flagged & named)
        if NOTE in table.field_names:
            yield name, NOTE, ~marked & ~frames.cells(name, NOTE, blank)


# --------------------------------------------------------------------------- baselines

@rule(INDICATORS, targets=("indicators.baseline_observation_id",))
def baseline_comparable(frames: Frames) -> Found:
    """A figure's baseline has the same indicator family, scope and states as the figure.

    intraregional_trade_growth is measured against intraregional_trade: a rate against another
    series, region or pair of states compares things that do not go together."""
    import polars as pl

    indicators = frames.text(INDICATORS, "indicator_code", *BASELINE_SAME, "baseline_observation_id", "observation_id")
    family = pl.col("indicator_code").str.replace(f"{GROWTH_SUFFIX}$", "")
    identity = indicators.select(pl.concat_str([family, *(pl.col(c).fill_null("") for c in BASELINE_SAME)],
                                               separator="\x00")).to_series()
    base = indicators["baseline_observation_id"]
    theirs = lookup(base, indicators["observation_id"], identity)
    yield INDICATORS, "baseline_observation_id", fails(theirs.is_not_null() & (theirs != identity))
