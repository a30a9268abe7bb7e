"""The ``release``, ``diff``, ``docs`` and ``bump`` verbs once :mod:`scripts.cli` has parsed them.

Each returns the exit code: 0 done, 1 not releasable (invalid data or stale metadata), 2 cannot
run. OSError, PackageError and the lock's LockBusy reach :func:`scripts.cli.main`, which prints
one line and exits 2; nothing here prints a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scripts.report import render


def release(args: argparse.Namespace, notes: list[str]) -> int:
    from scripts.release.build import release as build_release
    from scripts.release.errors import ReleaseError, ReleaseRefused

    try:
        result = build_release(args.root, args.dist, args.sources, args.previous)
    except ReleaseRefused as refused:
        sys.stderr.write(render(refused.problems, [*notes, "release refused: nothing written"], args.format))
        return 1
    except ReleaseError as exc:
        print(f"release failed: {exc}", file=sys.stderr)
        return 2
    for note in notes:
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
            print("error: give two versions (OLD NEW) or a git range OLD..NEW", file=sys.stderr)
            return 2
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
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for path in result.changed:
        print(f"updated {path}")
    since = f" (data changes since {result.previous})" if result.previous else ""
    print(f"version {result.old} -> {result.new}{since}. Review, then run:")
    print(f"  git commit -am 'Release {result.new}' && git tag -a {result.tag} -m 'Version {result.new}'")
    return 0
