"""``python -m scripts import WORKBOOK``: an edited workbook back into the package, all or nothing.

The steps, and why in this order:

1. the workbook is checked as an archive (:mod:`.archive`), its layout resolved once
   (:mod:`.layout`: one part per sheet name, the one every step reads), each sheet's part scanned
   for its reach and for what calamine cannot read (:mod:`.prescan`), then read the fast way or
   by streaming, in bounded memory (:mod:`.fast`, :mod:`.reader`); its sheets become CSV records
   (:mod:`.rows`). Any problem found here refuses the import before validation, so one slip gives
   one message rather than a cascade of findings about its consequences;
2. under the package lock, leftovers of an interrupted import are recovered, and the workbook's
   recorded fingerprint is compared with the tables: if they changed since the export, the
   workbook is refused, since importing it would silently undo those changes. This comes before
   the problems of step 1 are reported: a stale workbook's edits must be made again in a fresh
   export, so fixing its cells first would be work done twice (they are named in one note);
3. the changed tables are written into a staged copy of the package, which is validated exactly
   as ``validate`` does (provenance included unless the user turned it off); only when it is valid
   are the tables switched, in one step that a kill at any instant leaves old or new, never mixed;
4. the import lists every cell it changed, with the old and new value, and every record added or
   removed (:mod:`.changes`): the fingerprint of step 2 can be forged (it is a hash of files
   anyone can read), so what a workbook overwrites is always shown.

Every problem names the workbook's cell (``meetings!F7``) in plain words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from scripts import files
from scripts.model.package import Package, check_patterns, load_package
from scripts.report import Problem, noun
from scripts.xlsx.read.caps import WorkbookCaps, caps_for
from scripts.xlsx.read.changes import Changes, table_changes
from scripts.xlsx.read.explain import at_edited_cells, place, suggest_keys
from scripts.xlsx.read.rows import Reading, SheetTable, read_sheets
from scripts.xlsx.state import FINGERPRINT_LABEL, STATE_SHEET, fingerprint

ENVIRONMENT_RULES = {"unreadable"}  # the file could not be read at all: exit 2, not 1
REEXPORT = "export a fresh workbook, make the edits there and import that one"


@dataclass
class ImportResult:
    """What an import did: problems (nothing was written when there are any), notes, the tables
    it changed and every change it made in them."""

    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    changes: Changes = field(default_factory=Changes)

    def report(self, workbook: Path | str, notes: list[str], fmt: str) -> str:
        """What a successful import says: its notes, every change (text: the first LIMIT and a
        count; JSON: all of them), and last the tables changed."""
        notes = [*notes, *self.notes]
        if fmt == "json":
            import json

            return json.dumps({"imported": str(workbook), "changed": self.changed, "notes": notes,
                               "changes": self.changes.to_dict()}, ensure_ascii=False, indent=2) + "\n"
        lines = [f"note: {note}" for note in notes] + self.changes.lines()
        lines.append(f"imported {workbook}: {', '.join(self.changed) or 'no table'} changed")
        return "\n".join(lines) + "\n"

    @property
    def exit_code(self) -> int:
        if any(p.rule in ENVIRONMENT_RULES for p in self.problems):
            return 2
        return 1 if self.problems else 0


def import_workbook(root: Path | str, workbook: Path | str, sources: Path | None,
                    caps: WorkbookCaps | None = None, max_rows: int | None = None,
                    parallel: bool = False) -> ImportResult:
    """Import ``workbook`` into the package at ``root``; ``sources`` as for validate (None skips
    provenance). ``caps`` bound the workbook; by default they follow the package's size
    (:func:`.caps.caps_for`), raised to ``max_rows`` rows a sheet when asked (``--max-rows``).
    Nothing is written unless every cell reads and the staged package validates; with
    ``parallel`` (the command line), that validation asks frictionless about the metadata in a
    second process meanwhile, as ``validate`` does."""
    package = load_package(root)
    check_patterns(package)  # a pattern polars cannot run is refused before any cell meets it
    caps = caps or caps_for(package, max_rows)
    reading = read_sheets(package, Path(workbook), STATE_SHEET, caps)
    reading.problems = suggest_keys(reading.problems, package, reading.tables)
    result = ImportResult(notes=reading.notes)
    recorded = _recorded_fingerprint(reading, workbook, result)
    with files.package_lock(package.root):
        files.recover(package.root)
        if recorded and fingerprint(package) != recorded:  # before any cell: its edits must be redone anyway
            result.problems = [_stale(workbook)]
            result.notes.extend(_also_refused(reading.problems))
            return result
        if reading.problems or result.problems:
            result.problems = reading.problems + result.problems
            return result
        _apply(package, reading, sources, result, parallel)
    return result


def _apply(package: Package, reading: Reading, sources: Path | None, result: ImportResult, parallel: bool) -> None:
    """Write the tables the workbook changed, if the staged package validates (under the lock)."""
    texts = {name: t.csv_text() for name, t in reading.tables.items()}
    current = {name: package.table(name).path.read_bytes() for name in texts}
    changed = {name: text for name, text in texts.items() if current[name] != text.encode("utf-8")}
    if not changed:
        return
    changes = Changes()
    for name in changed:  # before the switch: a failure here leaves the tables as they were
        changes.extend(table_changes(package.table(name), current[name], reading.tables[name]))
    result.problems = _switch(package, changed, reading.tables, sources, changes, parallel)
    if not result.problems:
        result.changed, result.changes = sorted(changed), changes


def _recorded_fingerprint(reading: Reading, workbook: Path | str, result: ImportResult) -> str:
    """The fingerprint the export wrote; a problem when the workbook does not carry one."""
    state = reading.state
    if len(state) >= 2 and state[0] == FINGERPRINT_LABEL and state[1]:
        return state[1]
    if reading.tables:  # a workbook that could not be read says so already
        result.problems.append(Problem(str(workbook), None, None, None, "no-export-state",
                                       "the workbook does not record which state of the tables it was exported "
                                       f"from (its hidden {STATE_SHEET} sheet is missing or changed), so it "
                                       "could undo edits made since", REEXPORT))
    return ""


def _also_refused(problems: list[Problem], shown: int = 10) -> list[str]:
    """A note naming the cells a stale workbook would also have been refused for: not reported
    one by one, since the edits are to be made again in a fresh export, where they are checked."""
    if not problems:
        return []
    places = [p.message.partition(": ")[0] for p in problems[:shown]]
    more = f" and {len(problems) - shown:,} more" if len(problems) > shown else ""
    return [f"this workbook also has {len(problems):,} cell {noun(len(problems), 'problem')} "
            f"({', '.join(places)}{more}), not listed since the edits must be made again in a fresh export: "
            "check those cells there"]


def _stale(workbook: Path | str) -> Problem:
    return Problem(str(workbook), None, None, None, "tables-changed",
                   "the package's tables changed after this workbook was exported; importing it would undo "
                   "those changes", REEXPORT)


def _switch(package: Package, changed: dict[str, str], tables: dict[str, SheetTable],
            sources: Path | None, changes: Changes, parallel: bool) -> list[Problem]:
    """Stage the changed tables, validate the staged package, and switch to it when valid; its
    problems are placed at the workbook's cells, a quoted value at the cell that was edited."""
    from scripts.validate import validate_package

    with files.StagedTables(package.root) as staged:
        for name, text in changed.items():
            staged.write(package.table(name).path.relative_to(package.root).as_posix(), text)
        found = validate_package(staged.package, sources, parallel=parallel)
        if found:
            return [place(p, package, tables) for p in at_edited_cells(found, package, tables, changes)]
        staged.commit()
    return []
