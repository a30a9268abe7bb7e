"""Reading a CSV in pieces: each piece ends at a row's end, and the pieces give what the whole file gives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scripts.model.package import Package
from scripts.validate import csvfile, validate_package
from scripts.validate.csvfile import read_table, row_pieces

HEADER = b"state_id,name,is_central_asian\n"
BODIES = [
    b"NAM,NA,false\nNUL,null,\n",
    b"AAA,A,true,extra\n\nBBB,B\n\"C,C\",\"x\ny\",false\n",
    b'A,"line\none, two",true\nB,"say ""hi"", ok",false\nC,c\n\n\nD,d,true\n',
    b"KAZ,Kaz\xe9,true\r\nKGZ,Kyrgyz,true\r\nTJK,T\xc3,false\n",
    b"A," + b"x" * 40_000 + b",true\nB,b\nC,c,true,d\n",
]


def blocks(data: bytes, size: int) -> list[bytes]:
    return [data[i:i + size] for i in range(0, len(data), size)]


@pytest.mark.parametrize("data", [HEADER + b"".join(BODIES[:3]), b'a,"b\nc",d\n"e""\n",f\n', b"no newline", b""])
@pytest.mark.parametrize("size", [1, 3, 16])
def test_pieces_end_at_row_ends_and_lose_nothing(data: bytes, size: int) -> None:
    pieces = list(row_pieces(blocks(data, 5), size))
    assert b"".join(pieces) == data
    for piece in pieces[:-1]:
        assert piece.endswith(b"\n") and piece.count(b'"') % 2 == 0


def test_a_quoted_newline_never_ends_a_piece() -> None:
    data = b'id,text\n1,"a\nb\nc"\n2,"d\n"\n'
    assert list(row_pieces(blocks(data, 1), 1)) == [b"id,text\n", b'1,"a\nb\nc"\n', b'2,"d\n"\n']


def read(package: Package, content: bytes | list[bytes]) -> tuple[list[dict] | None, list[tuple]]:
    problems: list = []
    frame, _ = read_table("tables/states.csv", package.table("states"), content, problems)
    return (None if frame is None else frame.to_dicts()), [(p.rule, p.row, p.field, p.value, p.message)
                                                           for p in problems]


@pytest.mark.parametrize("body", BODIES)
@pytest.mark.parametrize("piece", [1, 20])
def test_a_file_read_in_pieces_gives_the_frame_and_problems_of_the_whole(
        package: Package, body: bytes, piece: int, monkeypatch: pytest.MonkeyPatch) -> None:
    data = b"\xef\xbb\xbf" + HEADER + body
    whole = read(package, data)
    monkeypatch.setattr(csvfile, "PIECE_BYTES", piece)
    pieces = read(package, blocks(data, 7))
    assert pieces[0] == whole[0]
    assert sorted(pieces[1], key=str) == sorted(whole[1], key=str)
    assert len(list(row_pieces(blocks(data, 7)))) > 1  # the file was read in several pieces


def test_every_table_of_the_package_reads_the_same_in_pieces(package: Package, monkeypatch: pytest.MonkeyPatch) -> None:
    for table in package.tables.values():
        data = table.path.read_bytes()
        whole = read_table(table.name, table, data, [])[0]
        monkeypatch.setattr(csvfile, "PIECE_BYTES", 2048)
        pieces = read_table(table.name, table, blocks(data, 1000), [])[0]
        monkeypatch.undo()
        assert whole is not None and pieces is not None
        assert pieces.equals(whole), table.name


BOM = ("byte-order-mark", 1, None, None, "the file starts with a UTF-8 byte-order mark")
LONG = "x" * 40_000
EXACT = [  # (body after the BOM and header, rows read, every problem as (rule, row, field, value, message))
    (BODIES[1], 4, [BOM, ("blank-row", 3, None, None, "the row is empty"),
                     ("extra-cell", 2, "column 4", "extra", "the row has 4 cells; the header has 3"),
                     ("missing-cell", 4, "is_central_asian", None, "the row has 2 cells; the header has 3")]),
    (BODIES[2], 6, [BOM, ("blank-row", 5, None, None, "the row is empty"),
                     ("blank-row", 6, None, None, "the row is empty"),
                     ("missing-cell", 4, "is_central_asian", None, "the row has 2 cells; the header has 3")]),
    (BODIES[3], 3, [BOM, ("encoding-error", 2, None, "e9",
                          "bytes b'\\xe9' on line 2 are not UTF-8 (invalid continuation byte)"),
                     ("crlf-line-ending", 2, None, None, "2 lines end with CRLF, first on line 2")]),
    # a cell over the cap on a later row: reported there; the csv module stops at it, so a ragged
    # row after it is not located (the cell must be shortened first)
    (b"A,a,true\nB," + LONG.encode() + b",true\nC,c,true,d\n", 3,
     [BOM, ("cell-too-long", 3, "name", LONG, "40,000 characters; a cell holds at most 32,767")]),
    (b"A,a,true\r\n\xff\n", 2, [BOM, ("encoding-error", 3, None, "ff",
                                      "bytes b'\\xff' on line 3 are not UTF-8 (invalid start byte)"),
                                ("crlf-line-ending", 2, None, None, "1 line ends with CRLF, first on line 2"),
                                ("missing-cell", 3, "name", None, "the row has 1 cell; the header has 3")]),
    (b"A,b\nC,d,true,x,y\n", 2, [BOM, ("missing-cell", 2, "is_central_asian", None,
                                       "the row has 2 cells; the header has 3"),
                                 ("extra-cell", 3, "column 4", "x", "the row has 5 cells; the header has 3")]),
    # a lone CR ends no row (as polars reads it): the ragged rows are the ones polars has
    (b"A,a\rb,true\nB,b\n", 2, [BOM, ("missing-cell", 3, "is_central_asian", None,
                                        "the row has 2 cells; the header has 3")]),
    (b"A,a,true,x\ry\nB,b\r\n", 2, [BOM, ("crlf-line-ending", 3, None, None, "1 line ends with CRLF, first on line 3"),
                                      ("extra-cell", 2, "column 4", "x\ry", "the row has 4 cells; the header has 3"),
                                      ("missing-cell", 3, "is_central_asian", None,
                                       "the row has 2 cells; the header has 3")]),
    (b"A,a,true\n,,,,\n", 2, [BOM, ("blank-row", 3, None, None, "the row is empty")]),  # blank, whatever its commas
    # a blank row's comma and a missing cell's do not cancel out; cells past the header's are not blank
    (b",\n,a\n", 2, [BOM, ("blank-row", 2, None, None, "the row is empty"),
                      ("missing-cell", 3, "is_central_asian", None, "the row has 2 cells; the header has 3")]),
    (b",,,a\nB,b,true\n", 2, [BOM, ("extra-cell", 2, "column 4", "a", "the row has 4 cells; the header has 3")]),
    (b'A,a,true,"x\r\ny"\n', 1, [BOM, ("extra-cell", 2, "column 4", "x\r\ny",  # the cell shown as written
                                       "the row has 4 cells; the header has 3")]),
    # a CRLF inside a quoted cell is its text (a multi-line field may hold one), not a line ending
    (b'A,"a\r\nb",true\r\nB,"say ""x""\r\n",true\n', 2,
     [BOM, ("crlf-line-ending", 3, None, None, "1 line ends with CRLF, first on line 3")]),
    # a piece that starts with a line end (read in pieces of 20 bytes, the body is one): each byte
    # finding is still on its own line
    (b'\r\nA,"x",true\r\n', 2, [BOM, ("crlf-line-ending", 2, None, None, "2 lines end with CRLF, first on line 2"),
                                    ("blank-row", 2, None, None, "the row is empty")]),
    (b"\nA,\xff,true\n", 2, [BOM, ("encoding-error", 3, None, "ff",
                                     "bytes b'\\xff' on line 3 are not UTF-8 (invalid start byte)"),
                              ("blank-row", 2, None, None, "the row is empty")]),
    (b"\nA,a,true\r\n", 2, [BOM, ("crlf-line-ending", 3, None, None, "1 line ends with CRLF, first on line 3"),
                             ("blank-row", 2, None, None, "the row is empty")]),
]


@pytest.mark.parametrize(("body", "height", "expected"), EXACT)
@pytest.mark.parametrize("piece", [None, 1, 20])
def test_every_problem_is_named_at_its_row_whole_or_in_pieces(
        package: Package, body: bytes, height: int, expected: list[tuple], piece: int | None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Pinned whole, not only compared with the whole read: each problem once, at its file's row."""
    data = b"\xef\xbb\xbf" + HEADER + body
    if piece:
        monkeypatch.setattr(csvfile, "PIECE_BYTES", piece)
    problems: list = []
    frame, missing = read_table("tables/states.csv", package.table("states"), blocks(data, 7) if piece else data,
                                problems)
    assert (frame.height, missing) == (height, set())
    assert [(p.rule, p.row, p.field, p.value, p.message) for p in problems] == expected
    assert {p.file for p in problems} == {"tables/states.csv"}


