"""``python -m scripts validate``: every check of the package in one pass, one report.

The pass (the CSV bytes are read once and shared by steps 1, 3 and 4):

1. raw-file checks frictionless is lax about (missing file, byte-order mark, non-UTF-8 bytes,
   CRLF line endings, spaces around key values, rows out of primary-key order);
2. frictionless, run exactly once on the whole package (types, constraints, primary and foreign
   keys), its errors mapped to :class:`~scripts.report.Problem`; it runs in a worker process
   while this one does steps 1, 3 and 4, so that a second core hides most of their cost;
3. the pandera schemas derived from the Table Schemas and the named semantic rules
   (:mod:`scripts.checks`), on frames read once from the bytes of step 1;
4. provenance against the source texts, when they are available (:mod:`scripts.provenance`).

One mistake should give one line: a problem found by an earlier, more specific step hides the
problems a later step reports at the same cell, row or column (see :func:`merge`).
Validation only reads: it never writes a file of the package.
"""

from __future__ import annotations

import argparse
import codecs
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scripts.package import DESCRIPTOR, Package, PackageError, Table, atomic_write, load_package
from scripts.report import Problem, render_json, render_text

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    import pandas as pd

    from scripts.checks import Frames

# Rules after which validation "could not run" (exit 2) rather than found invalid data (exit 1).
FATAL_RULES = {"missing-file", "unreadable-file"}
# Frictionless errors about the shape of a file; they explain the cell-level errors that follow.
STRUCTURAL = {"blank-row", "extra-cell", "missing-cell", "extra-label", "missing-label", "incorrect-label",
              "duplicate-label", "blank-label", "blank-header", "encoding-error", "scheme-error",
              "source-error", "format-error", "resource-error", "schema-error"}
# Rank of a problem by origin: a problem hides later-ranked ones at its cell, row or column.
RAW, FRICTIONLESS_STRUCTURE, FRICTIONLESS, DERIVED, RULE = range(5)

HINTS = {
    "missing-file": "restore the file or fix its path in datapackage.json",
    "unreadable-file": "check the file's permissions",
    "byte-order-mark": "save the file as UTF-8 without a byte-order mark (BOM)",
    "encoding-error": "save the file as UTF-8; the bytes shown are not valid UTF-8",
    "crlf-line-ending": "save the file with LF (Unix) line endings",
    "key-whitespace": "remove the spaces around the key value",
    "rows-not-sorted": "sort the rows by primary key (python -m scripts import rewrites the CSVs sorted)",
    "type-error": "write the value in the field's type (see the schema)",
    "constraint-error": "change the value to satisfy the field's constraint (see the schema)",
    "primary-key": "each record needs its own primary key: change or remove the duplicate",
    "unique-error": "each value may occur once in this column",
    "foreign-key": "use a key that exists in the referenced table, or add that record first",
    "missing-label": "add the column to the header, named as in the schema",
    "extra-label": "remove the column or add it to the schema",
    "incorrect-label": "name the column as the schema does, in the schema's order",
    "duplicate-label": "each column name may occur once",
    "blank-label": "give the column its schema name",
    "missing-cell": "the row has fewer cells than the header: add the missing commas",
    "extra-cell": "the row has more cells than the header: quote text that holds a comma",
    "blank-row": "delete the empty row",
    "scheme-error": "restore the file or fix its path in datapackage.json",
}


# --------------------------------------------------------------------------- step 1: raw files

def read_files(package: Package) -> tuple[dict[str, bytes], list[Problem]]:
    """Each table's bytes, with the problems visible in the bytes alone."""
    data: dict[str, bytes] = {}
    problems: list[Problem] = []
    for name, table in package.tables.items():
        file = relative(package, table)
        try:
            content = table.path.read_bytes()
        except FileNotFoundError:
            problems.append(Problem(file, None, None, None, "missing-file",
                                    f"{file} is listed in {DESCRIPTOR} but does not exist", HINTS["missing-file"]))
            continue
        except OSError as exc:
            problems.append(Problem(file, None, None, None, "unreadable-file", f"{file} cannot be read: {exc}",
                                    HINTS["unreadable-file"]))
            continue
        data[name] = content
        problems.extend(byte_problems(file, content))
    return data, problems


