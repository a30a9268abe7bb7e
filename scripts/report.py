"""Validation problems and their reports, shared by every check and by the workbook import.

Three guarantees: every finding reaches the report (one per cell and rule; two engines that see
the same cell and rule give one line), merging is linear in the number of findings (dicts and
sets, no pairwise scans), and rendering stays readable at any volume: at most :data:`CAP`
problems per rule and file are printed, then "... and K more", and long values are shortened with
their length. The JSON report keeps every problem and all counts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from scripts.model.limits import REPORT_CAP as CAP
from scripts.model.limits import REPORT_JSON_VALUE_CHARS as JSON_VALUE_CHARS
from scripts.model.limits import REPORT_VALUE_CHARS as VALUE_CHARS


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the package, located as a spreadsheet user would look for it.

    ``row`` counts as a spreadsheet does: the header is row 1, the first record row 2; None when
    the problem concerns a whole file or column. ``rule`` is a stable machine-readable name (a
    frictionless error type such as ``foreign-key``, a constraint such as ``pattern``, or a named
    rule such as ``ordinals_increase_with_date``); ``hint`` is one line saying how to fix it.
    """

    file: str
    row: int | None
    field: str | None
    value: Any
    rule: str
    message: str
    hint: str = ""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if isinstance(self.value, str) and len(self.value) > JSON_VALUE_CHARS:
            data["value"] = self.value[:JSON_VALUE_CHARS]
            data["value_length"] = len(self.value)
        return data

    @property
    def cell(self) -> tuple[str, int | None, str | None, str]:
        return (self.file, self.row, self.field, self.rule)


def _order(p: Problem) -> tuple[Any, ...]:
    return (p.file, p.row or 0, p.field or "", p.rule, str(p.value)[:200], p.message)


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Problems in a stable reading order: by file, then row (file-level first), field and rule."""
    return sorted(problems, key=_order)


def merge(ranked: Iterable[tuple[int, Problem]]) -> list[Problem]:
    """One line per mistake, in linear time.

    A problem is dropped when the same cell already has one with the same rule (two engines saw the
    same thing), or when a problem of a lower rank (a more basic cause: unreadable bytes before
    a bad header before a bad cell before a broken rule) covers it: same file and the same cell,
    or a lower-ranked problem about its whole row (no field), whole column (no row) or the file.
    """
    items = list(ranked)
    lowest: dict[tuple[str, int | None, str | None], int] = {}
    for rank, p in items:
        key = (p.file, p.row, p.field)
        lowest[key] = min(lowest.get(key, rank), rank)
    kept: list[Problem] = []
    seen: set[tuple[str, int | None, str | None, str]] = set()
    for rank, p in items:
        covering = ((p.file, p.row, p.field), (p.file, p.row, None), (p.file, None, p.field), (p.file, None, None))
        if p.cell in seen or any(lowest.get(key, rank) < rank for key in covering):
            continue
        seen.add(p.cell)
        kept.append(p)
    return kept


def shorten(value: Any, limit: int = VALUE_CHARS) -> str:
    """A value for a report line: its repr, cut with its length when long."""
    if isinstance(value, str) and len(value) > limit:
        return f"{value[:limit]!r}… ({len(value):,} characters)"
    return repr(value)


def render_text(problems: list[Problem], notes: list[str] | None = None, cap: int = CAP) -> str:
    """A report for people: one block per file, one line per problem with its hint beneath; at most
    ``cap`` lines per rule and file, then how many more there are."""
    lines = [f"note: {note}" for note in notes or []]
    by_file: dict[str, list[Problem]] = {}
    for problem in sort_problems(problems):
        by_file.setdefault(problem.file, []).append(problem)
    for file, items in by_file.items():
        lines.extend(_file_block(file, items, cap))
    count, files = len(problems), len(by_file)
    summary = f"{'valid' if not count else 'invalid'}: {count} {noun(count, 'problem')}"
    if count:
        summary += f" in {files} {noun(files, 'file')}"
    lines.append("\n" + summary)
    return "\n".join(lines).lstrip("\n") + "\n"


def noun(count: int, one: str, many: str | None = None) -> str:
    """The noun that agrees with ``count``: ``one`` for 1, else ``many`` (``one`` + 's' by
    default). Every message that counts says "1 problem" and "0 problems" the same way."""
    return one if count == 1 else many or one + "s"


def _file_block(file: str, items: list[Problem], cap: int) -> list[str]:
    lines = [f"\n{file}: {len(items)} {noun(len(items), 'problem')}"]
    shown: Counter[str] = Counter()
    for p in items:
        shown[p.rule] += 1
        if shown[p.rule] <= cap:
            lines.extend(_lines(p))
    lines.extend(f"  … and {count - cap:,} more [{rule}] problems in {file}"
                 for rule, count in sorted(shown.items()) if count > cap)
    return lines


def _lines(p: Problem) -> list[str]:
    where = f"row {p.row}" if p.row is not None else "file"
    field = f", {p.field}" if p.field else ""
    value = f" = {shorten(p.value)}" if p.value not in (None, "") else ""
    out = [f"  {where}{field}{value}  [{p.rule}] {p.message}"]
    if p.hint:
        out.append(f"      hint: {p.hint}")
    return out


def render_json(problems: list[Problem], notes: list[str] | None = None) -> str:
    """A report for tools: ``{"valid", "problem_count", "rules", "files", "notes", "problems"}``, stable
    order; every problem is listed (values longer than 1,000 characters are cut, with their length)."""
    import json

    ordered = sort_problems(problems)
    payload = {
        "valid": not problems,
        "problem_count": len(problems),
        "rules": dict(sorted(Counter(p.rule for p in ordered).items())),
        "files": dict(sorted(Counter(p.file for p in ordered).items())),
        "notes": list(notes or []),
        "problems": [p.to_dict() for p in ordered],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n"
