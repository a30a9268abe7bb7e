"""Provenance: prove every citation against the source texts it points into.

A citation names a source file (through ``sources``), a line range and a few words of evidence.
Here we check that the file is there with the recorded sha256, that the lines exist, that the
evidence occurs in them, and, for ``verbatim`` citations, that the cited field's value does too.
Texts are compared with whitespace folded, so a phrase broken across lines still matches.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from scripts.package import KEY_SEPARATOR, Package, Table, parse_value
from scripts.report import Problem

NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
SPACE = re.compile(r"\s+")
NUMERIC_TYPES = {"number", "integer"}
# Already-read tables: pandas DataFrames of text cells (as validation reads them) or lists of row
# dicts. Validation passes its frames so that each CSV is read once.
Frames = Mapping[str, Any]
Row = dict[str, str]


def fold(text: str) -> str:
    """Collapse every run of whitespace to one space, as citations are compared."""
    return SPACE.sub(" ", text).strip()


@lru_cache(maxsize=4096)
def numbers_in(text: str) -> frozenset[float]:
    """Every number written in ``text``, thousands separators ignored ('5,000th' gives 5000)."""
    found = set()
    for match in NUMBER.findall(text):
        try:
            found.add(float(match.replace(",", "")))
        except ValueError:
            continue
    return frozenset(found)


@dataclass(frozen=True)
class SourceText:
    """A source file's lines, read once and compared many times."""

    lines: tuple[str, ...]

    @classmethod
    def read(cls, path: Path) -> SourceText:
        return cls(tuple(path.read_text(encoding="utf-8").splitlines()))

    def span(self, start: int, end: int) -> str:
        return fold(" ".join(self.lines[start - 1 : end]))


def value_occurs(field_type: str, value: object, text: str) -> bool:
    """Does a record's value stand in the cited text? Numbers by value, text case-insensitively."""
    if field_type in NUMERIC_TYPES:
        return float(value) in numbers_in(text)  # type: ignore[arg-type]
    return fold(str(value)).casefold() in text.casefold()


def _is_frame(data: Any) -> bool:
    return hasattr(data, "columns") and hasattr(data, "to_dict")


def _frame_rows(frame: Any) -> list[Row]:
    """A DataFrame's rows as dicts, built column-wise (DataFrame.to_dict boxes every cell: slow)."""
    columns = list(frame.columns)
    values = zip(*(frame[c].tolist() for c in columns), strict=True)
    return [dict(zip(columns, row, strict=True)) for row in values]


def _rows(package: Package, name: str, frames: Frames | None) -> list[Row]:
    """A table's rows as dicts of text: from ``frames`` when given, else read from its CSV."""
    if frames is not None and name in frames:
        data = frames[name]
        return _frame_rows(data) if _is_frame(data) else list(data)
    with package.table(name).path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def check_sources(sources_dir: Path, rows: list[dict[str, str]]) -> tuple[dict[str, SourceText], list[Problem]]:
    """Each ``sources`` row's file must exist under ``sources_dir`` with the recorded sha256."""
    file = "tables/sources.csv"
    texts: dict[str, SourceText] = {}
    problems: list[Problem] = []
    for index, row in enumerate(rows):
        path = sources_dir / row.get("file_name", "")
        if not path.is_file():
            problems.append(Problem(file, index + 2, "file_name", row.get("file_name"), "source-file-missing",
                                    f"source text {path} not found",
                                    "restore the file or point --sources at the folder that holds it"))
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != row.get("sha256"):
            problems.append(Problem(file, index + 2, "sha256", row.get("sha256"), "source-sha256-mismatch",
                                    f"{path.name} has sha256 {digest}, not the recorded one",
                                    "the text changed: re-check its citations, then record the new sha256"))
            continue
        texts[row["source_id"]] = SourceText.read(path)
    return texts, problems


def _index_records(package: Package, frames: Frames | None,
                   wanted: set[tuple[str, str]]) -> dict[tuple[str, str], Row]:
    """Look up only the cited (table, key) pairs whose field values must be proved; with a
    DataFrame, the cited rows are picked out by a vectorised key match before any dict is built."""
    found: dict[tuple[str, str], Row] = {}
    by_table: dict[str, set[str]] = {}
    for name, key in wanted:
        by_table.setdefault(name, set()).add(key)
    for name, keys in sorted(by_table.items()):
        if name not in package.tables:
            continue
        table = package.tables[name]
        data = frames.get(name) if frames is not None else None
        if data is not None and _is_frame(data) and set(table.primary_key) <= set(data.columns):
            joined = data[table.primary_key[0]].astype(str)
            for column in table.primary_key[1:]:
                joined = joined + KEY_SEPARATOR + data[column].astype(str)
            rows: Iterable[Row] = _frame_rows(data[joined.isin(keys)])
        else:
            rows = _rows(package, name, frames)
        for row in rows:
            key = table.record_key(row)
            if key in keys:
                found[(name, key)] = row
    return found


