"""Before the push: the pre-commit hook, installed from the README's snippet in a temporary clone
without the source texts, refuses a commit that changes a cited value and lets a good one through.
pre-commit itself runs (it is pinned in requirements-dev.txt), offline: the hook repository is the
clone, at its own commit."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT

pytest.importorskip("pre_commit", reason="pre-commit is pinned in requirements-dev.txt")

PACKAGE = ["datapackage.json", "provenance.lock", ".pre-commit-hooks.yaml", "schemas", "tables", "scripts"]


def snippet() -> dict:
    """The .pre-commit-config.yaml the README's Contributing section asks contributors to write."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"put this in `\.pre-commit-config\.yaml`.*?```yaml\n(.*?)```", readme, re.S)
    assert found, "README: Contributing has no .pre-commit-config.yaml snippet"
    return yaml.safe_load(textwrap.dedent(found.group(1)))


def git(repo: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture()
def clone(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A git repository with the package, its validator and the hook installed by pre-commit, as a
    contributor's clone (no ../shared/sources beside it), and the environment commits run in."""
    repo = tmp_path / "fork"
    repo.mkdir()
    for name in PACKAGE:
        source, dest = ROOT / name, repo / name
        if source.is_dir():
            shutil.copytree(source, dest, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, dest)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("GIT_", "PRE_COMMIT"))}
    env.pop("CAC_SOURCES", None)
    env.update(HOME=str(tmp_path / "home"), GIT_CONFIG_NOSYSTEM="1", PRE_COMMIT_HOME=str(tmp_path / "cache"),
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",  # the active .venv
               GIT_AUTHOR_NAME="Contributor", GIT_AUTHOR_EMAIL="c@example.org",
               GIT_COMMITTER_NAME="Contributor", GIT_COMMITTER_EMAIL="c@example.org")
    (tmp_path / "home").mkdir()
    assert git(repo, env, "init", "-q", "-b", "main").returncode == 0
    assert git(repo, env, "add", ".").returncode == 0
    assert git(repo, env, "commit", "-q", "-m", "the package").returncode == 0
    config = snippet()
    assert config["repos"][0]["hooks"] == [{"id": "validate-package"}]
    config["repos"][0]["repo"] = str(repo)  # offline: the hook's definition from this very clone
    config["repos"][0]["rev"] = git(repo, env, "rev-parse", "HEAD").stdout.strip()
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=repo, env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return repo, env


def test_a_commit_changing_a_cited_value_is_refused(clone: tuple[Path, dict[str, str]]) -> None:
    repo, env = clone
    head = git(repo, env, "rev-parse", "HEAD").stdout
    indicators = repo / "tables" / "indicators.csv"
    lines = indicators.read_text(encoding="utf-8").split("\n")
    assert lines[3].startswith("gdp-region-2023-src-000,") and ",450,USD," in lines[3]
    lines[3] = lines[3].replace(",450,USD,", ",451,USD,")
    indicators.write_text("\n".join(lines), encoding="utf-8")
    git(repo, env, "add", "tables/indicators.csv")
    done = git(repo, env, "commit", "-m", "a better figure")
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert "validate the data package" in out and "Failed" in out
    assert "note: provenance mode: lock (no source texts at " in out
    assert ("  row 4, value = '451'  [cited-value-changed-since-lock] indicators.value is '451'; citation C0258 "
            "proved '450' against the source, as provenance.lock records\n") in out
    assert "invalid: 1 problem in 1 file" in out
    assert git(repo, env, "rev-parse", "HEAD").stdout == head  # nothing was committed


def test_a_good_commit_passes_and_other_files_do_not_run_the_hook(clone: tuple[Path, dict[str, str]]) -> None:
    repo, env = clone
    (repo / "NOTES.md").write_text("a note\n", encoding="utf-8")
    git(repo, env, "add", "NOTES.md")
    done = git(repo, env, "commit", "-m", "notes")
    assert done.returncode == 0 and "(no files to check)Skipped" in done.stdout + done.stderr
    meetings = repo / "tables" / "meetings.csv"
    meetings.write_text(meetings.read_text(encoding="utf-8"), encoding="utf-8")  # same bytes: nothing staged
    run = subprocess.run([sys.executable, "-m", "pre_commit", "run", "--all-files"], cwd=repo, env=env,
                         capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0 and "validate the data package" in run.stdout and "Passed" in run.stdout, run.stdout
