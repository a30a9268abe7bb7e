"""One Parquet file per table, typed by the Table Schema interpreter.

Column types come from :mod:`scripts.model.backends.arrow` (text and reduced-precision dates
stay strings; integers int64, numbers float64, booleans bool) and values from
:func:`scripts.model.cells.read_cell`, so a Parquet column holds exactly what the CSV means. Files are
byte-reproducible: rows in primary-key order, fixed writer options (format version, compression
and level, one row group, no page index, no statistics that depend on chunking) and no clock; the
only library-dependent bytes are the ``created_by`` string, fixed by the pinned pyarrow version.
"""

from __future__ import annotations

from pathlib import Path

from scripts.model import cells
from scripts.model.backends.arrow import arrow_schema, arrow_type
from scripts.model.package import Table, sort_key

WRITER_OPTIONS = {
    "version": "2.6",
    "compression": "zstd",
    "compression_level": 9,
    "use_dictionary": True,
    "write_statistics": True,
    "data_page_version": "1.0",
    "write_page_index": False,
    "store_schema": True,
}
ROW_GROUP_SIZE = 1 << 20  # one row group for any honest table


def arrow_table(table: Table, rows: list[dict[str, str]]):  # -> pyarrow.Table
    """The table as a typed Arrow table, rows in primary-key order."""
    import pyarrow as pa

    ordered = sorted(rows, key=sort_key(table))
    schema = arrow_schema(table)
    columns = [pa.array([cells.read_cell(fld, row.get(fld.name)) for row in ordered], type=arrow_type(fld))
               for fld in table.fields]
    return pa.Table.from_arrays(columns, schema=schema)


def write_parquet(table: Table, rows: list[dict[str, str]], dest: Path) -> None:
    """Write ``table`` to ``dest`` with the fixed writer options."""
    import pyarrow.parquet as pq

    data = arrow_table(table, rows)
    with pq.ParquetWriter(dest, data.schema, **WRITER_OPTIONS) as writer:
        writer.write_table(data, row_group_size=ROW_GROUP_SIZE)

