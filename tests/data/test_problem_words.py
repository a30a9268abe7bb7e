"""Each kind of Table Schema and CSV finding in full, as a user reads it: file, row, field, value,
rule, message and hint. The corpus (test_corpus.py) pins where each finding is; here ten of its
variants are made in one copy, in different tables and cells, and validated once."""

from __future__ import annotations

from scripts.report import Problem
from scripts.validate import validate_package
from tests.data import test_corpus as variants
from tests.data.corpus import Copy


def test_each_kind_of_finding_in_the_words_a_user_reads(pkg: Copy) -> None:
    rows = {variant.__name__: next(iter(variant(pkg)))[2] for variant in (
        variants.duplicate_unique, variants.missing_required_evidence, variants.pattern_mismatch,
        variants.duplicate_primary_key, variants.rows_not_sorted, variants.too_long, variants.wrong_integer,
        variants.dangling_foreign_key, variants.dangling_meeting, variants.unit_outside_enum,
        variants.leading_space_in_key)}
    file_name = pkg.rows("sources")[0]["file_name"]
    spaced = next(r["source_id"] for r in pkg.rows("indicators") if r["source_id"].startswith(" "))
    assert rows["too_long"] == rows["wrong_integer"]  # one meeting, two cells
    assert validate_package(pkg.root) == [
        Problem("tables/sources.csv", rows["duplicate_unique"], "file_name", file_name, "unique-error",
                f"file_name {file_name!r} occurs more than once; each value may occur once",
                "each value may occur once in this column"),
        Problem("tables/citations.csv", rows["missing_required_evidence"], "evidence", "", "required",
                "evidence: evidence is required but empty", "fill in the value: this field is required"),
        Problem("tables/citations.csv", rows["pattern_mismatch"], "field_name", "Title", "pattern",
                "field_name: 'Title' is not one lowercase letter, then any number of lowercase letters, digits or "
                "underscores",
                "write one lowercase letter, then any number of lowercase letters, digits or underscores"),
        Problem("tables/states.csv", rows["duplicate_primary_key"], "state_id", "KAZ", "primary-key",
                "the primary key (state_id) 'KAZ' occurs more than once",
                "each record needs its own primary key: change or remove the duplicate"),
        Problem("tables/offices.csv", 3, None, None, "rows-not-sorted",
                "row 3 sorts before the row above it by primary key (office_id)",
                "sort the rows by primary key (python -m scripts import rewrites the CSVs sorted)"),
        Problem("tables/meetings.csv", rows["too_long"], "name", "x" * 201, "max-length",
                "name: 201 characters; at most 200 allowed", "write 1 to 200 characters"),
        Problem("tables/meetings.csv", rows["wrong_integer"], "ordinal", "six", "type-error",
                "ordinal: 'six' is not a whole number", "write a whole number such as 7"),
        Problem("tables/attendance.csv", rows["dangling_foreign_key"], "person_id", "nobody-known", "foreign-key",
                "person_id 'nobody-known' is not a person_id of persons",
                "use a person_id that exists in persons, or add that record first"),
        Problem("tables/documents.csv", rows["dangling_meeting"], "meeting_id", "no-such-meeting", "foreign-key",
                "meeting_id 'no-such-meeting' is not a meeting_id of meetings",
                "use a meeting_id that exists in meetings, or add that record first"),
        Problem("tables/indicators.csv", rows["unit_outside_enum"], "unit", "EUR", "enum",
                "unit: 'EUR' is not one of USD, percent, count", "use one of: USD, percent, count"),
        Problem("tables/indicators.csv", rows["leading_space_in_key"], "source_id", spaced, "key-whitespace",
                f"key value {spaced!r} has leading or trailing spaces", "remove the spaces around the key value")]


def test_rows_tied_on_the_first_key_column_are_sorted_by_the_next(pkg: Copy) -> None:
    """attendance's key is (meeting_id, state_id, attendance_status): two rows of one meeting out of
    state order are unsorted, found at the second."""
    lines = pkg.text("attendance").splitlines()
    first, second = lines[1].split(","), lines[2].split(",")
    assert first[0] == second[0] and first[1] < second[1]
    lines[1], lines[2] = lines[2], lines[1]
    pkg.path("attendance").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert validate_package(pkg.root) == [
        Problem("tables/attendance.csv", 3, None, None, "rows-not-sorted",
                "row 3 sorts before the row above it by primary key (meeting_id, state_id, attendance_status)",
                "sort the rows by primary key (python -m scripts import rewrites the CSVs sorted)")]
