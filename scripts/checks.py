"""Pandera checks: the Table Schemas translated once, plus the rules a Table Schema cannot express.

Two parts, one place:

* :func:`table_schema` turns a :class:`~scripts.package.Table` into a pandera ``DataFrameSchema``
  (dtype, required, unique, enum, pattern, minimum/maximum, minLength/maxLength, primary key),
  so a constraint is written once, in ``schemas/*.json``.
* :data:`RULES` registers the semantic rules (dates are real, ordinals increase, every record is
  cited, ...). Each is a function named after the rule, with a docstring saying why it exists; it
  returns, for each (table, field) it speaks about, a boolean Series (True = passes) aligned with
  that table's rows. :func:`table_schema` attaches every mask to its column as a pandera check of
  the same name, so one ``validate`` call per table reports schema and rule failures alike.

Every check is vectorised: validating a million indicator rows must stay cheap next to
frictionless. Heavy libraries are imported inside functions so that importing this module is free.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from scripts.package import KEY_SEPARATOR, Field, Package, Table
from scripts.report import Problem

if TYPE_CHECKING:
    import pandas as pd
    import pandera.pandas as pa

Masks = dict[tuple[str, str], list[tuple[str, Any]]]

# A reduced-precision date field is a string field whose pattern accepts all three precisions
# and rejects what is no date (a slug pattern accepts the three shapes too, but also a month 13).
DATE_SHAPES = ("2024", "2024-08", "2024-08-09")
NOT_DATES = ("2024-13", "2024-08-9", "date")
FULL_DATE = r"\d{4}-\d{2}-\d{2}"
PANDAS_DTYPES = {"integer": "Int64", "number": "Float64", "boolean": "boolean"}

# Plausible values of an indicator by (unit, scale): (lowest, highest), both inclusive. Anything
# outside is most likely a figure in the wrong unit or scale; a pair missing here never goes together.
PLAUSIBLE_RANGES: dict[tuple[str, str], tuple[float, float]] = {
    # Percentages (shares and growth rates): a growth above 1000 % is a slipped decimal point.
    ("percent", "one"): (0, 1000),
    # Money in billions: a Central Asian GDP or trade figure lies between a million dollars (0.001)
    # and world GDP (about 100,000 billion); larger means the scale was applied twice.
    ("USD", "billion"): (0.001, 100_000),
    # Money in dollars: below a million is a figure whose scale was dropped.
    ("USD", "one"): (1_000_000, 1e14),
    # Counts of trips or trains: whole milestones up to ten million.
    ("count", "one"): (1, 10_000_000),
}


def is_reduced_date(fld: Field) -> bool:
    """True for string fields whose pattern accepts a year, a month and a day (ISO 8601 reduced)
    and nothing else that looks like a date."""
    if fld.type != "string" or not fld.pattern:
        return False
    pattern = re.compile(fld.pattern)
    return all(pattern.fullmatch(s) for s in DATE_SHAPES) and not any(pattern.fullmatch(s) for s in NOT_DATES)


def enum_values(table: Table, name: str, *values: str) -> tuple[str, ...]:
    """Return ``values`` after checking that the field's enum still holds them.

    Rules must name a few enum values (``signed``, ``target``); this makes a renamed value in a
    schema fail loudly instead of silently turning a rule off.
    """
    enum = table.field(name).enum or []
    missing = [v for v in values if v not in enum]
    if missing:
        raise ValueError(f"{table.name}.{name} has no enum value {missing}: update scripts/checks.py")
    return values


# --------------------------------------------------------------------------- reading frames

def read_frame(table: Table, data: bytes) -> pd.DataFrame:
    """Read CSV bytes as text cells with the schema's column names, one row per CSV record.

    Every cell stays a string (``dtype=str``, no NA guessing, so 'NA' is a value). Blank lines
    are kept as rows so that index + 2 is the spreadsheet row frictionless reports. Ragged rows
    are cut or padded, and a header that differs from the schema is matched by position when it
    has as many columns (as frictionless does) and by name otherwise: header and cell-count
    problems are frictionless's to report; here they must not hide every other check.
    """
    import pandas as pd

    names = table.field_names
    options: dict[str, Any] = dict(dtype=str, keep_default_na=False, na_filter=False,
                                   skip_blank_lines=False, index_col=False, encoding="utf-8",
                                   encoding_errors="replace")
    try:
        with warnings.catch_warnings():  # a short header loses extra cells: frictionless reports them
            warnings.simplefilter("ignore", pd.errors.ParserWarning)
            frame = pd.read_csv(io.BytesIO(data), **options)
    except pd.errors.EmptyDataError:
        return pd.DataFrame({name: pd.Series([], dtype=str) for name in names})
    except pd.errors.ParserError:
        width = len(data.split(b"\n", 1)[0].split(b","))
        frame = pd.read_csv(io.BytesIO(data), engine="python", on_bad_lines=lambda cells: cells[:width],
                            **options)
    frame.columns = [str(c).lstrip("\ufeff") for c in frame.columns]
    if list(frame.columns) != names:
        if len(frame.columns) == len(names):
            frame.columns = names
        else:
            frame = frame.reindex(columns=names, fill_value="")
    return frame.fillna("").astype(str)


def typed_frame(table: Table, raw: pd.DataFrame) -> pd.DataFrame:
    """Cast raw text cells to their Table Schema types; missing values and bad cells become NA.

    Casting failures are not reported here: frictionless reports them as type errors, and an NA
    cell then only trips ``required``, which validation folds into that type error.
    """
    import pandas as pd

    columns = {}
    for fld in table.fields:
        text = raw[fld.name]
        text = text.mask(text.isin(table.missing_values))
        if fld.type in ("integer", "number"):
            number = pd.to_numeric(text, errors="coerce")
            if fld.type == "integer":
                number = number.where(number % 1 == 0)
            columns[fld.name] = number.astype(PANDAS_DTYPES[fld.type])
        elif fld.type == "boolean":
            mapping = {**dict.fromkeys(fld.true_values, True), **dict.fromkeys(fld.false_values, False)}
            columns[fld.name] = text.map(mapping).astype("boolean")
        else:
            columns[fld.name] = text
    return pd.DataFrame(columns, index=raw.index)


@dataclass
class Frames:
    """The package's tables as frames, read once and shared by every rule.

    ``raw`` holds the text cells of each readable table; tables whose file could not be read are
    absent, and rules that need them are skipped (the unreadable file is the problem to report).
    """

    package: Package
    raw: dict[str, pd.DataFrame]
    _typed: dict[str, pd.DataFrame] = field(default_factory=dict)

    def typed(self, name: str) -> pd.DataFrame:
        if name not in self._typed:
            self._typed[name] = typed_frame(self.package.table(name), self.raw[name])
        return self._typed[name]

    def table(self, name: str) -> Table:
        return self.package.table(name)

    def keys(self, name: str) -> pd.Series:
        """Each row's record key as citations write it (primary key values joined by '/')."""
        table, raw = self.table(name), self.raw[name]
        key = raw[table.primary_key[0]]
        for column in table.primary_key[1:]:
            key = key + KEY_SEPARATOR + raw[column]
        return key


