"""SECURITY.md names, under each promise, the tests that hold it: every file and test it names
exists, so the threat model cannot point at a test that was renamed or removed."""

from __future__ import annotations

import re

from tests.conftest import ROOT

CITED = re.compile(r"`(tests/[^`\s]+?\.py)(?:::(\w+))?`")


def test_every_test_security_md_cites_exists() -> None:
    text = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    cited = CITED.findall(text)
    assert len(cited) >= 25
    missing = [f"{file}::{name}" if name else file for file, name in cited
               if not (ROOT / file).is_file() or (name and f"def {name}(" not in (ROOT / file).read_text("utf-8"))]
    assert missing == []


def test_the_readme_links_the_threat_model() -> None:
    assert "[SECURITY.md](SECURITY.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
