"""Load the data package: the one reader of ``datapackage.json``, ``schemas/`` and ``tables/``.

Everything else (frictionless and pandera validation, the workbook, SQLite, docs) is derived
from the :class:`Package` this module returns, so a constraint is written once, in a Table Schema.
Only the standard library is imported here, so that commands start fast.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DESCRIPTOR = "datapackage.json"
KEY_SEPARATOR = "/"


class PackageError(Exception):
    """The package could not be read at all (missing or unparsable descriptor or schema)."""


@dataclass(frozen=True)
class Field:
    """One field of a Table Schema, with its constraints unpacked for easy use."""

    name: str
    type: str
    title: str
    description: str
    descriptor: dict[str, Any]

    @property
    def constraints(self) -> dict[str, Any]:
        return self.descriptor.get("constraints", {})

    @property
    def required(self) -> bool:
        return bool(self.constraints.get("required"))

    @property
    def unique(self) -> bool:
        return bool(self.constraints.get("unique"))

    @property
    def enum(self) -> list[Any] | None:
        return self.constraints.get("enum")

    @property
    def pattern(self) -> str | None:
        return self.constraints.get("pattern")

    @property
    def minimum(self) -> float | None:
        return self.constraints.get("minimum")

    @property
    def maximum(self) -> float | None:
        return self.constraints.get("maximum")

    @property
    def min_length(self) -> int | None:
        return self.constraints.get("minLength")

    @property
    def max_length(self) -> int | None:
        return self.constraints.get("maxLength")

    @property
    def categories(self) -> dict[str, str]:
        """Enum value -> label, from the Table Schema v2 ``categories`` property."""
        out: dict[str, str] = {}
        for item in self.descriptor.get("categories", []):
            if isinstance(item, dict):
                out[str(item["value"])] = str(item.get("label", ""))
            else:
                out[str(item)] = ""
        return out

    @property
    def true_values(self) -> list[str]:
        return self.descriptor.get("trueValues", ["true"])

    @property
    def false_values(self) -> list[str]:
        return self.descriptor.get("falseValues", ["false"])


@dataclass(frozen=True)
class ForeignKey:
    """A foreign key: ``fields`` of this table reference ``ref_fields`` of ``resource``."""

    fields: tuple[str, ...]
    resource: str
    ref_fields: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A tabular resource of the package with its schema."""

    name: str
    title: str
    description: str
    path: Path
    schema_path: Path
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...]
    missing_values: tuple[str, ...] = ("",)

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.name} has no field {name!r}")

    def record_key(self, row: dict[str, Any]) -> str:
        """The primary key of ``row`` as one string (values joined by '/'), as citations write it."""
        return KEY_SEPARATOR.join(str(row[k]) for k in self.primary_key)


@dataclass
class Package:
    """The data package as read from disk: its descriptor and its tables, in descriptor order."""

    root: Path
    descriptor: dict[str, Any]
    tables: dict[str, Table] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.descriptor["name"]

    @property
    def version(self) -> str:
        return self.descriptor["version"]

    @property
    def title(self) -> str:
        return self.descriptor.get("title", self.name)

    def table(self, name: str) -> Table:
        try:
            return self.tables[name]
        except KeyError:
            raise PackageError(f"{DESCRIPTOR}: no resource named {name!r}") from None


def _read_json(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PackageError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PackageError(f"{path}: cannot be read ({exc})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PackageError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    if not isinstance(data, dict):
        raise PackageError(f"{path}: expected a JSON object")
    return data


def _table(root: Path, resource: dict[str, Any]) -> Table:
    name = resource.get("name")
    if not name or "path" not in resource or "schema" not in resource:
        raise PackageError(f"{DESCRIPTOR}: resource {name!r} needs name, path and schema")
    schema_ref = resource["schema"]
    schema_path = root / schema_ref if isinstance(schema_ref, str) else root / DESCRIPTOR
    schema = _read_json(schema_path) if isinstance(schema_ref, str) else schema_ref
    fields = tuple(
        Field(f["name"], f.get("type", "string"), f.get("title", f["name"]), f.get("description", ""), f)
        for f in schema.get("fields", [])
    )
    pk = schema.get("primaryKey", [])
    fks = tuple(
        ForeignKey(tuple(_as_list(fk["fields"])), fk["reference"].get("resource") or name,
                   tuple(_as_list(fk["reference"]["fields"])))
        for fk in schema.get("foreignKeys", [])
    )
    return Table(
        name=name,
        title=resource.get("title", name),
        description=resource.get("description", ""),
        path=root / resource["path"],
        schema_path=schema_path,
        fields=fields,
        primary_key=tuple(_as_list(pk)),
        foreign_keys=fks,
        missing_values=tuple(schema.get("missingValues", [""])),
    )


def _as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def load_package(root: str | os.PathLike[str] = ".") -> Package:
    """Read ``datapackage.json`` under ``root`` and every schema it names.

    Raises :class:`PackageError` naming the file when anything cannot be read; the CSV files are
    not opened here, so a broken table is reported by validation, not by loading.
    """
    root = Path(root)
    descriptor = _read_json(root / DESCRIPTOR)
    resources = descriptor.get("resources")
    if not isinstance(resources, list) or not resources:
        raise PackageError(f"{root / DESCRIPTOR}: no resources listed")
    package = Package(root=root, descriptor=descriptor)
    for resource in resources:
        table = _table(root, resource)
        package.tables[table.name] = table
    return package


def read_rows(table: Table) -> list[dict[str, str]]:
    """Read a table's CSV as raw strings keyed by header (no casting, no cleaning)."""
    with table.path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def parse_value(fld: Field, text: str | None) -> Any:
    """Cast one CSV cell to the Python value its Table Schema type says (None for missing).

    Raises ValueError when the text is not of the field's type.
    """
    if text is None or text == "":
        return None
    if fld.type == "integer":
        return int(text)
    if fld.type == "number":
        return float(text)
    if fld.type == "boolean":
        if text in fld.true_values:
            return True
        if text in fld.false_values:
            return False
        raise ValueError(f"{text!r} is not one of {fld.true_values + fld.false_values}")
    return text


def format_value(fld: Field, value: Any) -> str:
    """Write a Python value as its CSV text: the inverse of :func:`parse_value`."""
    if value is None:
        return ""
    if fld.type == "boolean":
        return fld.true_values[0] if value else fld.false_values[0]
    if fld.type == "number":
        number = float(value)
        return str(int(number)) if number.is_integer() else repr(number)
    if fld.type == "integer":
        return str(int(value))
    return str(value)


def sort_key(table: Table):
    """Key function ordering raw rows by primary key, as the CSVs are stored."""
    names = table.primary_key or tuple(table.field_names)

    def key(row: dict[str, str]) -> tuple[str, ...]:
        return tuple(row.get(n) or "" for n in names)

    return key


def csv_text(table: Table, rows: list[dict[str, str]]) -> str:
    """Render raw rows as the package's CSV text: header, rows sorted by primary key, LF endings."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.field_names)
    for row in sorted(rows, key=sort_key(table)):
        writer.writerow([row.get(name) or "" for name in table.field_names])
    return buffer.getvalue()


def atomic_write(path: Path, data: bytes | str) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename, so that no reader ever
    sees a half-written file and a failure leaves the old file in place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes the file private; give it the usual mode
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    """The process umask (reading it means setting it, so set it straight back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask
