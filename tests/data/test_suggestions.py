""""Did you mean KGZ (Kyrgyzstan)?": validation names the key a typed name means, from the
referenced table as it was read, and stays quiet (without failing) when that table cannot say."""

from __future__ import annotations

from scripts.validate import validate_package
from tests.data.corpus import Copy


def _found(root, rule: str, file: str, field: str) -> list[tuple[int | None, str, str]]:
    return [(p.row, p.message, p.hint) for p in validate_package(root)
            if (p.rule, p.file, p.field) == (rule, file, field)]


def _set(pkg: Copy, table: str, index: int, **changes: str) -> int:
    """Change one row (by position) of ``table``; its spreadsheet row."""
    rows = pkg.rows(table)
    rows[index].update(changes)
    pkg.write(table, rows)
    return index + 2


def test_a_name_typed_as_a_key_is_answered_from_its_own_table(pkg: Copy) -> None:
    """Two names in one validation, into two tables: each is answered from its own table (the
    finders are kept per table for the validation)."""
    state_row = _set(pkg, "meetings", 0, host_state_id="Kyrgyzstan")
    attendance = pkg.rows("attendance")
    index = next(i for i, r in enumerate(attendance) if r["person_id"] == "emomali-rahmon")
    person_row = _set(pkg, "attendance", index, person_id="Emomali Rahmon")
    assert _found(pkg.root, "pattern", "tables/meetings.csv", "host_state_id") == [
        (state_row, "host_state_id: 'Kyrgyzstan' is not 3 capital letters; did you mean KGZ (Kyrgyzstan)?",
         "use KGZ, the state_id of Kyrgyzstan in states")]
    assert _found(pkg.root, "pattern", "tables/attendance.csv", "person_id") == [
        (person_row, "person_id: 'Emomali Rahmon' is not lowercase letters and digits in words joined by single "
                     "hyphens, e.g. ca-consultative-6; "
                     "did you mean emomali-rahmon (Emomali Rahmon)?",
         "use emomali-rahmon, the person_id of Emomali Rahmon in persons")]


def test_no_suggestion_and_no_failure_when_the_referenced_table_was_not_read(pkg: Copy) -> None:
    row = _set(pkg, "meetings", 0, host_state_id="Kyrgyzstan")
    pkg.path("states").unlink()
    found = _found(pkg.root, "pattern", "tables/meetings.csv", "host_state_id")
    print(found)
    assert [(r, m.endswith("is not 3 capital letters")) for r, m, _ in found] == [(row, True)]


def test_no_suggestion_and_no_failure_when_the_referenced_key_column_is_missing(pkg: Copy) -> None:
    row = _set(pkg, "meetings", 0, host_state_id="Kyrgyzstan")
    lines = pkg.path("states").read_text(encoding="utf-8").splitlines(keepends=True)
    pkg.path("states").write_text("".join(line.split(",", 1)[1] for line in lines), encoding="utf-8")
    found = _found(pkg.root, "pattern", "tables/meetings.csv", "host_state_id")
    assert [(r, m.endswith("is not 3 capital letters")) for r, m, _ in found] == [(row, True)]