# --------------------------------------------------------------------------- Table Schema -> pandera

def field_checks(fld: Field) -> list[pa.Check]:
    """The pandera checks a field's Table Schema constraints call for, named after the constraint."""
    import pandera.pandas as pa

    checks = []
    if fld.enum is not None:
        checks.append(pa.Check.isin(fld.enum, error="enum"))
    if fld.pattern:
        checks.append(pa.Check(_full_match(re.compile(fld.pattern)), name="pattern"))
    if fld.type in ("integer", "number"):
        if fld.minimum is not None:
            checks.append(pa.Check.ge(fld.minimum, error="minimum"))
        if fld.maximum is not None:
            checks.append(pa.Check.le(fld.maximum, error="maximum"))
    if fld.type == "string" and (fld.min_length is not None or fld.max_length is not None):
        checks.append(pa.Check.str_length(fld.min_length, fld.max_length, error="length"))
    return checks


def _full_match(pattern: re.Pattern[str]) -> Callable[[pd.Series], pd.Series]:
    """A vectorised Table Schema pattern test: the regex runs once per distinct value, since key
    and code columns repeat a few values over many rows."""

    def check(series: pd.Series) -> pd.Series:
        import numpy as np
        import pandas as pd

        codes, distinct = pd.factorize(series)
        matches = np.fromiter((pattern.fullmatch(str(v)) is not None for v in distinct), bool, len(distinct))
        return pd.Series(np.where(codes >= 0, matches[codes], True), index=series.index)

    return check