@pytest.mark.parametrize("piece", [None, 1])
def test_a_file_that_cannot_be_split_into_rows_or_has_no_header_gives_no_frame(
        package: Package, piece: int | None, monkeypatch: pytest.MonkeyPatch) -> None:
    if piece:
        monkeypatch.setattr(csvfile, "PIECE_BYTES", piece)
    table, fields = package.table("states"), {"state_id", "name", "is_central_asian"}
    for data, rule, message in [
            (HEADER + b'A,"open,true\nB,b,true\n', "unclosed-quote",
             "a quoted cell is never closed, so the file cannot be split into rows"),
            (b"", "blank-header", "the file is empty: it has no header row"),
            (b"\n\nA,a,true\n", "blank-header", "the file is empty: it has no header row")]:
        problems: list = []
        assert read_table("tables/states.csv", table, blocks(data, 7) if piece else data, problems) == (None, fields)
        assert [(p.file, p.row, p.field, p.rule, p.message) for p in problems] == [
            ("tables/states.csv", None, None, rule, message)]
    problems = []
    frame, missing = read_table("tables/states.csv", table, HEADER, problems)
    assert (frame.height, frame.columns, missing, problems) == (0, ["state_id", "name", "is_central_asian"], set(), [])
    problems = []
    frame, _ = read_table("tables/states.csv", table, HEADER.rstrip(b"\n") + b",extra\nA,a,true\nB,b,true,x\n",
                          problems)
    assert [(p.row, p.field, p.value, p.rule, p.message) for p in problems] == [
        (None, "extra", "extra", "extra-label", "column 4 ('extra') is not in the schema"),
        (2, "column 4", None, "missing-cell", "the row has 3 cells; the header has 4")]  # a column past the schema's
    problems = []
    frame, missing = read_table("tables/states.csv", table, b"state_id,nom\nA,a\n", problems)
    assert (frame.to_dicts(), missing) == ([{"state_id": "A", "name": "a", "is_central_asian": None}],
                                           {"is_central_asian"})
    assert [(p.field, p.value, p.rule) for p in problems] == [("name", "nom", "incorrect-label"),
                                                              ("is_central_asian", None, "missing-label")]


