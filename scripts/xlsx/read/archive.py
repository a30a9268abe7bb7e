"""Refuse a hostile or unusable .xlsx before any XML parser sees it, in bounded time and memory.

Why a separate pass: an .xlsx is a zip of XML parts, and both layers can attack a reader — a
zip bomb (a small file that inflates to gigabytes), a DTD with entities (billion laughs, external
entities), an encrypted or macro-enabled file the user did not mean to send. Everything here
looks only at the zip's central directory and at a bounded prefix (the XML prolog) of each XML
part, so the cost is linear in the number of parts and independent of what the parts claim.

The caps are far above what an honest workbook of this package needs: the real export is about
150 kB with 122 parts, unpacks to under 1 MiB (largest part ~320 kB) and compresses at most ~24:1,
also after a LibreOffice re-save. A workbook two hundred times larger still passes; a bomb does not.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from xml.parsers import expat

from scripts.report import Problem

MiB = 2**20
OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAGIC = b"PK\x03\x04"
XML_SUFFIXES = (".xml", ".rels", ".vml")
MACRO_MARKERS = (b"macroEnabled", b"vbaProject")
SAVE_HINT = "save it from Excel or LibreOffice as 'Excel Workbook (.xlsx)'"


@dataclass(frozen=True)
class ArchiveCaps:
    """Limits on a workbook archive; every one is a parameter so tests can use tiny ones, and a big
    package raises them with :meth:`scripts.xlsx.read.caps.WorkbookCaps.for_rows` (``--max-rows``)."""

    max_file_bytes: int = 64 * MiB     # the file itself (compressed)
    max_part_bytes: int = 64 * MiB     # one part, unpacked, as the central directory declares it
    max_total_bytes: int = 256 * MiB   # all parts, unpacked
    max_parts: int = 2_000             # an export has ~40 parts
    max_ratio: int = 400               # unpacked/packed, checked on parts over ratio_floor
    ratio_floor: int = 1 * MiB
    max_prolog_bytes: int = 64 * 1024  # XML declaration + comments before the root element


DEFAULT_CAPS = ArchiveCaps()


class _Refused(Exception):
    """Internal: carries the one problem that ends the check."""

    def __init__(self, rule: str, message: str, part: str | None = None, hint: str = "") -> None:
        super().__init__(message)
        self.rule, self.message, self.part, self.hint = rule, message, part, hint


def check_archive(path: str | Path, caps: ArchiveCaps = DEFAULT_CAPS) -> list[Problem]:
    """The problems that make ``path`` unsafe or unusable as a workbook; empty when it may be read.

    Never raises for a bad file: every refusal is one plain-words Problem naming the file and,
    where there is one, the part (in ``value``)."""
    path = Path(path)
    try:
        _check(path, caps)
    except _Refused as refusal:
        return [Problem(str(path), None, None, refusal.part, refusal.rule, refusal.message, refusal.hint)]
    return []


def _check(path: Path, caps: ArchiveCaps) -> None:
    """Run the checks cheapest first; the first failure ends the check."""
    _check_file(path, caps)
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            _check_directory(infos, caps)
            for info in infos:
                if info.filename.lower().endswith(XML_SUFFIXES):
                    _check_prolog(archive, info, caps)
            _check_macros(archive, infos)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, NotImplementedError) as exc:
        raise _Refused("not-a-workbook", f"the workbook is damaged or truncated ({exc})", hint=SAVE_HINT) from exc
    except OSError as exc:
        raise _Refused("unreadable", f"the workbook cannot be read ({exc.strerror or exc})") from exc


def _check_file(path: Path, caps: ArchiveCaps) -> None:
    """Existence, size and the first bytes: an encrypted workbook is an OLE2 file, not a zip."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise _Refused("unreadable", f"the workbook cannot be read ({exc.strerror or exc})") from exc
    if head == OLE2_MAGIC:
        raise _Refused("encrypted", "the workbook is password-protected (or an old .xls file); "
                       "save it without a password as 'Excel Workbook (.xlsx)'", hint=SAVE_HINT)
    if not head.startswith(ZIP_MAGIC):
        raise _Refused("not-a-workbook", "not an Excel workbook (.xlsx): the file is not a zip archive",
                       hint=SAVE_HINT)
    if size > caps.max_file_bytes:
        raise _Refused("file-too-large", f"the workbook is {size:,} bytes; more than "
                       f"{caps.max_file_bytes:,} is refused")


def _check_directory(infos: list[zipfile.ZipInfo], caps: ArchiveCaps) -> None:
    """Sizes and names as the central directory declares them; the reader enforces them again
    while it streams, so a lying directory gains nothing."""
    if len(infos) > caps.max_parts:
        raise _Refused("too-many-parts", f"the workbook has {len(infos):,} parts; more than "
                       f"{caps.max_parts:,} is refused")
    names = [i.filename for i in infos]
    _check_names(names)
    if "xl/workbook.xml" not in names:
        raise _Refused("not-a-workbook", "a zip archive but not an Excel workbook (no xl/workbook.xml)",
                       hint=SAVE_HINT)
    total = 0
    for info in infos:
        _check_part(info, caps)
        total += info.file_size
    if total > caps.max_total_bytes:
        raise _Refused("unpacked-too-large", f"the workbook unpacks to {total:,} bytes; more than "
                       f"{caps.max_total_bytes:,} is refused")


