"""scripts/model/backends/pandera.py as an analyst meets it: the schema described in words
(`python -m scripts schema TABLE --pandera`), every failure case of a frame, eager or lazy, and
what a check hands pandera."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from scripts.model.backends import pandera as backend
from scripts.model.spec import make_table

TABLE = make_table("codes", {"primaryKey": "code", "fields": [
    {"name": "code", "constraints": {"pattern": "^[A-Z]{3}$"}},
    {"name": "seats", "type": "integer", "constraints": {"minimum": 1}},
    {"name": "note"}]}, Path("tables/codes.csv"), Path("schemas/codes.json"), "Codes")
CASES_SCHEMA = {"column": pl.String, "check": pl.String, "index": pl.Int64, "failure_case": pl.String}


def test_the_schema_is_described_column_by_column_with_how_to_apply_it() -> None:
    assert backend.describe(backend.table_schema(TABLE)) == (
        "# pandera.polars.DataFrameSchema 'codes': Codes\n"
        "#   from scripts.model import pandera_schema\n"
        "#   pandera_schema('codes').validate(frame, lazy=True)   # frame: typed, as the Parquet file\n"
        "# foreign keys are checked for the tables passed as parents={name: frame}\n"
        "code   String   required: a value in every row; pattern: 3 capital letters; "
        "primary-key: the primary key (code) occurs once\n"
        "seats  Int64    minimum: at least 1\n"
        "note   String   no checks\n")


def test_every_failure_case_is_listed_for_an_eager_and_a_lazy_frame() -> None:
    """A LazyFrame gets its data checks too (pandera checks only a LazyFrame's schema by default)."""
    schema = backend.table_schema(TABLE)
    bad = pl.DataFrame({"code": ["KAZ", "kaz", "KAZ"], "seats": [0, 2, 3], "note": [None, "x", None]})
    expected = [("code", "pattern", 1, "kaz"), ("code", "primary-key", 2, "KAZ"), ("seats", "minimum", 0, "0")]
    for frame in (bad, bad.lazy()):
        cases = backend.failure_cases(schema, frame)
        assert dict(cases.schema) == CASES_SCHEMA and cases.rows() == expected


def test_a_frame_that_passes_has_no_failure_cases_in_the_same_columns() -> None:
    good = pl.DataFrame({"code": ["KAZ", "UZB"], "seats": [1, 2], "note": [None, "x"]})
    cases = backend.failure_cases(backend.table_schema(TABLE), good)
    assert dict(cases.schema) == CASES_SCHEMA and cases.height == 0


def test_a_check_passes_where_its_mask_is_false_or_null() -> None:
    assert backend.verdict(pl.Series([False, None, False])) is True
    assert backend.verdict(pl.Series([True, None, False])).collect()[backend.OK].to_list() == [False, True, True]


def test_composite_keys_compare_whole_values_never_their_concatenation() -> None:
    """('ab', 'c') and ('a', 'bc') are two keys; a child's (p, q) must name a parent's (x, y) whole.
    Column titles and descriptions travel with the schema."""
    table = make_table("pairs", {"primaryKey": ["a", "b"], "fields": [
        {"name": "a", "title": "A", "description": "The a."}, {"name": "b"}, {"name": "p"}, {"name": "q"}],
        "foreignKeys": [{"fields": ["p", "q"], "reference": {"resource": "parent", "fields": ["x", "y"]}}]},
        Path("tables/pairs.csv"), Path("schemas/pairs.json"))
    schema = backend.table_schema(table, parents={"parent": pl.DataFrame({"x": ["ab", "a"], "y": ["c", "bc"]})})
    frame = pl.DataFrame({"a": ["ab", "a", "x", "x"], "b": ["c", "bc", "y", "y"],
                          "p": ["ab", "a", "abc", "ab"], "q": ["c", "bc", "", "zz"]})
    assert backend.failure_cases(schema, frame).rows() == [
        ("a", "primary-key", 3, "x"), ("p", "foreign-key", 2, "abc"), ("p", "foreign-key", 3, "ab")]
    assert (schema.columns["a"].title, schema.columns["a"].description, schema.columns["b"].description) == (
        "A", "The a.", None)


def test_a_check_is_named_by_its_rule_described_by_the_catalogue_and_keeps_its_options() -> None:
    import pandera.polars as pa

    from scripts.model import catalogue

    assert backend.check("required", pl.col("a").is_null()).description == catalogue.info("required").message
    assert backend.check("not-a-rule-id", pl.col("a").is_null()).description == "not-a-rule-id"
    assert backend.check("required", pl.col("a").is_null(), "own words").description == "own words"
    assert backend.check("required", pl.col("a").is_null(), ignore_na=False).ignore_na is False
    fed = backend.check("unique", lambda lazy: lazy.collect()["a"] == "b")  # a check fed the whole frame
    schema = pa.DataFrameSchema({"a": pa.Column(pl.String, checks=[fed], nullable=True)}, name="t")
    assert backend.failure_cases(schema, pl.DataFrame({"a": ["a", "b", None]})).rows() == [("a", "unique", 1, "b")]


def test_a_missing_value_passes_a_range_check() -> None:
    frame = pl.DataFrame({"code": ["KAZ"], "seats": [None], "note": [None]},
                         schema_overrides={"seats": pl.Int64, "note": pl.String})
    assert backend.failure_cases(backend.table_schema(TABLE), frame).height == 0


def test_the_tables_description_travels_and_a_schema_without_title_is_described_plainly() -> None:
    import pandera.polars as pa

    described = make_table("t", {"fields": [{"name": "a"}]}, Path("t.csv"), Path("s.json"), "T", "All of t.")
    assert backend.table_schema(described).description == "All of t."
    assert backend.table_schema(TABLE).description is None
    untitled = pa.DataFrameSchema({"a": pa.Column(pl.String)}, name="t")
    assert backend.describe(untitled).splitlines()[0] == "# pandera.polars.DataFrameSchema 't': "


def test_cell_expressions_are_built_once_per_schema_wherever_the_table_lives() -> None:
    """The expressions depend on the fields alone: the same schema at another path (a copy of the
    package) reuses them, a skipped column is left out, and another schema gets its own."""
    moved = make_table("codes", {"primaryKey": "code", "fields": [
        {"name": "code", "constraints": {"pattern": "^[A-Z]{3}$"}},
        {"name": "seats", "type": "integer", "constraints": {"minimum": 1}},
        {"name": "note"}]}, Path("copy/tables/codes.csv"), Path("copy/schemas/codes.json"), "Codes")
    first = backend.cell_expressions(TABLE, "\x00text")
    hits = backend._cell_expressions.cache_info().hits
    again = backend.cell_expressions(moved, "\x00text")
    assert backend._cell_expressions.cache_info().hits == hits + 1
    assert [(c, r) for c, r, _ in again] == [(c, r) for c, r, _ in first]
    assert all(a is b for (_, _, a), (_, _, b) in zip(again, first, strict=True))
    assert {c for c, _, _ in backend.cell_expressions(moved, "\x00text", frozenset({"seats"}))} == {"code"}
    other = make_table("codes", {"fields": [{"name": "code", "constraints": {"maxLength": 2}}]},
                       Path("tables/codes.csv"), Path("schemas/codes.json"), "Codes")
    assert [(c, r) for c, r, _ in backend.cell_expressions(other, "\x00text")] == [("code", "max-length")]
