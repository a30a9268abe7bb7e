"""Every provenance.lock finding exactly as a user reads it (value, message, hint): lock mode without
the texts, a stale lock with them, and what --update-lock says (test_provenance_lock pins where)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from scripts.model.package import PackageError
from scripts.report import Problem
from scripts.validate import validate_package
from scripts.validate.lock import update_lock
from tests.conftest import ROOT
from tests.data.corpus import Copy, edit_field

LOCK = "provenance.lock"
CITATIONS = "tables/citations.csv"
VERIFY = "verify with the sources: python -m scripts validate --sources DIR --update-lock"


@pytest.fixture()
def locked(package_copy: Path) -> Path:
    shutil.copy2(ROOT / LOCK, package_copy / LOCK)
    return package_copy


def test_each_lock_mode_finding_in_full(locked: Path) -> None:
    pkg = Copy(locked)
    rows = pkg.rows("citations")
    pkg.write("citations", [*rows, {**rows[107], "citation_id": "C9999", "support": "paraphrase"}])
    changed = edit_field(locked, "citations", "C0108", "line_end", "2")
    recorded = next(r["sha256"] for r in pkg.rows("sources") if r["source_id"] == "src-001")
    source = edit_field(locked, "sources", "src-001", "sha256", "0" * 64)
    lines = (locked / LOCK).read_text(encoding="utf-8").splitlines(keepends=True)
    (locked / LOCK).write_text("".join([*lines, lines[-1].replace('"C0', '"C8')]), encoding="utf-8")
    orphan = lines[-1].split('"')[3].replace("C0", "C8")
    assert validate_package(locked, None, lock=True) == [
        Problem(LOCK, len(lines) + 1, "citation_id", orphan, "lock-entry-without-citation",
                f"{LOCK} line {len(lines) + 1} records citation {orphan}, which the package no longer has", VERIFY),
        Problem("tables/sources.csv", source, "sha256", "0" * 64, "source-changed-since-lock",
                f"source src-001 has sha256 '{'0' * 64}'; its citations were proved against {recorded}", VERIFY),
        Problem(CITATIONS, len(rows) + 2, "citation_id", "C9999", "citation-not-in-lock",
                f"citation C9999 is not in {LOCK}: it has not been proved against the sources", VERIFY),
        Problem(CITATIONS, changed, "line_end", "2", "citation-changed-since-lock",
                f"line_end of citation C0108 is 2; {LOCK} records 1, the one proved against the source", VERIFY)]


def test_a_stale_lock_names_each_difference(locked: Path, sources: Path) -> None:
    text = (locked / LOCK).read_text(encoding="utf-8")
    entry = '"C0108", "table_name": "meetings", "record_id": "ca-consultative-6", "field_name": "city"'
    assert entry in text
    (locked / LOCK).write_text(text.replace(entry, entry.replace('"city"', '"venue"')), encoding="utf-8")
    assert validate_package(locked, sources, lock=True) == [
        Problem(CITATIONS, 109, "citation_id", "C0108", "provenance-lock-stale",
                f"{LOCK} is stale for citation C0108: field_name 'venue' → 'city'",
                "rewrite the lock: python -m scripts validate --sources DIR --update-lock")]


def test_update_lock_needs_the_texts_and_a_valid_package(locked: Path, sources: Path) -> None:
    with pytest.raises(PackageError) as caught:
        update_lock(locked, None)
    assert str(caught.value) == "--update-lock records what the source texts prove: pass --sources DIR"
    edit_field(locked, "meetings", "ca-consultative-6", "ordinal", "six")
    problems, note = update_lock(locked, sources)
    assert [p.rule for p in problems] == ["type-error"]
    assert note == f"{LOCK} was not written: it records only a package whose every citation is proved " \
                   "(1 problem to fix first)"
    edit_field(locked, "meetings", "ca-consultative-7", "ordinal", "seven")
    assert update_lock(locked, sources)[1].endswith("(2 problems to fix first)")


def test_a_stale_lock_shows_an_empty_value_and_a_number_as_such(locked: Path, sources: Path) -> None:
    lines = (locked / LOCK).read_text(encoding="utf-8").splitlines(keepends=True)
    entry = json.loads(lines[108])
    assert entry["citation_id"] == "C0108"
    lines[108] = json.dumps({**entry, "field_name": None, "line_end": 2}) + "\n"
    (locked / LOCK).write_text("".join(lines), encoding="utf-8")
    assert [p.message for p in validate_package(locked, sources, lock=True)] == [
        f"{LOCK} is stale for citation C0108: field_name empty → 'city'; line_end 2 → 1"]
