"""What each CLI verb does once its arguments are parsed (the parser is :mod:`scripts.cli`):
every verb handler, in one module.

Each handler takes the parsed arguments and the notes gathered so far and returns the exit code.
The heavy modules are imported inside the handler that needs them (validate does not pay for
openpyxl). This is the top layer, the one place where jobs meet: the release gets validation, the
workbook and the site from here (:func:`release_steps`), so that ``scripts.release`` imports none
of them.
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
from scripts.report import Problem
from scripts.report_formats import render


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
        problems = validate_package(args.root, args.sources, lock=not args.no_provenance, parallel=True)
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
    from scripts.xlsx.read.importer import import_workbook

    with suppress(FileNotFoundError):  # the importer names a missing workbook itself
        regular_file(args.workbook)  # a FIFO given as the workbook would block the reader forever
    result = import_workbook(args.root, args.workbook, args.sources, max_rows=args.max_rows, parallel=True)
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


def site(args: argparse.Namespace, notes: list[str]) -> int:
    """Build the static site alone: 0 built, 1 a value the site cannot draw (run validate), 2 cannot run.
    Without a release, the Downloads section names the files a release writes (no sizes or
    digests, which only exist once the files do) and the index embeds the JSON-LD of those names."""
    from scripts.site import SiteDataError
    from scripts.site.build import render_pages, write_site
    from scripts.site.model import load_site_data

    dest = args.output or inside("dist", args.root) / "site"
    data = load_site_data(Path(args.root))
    try:
        files = render_pages(data, _unreleased_downloads(data.package, data.rows))
    except SiteDataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    written = write_site(files, Path(dest))
    print(f"site: wrote {len(written)} files to {dest}")
    return 0


def _unreleased_downloads(package: Package, rows: dict[str, list[dict[str, str]]]):  # -> Downloads | None
    """The files a release of ``package`` writes, by name, with the schema.org JSON-LD the release
    would write for them (None when the descriptor lacks the release record: the site says so)."""
    from scripts.model.downloads import DATA_SUFFIXES, unreleased
    from scripts.model.meta import html_safe_json_text, package_meta
    from scripts.release.portals import schema_org

    try:
        meta = package_meta(package)
    except KeyError:
        return None
    listed = unreleased(meta, package.tables)
    data_files = sorted(f.name for f in listed.files if Path(f.name).suffix in DATA_SUFFIXES)
    return unreleased(meta, package.tables, html_safe_json_text(schema_org(meta, package, rows, data_files)))


def release_steps():  # -> scripts.release.build.Steps
    """The jobs a release runs: validation, the workbook and the site."""
    from scripts.release.build import Steps

    return Steps(validate=_validate_for_release, workbook=_workbook_for_release, site=_site_for_release)


def _validate_for_release(root: Path, sources: Path | None) -> list[Problem]:
    from scripts.validate import validate_package

    return validate_package(root, sources, parallel=True)


def _workbook_for_release(package: Package, dest: Path) -> None:
    from scripts.release.errors import ReleaseError
    from scripts.xlsx.write.export import ExportError, export_workbook

    try:
        export_workbook(package, dest)
    except ExportError as exc:
        raise ReleaseError(f"workbook: {exc}") from None


def _site_for_release(package: Package, rows: dict[str, list[dict[str, str]]], dest: Path, downloads) -> None:
    """The site of the release, its Downloads section listing the files written (``downloads``:
    :class:`scripts.model.downloads.Downloads`, sizes and digests included)."""
    from scripts.site.build import render_pages, write_site
    from scripts.site.model import site_data

    write_site(render_pages(site_data(package, rows), downloads), dest)


def release(args: argparse.Namespace, notes: list[str]) -> int:
    """Exit 0 built, 1 not releasable (invalid data or stale metadata), 2 cannot run."""
    from scripts.release.build import release as build_release
    from scripts.release.errors import ReleaseError, ReleaseRefused

    try:
        result = build_release(args.root, release_steps(), args.dist, args.sources, args.previous, final=args.final)
    except ReleaseRefused as refused:
        sys.stderr.write(render(refused.problems, [*notes, "release refused: nothing written"], args.format))
        return 1
    except ReleaseError as exc:
        print(f"release failed: {exc}", file=sys.stderr)
        return 2
    for note in [*notes, *result.notes]:
        print(f"note: {note}")
    print("validation: 0 problems")
    for name, size in result.files.items():
        print(f"{result.dist / name}  {size:,} bytes")
    print(f"release built in {result.seconds:.1f} s")
    return 0


def diff(args: argparse.Namespace, notes: list[str]) -> int:
    from scripts.model.meta import json_text
    from scripts.release.diff import diff_json, diff_packages, diff_text
    from scripts.release.refs import open_version, split_range

    old, new = args.old, args.new
    if new is None:
        pair = split_range(old)
        if pair is None:
            raise UsageError("give two versions (OLD NEW) or a git range OLD..NEW")
        old, new = pair
    with open_version(old, args.repo) as before, open_version(new, args.repo) as after:
        changes = diff_packages(before, after)
    sys.stdout.write(json_text(diff_json(changes)) if args.format == "json" else diff_text(changes))
    return 0


def docs(args: argparse.Namespace, notes: list[str]) -> int:
    from scripts.release.generated import regenerate

    for path in regenerate(Path(args.root)):
        print(f"updated {path}")
    return 0


def bump(args: argparse.Namespace, notes: list[str]) -> int:
    from scripts.release.version import bump as bump_version

    try:
        result = bump_version(Path(args.root), args.part, args.date)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    for path in result.changed:
        print(f"updated {path}")
    since = f" (data changes since {result.previous})" if result.previous else ""
    for unset in result.placeholders:
        print(f"warning: datapackage.json: {unset}: release --final refuses to build until it is set")
    print(f"version {result.old} -> {result.new}{since}. Review, build the release to publish "
          "(python -m scripts release --final), then run:")
    print(f"  git commit -am 'Release {result.new}' && git tag -a {result.tag} -m 'Version {result.new}'")
    return 0


def coverage(args: argparse.Namespace, notes: list[str]) -> int:
    """The report as text or JSON; 0 when every sentence is cited or excluded, 1 otherwise, 2 on
    unreadable input."""
    from scripts.coverage import REPORT_MD, CoverageError, coverage_report, render_json, render_markdown, render_text

    root = Path(args.root)
    try:
        report = coverage_report(root, args.sources)
        if args.write:
            atomic_write(root / REPORT_MD, render_markdown(report))
    except (CoverageError, OSError) as exc:  # a missing or unreadable source text, named in its words
        print(f"error: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(render_json(report) if args.format == "json" else render_text(report))
    return 0 if report.complete else 1


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

