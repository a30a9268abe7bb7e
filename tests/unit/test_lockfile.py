"""scripts.validate.lockfile: provenance.lock read as untrusted data (each line that is not an entry
named exactly, by both readers alike) and written byte for byte."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from scripts.model import catalogue
from scripts.report import Problem
from scripts.validate.lockfile import HEADER, KEYS, MAX_LINE, lock_text, read_lock

ENTRY = {"citation_id": "C0001", "table_name": "meetings", "record_id": "ca-1", "field_name": "city",
         "source_id": "src-000", "source_sha256": "a" * 64, "line_start": 1, "line_end": 2, "lines_sha256": "b" * 64,
         "support": "verbatim", "evidence": "Алматы hosts", "value": "Алматы"}


def _lock(tmp_path: Path, *lines: bytes) -> Path:
    path = tmp_path / "provenance.lock"
    path.write_bytes(b"\n".join([json.dumps(HEADER).encode(), *lines]) + b"\n")
    return path


def _invalid(line: int, message: str) -> Problem:
    return Problem("provenance.lock", line, None, None, "provenance-lock-invalid", message,
                   catalogue.hint(catalogue.LOCK_INVALID))


def test_a_lock_is_written_sorted_one_unescaped_entry_a_line(tmp_path: Path) -> None:
    later = {**ENTRY, "citation_id": "C0002", "field_name": None, "value": None, "support": "paraphrase"}
    text = lock_text(pl.DataFrame([later, ENTRY], schema={k: pl.Int64 if k.startswith("line_") else pl.String
                                                          for k in KEYS}))
    assert text.splitlines() == [json.dumps(HEADER), json.dumps(ENTRY, ensure_ascii=False),
                                 json.dumps(later, ensure_ascii=False)]
    assert "Алматы" in text and text.endswith("}\n")
    entries, problems = read_lock(_lock(tmp_path, *[line.encode() for line in text.splitlines()[1:]]))
    assert problems == [] and entries is not None and entries.drop("line").to_dicts() == [ENTRY, later]


def test_bytes_that_are_not_utf8_are_named_by_their_line(tmp_path: Path) -> None:
    good = json.dumps(ENTRY).encode()
    assert read_lock(_lock(tmp_path, good, b'{"citation_id": "C\xff"}')) == (
        None, [_invalid(3, "the file is not UTF-8")])


@pytest.mark.parametrize(("change", "why"), [
    ({"line_start": MAX_LINE + 1}, "line_start is not a line number"),
    ({"line_start": 0}, "line_start is not a line number"),
    ({"line_end": 2.0}, "line_end is not a line number"),
    ({"line_end": True}, "line_end is not a line number"),
    ({"evidence": 5}, "evidence is not text"),
    ({"support": None}, "support is empty"),
    ({"source_sha256": "A" * 64}, "source_sha256 is not a sha256 (64 lowercase hexadecimal digits)"),
    ({"extra": 1}, f"it has a key 'extra' (the keys are {', '.join(KEYS)})"),
])
def test_a_line_that_is_not_an_entry_is_named_with_why(tmp_path: Path, change: dict, why: str) -> None:
    entries, problems = read_lock(_lock(tmp_path, json.dumps({**ENTRY, **change}).encode()))
    assert problems == [_invalid(2, f"line 2 is not a lock entry: {why}")]
    assert entries is not None and entries.height == 0


def test_the_largest_line_number_is_one_both_readers_accept(tmp_path: Path) -> None:
    at_most = json.dumps({**ENTRY, "line_end": MAX_LINE}).encode()
    fast, problems = read_lock(_lock(tmp_path, at_most))
    assert problems == [] and fast is not None and fast["line_end"].to_list() == [MAX_LINE]
    slow, problems = read_lock(_lock(tmp_path, at_most, b"not json"))  # the second line sends it line by line
    assert problems == [_invalid(3, "line 3 is not a lock entry: not a JSON object")]
    assert slow is not None and slow["line_end"].to_list() == [MAX_LINE]


def test_the_line_of_bad_bytes_counts_an_empty_first_line(tmp_path: Path) -> None:
    assert read_lock(_lock(tmp_path, b"", b'{"citation_id": "C\xff"}')) == (
        None, [_invalid(3, "the file is not UTF-8")])


def test_both_readers_give_one_schema_even_when_a_nullable_column_is_all_empty(tmp_path: Path) -> None:
    from scripts.validate.lockfile import schema

    paraphrase = json.dumps({**ENTRY, "field_name": None, "value": None, "support": "paraphrase"}).encode()
    fast, _ = read_lock(_lock(tmp_path, paraphrase))
    slow, _ = read_lock(_lock(tmp_path, paraphrase, b"[]"))
    assert fast is not None and slow is not None
    assert dict(fast.schema) == dict(slow.schema) == schema() and fast.equals(slow)
