"""What each CLI verb does once its arguments are parsed (the parser is :mod:`scripts.cli`).

Each handler takes the parsed arguments and the notes gathered so far and returns the exit code.
The heavy modules are imported inside the handler that needs them. The workbook verbs call
into :mod:`scripts.xlsx`; the release, diff, docs and bump verbs live in
:mod:`scripts.release.verbs` and coverage in :mod:`scripts.coverage`.
"""

from __future__ import annotations

import argparse
import csv
import sys
import traceback
from contextlib import suppress
from pathlib import Path

from scripts.crashlog import UnsafeLogDir, write_log
from scripts.files import (
    NotRegularFile,
    OutsideRoot,
    atomic_write,
    inside,
    output_file,
    package_lock,
    recover,
    regular_file,
)
from scripts.model.package import DESCRIPTOR, Package, PackageError, load_package
from scripts.oserrors import describe_os_error
from scripts.report import Problem, render


class UsageError(Exception):
    """The command cannot run as asked (bad option, missing folder): exit 2 with one line."""


def exit_code(problems: list[Problem]) -> int:
    """0 valid, 2 when a table file could not be read at all, 1 otherwise."""
    from scripts.model.catalogue import FATAL_RULES

    if any(p.rule in FATAL_RULES for p in problems):
        return 2
    return 1 if problems else 0


def validate(args: argparse.Namespace, notes: list[str]) -> int:
    from scripts.validate import validate_package

    if args.update_lock:  # prove everything with the texts, then record it in provenance.lock
        problems = _update_lock(args, notes)
    else:  # with the texts, a stale lock is refused; without them, citations are checked against it
        problems = validate_package(args.root, args.sources, lock=not args.no_provenance)
    text = render(problems, notes, args.format, root=args.root)
    if args.output:
        atomic_write(args.output, text)
        print(f"{'valid' if not problems else 'invalid'}: {len(problems)} problems; report in {args.output}")
    else:
        sys.stdout.write(text)
    return exit_code(problems)


def _update_lock(args: argparse.Namespace, notes: list[str]) -> list[Problem]:
    from scripts.validate.lock import update_lock

    if args.no_provenance:
        raise UsageError("--update-lock records what the source texts prove: it cannot run with --no-provenance")
    problems, note = update_lock(args.root, args.sources)
    notes.append(note)
    return problems


def export(args: argparse.Namespace, notes: list[str]) -> int:
    from scripts.xlsx.write.export import ExportError, export_workbook

    package = load_package(args.root)
    # The default file is named from content: the name is checked, and dist/ may not be a link leading out.
    dest = args.output or output_file(inside("dist", args.root), package.name, ".xlsx", f"{DESCRIPTOR}: name")
    try:
        with package_lock(package.root):  # the tables read and the fingerprint recorded agree
            recover(package.root)  # an import killed mid-switch: finish or undo it first
            export_workbook(package, dest)
    except ExportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except csv.Error as exc:  # a cell over the cap the csv module shares with validation
        return _refuse_long_cells(package, exc, notes)
    print(f"wrote {dest}")
    return 0


def _refuse_long_cells(package: Package, exc: csv.Error, notes: list[str]) -> int:
    """Export stopped at a cell over the cell cap: report the cells as validate does (exit 1)."""
    from scripts.validate.frames import read_package

    _, found = read_package(package)
    problems = [p for p in found if p.rule == "cell-too-long"]
    if not problems:
        print(f"error: a table could not be read ({exc}); run validate", file=sys.stderr)
        return 1
    sys.stderr.write(render(problems, [*notes, "export refused: nothing was written"], "text"))
    return 1


def import_(args: argparse.Namespace, notes: list[str]) -> int:
    from scripts.xlsx.read.caps import DEFAULT_WORKBOOK_CAPS, WorkbookCaps
    from scripts.xlsx.read.importer import import_workbook

    caps = WorkbookCaps.for_rows(args.max_rows) if args.max_rows else DEFAULT_WORKBOOK_CAPS
    with suppress(FileNotFoundError):  # the importer names a missing workbook itself
        regular_file(args.workbook)  # a FIFO given as the workbook would block the reader forever
    result = import_workbook(args.root, args.workbook, args.sources, caps)
    if result.problems:
        sys.stderr.write(render(result.problems, [*notes, *result.notes, "import refused: nothing was written"],
                                args.format))
        return result.exit_code
    sys.stdout.write(result.report(args.workbook, notes, args.format))
    return 0


def schema(args: argparse.Namespace, notes: list[str]) -> int:
    """The pandera schema of one table, as text (exit 2 naming the tables when it is unknown)."""
    from scripts.model.backends.pandera import describe, table_schema

    package = load_package(args.root)
    if args.table not in package.tables:
        raise UsageError(f"no table {args.table!r}; the tables are: {', '.join(package.tables)}")
    sys.stdout.write(describe(table_schema(package.table(args.table))))
    return 0


def staged_package_valid(root: Path) -> bool:
    """Does the staged package at ``root`` validate (provenance aside)? What recovery asks before
    rolling a staged table switch forward (see :func:`scripts.files.set_stage_check`)."""
    from scripts.validate import validate_package

    try:
        return not validate_package(root, None)
    except (PackageError, OSError, ValueError):
        return False


def bench(args: argparse.Namespace, notes: list[str]) -> int:
    from scripts.bench import run_bench

    return run_bench(args.rows, args.sources, skip=set(args.skip))


def fail(exc: BaseException) -> int:
    """One line for any failure, exit 2; an unexpected one also writes its traceback to a log."""
    if isinstance(exc, PackageError | OutsideRoot | NotRegularFile):  # e.g. a table that is a link leaving the package
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if isinstance(exc, OSError):
        print(f"error: {describe_os_error(exc)}", file=sys.stderr)
        return 2
    try:
        where = f"details written to {write_log(''.join(traceback.format_exception(exc)))}"
    except UnsafeLogDir as unsafe:
        where = f"no log written: {unsafe}"
    except OSError as cannot:
        where = f"no log written: {describe_os_error(cannot)}"
    said = " ".join(str(exc)[:200].split())  # one line, whatever the exception holds
    print(f"internal error: {type(exc).__name__}: {said}; {where}; please report it", file=sys.stderr)
    return 2

