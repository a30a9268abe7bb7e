"""REUSE compliance: every file carries a licence (code MIT, data CC BY 4.0) through REUSE.toml,
checked with the real `reuse` tool on the repository and on a copy with files added later."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _reuse(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "reuse", "--root", str(root), *args],
                          capture_output=True, text=True, timeout=120, check=False)


def _project_files() -> list[str]:
    """What reuse sees in the checkout: tracked files plus new files not ignored by .gitignore."""
    done = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
                          cwd=ROOT, capture_output=True, text=True, check=True)
    return sorted(p for p in done.stdout.split("\0") if p and (ROOT / p).is_file())


@pytest.fixture()
def project_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "repo"
    for rel in _project_files():
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, dest / rel)
    return dest


def _licences(root: Path) -> dict[str, str]:
    """File -> licence, from reuse's own SPDX report."""
    report = _reuse(root, "spdx").stdout
    out, name = {}, None
    for line in report.splitlines():
        if line.startswith("FileName: "):
            name = line.removeprefix("FileName: ./")
        elif line.startswith("LicenseInfoInFile: ") and name:
            out[name] = line.removeprefix("LicenseInfoInFile: ")
    return out


def test_repository_is_reuse_compliant() -> None:
    done = _reuse(ROOT, "lint")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "compliant with version 3.3 of the REUSE Specification" in done.stdout


def test_code_is_mit_and_data_is_cc_by(project_copy: Path) -> None:
    licences = _licences(project_copy)
    assert licences["scripts/model/package.py"] == "MIT"
    assert licences["Makefile"] == "MIT"
    assert licences["pyproject.toml"] == "MIT"
    assert licences["datapackage.json"] == "CC-BY-4.0"
    assert licences["CITATION.cff"] == "CC-BY-4.0"
    assert licences["provenance.lock"] == "CC-BY-4.0"  # data: what the sources prove of the tables
    assert {v for k, v in licences.items() if k.startswith(("tables/", "schemas/"))} == {"CC-BY-4.0"}
    assert (project_copy / "LICENSES" / "MIT.txt").read_text(encoding="utf-8").startswith("MIT License")
    assert "Attribution 4.0 International" in (project_copy / "LICENSES" / "CC-BY-4.0.txt").read_text("utf-8")


def test_files_added_later_stay_covered(project_copy: Path) -> None:
    (project_copy / "tables" / "new_table.csv").write_text("a\n1\n", encoding="utf-8")
    (project_copy / "scripts" / "newpkg").mkdir()
    (project_copy / "scripts" / "newpkg" / "mod.py").write_text("X = 1\n", encoding="utf-8")
    (project_copy / ".zenodo.json").write_text("{}\n", encoding="utf-8")
    done = _reuse(project_copy, "lint")
    assert done.returncode == 0, done.stdout
    licences = _licences(project_copy)
    assert licences["tables/new_table.csv"] == "CC-BY-4.0"
    assert licences["scripts/newpkg/mod.py"] == "MIT"
    assert licences[".zenodo.json"] == "CC-BY-4.0"


def test_lint_fails_without_the_annotations(project_copy: Path) -> None:
    (project_copy / "REUSE.toml").unlink()
    done = _reuse(project_copy, "lint")
    assert done.returncode == 1
    assert "datapackage.json" in done.stdout
