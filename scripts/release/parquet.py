"""One Parquet file per table, typed by the Table Schema interpreter.

Column types come from :mod:`scripts.model.backends.arrow` (text and reduced-precision dates
stay strings; integers int64, numbers float64, booleans bool) and values from
:func:`scripts.model.cells.read_cell`, so a Parquet column holds exactly what the CSV means. After
the table's own columns come the derived columns of its reduced-precision dates
(:mod:`scripts.model.derived`: ``*_precision`` as text, ``*_earliest`` and ``*_latest`` as Parquet
dates), which the CSV does not have. Files are
byte-reproducible: rows in primary-key order, fixed writer options (format version, compression
and level, one row group, no page index, no statistics that depend on chunking) and no clock; the
only library-dependent bytes are the ``created_by`` string, fixed by the pinned pyarrow version.

The Parquet files have their own descriptor, ``dist/datapackage.json`` (:func:`parquet_descriptor`):
a Frictionless v2 Data Package whose resources are the Parquet files (``format: parquet``), each
with its Table Schema and the derived columns' fields, so frictionless reads and validates the
Parquet files as it does the CSVs in the zip.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scripts.model import cells, derived
from scripts.model.backends.arrow import arrow_schema, arrow_type
from scripts.model.meta import media_type
from scripts.model.package import Package, Table, read_json, sort_key

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
# The descriptor's package-level keys the Parquet descriptor repeats (release settings stay out).
PACKAGE_KEYS = ("$schema", "name", "id", "title", "description", "version", "created", "homepage", "licenses",
                "contributors", "keywords", "sources")


def arrow_table(table: Table, rows: list[dict[str, str]]):  # -> pyarrow.Table
    """The table as a typed Arrow table, rows in primary-key order, its derived date columns last."""
    import pyarrow as pa

    ordered = sorted(rows, key=sort_key(table))
    schema = arrow_schema(table)
    columns = [pa.array([cells.read_cell(fld, row.get(fld.name)) for row in ordered], type=arrow_type(fld))
               for fld in table.fields]
    extra = derived.derived_frame(table, ordered)
    for name in extra.columns:
        kind = pa.string() if name.endswith(derived.PRECISION) else pa.date32()
        columns.append(extra[name].to_arrow().cast(kind))
        schema = schema.append(pa.field(name, kind, nullable=True))
    return pa.Table.from_arrays(columns, schema=schema)


def write_parquet(table: Table, rows: list[dict[str, str]], dest: Path) -> None:
    """Write ``table`` to ``dest`` with the fixed writer options."""
    import pyarrow.parquet as pq

    data = arrow_table(table, rows)
    with pq.ParquetWriter(dest, data.schema, **WRITER_OPTIONS) as writer:
        writer.write_table(data, row_group_size=ROW_GROUP_SIZE)



def parquet_descriptor(package: Package) -> dict[str, Any]:
    """The Data Package of the Parquet files: the package's metadata, and one resource per table
    (``<table>.parquet``, ``format: parquet``) with its Table Schema inline plus the fields of its
    derived date columns (``type: date`` for the days, which Parquet stores as dates)."""
    top = {key: package.descriptor[key] for key in PACKAGE_KEYS if key in package.descriptor}
    resources = []
    for table in package.tables.values():
        schema = read_json(table.schema_path)
        schema["fields"] = [*schema["fields"], *derived.derived_descriptors(table)]
        name = f"{table.name}.parquet"
        resources.append({"name": table.name, "type": "table", "path": name, "format": "parquet",
                          "mediatype": media_type(name), "title": table.title,
                          "description": table.description, "schema": schema})
    return {**top, "resources": resources}