def _precomputed(mask: pd.Series) -> Callable[[pd.Series], pd.Series]:
    """A pandera check whose answer a rule already computed from several tables at once."""

    def check(series: pd.Series) -> pd.Series:
        return mask if mask.index.equals(series.index) else mask.reindex(series.index, fill_value=True)

    return check


def table_schema(table: Table, masks: Masks | None = None) -> pa.DataFrameSchema:
    """The pandera schema of a table, derived from its Table Schema, for :func:`typed_frame` output.

    ``masks`` (from :func:`rule_masks`) adds the semantic rules as named column checks.
    """
    import pandera.pandas as pa

    masks = masks or {}
    columns = {}
    for fld in table.fields:
        checks = field_checks(fld)
        for name, mask in masks.get((table.name, fld.name), []):
            checks.append(pa.Check(_precomputed(mask), name=name, ignore_na=False))
        columns[fld.name] = pa.Column(PANDAS_DTYPES.get(fld.type, str), nullable=not fld.required,
                                      unique=fld.unique, report_duplicates="exclude_first", checks=checks)
    return pa.DataFrameSchema(columns, strict=True, ordered=True, name=table.name,
                              unique=list(table.primary_key) or None, report_duplicates="exclude_first")


# --------------------------------------------------------------------------- semantic rules

@dataclass(frozen=True)
class Rule:
    """A rule a Table Schema cannot express: its name is the one reports and tests use."""

    name: str
    func: Callable[[Frames], Iterator[tuple[str, str, Any]]]
    needs: tuple[str, ...]
    hint: str

    @property
    def summary(self) -> str:
        return (self.func.__doc__ or self.name).strip().splitlines()[0]


RULES: dict[str, Rule] = {}


def rule(*needs: str, hint: str) -> Callable:
    """Register a rule under its function's name; ``needs`` are the tables it reads ('*' = all)."""

    def register(func: Callable) -> Callable:
        RULES[func.__name__] = Rule(func.__name__, func, needs, hint)
        return func

    return register


def rule_masks(frames: Frames) -> Masks:
    """Run every rule whose tables could be read; collect its masks by (table, field)."""
    masks: Masks = {}
    available = set(frames.raw)
    for item in RULES.values():
        needs = set(frames.package.tables) if item.needs == ("*",) else set(item.needs)
        if not needs <= available:
            continue
        for table, column, mask in item.func(frames):
            masks.setdefault((table, column), []).append((item.name, mask))
    return masks