def byte_problems(file: str, content: bytes) -> Iterator[Problem]:
    """BOM, non-UTF-8 bytes and CRLF endings, each reported once per file at its first line."""
    if content.startswith(codecs.BOM_UTF8):
        yield Problem(file, 1, None, None, "byte-order-mark", "the file starts with a UTF-8 byte-order mark",
                      HINTS["byte-order-mark"])
    try:
        content.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = content.count(b"\n", 0, exc.start) + 1
        bad = content[exc.start:exc.end]
        yield Problem(file, line, None, bad.hex(" "), "encoding-error",
                      f"bytes {bad!r} on line {line} are not UTF-8 ({exc.reason})", HINTS["encoding-error"])
    crlf = content.find(b"\r\n")
    if crlf >= 0:
        line = content.count(b"\n", 0, crlf) + 1
        count = content.count(b"\r\n")
        yield Problem(file, line, None, None, "crlf-line-ending",
                      f"{count} line{'s' if count != 1 else ''} end with CRLF, first on line {line}",
                      HINTS["crlf-line-ending"])


def frame_problems(frames: Frames) -> Iterator[Problem]:
    """Spaces around key values and rows out of primary-key order (vectorised over the frames)."""
    for name, raw in frames.raw.items():
        table = frames.table(name)
        file = relative(frames.package, table)
        keys = list(dict.fromkeys([*table.primary_key, *(f for fk in table.foreign_keys for f in fk.fields)]))
        for column in keys:
            text = raw[column]
            padded = text != text.str.strip()
            for index in padded[padded].index:
                yield Problem(file, int(index) + 2, column, text[index], "key-whitespace",
                              f"key value {text[index]!r} has leading or trailing spaces", HINTS["key-whitespace"])
        row = first_unsorted(raw, list(table.primary_key))
        if row is not None:
            yield Problem(file, row, None, None, "rows-not-sorted",
                          f"row {row} sorts before the row above it by primary key "
                          f"({', '.join(table.primary_key)})", HINTS["rows-not-sorted"])


def first_unsorted(raw: pd.DataFrame, columns: list[str]) -> int | None:
    """Spreadsheet row of the first record that sorts before its predecessor, as package.sort_key orders."""
    import numpy as np

    if len(raw) < 2 or not columns:
        return None
    before = np.zeros(len(raw) - 1, dtype=bool)
    tied = np.ones(len(raw) - 1, dtype=bool)
    for column in columns:
        values = raw[column].to_numpy(dtype=object)
        current, previous = values[1:], values[:-1]
        before |= tied & (current < previous)
        tied &= current == previous
    found = np.flatnonzero(before)
    return int(found[0]) + 3 if len(found) else None


# --------------------------------------------------------------------------- step 2: frictionless

def frictionless_problems(package: Package) -> list[Problem]:
    """Run frictionless once on the whole package and map each error to a Problem."""
    import frictionless

    try:
        report = frictionless.Package(str(package.root / DESCRIPTOR)).validate()
    except frictionless.FrictionlessException as exc:
        raise PackageError(f"{package.root / DESCRIPTOR}: {exc.error.message}") from None
    problems = [Problem(DESCRIPTOR, None, None, None, e.type, e.message, "fix the descriptor")
                for e in report.errors]
    for task in report.tasks:
        table = package.tables.get(task.name)
        file = relative(package, table) if table else task.place
        problems.extend(_frictionless_problem(file, table, error.to_descriptor()) for error in task.errors)
    return problems


def _frictionless_problem(file: str, table: Table | None, error: dict[str, Any]) -> Problem:
    kind = error["type"]
    field, value = error.get("fieldName") or None, error.get("cell")
    cells = error.get("cells") or []
    if kind == "foreign-key" and table is not None:
        field = _note_field(error.get("note", ""))
        value = _cell(table, cells, field)
    elif kind == "primary-key" and table is not None:
        field = table.primary_key[0] if table.primary_key else None
        value = "/".join(filter(None, (_cell(table, cells, k) for k in table.primary_key))) or None
    elif kind.endswith("-label"):
        field, value = field or error.get("label") or None, error.get("label")
    elif kind in ("extra-cell", "missing-cell"):
        field = field or f"column {error.get('fieldNumber')}"
    return Problem(file, error.get("rowNumber"), field, value, kind, error["message"],
                   HINTS.get(kind, "see the frictionless documentation for this error type"))


def _note_field(note: str) -> str | None:
    """Frictionless names a foreign key's field only in its note: 'for "state_id": values ...'."""
    start = note.find('for "')
    return note[start + 5: note.find('"', start + 5)] if start >= 0 else None


def _cell(table: Table, cells: list[Any], name: str | None) -> Any:
    names = table.field_names
    if name in names and names.index(name) < len(cells):
        return cells[names.index(name)]
    return None


# --------------------------------------------------------------------------- step 4: provenance

def provenance_problems(frames: Frames, sources: Path) -> list[Problem]:
    """Citations against the source texts, skipped when sources or citations cannot be read."""
    from scripts.provenance import check_provenance

    if not {"sources", "citations"} <= set(frames.raw):
        return []
    return check_provenance(frames.package, sources, frames.raw)


