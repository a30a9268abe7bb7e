"""Arrow: the Parquet column types of a table. Reduced-precision dates stay text, so '2024' never
turns into 2024-01-01."""

from __future__ import annotations

from typing import Any

from scripts.model.spec import Field, Table


def arrow_type(fld: Field) -> Any:
    import pyarrow as pa

    return {"integer": pa.int64(), "number": pa.float64(), "boolean": pa.bool_()}.get(fld.kind, pa.string())


def arrow_schema(table: Table) -> Any:
    import pyarrow as pa

    fields = [pa.field(f.name, arrow_type(f), nullable=not f.required) for f in table.fields]
    return pa.schema(fields).with_metadata({"title": table.title, "description": table.description})
