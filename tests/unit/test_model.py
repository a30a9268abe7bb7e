"""The model layer as its users meet it: names that exist, one catalogue, the pandera schema as a
product, and the clean-text policy."""

from __future__ import annotations

import polars as pl
import pytest

from scripts.model import catalogue, names, pandera_schema, text
from scripts.model.backends import polars as exprs
from scripts.model.limits import SMALL_TABLE_ROWS
from scripts.model.package import Package
from scripts.validate import lock
from scripts.validate.registry import RULES
from tests.conftest import ROOT


def typed_frame(package: Package, name: str) -> pl.DataFrame:
    """A table as the release's Parquet holds it: typed by the model."""
    table = package.table(name)
    raw = pl.read_csv(table.path, infer_schema=False)
    return raw.select([exprs.cast(f, pl.col(f.name)).alias(f.name) for f in table.fields])


def test_every_name_code_relies_on_exists_in_the_schemas(package: Package) -> None:
    for table, columns in names.REQUIRED_COLUMNS.items():
        assert table in package.tables, table
        fields = package.table(table).field_names
        assert [c for c in columns if c not in fields] == [], table


def test_every_named_rule_is_in_the_catalogue_and_every_catalogued_rule_is_checked() -> None:
    implemented = set(RULES) | set(lock.FILE_RULES)  # the lock's own lines have no table row for pandera
    catalogued = {r.id for r in catalogue.CATALOGUE.values() if r.kind in (catalogue.RULE, catalogue.PROVENANCE)}
    assert catalogued <= implemented <= set(catalogue.CATALOGUE)
    # ranked with the file's own faults: clean text, and a source text that is not a regular file
    assert implemented - catalogued == {catalogue.CLEAN_TEXT, catalogue.NOT_REGULAR}


def test_the_pandera_schema_passes_the_real_table_and_names_each_failure_by_rule(package: Package) -> None:
    meetings = typed_frame(package, "meetings")
    schema = pandera_schema("meetings", ROOT)
    schema.validate(meetings, lazy=True)
    broken = meetings.with_columns(
        pl.when(pl.col("meeting_id") == "ca-consultative-6").then(pl.lit("finished")).otherwise(pl.col("status"))
        .alias("status"),
        pl.when(pl.col("meeting_id") == "ca-consultative-7").then(pl.lit(0)).otherwise(pl.col("ordinal"))
        .alias("ordinal"))
    import pandera.polars as pa

    with pytest.raises(pa.errors.SchemaErrors) as info:
        schema.validate(broken, lazy=True)
    cases = info.value.failure_cases.select("column", "check", "index").rows()
    row_6 = meetings["meeting_id"].to_list().index("ca-consultative-6")
    row_7 = meetings["meeting_id"].to_list().index("ca-consultative-7")
    assert sorted(cases) == sorted([("status", "enum", row_6), ("ordinal", "minimum", row_7)])


def test_the_pandera_schema_checks_foreign_keys_against_the_parents_given(package: Package) -> None:
    attendance = typed_frame(package, "attendance")
    states = typed_frame(package, "states")
    schema = pandera_schema("attendance", ROOT, parents={"states": states.filter(pl.col("state_id") != "AZE")})
    import pandera.polars as pa

    with pytest.raises(pa.errors.SchemaErrors) as info:
        schema.validate(attendance, lazy=True)
    failing = info.value.failure_cases.filter(pl.col("check") == "foreign-key")
    assert set(failing["column"]) == {"meeting_id"} or set(failing["column"]) == {"state_id"}
    azerbaijan = attendance.with_row_index("i").filter(pl.col("state_id") == "AZE")["i"].to_list()
    assert sorted(failing["index"].to_list()) == azerbaijan


