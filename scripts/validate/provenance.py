"""Provenance: prove every citation against the source texts it points into, as joins.

A citation names a source (through ``sources``), a line range and a few words of evidence. The
source file must be there with the recorded sha256, the lines must exist, the evidence must occur
in them and, for a ``verbatim`` citation of a field, the field's value must too. Texts are
compared with whitespace folded, so a phrase broken across lines still matches.

Each source file is read once. Citations repeat the same line ranges, evidence and values many
times, so each distinct (range), (range, evidence) and (range, value) is proved once in Python and
the verdicts are joined back to the citations. The findings are computed once per validation and
reported through pandera like every other rule: each provenance rule is registered (``@rule``,
``provenance=True``) on the column it reports on, with a message per failing row.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from scripts.files import NotRegularFile, read_regular
from scripts.model import catalogue
from scripts.model.backends.polars import cast, present
from scripts.model.names import CITATIONS, SOURCES
from scripts.model.package import confinement_problem
from scripts.model.text import fold
from scripts.report import Problem

from .columns import at_rows, lookup
from .frames import Frames
from .registry import Found, rule_of

if TYPE_CHECKING:
    import polars as pl

NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


@lru_cache(maxsize=4096)
def numbers_in(text: str) -> frozenset[float]:
    """Every number written in ``text``, thousands separators ignored ('5,000th' gives 5000)."""
    return frozenset(float(m.replace(",", "")) for m in NUMBER.findall(text) if m.replace(",", "").strip("."))


def value_occurs(numeric: bool, value: object, text: str) -> bool:
    """Does a record's value stand in the cited text? Numbers by value, text case-insensitively."""
    if numeric:
        return float(value) in numbers_in(text)  # type: ignore[arg-type]
    return fold(str(value)).casefold() in text.casefold()


def read_sources(frames: Frames, sources_dir: Path) -> tuple[dict[str, list[str]], list[Problem]]:
    """Each ``sources`` row's text (lines), checked against its recorded sha256."""
    raw = frames.text(SOURCES, "source_id", "file_name", "sha256")
    file = frames.file(SOURCES)
    texts: dict[str, list[str]] = {}
    problems = []
    for index, row in enumerate(raw.select("source_id", "file_name", "sha256").iter_rows()):
        source_id, name, recorded = row
        if not name:  # a source without a file name is the required rule's finding
            continue
        path = sources_dir / name
        data = _source_bytes(sources_dir, name)
        if isinstance(data, str):
            rule = "not-a-regular-file" if data else "source-file-missing"
            problems.append(Problem(file, index + 2, "file_name", name, rule, data or f"source text {path} not found",
                                    catalogue.hint(rule)))
            continue
        digest = hashlib.sha256(data).hexdigest()
        if digest != recorded:
            problems.append(Problem(file, index + 2, "sha256", recorded, "source-sha256-mismatch",
                                    f"{path.name} has sha256 {digest}, not the recorded one",
                                    catalogue.hint(catalogue.SOURCE_SHA)))
            continue
        texts[source_id] = data.decode("utf-8", "replace").splitlines()
    return texts, problems


def _source_bytes(sources_dir: Path, name: str) -> bytes | str:
    """The bytes of a source text; else why not: "" when it is missing or leaves the folder, a
    sentence when it is a FIFO, socket, device or folder (never opened, so never waited on)."""
    path = sources_dir / name
    if confinement_problem(sources_dir, name):
        return ""
    try:
        return read_regular(path)
    except FileNotFoundError:
        return ""
    except NotRegularFile as exc:
        return f"source text {path} is {exc.kind}, not a regular file; it was not read"


def _spans(citations: pl.DataFrame, texts: dict[str, list[str]]) -> tuple[pl.DataFrame, list[str]]:
    """Each distinct (source_id, line_start, line_end) with a ``span`` number into the returned list
    of folded texts, or ``past``: the source's line count when the range runs past its end. Ranges
    that cannot be checked here (unknown source, missing line) get neither."""
    import polars as pl

    distinct = citations.select("source_id", "line_start", "line_end").unique(maintain_order=True)
    spans: list[str] = []
    numbers: list[int | None] = []
    past: list[int | None] = []
    for source_id, start, end in distinct.iter_rows():
        lines = texts.get(source_id)
        if lines is None or start is None or end is None or end > len(lines):
            numbers.append(None)
            past.append(len(lines) if lines is not None and end is not None and end > len(lines) else None)
        else:
            numbers.append(len(spans))
            spans.append(fold(" ".join(lines[start - 1:end])))
            past.append(None)
    ranges = distinct.with_columns(pl.Series("span", numbers, dtype=pl.Int64), pl.Series("past", past, dtype=pl.Int64))
    return ranges, spans


