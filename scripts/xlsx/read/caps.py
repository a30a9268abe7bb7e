"""The bounds of an import, in one place: the archive's (checked before parsing) and the reader's."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from scripts.model.limits import CELL_CHARS
from scripts.model.package import Package
from scripts.xlsx.read.archive import DEFAULT_CAPS, ArchiveCaps


@dataclass(frozen=True)
class ReadCaps:
    """Bounds enforced while reading. The package's largest table has ~470 rows, the widest 21
    columns, the whole export ~6,000 values: these leave a margin of ten to a hundred times. A
    sheet reaching past row ``max_rows + 1`` or column ``max_columns`` is refused before any
    reader builds it (:mod:`.prescan`)."""

    max_rows: int = 50_000          # data rows per sheet (row number less the header)
    max_columns: int = 256          # columns per sheet, the header's and any other
    max_cells: int = 1_000_000      # non-empty cells kept, all sheets together
    max_cell_chars: int = CELL_CHARS  # Excel's own limit (scripts.model.limits)
    max_extra_cells: int = 1_000    # non-empty cells right of the header before a sheet is given up
    max_part_bytes: int = 64 << 20  # unpacked bytes fed to the parser per part
    max_shared_strings: int = 1_000_000


DEFAULT_READ_CAPS = ReadCaps()


@dataclass(frozen=True)
class WorkbookCaps:
    """Every bound of an import: the archive's (checked before parsing) and the reader's.

    The defaults fit any honest edit of this package. A bigger package raises them with
    :meth:`for_rows` (``import --max-rows N``): the per-part cap then follows from the size of the
    largest honest sheet, an exported row taking at most ~1.5 kB of sheet XML (inline strings, 21
    columns), with a margin of almost three."""

    read: ReadCaps = DEFAULT_READ_CAPS
    archive: ArchiveCaps = DEFAULT_CAPS

    ROW_BYTES = 4 << 10        # sheet XML per data row, margin included
    CELLS_PER_ROW = 64         # non-empty cells per row of the largest sheet, all sheets together

    @classmethod
    def for_rows(cls, rows: int) -> WorkbookCaps:
        """Caps for sheets of up to ``rows`` data rows; never below the defaults."""
        read, archive = DEFAULT_READ_CAPS, DEFAULT_CAPS
        part = max(archive.max_part_bytes, rows * cls.ROW_BYTES)
        return cls(replace(read, max_rows=max(read.max_rows, rows), max_part_bytes=part,
                           max_cells=max(read.max_cells, rows * cls.CELLS_PER_ROW),
                           max_shared_strings=max(read.max_shared_strings, rows * cls.CELLS_PER_ROW)),
                   replace(archive, max_part_bytes=part, max_total_bytes=max(archive.max_total_bytes, 4 * part),
                           max_file_bytes=max(archive.max_file_bytes, part)))


DEFAULT_WORKBOOK_CAPS = WorkbookCaps()
MARGIN = 2  # an edit may add as many rows as the longest table already has


def package_rows(package: Package) -> int:
    """Data rows of the package's longest table, counted as line ends (a multi-line cell counts
    a line more: a cap a little high, never too low). Bytes are counted, nothing is parsed."""
    return max((_line_ends(table.path) - 1 for table in package.tables.values()), default=0)


def _line_ends(path: Path) -> int:
    """Line ends in a table's file; 0 for a file that cannot be read now (the caps are taken
    before the lock: a table an interrupted import left moved away is put back by the recovery
    that follows, and a table really missing is reported by the step that needs it)."""
    count = 0
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                count += chunk.count(b"\n")
    except OSError:
        return 0
    return count


def caps_for(package: Package, asked_rows: int | None = None) -> WorkbookCaps:
    """The caps of an import into ``package``: its own export always fits, a hostile file does not.

    The row-derived caps (rows per sheet, unpacked bytes per part and in all, cells, shared strings)
    are those of :meth:`WorkbookCaps.for_rows` for ``MARGIN`` times the longest table's rows (or
    ``asked_rows``, ``--max-rows``, when larger), and never below the defaults; so a 100,000-row
    package re-imports its own export without flags. What does not depend on the package's size
    stays absolute: columns, the cell length, the cells right of a table, the number of parts, the
    compression ratio, DTDs, macros and encryption; and a sheet reaching past the row cap (a far
    cell, row or used range) is still refused from its bytes before any reader builds it."""
    return WorkbookCaps.for_rows(max(MARGIN * package_rows(package), asked_rows or 0))
