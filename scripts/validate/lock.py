"""Provenance without the source texts: citations checked against ``provenance.lock``.

The source texts are not redistributed, so CI and most contributors cannot prove a citation. The
lock (:mod:`.lockfile`) records what a run with the texts proved. Validation has three provenance
modes, and validate says in one note which one it ran in (:func:`scripts.cli.resolve_sources`):

- **sources**: every citation is proved against the texts (:mod:`.provenance`), and a lock that no
  longer records what they prove is refused (``provenance-lock-stale``);
- **lock**, when the texts are absent: an unchanged citation passes; a citation the lock lacks, a
  citation changed since (its record, field, source, lines, support or evidence), a changed value
  of a verbatim citation, a source whose sha256 changed, and a lock entry whose citation is gone
  each fail with their own rule, at the file, row and field to fix;
- **none** (``--no-provenance``).

The findings about citations, sources and cited values are pandera checks like every other rule
(registered below with their target columns; computed once per validation and read back per rule).
Findings about the lock's own lines (an entry without a citation, a line that is not an entry)
have no row in any table, so they are reported beside the files' own problems.

``--update-lock`` (:func:`update_lock`) rewrites the lock only when the whole package is valid
with the texts: a lock never vouches for a citation that was not proved.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scripts.model import catalogue
from scripts.model.names import CITATIONS, PROVENANCE_LOCK, SOURCES
from scripts.model.package import Package, PackageError, confinement_problem
from scripts.report import Problem, noun

from .columns import at_rows
from .frames import Frames
from .lockfile import CITATION_KEYS, KEYS, cited_cells, lock_text, proved_entries, read_lock
from .provenance import provenance_problems, source_texts
from .registry import LOCK, STALE, Found, every_field, rule_of

if TYPE_CHECKING:
    import polars as pl

FILE_RULES = (catalogue.LOCK_ORPHAN, catalogue.LOCK_INVALID)  # reported on the lock's lines, not through pandera


def lock_location(package: Package, sources: Path | None, lock: bool) -> Path | None:
    """The lock this validation compares with: None without ``lock`` or, with the texts, when the
    package has none. Without the texts the lock is required (PackageError: exit 2)."""
    path = package.root / PROVENANCE_LOCK
    present = path.is_symlink() or path.exists()  # a symlink is reported (unsafe-path), not skipped
    if not lock or (sources is not None and not present):
        return None
    if not present:
        raise PackageError(f"{path}: file not found; without the source texts provenance is checked against it "
                           "(pass --sources DIR, or --no-provenance to skip provenance)")
    return path


# --------------------------------------------------------------------------- the lock, read once
def load_lock(frames: Frames, path: Path) -> tuple[pl.DataFrame | None, list[Problem]]:
    """The lock's entries (None when unusable) and the problems of the file itself, read once per
    validation. The lock is package content: a symlink leaving the package or a FIFO is not opened."""
    key = ("lock", str(path))
    if key not in frames.cache:
        why = confinement_problem(frames.package.root, PROVENANCE_LOCK)
        if why:
            found: tuple[Any, list[Problem]] = (None, [_file_problem(catalogue.UNSAFE_PATH, f"{PROVENANCE_LOCK}: "
                                                                     f"{why}; the file was not read")])
        elif not path.is_file():
            found = (None, [_file_problem(catalogue.NOT_REGULAR, f"{PROVENANCE_LOCK} is not a regular file")])
        else:
            found = read_lock(path)
        frames.cache[key] = found
    return frames.cache[key]


def _file_problem(rule_id: str, message: str) -> Problem:
    return Problem(PROVENANCE_LOCK, None, None, None, rule_id, message, catalogue.hint(rule_id))


def lock_file_problems(frames: Frames, sources: Path | None, path: Path) -> list[Problem]:
    """The problems reported on the lock's own lines (an unusable file, an invalid line, an entry
    whose citation is gone); the rest reach the report through pandera."""
    found = _all_problems(frames, sources, path)
    return [p for p in found if p.file == PROVENANCE_LOCK]


def _all_problems(frames: Frames, sources: Path | None, path: Path) -> list[Problem]:
    key = ("lock-problems", str(sources), str(path))
    if key not in frames.cache:
        entries, problems = load_lock(frames, path)
        if entries is not None and {SOURCES, CITATIONS} <= set(frames.raw):
            problems = [*problems, *(_stale(frames, sources, entries) if sources else _compare(frames, entries))]
        frames.cache[key] = problems
    return frames.cache[key]


# --------------------------------------------------------------------------- lock mode: no texts
def _citations(frames: Frames) -> pl.DataFrame:
    return frames.typed(CITATIONS, "citation_id", *CITATION_KEYS).with_row_index("row")


def _compare(frames: Frames, entries: pl.DataFrame) -> list[Problem]:
    """Every citation against its lock entry, every source against the sha256 its citations were
    proved against, and every entry against a citation."""
    cites = _citations(frames)
    joined = cites.join(entries, on="citation_id", how="left", suffix="_lock", maintain_order="left")
    return [*_new(frames, joined), *_changed(frames, joined), *_values(frames, joined),
            *_sources(frames, entries), *_orphans(cites, entries, catalogue.LOCK_ORPHAN)]


def _new(frames: Frames, joined: pl.DataFrame) -> Iterator[Problem]:
    import polars as pl

    file = frames.file(CITATIONS)
    for row, citation in joined.filter(pl.col("line").is_null()).select("row", "citation_id").iter_rows():
        yield Problem(file, row + 2, "citation_id", citation, catalogue.LOCK_NEW,
                      f"citation {citation} is not in {PROVENANCE_LOCK}: it has not been proved against the sources",
                      catalogue.hint(catalogue.LOCK_NEW))


def _changed(frames: Frames, joined: pl.DataFrame) -> Iterator[Problem]:
    import polars as pl

    file = frames.file(CITATIONS)
    locked = joined.filter(pl.col("line").is_not_null())
    for key in CITATION_KEYS:
        differs = locked.filter(~pl.col(key).eq_missing(pl.col(f"{key}_lock")))
        for row, citation, now, then in differs.select("row", "citation_id", key, f"{key}_lock").iter_rows():
            yield Problem(file, row + 2, key, now, catalogue.LOCK_CHANGED,
                          f"{key} of citation {citation} is {_show(now)}; {PROVENANCE_LOCK} records {_show(then)}, "
                          "the one proved against the source", catalogue.hint(catalogue.LOCK_CHANGED))


def _show(value: Any) -> str:
    return "empty" if value is None else repr(value) if isinstance(value, str) else str(value)


def _values(frames: Frames, joined: pl.DataFrame) -> Iterator[Problem]:
    """A verbatim citation unchanged since the lock: its record's value is still the one proved.
    Reported at the value's own cell (the line a pull request changed)."""
    import polars as pl

    same = pl.all_horizontal([pl.col(k).eq_missing(pl.col(f"{k}_lock")) for k in CITATION_KEYS])
    proved = joined.filter(pl.col("line").is_not_null() & pl.col("value").is_not_null() & same)
    cells = proved.select("citation_id", "table_name", "field_name", pl.col("value").alias("proved")).hstack(
        cited_cells(frames, proved))
    changed = cells.filter(pl.col("record_row").is_not_null() & ~pl.col("value").eq_missing(pl.col("proved")))
    for citation, table, fld, then, row, now in changed.select(
            "citation_id", "table_name", "field_name", "proved", "record_row", "value").iter_rows():
        yield Problem(frames.file(table), row + 2, fld, now, catalogue.LOCK_VALUE,
                      f"{table}.{fld} is {_show(now)}; citation {citation} proved {_show(then)} against the source, "
                      f"as {PROVENANCE_LOCK} records", catalogue.hint(catalogue.LOCK_VALUE))


