"""Shared fixtures: the real package, a disposable copy of it, and the source texts."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from scripts.model.package import Package, load_package
from tests.real_tools import (  # noqa: F401 (hooks: marked tests never skip silently)
    pytest_collection_modifyitems,
    pytest_runtest_makereport,
    pytest_terminal_summary,
)

pytest_plugins = ["tests.mutation.order"]  # under mutmut: a mutant's tests fastest first

ROOT = Path(__file__).resolve().parent.parent
SOURCES_ENV = "CAC_SOURCES"


def sources_dir() -> Path | None:
    """The source texts: $CAC_SOURCES, else ../shared/sources beside the checkout, else None."""
    candidate = Path(os.environ.get(SOURCES_ENV, ROOT.parent / "shared" / "sources"))
    return candidate if candidate.is_dir() else None


@pytest.fixture(scope="session")
def package() -> Package:
    return load_package(ROOT)


@pytest.fixture(scope="session")
def sources() -> Path:
    found = sources_dir()
    if found is None:
        pytest.skip(f"source texts not found: set {SOURCES_ENV}=/path/to/shared/sources "
                    "or check out the repository beside shared/")
    return found


@pytest.fixture()
def package_copy(tmp_path: Path) -> Path:
    """A writable copy of the package (descriptor, schemas, tables) to break or edit."""
    dest = tmp_path / "pkg"
    dest.mkdir()
    shutil.copy2(ROOT / "datapackage.json", dest / "datapackage.json")
    shutil.copytree(ROOT / "schemas", dest / "schemas")
    shutil.copytree(ROOT / "tables", dest / "tables")
    return dest


@pytest.fixture(scope="session")
def forks():
    """One warm process that forks a child per fault-injection run (tests/faults/forks.py)."""
    from tests.faults.forks import Forks

    server = Forks()
    yield server
    server.close()



def pytest_make_parametrize_id(config: pytest.Config, val: object, argname: str) -> str | None:
    """Plain test ids: a parameter's control, invisible, non-ASCII or backslash characters are
    written U+XXXX. Why: mutmut runs a mutant's tests by id in a forked worker, and ids holding
    escapes were not found there (the mutant then ended "not run", exit 255, never judged)."""
    if isinstance(val, bytes):
        val = val.decode("latin-1")
    if isinstance(val, str) and not all(c.isascii() and c.isprintable() and c != "\\" for c in val):
        return "".join(c if c.isascii() and c.isprintable() and c != "\\" else f"U+{ord(c):04X}" for c in val)
    return None
