"""The four readers of a Table Schema agree: frictionless (the reference), the polars checks,
the workbook-cell reader and the SQLite CHECK.

For every field of every schema and every constraint on it, a violating value and the nearest
valid one are generated; all four must call each value valid or invalid alike. Frictionless runs
once per table (one package, one one-column resource per field).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

import polars as pl
import pytest

from scripts import patterns
from scripts.package import Package
from scripts.schema import (
    ENUM,
    MAX_LENGTH,
    MAXIMUM,
    MIN_LENGTH,
    MINIMUM,
    PATTERN,
    REQUIRED,
    TYPE,
    BooleanField,
    CellError,
    Field,
    IntegerField,
    NumberField,
    Table,
)


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
    if isinstance(fld, BooleanField):
        return fld.true_values[0]
    if isinstance(fld, IntegerField | NumberField):
        return str(int(fld.minimum)) if fld.minimum is not None else "1"
    size = length or max(fld.min_length or 1, 3)
    if fld.max_length is not None:
        size = min(size, fld.max_length)
    if fld.pattern:
        found = patterns.example(fld.pattern, size)
        assert found is not None, f"teach scripts/patterns.py an example of {fld.pattern}"
        return found
    return "v" * size


def type_cases(fld: Field) -> list[Case]:
    """Values that are and are not of the field's type."""
    if isinstance(fld, IntegerField):
        return [Case(fld, TYPE, "1.5", False), Case(fld, TYPE, "one", False)]
    if isinstance(fld, NumberField):
        return [Case(fld, TYPE, "1,5", False), Case(fld, TYPE, "2.25", True)]
    if isinstance(fld, BooleanField):
        return [Case(fld, TYPE, "yes", False), Case(fld, TYPE, fld.false_values[0], True)]
    return []


def cases(fld: Field) -> list[Case]:
    """(constraint, violating value) and (constraint, nearest valid value) for each constraint."""
    out = [Case(fld, "any", valid_value(fld), True), Case(fld, REQUIRED, "", not fld.required), *type_cases(fld)]
    if fld.enum:
        out += [Case(fld, ENUM, "zz-not-listed", False), Case(fld, ENUM, str(fld.enum[-1]), True)]
    if fld.pattern:
        out.append(Case(fld, PATTERN, valid_value(fld) + "!", False))
    if fld.minimum is not None:
        step = 1 if isinstance(fld, IntegerField) else 0.5
        out += [Case(fld, MINIMUM, _number(fld, fld.minimum - step), False),
                Case(fld, MINIMUM, _number(fld, fld.minimum), True)]
    if fld.maximum is not None:
        out += [Case(fld, MAXIMUM, _number(fld, fld.maximum + 1), False),
                Case(fld, MAXIMUM, _number(fld, fld.maximum), True)]
    if fld.max_length is not None and not fld.enum:
        out += [Case(fld, MAX_LENGTH, valid_value(fld, fld.max_length), True),
                Case(fld, MAX_LENGTH, _longer(fld), False)]
    if (fld.min_length or 0) > 1 and not fld.enum:
        out.append(Case(fld, MIN_LENGTH, "v" * (fld.min_length - 1), False))  # type: ignore[operator]
    distinct: dict[str, Case] = {}  # a value once: a key column may not repeat it
    for case in out:
        distinct.setdefault(case.value, case)
    return list(distinct.values())


def _number(fld: Field, value: float) -> str:
    return str(int(value)) if isinstance(fld, IntegerField) else fld.write_cell(value)


def _longer(fld: Field) -> str:
    text = valid_value(fld, fld.max_length)
    return text + (text[-1] if text else "v") * (fld.max_length + 1 - len(text))  # type: ignore[operator]


# --------------------------------------------------------------------------- the four readers

def frictionless_invalid(table: Table, table_cases: dict[str, list[Case]]) -> dict[str, set[int]]:
    """Rows (0-based) each field's one-column resource finds invalid; one frictionless run per table."""
    import frictionless

    resources = []
    for name, items in table_cases.items():
        fld = table.field(name)
        # a numbered second column keeps a row with an empty value from being a blank row
        schema = {"fields": [fld.descriptor, {"name": "n", "type": "string"}],
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
    typed = frame.select(fld.polars_cast(pl.col("t")).alias("v"))
    both = frame.hstack(typed)
    checks = [expr.fill_null(False) for _, expr in fld.polars_checks(pl.col("t"), pl.col("v"))]
    if not checks:
        return set()
    failing = both.select(pl.any_horizontal(checks).alias("f"))["f"]
    return set(failing.arg_true().to_list())


def workbook_invalid(fld: Field, items: list[Case]) -> set[int]:
    bad = set()
    for index, case in enumerate(items):
        try:
            assert fld.from_workbook(case.value or None) == case.value
        except CellError:
            bad.add(index)
    return bad


def sqlite_invalid(table: Table, fld: Field, items: list[Case]) -> set[int]:
    db = sqlite3.connect(":memory:")
    check = fld.sql_check()
    db.execute(f'CREATE TABLE t ({fld.sql_column()}{f" CHECK ({check})" if check else ""})')
    bad = set()
    for index, case in enumerate(items):
        try:
            value = table.sql_value(fld, case.value)
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
            enforced = {rule for rule, _ in fld.sql_checks()}
            if (fld.min_length or 0) <= 1:
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
            readers = {"frictionless": reference[name], "polars": polars_invalid(fld, items),
                       "workbook": workbook_invalid(fld, items), "sqlite": sqlite_invalid(table, fld, items)}
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
    verdicts = {bool(polars_invalid(fld, items)), bool(workbook_invalid(fld, items)),
                bool(sqlite_invalid(table, fld, items))}
    assert len(verdicts) == 1, verdicts
