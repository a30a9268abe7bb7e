"""Validation problems and their reports, shared by every check and by the workbook import."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the package, located as a spreadsheet user would look for it.

    ``row`` counts as a spreadsheet does: the header is row 1, the first record row 2; None when
    the problem concerns a whole file or column. ``rule`` is a stable machine-readable name
    (a frictionless error type such as ``foreign-key`` or a named pandera check such as
    ``ordinals_increase_with_date``); ``hint`` is one line saying how to fix it.
    """

    file: str
    row: int | None
    field: str | None
    value: Any
    rule: str
    message: str
    hint: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Problems in a stable reading order: by file, then row (file-level first), field and rule."""
    return sorted(problems, key=lambda p: (p.file, p.row or 0, p.field or "", p.rule, str(p.value), p.message))


def render_text(problems: list[Problem], notes: list[str] | None = None) -> str:
    """A report for people: one block per file, one line per problem with its hint beneath."""
    lines = [f"note: {note}" for note in notes or []]
    by_file: dict[str, list[Problem]] = {}
    for problem in sort_problems(problems):
        by_file.setdefault(problem.file, []).append(problem)
    for file, items in by_file.items():
        lines.append(f"\n{file}: {len(items)} problem{'s' if len(items) != 1 else ''}")
        for p in items:
            where = f"row {p.row}" if p.row is not None else "file"
            field = f", {p.field}" if p.field else ""
            value = f" = {p.value!r}" if p.value not in (None, "") else ""
            lines.append(f"  {where}{field}{value}  [{p.rule}] {p.message}")
            if p.hint:
                lines.append(f"      hint: {p.hint}")
    count = len(problems)
    lines.append(f"\n{'valid' if not count else 'invalid'}: {count} problem{'s' if count != 1 else ''}"
                 + (f" in {len(by_file)} file{'s' if len(by_file) != 1 else ''}" if count else ""))
    return "\n".join(lines).lstrip("\n") + "\n"


def render_json(problems: list[Problem], notes: list[str] | None = None) -> str:
    """A report for tools: ``{"valid", "problem_count", "rules", "notes", "problems"}``, stable order."""
    import json

    ordered = sort_problems(problems)
    rules: dict[str, int] = {}
    for problem in ordered:
        rules[problem.rule] = rules.get(problem.rule, 0) + 1
    payload = {
        "valid": not problems,
        "problem_count": len(problems),
        "rules": dict(sorted(rules.items())),
        "notes": list(notes or []),
        "problems": [p.to_dict() for p in ordered],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n"
