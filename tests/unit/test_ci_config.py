"""CI as configured: the workflow validates in the lock mode with annotations and SARIF, and the
pre-commit hook runs exactly when the package's own files change."""

from __future__ import annotations

import re

import yaml

from tests.conftest import ROOT


def steps() -> list[dict]:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "validate.yml").read_text(encoding="utf-8"))
    (job,) = workflow["jobs"].values()
    assert job["permissions"]["security-events"] == "write"
    return job["steps"]


def test_the_workflow_checks_provenance_against_the_lock_and_annotates() -> None:
    runs = [step.get("run", "") for step in steps()]
    assert not any("--no-provenance" in run for run in runs)  # provenance is never skipped
    assert ".venv/bin/python -m scripts validate --format github" in runs
    assert any("--format sarif --output validation.sarif" in run for run in runs)
    assert "make test PYTHON=python" in runs
    uploads = [step for step in steps() if step.get("uses", "").startswith("github/codeql-action/upload-sarif@")]
    assert [step["with"]["sarif_file"] for step in uploads] == ["validation.sarif"]


def test_the_hook_runs_validate_when_the_package_changes() -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert (hook["id"], hook["entry"], hook["language"], hook["pass_filenames"]) == (
        "validate-package", "python -m scripts validate", "system", False)
    files = re.compile(hook["files"])
    for path in ("tables/meetings.csv", "schemas/meetings.json", "datapackage.json", "provenance.lock"):
        assert files.search(path), path
    for path in ("scripts/cli.py", "README.md", "tests/fixtures/x.csv", "tables/sub/x.csv", "docs/erd.svg"):
        assert not files.search(path), path
