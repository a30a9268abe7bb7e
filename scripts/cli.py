"""The command line: ONE argparse parser for every verb, with the same options and defaults.

``python -m scripts <verb> [ROOT] [options]``. Every verb that reads the package takes ROOT
(default "."); every verb that validates checks provenance against ``--sources DIR`` (default
``$CAC_SOURCES``, else ``<root>/../shared/sources``) unless ``--no-provenance`` is given; every verb
that reports takes ``--format text|json``. Exit codes: 0 valid/ok, 1 invalid data, 2 usage or
environment (missing or unreadable file, full or read-only disk). An unexpected error prints one
line and writes its traceback to a log file: no traceback reaches a user.

Each verb's work lives in its own module, imported only when the verb runs (validate does not pay
for openpyxl); :data:`HANDLERS` is the one table from verb to function.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

from scripts import commands, environment, files
from scripts.model.names import PROVENANCE_LOCK

SOURCES_ENV = "CAC_SOURCES"
DESCRIPTION = "Check, edit and release the Central Asian cooperation data package."
VERBS = {
    "validate": "Check the package: files, Table Schemas, keys, named rules and provenance (against the source "
                "texts, or without them against provenance.lock). Exit 0 valid, 1 invalid, 2 cannot run.",
    "export": "Write the package as an Excel workbook (default dist/<name>.xlsx) for editing.",
    "import": "Read an edited workbook back into tables/*.csv; writes nothing unless everything validates.",
    "release": "Validate, then build the release bundle (zip, SQLite, Parquet, docs) in dist/.",
    "diff": "Compare two versions of the package (folders, release zips or git refs), record by record.",
    "docs": "Regenerate docs/, CITATION.cff and .zenodo.json from datapackage.json and the Table Schemas.",
    "bump": "Cut the next version: update it everywhere, date the CHANGELOG section, print the git tag command.",
    "bench": "Benchmark validate, import and export against frictionless, calamine and XlsxWriter.",
    "site": "Build the static site alone (default ROOT/dist/site); every release builds it too.",
    "schema": "Print a table's checks as the pandera schema an analyst applies to their own frame.",
    "coverage": "Show which sentences of the source texts no record cites, per source (source coverage). "
                "Exit 0 when every sentence is cited or excluded with a reason, 1 otherwise.",
}


def _root(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("root", nargs="?", default=".", type=Path, help="package folder (default: .)")


def _sources(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sources", type=Path, metavar="DIR",
                        help=f"folder of source texts for provenance (default: ${SOURCES_ENV}, "
                             "else ROOT/../shared/sources)")
    parser.add_argument("--no-provenance", action="store_true",
                        help="skip checking citations against the source texts (said in the report)")


def _format(parser: argparse.ArgumentParser, extra: tuple[str, ...] = ()) -> None:
    parser.add_argument("--format", choices=("text", "json", *extra), default="text",
                        help="report format (default: text)" + (
                            ": github prints GitHub Actions annotations, sarif writes SARIF 2.1.0" if extra else ""))


def build_parser() -> argparse.ArgumentParser:
    """The one parser: a sub-parser per verb, built from the shared option groups above."""
    parser = argparse.ArgumentParser(prog="python -m scripts", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="exit codes: 0 ok, 1 invalid data, 2 usage or environment error")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", required=True)
    sub = {name: verbs.add_parser(name, help=text, description=text) for name, text in VERBS.items()}
    for name in ("validate", "export", "release", "docs"):
        _root(sub[name])
    sub["import"].add_argument("workbook", type=Path, help="the edited .xlsx file")
    _root(sub["import"])
    sub["import"].add_argument("--max-rows", type=int, metavar="N", help="accept sheets of up to N data rows, "
                               "raising the workbook caps to match (default: twice the longest table's rows, "
                               "at least 50,000 rows and 64 MiB per sheet part)")
    for name in ("validate", "import", "release"):
        _sources(sub[name])
    for name in ("import", "release", "diff"):
        _format(sub[name])
    _format(sub["validate"], ("github", "sarif"))
    sub["validate"].add_argument("--output", type=Path, metavar="FILE", help="write the report to FILE")
    sub["validate"].add_argument("--update-lock", action="store_true",
                                 help=f"with the source texts, rewrite ROOT/{PROVENANCE_LOCK} (what they prove, "
                                      "checked without them) when the whole package is valid; refused otherwise")
    sub["export"].add_argument("--output", type=Path, metavar="FILE", help="workbook to write "
                               "(default: ROOT/dist/<name>.xlsx)")
    sub["release"].add_argument("--dist", type=Path, metavar="DIR", help="output folder (default: ROOT/dist)")
    sub["release"].add_argument("--final", action="store_true",
                                help="the release to publish: refused while a publishing setting in datapackage.json "
                                     "is a placeholder (missing, listed in cac:unverified, or an example address)")
    sub["release"].add_argument("--previous", metavar="VERSION",
                                help="previous release (zip, folder or git ref) to diff against "
                                "(default: last git tag)")
    sub["diff"].add_argument("old", help="old version: package folder, release zip, git ref, or a range OLD..NEW")
    sub["diff"].add_argument("new", nargs="?", help="new version: package folder, release zip or git ref")
    sub["diff"].add_argument("--repo", type=Path, default=Path("."), help="git checkout the refs name (default: .)")
    sub["bump"].add_argument("part", choices=("major", "minor", "patch"), help="which part of the version to raise")
    _root(sub["bump"])
    sub["bump"].add_argument("--date", metavar="YYYY-MM-DD", help="release date (default: today, UTC)")
    sub["bench"].add_argument("--sizes", "--rows", dest="rows", type=int, nargs="+", metavar="N",
                              help="indicator observations to grow the package to (default: 10000 100000 1000000)")
    sub["bench"].add_argument("--skip", nargs="*", default=[], choices=("validate", "import", "export"),
                              help="parts of the benchmark to leave out")
    _root(sub["bench"])
    _sources(sub["bench"])
    _root(sub["site"])
    sub["site"].add_argument("--output", type=Path, metavar="DIR", help="folder to write the site to, replaced "
                             "whole (default: ROOT/dist/site)")
    sub["schema"].add_argument("table", help="the table (resource) name, e.g. meetings")
    _root(sub["schema"])
    sub["schema"].add_argument("--pandera", action="store_true", required=True,
                               help="print the pandera.polars.DataFrameSchema (the one form offered today)")
    _root(sub["coverage"])
    _format(sub["coverage"])
    sub["coverage"].add_argument("--sources", type=Path, metavar="DIR", help="folder of source texts "
                                 f"(default: ${SOURCES_ENV}, else ROOT/../shared/sources)")
    sub["coverage"].add_argument("--write", action="store_true", help="also write docs/source-coverage.md")
    return parser


def resolve_sources(args: argparse.Namespace, notes: list[str]) -> Path | None:
    """The sources folder this run checks provenance against; None with a note when skipped.

    validate says in one note which provenance mode it runs in. Without the default folder it falls
    back to the lock mode when the package has a provenance.lock (citations compared with what a run
    with the texts proved); a folder given with --sources or $CAC_SOURCES must exist.
    Raises UsageError when provenance is wanted but can be checked neither way.
    """
    if getattr(args, "no_provenance", False):
        notes.append("provenance was not checked (--no-provenance): citations were not compared with the sources")
        return None
    if hasattr(args, "no_provenance") and not (Path(args.root) / "datapackage.json").is_file():
        return None  # a validating verb names the missing descriptor, which is the first thing to fix
    explicit = args.sources or (Path(os.environ[SOURCES_ENV]) if os.environ.get(SOURCES_ENV) else None)
    folder = explicit or files.resolved(args.root).parent / "shared" / "sources"
    checking = args.verb == "validate" and not args.update_lock  # may fall back to the lock
    locked = args.verb == "validate" and (Path(args.root) / PROVENANCE_LOCK).is_file()
    if not folder.is_dir() and explicit is None and checking and locked:
        notes.append(f"provenance mode: lock (no source texts at {folder}: citations compared with {PROVENANCE_LOCK}, "
                     "what a run with the texts proved)")
        return None
    if not folder.is_dir():
        updating = getattr(args, "update_lock", False)  # needs the texts: no lock, no skipping
        skip = ", or give --no-provenance to skip checking citations" if hasattr(args, "no_provenance") else ""
        none = f" and ROOT has no {PROVENANCE_LOCK} to check against" if checking and not locked else ""
        raise commands.UsageError(f"sources folder {folder} not found{none}: pass --sources DIR or set "
                                  f"{SOURCES_ENV}{'' if updating else skip}")
    if args.verb == "validate":
        lock = (f"{PROVENANCE_LOCK} compared with what they prove" if locked else f"no {PROVENANCE_LOCK}") \
            if checking else f"{PROVENANCE_LOCK} rewritten only if everything is proved"
        notes.append(f"provenance mode: sources (citations proved against the texts in {folder}; {lock})")
    return folder


HANDLERS: dict[str, Callable[[argparse.Namespace, list[str]], int]] = {
    "validate": commands.validate,
    "export": commands.export,
    "import": commands.import_,
    "release": commands.release,
    "diff": commands.diff,
    "docs": commands.docs,
    "bump": commands.bump,
    "bench": commands.bench,
    "coverage": commands.coverage,
    "schema": commands.schema,
    "site": commands.site,
}


def main(argv: list[str] | None = None) -> int:
    """Parse, dispatch, and turn every failure into one line and an exit code."""
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    missing = environment.missing_modules()
    if missing:  # not the project's environment: say how to run it, not "internal error"
        print(environment.advice(missing, args.verb), file=sys.stderr)
        return environment.EXIT_CANNOT_RUN
    files.set_stage_check(commands.staged_package_valid)  # recovery validates a stage before trusting it
    notes: list[str] = []
    try:
        if hasattr(args, "sources"):
            args.sources = resolve_sources(args, notes)
        return HANDLERS[args.verb](args, notes)
    except commands.UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except ModuleNotFoundError as exc:
        if environment.is_ours(exc.name):
            return commands.fail(exc)
        return environment.not_installed(exc.name, args.verb)
    except Exception as exc:  # the one place where any failure becomes a line and an exit code
        return commands.fail(exc)


if __name__ == "__main__":
    sys.exit(main())