def check_citations(frames: Frames, texts: dict[str, list[str]]) -> Iterator[Problem]:
    """Line ranges exist, evidence occurs in them, and verbatim values occur in them.

    The citations table is the package's longest: it is read here as stored (its repeated columns
    as categoricals), each distinct range, (range, evidence) and (range, value) proved once, and
    only the rows that fail are decoded to be reported."""
    import polars as pl

    lines = frames.typed(CITATIONS, "line_start", "line_end")
    keys = ["source_id", "line_start", "line_end"]
    located = pl.DataFrame([frames.raw[CITATIONS].get_column("source_id"), *lines.get_columns()])
    ranges, spans = _spans(located, texts)
    # the ranges are distinct, so the left join keeps each citation's row in place
    found = located.join(ranges, on=keys, how="left", maintain_order="left", nulls_equal=True)
    del located
    file = frames.file(CITATIONS)
    yield from _past_end(frames, found.get_column("past"), file)
    yield from _evidence(frames, found.get_column("span"), spans, file)
    yield from _values(frames, found.get_column("span"), spans, file)


def _past_end(frames: Frames, past: pl.Series, file: str) -> Iterator[Problem]:
    rows = past.is_not_null().arg_true()
    if rows.len() == 0:  # nothing to decode
        return
    failing = frames.typed(CITATIONS, "source_id", "line_end")[rows]
    for row, source_id, end, count in zip(rows, failing["source_id"], failing["line_end"], past.gather(rows),
                                          strict=True):
        yield Problem(file, row + 2, "line_end", str(end), "citation-past-end",
                      f"source {source_id} has {count} lines; the citation ends at line {end}",
                      catalogue.hint(catalogue.PAST_END))


def _evidence(frames: Frames, span: pl.Series, spans: list[str], file: str) -> Iterator[Problem]:
    import polars as pl

    cited = pl.DataFrame([span, frames.raw[CITATIONS].get_column("evidence")])
    pairs = cited.filter(pl.col("span").is_not_null()).unique()
    fld = frames.table(CITATIONS).field("evidence")
    texts = pairs.select(cast(fld, pl.col("evidence").cast(pl.String))).to_series()
    verdict = pairs.with_columns(pl.Series("ok", [None if e is None else fold(e) in spans[s]
                                                  for s, e in zip(pairs["span"], texts, strict=True)],
                                           dtype=pl.Boolean))
    ok = cited.join(verdict, on=["span", "evidence"], how="left", maintain_order="left", nulls_equal=True)["ok"]
    rows = (~ok).fill_null(False).arg_true()
    if rows.len() == 0:
        return
    failing = frames.typed(CITATIONS, "source_id", "line_start", "line_end", "evidence")[rows]
    for row, (source_id, start, end, evidence) in zip(rows, failing.iter_rows(), strict=True):
        yield Problem(file, row + 2, "evidence", evidence, "citation-evidence-missing",
                      f"the evidence does not occur in lines {start}-{end} of source {source_id}",
                      catalogue.hint(catalogue.EVIDENCE_MISSING))


def _verbatim(frames: Frames, span: pl.Series) -> pl.DataFrame:
    """The rows of verbatim citations of a field whose lines were found: ``row``, ``span`` and the
    cited ``table_name`` and ``field_name`` (as stored)."""
    import polars as pl

    table = frames.table(CITATIONS)
    support = frames.cells(CITATIONS, "support", lambda c: cast(table.field("support"), c) == "verbatim")
    named = frames.cells(CITATIONS, "field_name", lambda c: present(table.field("field_name"), c))
    rows = (support & named & span.is_not_null()).fill_null(False).arg_true()
    stored = frames.raw[CITATIONS]
    return pl.DataFrame([rows.alias("row"), span.gather(rows), stored.get_column("table_name").gather(rows),
                         stored.get_column("field_name").gather(rows)])


