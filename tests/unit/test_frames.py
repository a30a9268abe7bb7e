"""Reading a CSV once: header, ragged and blank rows, bytes, and row numbers as a spreadsheet counts."""

from __future__ import annotations

import csv
import io

import polars as pl
import pytest

from scripts.model.package import Package
from scripts.validate import frames
from scripts.validate.csvfile import read_table

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


# --------------------------------------------------------------------------- a big table's storage

def coded(values: list[str | None]) -> pl.Series:
    return pl.Series("x", values, dtype=pl.String).cast(pl.Categorical(pl.Categories.random()))


def test_a_categorical_column_is_checked_value_by_value_as_its_text_would_be() -> None:
    values = ["a", None, "", " b", "a", None, "c "]

    def build(cell: pl.Expr) -> pl.Expr:
        return pl.when(cell.is_null()).then(pl.lit("null")).otherwise(cell.str.strip_chars() + "!")

    as_text = frames.per_value(pl.Series("x", values), build)
    assert as_text.to_list() == ["a!", "null", "!", "b!", "a!", "null", "c!"]
    assert frames.per_value(coded(values), build).to_list() == as_text.to_list()


def test_a_big_table_keeps_repeated_columns_coded_and_its_values_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(frames, "CODED_MIN_ROWS", 4)
    monkeypatch.setattr(frames, "SAMPLE_ROWS", 100)
    pieces = [pl.DataFrame({"key": [f"k{i}", f"k{i + 1}"], "kind": ["a", None]}) for i in range(0, 8, 2)]
    store = frames.TableStore()
    for piece in pieces:
        store.add(piece)
    frame = store.frame()
    assert frame.schema["key"] == pl.String and isinstance(frame.schema["kind"], pl.Categorical)
    assert frame.select(pl.all().cast(pl.String)).equals(pl.concat(pieces))
    assert all(c.n_chunks() == 1 for c in frame.get_columns())


def test_frames_decode_only_what_a_check_asks_for(package: Package, monkeypatch: pytest.MonkeyPatch) -> None:
    plain, _ = frames.read_package(package)
    monkeypatch.setattr(frames, "CODED_MIN_ROWS", 1)
    small, _ = frames.read_package(package)
    assert isinstance(small.raw["citations"].schema["support"], pl.Categorical)
    assert small.text("citations").equals(plain.text("citations"))
    assert small.typed("citations").equals(plain.typed("citations"))
    assert small.keys("citations").equals(plain.keys("citations"))
    where = (pl.col("table_name") == "meetings") & pl.col("field_name").fill_null("").is_in(["", "status"])
    assert small.citing(where, "record_id", "support").equals(plain.citing(where, "record_id", "support"))
    assert small.citing(where, "support").dtypes == [pl.String]


def test_a_long_repeated_text_is_stored_once_and_reads_the_same() -> None:
    record = pl.Series("record_id", [f"a-record-id-long-enough-{i // 3}" if i % 7 else None for i in range(3_000)])
    shared = frames._shared(record)
    assert shared.equals(record) and shared is not record
    keys = pl.Series("observation_id", [f"an-observation-key-{i}" for i in range(3_000)])
    assert frames._shared(keys) is keys  # every value distinct: nothing to share


def test_a_blank_cell_is_empty_spaces_or_missing() -> None:
    """A column the CSV lacks is read as nulls: its cells are blank, as an empty one is."""
    from scripts.validate.columns import blank

    cells = pl.DataFrame({"c": [None, "", "  \t", "x", " x "]})
    assert cells.select(blank(pl.col("c")))["c"].to_list() == [True, True, True, False, False]


def test_both_is_true_only_where_both_values_are_present() -> None:
    from scripts.validate.columns import both

    a, b = pl.Series([1, None, 1, None]), pl.Series(["x", "x", None, None])
    assert both(a, b).to_list() == [True, False, False, False]


def test_findings_given_by_row_become_a_mask_and_messages() -> None:
    from scripts.validate.columns import at_rows

    failing, messages = at_rows(4, {3: "last", 1: "second"})
    assert (failing.dtype, failing.to_list()) == (pl.Boolean, [False, True, False, True])
    assert messages is not None and (messages.dtype, messages.to_list()) == (pl.String, [None, "second", None, "last"])
    failing, messages = at_rows(3, {})
    assert (failing.dtype, failing.to_list(), messages) == (pl.Boolean, [False, False, False], None)