def _common_precision(a: pd.Series, b: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Cut two columns of ISO dates to the coarser precision of each pair ('2024-08' vs '2024')."""
    import numpy as np

    width = np.minimum(a.str.len().fillna(10), b.str.len().fillna(10))
    a, b = a.copy(), b.copy()
    for size in (4, 7):
        cut = width == size
        a[cut], b[cut] = a[cut].str[:size], b[cut].str[:size]
    return a, b


def _present(*columns: pd.Series) -> pd.Series:
    present = columns[0].notna()
    for column in columns[1:]:
        present &= column.notna()
    return present


def _lookup(keys: pd.Series, values: pd.Series, wanted: pd.Series) -> pd.Series:
    """``values`` by ``keys`` for each item of ``wanted`` (NA when absent); duplicate keys keep the first."""
    table = values.set_axis(keys)
    table = table[~table.index.duplicated()]
    return wanted.map(table)


@rule(hint="write a real calendar date (February has 28 or 29 days, April 30)")
def dates_are_real(frames: Frames) -> Iterator[tuple[str, str, Any]]:
    """A day-precision date is a real calendar day (no 2022-02-30), which a pattern cannot check."""
    import pandas as pd

    for name, raw in frames.raw.items():
        for fld in frames.table(name).fields:
            if not is_reduced_date(fld):
                continue
            text = raw[fld.name]
            day = text.str.fullmatch(FULL_DATE)
            if not day.any():
                continue
            parsed = pd.to_datetime(text.where(day), format="%Y-%m-%d", errors="coerce")
            yield name, fld.name, ~(day & parsed.isna())


@rule(hint="put the earlier date in the *_start field and the later one in *_end")
def date_ranges_ordered(frames: Frames) -> Iterator[tuple[str, str, Any]]:
    """A range ends on or after its start (X_end >= X_start, compared at the coarser precision)."""
    for name in frames.raw:
        table = frames.table(name)
        dates = {f.name for f in table.fields if is_reduced_date(f)}
        for end in sorted(dates):
            start = end[: -len("_end")] + "_start"
            if not end.endswith("_end") or start not in dates:
                continue
            typed = frames.typed(name)
            a, b = _common_precision(typed[start], typed[end])
            yield name, end, ~(_present(a, b) & (b < a)).fillna(False)


@rule("meetings", hint="each meeting of a format has its own number: check the ordinal and format_id")
def ordinals_unique_per_format(frames: Frames) -> Iterator[tuple[str, str, Any]]:
    """Two meetings of one format cannot both be its n-th (the later row in the file is reported)."""
    meetings = frames.typed("meetings")
    numbered = meetings["ordinal"].notna()
    duplicate = meetings[numbered].duplicated(["format_id", "ordinal"], keep="first")
    yield "meetings", "ordinal", ~duplicate.reindex(meetings.index, fill_value=False)


@rule("meetings", hint="a higher ordinal cannot predate a lower one: check the ordinal and date_start")
def ordinals_increase_with_date(frames: Frames) -> Iterator[tuple[str, str, Any]]:
    """Within a format, the n+1-th meeting does not start before the n-th (coarser precision)."""
    meetings = frames.typed("meetings")
    dated = meetings[meetings["ordinal"].notna() & meetings["date_start"].notna()]
    dated = dated.sort_values(["format_id", "ordinal"], kind="stable")
    previous = dated.groupby("format_id")["date_start"].shift()
    a, b = _common_precision(previous, dated["date_start"])
    earlier = (_present(a, b) & (b < a)).fillna(False)
    yield "meetings", "ordinal", ~earlier.reindex(meetings.index, fill_value=False)


@rule("meetings", "attendance", hint="add the state to attendance for this meeting, or fix the state code")
def chair_and_host_attend(frames: Frames) -> Iterator[tuple[str, str, Any]]:
    """A meeting's chair and host states are among the states attending it (any attendance status)."""
    meetings, attendance = frames.raw["meetings"], frames.raw["attendance"]
    attending = set(zip(attendance["meeting_id"], attendance["state_id"], strict=True))
    for column in ("chair_state_id", "host_state_id"):
        pairs = zip(meetings["meeting_id"], meetings[column], strict=True)
        ok = [state == "" or (meeting, state) in attending for meeting, state in pairs]
        yield "meetings", column, _series(ok, meetings.index)


def _series(values: list[bool], index: Any) -> pd.Series:
    import pandas as pd

    return pd.Series(values, index=index, dtype=bool)


@rule("attendance", "citations", "sources", "meetings",
      hint="'expected' needs a source from before the meeting, 'reported' one from after it")
def attendance_status_fits_sources(frames: Frames) -> Iterator[tuple[str, str, Any]]:
    """An 'expected' attendance is cited only from sources published on or before the meeting date,
    and a 'reported' one only from sources published on or after it (coarser precision).

    A claim is as of its source's date: a preview cannot report and a report cannot expect. Only
    citations of the whole record or of its attendance_status count; a citation of the leader's
    name may come from any source.
    """
    expected, reported = enum_values(frames.table("attendance"), "attendance_status", "expected", "reported")
    attendance = frames.raw["attendance"]
    keys = frames.keys("attendance")
    citations = frames.raw["citations"]
    cited = citations[(citations["table_name"] == "attendance")
                      & citations["field_name"].isin(["", "attendance_status"])]
    sources, meetings = frames.typed("sources"), frames.typed("meetings")
    record = cited["record_id"]
    published = _lookup(sources["source_id"], sources["published"], cited["source_id"])
    status = _lookup(keys, attendance["attendance_status"], record)
    meeting = _lookup(keys, attendance["meeting_id"], record)
    held = _lookup(meetings["meeting_id"], meetings["date_start"], meeting)
    pub, day = _common_precision(published, held)
    known = _present(pub, day)
    wrong = known & (((status == expected) & (pub > day)) | ((status == reported) & (pub < day)))
    bad_records = set(record[wrong.fillna(False)])
    yield "attendance", "attendance_status", ~keys.isin(bad_records)


@rule("documents", "document_signatories", "meetings",
      hint="use the meeting's date (at the same or a coarser precision) or fix meeting_id")
def signed_on_meeting_date(frames: Frames) -> Iterator[tuple[str, str, Any]]:
    """Signing or adopting at a meeting happens on that meeting's date.

    A signatory row 'signed' with a meeting carries a signature_date, and a document 'signed' or
    'adopted' with a meeting carries a status_date, within the meeting's dates when both are cut
    to the coarser precision. Meetings without a date are not checked.
    """
    meetings = frames.typed("meetings")
    start = meetings["date_start"]
    end = meetings["date_end"].fillna(start)
    documents = frames.table("documents")
    for name, date_field, status_field, statuses in (
        ("document_signatories", "signature_date", "signature_status",
         enum_values(frames.table("document_signatories"), "signature_status", "signed")),
        ("documents", "status_date", "status", enum_values(documents, "status", "signed", "adopted")),
    ):
        rows = frames.typed(name)
        at = rows["meeting_id"]
        first = _lookup(meetings["meeting_id"], start, at)
        last = _lookup(meetings["meeting_id"], end, at)
        applies = rows[status_field].isin(statuses) & at.notna() & first.notna()
        date = rows[date_field]
        a, lo = _common_precision(date, first)
        b, hi = _common_precision(date, last)
        inside = date.notna() & (a >= lo) & (b <= hi)
        yield name, date_field, ~(applies & ~inside.fillna(False))


@rule("indicators", hint="a target's period_start must come after the period of its baseline actual")
def target_after_baseline(frames: Frames) -> Iterator[tuple[str, str, Any]]:
    """A target with a period points to a later period than the actual it is set against."""
    indicators = frames.typed("indicators")
    (target,) = enum_values(frames.table("indicators"), "value_kind", "target")
    base_period = indicators["period_end"].fillna(indicators["period_start"])
    baseline_end = _lookup(indicators["observation_id"], base_period, indicators["baseline_observation_id"])
    period, base = _common_precision(indicators["period_start"], baseline_end)
    applies = (indicators["value_kind"] == target) & _present(period, base)
    yield "indicators", "period_start", ~(applies & (period <= base)).fillna(False)


@rule("indicators", hint="point baseline_observation_id at an observation whose value_kind is 'actual'")
def baseline_is_actual(frames: Frames) -> Iterator[tuple[str, str, Any]]:
    """A baseline is an actual figure: a target or growth rate is set against an outcome, not a goal."""
    indicators = frames.raw["indicators"]
    (actual,) = enum_values(frames.table("indicators"), "value_kind", "actual")
    kind = _lookup(indicators["observation_id"], indicators["value_kind"], indicators["baseline_observation_id"])
    wrong = (indicators["baseline_observation_id"] != "") & kind.notna() & (kind != actual)
    yield "indicators", "baseline_observation_id", ~wrong


@rule("indicators", hint="check the unit and scale: see PLAUSIBLE_RANGES in scripts/checks.py")
def value_in_plausible_range(frames: Frames) -> Iterator[tuple[str, str, Any]]:
    """A figure lies in the plausible range of its unit and scale (PLAUSIBLE_RANGES): percentages in
    0..1000, money and counts within bounds that catch a wrong or doubled scale."""
    import pandas as pd

    indicators = frames.typed("indicators")
    low = pd.Series(float("nan"), index=indicators.index)
    high = low.copy()
    for (unit, scale), (lo, hi) in PLAUSIBLE_RANGES.items():
        match = (indicators["unit"] == unit) & (indicators["scale"] == scale)
        low[match.fillna(False)], high[match.fillna(False)] = lo, hi
    value = indicators["value"].astype("float64")
    table = frames.table("indicators")
    # a unit or scale outside its enum is the schema's error to report, not an implausible value
    checked = (indicators["value"].notna() & indicators["unit"].isin(table.field("unit").enum or [])
               & indicators["scale"].isin(table.field("scale").enum or []))
    inside = (value >= low) & (value <= high)
    yield "indicators", "value", ~(checked & ~inside).fillna(False)


@rule("*", hint="add a row to citations naming this table and record, with the source lines")
def record_is_cited(frames: Frames) -> Iterator[tuple[str, str, Any]]:
    """Every record of every table (but citations) is cited at least once: a fact without a source
    cannot be checked."""
    citations = frames.raw["citations"]
    for name in frames.raw:
        table = frames.table(name)
        if name == "citations" or not table.primary_key:
            continue
        cited = citations.loc[citations["table_name"] == name, "record_id"]
        yield name, table.primary_key[0], frames.keys(name).isin(set(cited))


@rule("*", hint="say in inference_note how the inferred value follows from the cited lines")
def inference_is_explained(frames: Frames) -> Iterator[tuple[str, str, Any]]:
    """A record that marks a value as inferred (an ``is_*_inferred`` flag set, or an ``inferred``
    citation) explains the inference in its inference_note: a reader must be able to redo the
    reasoning, not only see that there was some."""
    citations = frames.raw["citations"]
    support = enum_values(frames.table("citations"), "support", "inferred")[0]
    inferred = citations[citations["support"] == support]
    for name, raw in frames.raw.items():
        table = frames.table(name)
        if "inference_note" not in table.field_names:
            continue
        needs = frames.keys(name).isin(set(inferred.loc[inferred["table_name"] == name, "record_id"]))
        for fld in table.fields:
            if fld.type == "boolean" and fld.name.startswith("is_") and fld.name.endswith("_inferred"):
                needs |= raw[fld.name].isin(fld.true_values)
        yield name, "inference_note", ~needs | (raw["inference_note"].str.strip() != "")


@rule("*", hint="write the cited record's primary key exactly, several fields joined by '/'")
def citation_record_exists(frames: Frames) -> Iterator[tuple[str, str, Any]]:
    """A citation points to a record that exists (table_name + record_id)."""
    citations = frames.raw["citations"]
    ok = _series([True] * len(citations), citations.index)
    for name in frames.raw:
        if name == "citations" or not frames.table(name).primary_key:
            continue
        these = citations["table_name"] == name
        ok[these] = citations.loc[these, "record_id"].isin(set(frames.keys(name)))
    yield "citations", "record_id", ok


# --------------------------------------------------------------------------- running the checks

DERIVED_RULES = {"not_nullable": "required", "field_uniqueness": "unique",
                 "multiple_fields_uniqueness": "primary-key-duplicate"}
HINTS = {
    "required": "fill in the value: this field is required",
    "unique": "each value may occur once in this column",
    "primary-key-duplicate": "each record needs its own primary key",
    "enum": "use one of the values the schema lists for this field",
    "pattern": "write the value in the form the schema's pattern gives",
    "minimum": "the value is below the schema's minimum",
    "maximum": "the value is above the schema's maximum",
    "length": "shorten or lengthen the text to the schema's limits",
}


def check_tables(frames: Frames) -> list[Problem]:
    """Validate every readable table with its derived pandera schema and the semantic rules."""
    import pandera.pandas as pa

    masks = rule_masks(frames)
    problems: list[Problem] = []
    for name in frames.raw:
        table = frames.table(name)
        try:
            table_schema(table, masks).validate(frames.typed(name), lazy=True)
        except pa.errors.SchemaErrors as exc:
            file = table.path.relative_to(frames.package.root).as_posix()
            problems.extend(_problems(table, file, frames.raw[name], exc.failure_cases))
    return problems


def _problems(table: Table, file: str, raw: pd.DataFrame, cases: pd.DataFrame) -> Iterator[Problem]:
    """Turn pandera failure cases into Problems located like a spreadsheet (row = index + 2)."""
    seen = set()
    for case in cases.itertuples(index=False):
        check = str(case.check)
        name = DERIVED_RULES.get(check, check)
        column = case.column if isinstance(case.column, str) else None
        if name == "primary-key-duplicate":
            column = table.primary_key[0]
        index = case.index if case.index is not None and case.index == case.index else None
        row = int(index) + 2 if index is not None else None
        if (row, column, name) in seen:
            continue
        seen.add((row, column, name))
        value = raw.at[index, column] if row is not None and column in raw.columns else case.failure_case
        found = RULES.get(name)
        message = found.summary if found else f"{column}: fails the schema's {name} constraint"
        hint = found.hint if found else HINTS.get(name, "see the field's constraints in the schema")
        yield Problem(file, row, column, value, name, message, hint)
