"""The bounds of an import, in one place: the archive's (checked before parsing) and the reader's."""

from __future__ import annotations

from dataclasses import dataclass, replace

from scripts.xlsx.read.archive import DEFAULT_CAPS, ArchiveCaps
from scripts.xlsx.read.reader import ReadCaps

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
