"""The workbook's first sheets: "Read me" for people new to the data, and the field dictionary.

The Read me sheet explains, in our own words, what each sheet holds, how to read statuses, claims
and inferred values, how a disagreement between sources shows, how to cite the data and where the
sources are. Its lists (sheets, status values, sources) are built from the package, so they stay
true when the data changes; only the wording that explains them is written here. No file path of
the maintainers' machine appears in it.
"""

from __future__ import annotations

import itertools
from typing import Any

from scripts.model.backends import words
from scripts.model.meta import citation_text, package_meta
from scripts.model.package import Package
from scripts.model.spec import Table
from scripts.xlsx.ooxml import column_letter
from scripts.xlsx.write import printing, styles
from scripts.xlsx.write.scan import Scan, read_table
from scripts.xlsx.write.sheets import add_table, append, text_cell

README_SHEET = "Read me"
FIELDS_SHEET = "fields"
MAX_SOURCES = 200  # sources listed on the Read me sheet
README_WIDTHS = (22, 28, 8, 80)  # 138 characters: prints one page wide at 80 % (printing.py)
MERGED_WIDTH = sum(README_WIDTHS[1:])
FIELDS_WIDTHS = (22, 26, 26, 22, 50, 90)
# Columns whose values say how firmly the sources state a thing; their labels are listed.
READING_FIELDS = ("status", "claim", "value_kind", "support")
INFERRED_PREFIX, INFERRED_SUFFIX = "is_", "_inferred"
NOTE_FIELD = "inference_note"
SOURCES_TABLE, SOURCE_TITLE, SOURCE_DATE = "sources", "title", "published"

INTRO = ("This workbook holds the whole dataset: one sheet per table, each row one record. Every "
         "record can be traced to the lines of a news report that support it (the citations sheet), "
         "and every value the editors worked out rather than read is marked.")
INFERRED = ("A column named is_..._inferred set to true means the value beside it was not printed in "
            "the source but worked out by the editors; the row's inference_note says how. false means "
            "the source states the value.")
BOOLEANS = ("Yes/no columns hold the words true and false, as text, exactly as in the CSV files. Type one "
            "of the two words (the dropdown offers them).")
DATES = ("Dates are text at the precision the source gives: a year (2024), a month (2024-08) or a day "
         "(2024-08-09). Type them as text; a date that a spreadsheet turned into a calendar date is "
         "refused on import unless it is the date that was already there.")
FIGURES = ("Figures (indicators sheet) are stored as reported, with their unit and scale in the same row: "
           "36.5 with scale billion and unit USD reads 36.5 billion US dollars, shown as '36.5 billion "
           "USD'. A percentage is stored as the number of percent (11 means 11 %). Targets (value_kind "
           "target) are stated aims, not measurements.")
DISAGREE = ("When two sources give different values for the same thing, both are kept, each row naming "
            "its own source_id: a disagreement is information, not a mistake. On the indicators sheet, "
            "rows with the same indicator, scope, states and period but different sources and values "
            "are such disagreements; nothing is averaged or chosen.")
EDITING = ("Edit the table sheets, keep the header row (columns may be moved; extra columns are ignored "
           "with a warning), add rows just below a table, and use the dropdowns. Then import the workbook "
           "with the project's import command: it checks every cell against the rules and the sources and "
           "changes nothing unless everything is valid. This sheet, the fields sheet, the chart sheet and "
           "the hidden sheets are not imported.")
SOURCES_WHERE = ("The reports themselves are not in this workbook, and they are not distributed with the "
                 "dataset: they belong to their publishers. Each is listed on the sources sheet with its "
                 "title, publication date, the name of the text file the editors read and that text's "
                 "SHA-256 fingerprint, so a copy you obtain can be checked against the one the data was "
                 "built from. The first ones:")


def write_readme(wb: Any, package: Package, scans: dict[str, Scan]) -> None:
    """The first sheet: a reading guide for people who have not seen the data before."""
    ws = wb.create_sheet(README_SHEET)
    for col, width in zip("ABCD", README_WIDTHS, strict=True):
        ws.column_dimensions[col].width = width
    printing.print_setup(ws, README_WIDTHS, header_rows=0)
    append(ws, [text_cell(ws, package.title, font=styles.font(bold=True, size=14))])
    _para(ws, "About", INTRO)
    _para(ws, "Version", package.version)
    _sheet_list(ws, scans)
    _heading(ws, "Reading the values")
    for label, text in (("Inferred values", INFERRED), ("true and false", BOOLEANS), ("Dates", DATES),
                        ("Figures", FIGURES), ("When sources disagree", DISAGREE)):
        _para(ws, label, text)
    _reading_values(ws, package)
    _heading(ws, "Citing and sources")
    _para(ws, "How to cite", how_to_cite(package))
    _para(ws, "Licence", _licences(package))
    _para(ws, "Where the sources are", SOURCES_WHERE)
    _source_list(ws, scans)
    _heading(ws, "Editing")
    _para(ws, "How to edit", EDITING)


def _heading(ws: Any, text: str) -> None:
    append(ws, [])
    append(ws, [text_cell(ws, text, font=styles.font(bold=True, size=13))])


def _para(ws: Any, label: str, text: str) -> None:
    row = append(ws, [text_cell(ws, label, font=styles.font(bold=True), alignment=styles.top()),
                      text_cell(ws, text, alignment=styles.wrap())], {1: MERGED_WIDTH})
    ws.merged_cells.add(f"B{row}:D{row}")


def _link(ws: Any, text: str, target: str) -> Any:
    from openpyxl.worksheet.hyperlink import Hyperlink

    cell = text_cell(ws, text, font=styles.font(link=True), alignment=styles.top())
    cell.hyperlink = Hyperlink(ref="", location=target)
    return cell