def _check_names(names: list[str]) -> None:
    """Part names as the Open Packaging Conventions define them: unique ignoring case (Excel's and
    calamine's lookups ignore it), with no backslash and no empty, "." or ".." segment (calamine
    and Python's zipfile would resolve such a name differently). So every reader of the workbook
    finds the same part under a name."""
    seen: dict[str, str] = {}
    for name in names:
        segments = name.rstrip("/").split("/")
        if "\\" in name or any(s in ("", ".", "..") for s in segments):
            raise _Refused("bad-part-name", f"the workbook holds a part named {name!r}, which is not a valid "
                           "part name", name, SAVE_HINT)
        key = name.lower()
        if key in seen:
            raise _Refused("duplicate-part", f"the workbook holds two parts with the same name ({seen[key]!r} "
                           f"and {name!r})", name, SAVE_HINT)
        seen[key] = name


def _check_part(info: zipfile.ZipInfo, caps: ArchiveCaps) -> None:
    """One part: not encrypted, not too large, not compressed absurdly well."""
    if info.flag_bits & 0x1:
        raise _Refused("encrypted", f"part {info.filename} is encrypted; save the workbook without a "
                       "password", info.filename, SAVE_HINT)
    if info.file_size > caps.max_part_bytes:
        raise _Refused("part-too-large", f"part {info.filename} unpacks to {info.file_size:,} bytes; "
                       f"more than {caps.max_part_bytes:,} is refused", info.filename)
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > caps.ratio_floor and ratio > caps.max_ratio:
        raise _Refused("compression-ratio", f"part {info.filename} unpacks {ratio:,.0f} times its packed "
                       f"size; more than {caps.max_ratio} is refused (a zip bomb)", info.filename)


def _check_prolog(archive: zipfile.ZipFile, info: zipfile.ZipInfo, caps: ArchiveCaps) -> None:
    """Read the part only up to its root element and refuse a DTD there (``<!DOCTYPE`` carries
    every ``<!ENTITY``; an entity declaration anywhere else is not well-formed XML)."""
    buffer = b""
    with archive.open(info) as stream:
        while len(buffer) < caps.max_prolog_bytes:
            chunk = stream.read(4096)
            buffer += chunk
            verdict = _prolog_verdict(_as_text(buffer, info.filename))
            if verdict is not None or not chunk:
                break
        else:
            raise _Refused("xml-prolog", f"part {info.filename} has more than {caps.max_prolog_bytes:,} "
                           "bytes before its first element", info.filename, SAVE_HINT)
    if verdict == "dtd":
        raise _Refused("xml-dtd", f"part {info.filename} declares a DTD or entities (<!DOCTYPE/<!ENTITY); "
                       "workbooks never need one and it can attack the reader", info.filename, SAVE_HINT)


def _as_text(data: bytes, part: str) -> str:
    """Prolog bytes as text: UTF-16 (with BOM) decoded; UTF-8/ASCII-compatible kept as Latin-1,
    which maps each byte to one character so markup is found whatever the declared encoding."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data[: len(data) - len(data) % 2].decode("utf-16", errors="replace")
    if data[:4] in (b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00") or (len(data) > 1 and b"\x00" in data[:4]):
        raise _Refused("xml-encoding", f"part {part} uses an XML encoding other than UTF-8 or UTF-16",
                       part, SAVE_HINT)
    return data.decode("latin-1")


def _prolog_verdict(text: str) -> str | None:
    """"dtd" when a DTD starts before the root element, "ok" at the root element, None when the
    prolog has not ended yet (read more)."""
    position = 3 if text.startswith("\xef\xbb\xbf") else 1 if text.startswith("\ufeff") else 0
    while True:
        position = _skip_space(text, position)
        rest = text[position:position + 9]
        if len(rest) < 9:
            return None
        closer = "?>" if rest.startswith("<?") else "-->" if rest.startswith("<!--") else None
        if closer is None:
            return "dtd" if rest.startswith("<!") else "ok"  # <!DOCTYPE in any case, or the root
        end = text.find(closer, position + 2)
        if end < 0:
            return None
        position = end + len(closer)


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _check_macros(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    """A macro-enabled workbook (.xlsm) can run code in the next person's Excel: refuse it."""
    for info in infos:
        if info.filename.lower().endswith("vbaproject.bin"):
            raise _Refused("macros", f"the workbook contains macros ({info.filename}); save it as "
                           "'Excel Workbook (.xlsx)', which drops them", info.filename, SAVE_HINT)
    types = next((i for i in infos if i.filename == "[Content_Types].xml"), None)
    if types is not None:
        with archive.open(types) as stream:
            head = stream.read(4 * MiB)
        if any(marker in head for marker in MACRO_MARKERS):
            raise _Refused("macros", "the workbook is macro-enabled (.xlsm content types); save it as "
                           "'Excel Workbook (.xlsx)'", types.filename, SAVE_HINT)


def stream_part(archive: zipfile.ZipFile, part: str, handlers: dict[str, Callable[..., None]],
                max_bytes: int) -> None:
    """Parse one part with expat in 64 KiB chunks: refuses DTDs and entities again (defence in
    depth) and stops with ValueError once the part inflates past ``max_bytes``, whatever the
    central directory claimed. Raises KeyError, expat.ExpatError, ValueError or zip errors."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True  # joins text up to buffer_size (8 KiB), so memory stays bounded
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.StartElementHandler = handlers.get("start")
    parser.EndElementHandler = handlers.get("end")
    parser.CharacterDataHandler = handlers.get("data")
    fed = 0
    try:
        with archive.open(part) as stream:
            while chunk := stream.read(1 << 16):
                fed += len(chunk)
                if fed > max_bytes:
                    raise ValueError(f"it unpacks to more than {max_bytes:,} bytes")
                parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except KeyError:
        raise  # a missing part
    except LookupError as exc:  # an XML declaration naming an encoding Python does not know
        raise ValueError(str(exc)) from exc


def _refuse_dtd(*_: object) -> None:
    raise ValueError("a DTD or entity declaration; workbooks never need one")
