"""The readers of a Table Schema agree: frictionless (the reference), the pandera schema that
validate runs, the polars expressions the import's column checks use, the workbook-cell reader and
the SQLite CHECK.

For every field of every schema and every constraint on it, a violating value and the nearest
valid one are generated; all four must call each value valid or invalid alike. Frictionless runs
once per table (one package, one one-column resource per field).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, replace

import polars as pl
import pytest

from scripts.model import cells, patterns
from scripts.model.backends import pandera as pandera_backend
from scripts.model.backends import polars as exprs
from scripts.model.backends import sqlite as sql
from scripts.model.backends.excel import from_workbook
from scripts.model.catalogue import REQUIRED, TYPE
from scripts.model.cells import CellError
from scripts.model.package import Package
from scripts.model.spec import ENUM, MAX_LENGTH, MAXIMUM, MIN_LENGTH, MINIMUM, PATTERN, Field, Table


@dataclass(frozen=True)
class Case:
    field: Field
    constraint: str
    value: str
    valid: bool


def valid_value(fld: Field, length: int | None = None) -> str:
    """A value satisfying every constraint of ``fld`` (of about ``length`` characters for text)."""
    if fld.enum:
        return str(fld.enum[0])
    if fld.kind == "boolean":
        return fld.true_values[0]
    if fld.kind in ("integer", "number"):
        low = fld.constraint(MINIMUM)
        return str(int(low)) if low is not None else "1"
    size = length or max(fld.constraint(MIN_LENGTH) or 1, 3)
    if fld.constraint(MAX_LENGTH) is not None:
        size = min(size, fld.constraint(MAX_LENGTH))
    if fld.pattern:
        found = patterns.example(fld.pattern, size)
        assert found is not None, f"teach scripts/model/patterns.py an example of {fld.pattern}"
        return found
    return "v" * size


def type_cases(fld: Field) -> list[Case]:
    """Values that are and are not of the field's type."""
    if fld.kind == "integer":
        return [Case(fld, TYPE, "1.5", False), Case(fld, TYPE, "one", False)]
    if fld.kind == "number":
        return [Case(fld, TYPE, "1,5", False), Case(fld, TYPE, "2.25", True)]
    if fld.kind == "boolean":
        return [Case(fld, TYPE, "yes", False), Case(fld, TYPE, fld.false_values[0], True)]
    return []


def cases(fld: Field) -> list[Case]:
    """(constraint, violating value) and (constraint, nearest valid value) for each constraint."""
    out = [Case(fld, "any", valid_value(fld), True), Case(fld, REQUIRED, "", not fld.required), *type_cases(fld)]
    if fld.enum:
        out += [Case(fld, ENUM, "zz-not-listed", False), Case(fld, ENUM, str(fld.enum[-1]), True)]
    if fld.pattern:
        out.append(Case(fld, PATTERN, valid_value(fld) + "!", False))
    low, high = fld.constraint(MINIMUM), fld.constraint(MAXIMUM)
    if low is not None:
        step = 1 if fld.kind == "integer" else 0.5
        out += [Case(fld, MINIMUM, _number(fld, low - step), False), Case(fld, MINIMUM, _number(fld, low), True)]
    if high is not None:
        out += [Case(fld, MAXIMUM, _number(fld, high + 1), False), Case(fld, MAXIMUM, _number(fld, high), True)]
    longest, shortest = fld.constraint(MAX_LENGTH), fld.constraint(MIN_LENGTH)
    if longest is not None and not fld.enum:
        out += [Case(fld, MAX_LENGTH, valid_value(fld, longest), True), Case(fld, MAX_LENGTH, _longer(fld), False)]
    if (shortest or 0) > 1 and not fld.enum:
        out.append(Case(fld, MIN_LENGTH, "v" * (shortest - 1), False))
    distinct: dict[str, Case] = {}  # a value once: a key column may not repeat it
    for case in out:
        distinct.setdefault(case.value, case)
    return list(distinct.values())


def _number(fld: Field, value: float) -> str:
    return str(int(value)) if fld.kind == "integer" else cells.write_cell(fld, value)


def _longer(fld: Field) -> str:
    longest = fld.constraint(MAX_LENGTH)
    text = valid_value(fld, longest)
    return text + (text[-1] if text else "v") * (longest + 1 - len(text))


# --------------------------------------------------------------------------- the readers

def descriptors(table: Table) -> dict[str, dict]:
    """The fields of the table's Table Schema as written, for frictionless."""
    schema = json.loads(table.schema_path.read_text(encoding="utf-8"))
    return {f["name"]: f for f in schema["fields"]}


