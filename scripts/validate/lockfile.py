"""``provenance.lock``: what a validation with the source texts proved, one citation a line.

Why a lock: the source texts are other publishers' words and are not redistributed, so CI and most
contributors cannot prove a citation. A run that has the texts records what it proved; a run
without them checks that nothing the lock vouches for has changed (:mod:`.lock`). The lock is
written only by ``validate --sources DIR --update-lock``, and only when the whole package is valid.

Format (diff-friendly and deterministic, so that a change to one citation changes one line): JSON
Lines, UTF-8, LF. Line 1 is a header naming the format and its version; then one object per
citation, sorted by ``citation_id``, with the keys of :data:`KEYS` in that order: the citation as
it was proved, the sha256 of its source text, the sha256 of the cited lines with whitespace folded
(as :func:`.provenance.fold` compares them) and, for a verbatim citation of a field, the record's
value it proved (as the CSV writes it; null otherwise).

The lock is package content, so it is read as untrusted data: every line is checked for its shape
and types, and a line that is not an entry is reported by number (``provenance-lock-invalid``).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scripts.model import catalogue
from scripts.model.names import CITATIONS, PROVENANCE_LOCK, SOURCES
from scripts.report import Problem

from .columns import lookup
from .frames import Frames
from .provenance import _spans

if TYPE_CHECKING:
    import polars as pl

HEADER = {"format": "cac-provenance-lock", "version": 1,
          "written_by": "python -m scripts validate --sources DIR --update-lock"}
CITATION_KEYS = ("table_name", "record_id", "field_name", "source_id", "line_start", "line_end", "support", "evidence")
KEYS = ("citation_id", "table_name", "record_id", "field_name", "source_id", "source_sha256", "line_start",
        "line_end", "lines_sha256", "support", "evidence", "value")
NULLABLE = frozenset({"field_name", "value"})
INTEGERS = frozenset({"line_start", "line_end"})
DIGESTS = frozenset({"source_sha256", "lines_sha256"})
SHA256 = re.compile(r"[0-9a-f]{64}")
MAX_LINE = 2**62 - 1  # the largest line number an entry may give (both readers: fast and line by line)


def lines_digest(folded: str) -> str:
    """The sha256 of cited lines as provenance compares them (whitespace folded)."""
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


def schema() -> dict[str, Any]:
    """The polars dtypes of the lock's columns (``line`` is the entry's line in the file)."""
    import polars as pl

    return {"line": pl.Int64, **{k: pl.Int64 if k in INTEGERS else pl.String for k in KEYS}}


# --------------------------------------------------------------------------- reading
def read_lock(path: Path) -> tuple[pl.DataFrame | None, list[Problem]]:
    """The lock's entries as a frame (None when the file cannot be used at all) and the problems
    of its lines. A well-formed lock is parsed by polars in one pass; only a lock that fails that
    is read again line by line, to name each line that is not an entry."""
    data = path.read_bytes()
    end = data.find(b"\n")
    if _parse(data if end < 0 else data[:end]) != HEADER:
        return None, [_invalid(1, f"the first line is not the header of a provenance lock (format "
                                  f"{HEADER['format']!r}, version {HEADER['version']})")]
    body = b"" if end < 0 else data[end + 1:]
    del data  # one copy of the entries' bytes at a time
    fast = _read_fast(body)
    return (fast, []) if fast is not None else _read_lines(body)


def _read_fast(body: bytes) -> pl.DataFrame | None:
    """Every entry, when each line is one (None otherwise): the right keys and types, values that
    are there where required, sha256 digests, line numbers, no citation twice."""
    import polars as pl

    count = body.count(b"\n") + (1 if body and not body.endswith(b"\n") else 0)
    if count == 0:
        return pl.DataFrame(schema=schema())
    try:
        frame = pl.read_ndjson(body, infer_schema_length=None)
    except Exception:  # any parse failure: the line-by-line reading names the line
        return None
    expected = schema()
    if frame.height != count or set(frame.columns) != set(KEYS) or any(
            frame.schema[k] not in (expected[k], pl.Null) for k in KEYS):
        return None
    frame = frame.select([pl.col(k).cast(expected[k]) for k in KEYS])
    required = [pl.col(k).is_not_null() for k in KEYS if k not in NULLABLE]
    numbers = [pl.col(k).is_between(1, MAX_LINE) for k in INTEGERS]
    digests = [pl.col(k).str.contains("^[0-9a-f]{64}$") for k in DIGESTS]
    if not frame.select(pl.all_horizontal([*required, *numbers, *digests]).all()).item() or \
            frame["citation_id"].n_unique() != frame.height:
        return None
    return frame.with_row_index("line", offset=2).with_columns(pl.col("line").cast(pl.Int64)).select(list(expected))


def _read_lines(body: bytes) -> tuple[pl.DataFrame | None, list[Problem]]:
    """The slow reading of a lock that is not all entries (``body``: from its second line): each
    line checked on its own."""
    import polars as pl

    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [_invalid(body.count(b"\n", 0, exc.start) + 2, "the file is not UTF-8")]
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    rows, problems, seen = [], [], set()
    for number, line in enumerate(lines, start=2):
        entry, why = _entry(_parse(line))
        if entry is None:
            problems.append(_invalid(number, f"line {number} is not a lock entry: {why}"))
        elif entry["citation_id"] in seen:
            problems.append(_invalid(number, f"line {number} repeats citation {entry['citation_id']}"))
        else:
            seen.add(entry["citation_id"])
            rows.append({"line": number, **entry})
    return pl.DataFrame(rows, schema=schema()), problems


def _parse(line: str | bytes) -> Any:
    try:
        return json.loads(line)
    except (ValueError, RecursionError):
        return None


def _entry(data: Any) -> tuple[dict[str, Any] | None, str]:
    """The entry a parsed line holds (a missing nullable key reads as null), or None and why not."""
    if not isinstance(data, dict):
        return None, "not a JSON object"
    unknown = [k for k in data if k not in KEYS]
    if unknown:
        return None, f"it has a key {unknown[0]!r} (the keys are {', '.join(KEYS)})"
    entry = {k: data.get(k) for k in KEYS}
    for key, value in entry.items():
        why = _bad_value(key, value)
        if why:
            return None, f"{key} {why}"
    return entry, ""


def _bad_value(key: str, value: Any) -> str:
    if value is None:
        return "" if key in NULLABLE else "is empty"
    if key in INTEGERS:
        return "" if type(value) is int and 1 <= value <= MAX_LINE else "is not a line number"
    if not isinstance(value, str):
        return "is not text"
    if key in DIGESTS and not SHA256.fullmatch(value):
        return "is not a sha256 (64 lowercase hexadecimal digits)"
    return ""


def _invalid(line: int, message: str) -> Problem:
    return Problem(PROVENANCE_LOCK, line, None, None, catalogue.LOCK_INVALID, message,
                   catalogue.hint(catalogue.LOCK_INVALID))


# --------------------------------------------------------------------------- writing
def lock_text(entries: pl.DataFrame) -> str:
    """The lock file's text for ``entries`` (columns :data:`KEYS`): sorted, one entry a line."""
    ordered = entries.select(KEYS).sort("citation_id")
    lines = [json.dumps(HEADER, ensure_ascii=False)]
    lines.extend(json.dumps(dict(zip(KEYS, row, strict=True)), ensure_ascii=False) for row in ordered.iter_rows())
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- what the texts prove now
def cited_cells(frames: Frames, cites: pl.DataFrame) -> pl.DataFrame:
    """For each row of ``cites`` (columns table_name, record_id, field_name): the cited record's
    row in its table (``record_row``) and its value of that field as the CSV writes it (``value``);
    null where the table, field or record is not there."""
    import polars as pl

    numbered = cites.select("table_name", "record_id", "field_name").with_row_index("at")
    parts = [pl.DataFrame(schema={"at": pl.UInt32, "record_row": pl.UInt32, "value": pl.String})]
    for (table_name, field_name), group in numbered.filter(pl.col("field_name").is_not_null()).group_by(
            ["table_name", "field_name"], maintain_order=True):
        if table_name not in frames.raw or field_name not in frames.table(table_name).field_names:
            continue
        keys = frames.keys(table_name)
        rows = lookup(group["record_id"], keys, pl.int_range(keys.len(), dtype=pl.UInt32, eager=True))
        parts.append(pl.DataFrame({"at": group["at"], "record_row": rows,
                                   "value": frames.raw[table_name][field_name].gather(rows).cast(pl.String)}))
    found = pl.concat(parts)
    return numbered.select("at").join(found, on="at", how="left", maintain_order="left").select("record_row", "value")