def _sources(frames: Frames, entries: pl.DataFrame) -> Iterator[Problem]:
    import polars as pl

    proved = entries.select("source_id", "source_sha256").unique(maintain_order=True)
    recorded = frames.typed(SOURCES, "source_id", "sha256").with_row_index("row")
    differs = recorded.join(proved, on="source_id", how="inner", maintain_order="left").filter(
        ~pl.col("sha256").eq_missing(pl.col("source_sha256"))).unique("row", keep="first", maintain_order=True)
    file = frames.file(SOURCES)
    for row, source, now, then in differs.select("row", "source_id", "sha256", "source_sha256").iter_rows():
        yield Problem(file, row + 2, "sha256", now, catalogue.LOCK_SOURCE,
                      f"source {source} has sha256 {_show(now)}; its citations were proved against {then}",
                      catalogue.hint(catalogue.LOCK_SOURCE))


def _orphans(cites: pl.DataFrame, entries: pl.DataFrame, rule_id: str) -> Iterator[Problem]:
    gone = entries.join(cites.select("citation_id"), on="citation_id", how="anti", maintain_order="left")
    for line, citation in gone.select("line", "citation_id").iter_rows():
        yield Problem(PROVENANCE_LOCK, line, "citation_id", citation, rule_id,
                      f"{PROVENANCE_LOCK} line {line} records citation {citation}, which the package no longer has",
                      catalogue.hint(rule_id))