def _cell(text: str) -> str:
    """A cell as CSV writes it: quoted (quotes doubled) when it holds a comma, quote or line end."""
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\n\r') else text


CELLS = st.one_of(st.text(alphabet="a\r", max_size=3).filter(lambda t: not t.endswith("\r")),  # unquoted
                  st.text(alphabet='a,"\n\r', max_size=3))  # quoted when it must be
ROWS = st.lists(st.tuples(st.lists(CELLS, min_size=1, max_size=5), st.sampled_from(["\n", "\r\n"])),
                min_size=1, max_size=6)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=ROWS, piece=st.sampled_from([csvfile.PIECE_BYTES, 1]))
def test_ragged_and_blank_rows_are_named_at_the_rows_that_have_them(package: Package, rows: list, piece: int,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The class of the lone-CR defect: the byte checks, the csv module that locates ragged rows
    and polars that read the file must split it into the same rows, so each finding is at the row
    that has it, read whole or row by row, and only rows' CRLF ends are line endings (3,000
    examples passed once; each run tries 150)."""
    monkeypatch.setattr(csvfile, "PIECE_BYTES", piece)
    texts = [",".join(_cell(c) for c in cells) for cells, _ in rows]
    body = "".join(text + end for text, (_, end) in zip(texts, rows, strict=True))
    expected = set()
    for number, (cells, _) in enumerate(rows, start=2):
        if all(c == "" for c in cells):
            expected.add(("blank-row", number))
        elif len(cells) != 3:
            expected.add(("extra-cell" if len(cells) > 3 else "missing-cell", number))
    crlf = [index for index, (_, end) in enumerate(rows) if end == "\r\n"]
    if crlf:  # the line of the first: the header's, then every line break before that row's end
        line = 2 + "".join(text + end for text, (_, end) in zip(texts[:crlf[0]], rows, strict=False)).count("\n") \
            + texts[crlf[0]].count("\n")
        verb = "line ends" if len(crlf) == 1 else "lines end"
        expected.add(("crlf-line-ending", line, f"{len(crlf)} {verb} with CRLF, first on line {line}"))
    problems: list = []
    data = HEADER + body.encode()
    frame, _ = read_table("tables/states.csv", package.table("states"), blocks(data, 7), problems)
    assert frame is not None and frame.height == len(rows)
    assert {(p.rule, p.row, p.message) if p.rule == "crlf-line-ending" else (p.rule, p.row) for p in problems} \
        == expected


@pytest.mark.parametrize(("body", "located"), [
    (b'A,"a, b",true\r\nB,"two\nlines, quoted",false\n,,\nC,"say ""hi"", ok",true\n', 0),  # well formed
    (b"A,a,true\nB,b,false\n", 0),  # no comma inside any cell
    (b"A,a,true\nB,b\n", 1),   # a missing cell
    (b"A,a,true\n\n", 1),      # a blank line
    (b"A,a,true,x\n", 1),       # an extra cell
])
def test_only_a_file_with_ragged_rows_is_parsed_again_by_the_csv_module(
        package: Package, body: bytes, located: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The csv module's second parse is the slow path, for broken files only: a well-formed file
    (quoted commas and newlines, CRLF, a row of empty cells) is judged by polars' parse and a
    count of its separators."""
    calls: list[int] = []
    locate = csvfile.PieceReader._locate

    def counted(self, *args):
        calls.append(1)
        return locate(self, *args)

    monkeypatch.setattr(csvfile.PieceReader, "_locate", counted)
    read_table("tables/states.csv", package.table("states"), HEADER + body, [])
    assert len(calls) == located