@pytest.mark.parametrize(("value", "character"), [
    ("Deputy Prime \u202eretsiniM", "U+202E (right-to-left override)"),
    ("Prime\u200bMinister", "U+200B (zero-width space)"),
    ("\u2066Minister", "U+2066 (left-to-right isolate)"),
    ("Mini\ufeffster", "U+FEFF (zero-width no-break space)"),
    ("a\x07b", "U+0007 (control character)"),
])
def test_invisible_and_control_characters_are_refused_naming_the_character(value: str, character: str) -> None:
    assert text.unclean(value, multiline=False) == f"holds the character {character} at position {_at(value)}"
    assert text.unclean(value, multiline=True) is not None
    frame = pl.DataFrame({"t": [value, "Minister"]})
    assert frame.select(text.polars_unclean(pl.col("t"), False))["t"].to_list() == [True, False]


def _at(value: str) -> int:
    return next(i for i, c in enumerate(value) if not (c.isalnum() or c == " ")) + 1


def test_the_schema_verb_prints_each_column_with_its_checks_by_rule(capsys: pytest.CaptureFixture[str]) -> None:
    from scripts.cli import main

    assert main(["schema", "states", str(ROOT), "--pandera"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[2] == "#   pandera_schema('states').validate(frame, lazy=True)   # frame: typed, as the Parquet file"
    state = next(line for line in out if line.startswith("state_id"))
    assert "pattern: 3 capital letters" in state and "primary-key: the primary key (state_id) occurs once" in state
    assert main(["schema", "nope", str(ROOT), "--pandera"]) == 2
    assert capsys.readouterr().err.startswith("error: no table 'nope'; the tables are: sources, ")


def test_small_tables_are_queried_in_memory_and_big_ones_keep_the_default_engine() -> None:
    assert pl.Config.state(if_set=True).get("POLARS_ENGINE_AFFINITY") is None
    with exprs.engine_for(SMALL_TABLE_ROWS - 1):
        assert pl.Config.state(if_set=True)["POLARS_ENGINE_AFFINITY"] == "in-memory"
    assert pl.Config.state(if_set=True).get("POLARS_ENGINE_AFFINITY") is None
    with exprs.engine_for(SMALL_TABLE_ROWS):
        assert pl.Config.state(if_set=True).get("POLARS_ENGINE_AFFINITY") is None


def test_validation_runs_the_real_packages_checks_in_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    from scripts.validate import checks, validate_package

    seen: set[str | None] = set()
    original = checks.table_problems

    def spy(*args, **kwargs):
        seen.add(pl.Config.state(if_set=True).get("POLARS_ENGINE_AFFINITY"))
        return original(*args, **kwargs)

    monkeypatch.setattr(checks, "table_problems", spy)
    assert validate_package(ROOT) == []
    assert seen == {"in-memory"}
    assert pl.Config.state(if_set=True).get("POLARS_ENGINE_AFFINITY") is None


@pytest.mark.parametrize(("value", "multiline", "refused"), [
    ("a\r\nb", True, False),   # a Windows line break in a multi-line field is a line break
    ("a\rb", True, True),      # a lone carriage return is not
    ("a\nb", True, False),
    ("a\r\nb", False, True),   # no line break at all in a single-line field
    (None, False, False),
])
def test_refused_characters_in_polars_read_crlf_as_one_line_break(value: str | None, multiline: bool,
                                                                 refused: bool) -> None:
    frame = pl.DataFrame({"t": [value]}, schema={"t": pl.String})
    assert frame.select(text.polars_refused_chars(pl.col("t"), multiline))["t"].to_list() == [refused]


def test_unclean_reads_crlf_as_one_line_break_and_names_outer_spaces_in_words() -> None:
    assert text.unclean("a\r\nb", multiline=True) is None
    assert text.unclean("a\rb", multiline=True) == "holds the character U+000D (carriage return) at position 2"
    assert text.unclean(" a", multiline=False) == "has spaces (or other blank characters) at its start or end"
    assert text.unclean(" a", multiline=False, outer_spaces=False) is None
