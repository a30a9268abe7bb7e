"""Judge mutmut's survivors again against chosen test files, and record the ones they kill.

Why: mutmut runs a surviving mutant against every test that covers its function. For the
validation core that is hundreds of whole-package validations, minutes a mutant, so re-running the
survivors after writing tests for them takes hours. This runs each named survivor against the test
files given (``-x``, fastest first as under mutmut, see :mod:`tests.mutation.order`) the way mutmut
does (in ``mutants/``, with ``MUTANT_UNDER_TEST`` naming the mutant) and records a kill in mutmut's
own results. A mutant the given tests do not kill keeps its verdict, and only mutants that already
have one (survived, no tests, not run) are judged: a narrow run can turn a survivor into a kill,
never hide one.

With ``--unjudged`` the mutants mutmut has not run yet are judged too, and one the given tests do
not kill is recorded as surviving: the module's score is then a lower bound (the whole suite might
kill it), never an inflated one.

    python -m tests.mutation.rejudge 'scripts.validate.lock.*' tests/data/test_lock_findings.py

A mutant whose run overruns mutmut's own limit for these tests (15 times the unmutated run plus a
second, mutmut's defaults) is recorded as mutmut records it, a timeout, which counts as caught: a
change that makes a bounded wait unbounded is one a user notices.

Do not run it while ``mutmut run`` writes to the same folder.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from scripts.files import atomic_write
from tests.mutation.report import STATUS, read_modules

JUDGED_NOT_KILLED = ("survived", "no tests", "not run")
TIMEOUT_MULTIPLIER, TIMEOUT_CONSTANT = 15.0, 1.0  # mutmut's defaults (timeout_multiplier, timeout_constant)
RECORD_EVERY = 10  # verdicts written every ten mutants, so that a run stopped early keeps most of its work
TIMED_OUT = 36  # mutmut's exit code for a timeout (mutmut.stats.status_by_exit_code)


def candidates(mutants: Path, pattern: str, unjudged: bool = False) -> dict[str, str]:
    """The judged but not killed mutants matching ``pattern`` (and, with ``unjudged``, the ones
    never run), each with its module's path."""
    wanted = (*JUDGED_NOT_KILLED, "not checked") if unjudged else JUDGED_NOT_KILLED
    return {name: module.path for module in read_modules(mutants)
            for name, status in module.mutants.items()
            if status in wanted and fnmatch.fnmatchcase(name, pattern)}


def judge(mutants: Path, name: str, tests: list[str], timeout: float) -> int:
    """pytest's exit code for ``tests`` run against mutant ``name`` (``name`` empty: the unmutated
    code), or mutmut's timeout code when the run overran ``timeout`` seconds."""
    command = [sys.executable, "-m", "pytest", "-x", "-q", "--rootdir=.", "-p", "no:cacheprovider",
               "-p", "no:randomly", *tests]
    try:
        return subprocess.run(command, cwd=mutants, env={**os.environ, "MUTANT_UNDER_TEST": name},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout,
                              check=False).returncode
    except subprocess.TimeoutExpired:
        return TIMED_OUT


def time_limit(mutants: Path, tests: list[str]) -> float | None:
    """mutmut's limit for one mutant's run of ``tests``, from a run of the unmutated code; None
    when that run does not pass (no verdict can be drawn from tests that fail anyway)."""
    start = time.monotonic()
    if judge(mutants, "", tests, timeout=3600.0) != 0:
        return None
    return (time.monotonic() - start + TIMEOUT_CONSTANT) * TIMEOUT_MULTIPLIER


def record(mutants: Path, verdicts: dict[str, tuple[str, int]]) -> None:
    """Write each mutant's exit code (1: a test failed, killed; 0: survived) into its module's
    ``.meta``, by module path."""
    for path in sorted({where for where, _ in verdicts.values()}):
        meta = mutants / f"{path}.meta"
        data = json.loads(meta.read_text(encoding="utf-8"))
        data["exit_code_by_key"].update({name: code for name, (where, code) in verdicts.items() if where == path})
        atomic_write(meta, json.dumps(data, indent=4) + "\n")


def _record_verdicts(mutants: Path, chosen: dict[str, str], fresh: set[str], codes: dict[str, int]) -> set[str]:
    """Record the kills (and the never-run mutants judged surviving) among ``codes``; the caught ones."""
    caught = {name for name, code in codes.items() if STATUS.get(code) in ("killed", "timeout")}
    record(mutants, {name: (chosen[name], code) for name, code in codes.items()
                     if name in caught or (code == 0 and name in fresh)})
    return caught


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pattern", help="mutant names to judge (fnmatch), e.g. 'scripts.validate.lock.*'")
    parser.add_argument("tests", nargs="+", help="test files or node ids, as in the mutants folder")
    parser.add_argument("--mutants", type=Path, default=Path("mutants"))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--unjudged", action="store_true",
                        help="judge never-run mutants too; one the tests do not kill is recorded as surviving")
    args = parser.parse_args(argv)
    chosen = candidates(args.mutants, args.pattern, args.unjudged)
    fresh = set(chosen) - set(candidates(args.mutants, args.pattern))  # never run before
    if not chosen:
        print(f"no survivor matches {args.pattern!r} under {args.mutants}", file=sys.stderr)
        return 2
    limit = time_limit(args.mutants, args.tests)
    if limit is None:
        print(f"the tests do not pass on the unmutated code in {args.mutants}; nothing was judged",
              file=sys.stderr)
        return 2
    codes: dict[str, int] = {}
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        results = pool.map(lambda name: judge(args.mutants, name, args.tests, limit), chosen)
        for name, code in zip(chosen, results, strict=True):
            codes[name] = code
            if len(codes) % RECORD_EVERY == 0:  # an interrupted run keeps what it judged
                _record_verdicts(args.mutants, chosen, fresh, codes)
    caught = _record_verdicts(args.mutants, chosen, fresh, codes)
    odd = {name: code for name, code in codes.items() if code != 0 and name not in caught}
    for name, code in sorted(odd.items()):
        print(f"{name}: pytest exit {code}, verdict left as it was")
    timed_out = sum(code == TIMED_OUT for code in codes.values())
    overran = f" ({timed_out} by overrunning {limit:.0f} s)" if timed_out else ""
    print(f"{len(caught)} of {len(chosen)} killed{overran}; {len(chosen) - len(caught) - len(odd)} still survive")
    return 1 if odd else 0


if __name__ == "__main__":
    sys.exit(main())
