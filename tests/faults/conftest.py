"""Fixtures of the end-to-end fault tests: a pristine package copy and its export made once per
session (read only), and a fresh writable copy per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.data.release_support import copy_release_inputs
from tests.unit.xlsx_support import export


@pytest.fixture(scope="session")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What a release reads (tables, schemas, README, ...), copied once; no test writes here."""
    return copy_release_inputs(tmp_path_factory.mktemp("faults") / "pkg")


@pytest.fixture(scope="session")
def exported(pristine: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The pristine package's workbook (its fingerprint is that of the pristine tables)."""
    return export(pristine, tmp_path_factory.mktemp("export") / "package.xlsx")


@pytest.fixture()
def pkg(pristine: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "pkg"
    shutil.copytree(pristine, dest)
    return dest
