"""scripts/xlsx/: reading and writing stand apart; both speak only ooxml.py and state.py."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

XLSX = Path(__file__).resolve().parents[2] / "scripts" / "xlsx"


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, absolute, at any depth (lazy imports included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize(("side", "other"), [("read", "write"), ("write", "read")])
def test_a_side_never_imports_the_other(side: str, other: str) -> None:
    assert len(list((XLSX / side).glob("*.py"))) > 5
    crossing = {f"{path.name}: {name}" for path in (XLSX / side).glob("*.py") for name in _imports(path)
                if name.startswith(f"scripts.xlsx.{other}")}
    assert crossing == set()


def test_shared_modules_import_neither_side() -> None:
    for name in ("ooxml.py", "state.py"):
        assert not {m for m in _imports(XLSX / name) if m.startswith(("scripts.xlsx.read", "scripts.xlsx.write"))}


def test_no_module_over_500_lines() -> None:
    sizes = {p.relative_to(XLSX).as_posix(): len(p.read_text(encoding="utf-8").splitlines())
             for p in XLSX.rglob("*.py")}
    assert {name: n for name, n in sizes.items() if n > 500} == {}
