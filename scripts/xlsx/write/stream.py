"""Streaming the table rows into the sheets openpyxl wrote, and finishing a reproducible zip.

openpyxl writes every sheet with its header only; each table's rows are then written straight
into the sheet XML before ``</sheetData>``, exactly as openpyxl would write them (inline strings,
typed numbers, the column's style) at a fraction of its per-cell cost. The zip is copied with fixed
entry times and a stable order, so two exports of the same package are byte-identical.

Text is always an inline string (never a formula), with a literal ``_xHHHH_`` escaped so that it
reads back as typed (:func:`scripts.xlsx.ooxml.escape_xml_text`).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import tempfile
import zipfile
from typing import Any

from scripts.model import cells
from scripts.xlsx.ooxml import column_letter, escape_xml_text
from scripts.xlsx.write import styles
from scripts.xlsx.write.scan import NUMBER, TEXT, WIDTH_CAP, Column, Scan, read_table

MAX_LINKS_PER_SHEET = 65_530
# A polymorphic reference: a table naming another table and a record key in it (citations).
REF_TABLE_FIELD = "table_name"
REF_RECORD_FIELD = "record_id"
FOLLOWS_HYPERLINKS = (b"<printOptions", b"<pageMargins", b"<pageSetup", b"<headerFooter", b"<rowBreaks",
                      b"<colBreaks", b"<drawing", b"<legacyDrawing", b"<tableParts", b"</worksheet>")


def finish(archive: io.BytesIO, sheet_paths: dict[str, str], scans: dict[str, Scan], created: dt.datetime,
           heights: dict[str, dict[int, float]]) -> io.BytesIO:
    """Copy openpyxl's zip with fixed entry times, streaming each table's rows into its sheet and
    giving the rows of the other sheets the heights their wrapped text needs (``heights``)."""
    by_path = {path: name for name, path in sheet_paths.items()}
    stamp = created.timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(archive) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        names = src.namelist()
        names.sort(key=lambda n: n != "[Content_Types].xml")  # stable: only moves it first
        for name in names:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            with dst.open(info, "w") as stream:
                if name in by_path:
                    _splice_sheet(stream, src.read(name), scans[by_path[name]], scans)
                elif name in heights:
                    stream.write(_sized_rows(src.read(name), heights[name]))
                else:
                    stream.write(src.read(name))
    return out


def _sized_rows(xml: bytes, heights: dict[int, float]) -> bytes:
    """A sheet's XML with a custom height on each row listed in ``heights``."""
    def sized(match: re.Match[bytes]) -> bytes:
        height = heights.get(int(match.group(1)))
        return match.group(0) if height is None else match.group(0) + f' ht="{height:g}" customHeight="1"'.encode()

    return re.sub(rb'<row r="(\d+)"', sized, xml)


def _splice_sheet(stream: Any, xml: bytes, scan: Scan, scans: dict[str, Scan]) -> None:
    """Write a header-only sheet with the table's rows before ``</sheetData>`` and the row links
    in their place among the elements that follow."""
    end = xml.rindex(b"</sheetData>")
    tail = xml[end:]
    views = xml.index(b"<sheetViews")  # the used range goes before it, so readers need not scan
    stream.write(xml[:views])
    stream.write(f'<dimension ref="A1:{scan.last_letter}{scan.rows + 1}"/>'.encode())
    stream.write(xml[views:end])
    links = LinkWriter(scan, scans)
    _stream_rows(stream, scan, links)
    at = min(i for i in (tail.find(tag) for tag in FOLLOWS_HYPERLINKS) if i >= 0)
    stream.write(tail[:at])
    links.write(stream)
    stream.write(tail[at:])


def _cell(col: Column, ref: str, text: str, style: int, row: list[str], scan: Scan) -> str:
    """One cell's XML: text inline, numbers typed with the format their unit asks for."""
    if col.kind == TEXT:
        return f'<c r="{ref}" s="{style}" t="inlineStr"><is>{_xml_text(text)}</is></c>'
    if col.kind == NUMBER:
        style = col.format_ids.get(scan.figure_format(row, col), style)
    value = cells.write_cell(col.field, cells.read_cell(col.field, text))
    return f'<c r="{ref}" s="{style}"><v>{value}</v></c>'


