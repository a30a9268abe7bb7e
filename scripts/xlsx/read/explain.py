"""Where an import's refusal belongs in the workbook, and what it means for the person who edited it.

Validation speaks of CSV rows; a person edited cells. Three translations happen here:

* every validation problem is placed at its sheet and cell (:func:`place`), through the sheet row
  each record came from and the column each field is in now (columns can be moved);
* a value quoted word for word (a ``verbatim`` citation) that the person changed is refused by
  provenance *on the citation* (``citations!D109: meetings.city = 'Nur-Sultan' does not occur in
  the cited lines``), a cell they never touched, in words about "support" kinds. When the cited
  field of the cited record changed in this import, the problem moves to that edited cell and
  says why and what to do: "this city is quoted word for word from source src-001, line 12 ...:
  change the citation too, or keep 'Astana'" (:func:`at_edited_cells`);
* a key cell refused for its form (``Kyrgyzstan`` typed as a state: "is not 3 capital letters")
  gains "did you mean KGZ (Kyrgyzstan)?", looked up in the referenced sheet as the workbook holds
  it, so a state added there is found too (:func:`suggest_keys`).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from scripts.model import names
from scripts.model.catalogue import FOREIGN_KEY, PATTERN, VALUE_MISSING
from scripts.model.package import Package, read_rows
from scripts.model.spec import Table
from scripts.model.suggest import KeyFinder, did_you_mean, key_reference, label_fields, use_key
from scripts.report import Problem
from scripts.xlsx.ooxml import column_letter, split_ref
from scripts.xlsx.read.cells import at_cell
from scripts.xlsx.read.changes import CellChange, Changes
from scripts.xlsx.read.rows import SheetTable


def place(problem: Problem, package: Package, tables: dict[str, SheetTable]) -> Problem:
    """A validation problem located by sheet and cell instead of CSV file and row."""
    table = _table_of(problem, package)
    if table is None or table.name not in tables:
        return problem
    sheet_row = _sheet_row(problem.row, tables[table.name])
    positions = tables[table.name].positions  # where the field is in the sheet (columns can be moved)
    column = positions[problem.field] + 1 if problem.field in positions else None
    if sheet_row is None:
        return _at_header(problem, table.name, column)
    return at_cell(table.name, f"{column_letter(column or 1)}{sheet_row}", sheet_row, problem.field, problem.value,
                   problem.rule, problem.message, problem.hint)


def _table_of(problem: Problem, package: Package) -> Table | None:
    return next((t for t in package.tables.values() if problem.file and Path(problem.file).name == t.path.name),
                None)


def _sheet_row(row: int | None, table: SheetTable) -> int | None:
    """The sheet row of the staged CSV's row ``row`` (the CSV is in its own order, not the
    sheet's); None when the problem names no row, or a row outside the table's records."""
    pairs = table.sorted_pairs()
    return pairs[row - 2][1] if row is not None and 2 <= row < len(pairs) + 2 else None


def _at_header(problem: Problem, sheet: str, column: int | None) -> Problem:
    """A problem without a sheet row, placed at its column's header cell, or at the sheet when it
    names no field: what the user can find and fix in the workbook."""
    ref = f"{column_letter(column)}1" if column else ""
    message = f"{sheet}!{ref}: {problem.message}" if ref else f"{sheet}: {problem.message}"
    return Problem(sheet, None, problem.field, problem.value, problem.rule, message, problem.hint)


def at_edited_cells(problems: list[Problem], package: Package, tables: dict[str, SheetTable],
                    changes: Changes) -> list[Problem]:
    """The problems, with each verbatim citation that no longer holds because its cited cell was
    edited in this import moved to that cell (one problem per edited cell, naming every citation);
    the others unchanged, for :func:`place`."""
    citations = tables.get(names.CITATIONS)
    edited = {(c.table, c.key, c.field): c for c in changes.cells}
    moved: dict[CellChange, list[tuple[dict[str, str], int]]] = {}
    kept = []
    for problem in problems:
        cited = _citation(problem, package, citations)
        change = edited.get((cited[0][names.CITE_TABLE], cited[0][names.CITE_RECORD],
                             cited[0][names.CITE_FIELD])) if cited else None
        if change is None:
            kept.append(problem)
        else:
            moved.setdefault(change, []).append(cited)  # type: ignore[arg-type]
    return [*(_quoted(package.table(change.table), change, cites) for change, cites in moved.items()), *kept]


def _citation(problem: Problem, package: Package,
              citations: SheetTable | None) -> tuple[dict[str, str], int] | None:
    """(citation record, its sheet row) of a verbatim value refused by provenance."""
    table = _table_of(problem, package)
    if problem.rule != VALUE_MISSING or citations is None or table is None or table.name != names.CITATIONS:
        return None
    pairs = citations.sorted_pairs()
    return pairs[problem.row - 2] if problem.row is not None and 2 <= problem.row < len(pairs) + 2 else None


def _quoted(table: Table, change: CellChange, cites: list[tuple[dict[str, str], int]]) -> Problem:
    """The edited cell's problem: quoted word for word where, and the two ways out."""
    what = table.field(change.field).title.lower() or change.field
    where = " and ".join(f"source {c[names.CITE_SOURCE]}, {_lines(c)}" for c, _ in cites)
    rows = ", ".join(str(row) for _, row in cites)
    message = (f"this {what} is quoted word for word from {where}, and {change.new!r} is not there: change "
               f"the citation too, or keep the value {change.old!r}")
    hint = (f"type {change.old!r} back, or on the citations sheet (row {rows}) point the citation at the lines "
            f"of a source that say {change.new!r} (source_id, line_start, line_end, evidence); if no source "
            "says it word for word, set its support to paraphrase or inferred")
    sheet, _, ref = change.cell.partition("!")
    place_ = split_ref(ref)
    return at_cell(sheet, ref, place_[1] if place_ else None, change.field, change.new, VALUE_MISSING, message, hint)


def _lines(cite: dict[str, str]) -> str:
    start, end = cite[names.CITE_LINE_START], cite[names.CITE_LINE_END]
    return f"line {start}" if start == end or not end else f"lines {start}–{end}"


def suggest_keys(problems: list[Problem], package: Package, tables: dict[str, SheetTable]) -> list[Problem]:
    """Each key cell refused for its form or reference, with the key its text names, if any."""
    finders: dict[str, KeyFinder] = {}
    out = []
    for problem in problems:
        table = package.tables.get(problem.file)
        fk = key_reference(table, problem.field) if table is not None and problem.field else None
        if fk is None or problem.rule not in (PATTERN, FOREIGN_KEY) or fk.resource not in package.tables:
            out.append(problem)
            continue
        if fk.resource not in finders:
            finders[fk.resource] = _finder(package.table(fk.resource), fk.ref_fields[0], tables.get(fk.resource))
        found = finders[fk.resource].match(str(problem.value or ""))
        out.append(problem if found is None else replace(
            problem, message=f"{problem.message}; {did_you_mean(*found)}", hint=use_key(*found, fk, "on the")
            + " sheet"))
    return out


def _finder(table: Table, key: str, sheet: SheetTable | None) -> KeyFinder:
    """The referenced table's keys and names as the workbook holds them, else as the CSV does."""
    if sheet is not None and sheet.columns:
        columns = sheet.columns
    else:
        rows = read_rows(table)
        columns = {n: [r.get(n) or "" for r in rows] for n in table.field_names}
    return KeyFinder(columns.get(key, []), [columns[n] for n in label_fields(table) if n in columns])
