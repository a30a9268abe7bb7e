"""The bounds of an import, in one place: the archive's (checked before parsing) and the reader's."""

from __future__ import annotations

from dataclasses import dataclass, replace

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
    max_cell_chars: int = 32_767    # Excel's own limit
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
