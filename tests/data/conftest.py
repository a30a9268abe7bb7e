"""Fixtures of the data tests: a package copy wrapped for editing, and a copy of the sources."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.data.corpus import Copy


@pytest.fixture()
def pkg(package_copy: Path) -> Copy:
    return Copy(package_copy)


@pytest.fixture()
def sources_copy(sources: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "sources"
    shutil.copytree(sources, dest)
    return dest
