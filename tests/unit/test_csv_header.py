"""scripts/validate/csvfile.py's header: how the first line is read (whatever its bytes) and how its
labels are compared with the schema, each problem whole: file, field, value, rule, message, hint."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.model.limits import CELL_CHARS as MAX_CELL_CHARS
from scripts.model.spec import make_table
from scripts.report import Problem
from scripts.validate import csvfile

TABLE = make_table("t", {"fields": [{"name": "a"}, {"name": "b"}, {"name": "c"}]}, Path("tables/t.csv"),
                   Path("schemas/t.json"))
MISSING_HINT, WRONG_HINT = "add the column to the header, named as in the schema", \
    "name the column as the schema does, in the schema's order"
EXTRA_HINT = "remove the column or add it to the schema"


def test_a_label_renamed_and_a_column_lacking_are_named_with_their_positions() -> None:
    assert csvfile.label_problems("tables/t.csv", TABLE, ["a", "x"]) == [
        Problem("tables/t.csv", None, "b", "x", "incorrect-label", "column 2 is named 'x'; the schema calls it 'b'",
                WRONG_HINT),
        Problem("tables/t.csv", None, "c", None, "missing-label", "the header has no column 'c' (column 3)",
                MISSING_HINT)]


def test_columns_past_the_schemas_are_extra_and_counted_from_the_header_start() -> None:
    assert csvfile.label_problems("tables/t.csv", TABLE, ["a", "b", "c", "d", "e"]) == [
        Problem("tables/t.csv", None, "d", "d", "extra-label", "column 4 ('d') is not in the schema", EXTRA_HINT),
        Problem("tables/t.csv", None, "e", "e", "extra-label", "column 5 ('e') is not in the schema", EXTRA_HINT)]
    assert csvfile.label_problems("tables/t.csv", TABLE, ["a", "b", "c"]) == []


@pytest.mark.parametrize(("body", "labels"), [
    (b"a,b\r\nx,y\n", ["a", "b"]),          # CRLF: the CR is the line's end, not the label's
    (b"a,b", ["a", "b"]),                   # no newline at all
    (b"", []),
    (b"\na,b\n", []),                       # an empty first line is an empty header
    (b"a,b \r\n", ["a", "b "]),             # a space is the label's own (reported as not the schema's)
    (b"a,BOX\r\n", ["a", "BOX"]),           # only the CR is stripped, never the label's own letters
    (b"\ra,b\n", ["\ra", "b"]),             # only a CR at the line's end is dropped
    (b'a,"b,c"\n', ["a", "b,c"]),           # quoted as CSV quotes
    (b"a,\xffb\n", ["a", "\ufffdb"]),       # not UTF-8: shown, not fatal (the encoding check reports it)
])
def test_the_first_line_is_read_as_csv_labels(body: bytes, labels: list[str]) -> None:
    assert csvfile._header(body) == labels


def test_a_label_past_the_cell_cap_is_still_read_unquoted() -> None:
    """The csv module refuses a field over the cell cap; the labels are then split at commas so the
    header is still reported as not the schema's."""
    long = "x" * (MAX_CELL_CHARS + 1)
    assert csvfile._header(f'a,{long},"q"\n'.encode()) == ["a", long, '"q"']
    assert csvfile._header(f'a,{long[1:]},"q"\n'.encode()) == ["a", long[1:], "q"]  # at the cap: a label


def test_byte_problems_are_reported_once_each_at_their_first_line_across_pieces() -> None:
    scan = csvfile.ByteScan()
    for piece in (b"\xef\xbb\xbfa,b\r\n1,2\n", b"3,\xff\xfe4\r\n5,\xff\r\n"):
        scan.feed(piece)
    assert scan.problems("tables/t.csv") == [
        Problem("tables/t.csv", 1, None, None, "byte-order-mark", "the file starts with a UTF-8 byte-order mark",
                "save the file as UTF-8 without a byte-order mark (BOM)"),
        Problem("tables/t.csv", 3, None, "ff", "encoding-error",
                "bytes b'\\xff' on line 3 are not UTF-8 (invalid start byte)",
                "save the file as UTF-8; the bytes shown are not valid UTF-8"),
        Problem("tables/t.csv", 1, None, None, "crlf-line-ending", "3 lines end with CRLF, first on line 1",
                "save the file with LF (Unix) line endings")]
    one = csvfile.ByteScan()
    one.feed(b"a,b\n1,2\r\n")
    assert [p.message for p in one.problems("tables/t.csv")] == ["1 line ends with CRLF, first on line 2"]
    clean = csvfile.ByteScan()
    clean.feed(b"a,b\n\xef\xbb\xbf1,2\n")  # a BOM past the start is the cell's own text
    assert clean.problems("tables/t.csv") == []


