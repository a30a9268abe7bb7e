"""The CI reports' pieces: a record's physical line and a field's column, GitHub's escaping, and
where findings about a whole file, a column or a physical line land."""

from __future__ import annotations

from pathlib import Path

from scripts.report import Problem
from scripts.report_formats import (
    Location,
    Locator,
    escape_data,
    escape_property,
    field_column,
    github_line,
    record_starts,
)

CSV = 'id,note,n\na,"one\ntwo ""quoted""\nthree",1\nb,plain,2\n\nc,"x,y",3\n'


def test_a_record_starts_where_its_first_line_is_even_across_quoted_line_breaks() -> None:
    assert record_starts(CSV) == [1, 2, 5, 6, 7]  # header, a (lines 2-4), b, the blank row, c
    assert record_starts("id\na\nb") == [1, 2, 3]  # no final line break


def test_a_field_column_counts_commas_outside_quotes_only() -> None:
    assert field_column("c,\"x,y\",3", 0) == 1
    assert field_column("c,\"x,y\",3", 1) == 3
    assert field_column("c,\"x,y\",3", 2) == 9
    assert field_column('a,"one', 2) is None  # the field starts on a later line of the record


def test_github_escapes_data_and_properties_as_the_runner_reads_them() -> None:
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("dir,a/x:y.csv") == "dir%2Ca/x%3Ay.csv"
    problem = Problem("x.csv", 3, "n", "1", "some-rule", "50% of\nit", "fix: it, now")
    assert github_line(problem, Location("dir,a/x:y.csv", 8, 3)) == (
        "::error file=dir%2Ca/x%3Ay.csv,line=8,col=3,title=some-rule::50%25 of%0Ait (fix: it, now)")
    assert github_line(problem, Location("x.csv")) == "::error file=x.csv,title=some-rule::50%25 of%0Ait (fix: it, now)"


def test_rows_map_to_lines_and_whole_file_findings_have_none(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text(CSV, encoding="utf-8")
    where = Locator(tmp_path, base=tmp_path)

    def at(row: int | None, field: str | None, rule: str = "r", file: str = "t.csv") -> Location:
        return where.locate(Problem(file, row, field, None, rule, "m"))

    assert at(3, "n") == Location("t.csv", 5, 9)  # record b, after a's three lines
    assert at(5, "note") == Location("t.csv", 7, 3)
    assert at(2, "n") == Location("t.csv", 2, None)  # n starts on the record's third line
    assert at(None, "n") == Location("t.csv", 1, 9)  # a column's problem: the header
    assert at(None, None) == Location("t.csv")  # the whole file
    assert at(99, "n") == Location("t.csv")  # no such row: no line rather than a wrong one
    assert at(4, None, rule="crlf-line-ending") == Location("t.csv", 4)  # already a physical line
    assert at(6, "citation_id", file="provenance.lock") == Location("provenance.lock", 6)  # entries are lines
    assert at(None, None, file="datapackage.json") == Location("datapackage.json")


def test_paths_are_relative_to_the_working_directory(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    assert Locator(tmp_path / "pkg", base=tmp_path).path("tables/x.csv") == "pkg/tables/x.csv"
    assert Locator(tmp_path / "pkg", base=tmp_path / "pkg").path("tables/x.csv") == "tables/x.csv"
    elsewhere = Locator(tmp_path / "pkg", base=tmp_path / "other")
    assert elsewhere.path("tables/x.csv") == (tmp_path / "pkg" / "tables" / "x.csv").as_posix()
