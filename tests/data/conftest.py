"""Fixtures of the data tests: a package copy wrapped for editing, a copy of the sources, and one
release build shared by every release test that only reads it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.data.corpus import Copy
from tests.data.release_support import Build, make_build


@pytest.fixture()
def pkg(package_copy: Path) -> Copy:
    return Copy(package_copy)


@pytest.fixture()
def sources_copy(sources: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "sources"
    shutil.copytree(sources, dest)
    return dest


@pytest.fixture(scope="session")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The package released twice (two dist folders) against an older version: built once per
    session, since the bundle, portal and version tests only read it. Do not write into it."""
    return make_build(tmp_path_factory.mktemp("release"))
