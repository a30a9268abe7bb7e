"""Where a workbook keeps its sheets, resolved once, so that every reader reads the same part.

A sheet's name leads to its part through ``xl/workbook.xml`` and its relationships. The import
reads a sheet with one of two readers (calamine, or the streaming reader) after byte scans of the
same part (:mod:`.prescan`); if they resolved a name differently, a scan could pass one part while
a reader took another. calamine (0.36) takes the first sheet of a given name, matches ``sheet``
elements and their ``id`` attribute by local name whatever the prefix, looks parts up ignoring
case and finds the workbook through ``_rels/.rels``. So the layout is refused where those rules
and this module's could disagree: two sheets whose names differ only in case (Excel itself holds
them to be the same name), a ``sheet`` with a second ``id`` attribute, a main part other than
``xl/workbook.xml``. Part names are made unique ignoring case by :mod:`.archive`; here a target is
resolved as calamine resolves it and looked up ignoring case, as calamine looks it up.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from xml.parsers import expat

from scripts.report import Problem
from scripts.xlsx.ooxml import NS_MAIN, NS_REL
from scripts.xlsx.read.archive import SAVE_HINT, stream_part

DATE_FORMAT_IDS = set(range(14, 23)) | {45, 46, 47}  # Excel's built-in date and time formats
MAIN_PART = "xl/workbook.xml"
RESAVE = "save the workbook again as .xlsx"


@dataclass
class WorkbookLayout:
    """Where a workbook keeps its sheets and which cell styles show numbers as dates."""

    sheets: dict[str, str] = field(default_factory=dict)  # sheet name → part name, as in the archive
    date_styles: set[int] = field(default_factory=set)    # xf indices (a cell's ``s``) that show dates
    date1904: bool = False                                # serials count from 1904-01-01, not 1899-12-30


class LayoutError(ValueError):
    """The layout is ambiguous or damaged: carries the rule and a plain message."""

    def __init__(self, rule: str, message: str, hint: str = SAVE_HINT) -> None:
        super().__init__(message)
        self.rule, self.message, self.hint = rule, message, hint


def load_layout(archive: zipfile.ZipFile, path: str, max_bytes: int) -> tuple[WorkbookLayout | None, list[Problem]]:
    """The layout, or None and the one problem that refuses the workbook. Never raises."""
    try:
        return read_layout(archive, max_bytes), []
    except LayoutError as exc:
        return None, [Problem(path, None, None, None, exc.rule, exc.message, exc.hint)]
    except (KeyError, expat.ExpatError, ValueError, zipfile.BadZipFile, EOFError, OSError) as exc:
        return None, [Problem(path, None, None, None, "not-a-workbook",
                              f"the workbook's structure cannot be read ({exc})", RESAVE)]


def read_layout(archive: zipfile.ZipFile, max_bytes: int) -> WorkbookLayout:
    """Sheet parts from workbook.xml and its relationships, date styles from styles.xml. Raises
    LayoutError for an ambiguous layout, else as ``stream_part`` does."""
    names = {name.lower(): name for name in archive.namelist()}
    _check_main_part(archive, names, max_bytes)
    layout = WorkbookLayout()
    sheets: list[tuple[str, str]] = []

    def workbook(tag: str, attrs: dict[str, str]) -> None:
        local = tag.rpartition(" ")[2]
        if local == "sheet":
            sheets.append((attrs.get("name", ""), _relation_id(attrs)))
        elif tag == f"{NS_MAIN} workbookPr":
            layout.date1904 = attrs.get("date1904", "0") in ("1", "true")

    stream_part(archive, MAIN_PART, {"start": workbook}, max_bytes)
    _check_unique(name for name, _ in sheets)
    targets = _relationships(archive, names.get("xl/_rels/workbook.xml.rels", "xl/_rels/workbook.xml.rels"),
                             max_bytes)
    for name, rel in sheets:
        target = targets.get(rel, "")
        part = target[1:] if target.startswith("/") else f"xl/{target}"
        layout.sheets[name] = names.get(part.lower(), part)
    if "xl/styles.xml" in names:
        layout.date_styles = _date_styles(archive, names["xl/styles.xml"], max_bytes)
    return layout


def _relation_id(attrs: dict[str, str]) -> str:
    """The sheet's relationship id; refused when another attribute is also called ``id`` (calamine
    takes any attribute of that local name, the last one it meets)."""
    ids = [key for key in attrs if key.rpartition(" ")[2] == "id"]
    if ids != [f"{NS_REL} id"]:
        raise LayoutError("bad-sheet-entry", f"the sheet {attrs.get('name', '')!r} is listed in xl/workbook.xml "
                          "with a damaged relationship id")
    return attrs[ids[0]]


def _check_unique(sheet_names: Iterable[str]) -> None:
    """Sheet names are unique ignoring case, as Excel requires; a second sheet of the same name
    (a hidden one, say) could be read in place of the one that was checked."""
    seen: dict[str, str] = {}
    for name in sheet_names:
        key = name.casefold()
        if key in seen:
            raise LayoutError("duplicate-sheet", f"the workbook has two sheets named {seen[key]!r} and {name!r}; "
                              "sheet names must differ in more than upper and lower case",
                              "delete or rename one of them (check hidden sheets: right-click a sheet tab, "
                              "Unhide) and save again")
        seen[key] = name


def _check_main_part(archive: zipfile.ZipFile, names: dict[str, str], max_bytes: int) -> None:
    """The package's main part is xl/workbook.xml, where every writer puts it; a relationship
    naming another would make calamine read another workbook than this module does."""
    root = names.get("_rels/.rels")
    if root is None:
        return
    for target in _relationships(archive, root, max_bytes, "officeDocument").values():
        if target.lstrip("/").lower() != MAIN_PART:
            raise LayoutError("not-a-workbook", f"the workbook's main part is {target!r}, not {MAIN_PART}")


def _relationships(archive: zipfile.ZipFile, part: str, max_bytes: int, kind: str = "") -> dict[str, str]:
    """Id → target of a relationships part (of type ``kind`` only, when given)."""
    targets: dict[str, str] = {}

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag.rpartition(" ")[2] == "Relationship" and (not kind or attrs.get("Type", "").endswith(f"/{kind}")):
            targets[attrs.get("Id", "")] = attrs.get("Target", "")

    stream_part(archive, part, {"start": start}, max_bytes)
    return targets


def _date_styles(archive: zipfile.ZipFile, part: str, max_bytes: int) -> set[int]:
    """Indices of ``cellXfs`` entries whose number format (built-in or custom) shows a date."""
    custom: dict[int, str] = {}
    formats: list[int] = []
    inside_xfs = [False]

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == f"{NS_MAIN} numFmt":
            custom[to_int(attrs.get("numFmtId"))] = attrs.get("formatCode", "")
        elif tag == f"{NS_MAIN} cellXfs":
            inside_xfs[0] = True
        elif tag == f"{NS_MAIN} xf" and inside_xfs[0]:
            formats.append(to_int(attrs.get("numFmtId")))

    def end(tag: str) -> None:
        if tag == f"{NS_MAIN} cellXfs":
            inside_xfs[0] = False

    stream_part(archive, part, {"start": start, "end": end}, max_bytes)
    return {i for i, fmt in enumerate(formats)
            if fmt in DATE_FORMAT_IDS or (fmt in custom and _is_date_format(custom[fmt]))}


def to_int(text: str | None) -> int:
    """A non-negative integer attribute, or -1 when absent or malformed."""
    return int(text) if text and text.isdigit() else -1


def _is_date_format(code: str) -> bool:
    """A custom number format shows a date when, outside quotes and [colour] brackets, it has
    day, month, year, hour or second codes."""
    bare = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.', "", code).split(";")[0].lower()
    return bool(re.search(r"[dyhs]", bare)) or ("m" in bare and "0" not in bare)