# --------------------------------------------------------------------------- the pass

def validate_package(root: Path, sources: Path | None = None) -> list[Problem]:
    """Every problem of the package under ``root``; provenance too when ``sources`` is given.

    Raises PackageError when the descriptor or a schema cannot be read at all.
    """
    from scripts.checks import Frames, check_tables, read_frame

    package = load_package(root)
    with _frictionless_worker() as worker:
        pending = worker.submit(frictionless_at, str(package.root))
        data, raw_problems = read_files(package)
        frames = Frames(package, {name: read_frame(package.table(name), content)
                                  for name, content in data.items()})
        del data
        raw_problems.extend(frame_problems(frames))
        checked = check_tables(frames)
        proved = provenance_problems(frames, Path(sources)) if sources is not None else []
        found = pending.result()
    if any(p.rule in FATAL_RULES or (p.rule == "encoding-error") for p in raw_problems):
        # frictionless repeats an unreadable file's error on every table that references it
        found = [p for p in found if not (p.row is None and p.rule in {"scheme-error", "encoding-error"})]
    ranked = [(RAW if p.rule not in {"crlf-line-ending", "rows-not-sorted"} else RULE, p) for p in raw_problems]
    ranked += [(FRICTIONLESS_STRUCTURE if p.rule in STRUCTURAL else FRICTIONLESS, p) for p in found]
    ranked += [(DERIVED if p.rule not in _rule_names() else RULE, p) for p in checked]
    ranked += [(RULE, p) for p in proved]
    return merge(ranked)


def _frictionless_worker() -> ProcessPoolExecutor:
    """One child process for frictionless, so that it runs on a second core while this process
    reads the frames and runs the pandera and provenance checks (frictionless still runs once).
    'spawn' starts a clean interpreter: forking a process that holds pandas threads is unsafe."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))


def frictionless_at(root: str) -> list[Problem]:
    """:func:`frictionless_problems` for the package under ``root`` (runs in the worker process)."""
    return frictionless_problems(load_package(root))


def _rule_names() -> set[str]:
    from scripts.checks import RULES

    return set(RULES)


def merge(ranked: list[tuple[int, Problem]]) -> list[Problem]:
    """Drop problems explained by a lower-ranked one: same file, and the same cell, or the other
    problem concerns the whole row (no field), the whole column (no row) or the whole file."""
    by_file: dict[str, list[tuple[int, Problem]]] = {}
    for rank, problem in ranked:
        by_file.setdefault(problem.file, []).append((rank, problem))
    kept: list[Problem] = []
    seen: set[Problem] = set()
    for items in by_file.values():
        covers = {(rank, p.row, p.field) for rank, p in items}
        for rank, p in items:
            if p in seen:
                continue
            hidden = any(r < rank and (row is None or row == p.row) and (fld is None or fld == p.field)
                         for r, row, fld in covers)
            if not hidden:
                seen.add(p)
                kept.append(p)
    return kept


def relative(package: Package, table: Table) -> str:
    """A table's file as the report names it: its path relative to the package root."""
    try:
        return table.path.relative_to(package.root).as_posix()
    except ValueError:
        return table.path.as_posix()


# --------------------------------------------------------------------------- command line

def default_sources(root: Path) -> Path | None:
    """``../shared/sources`` beside the package root, when it exists."""
    candidate = root.resolve().parent / "shared" / "sources"
    return candidate if candidate.is_dir() else None


def run(verb: str, argv: list[str]) -> int:
    """``validate [ROOT] [--sources DIR] [--format text|json] [--output FILE]``; exit 0, 1 or 2."""
    parser = argparse.ArgumentParser(prog=f"python -m scripts {verb}", description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", default=".", type=Path, help="package folder (default: .)")
    parser.add_argument("--sources", type=Path, help="folder of source texts (default: ../shared/sources)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--output", type=Path, help="write the report to this file instead of stdout")
    args = parser.parse_args(argv)
    notes = []
    sources = args.sources
    if sources is not None and not sources.is_dir():
        print(f"error: sources folder {sources} not found", file=sys.stderr)
        return 2
    if sources is None:
        sources = default_sources(args.root)
        if sources is None:
            notes.append("source texts not found: provenance (sha256, line ranges, cited values) was not "
                         "checked; pass --sources DIR to check it")
    try:
        problems = validate_package(args.root, sources)
    except PackageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    report = (render_json if args.format == "json" else render_text)(problems, notes)
    if args.output:
        atomic_write(args.output, report)
        print(f"{'valid' if not problems else 'invalid'}: {len(problems)} problems; report in {args.output}")
    else:
        sys.stdout.write(report)
    if any(p.rule in FATAL_RULES for p in problems):
        return 2
    return 1 if problems else 0
