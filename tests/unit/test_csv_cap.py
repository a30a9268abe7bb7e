"""The cell cap holds in every CSV reader whatever set the csv module's process-wide field limit
last: frictionless raises it to 2 GiB when its CSV parser loads (validate asks frictionless in
process on a second validation), and a reader that trusted the value set at import then let a cell
over Excel's limit through to the workbook writer."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from frictionless.formats.csv import settings as frictionless_csv

from scripts.model.limits import CELL_CHARS
from scripts.model.package import CellTooLong, read_rows
from scripts.model.spec import make_table
from scripts.validate import csvfile
from scripts.xlsx.write import scan


@pytest.fixture
def raised() -> Iterator[None]:
    """The limit as frictionless leaves it (restored after the test)."""
    before = csv.field_size_limit(frictionless_csv.FIELD_SIZE_LIMIT)
    yield
    csv.field_size_limit(before)


def _table(tmp_path: Path, cell: str):
    path = tmp_path / "t.csv"
    path.write_text(f"a,b\n1,{cell}\n", encoding="utf-8")
    return make_table("t", {"fields": [{"name": "a"}, {"name": "b"}]}, path, tmp_path / "t.json")


@pytest.mark.usefixtures("raised")
def test_a_cell_over_the_cap_is_refused_by_the_package_reader(tmp_path: Path) -> None:
    with pytest.raises(CellTooLong) as refused:
        read_rows(_table(tmp_path, "x" * (CELL_CHARS + 1)))
    assert str(refused.value) == (f"{tmp_path / 't.csv'}: line 2: field larger than field limit (32767) "
                                  "(a cell holds at most 32,767 characters); run validate to see the cell")
    assert read_rows(_table(tmp_path, "x" * CELL_CHARS)) == [{"a": "1", "b": "x" * CELL_CHARS}]


@pytest.mark.usefixtures("raised")
def test_a_cell_over_the_cap_stops_the_workbook_writers_reader(tmp_path: Path) -> None:
    with pytest.raises(csv.Error, match=r"field larger than field limit \(32767\)"):
        list(scan.read_table(_table(tmp_path, "x" * (CELL_CHARS + 1))))


@pytest.mark.usefixtures("raised")
def test_a_header_label_over_the_cap_is_split_at_commas() -> None:
    long = "x" * (CELL_CHARS + 1)
    assert csvfile._header(f'{long},"b"\n'.encode()) == [long, '"b"']
