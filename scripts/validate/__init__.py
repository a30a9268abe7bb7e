"""``python -m scripts validate``: every check of the package in one pass over columnar frames.

The pass:

1. the descriptor and Table Schemas are checked with frictionless, the reference (metadata only,
   :mod:`.metadata`; a broken descriptor or schema stops the run with exit 2); then every descriptor value
   that becomes a link, a file name, a version or text people read, by a named rule each
   (:mod:`.descriptor`);
2. each CSV is read once (:mod:`.frames`): bytes (UTF-8, BOM, CRLF), header, ragged or blank rows,
   then one polars frame of text; resource paths that leave the package are refused unread;
3. pandera runs every check of each table's frame (:mod:`.checks`): the Table Schema's (types,
   constraints, unique, primary and foreign keys, from :mod:`scripts.model`), the CSV's (key
   whitespace, sort order), the named rules (:mod:`.rules`, :mod:`.facts`) and, with source texts,
   provenance (:mod:`.provenance`).

One mistake gives one line: a problem of a more basic kind hides the problems a later step finds
at the same cell, row or column (:func:`scripts.report.merge`, ranks from the catalogue).
Validation only reads; it never writes a file of the package, and the one process it may start
(frictionless's metadata check, from the command line) is given data, not paths or options. Full
frictionless row validation runs in the test suite, which asserts the same verdict.
"""

from __future__ import annotations

import os
from pathlib import Path

# polars allocates through its own jemalloc, which by default keeps freed pages for ten seconds:
# each table's parse buffers and each check's temporaries would then stay resident for the whole
# run. Returning them at once cuts the peak by a sixth at 300k observations, at no measurable cost
# in time. Read when polars first allocates, so it is set before anything imports polars.
os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:0,muzzy_decay_ms:0")

from scripts.model import catalogue
from scripts.model.backends.polars import engine_for
from scripts.model.names import SOURCES
from scripts.model.package import Package, check_patterns, load_package
from scripts.report import Problem, merge

from . import facts, provenance, records, rules  # noqa: F401  (register the named rules)
from .descriptor import descriptor_problems, sources_problems
from .frames import Frames, read_package
from .lock import lock_file_problems, lock_location  # registers the lock's rules too
from .metadata import metadata_problems, start

__all__ = ["metadata_problems", "run_validation", "validate_package"]


def validate_package(root: Path | str, sources: Path | None = None, lock: bool = False,
                     parallel: bool = False) -> list[Problem]:
    """Every problem of the package under ``root``; provenance too when ``sources`` is given.

    With ``lock``, provenance is also checked against the package's ``provenance.lock``: without
    ``sources`` the citations are compared with it (lock mode: it must exist); with them, a lock
    that no longer records what they prove is refused (:mod:`.lock`). With ``parallel`` (the
    command line), frictionless's metadata check runs in a second process meanwhile (:mod:`.metadata`).
    Raises PackageError when the descriptor or a schema cannot be read at all.
    """
    return run_validation(root, sources, lock, parallel)[0]


def run_validation(root: Path | str, sources: Path | None = None, lock: bool = False,
                   parallel: bool = False) -> tuple[list[Problem], Frames]:
    """:func:`validate_package`, also returning the frames read (what ``--update-lock`` records)."""
    package = load_package(root, confine=False)
    pending = start(package, parallel)
    try:
        found = _checked(package, sources, lock)
    except Exception:
        pending.verdict()  # a broken descriptor or schema is named before what it broke
        raise
    except BaseException:  # interrupted: the second process is stopped, not waited for
        pending.abandon()
        raise
    pending.verdict()
    return found


def _sources_agree(package: Package, frames: Frames) -> list[Problem]:
    """The descriptor's sources against the sources table, when it was read."""
    if SOURCES not in frames.raw:
        return []
    return sources_problems(package.descriptor, frames.text(SOURCES).to_dicts(), frames.file(SOURCES))


def _checked(package: Package, sources: Path | None, lock: bool) -> tuple[list[Problem], Frames]:
    """Every check after the metadata's, in order: patterns, reading, descriptor values, rules."""
    from .checks import table_problems
    from .registry import RuleRun

    check_patterns(package)
    frames, found = read_package(package)
    found = descriptor_problems(package.descriptor) + _sources_agree(package, frames) + found
    lock_path = lock_location(package, sources, lock)
    run = RuleRun(frames, {"sources": Path(sources) if sources is not None else None, "lock": lock_path})
    with engine_for(max((frame.height for frame in frames.raw.values()), default=0)):
        if lock_path is not None:
            found.extend(lock_file_problems(frames, run.args["sources"], lock_path))
        applicable = list(run.applicable(include_provenance=sources is not None))
        for name in frames.raw:
            found.extend(table_problems(frames, run, name, applicable))
    return merge((catalogue.rank(p.rule), p) for p in found), frames
