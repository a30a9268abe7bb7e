"""Reading a CSV in pieces: each piece ends at a row's end, and the pieces give what the whole file gives."""

from __future__ import annotations

import pytest

from scripts.model.package import Package
from scripts.validate import csvfile
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
