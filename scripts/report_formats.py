"""Reports for CI: GitHub Actions workflow commands and SARIF 2.1.0, each finding on its line.

Why line numbers of the file and not rows: a pull request's diff, and so its annotations, are in
lines of the file. A :class:`~scripts.report.Problem` counts CSV records as a spreadsheet does
(header row 1); a record whose quoted text holds a line break spans several lines, so each row is
mapped to the line where its record starts, computed from the file itself (:func:`record_starts`),
and the column to where the field starts on that line (when it starts there). Problems that are
already about a physical line (a byte-order mark, bytes that are not UTF-8, CRLF endings) and those
on other files (``provenance.lock``, whose entries are lines) keep their row as the line. A problem
about a whole file or the descriptor gets no line; one about a column, the header's line.

Paths are given relative to the working directory (the repository root in CI), so a package in a
sub-folder is annotated where it is. Only the files with findings are read again, once each.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from scripts.files import resolved
from scripts.model import catalogue
from scripts.model.package import csv_reader
from scripts.report import Problem, noun, render_json, render_text, sort_problems

PHYSICAL_LINE_RULES = frozenset({catalogue.BOM, catalogue.ENCODING, catalogue.CRLF})  # row is already a line
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
TOOL = "cac-validate"


@dataclass(frozen=True)
class Location:
    """Where a finding is shown: a path relative to the working directory, and a line and column
    (1-based) when the finding has one."""

    path: str
    line: int | None = None
    column: int | None = None


def record_starts(text: str) -> list[int]:
    """The line (1-based) where each record of a CSV text starts, the header's first. A line break
    inside a quoted value does not start a record: a line with an odd number of quote characters
    opens or closes a quoted value (an escaped quote is two)."""
    starts, inside = [], False
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        if not inside:
            starts.append(number)
        if line.count('"') % 2:
            inside = not inside
    if lines[-1] == "" and starts and starts[-1] == len(lines):
        starts.pop()  # the empty remainder after the last line break is no record
    return starts


def field_column(line: str, index: int) -> int | None:
    """The column (1-based) where the ``index``-th field (0-based) of a record starts on its first
    line; None when the field starts on a later line."""
    if index == 0:
        return 1
    seen, inside = 0, False
    for position, char in enumerate(line):
        if char == '"':
            inside = not inside
        elif char == "," and not inside:
            seen += 1
            if seen == index:
                return position + 2
    return None


class Locator:
    """Each problem's :class:`Location`; each CSV with findings is read once."""

    def __init__(self, root: Path, base: Path | None = None) -> None:
        self.root, self.base = root, (base or Path.cwd())
        self._files: dict[str, tuple[list[str], list[int], list[str]] | None] = {}

    def path(self, file: str) -> str:
        full = Path(file) if Path(file).is_absolute() else self.root / file
        try:
            return Path(os.path.relpath(resolved(full), resolved(self.base))).as_posix() \
                if resolved(full).is_relative_to(resolved(self.base)) else full.as_posix()
        except OSError:
            return full.as_posix()

    def locate(self, problem: Problem) -> Location:
        path = self.path(problem.file)
        if not problem.file.endswith(".csv") or problem.rule in PHYSICAL_LINE_RULES:
            return Location(path, problem.row)
        read = self._read(problem.file)
        if read is None:
            return Location(path)
        lines, starts, header = read
        if problem.row is None:  # a column's problem sits on the header; a file's on no line
            return Location(path, 1, _column(lines, 1, header, problem.field)) if problem.field else Location(path)
        if not 1 <= problem.row <= len(starts):
            return Location(path)
        line = starts[problem.row - 1]
        return Location(path, line, _column(lines, line, header, problem.field))

    def _read(self, file: str) -> tuple[list[str], list[int], list[str]] | None:
        if file not in self._files:
            try:
                text = (self.root / file).read_bytes().decode("utf-8", "replace")
            except OSError:
                self._files[file] = None
            else:
                lines = text.split("\n")
                header = next(csv_reader([lines[0].removeprefix("\ufeff")]), [])
                self._files[file] = (lines, record_starts(text), header)
        return self._files[file]