def _values(frames: Frames, span: pl.Series, spans: list[str], file: str) -> Iterator[Problem]:
    """A verbatim citation of a field: the record's value occurs in the cited lines. The cited
    records are found table by table, and every (value, lines) pair of the package is proved once."""
    import polars as pl

    groups: list[tuple[str, str]] = []  # (table, field) of each group of cited values
    parts = []
    for (table_name,), cited in _verbatim(frames, span).group_by("table_name", maintain_order=True):
        if table_name not in frames.raw:
            continue
        parts.extend(_cited_values(frames, table_name, cited, groups))
    if not parts:
        return
    checked = pl.concat(parts).filter(pl.col("value").is_not_null())
    pairs = checked.select("value", "span", "group").unique()
    numeric = [frames.table(t).field(f).type in ("number", "integer") for t, f in groups]
    verdict = pairs.with_columns(pl.Series(
        "ok", [value_occurs(numeric[g], v, spans[s]) for v, s, g in pairs.iter_rows()], dtype=pl.Boolean))
    bad = checked.join(verdict, on=["value", "span", "group"], how="left").filter(~pl.col("ok")).sort("row")
    for row, value, group in bad.select("row", "raw", "group").iter_rows():
        table_name, field_name = groups[group]
        yield Problem(file, row + 2, "field_name", field_name, "citation-value-missing",
                      f"{table_name}.{field_name} = {value!r} does not occur in the cited lines",
                      catalogue.hint(catalogue.VALUE_MISSING))


def _cited_values(frames: Frames, table_name: str, cited: pl.DataFrame,
                  groups: list[tuple[str, str]]) -> Iterator[pl.DataFrame]:
    """For each field of ``table_name`` the citations name: their rows and lines, and the cited
    record's value as the CSV writes it (``raw``) and as typed (``value``), numbered by group."""
    import polars as pl

    keys = frames.keys(table_name)  # each citation's record as a row number, then each column by it
    records = frames.raw[CITATIONS].get_column("record_id").gather(cited["row"]).cast(pl.String)
    cited = cited.with_columns(lookup(records, keys, pl.int_range(keys.len(), dtype=pl.UInt32, eager=True)).alias("at"))
    for (field_name,), group in cited.group_by("field_name", maintain_order=True):
        if field_name not in frames.table(table_name).field_names:
            continue
        rows = group["at"]
        raw = frames.raw[table_name][field_name].gather(rows).cast(pl.String)
        typed = frames.typed(table_name, field_name)[field_name].gather(rows).cast(pl.String)
        groups.append((table_name, field_name))
        yield group.select("row", "span", raw.alias("raw"), typed.alias("value"),
                           pl.lit(len(groups) - 1, dtype=pl.UInt32).alias("group"))


def provenance_problems(frames: Frames, sources_dir: Path) -> list[Problem]:
    """Every provenance problem of the package against the texts in ``sources_dir``, computed once
    per validation (kept on the frames); nothing when the sources or citations table could not be
    read (that is the problem reported)."""
    if not {SOURCES, CITATIONS} <= set(frames.raw):
        return []
    key = ("provenance", str(sources_dir))
    if key not in frames.cache:
        texts, problems = read_sources(frames, Path(sources_dir))
        problems.extend(check_citations(frames, texts))
        frames.cache[key] = problems
        frames.cache[("texts", str(sources_dir))] = texts  # what the lock records (.lock), read once
    return frames.cache[key]


def source_texts(frames: Frames, sources_dir: Path) -> dict[str, list[str]]:
    """The lines of every source text whose sha256 matched, as provenance read them (once)."""
    provenance_problems(frames, sources_dir)
    return frames.cache.get(("texts", str(sources_dir)), {})


def _findings(frames: Frames, sources: Path, rule_id: str, table: str, column: str) -> Found:
    """The provenance problems of one rule as a failing mask and a message per row."""
    found = {p.row - 2: p.message for p in provenance_problems(frames, sources) if p.rule == rule_id and p.row}
    yield table, column, *at_rows(frames.raw[table].height, found)


for _rule_id, _table, _column in (
    (catalogue.SOURCE_MISSING, SOURCES, "file_name"), (catalogue.NOT_REGULAR, SOURCES, "file_name"),
    (catalogue.SOURCE_SHA, SOURCES, "sha256"),
    (catalogue.PAST_END, CITATIONS, "line_end"), (catalogue.EVIDENCE_MISSING, CITATIONS, "evidence"),
    (catalogue.VALUE_MISSING, CITATIONS, "field_name"),
):
    rule_of(_rule_id, _findings, SOURCES, CITATIONS, targets=(f"{_table}.{_column}",), provenance=True,
            rule_id=_rule_id, table=_table, column=_column)