def _stream_rows(stream: Any, scan: Scan, links: LinkWriter) -> None:
    """The table's rows as sheet XML: the hot loop of the export, so it builds strings directly."""
    chunk: list[str] = []
    wrapped = [c.index for c in scan.columns if c.wraps]
    for number, row in enumerate(read_table(scan.table), start=2):
        chunk.append(_row_xml(scan, links, wrapped, row, number))
        if len(chunk) >= 2000:
            stream.write("".join(chunk).encode("utf-8"))
            chunk.clear()
    stream.write("".join(chunk).encode("utf-8"))


def _row_xml(scan: Scan, links: LinkWriter, wrapped: list[int], row: list[str], number: int) -> str:
    """One row's XML, its links buffered: a call per row, not per cell, so that the loop over the
    rows in :func:`_stream_rows` stays apart from what a row holds at little cost."""
    targets = links.targets(row, number) if links.columns else ()
    height = styles.wrapped_height([(row[i], WIDTH_CAP) for i in wrapped]) if wrapped else None
    parts = [f'<row r="{number}" ht="{height:g}" customHeight="1">' if height else f'<row r="{number}">']
    for col in scan.columns:
        text = row[col.index]
        if text:
            style = col.link_style_id if col.index in targets else col.style_id
            parts.append(_cell(col, f"{col.letter}{number}", text, style, row, scan))
    parts.append("</row>")
    return "".join(parts)


def _xml_text(text: str) -> str:
    """``<t>`` element for a string: XML-escaped, ``_xHHHH_`` look-alikes protected and
    surrounding whitespace preserved."""
    escaped = escape_xml_text(text)
    if text[0].isspace() or text[-1].isspace():
        return f'<t xml:space="preserve">{escaped}</t>'
    return f"<t>{escaped}</t>"


class LinkWriter:
    """Hyperlinks of a table's rows: each citation links to the record it cites and to its source
    row. Links are kept in a temporary file while the rows stream, then written after them;
    Excel allows at most 65,530 links a sheet, so later rows go without."""

    def __init__(self, scan: Scan, scans: dict[str, Scan]) -> None:
        self.scans = scans
        self.columns: dict[int, tuple[str, str | None]] = {}  # column -> (how, referenced table)
        self.count = 0
        self.buffer = tempfile.SpooledTemporaryFile(max_size=4 * 2**20)  # noqa: SIM115 closed in write()
        names = scan.table.field_names
        if REF_TABLE_FIELD not in names or REF_RECORD_FIELD not in names:
            return  # only a table of record references (citations) links its rows
        self.ref_table = names.index(REF_TABLE_FIELD)
        self.columns[names.index(REF_RECORD_FIELD)] = ("record", None)
        for fk in scan.table.foreign_keys:
            if len(fk.fields) == 1 and fk.resource in scans:
                self.columns.setdefault(names.index(fk.fields[0]), ("key", fk.resource))

    def targets(self, row: list[str], number: int) -> set[int]:
        """Columns of this row that got a link (its XML is buffered)."""
        found = set()
        for index, (how, resource) in self.columns.items():
            if self.count >= MAX_LINKS_PER_SHEET or not row[index]:
                continue
            resource = row[self.ref_table] if how == "record" else resource
            target = self.scans.get(resource or "")
            at = target.keys.row(row[index]) if target is not None else None
            if at is None:
                continue
            self.buffer.write(f'<hyperlink ref="{column_letter(index + 1)}{number}" location="'
                              f"'{resource}'!A{at}\" display=\"{resource} row {at}\"/>".encode())
            self.count += 1
            found.add(index)
        return found

    def write(self, stream: Any) -> None:
        if self.count:
            stream.write(b"<hyperlinks>")
            self.buffer.seek(0)
            shutil.copyfileobj(self.buffer, stream)
            stream.write(b"</hyperlinks>")
        self.buffer.close()