def _column(lines: list[str], line: int, header: list[str], field: str | None) -> int | None:
    if field is None or field not in header:
        return None
    return field_column(lines[line - 1], header.index(field))


# --------------------------------------------------------------------------- GitHub Actions
def escape_data(text: str) -> str:
    """A workflow command's message, escaped as the runner reads it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value (file, title): ':' and ',' end it unless escaped."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _message(problem: Problem) -> str:
    return f"{problem.message} ({problem.hint})" if problem.hint else problem.message


def github_line(problem: Problem, where: Location) -> str:
    """``::error file=F,line=L,col=C,title=RULE::message (hint)`` for one finding."""
    props = [f"file={escape_property(where.path)}"]
    if where.line is not None:
        props.append(f"line={where.line}")
        if where.column is not None:
            props.append(f"col={where.column}")
    props.append(f"title={escape_property(problem.rule)}")
    return f"::error {','.join(props)}::{escape_data(_message(problem))}"


def render_github(problems: list[Problem], notes: list[str] | None, root: Path) -> str:
    """One workflow command per finding (each note a notice), then the summary line."""
    locator = Locator(root)
    lines = [f"::notice title=validate::{escape_data(note)}" for note in notes or []]
    lines.extend(github_line(p, locator.locate(p)) for p in sort_problems(problems))
    files = len({p.file for p in problems})
    lines.append(f"invalid: {len(problems)} {noun(len(problems), 'problem')} in {files} {noun(files, 'file')}"
                 if problems else "valid: 0 problems")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- SARIF 2.1.0
def _rule(rule_id: str) -> dict[str, Any]:
    entry = catalogue.CATALOGUE.get(rule_id)
    if entry is None:
        return {"id": rule_id, "shortDescription": {"text": rule_id}}
    return {"id": entry.id, "shortDescription": {"text": entry.message}, "help": {"text": entry.hint},
            "defaultConfiguration": {"level": "error"}, "properties": {"tags": [entry.kind]}}


def _uri(path: str) -> dict[str, str]:
    if path.startswith("/"):
        return {"uri": "file://" + quote(path)}
    return {"uri": quote(path), "uriBaseId": "%SRCROOT%"}


def _result(problem: Problem, where: Location, index: int) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": _uri(where.path)}
    if where.line is not None:
        physical["region"] = {"startLine": where.line, **({"startColumn": where.column} if where.column else {})}
    return {"ruleId": problem.rule, "ruleIndex": index, "level": "error", "message": {"text": _message(problem)},
            "locations": [{"physicalLocation": physical}]}


def render_sarif(problems: list[Problem], notes: list[str] | None, root: Path) -> str:
    """A SARIF 2.1.0 log: one run, the catalogue's rules, one result per finding."""
    ordered = sort_problems(problems)
    ids = list(catalogue.CATALOGUE) + sorted({p.rule for p in ordered} - set(catalogue.CATALOGUE))
    index = {rule_id: i for i, rule_id in enumerate(ids)}
    locator = Locator(root)
    run = {
        "tool": {"driver": {"name": TOOL, "rules": [_rule(r) for r in ids]}},
        "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": [
            {"level": "note", "message": {"text": note}} for note in notes or []]}],
        "results": [_result(p, locator.locate(p), index[p.rule]) for p in ordered],
    }
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, ensure_ascii=False, indent=2) + "\n"


def render(problems: list[Problem], notes: list[str] | None, fmt: str, root: Path | str = ".") -> str:
    """The report in the format a verb's ``--format`` asked for: ``text`` and ``json`` (for people
    and tools, :mod:`scripts.report`), or for CI ``github`` and ``sarif`` (each finding at its line of
    the file under the package ``root``)."""
    if fmt == "sarif":
        return render_sarif(problems, notes, Path(root))
    if fmt == "github":
        return render_github(problems, notes, Path(root))
    return (render_json if fmt == "json" else render_text)(problems, notes)
