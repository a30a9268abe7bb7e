"""provenance.lock: without the source texts, every kind of change to what was proved is caught
(exact rule, file, row and field); with them, a stale lock is refused and --update-lock writes only
a lock of a package whose every citation is proved."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.cli import main
from scripts.model.package import PackageError, csv_text, load_package, read_rows
from scripts.validate import validate_package
from tests.conftest import ROOT
from tests.data.corpus import edit_field

LOCK = "provenance.lock"
CITATIONS = "tables/citations.csv"


@pytest.fixture()
def locked(package_copy: Path) -> Path:
    """A copy of the package with its committed lock (no source texts beside it)."""
    shutil.copy2(ROOT / LOCK, package_copy / LOCK)
    return package_copy


@pytest.fixture()
def no_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CAC_SOURCES", raising=False)


def found(root: Path, sources: Path | None = None) -> list[tuple[str, str, int | None, str | None]]:
    return sorted((p.rule, p.file, p.row, p.field) for p in validate_package(root, sources, lock=True))


# --------------------------------------------------------------------------- lock mode: no source texts
def test_the_unchanged_package_passes_in_lock_mode() -> None:
    assert validate_package(ROOT, None, lock=True) == []


def test_lock_mode_through_the_cli_says_so_in_one_line(locked: Path, no_sources: None,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(locked)]) == 0
    out = capsys.readouterr().out
    missing = locked.resolve().parent / "shared" / "sources"
    assert out == (f"note: provenance mode: lock (no source texts at {missing}: citations compared with "
                   "provenance.lock, what a run with the texts proved)\n\nvalid: 0 problems\n")


def test_a_new_citation_is_not_in_the_lock(locked: Path) -> None:
    spec = load_package(locked).table("citations")
    rows = read_rows(spec)
    rows.append({**rows[107], "citation_id": "C9999", "support": "paraphrase"})  # a second citation of a city
    spec.path.write_text(csv_text(spec, rows), encoding="utf-8")
    assert found(locked) == [("citation-not-in-lock", CITATIONS, len(rows) + 1, "citation_id")]  # sorts last


@pytest.mark.parametrize(("field", "value"), [
    ("line_start", "2"), ("line_end", "2"), ("source_id", "src-004"), ("support", "paraphrase"),
    ("evidence", "Astana hosts"), ("field_name", "venue"), ("record_id", "ca-consultative-7"),
])
def test_a_changed_citation_is_named_by_the_field_that_changed(locked: Path, field: str, value: str) -> None:
    row = edit_field(locked, "citations", "C0108", field, value)  # meetings ca-consultative-6 city, verbatim, lines 1-1
    assert row == 109
    if field == "line_start":
        edit_field(locked, "citations", "C0108", "line_end", "2")  # keep the range ordered
        assert found(locked) == [("citation-changed-since-lock", CITATIONS, 109, "line_end"),
                                 ("citation-changed-since-lock", CITATIONS, 109, "line_start")]
        return
    assert found(locked) == [("citation-changed-since-lock", CITATIONS, 109, field)]


def test_a_changed_cited_value_is_reported_at_its_own_cell(locked: Path) -> None:
    row = edit_field(locked, "indicators", "gdp-region-2023-src-000", "value", "451")  # C0258 proved 450, verbatim
    problems = validate_package(locked, None, lock=True)
    assert [(p.rule, p.file, p.row, p.field, p.value) for p in problems] == [
        ("cited-value-changed-since-lock", "tables/indicators.csv", row, "value", "451")]
    assert problems[0].message == ("indicators.value is '451'; citation C0258 proved '450' against the source, "
                                   "as provenance.lock records")
    assert problems[0].hint == "verify with the sources: python -m scripts validate --sources DIR --update-lock"


def test_a_value_only_paraphrased_is_not_locked(locked: Path) -> None:
    """The lock vouches for what the texts proved: a paraphrase proves no value (as with the texts)."""
    edit_field(locked, "meetings", "ca-consultative-6", "status", "held")  # unchanged value, paraphrased (C0112)
    assert found(locked) == []


def test_a_lock_entry_without_its_citation(locked: Path) -> None:
    lock = locked / LOCK
    lines = lock.read_text(encoding="utf-8").splitlines(keepends=True)
    last = re.search(r'"(C[0-9]{4,})"', lines[-1]).group(1)  # type: ignore[union-attr]
    lines.append(lines[-1].replace(f'"{last}"', '"C9999"'))
    lock.write_text("".join(lines), encoding="utf-8")
    assert found(locked) == [("lock-entry-without-citation", LOCK, len(lines), "citation_id")]


def test_a_changed_source_digest(locked: Path) -> None:
    row = edit_field(locked, "sources", "src-001", "sha256", "0" * 64)
    assert found(locked) == [("source-changed-since-lock", "tables/sources.csv", row, "sha256")]


@pytest.mark.parametrize(("line", "why"), [
    ("not json\n", "line 3 is not a lock entry: not a JSON object"),
    ('{"citation_id": "C0002"}\n', "line 3 is not a lock entry: table_name is empty"),
    ("[1, 2]\n", "line 3 is not a lock entry: not a JSON object"),
    ("C0002 extra", "line 3 is not a lock entry: it has a key 'extra' (the keys are citation_id, table_name, "),
    ("C0002 line", "line 3 is not a lock entry: line_start is not a line number"),
    ("C0002 digest", "line 3 is not a lock entry: lines_sha256 is not a sha256 (64 lowercase hexadecimal digits)"),
    ("C0001 again", "line 3 repeats citation C0001"),
])
def test_a_line_that_is_not_an_entry_is_named(locked: Path, line: str, why: str) -> None:
    lock = locked / LOCK
    lines = lock.read_text(encoding="utf-8").splitlines(keepends=True)
    entry = json.loads(lines[2])  # the entry of C0002
    variants = {"C0002 extra": {**entry, "extra": 1}, "C0002 line": {**entry, "line_start": "3"},
                "C0002 digest": {**entry, "lines_sha256": "ABC"}, "C0001 again": json.loads(lines[1])}
    lines[2] = json.dumps(variants[line]) + "\n" if line in variants else line
    lock.write_text("".join(lines), encoding="utf-8")
    problems = validate_package(locked, None, lock=True)
    assert [(p.rule, p.file, p.row, p.field) for p in problems] == [
        ("provenance-lock-invalid", LOCK, 3, None), ("citation-not-in-lock", CITATIONS, 3, "citation_id")]
    assert problems[0].message.startswith(why)


def test_a_lock_with_another_header_is_not_used(locked: Path) -> None:
    lock = locked / LOCK
    text = lock.read_text(encoding="utf-8")
    lock.write_text(text.replace('"version": 1', '"version": 2', 1), encoding="utf-8")
    assert found(locked) == [("provenance-lock-invalid", LOCK, 1, None)]


def test_a_lock_leading_outside_the_package_is_not_read(locked: Path, tmp_path: Path) -> None:
    outside = tmp_path / "secret"
    outside.write_text("top secret\n", encoding="utf-8")
    (locked / LOCK).unlink()
    os.symlink(outside, locked / LOCK)
    problems = validate_package(locked, None, lock=True)
    assert [(p.rule, p.file, p.row) for p in problems] == [("unsafe-path", LOCK, None)]
    assert "top secret" not in problems[0].message


def test_lock_mode_needs_a_lock(package_copy: Path) -> None:
    with pytest.raises(PackageError, match=r"provenance\.lock: file not found"):
        validate_package(package_copy, None, lock=True)


def test_without_sources_or_lock_validate_cannot_run(package_copy: Path, no_sources: None,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(package_copy)]) == 2
    assert "and ROOT has no provenance.lock to check against" in capsys.readouterr().err


def test_sources_given_but_missing_are_an_error_even_with_a_lock(locked: Path, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(locked), "--sources", str(tmp_path / "nowhere")]) == 2
    assert capsys.readouterr().err.startswith(f"error: sources folder {tmp_path / 'nowhere'} not found: ")


def test_no_provenance_skips_the_lock_too(locked: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit_field(locked, "indicators", "gdp-region-2023-src-000", "value", "451")
    assert main(["validate", str(locked), "--no-provenance"]) == 0
    assert capsys.readouterr().out.startswith("note: provenance was not checked (--no-provenance)")


# --------------------------------------------------------------------------- sources mode
def test_the_committed_lock_records_what_the_sources_prove(sources: Path, package_copy: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert validate_package(ROOT, sources, lock=True) == []
    assert main(["validate", str(package_copy), "--sources", str(sources), "--update-lock"]) == 0
    assert (package_copy / LOCK).read_bytes() == (ROOT / LOCK).read_bytes()
    count = len(read_rows(load_package(package_copy).table("citations")))
    assert f"note: wrote provenance.lock: {count} citations proved" in capsys.readouterr().out
    assert main(["validate", str(package_copy), "--sources", str(sources), "--update-lock"]) == 0
    assert f"note: provenance.lock is up to date ({count} citations proved)" in capsys.readouterr().out


def test_update_lock_refuses_while_anything_is_unproved(sources: Path, locked: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    before = (locked / LOCK).read_bytes()
    edit_field(locked, "citations", "C0108", "evidence", "Astana hosts the seventh")
    assert main(["validate", str(locked), "--sources", str(sources), "--update-lock"]) == 1
    out = capsys.readouterr().out
    assert "row 109, evidence = 'Astana hosts the seventh'  [citation-evidence-missing]" in out
    assert "note: provenance.lock was not written: it records only a package whose every citation is proved " \
           "(1 problem to fix first)" in out
    assert (locked / LOCK).read_bytes() == before


def test_update_lock_refuses_an_invalid_package_too(sources: Path, package_copy: Path) -> None:
    edit_field(package_copy, "meetings", "ca-consultative-6", "ordinal", "six")
    assert main(["validate", str(package_copy), "--sources", str(sources), "--update-lock"]) == 1
    assert not (package_copy / LOCK).exists()


def test_with_the_sources_a_stale_lock_is_refused(sources: Path, locked: Path) -> None:
    edit_field(locked, "citations", "C0108", "line_end", "3")  # still proved: the city is in lines 1-3
    problems = validate_package(locked, sources, lock=True)
    assert [(p.rule, p.file, p.row, p.field) for p in problems] == [
        ("provenance-lock-stale", CITATIONS, 109, "citation_id")]
    assert problems[0].message.startswith("provenance.lock is stale for citation C0108: line_end 1 → 3; "
                                          "lines_sha256 '")


def test_with_the_sources_a_lock_entry_without_citation_is_stale(sources: Path, locked: Path) -> None:
    lock = locked / LOCK
    lines = lock.read_text(encoding="utf-8").splitlines(keepends=True)
    last = re.search(r'"(C[0-9]{4,})"', lines[-1]).group(1)  # type: ignore[union-attr]
    lock.write_text("".join([*lines, lines[-1].replace(f'"{last}"', '"C9999"')]), encoding="utf-8")
    assert found(locked, sources) == [("provenance-lock-stale", LOCK, len(lines) + 1, "citation_id")]


def test_with_the_sources_and_no_lock_nothing_is_compared(sources: Path, package_copy: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(package_copy), "--sources", str(sources)]) == 0
    assert capsys.readouterr().out.startswith(
        f"note: provenance mode: sources (citations proved against the texts in {sources}; no provenance.lock)\n")


def test_the_fast_and_the_line_by_line_reading_agree() -> None:
    from scripts.validate import lockfile

    body = (ROOT / LOCK).read_bytes().split(b"\n", 1)[1]
    fast = lockfile._read_fast(body)
    slow, problems = lockfile._read_lines(body)
    citations = len(read_rows(load_package(ROOT).table("citations")))
    assert problems == [] and fast is not None and fast.height == citations
    assert fast.equals(slow) and fast.schema == slow.schema


def test_bytes_that_are_not_utf8_are_named_by_line(locked: Path) -> None:
    lock = locked / LOCK
    lines = lock.read_bytes().split(b"\n")
    lines[4] = lines[4].replace(b"\"C0004\"", b"\"C\xff004\"")
    assert b"\xff" in lines[4]
    lock.write_bytes(b"\n".join(lines))
    assert found(locked) == [("provenance-lock-invalid", LOCK, 5, None)]


def test_a_lock_that_is_a_folder_is_named_and_not_read(locked: Path) -> None:
    (locked / LOCK).unlink()
    (locked / LOCK).mkdir()
    problems = validate_package(locked, None, lock=True)
    assert [(p.rule, p.file, p.row, p.field, p.message) for p in problems] == [
        ("not-a-regular-file", LOCK, None, None, "provenance.lock is not a regular file")]
    assert problems[0].hint == "replace it with a regular file (a FIFO, socket, device or folder is never read)"


def test_update_lock_rewrites_a_stale_or_damaged_lock(sources: Path, locked: Path) -> None:
    """What the texts prove is written whatever the old lock held: an entry gone, bytes that are not
    UTF-8 (compared, not decoded strictly), and a stale lock is no reason to refuse."""
    from scripts.validate.lock import update_lock

    committed = (ROOT / LOCK).read_bytes()
    lines = committed.splitlines(keepends=True)
    (locked / LOCK).write_bytes(b"".join(lines[:2] + lines[3:]) + b"\xff\xfe not an entry\n")
    problems, note = update_lock(locked, sources)
    assert problems == [] and note.startswith(f"wrote {LOCK}: {len(lines) - 1} citations proved against the texts in ")
    assert (locked / LOCK).read_bytes() == committed
    assert update_lock(locked, sources) == ([], f"{LOCK} is up to date ({len(lines) - 1} citations proved)")


def test_with_the_sources_a_lock_recording_another_table_is_stale_in_full(sources: Path, locked: Path) -> None:
    """Every recorded key is compared, the first (the table) included; the problem is whole."""
    lock = locked / LOCK
    lines = lock.read_text(encoding="utf-8").splitlines(keepends=True)
    number, line = next((n, text) for n, text in enumerate(lines) if '"C0108"' in text)
    table = json.loads(line)["table_name"]
    lines[number] = line.replace(f'"table_name": "{table}"', '"table_name": "elsewhere"')
    lock.write_text("".join(lines), encoding="utf-8")
    problems = validate_package(locked, sources, lock=True)
    assert [(p.rule, p.file, p.row, p.field, p.value, p.message, p.hint) for p in problems] == [
        ("provenance-lock-stale", CITATIONS, 109, "citation_id", "C0108",
         f"provenance.lock is stale for citation C0108: table_name 'elsewhere' → '{table}'",
         "rewrite the lock: python -m scripts validate --sources DIR --update-lock")]


def test_with_the_sources_a_citation_that_fails_its_proof_is_not_also_stale(sources: Path, locked: Path) -> None:
    """A citation whose evidence is no longer in its lines is provenance's finding; the lock does
    not report the same citation a second time."""
    edit_field(locked, "citations", "C0108", "evidence", "Astana hosts the seventh")
    assert found(locked, sources) == [("citation-evidence-missing", CITATIONS, 109, "evidence")]


def test_with_the_sources_a_proved_citation_missing_from_the_lock_is_stale(sources: Path, locked: Path) -> None:
    lock = locked / LOCK
    lock.write_text("".join(line for line in lock.read_text(encoding="utf-8").splitlines(keepends=True)
                            if '"C0108"' not in line), encoding="utf-8")
    problems = validate_package(locked, sources, lock=True)
    assert [(p.rule, p.file, p.row, p.field, p.message) for p in problems] == [
        ("provenance-lock-stale", CITATIONS, 109, "citation_id",
         "citation C0108 is proved by the sources but not recorded in provenance.lock")]


def test_with_the_sources_every_stale_citation_is_named_after_one_missing_from_the_lock(sources: Path,
                                                                                         locked: Path) -> None:
    lock = locked / LOCK
    lines = [line for line in lock.read_text(encoding="utf-8").splitlines(keepends=True) if '"C0108"' not in line]
    number, line = next((n, text) for n, text in enumerate(lines) if '"C0200"' in text)
    lines[number] = re.sub(r'"table_name": "[^"]*"', '"table_name": "elsewhere"', line)
    lock.write_text("".join(lines), encoding="utf-8")
    assert [(p.row, p.message[:60]) for p in validate_package(locked, sources, lock=True)] == [
        (109, "citation C0108 is proved by the sources but not recorded in "),
        (201, "provenance.lock is stale for citation C0200: table_name 'els")]


def test_an_unchanged_lock_is_left_alone_in_a_c_locale_too(sources: Path, locked: Path) -> None:
    """The lock is compared as UTF-8 whatever the locale: in a bare container (C locale, no UTF-8
    mode) its en dashes and curly quotes would read as other characters, and every run would
    rewrite an unchanged lock."""
    code = ("import sys; from scripts.validate.lock import update_lock; "
            "print(update_lock(sys.argv[1], sys.argv[2])[1])")
    env = {**os.environ, "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code, str(locked), str(sources)], env=env, capture_output=True,
                          text=True, check=False)
    entries = len((ROOT / LOCK).read_bytes().splitlines()) - 1  # the first line names the format
    expected = f"{LOCK} is up to date ({entries} citations proved)\n"
    assert (done.returncode, done.stdout, done.stderr) == (0, expected, "")