def frictionless_invalid(table: Table, table_cases: dict[str, list[Case]]) -> dict[str, set[int]]:
    """Rows (0-based) each field's one-column resource finds invalid; one frictionless run per table."""
    import frictionless

    resources = []
    written = descriptors(table)
    for name, items in table_cases.items():
        fld = table.field(name)
        # a numbered second column keeps a row with an empty value from being a blank row
        schema = {"fields": [written[name], {"name": "n", "type": "string"}],
                  "missingValues": list(table.missing_values)}
        if fld.in_primary_key:
            schema["primaryKey"] = [name]
        data = [[name, "n"]] + [[c.value, str(i)] for i, c in enumerate(items)]
        resources.append(frictionless.Resource(name=name.replace("_", "-"), data=data,
                                               schema=frictionless.Schema.from_descriptor(schema)))
    report = frictionless.Package(resources=resources).validate()
    bad: dict[str, set[int]] = {name: set() for name in table_cases}
    for task in report.tasks:
        name = task.name.replace("-", "_")
        assert all(e.type in {"type-error", "constraint-error", "primary-key", "unique-error"}
                   for e in task.errors), [e.message for e in task.errors]
        bad[name] |= {e.row_number - 2 for e in task.errors}
    return bad


def polars_invalid(fld: Field, items: list[Case]) -> set[int]:
    frame = pl.DataFrame({"t": [c.value for c in items]}, schema={"t": pl.String})
    typed = frame.select(exprs.cast(fld, pl.col("t")).alias("v"))
    both = frame.hstack(typed)
    checks = [expr.fill_null(False) for _, expr in exprs.failures(fld, pl.col("v"), pl.col("t"))]
    if not checks:
        return set()
    failing = both.select(pl.any_horizontal(checks).alias("f"))["f"]
    return set(failing.arg_true().to_list())


def pandera_invalid(fld: Field, items: list[Case]) -> set[int]:
    """Rows the pandera schema validate runs finds invalid (the field alone, as a one-column table;
    the primary key's uniqueness is not this test's subject)."""
    alone = replace(fld, in_primary_key=False, sole_primary_key=False, unique=False)
    table = Table("t", "t", "", None, None, (alone,), (), ())  # type: ignore[arg-type]
    frame = pl.DataFrame({fld.name + "\x00text": [c.value for c in items]}, schema={fld.name + "\x00text": pl.String})
    frame = frame.select(exprs.cast(fld, pl.col(fld.name + "\x00text")).alias(fld.name), pl.all())
    cases_found = pandera_backend.failure_cases(pandera_backend.table_schema(table, text_suffix="\x00text"), frame)
    return set(cases_found["index"].to_list())


def workbook_invalid(fld: Field, items: list[Case]) -> set[int]:
    bad = set()
    for index, case in enumerate(items):
        try:
            assert from_workbook(fld, case.value or None) == case.value
        except CellError:
            bad.add(index)
    return bad


def sqlite_invalid(table: Table, fld: Field, items: list[Case]) -> set[int]:
    db = sqlite3.connect(":memory:")
    check = sql.check_expression(fld)
    db.execute(f'CREATE TABLE t ("{fld.name}" {sql.TYPES[fld.kind]}{f" CHECK ({check})" if check else ""})')
    bad = set()
    for index, case in enumerate(items):
        try:
            value = sql.value(fld, case.value)
        except CellError:
            value = case.value
        try:
            db.execute(f'INSERT INTO t ("{fld.name}") VALUES (?)', (value,))
        except sqlite3.IntegrityError:
            bad.add(index)
    return bad


def test_every_constraint_has_a_case(package: Package) -> None:
    """Every rule the interpreter enforces on a field is broken by at least one generated value, so
    that the agreement test below cannot pass by never trying a constraint a schema gained."""
    missing = []
    for table in package.tables.values():
        for fld in table.fields:
            enforced = {rule for rule, _ in sql.checks(fld)}
            if (fld.constraint(MIN_LENGTH) or 0) <= 1:
                enforced.discard(MIN_LENGTH)  # an empty cell is missing, never too short
            untried = enforced - {c.constraint for c in cases(fld) if not c.valid}
            if untried:
                missing.append((table.name, fld.name, sorted(untried)))
    assert missing == []


def test_all_readers_agree_on_every_field(package: Package) -> None:
    disagreements = []
    for table in package.tables.values():
        table_cases = {fld.name: cases(fld) for fld in table.fields}
        reference = frictionless_invalid(table, table_cases)
        for name, items in table_cases.items():
            fld = table.field(name)
            expected = {i for i, c in enumerate(items) if not c.valid}
            readers = {"frictionless": reference[name], "pandera": pandera_invalid(fld, items),
                       "polars": polars_invalid(fld, items), "workbook": workbook_invalid(fld, items),
                       "sqlite": sqlite_invalid(table, fld, items)}
            for reader, found in readers.items():
                if found != expected:
                    wrong = sorted(found ^ expected)
                    disagreements.append((table.name, name, reader, [(items[i].constraint, items[i].value[:30],
                                                                     items[i].valid) for i in wrong]))
    assert disagreements == []


@pytest.mark.parametrize("value", ["KAZ", "", "kaz", "KAZ ", "K\x00Z"])
def test_the_readers_agree_on_a_state_code(package: Package, value: str) -> None:
    table = package.table("states")
    fld = table.field("state_id")
    items = [Case(fld, "probe", value, True)]
    verdicts = {bool(polars_invalid(fld, items)), bool(pandera_invalid(fld, items)),
                bool(workbook_invalid(fld, items)), bool(sqlite_invalid(table, fld, items))}
    assert len(verdicts) == 1, verdicts
