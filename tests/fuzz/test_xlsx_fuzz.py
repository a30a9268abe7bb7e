"""Fuzz: 200 seeded random edits of random cells of a real export (type changes, blanks, long text,
control characters, dates, numbers, formulas, deleted rows, swapped columns, renamed headers), 25
to a workbook; every fourth workbook gets only edits that keep the data valid (values retyped as
another cell type, moved columns, notes columns, blank rows, a new venue), so the success path is
fuzzed too. Each workbook must either import into a package that validates (provenance included)
or be refused with the tables unchanged, byte for byte; never an exception, never an exit code
other than 0, 1 or 2. (An import judges every cell of its workbook, so 25 edits a workbook judge
the 200 edits in 8 imports: openpyxl's load and save and the staged validation cost ~1 s a case.)"""

from __future__ import annotations

import datetime as dt
import random
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from scripts.model.package import load_package
from scripts.validate import validate_package
from scripts.xlsx.read.importer import import_workbook
from tests.unit.xlsx_support import checksums, copy_package, export

SEED = 20261130
CASES, EDITS, BENIGN_EVERY = 8, 25, 4
VENUE_ROW, VENUE_COLUMN = 8, 10  # meetings!J8: the venue of ca-consultative-6, empty and uncited
ODD_TEXTS = ("", " padded ", "a\tb", "line\nbreak", "_x0041_", "x_x000D_y", "_x0000_", "_x001B_[0m", "\u0085", "a\rb",
             "=HYPERLINK(\"http://example.org\")", "é ü 中文 🙂", "true", "FALSE", "2024-13", "0042", "-0", "1e309")


def _value(rng: random.Random, ws: Any, column: int) -> Any:
    """A random value: often one from the same column (a plausible edit), else anything."""
    pick = rng.randrange(12)
    if pick < 4 and ws.max_row > 2:
        return ws.cell(rng.randint(2, ws.max_row), column).value
    return [None, rng.randint(-10, 10**6), rng.uniform(-1e6, 1e6), rng.choice([True, False]),
            dt.date(rng.randint(1990, 2030), rng.randint(1, 12), 1),
            dt.datetime(2024, 8, rng.randint(1, 28), rng.randint(0, 23), 30),
            "x" * rng.choice([1, 801, 5000, 33000]), rng.choice(ODD_TEXTS)][pick - 4]


def _edit(rng: random.Random, wb: Any, tables: list[str]) -> str:
    ws = wb[rng.choice(tables)]
    kind = rng.choices(["cell", "delete-row", "swap-columns", "rename-header", "insert-row"], [20, 3, 2, 1, 1])[0]
    if kind == "cell":
        row, column = rng.randint(2, ws.max_row + 2), rng.randint(1, ws.max_column + 1)
        ws.cell(row, column).value = _value(rng, ws, column)
    elif kind == "delete-row" and ws.max_row > 2:
        ws.delete_rows(rng.randint(2, ws.max_row))
    elif kind == "swap-columns" and ws.max_column > 1:
        _swap(ws, *rng.sample(range(1, ws.max_column + 1), 2))
    elif kind == "rename-header":
        ws.cell(1, rng.randint(1, ws.max_column)).value = rng.choice(["Name", "", "notes", "id"])
    elif kind == "insert-row":
        ws.insert_rows(rng.randint(2, ws.max_row + 1))
    return f"{kind} {ws.title}"


def _benign(rng: random.Random, wb: Any, tables: list[str]) -> str:
    """An edit after which the workbook still holds a valid package."""
    ws = wb[rng.choice(tables)]
    kind = rng.choice(["retype", "swap-columns", "notes", "blank-row", "venue"])
    if kind == "retype":
        cell = ws.cell(rng.randint(2, max(2, ws.max_row)), rng.randint(1, ws.max_column))
        if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
            cell.value = str(int(cell.value)) if float(cell.value).is_integer() else repr(cell.value)
    elif kind == "swap-columns" and ws.max_column > 1:
        _swap(ws, *rng.sample(range(1, ws.max_column + 1), 2))
    elif kind == "notes":
        ws.cell(1, ws.max_column + 1).value = f"notes {rng.randint(1, 99)}"
    elif kind == "blank-row":
        ws.insert_rows(rng.randint(2, ws.max_row + 1))
    else:
        wb["meetings"].cell(VENUE_ROW, VENUE_COLUMN).value = f"Hall {rng.randint(1, 99)}"
    return f"benign {kind} {ws.title}"


def _swap(ws: Any, a: int, b: int) -> None:
    for row in range(1, ws.max_row + 1):
        first, second = ws.cell(row, a), ws.cell(row, b)
        first.value, second.value = second.value, first.value


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    base = tmp_path_factory.mktemp("fuzz")
    pkg = copy_package(base / "pkg")
    pristine = base / "pristine-tables"
    shutil.copytree(pkg / "tables", pristine)
    return pkg, pristine, export(pkg, base / "package.xlsx")


@pytest.mark.parametrize("case", range(CASES))
def test_random_edits_import_valid_or_are_refused_unchanged(setup, sources, tmp_path, case):
    """One workbook of EDITS seeded edits (a test each, so none runs for seconds): a benign one
    must import into a package that validates; any other must be refused, the tables unchanged."""
    pkg, pristine, exported = setup
    shutil.rmtree(pkg / "tables")
    shutil.copytree(pristine, pkg / "tables")  # every case starts from the state the workbook was exported from
    tables = list(load_package(pkg).tables)
    original = checksums(pkg)
    rng = random.Random(SEED + case)
    wb = openpyxl.load_workbook(exported)
    benign = case % BENIGN_EVERY == 0
    edits = [(_benign if benign else _edit)(rng, wb, tables) for _ in range(EDITS)]
    wb.save(tmp_path / "edited.xlsx")
    result = import_workbook(pkg, tmp_path / "edited.xlsx", sources)  # any exception fails the test
    if benign:
        assert (result.exit_code, result.problems) == (0, []), edits
        assert validate_package(pkg, sources) == [], (edits, "imported an invalid package")
    else:
        assert result.exit_code in (1, 2) and result.problems, (edits, "random edits were not refused")
        assert checksums(pkg) == original, (edits, "refused but the tables changed")
