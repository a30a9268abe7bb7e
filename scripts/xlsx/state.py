"""The export state: the hidden sheet by which a workbook says which tables it was made from.

The writer records the tables' fingerprint there and the importer compares it with the tables it
would replace; the sheet's name, its label and the fingerprint live here, once, so that neither
side imports the other.
"""

from __future__ import annotations

from scripts.files import tables_fingerprint
from scripts.model.package import Package

STATE_SHEET = "export_state"
FINGERPRINT_LABEL = "fingerprint"


def fingerprint(package: Package) -> str:
    """The fingerprint of the package's tables (files named relative to the package root)."""
    paths = [table.path.relative_to(package.root).as_posix() for table in package.tables.values()]
    return tables_fingerprint(package.root, paths)
