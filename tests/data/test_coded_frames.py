"""Big tables are read in pieces and kept with categoricals: the findings must not change.

Every variant of the bad-input corpus (files, schemas, named rules, provenance) is validated twice:
as the real package is (each table read whole and kept as text), and as a big package is (read in
pieces of a few kilobytes, every table kept with its repeated columns as categoricals, checked
column by column and value by value). The reports must agree line for line: rule, file, row,
field, value, message and hint.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from scripts.validate import csvfile, frames, validate_package
from tests.data import test_corpus, test_corpus_rules
from tests.data.corpus import Copy, Expected

# The corpus's variants, grouped so that no variant of a group hides another's finding (each group
# is one broken package, validated both ways): file and schema variants, then the named rules.
GROUPS = [
    [getattr(test_corpus, name) for name in (
        "wrong_integer", "wrong_number", "wrong_boolean", "wrong_integer_in_citation", "outside_enum",
        "unit_outside_enum", "pattern_mismatch", "too_long", "missing_required_evidence", "duplicate_unique",
        "duplicate_primary_key", "duplicate_composite_key", "dangling_foreign_key", "dangling_meeting",
        "dangling_self_reference", "renamed_column", "extra_column", "blank_row", "byte_order_mark",
        "crlf_line_endings", "leading_space_in_key", "false_day")],
    [getattr(test_corpus, name) for name in (
        "below_minimum", "above_maximum", "missing_required", "missing_column", "trailing_space_in_key",
        "rows_not_sorted", "false_month")],
    [getattr(test_corpus, name) for name in (
        "ragged_extra_cell", "missing_csv", "nul_in_text", "escape_in_text", "next_line_in_text",
        "lone_carriage_return", "newline_in_a_single_line_field", "trailing_space_in_text")],
    [test_corpus.ragged_missing_cell],
    test_corpus_rules.VARIANTS,
]


def report(root: Path, sources: Path | None = None) -> list[tuple]:
    return sorted((p.rule, p.file, p.row or 0, p.field or "", repr(p.value), p.message, p.hint)
                  for p in validate_package(root, sources))


def both_ways(root: Path, monkeypatch: pytest.MonkeyPatch, sources: Path | None = None) -> tuple[list, list]:
    whole = report(root, sources)
    with monkeypatch.context() as patch:
        patch.setattr(frames, "CODED_MIN_ROWS", 1)
        patch.setattr(csvfile, "PIECE_BYTES", 4096)
        coded = report(root, sources)
    return whole, coded


@pytest.mark.parametrize("group", GROUPS, ids=lambda g: g[0].__name__)
def test_a_coded_package_gives_the_same_report(pkg: Copy, group: list[Callable[[Copy], Expected]],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    expected = set().union(*(variant(pkg) for variant in group))
    whole, coded = both_ways(pkg.root, monkeypatch)
    assert {line[:4] for line in whole} >= {(rule, file, row or 0, fld or "") for rule, file, row, fld in expected}
    assert coded == whole


def test_a_coded_package_gives_the_same_provenance(pkg: Copy, sources_copy: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    cites = pkg.rows("citations")
    cites[0]["evidence"] = "zebra crossing quartz"
    cites[1]["line_start"], cites[1]["line_end"] = "9000", "9001"
    value = next(c for c in cites if c["support"] == "verbatim" and (c["table_name"], c["field_name"])
                 == ("indicators", "value"))
    city = next(c for c in cites if c["support"] == "verbatim" and (c["table_name"], c["field_name"])
                == ("meetings", "city"))
    unknown = next(c for c in cites if c["support"] == "verbatim" and c["table_name"] == "meetings"
                   and c is not city)
    unknown["field_name"] = "no_such_field"
    pkg.write("citations", cites)
    pkg.edit("indicators", value["record_id"], value="12345")
    pkg.edit("meetings", city["record_id"], city="Atlantis")
    rows = {pkg.row_of("citations", c["citation_id"]): c for c in (value, city, unknown)}
    whole, coded = both_ways(pkg.root, monkeypatch, sources_copy)
    found = {(line[0], line[2]) for line in whole}
    assert found >= {("citation-evidence-missing", 2), ("citation-past-end", 3)}
    assert found >= {("citation-value-missing", row) for row, c in rows.items() if c is not unknown}
    assert ("citation_field_exists", next(r for r, c in rows.items() if c is unknown)) in found
    assert coded == whole


def test_the_real_package_is_coded_where_its_columns_repeat(package_copy: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import polars as pl

    from scripts.model.package import load_package

    monkeypatch.setattr(frames, "CODED_MIN_ROWS", 1)
    read, _ = frames.read_package(load_package(package_copy))
    citations = read.raw["citations"]
    assert citations.schema["table_name"] == pl.Categorical(citations.schema["table_name"].categories)
    assert citations.schema["citation_id"] == pl.String
    assert read.text("citations", "table_name")["table_name"].dtype == pl.String