def _sheet_list(ws: Any, scans: dict[str, Scan]) -> None:
    _heading(ws, "The sheets")
    bold = styles.font(bold=True)
    append(ws, [text_cell(ws, h, font=bold) for h in ("Sheet", "Holds", "Rows", "In more detail")])
    for name, scan in scans.items():
        append(ws, [_link(ws, name, f"'{name}'!A1"), text_cell(ws, scan.table.title, alignment=styles.wrap()),
                    text_cell(ws, scan.rows, number_format=styles.COUNT_FORMAT, alignment=styles.centred()),
                    text_cell(ws, scan.table.description, alignment=styles.wrap())],
               {1: README_WIDTHS[1], 3: README_WIDTHS[3]})
    append(ws, [_link(ws, FIELDS_SHEET, f"'{FIELDS_SHEET}'!A1"),
               text_cell(ws, "Every column of every sheet: its meaning, type and rules"), None, None])


def _reading_values(ws: Any, package: Package) -> None:
    """The values of status, claim and similar columns with what each one means."""
    bold = styles.font(bold=True)
    append(ws, [text_cell(ws, h, font=bold) for h in ("Column", "Value", "", "Means")])
    for table in package.tables.values():
        for fld in table.fields:
            if fld.name not in READING_FIELDS or not fld.categories:
                continue
            for value, label in fld.categories:
                append(ws, [text_cell(ws, f"{table.name}.{fld.name}", alignment=styles.top()),
                            text_cell(ws, value, alignment=styles.top()), None,
                            text_cell(ws, label, alignment=styles.wrap())], {3: README_WIDTHS[3]})


def _source_list(ws: Any, scans: dict[str, Scan]) -> None:
    scan = scans.get(SOURCES_TABLE)
    if scan is None:
        return
    table = scan.table
    names = table.field_names
    at = {n: names.index(n) for n in (SOURCE_TITLE, SOURCE_DATE) if n in names}
    for number, row in enumerate(itertools.islice(read_table(table), MAX_SOURCES), start=2):
        key = "/".join(row[names.index(k)] for k in table.primary_key)
        append(ws, [_link(ws, key, f"'{table.name}'!A{number}"),
                    text_cell(ws, row[at[SOURCE_TITLE]] if SOURCE_TITLE in at else "", alignment=styles.wrap()),
                    text_cell(ws, row[at[SOURCE_DATE]] if SOURCE_DATE in at else "", alignment=styles.centred()), None],
               {1: README_WIDTHS[1]})
    if scan.rows > MAX_SOURCES:
        append(ws, [None, text_cell(ws, f"... and {scan.rows - MAX_SOURCES:,} more on the {table.name} sheet")])


def _licences(package: Package) -> str:
    found = []
    for lic in package.descriptor.get("licenses", []):
        name = lic.get("title") or lic.get("name", "")
        found.append(f"{name} ({lic['path']})" if lic.get("path") else name)
    return "; ".join(found)


def contributors(package: Package) -> str:
    names = [c.get("title") or c.get("name", "") for c in package.descriptor.get("contributors", [])]
    return "; ".join(n for n in names if n) or package.name


def how_to_cite(package: Package) -> str:
    """The recommended citation, in the same words as the site, the database and CITATION.cff
    (:func:`scripts.model.meta.citation_text`, all generated from datapackage.json). A package
    without the release record's keys (a draft, a test package) is cited from what it has."""
    try:
        return citation_text(package_meta(package))
    except (KeyError, TypeError, ValueError):
        d = package.descriptor
        year = str(d.get("created", ""))[:4]
        dated = f" ({year})" if year else ""
        where = d.get("homepage") or d.get("id", "")
        title = f"{package.title} (version {package.version}) [Data set]"
        return f"{contributors(package)}{dated}. {title}. {where}".strip()


def write_fields(wb: Any, package: Package) -> None:
    """The data dictionary: one row per field of every table, as an Excel table, with the rules
    in the interpreter's words."""
    ws = wb.create_sheet(FIELDS_SHEET)
    header = ["sheet", "column", "title", "type", "rules", "description"]
    for number, width in enumerate(FIELDS_WIDTHS, start=1):
        ws.column_dimensions[column_letter(number)].width = width
    ws.freeze_panes = "A2"
    printing.print_setup(ws, FIELDS_WIDTHS, leading_keys=2)
    append(ws, [text_cell(ws, h, font=styles.font(bold=True)) for h in header])
    rows = 1
    for table in package.tables.values():
        for fld in table.fields:
            append(ws, [text_cell(ws, v, alignment=styles.wrap()) for v in (
                table.name, fld.name, fld.title, words.type_words(fld), "; ".join(_rules(table, fld)),
                _description(fld))], dict(enumerate(FIELDS_WIDTHS)))
            rows += 1
    add_table(ws, "tbl_fields", f"A1:{column_letter(len(header))}{rows}", header)


def _rules(table: Table, fld: Any) -> list[str]:
    found = [w for w in words.constraint_words(fld) if w]
    if fld.in_primary_key:
        found.insert(0, "identifies the row" + (" with " + ", ".join(k for k in table.primary_key if k != fld.name)
                                                if len(table.primary_key) > 1 else ""))
    found.extend(f"a {', '.join(fk.ref_fields)} of the {fk.resource} sheet"
                 for fk in table.foreign_keys if fld.name in fk.fields)
    return found


def _description(fld: Any) -> str:
    lines = [fld.description]
    lines.extend(f"{value}: {label}" for value, label in fld.categories if label)
    return "\n".join(line for line in lines if line)
