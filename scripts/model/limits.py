"""Every size limit the package's tools apply, in one place.

Why one place: a limit that differs between two readers is a hole (a cell that validate reports
but export crashes on; a workbook the importer accepts but the exporter could never write). Each
limit says whose limit it is.
"""

from __future__ import annotations

CELL_CHARS = 32_767  # Excel's own limit on a cell's text: the longest cell any table may hold
JSON_MAX_DEPTH = 64  # nesting of datapackage.json and the schemas (they need 5)
JSON_MAX_BYTES = 16 << 20  # the descriptor and each schema; the real ones are ~20 kB
REPORT_CAP = 50  # problems printed per rule and file in a text report
REPORT_VALUE_CHARS = 80  # characters of a value printed before it is shortened
REPORT_JSON_VALUE_CHARS = 1000  # characters of a value kept in a JSON report
CHANGE_REPORT_CAP = 50  # changed cells an import lists in its text report (JSON lists them all)
INTEGER_RANGE = (-(2**63), 2**63 - 1)  # whole numbers as the typed frames, Parquet and SQLite hold them (64-bit)
SMALL_TABLE_ROWS = 100_000  # below this many rows a table is queried on polars' in-memory engine (backends.polars)
