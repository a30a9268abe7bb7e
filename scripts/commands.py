"""What each CLI verb does once its arguments are parsed (the parser is :mod:`scripts.cli`).

Each handler takes the parsed arguments and the notes gathered so far and returns the exit code.
The heavy modules are imported inside the handler that needs them. The workbook verbs call
into :mod:`scripts.xlsx`; the release, diff, docs and bump verbs live in
:mod:`scripts.release.verbs` and coverage in :mod:`scripts.coverage`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import traceback
from pathlib import Path

from scripts.files import OutsideRoot, atomic_write, describe_os_error, package_lock, recover
from scripts.model.package import PackageError, load_package
from scripts.report import Problem, render

LOG_DIR_ENV = "CAC_LOG_DIR"


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

    problems = validate_package(args.root, args.sources)
    text = render(problems, notes, args.format)
    if args.output:
        atomic_write(args.output, text)
        print(f"{'valid' if not problems else 'invalid'}: {len(problems)} problems; report in {args.output}")
    else:
        sys.stdout.write(text)
    return exit_code(problems)


def export(args: argparse.Namespace, notes: list[str]) -> int:
    from scripts.xlsx.write.export import ExportError, export_workbook

    package = load_package(args.root)
    dest = args.output or Path(args.root) / "dist" / f"{package.name}.xlsx"
    try:
        with package_lock(package.root):  # the tables read and the fingerprint recorded agree
            recover(package.root)  # an import killed mid-switch: finish or undo it first
            export_workbook(package, dest)
    except ExportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {dest}")
    return 0


def import_(args: argparse.Namespace, notes: list[str]) -> int:
    from scripts.xlsx.read.importer import import_workbook

    result = import_workbook(args.root, args.workbook, args.sources, max_rows=args.max_rows)
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


def bench(args: argparse.Namespace, notes: list[str]) -> int:
    from scripts.bench import run_bench

    return run_bench(args.rows, args.sources, skip=set(args.skip))


def log_dir() -> Path:
    """Where tracebacks of unexpected errors go: ``$CAC_LOG_DIR``, else a folder in the temp dir."""
    return Path(os.environ.get(LOG_DIR_ENV) or Path(tempfile.gettempdir()) / "cac-logs")


def fail(exc: BaseException) -> int:
    """One line for any failure, exit 2; an unexpected one also writes its traceback to a log."""
    if isinstance(exc, PackageError | OutsideRoot):  # e.g. a table that is a symlink leaving the package
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if isinstance(exc, OSError):
        print(f"error: {describe_os_error(exc)}", file=sys.stderr)
        return 2
    try:
        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        log = folder / f"internal-error-{stamp}-{os.getpid()}.log"
        log.write_text("".join(traceback.format_exception(exc)), encoding="utf-8")
        where = str(log)
    except OSError:
        where = "(no log: the log folder is not writable)"
    print(f"internal error: {type(exc).__name__}: {str(exc)[:200]}; details written to {where}; please report it",
          file=sys.stderr)
    return 2