def check_citations(package: Package, texts: Mapping[str, SourceText], rows: list[Row],
                    frames: Frames | None = None) -> Iterator[Problem]:
    """Line ranges exist, evidence occurs in them, and verbatim values occur in them."""
    file = "tables/citations.csv"
    verbatim = {(r["table_name"], r["record_id"]) for r in rows
                if r.get("support") == "verbatim" and r.get("field_name")}
    records = _index_records(package, frames, verbatim)
    spans: dict[tuple[str, str, str], str | int] = {}
    memo: dict[tuple[str, str, str], bool] = {}
    for index, row in enumerate(rows):
        where = (row.get("source_id", ""), row.get("line_start", ""), row.get("line_end", ""))
        span = spans.get(where)
        if span is None:
            span = spans[where] = _span(texts, *where)
        if isinstance(span, int):
            if span > 0:  # the source's line count: the range runs past its end
                yield Problem(file, index + 2, "line_end", row["line_end"], "citation-past-end",
                              f"source {row['source_id']} has {span} lines; the citation ends at line {where[2]}",
                              "check the line numbers with grep -n in the source text")
            continue
        evidence = fold(row.get("evidence", ""))
        if evidence and evidence not in span:
            yield Problem(file, index + 2, "evidence", row.get("evidence"), "citation-evidence-missing",
                          f"the evidence does not occur in lines {where[1]}-{where[2]} of source {where[0]}",
                          "quote a few words exactly as the cited lines write them, or fix the line range")
        yield from _check_value(package, records, row, span, file, index + 2, memo)


def _span(texts: Mapping[str, SourceText], source_id: str, start: str, end: str) -> str | int:
    """The cited text, or an int: the source's line count when the range runs past it, 0 when the
    citation cannot be checked here (unknown or changed source, or a non-integer line, which
    the schema checks report)."""
    text = texts.get(source_id)
    if text is None:
        return 0
    try:
        first, last = int(start), int(end)
    except ValueError:
        return 0
    if last > len(text.lines):
        return len(text.lines)
    return text.span(first, last)


def _check_value(package: Package, records: Mapping[tuple[str, str], Row], row: Row, span: str, file: str,
                 line: int, memo: dict[tuple[str, str, str], bool]) -> Iterator[Problem]:
    if row.get("support") != "verbatim" or not row.get("field_name"):
        return
    record = records.get((row["table_name"], row["record_id"]))
    if record is None:
        return  # a missing record is reported by the citation coverage check
    table: Table = package.tables[row["table_name"]]
    if row["field_name"] not in table.field_names:
        yield Problem(file, line, "field_name", row["field_name"], "citation-field-unknown",
                      f"{table.name} has no field {row['field_name']!r}", "name one of the table's fields")
        return
    fld = table.field(row["field_name"])
    raw = record.get(fld.name, "")
    key = (fld.type, raw, span)  # many citations prove the same value against the same lines
    found = memo.get(key)
    if found is None:
        try:
            value = parse_value(fld, raw)
        except ValueError:
            return  # a type error, reported by the schema checks
        found = memo[key] = value is None or value_occurs(fld.type, value, span)
    if not found:
        yield Problem(file, line, "field_name", row["field_name"], "citation-value-missing",
                      f"{table.name}.{fld.name} = {raw!r} does not occur in the cited lines",
                      "cite the lines that state the value, or mark the citation paraphrase or inferred")


def check_provenance(package: Package, sources_dir: Path, frames: Frames | None = None) -> list[Problem]:
    """Every provenance problem of the package against the texts in ``sources_dir``.

    ``frames`` may carry the tables already read (DataFrames of text cells or lists of row dicts)
    so that validation reads each CSV once; tables missing from it are read from their CSV.
    """
    texts, problems = check_sources(Path(sources_dir), _rows(package, "sources", frames))
    problems.extend(check_citations(package, texts, _rows(package, "citations", frames), frames))
    return problems
