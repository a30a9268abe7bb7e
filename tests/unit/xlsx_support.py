"""Shared steps of the workbook tests: a package copy, its export, an edit through openpyxl, a
LibreOffice re-save, and the exact cell changes an import made to the tables."""

from __future__ import annotations

import csv
import hashlib
import shutil
import subprocess
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import openpyxl

from scripts.model.package import load_package
from scripts.xlsx.write.export import export_workbook

ROOT = Path(__file__).resolve().parents[2]


def copy_package(dest: Path) -> Path:
    """A writable copy of the real package (descriptor, schemas, tables)."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "datapackage.json", dest / "datapackage.json")
    shutil.copytree(ROOT / "schemas", dest / "schemas")
    shutil.copytree(ROOT / "tables", dest / "tables")
    return dest


def export(package_root: Path, dest: Path) -> Path:
    return export_workbook(load_package(package_root), dest)


def edit(source: Path, dest: Path, change: Callable[[Any], None]) -> Path:
    """Open ``source`` in openpyxl, apply ``change`` to the workbook, save it as ``dest``."""
    wb = openpyxl.load_workbook(source)
    change(wb)
    wb.save(dest)
    return dest


def resave(paths: Iterable[Path], outdir: Path) -> dict[Path, Path]:
    """Each workbook opened and saved again by LibreOffice headless (one process for all)."""
    paths = list(paths)
    outdir.mkdir(parents=True, exist_ok=True)
    profile = outdir / "profile"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "xlsx",
                    "--outdir", str(outdir), *map(str, paths)], check=True, capture_output=True, timeout=300)
    return {p: outdir / p.name for p in paths}


def checksums(package_root: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted((package_root / "tables").glob("*"))}


def read_table(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def cell_changes(before: Path, after: Path) -> list[tuple[str, int, str, str, str]]:
    """(table file, data row, field, old, new) for every cell that differs between two packages'
    tables of the same shape; a row added or removed shows as a change of every cell."""
    changes = []
    for old_path in sorted((before / "tables").glob("*.csv")):
        header, old_rows = read_table(old_path)
        _, new_rows = read_table(after / "tables" / old_path.name)
        for number in range(max(len(old_rows), len(new_rows))):
            old = old_rows[number] if number < len(old_rows) else [""] * len(header)
            new = new_rows[number] if number < len(new_rows) else [""] * len(header)
            changes.extend((old_path.name, number + 2, name, a, b)
                           for name, a, b in zip(header, old, new, strict=True) if a != b)
    return changes


def column_of(ws: Any, name: str) -> int:
    """The 1-based column of a header name on a sheet."""
    for cell in ws[1]:
        if cell.value == name:
            return cell.column
    raise KeyError(name)


def row_of(ws: Any, key: str) -> int:
    """The sheet row whose first column holds ``key``."""
    for row in ws.iter_rows(min_row=2, max_col=1):
        if row[0].value == key:
            return row[0].row
    raise KeyError(key)
