"""Load the data package: the one reader of ``datapackage.json`` and the schema files it names.

The Table Schemas are read into the spec by :mod:`scripts.model.spec` (types, constraints, keys);
this module finds them, builds the :class:`Package`, and confines every resource path to the
package: a path that is absolute, climbs with ``..``, is a URL or is a symlink leading outside is
refused and its file never opened. A pattern the linear-time engine cannot run is refused here,
before any cell meets it. It also keeps the small CSV helpers (raw rows, primary-key order,
canonical text) that the workbook and release modules use. Only the standard library is imported
at module level, so that commands start fast.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scripts.files import FileTooLarge, UnsafeName, checked_name, read_regular, regular_file, resolved
from scripts.model import patterns, shapes
from scripts.model.limits import CELL_CHARS as MAX_CELL_CHARS
from scripts.model.limits import JSON_MAX_BYTES as MAX_JSON_BYTES
from scripts.model.limits import JSON_MAX_DEPTH as MAX_JSON_DEPTH
from scripts.model.names import DESCRIPTOR
from scripts.model.spec import Field, Table, make_table

__all__ = ["DESCRIPTOR", "MAX_CELL_CHARS", "CellTooLong", "Field", "Package", "PackageError", "Table",
           "confinement_problem", "csv_dict_reader", "csv_reader", "csv_text", "load_package", "parse_json",
           "read_descriptor", "read_json", "read_rows", "sort_key"]


def csv_reader(source: Iterable[str]) -> Iterator[list[str]]:
    """A csv-module reader that stops at a cell over the cell cap (Excel's cell limit, so every
    cell can be edited in the workbook and written back unchanged); validation refuses a longer
    cell (``cell-too-long``). Every reader of the package's CSV text starts here.

    Why the limit is set again at each read: it is process-wide, and frictionless sets it to 2 GiB
    when its CSV parser loads (validate asks frictionless in process on a second validation), after
    which a reader relying on the value set at import let any cell through."""
    csv.field_size_limit(MAX_CELL_CHARS)
    return csv.reader(source)


def csv_dict_reader(source: Iterable[str]) -> csv.DictReader:
    """As csv_reader, keyed by the header."""
    csv.field_size_limit(MAX_CELL_CHARS)
    return csv.DictReader(source)


class PackageError(Exception):
    """The package could not be read at all (missing or unparsable descriptor or schema)."""


class CellTooLong(PackageError):
    """A CSV cell longer than MAX_CELL_CHARS (validate names it as ``cell-too-long``)."""


@dataclass
class Package:
    """The data package as read from disk: its descriptor and its tables, in descriptor order.

    ``refused`` maps a resource name to why its path was refused (see :func:`confinement_problem`);
    such a table keeps its schema but its file must not be read or written.
    """

    root: Path
    descriptor: dict[str, Any]
    tables: dict[str, Table] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)

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


def read_json(path: Path) -> dict[str, Any]:
    """The JSON object in the package file ``path``: the one reader of the descriptor and schemas.
    Raises PackageError naming the file when it cannot be read or parsed, is not an object, or
    breaks the bounds of :func:`parse_json`."""
    try:
        data = read_regular(path, MAX_JSON_BYTES)
    except FileNotFoundError:
        raise PackageError(f"{path}: file not found") from None
    except FileTooLarge as exc:
        raise PackageError(f"{exc} (a JSON file of the package)") from None
    except OSError as exc:
        raise PackageError(f"{path}: cannot be read ({exc})") from None
    return parse_json(data, str(path))


def parse_json(data: bytes | str, label: str) -> dict[str, Any]:
    """JSON text from the package (a file, or a descriptor git shows) as an object, within bounds:
    at most MAX_JSON_BYTES and MAX_JSON_DEPTH levels of nesting, so that a hostile descriptor (200,000
    nested arrays, or gigabytes) is one line, not a RecursionError or a full memory."""
    if len(data) > MAX_JSON_BYTES:
        raise PackageError(f"{label}: {len(data):,} bytes; more than {MAX_JSON_BYTES:,} is refused")
    try:
        parsed = json.loads(data.decode("utf-8") if isinstance(data, bytes) else data)
    except RecursionError:
        parsed = None  # nested past the interpreter's limit, far past ours: said below
    except UnicodeDecodeError as exc:
        raise PackageError(f"{label}: cannot be read ({exc})") from None
    except json.JSONDecodeError as exc:
        raise PackageError(f"{label}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    if parsed is None or _depth(parsed) > MAX_JSON_DEPTH:
        raise PackageError(f"{label}: nested more than {MAX_JSON_DEPTH} levels deep; refused")
    if not isinstance(parsed, dict):
        raise PackageError(f"{label}: expected a JSON object")
    _refuse_surrogates(parsed, label)
    return parsed


def _refuse_surrogates(parsed: dict[str, Any], label: str) -> None:
    """Refuse a string escape that is no character (a lone surrogate such as ``\\ud800``): it
    parses as text but cannot be written to any UTF-8 file, report or terminal."""
    try:
        json.dumps(parsed, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise PackageError(f"{label}: holds the escape \\u{ord(exc.object[exc.start]):04x}, half of a surrogate "
                           "pair, which is not a character") from None


def _depth(value: Any) -> int:
    """How deeply arrays and objects nest in ``value`` (walked without recursion)."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, level = pending.pop()
        if isinstance(item, dict | list):
            if level > MAX_JSON_DEPTH:
                return level
            deepest = max(deepest, level)
            pending.extend((child, level + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def confinement_problem(root: Path, relative: Any) -> str | None:
    """Why ``relative`` may not be used as a path inside the package at ``root`` (None: it may)."""
    problem = _path_syntax_problem(relative)
    if problem:
        return problem
    try:
        resolved(root / relative).relative_to(resolved(root))
    except ValueError:
        return f"its path {relative!r} is a symbolic link leading outside the package"
    except OSError as exc:
        return f"its path {relative!r} cannot be resolved ({exc.strerror})"
    return None


def _path_syntax_problem(relative: Any) -> str | None:
    """What is wrong with the path as written: not text, a URL, absolute, or climbing with '..'."""
    if not isinstance(relative, str) or not relative:
        return "its path is not a relative file path"
    if "://" in relative or relative.startswith(("http:", "https:", "ftp:", "file:", "data:")):
        return f"its path {relative!r} is a URL; the package reads local files only"
    drive = len(relative) > 1 and relative[1] == ":"
    if relative.startswith(("/", "\\")) or drive or Path(relative).is_absolute():
        return f"its path {relative!r} is absolute; give a path relative to the package folder"
    if ".." in relative.replace("\\", "/").split("/"):
        return f"its path {relative!r} climbs out with '..'; keep files inside the package folder"
    return None


def _schema_of(root: Path, name: str, resource: dict[str, Any]) -> tuple[dict[str, Any], Path]:
    reference = resource["schema"]
    if isinstance(reference, dict):
        return reference, root / DESCRIPTOR
    problem = confinement_problem(root, reference)
    if problem:
        raise PackageError(f"{DESCRIPTOR}: resource {name!r}: schema: {problem}")
    return read_json(root / reference), root / reference


def _table(root: Path, resource: dict[str, Any]) -> tuple[Table, str | None]:
    name = resource.get("name") if isinstance(resource, dict) else None
    if not name or "path" not in resource or "schema" not in resource:
        raise PackageError(f"{DESCRIPTOR}: resource {name!r} needs name, path and schema")
    schema, schema_path = _schema_of(root, name, resource)
    shape = shapes.schema_problem(schema)
    if shape:
        raise PackageError(f"{schema_path}: resource {name!r}: not a valid Table Schema ({shape})")
    problem = confinement_problem(root, resource["path"])
    path = root / (resource["path"] if problem is None else f".refused/{name}.csv")
    try:
        table = make_table(name, schema, path, schema_path, resource.get("title", name),
                           resource.get("description", ""))
    except (KeyError, TypeError, AttributeError, re.error) as exc:  # a schema of the wrong shape
        why = _shape_problem(exc)
        raise PackageError(f"{schema_path}: resource {name!r}: not a valid Table Schema ({why})") from None
    return table, problem


def _shape_problem(exc: Exception) -> str:
    """What is wrong with a schema that the interpreter could not read, in plain words."""
    if isinstance(exc, KeyError):
        return f"a field or foreign key lacks {exc.args[0]!r}"
    if isinstance(exc, re.error):
        return f"a pattern is not a valid regular expression: {exc}"
    return f"an entry has the wrong kind of value: {exc}"


def read_descriptor(root: Path) -> dict[str, Any]:
    """``datapackage.json`` under ``root`` as JSON, with resources listed and every value a command
    reads of the right JSON type (PackageError naming the first that is not)."""
    descriptor = read_json(root / DESCRIPTOR)
    resources = descriptor.get("resources")
    if not isinstance(resources, list) or not resources:
        raise PackageError(f"{root / DESCRIPTOR}: no resources listed")
    shape = shapes.descriptor_problem(descriptor)
    if shape:
        raise PackageError(f"{root / DESCRIPTOR}: {shape}")
    return descriptor


def load_package(root: str | os.PathLike[str] = ".", *, confine: bool = True) -> Package:
    """Read ``datapackage.json`` under ``root`` and every schema it names.

    Raises :class:`PackageError` naming the file when anything cannot be read or a descriptor or
    schema value has the wrong JSON type. A resource path that leaves the package, or a package or
    resource name that cannot name a file, raises too, unless ``confine`` is False (validate): then
    the table is listed in ``Package.refused``, its ``path`` points nowhere real, and the name is
    left to the ``descriptor-name`` rule. The CSV
    files are not opened here, so a broken table is reported by validation, not by loading; but
    with ``confine`` a table file that is a FIFO, socket, device or folder raises NotRegularFile
    now, before any writer opens (and blocks on) it.
    """
    root = Path(root)
    descriptor = read_descriptor(root)
    package = Package(root=root, descriptor=descriptor)
    for resource in descriptor["resources"]:
        table, problem = _table(root, resource)
        if problem is None and confine:  # validate reports a special file itself, as a problem
            with suppress(FileNotFoundError):
                regular_file(table.path)
        if problem is not None:
            if confine:
                raise PackageError(f"{DESCRIPTOR}: resource {table.name!r}: {problem}")
            package.refused[table.name] = problem
        package.tables[table.name] = table
    if confine:
        _refuse_unsafe_names(package)
    return package


def _refuse_unsafe_names(package: Package) -> None:
    """The package's and each resource's name become file and sheet names (``dist/<name>.xlsx``,
    ``<table>.csv``, the workbook's sheets): a command that writes refuses, before anything else,
    one that :func:`scripts.files.checked_name` would refuse when it names its file; validate
    (``confine=False``) reports it as ``descriptor-name`` instead."""
    try:
        checked_name(package.descriptor.get("name"), f"{DESCRIPTOR}: name")
        for name in package.tables:
            checked_name(name, f"{DESCRIPTOR}: resource name")
    except UnsafeName as exc:
        raise PackageError(str(exc)) from None


def check_patterns(package: Package) -> None:
    """Refuse (PackageError naming the schema and field) a pattern the linear-time engine cannot
    run, before any cell meets it. Called by validate and import, not by loading: it starts
    polars, which a process that forks must not have done yet."""
    for table in package.tables.values():
        for fld in table.fields:
            slow = patterns.engine_problem(fld.pattern) if isinstance(fld.pattern, str) else None
            if slow:
                raise PackageError(f"{table.schema_path}: field {fld.name!r}: {slow}; write it without "
                                   "look-around or back-references")


def read_rows(table: Table) -> list[dict[str, str]]:
    """Read a table's CSV as raw strings keyed by header (no casting, no cleaning). Raises
    CellTooLong at a cell over MAX_CELL_CHARS, and PackageError naming a file that is not UTF-8
    (the writers that read rows before validating must not fail on a stranger's bytes)."""
    with table.path.open(encoding="utf-8", newline="") as handle:
        reader = csv_dict_reader(handle)
        try:
            return list(reader)
        except csv.Error as exc:
            raise CellTooLong(f"{table.path}: line {reader.reader.line_num}: {exc} (a cell holds at most "
                              f"{MAX_CELL_CHARS:,} characters); run validate to see the cell") from None
        except UnicodeDecodeError as exc:
            raise PackageError(f"{table.path.name}: not UTF-8 text ({exc.reason}); run python -m scripts validate "
                               "to find the row") from None


def sort_key(table: Table):
    """Key function ordering raw rows by primary key, as the CSVs are stored."""
    names = table.sort_names()

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

