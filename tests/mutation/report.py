"""The mutation report (``make mutation``): mutmut's verdicts per core module, scored.

mutmut keeps each mutant's verdict in ``mutants/<module>.py.meta``. This reads them, sets aside
the mutants listed in ``tests/mutation/equivalents.txt`` (a mutant no input can tell from the
original, each with its reason), and writes ``dist/mutation/report.md`` and ``report.json``: per
module the killed, timed-out, surviving, untested and unchecked mutants and the score

    score = (killed + timeout) / (mutants - equivalent - not checked - skipped)

so a mutant no test reaches counts against the module, and one not run yet does not count at
all (the report says the run is incomplete). Each survivor is listed with its diff: the next test
to write. An equivalent that a test kills, or that no longer exists, is reported too: the list
must stay true.

Run from the repository root after ``mutmut run``: ``python -m tests.mutation.report``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

from scripts.files import atomic_write

TARGET = 90.0  # per-module score the project keeps (issue 21)
EQUIVALENTS = Path(__file__).with_name("equivalents.txt")
# mutmut's exit codes (mutmut.stats.status_by_exit_code), folded into the report's columns
# 255: the worker's pytest ran no test (it could not find the tests it was given by name): the mutant
# was never judged, so it counts against the module until a re-run gives it a verdict.
STATUS = {1: "killed", 3: "killed", 36: "timeout", -24: "timeout", 24: "timeout", 152: "timeout", 255: "not run",
          0: "survived", 5: "no tests", 33: "no tests", 34: "skipped", 37: "killed", None: "not checked"}
COLUMNS = ("killed", "timeout", "survived", "no tests", "not run", "suspicious", "skipped", "not checked")


@dataclass
class Module:
    """The verdicts of one source file's mutants."""

    path: str
    mutants: dict[str, str] = field(default_factory=dict)  # mutant name -> status
    equivalent: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for name, s in self.mutants.items() if s == status and name not in self.equivalent)

    @property
    def scored(self) -> int:
        return len(self.mutants) - len(self.equivalent) - self.count("not checked") - self.count("skipped")

    @property
    def score(self) -> float | None:
        caught = self.count("killed") + self.count("timeout")
        return round(100 * caught / self.scored, 1) if self.scored else None


def read_equivalents(path: Path = EQUIVALENTS) -> dict[str, str]:
    """``mutant name: reason`` per line; blank lines and ``#`` comments are skipped. A line without
    a reason is an error: an equivalent mutant is claimed, never assumed; so is a mutant listed twice
    (one of the two reasons would be silently dropped)."""
    found: dict[str, str] = {}
    lines: dict[str, int] = {}
    if not path.is_file():
        return found
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, reason = line.partition(": ")
        if not reason.strip() or " " in name:
            raise ValueError(f"{path}:{number}: expected 'mutant name: reason', got {line!r}")
        if name in lines:
            raise ValueError(f"{path}:{number}: {name} is already listed on line {lines[name]}")
        found[name], lines[name] = reason.strip(), number
    return found


def read_modules(mutants: Path) -> list[Module]:
    """Every mutated source file's verdicts, from mutmut's ``.meta`` files, by path."""
    modules = []
    for meta in sorted(mutants.rglob("*.py.meta")):
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        if codes:
            path = meta.relative_to(mutants).as_posix().removesuffix(".meta")
            modules.append(Module(path, {name: STATUS.get(code, "suspicious") for name, code in codes.items()}))
    return modules


def apply_equivalents(modules: list[Module], equivalents: dict[str, str]) -> list[str]:
    """Mark the listed mutants equivalent; return what is wrong with the list (a listed mutant
    that no longer exists, or that a test kills and so is not equivalent)."""
    wrong = []
    known = {name: module for module in modules for name in module.mutants}
    for name in equivalents:
        module = known.get(name)
        if module is None:
            wrong.append(f"{name}: listed as equivalent but there is no such mutant (renumbered? re-check the list)")
        elif module.mutants[name] in ("killed", "timeout"):
            wrong.append(f"{name}: listed as equivalent but a test kills it: remove it from the list")
        else:
            module.equivalent.append(name)
    return wrong


def diff_of(name: str, path: str) -> str:
    """The mutant's diff against the original function, as ``mutmut show`` prints it."""
    try:
        from mutmut.mutation.diff_apply import get_diff_for_mutant

        return get_diff_for_mutant(name, path=path)
    except Exception as exc:  # a report must not fail on one mutant it cannot show
        return f"(diff unavailable: {exc})"


def as_json(modules: list[Module], equivalents: dict[str, str], wrong: list[str], diffs: bool) -> dict[str, Any]:
    return {
        "target": TARGET,
        "modules": {m.path: {**{c: m.count(c) for c in COLUMNS}, "mutants": len(m.mutants),
                             "equivalent": len(m.equivalent), "scored": m.scored, "score": m.score} for m in modules},
        "equivalents": {n: equivalents[n] for m in modules for n in m.equivalent},
        "equivalents_wrong": wrong,
        "survived": [{"mutant": n, "module": m.path, "status": s, "diff": diff_of(n, m.path) if diffs else None}
                     for m in modules for n, s in sorted(m.mutants.items())
                     if s in ("survived", "no tests", "not run", "suspicious") and n not in m.equivalent],
    }


def as_markdown(report: dict[str, Any]) -> str:
    lines = ["# Mutation testing", "", f"Target: {report['target']:g} % per module "
             "(score = (killed + timeout) / (mutants - equivalent - not checked)).", "",
             "| module | mutants | killed | timeout | survived | no tests | not run | equivalent | not checked "
             "| score |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for path, m in report["modules"].items():
        score = "–" if m["score"] is None else f"{m['score']:.1f} %" + (" ✗" if m["score"] < report["target"] else "")
        lines.append(f"| `{path}` | {m['mutants']} | {m['killed']} | {m['timeout']} | {m['survived']} | "
                     f"{m['no tests']} | {m['not run']} | {m['equivalent']} | {m['not checked']} | {score} |")
    if report["equivalents_wrong"]:
        lines += ["", "## The equivalents list is wrong", ""] + [f"- {w}" for w in report["equivalents_wrong"]]
    if report["survived"]:
        lines += ["", "## Not killed", ""]
        for item in report["survived"]:
            lines += [f"### `{item['mutant']}` ({item['status']})", ""]
            lines += ["```diff", item["diff"], "```", ""] if item["diff"] else []
    return "\n".join(lines).rstrip() + "\n"


def to_rerun(modules: list[Module], equivalents: dict[str, str], pattern: str = "*") -> list[str]:
    """The mutants whose verdict a new test may change: survivors and those never judged, matching
    ``pattern`` (fnmatch, as mutmut matches names). Why: mutmut keeps a verdict until the mutated
    function changes, so a survivor stays a survivor after the test that kills it is written,
    unless it is named again."""
    return sorted(name for m in modules for name, status in m.mutants.items()
                  if status in ("survived", "not run") and name not in equivalents and fnmatch(name, pattern))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutants", type=Path, default=Path("mutants"))
    parser.add_argument("--out", type=Path, default=Path("dist/mutation"))
    parser.add_argument("--no-diffs", action="store_true", help="leave the survivors' diffs out (faster)")
    parser.add_argument("--to-rerun", metavar="PATTERN", nargs="?", const="*",
                        help="print the names of the mutants to judge again (survived, not run), matching "
                             "PATTERN, and write no report (make mutation re-runs them first)")
    args = parser.parse_args(argv)
    modules = read_modules(args.mutants)
    if args.to_rerun is not None:
        print(" ".join(to_rerun(modules, read_equivalents(), args.to_rerun)))
        return 0
    if not modules:
        print(f"error: no mutmut results under {args.mutants}: run `make mutation` first", file=sys.stderr)
        return 2
    equivalents = read_equivalents()
    wrong = apply_equivalents(modules, equivalents)
    with contextlib.chdir(args.mutants.resolve().parent):  # mutmut reads a mutant's diff from ./mutants
        report = as_json(modules, equivalents, wrong, diffs=not args.no_diffs)
    args.out.mkdir(parents=True, exist_ok=True)
    atomic_write(args.out / "report.json", json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    atomic_write(args.out / "report.md", as_markdown(report))
    for path, m in report["modules"].items():
        print(f"{path}: {m['killed'] + m['timeout']}/{m['scored']} ({'–' if m['score'] is None else m['score']} %)")
    low = [p for p, m in report["modules"].items() if m["score"] is not None and m["score"] < TARGET]
    print(f"report: {args.out / 'report.md'}; below {TARGET:g} %: {', '.join(low) or 'none'}")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
