"""The dataset says things in its own words: no text cell of the tables, and no value of the
descriptor, shares a run of eight or more words with a source text. Exempt: citations' evidence
(a quotation by design) and documents' titles (a document's official title is its name)."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from tests.conftest import ROOT

RUN = 8
EXEMPT = {("citations", "evidence"), ("documents", "title")}


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower().replace("’", "'").replace("'", ""))


def _runs(text: str) -> set[tuple[str, ...]]:
    words = _words(text)
    return {tuple(words[i:i + RUN]) for i in range(len(words) - RUN + 1)}


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_no_cell_or_descriptor_value_copies_eight_words_of_a_source(sources: Path) -> None:
    copied = set().union(*(_runs(p.read_text(encoding="utf-8")) for p in sorted(sources.glob("*.txt"))))
    found = []
    for path in sorted((ROOT / "tables").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row, record in enumerate(csv.DictReader(handle), start=2):
                for field, text in record.items():
                    if (path.stem, field) not in EXEMPT and _runs(text or "") & copied:
                        found.append(f"{path.name} row {row}, {field}: {text[:60]!r}")
    descriptor = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    found += [f"datapackage.json: {text[:60]!r}" for text in _strings(descriptor) if _runs(text) & copied]
    assert found == []
