"""The smallest text size on each page of a PDF, read from the page's own drawing operators.

A small reader for what LibreOffice writes (PDF 1.6 without object streams): the page tree in
order, each page's content streams inflated, and the text operators followed with the graphics
state. The size a reader sees is the font size of ``Tf`` times the vertical scale of the text
matrix (``Tm``) and of the transformation matrix (``cm``, saved and restored by ``q``/``Q``).
So a sheet that LibreOffice shrank to fit the page shows as an 11-point font printed at, say,
4.7 points, whatever the font (a substitute for Calibri is measured as drawn). No dependency:
only ``zlib`` and regular expressions.
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path

OBJECT = re.compile(rb"(\d+)\s+0\s+obj\b(.*?)endobj", re.S)
REF = rb"(\d+)\s+0\s+R"
TOKEN = re.compile(rb"\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>|\[|\]|/[^\s/\[\]()<>]+|[-+]?(?:\d+\.?\d*|\.\d+)"
                   rb"|[A-Za-z'\"*]+")
Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _objects(data: bytes) -> dict[int, bytes]:
    return {int(m.group(1)): m.group(2) for m in OBJECT.finditer(data)}


def _stream(body: bytes, objects: dict[int, bytes]) -> bytes:
    """An object's stream, inflated when it is Flate-encoded."""
    head, _, rest = body.partition(b"stream")
    rest = rest[2:] if rest.startswith(b"\r\n") else rest[1:]
    length = re.search(rb"/Length\s+(?:" + REF + rb"|(\d+))", head)
    assert length is not None, head[:200]
    size = int(objects[int(length.group(1))].strip()) if length.group(1) else int(length.group(2))
    raw = rest[:size]
    return zlib.decompress(raw) if b"/FlateDecode" in head else raw


def _pages(objects: dict[int, bytes], node: int) -> list[int]:
    body = objects[node]
    if re.search(rb"/Type\s*/Pages\b", body):
        kids = re.search(rb"/Kids\s*\[(.*?)\]", body, re.S)
        assert kids is not None
        return [page for kid in re.findall(REF, kids.group(1)) for page in _pages(objects, int(kid))]
    return [node]


def _contents(objects: dict[int, bytes], page: int) -> bytes:
    body = objects[page]
    listed = re.search(rb"/Contents\s*(\[(?:[^\]]*)\]|" + REF + rb")", body)
    assert listed is not None, body[:200]
    return b"\n".join(_stream(objects[int(ref)], objects) for ref in re.findall(REF, listed.group(1)))


def _times(a: Matrix, b: Matrix) -> Matrix:
    return (a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3], a[2] * b[0] + a[3] * b[2],
            a[2] * b[1] + a[3] * b[3], a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5])


def _vertical(m: Matrix) -> float:
    return (m[2] ** 2 + m[3] ** 2) ** 0.5


class _State:
    """The part of the graphics state that sets a text's size: the transformation matrix with its
    saved copies, the text matrix and the font size."""

    def __init__(self) -> None:
        self.ctm, self.saved, self.tm, self.size = IDENTITY, [], IDENTITY, 0.0
        self.sizes: list[float] = []

    def apply(self, operator: bytes, operands: list[float]) -> None:
        if operator == b"q":
            self.saved.append(self.ctm)
        elif operator == b"Q" and self.saved:
            self.ctm = self.saved.pop()
        elif operator == b"cm" and len(operands) >= 6:
            self.ctm = _times(tuple(operands[-6:]), self.ctm)  # type: ignore[arg-type]
        elif operator == b"BT":
            self.tm = IDENTITY
        elif operator == b"Tm" and len(operands) >= 6:
            self.tm = tuple(operands[-6:])  # type: ignore[assignment]
        elif operator == b"Tf" and operands:
            self.size = operands[-1]
        elif operator in (b"Tj", b"TJ", b"'", b'"'):
            self.sizes.append(round(self.size * _vertical(self.tm) * _vertical(self.ctm), 3))


def text_sizes(content: bytes) -> list[float]:
    """The effective size of every text-showing operator of a content stream, in points."""
    state, operands = _State(), []
    for token in TOKEN.findall(content):
        if re.fullmatch(rb"[-+]?(?:\d+\.?\d*|\.\d+)", token):
            operands.append(float(token))
        elif token[:1] not in b"([]</":
            state.apply(token, operands)
            operands = []
    return state.sizes


def page_text_sizes(pdf: Path) -> list[list[float]]:
    """For each page in order, the effective sizes of the texts it shows."""
    data = pdf.read_bytes()
    objects = _objects(data)
    root = re.search(rb"/Root\s+" + REF, data[data.rindex(b"trailer"):])
    assert root is not None
    pages = re.search(rb"/Pages\s+" + REF, objects[int(root.group(1))])
    assert pages is not None
    return [text_sizes(_contents(objects, page)) for page in _pages(objects, int(pages.group(1)))]
