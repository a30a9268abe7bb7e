"""Reading a CSV once: header, ragged and blank rows, bytes, and row numbers as a spreadsheet counts."""

from __future__ import annotations

import csv
import io

import pytest

from scripts.model.package import Package
from scripts.validate.frames import read_table

HEADER = b"state_id,name,is_central_asian\n"


def read(package: Package, body: bytes) -> tuple[list[dict], set[tuple]]:
    problems: list = []
    frame, _ = read_table("tables/states.csv", package.table("states"), HEADER + body, problems)
    assert frame is not None
    return frame.to_dicts(), {(p.rule, p.row, p.field) for p in problems}


def test_every_cell_stays_text(package: Package) -> None:
    rows, problems = read(package, b"NAM,NA,false\nNUL,null,\n")
    assert rows == [{"state_id": "NAM", "name": "NA", "is_central_asian": "false"},
                    {"state_id": "NUL", "name": "null", "is_central_asian": ""}]
    assert problems == set()


def test_ragged_and_blank_rows_are_located(package: Package) -> None:
    rows, problems = read(package, b"AAA,A,true,extra\n\nBBB,B\n\"C,C\",\"x\ny\",false\n")
    assert [r["state_id"] for r in rows] == ["AAA", "", "BBB", "C,C"]
    assert rows[3]["name"] == "x\ny"
    assert problems == {("extra-cell", 2, "column 4"), ("blank-row", 3, None), ("missing-cell", 4, "is_central_asian")}


@pytest.mark.parametrize("body", [b'A,"a,b",true\n', b'A,"say ""hi"", ok",true\nB,b,false\n',
                                  b'A,"line\none, two",true\n', b"A,a,true\nB,b\n", b'A,"x,y",true,1\n'])
def test_the_fast_ragged_check_agrees_with_the_csv_module(package: Package, body: bytes) -> None:
    _, problems = read(package, body)
    widths = [len(r) for r in csv.reader(io.StringIO(body.decode(), newline=""))]
    assert bool(problems) is any(w != 3 for w in widths)


def test_header_problems_are_named_by_column(package: Package) -> None:
    problems: list = []
    read_table("tables/states.csv", package.table("states"), b"state_id,label\nAAA,A\n", problems)
    assert {(p.rule, p.field, p.value) for p in problems} == {
        ("incorrect-label", "name", "label"), ("missing-label", "is_central_asian", None)}


def test_bytes_bom_crlf_and_non_utf8(package: Package) -> None:
    problems: list = []
    frame, _ = read_table("tables/states.csv", package.table("states"),
                          b"\xef\xbb\xbf" + HEADER.replace(b"\n", b"\r\n") + b"KAZ,Kaz\xe9,true\r\n", problems)
    assert {(p.rule, p.row) for p in problems} == {("byte-order-mark", 1), ("encoding-error", 2),
                                                   ("crlf-line-ending", 1)}
    assert frame is not None and frame["is_central_asian"].to_list() == ["true"]
    assert frame.columns == ["state_id", "name", "is_central_asian"]


def test_an_empty_file_has_no_header(package: Package) -> None:
    problems: list = []
    frame, _ = read_table("tables/states.csv", package.table("states"), b"", problems)
    assert frame is None and [p.rule for p in problems] == ["blank-header"]