def test_only_cells_past_the_cap_are_too_long_counted_in_characters_at_their_file_rows() -> None:
    """A cell of exactly the cap passes; one of the cap plus one is reported at its row in the file
    (header line 1, so row index + 2, after ``offset`` rows of earlier pieces), even when its bytes
    alone would have passed another column's check."""
    import polars as pl

    cap = csvfile.MAX_CELL_CHARS
    frame = pl.DataFrame({"a": ["x", "y" * cap, "é" * (cap + 1)], "b": ["z" * (cap + 1), "ok", None],
                          "c": ["é" * cap, None, None]})
    found = csvfile.long_cell_problems("tables/t.csv", frame, offset=10)
    assert [(p.file, p.row, p.field, p.value, p.rule, p.message) for p in found] == [
        ("tables/t.csv", 14, "a", "é" * (cap + 1), "cell-too-long", "32,768 characters; a cell holds at most 32,767"),
        ("tables/t.csv", 12, "b", "z" * (cap + 1), "cell-too-long", "32,768 characters; a cell holds at most 32,767")]
    assert csvfile.long_cell_problems("tables/t.csv", frame.clear(), 0) == []
    assert csvfile.long_cell_problems("tables/t.csv", None, 0) == []


@pytest.mark.parametrize(("body", "end"), [
    (b"a,b\nx,y\n", 4),
    (b'"a\nb",c\nx\n', 8),        # a newline inside quotes is the label's own
    (b'"a""\n",c\nx\n', 9),       # an escaped quote does not close the value
    (b"a,b", 3),                  # no newline: the whole body is the header
    (b'"a\nb', 4),                # a quote never closed: the whole body
    (b"\n", 1),
    (b"\na,b\n", 1),              # an empty first line is the header, however much follows
])
def test_the_header_ends_at_its_first_newline_outside_quotes(body: bytes, end: int) -> None:
    assert csvfile._row_end_first(body) == end


@pytest.mark.parametrize(("block", "quotes_before", "end"), [
    (b"1,2\n3,4\n5", 0, 8),           # the last complete row ends after 3,4
    (b"1,2\n3,4\n", 0, 8),
    (b"no newline", 0, -1),
    (b'x"\n3,4\n', 1, 7),             # a value opened before this block closes in it
    (b'x\n3,"4\n5', 0, 2),            # the last newline is inside an open quote: the row before it
    (b'x\n3,4\n5', 1, -1),            # one quote already open: no newline here is outside quotes
    (b'a\n"b\n"c', 0, 2),             # each quote counted once, walking back from the end
])
def test_a_block_is_cut_after_its_last_row_outside_quotes(block: bytes, quotes_before: int, end: int) -> None:
    assert csvfile._row_end(block, quotes_before) == end


def test_a_frame_holds_a_cell_longer_than_a_limit_counted_in_characters() -> None:
    import polars as pl

    frame = pl.DataFrame({"a": ["ééé", None], "b": ["xy", "z"]})  # 'ééé' is 6 bytes, 3 characters
    assert [csvfile._longer_than(frame, n) for n in (2, 3, 5, 6)] == [True, False, False, False]
    assert csvfile._longer_than(frame.clear(), 0) is False
    assert csvfile._longer_than(pl.DataFrame({"a": [None, None]}, schema={"a": pl.String}), 0) is False


@pytest.mark.parametrize(("content", "chunk", "found"), [
    (b"ab\xc3\xa9\xff", 3, (4, 5, "invalid start byte")),        # after a character cut between chunks
    (b"ab\xc3", 3, (2, 3, "unexpected end of data")),            # cut at the end, the file a whole chunk
    (b"ab\xc3", 2, (2, 3, "unexpected end of data")),
    (b"a\xc3\xa9b\xc3\xa9", 2, None),                            # every cut character completed
    (b"", 2, None),
])
def test_the_first_bytes_not_utf8_are_found_whatever_the_chunks(content: bytes, chunk: int,
                                                                 found: tuple | None) -> None:
    assert csvfile.first_invalid_utf8(content, chunk) == found
    assert csvfile.first_invalid_utf8(content) == found  # one chunk


def test_byte_problems_are_numbered_by_every_newline_of_every_piece() -> None:
    scan = csvfile.ByteScan()
    for piece in (b"a\n", b"\nb\n", b"\n\r\n\xff\n"):  # newlines at a piece's start count too
        scan.feed(piece)
    assert [(p.row, p.rule, p.message) for p in scan.problems("t.csv")] == [
        (6, "encoding-error", "bytes b'\\xff' on line 6 are not UTF-8 (invalid start byte)"),
        (5, "crlf-line-ending", "1 line ends with CRLF, first on line 5")]
    first = csvfile.ByteScan()
    first.feed(b"\r\na\n")  # a CRLF at the very start
    assert [p.message for p in first.problems("t.csv")] == ["1 line ends with CRLF, first on line 1"]


@pytest.mark.parametrize(("blocks", "size", "pieces"), [
    ([b"a\n", b"b\n"], 2, [b"a\n", b"b\n"]),   # a piece is cut once it holds size bytes
    ([b"a\n", b"b\n"], 3, [b"a\nb\n"]),        # not before
    ([b"a\n", b"b\n", b"c"], 4, [b"a\nb\n", b"c"]),
])
def test_pieces_are_cut_at_the_first_row_end_once_they_hold_enough(blocks: list[bytes], size: int,
                                                                   pieces: list[bytes]) -> None:
    assert list(csvfile.row_pieces(blocks, size)) == pieces