def proved_entries(frames: Frames, texts: dict[str, list[str]]) -> pl.DataFrame:
    """What the source texts prove now: a lock entry for every citation whose source text was read
    and whose lines exist (columns ``row`` and :data:`KEYS`). The caller decides whether the
    proof held: provenance's own rules report the citations whose evidence or value is not there."""
    import polars as pl

    cites = frames.typed(CITATIONS, "citation_id", *CITATION_KEYS).with_row_index("row")
    ranges, spans = _spans(cites, texts)
    digests = pl.Series("lines_sha256", [lines_digest(s) for s in spans], dtype=pl.String)
    ranges = ranges.select("source_id", "line_start", "line_end",
                           digests.gather(ranges["span"]).alias("lines_sha256"))
    keys = ["source_id", "line_start", "line_end"]
    shas = frames.typed(SOURCES, "source_id", "sha256").select(
        "source_id", pl.col("sha256").alias("source_sha256")).filter(
        pl.col("source_id").is_in(list(texts))).unique("source_id", keep="first")
    verbatim = (pl.col("support") == "verbatim") & pl.col("field_name").is_not_null()
    entries = cites.join(ranges, on=keys, how="left", maintain_order="left", nulls_equal=True).join(
        shas, on="source_id", how="left", maintain_order="left")
    entries = entries.hstack(cited_cells(frames, entries).select("value")).with_columns(
        pl.when(verbatim).then(pl.col("value")).alias("value"))
    return entries.filter(pl.col("lines_sha256").is_not_null() & pl.col("source_sha256").is_not_null()).select(
        "row", *KEYS)