def test_a_multi_line_cell_written_with_crlf_in_a_file_of_lf_lines_is_valid(tmp_path: Path) -> None:
    """The clean-text policy lets a multi-line field hold CRLF; the file's line endings are its rows'
    (0.2.0 called the cell's CRLF a line ending, so a fork's import of such a cell was refused)."""
    schema = {"fields": [{"name": "a", "type": "string"}, {"name": "note", "type": "string", "multiline": True}],
              "primaryKey": ["a"]}
    (tmp_path / "t.json").write_text(json.dumps(schema), encoding="utf-8")
    (tmp_path / "datapackage.json").write_text(json.dumps(
        {"name": "p", "resources": [{"name": "t", "path": "t.csv", "schema": "t.json"}]}), encoding="utf-8")
    (tmp_path / "t.csv").write_bytes(b'a,note\n1,"first line\r\nsecond line"\n2,one line\n')
    assert validate_package(tmp_path, None) == []


@pytest.mark.parametrize(("body", "expected"), [
    (b"\nA,\xff,true\n", ("encoding-error", 3)), (b"\nA,a,true\r\n", ("crlf-line-ending", 3))])
def test_a_piece_that_starts_with_a_blank_line_counts_it(package: Package, body: bytes, expected: tuple,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks of 17 bytes end one right after the header's line (3 + 31 bytes), so the next piece
    starts with the blank line's LF: the byte findings after it are on line 3, not 2."""
    monkeypatch.setattr(csvfile, "PIECE_BYTES", 1)
    data = b"\xef\xbb\xbf" + HEADER + body
    assert len(b"\xef\xbb\xbf" + HEADER) == 34
    problems: list = []
    read_table("tables/states.csv", package.table("states"), blocks(data, 17), problems)
    assert expected in [(p.rule, p.row) for p in problems]
