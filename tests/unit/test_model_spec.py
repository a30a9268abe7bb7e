"""The model layer: the spec read from Table Schemas, CSV cells, workbook values and the backends."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from pathlib import Path

import pyarrow as pa
import pytest

from scripts.model import cells, patterns
from scripts.model.backends import arrow, excel, sqlite, words
from scripts.model.backends.excel import from_workbook
from scripts.model.catalogue import CLEAN_TEXT, TYPE
from scripts.model.cells import CellError
from scripts.model.dates import REDUCED_DATE as DATE
from scripts.model.package import Package
from scripts.model.spec import ENUM, MAX_LENGTH, PATTERN, make_field, make_table


def refused(fld, value) -> tuple[str, str, str]:
    with pytest.raises(CellError) as info:
        from_workbook(fld, value)
    return info.value.rule, info.value.message, info.value.hint


def test_each_type_gets_its_kind_and_dates_are_found_by_pattern() -> None:
    assert make_field({"name": "a", "type": "integer"}).kind == "integer"
    assert make_field({"name": "a", "type": "number"}).kind == "number"
    assert make_field({"name": "a", "type": "boolean"}).kind == "boolean"
    assert make_field({"name": "a"}).kind == "text"
    assert make_field({"name": "a", "type": "geopoint"}).kind == "text"
    assert make_field({"name": "a", "constraints": {"pattern": DATE}}).kind == "date"
    assert make_field({"name": "a", "constraints": {"pattern": "^[0-9]{4}(-[0-9]{2}){0,2}$"}}).kind == "text"
    assert make_field({"name": "a", "constraints": {"pattern": patterns.SLUG}}).kind == "text"


def test_table_schema_defaults_as_frictionless_reads_them() -> None:
    flag = make_field({"name": "f", "type": "boolean"})
    assert flag.true_values == ("true", "True", "TRUE", "1") and flag.false_values == ("false", "False", "FALSE", "0")
    assert cells.read_cell(flag, "TRUE") is True and cells.read_cell(flag, "0") is False
    assert cells.write_cell(flag, True) == "true"
    key = make_field({"name": "k"}, primary_key=("k",))
    assert key.required and key.unique
    part = make_field({"name": "k"}, primary_key=("k", "j"))
    assert part.required and not part.unique
    assert cells.read_cell(make_field({"name": "x"}), "") is None


def test_cells_read_and_write_canonically() -> None:
    number = make_field({"name": "n", "type": "number"})
    assert cells.read_cell(number, "11.5") == 11.5 and cells.write_cell(number, 5000.0) == "5000"
    assert cells.write_cell(number, 0.1) == "0.1"
    integer = make_field({"name": "i", "type": "integer"})
    assert cells.read_cell(integer, "-7") == -7
    for bad in ("1.0", "1e3", " 1", "+1", "٥"):
        with pytest.raises(CellError, match="not a whole number"):
            cells.read_cell(integer, bad)
    for bad in ("1,5", "nan", "inf", "1.5.2"):
        with pytest.raises(CellError):
            cells.read_cell(number, bad)


def test_workbook_values_become_csv_text_or_a_plain_refusal() -> None:
    integer = make_field({"name": "ordinal", "type": "integer", "constraints": {"minimum": 1}})
    assert from_workbook(integer, 5000.0) == "5000" and from_workbook(integer, 7) == "7"
    assert refused(integer, 5.5)[0] == TYPE
    assert refused(integer, 0)[:2] == ("minimum", "0 is below the minimum 1")
    date = make_field({"name": "date_start", "constraints": {"pattern": DATE}})
    assert from_workbook(date, dt.datetime(2024, 8, 9)) == "2024-08-09"
    assert from_workbook(date, dt.date(2024, 8, 9)) == "2024-08-09"
    assert from_workbook(date, 2024) == "2024" and from_workbook(date, "2024-08") == "2024-08"
    rule, message, hint = refused(date, dt.datetime(2024, 8, 9, 14, 30))
    assert (rule, hint) == (TYPE, "type the date as text: 2024-08-09, 2024-08 or 2024")
    assert "has a time of day" in message
    assert refused(date, "2024-13")[0] == PATTERN
    flag = make_field({"name": "is_x", "type": "boolean", "trueValues": ["true"], "falseValues": ["false"]})
    assert from_workbook(flag, True) == "true" and from_workbook(flag, False) == "false"
    assert refused(flag, "yes") == (TYPE, "'yes' is not true or false", "write true or false")
    assert refused(flag, 1)[0] == TYPE
    text = make_field({"name": "status", "constraints": {"enum": ["held", "planned"]}})
    assert refused(text, True)[0] == TYPE
    assert refused(text, "helt") == (ENUM, "'helt' is not one of held, planned", "use one of: held, planned")


@pytest.mark.parametrize("value", ["a\x00b", "a\x1bb", "a\x85b", "a\rb", "a\tb", "a\nb", " a", "a "])
def test_unclean_text_is_refused_unless_the_field_is_multiline(value: str) -> None:
    assert refused(make_field({"name": "t"}), value)[0] == CLEAN_TEXT
    multiline = make_field({"name": "t", "multiline": True})
    if value in ("a\tb", "a\nb"):
        assert from_workbook(multiline, value) == value
    else:
        assert refused(multiline, value)[0] == CLEAN_TEXT


def test_lengths_count_characters_not_bytes() -> None:
    fld = make_field({"name": "t", "constraints": {"maxLength": 3}})
    assert cells.check_cell(fld, "ÄÖÜ") == []
    assert cells.check_cell(fld, "ÄÖÜß") == [(MAX_LENGTH, "4 characters; at most 3 allowed")]


def test_excel_validation_and_messages_never_show_a_regex(package: Package) -> None:
    regex_bits = re.compile(r"[\^$\\]|\[[^\]]*-[^\]]*\]|\{\d")
    for table in package.tables.values():
        for fld in table.fields:
            rule = excel.validation(fld)
            assert not regex_bits.search(rule["prompt"]), (table.name, fld.name, rule["prompt"])
            assert rule["allow_blank"] is (not fld.required)
            if fld.pattern:
                assert not regex_bits.search(words.hint(fld, PATTERN)), words.hint(fld, PATTERN)
    ordinal = make_field({"name": "ordinal", "type": "integer", "constraints": {"minimum": 1, "maximum": 100}})
    assert {k: v for k, v in excel.validation(ordinal).items() if k != "prompt"} == {
        "type": "whole", "allow_blank": True, "operator": "between", "formula1": "1", "formula2": "100"}
    status = make_field({"name": "s", "constraints": {"required": True, "enum": ["held", "planned"]}})
    assert excel.validation(status)["list"] == ["held", "planned"]
    assert words.input_message(status) == "s: text; required; one of: held, planned."


def test_sqlite_ddl_of_every_table_runs_and_enforces_its_checks(package: Package) -> None:
    db = sqlite3.connect(":memory:")
    for table in package.tables.values():
        db.execute(sqlite.ddl(table))
    states = package.table("states")
    db.execute('INSERT INTO "states" VALUES (?, ?, ?)', ("KAZ", "Kazakhstan", 1))
    with pytest.raises(sqlite3.IntegrityError):
        db.execute('INSERT INTO "states" VALUES (?, ?, ?)', ("kaz", "Kazakhstan", 1))
    with pytest.raises(sqlite3.IntegrityError):
        db.execute('INSERT INTO "states" VALUES (?, ?, ?)', ("UZB", "Uzbekistan", "yes"))
    assert sqlite.value(states.field("is_central_asian"), "true") == 1


def test_arrow_types_keep_reduced_dates_as_text(package: Package) -> None:
    meetings = arrow.arrow_schema(package.table("meetings"))
    assert meetings.field("date_start").type == pa.string()
    assert meetings.field("ordinal").type == pa.int64()
    assert meetings.field("is_date_inferred").type == pa.bool_()
    assert arrow.arrow_schema(package.table("indicators")).field("value").type == pa.float64()


def test_constraint_words_for_the_data_dictionary() -> None:
    fld = make_field({"name": "c", "constraints": {"required": True, "pattern": "^C[0-9]{4,}$", "maxLength": 80}},
                     primary_key=("c",))
    assert words.constraint_words(fld) == ["required", "unique in its column", "'C', then 4 or more digits",
                                      "at most 80 characters"]


def test_make_table_reads_keys_in_order(tmp_path: Path) -> None:
    schema = {"fields": [{"name": "a"}, {"name": "b"}], "primaryKey": "a",
              "foreignKeys": [{"fields": "b", "reference": {"resource": "", "fields": "a"}}]}
    table = make_table("t", schema, tmp_path / "t.csv", tmp_path / "t.json")
    assert table.primary_key == ("a",) and table.field_names == ["a", "b"]
    assert table.foreign_keys[0].resource == "t" and table.foreign_keys[0].ref_fields == ("a",)
    assert table.record_key({"a": "x", "b": "y"}) == "x"


@pytest.mark.parametrize(("pattern", "good", "bad"), [
    ("^[A-Z]{3}$", ["KAZ"], ["KA", "kaz", "KAZZ", ""]),
    ("^C[0-9]{4,}$", ["C0001", "C12345"], ["C001", "D0001", "C00a1"]),
    ("^src-[0-9]{3}$", ["src-000"], ["src-0000", "src000", "SRC-000"]),
    ("^[a-z][a-z0-9_]*$", ["a", "ab_1"], ["1a", "aB", "a-b"]),
    (r"^[0-9]{3}_[0-9a-f]{16}\.txt$", ["000_7be6e85cb7551eec.txt"], ["000_7be6e85cb7551eecXtxt"]),
    (patterns.SLUG, ["a", "a-b", "ca-consultative-6"], ["a--b", "-a", "a-", "A"]),
    (DATE, ["2024", "2024-08", "2024-08-31"], ["2024-13", "2024-8", "2024-08-32", "24"]),
])
def test_patterns_translate_to_glob_exactly(pattern: str, good: list[str], bad: list[str]) -> None:
    db = sqlite3.connect(":memory:")
    check = patterns.sql_check(pattern, "?1")
    assert check is not None
    for value in good + bad:
        expected = re.fullmatch(pattern.strip("^$"), value) is not None
        assert bool(db.execute(f"SELECT {check.replace('?1', ':v')}", {"v": value}).fetchone()[0]) is expected, value
    example = patterns.example(pattern)
    assert example is not None and re.fullmatch(pattern.strip("^$"), example)


def test_an_unknown_pattern_is_described_generically_and_has_no_glob() -> None:
    assert patterns.sql_check("^(a|b)+$", "x") is None
    assert patterns.describe("^(a|b)+$") == "text in the form the field's description gives"
    assert patterns.describe("^[A-Z]{3}$") == "3 capital letters"


TEXT_ONLY = {"pattern": "^[a-z]+$", "minLength": 2, "maxLength": 3}


@pytest.mark.parametrize(("kind", "textual"), [("string", True), ("integer", False), ("number", False),
                                               ("boolean", False)])
def test_patterns_and_lengths_bind_text_alone_in_every_backend(kind: str, textual: bool) -> None:
    """A Table Schema may put a pattern or a length on any field; only a text (or reduced date)
    field has them checked: polars, SQLite and the cell reader agree, and a text breaking each is
    caught by each."""
    import polars as pl

    from scripts.model.backends import polars as exprs

    fld = make_field({"name": "v", "type": kind, "constraints": TEXT_ONLY})
    assert fld.is_textual is textual
    text_rules = ["pattern", "min-length", "max-length"] if textual else []
    assert [rule for rule, _ in exprs.failures(fld, pl.col("v"))] == text_rules
    assert [rule for rule, _ in sqlite.checks(fld)] == text_rules + ([] if textual else ["type-error"])
    if textual:
        frame = pl.DataFrame({"v": ["ab", "abc", "A1", "a", "abcd", None]})
        found = frame.select(expr.alias(rule) for rule, expr in exprs.failures(fld, pl.col("v")))
        assert found.rows() == [(False, False, False), (False, False, False), (True, False, False),
                                (False, True, False), (False, False, True), (False, False, False)]
        assert [rule for rule, _ in cells.check_cell(fld, "A")] == ["pattern", "min-length"]
        assert [rule for rule, _ in cells.check_cell(fld, "abcd")] == ["max-length"]


@pytest.mark.parametrize("kind", ["integer", "number"])
def test_a_range_includes_both_bounds_in_polars_and_sqlite(kind: str) -> None:
    import polars as pl

    from scripts.model.backends import polars as exprs

    fld = make_field({"name": "v", "type": kind, "constraints": {"minimum": 1, "maximum": 5}})
    frame = pl.DataFrame({"v": [1, 5, 3, 0, 6, None]}, schema={"v": exprs.dtype(fld)})
    found = frame.select(expr.alias(rule) for rule, expr in exprs.failures(fld, pl.col("v")))
    assert found.columns == ["minimum", "maximum"]
    assert found.rows() == [(False, False), (False, False), (False, False), (True, False), (False, True),
                            (False, False)]
    db = sqlite3.connect(":memory:")
    allowed = [db.execute(f"SELECT {expr} FROM (SELECT ? AS v)", (value,)).fetchone()[0]
               for _, expr in sqlite.checks(fld)[:2] for value in (1, 5, 0, 6)]
    assert allowed == [1, 1, 0, 1, 1, 1, 1, 0]


def test_a_whole_number_past_64_bits_is_a_type_error_for_every_reader() -> None:
    """The typed frames, Parquet and SQLite hold 64-bit integers: a longer number is refused by the
    cell reader (import, diff) and read as no value by polars (validate), never a crash."""
    import polars as pl

    from scripts.model.backends import polars as exprs

    fld = make_field({"name": "n", "type": "integer"})
    texts = ["9223372036854775807", "-9223372036854775808", "9223372036854775808", "-9223372036854775809",
             "99999999999999999999", "7"]
    typed = pl.DataFrame({"n": texts}).select(exprs.cast(fld, pl.col("n")))["n"].to_list()
    assert typed == [2**63 - 1, -(2**63), None, None, None, 7]
    assert [bool(list(cells.check_cell(fld, t))) for t in texts] == [False, False, True, True, True, False]
    assert list(cells.check_cell(fld, "9223372036854775808")) == [
        (TYPE, "'9223372036854775808' is not a whole number from -9223372036854775808 to 9223372036854775807")]


@pytest.mark.parametrize(("kind", "enum", "values", "outside"), [
    ("number", [1, 2], [1.0, 3.0, 2.0], [False, True, False]),        # whole numbers listed for a number field
    ("number", [1.5, 2], [1.5, 2.0, 3.0], [False, False, True]),
    ("integer", [1, 2**70], [1, 2], [False, True]),                    # a listed value no 64-bit column holds
    ("boolean", [True], [True, False], [False, True]),
])
def test_an_enum_is_read_as_the_fields_type(kind: str, enum: list, values: list, outside: list) -> None:
    """The listed values are read as the field's type, so a number field may list 1 and 2, and a
    value no column of the type can hold is listed in vain, not a failure of validation."""
    import polars as pl

    from scripts.model.backends import polars as exprs

    fld = make_field({"name": "v", "type": kind, "constraints": {"enum": enum}})
    frame = pl.DataFrame({"v": values}, schema={"v": exprs.dtype(fld)})
    found = frame.select(expr.alias(rule) for rule, expr in exprs.failures(fld, pl.col("v")))
    assert found["enum"].to_list() == outside


def test_a_reduced_date_pattern_is_known_by_what_it_accepts_not_by_its_spelling() -> None:
    """Another spelling of the same pattern makes a reduced date; one that accepts more, or a year
    alone, does not; a pattern nested past what re can compile is named so."""
    from scripts.model.dates import is_reduced_date_pattern

    assert is_reduced_date_pattern(r"^\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?$")
    assert not is_reduced_date_pattern(r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$")  # month 13 too
    assert not is_reduced_date_pattern(r"^\d{4}$")
    with pytest.raises(re.error, match=r"^the pattern is too deeply nested$"):
        is_reduced_date_pattern("(" * 5000 + ")" * 5000)