# --------------------------------------------------------------------------- sources mode: a stale lock
def _stale(frames: Frames, sources: Path, entries: pl.DataFrame) -> list[Problem]:
    """The lock against what the texts prove now, for every citation they prove (a citation that
    fails its proof is provenance's finding, not the lock's)."""
    import polars as pl

    file = frames.file(CITATIONS)
    unproved = [p.row - 2 for p in provenance_problems(frames, sources) if p.file == file and p.row is not None]
    fresh = proved_entries(frames, source_texts(frames, sources)).filter(~pl.col("row").is_in(unproved))
    joined = fresh.join(entries, on="citation_id", how="left", suffix="_lock", maintain_order="left")
    same = pl.all_horizontal([pl.col(k).eq_missing(pl.col(f"{k}_lock")) for k in KEYS[1:]])
    found = [Problem(file, row + 2, "citation_id", citation, catalogue.LOCK_STALE, _stale_message(citation, diff),
                     catalogue.hint(catalogue.LOCK_STALE))
             for row, citation, diff in _differences(joined.filter(pl.col("line").is_null() | ~same))]
    found.extend(_orphans(_citations(frames), entries, catalogue.LOCK_STALE))
    return found


def _differences(rows: pl.DataFrame) -> Iterator[tuple[int, str, list[str]]]:
    """Each differing row's (row, citation, what differs: 'key lock → now'); an empty list when
    the lock has no entry for it."""
    for item in rows.iter_rows(named=True):
        if item["line"] is None:
            yield item["row"], item["citation_id"], []
            continue
        yield item["row"], item["citation_id"], [
            f"{k} {_show(item[f'{k}_lock'])} → {_show(item[k])}" for k in KEYS[1:] if item[k] != item[f"{k}_lock"]]


def _stale_message(citation: str, diff: list[str]) -> str:
    if not diff:
        return f"citation {citation} is proved by the sources but not recorded in {PROVENANCE_LOCK}"
    return f"{PROVENANCE_LOCK} is stale for citation {citation}: " + "; ".join(diff)


# --------------------------------------------------------------------------- pandera checks
def _mask(frames: Frames, problems: list[Problem], rule_id: str, targets: list[tuple[str, str]]) -> Found:
    """The problems of one rule as a failing mask and a message per row, for each target table.field."""

    by_target: dict[tuple[str, str], dict[int, str]] = {}
    files = {frames.file(t): t for t in frames.raw}
    for p in problems:
        if p.rule == rule_id and p.row is not None and p.file in files:
            by_target.setdefault((files[p.file], p.field or ""), {}).setdefault(p.row - 2, p.message)
    for (table, column), rows in by_target.items():
        if (table, column) not in targets:
            continue
        yield table, column, *at_rows(frames.raw[table].height, rows)


def _lock_findings(frames: Frames, lock: Path, sources: Path | None = None, *, rule_id: str,
                   where: tuple[str, ...] | None) -> Found:
    """The findings of the lock rule ``rule_id`` on the fields ``where`` (None: every field)."""
    declared = list(every_field(frames.package)) if where is None else [tuple(t.split(".", 1)) for t in where]
    return _mask(frames, _all_problems(frames, sources, lock), rule_id, declared)  # type: ignore[arg-type]


for _rule_id, _mode, _targets in (
    (catalogue.LOCK_NEW, LOCK, (f"{CITATIONS}.citation_id",)),
    (catalogue.LOCK_CHANGED, LOCK, tuple(f"{CITATIONS}.{k}" for k in CITATION_KEYS)),
    (catalogue.LOCK_SOURCE, LOCK, (f"{SOURCES}.sha256",)),
    (catalogue.LOCK_VALUE, LOCK, None),
    (catalogue.LOCK_STALE, STALE, (f"{CITATIONS}.citation_id",)),
):
    rule_of(_rule_id, _lock_findings, SOURCES, CITATIONS, targets=every_field if _targets is None else _targets,
            provenance=_mode, rule_id=_rule_id, where=_targets)


# --------------------------------------------------------------------------- --update-lock
def update_lock(root: Path | str, sources: Path) -> tuple[list[Problem], str]:
    """Validate with the texts and, only when nothing at all is wrong, write the lock of what they
    proved (atomically; an unchanged lock is left untouched). Returns the problems and a note."""
    from scripts.files import atomic_write

    from . import run_validation

    problems, frames = run_validation(root, sources, lock=False)  # a missing descriptor is named first
    if sources is None:
        raise PackageError("--update-lock records what the source texts prove: pass --sources DIR")
    path = frames.package.root / PROVENANCE_LOCK
    if problems:
        return problems, (f"{PROVENANCE_LOCK} was not written: it records only a package whose every citation is "
                          f"proved ({len(problems)} {noun(len(problems), 'problem')} to fix first)")
    entries = proved_entries(frames, source_texts(frames, sources))
    text = lock_text(entries)
    if path.is_file() and not path.is_symlink() and path.read_text(encoding="utf-8", errors="replace") == text:
        return [], f"{PROVENANCE_LOCK} is up to date ({entries.height} citations proved)"
    atomic_write(path, text)
    return [], f"wrote {PROVENANCE_LOCK}: {entries.height} citations proved against the texts in {sources}"
