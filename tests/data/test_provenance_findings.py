"""Every provenance finding exactly as a user reads it: file, row, field, value, rule, message and
hint (the corpus tests pin where a finding is; these pin what it says)."""

from __future__ import annotations

from pathlib import Path

from scripts.report import Problem
from scripts.validate import validate_package
from tests.data.corpus import Copy

CITATIONS = "tables/citations.csv"
SOURCES = "tables/sources.csv"


def test_a_citation_naming_a_field_its_table_lacks(pkg: Copy, sources_copy: Path) -> None:
    """Found once, with the texts or without, whatever the support: verbatim (C0114, of meetings.venue)
    or paraphrase (C0006, of sources.title; before 0.3.0 only a verbatim one was checked, and only
    with the texts)."""
    verbatim = pkg.edit("citations", "C0114", field_name="no_such_field")
    paraphrase = pkg.edit("citations", "C0006", field_name="headline")
    hint = "name one of the table's fields, or leave field_name empty to cite the whole record"
    expected = [Problem(CITATIONS, paraphrase, "field_name", "headline", "citation_field_exists",
                        "sources has no field 'headline'", hint),
                Problem(CITATIONS, verbatim, "field_name", "no_such_field", "citation_field_exists",
                        "meetings has no field 'no_such_field'", hint)]
    assert validate_package(pkg.root, sources_copy) == expected
    assert validate_package(pkg.root, None) == expected


def test_a_changed_value_its_verbatim_citation_no_longer_holds(pkg: Copy, sources_copy: Path) -> None:
    pkg.edit("meetings", "ca-consultative-7", venue="Palace of Independence")  # cited verbatim by C0114
    assert validate_package(pkg.root, sources_copy) == [
        Problem(CITATIONS, pkg.row_of("citations", "C0114"), "field_name", "venue", "citation-value-missing",
                "meetings.venue = 'Palace of Independence' does not occur in the cited lines",
                "cite the lines that state the value, or mark the citation paraphrase or inferred")]


def test_an_unknown_field_does_not_hide_the_next_field_of_its_table(pkg: Copy, sources_copy: Path) -> None:
    """The first verbatim citation of meetings names no field of it; a later one's value changed."""
    unknown = pkg.edit("citations", "C0108", field_name="no_such_field")
    pkg.edit("meetings", "ca-consultative-7", venue="Palace of Independence")
    assert [(p.row, p.rule) for p in validate_package(pkg.root, sources_copy)] == [
        (unknown, "citation_field_exists"), (pkg.row_of("citations", "C0114"), "citation-value-missing")]


def test_lines_past_the_end_and_evidence_not_in_the_lines(pkg: Copy, sources_copy: Path) -> None:
    past = pkg.edit("citations", "C0001", line_start="9000", line_end="9001")
    missing = pkg.edit("citations", "C0002", evidence="zebra crossing quartz")
    assert validate_package(pkg.root, sources_copy) == [
        Problem(CITATIONS, past, "line_end", "9001", "citation-past-end",
                "source src-000 has 6 lines; the citation ends at line 9001",
                "check the line numbers with grep -n in the source text"),
        Problem(CITATIONS, missing, "evidence", "zebra crossing quartz", "citation-evidence-missing",
                "the evidence does not occur in lines 3-3 of source src-000",
                "quote a few words exactly as the cited lines write them, or fix the line range")]


def test_source_texts_changed_missing_or_not_files(pkg: Copy, sources_copy: Path) -> None:
    changed, gone, folder = (row["file_name"] for row in pkg.rows("sources")[:3])
    (sources_copy / changed).write_text((sources_copy / changed).read_text(encoding="utf-8") + "\nx\n",
                                        encoding="utf-8")
    (sources_copy / gone).unlink()
    (sources_copy / folder).unlink()
    (sources_copy / folder).mkdir()
    recorded = pkg.rows("sources")[0]["sha256"]
    assert validate_package(pkg.root, sources_copy) == [
        Problem(SOURCES, 3, "file_name", gone, "source-file-missing", f"source text {sources_copy / gone} not found",
                "restore the file or point --sources at the folder that holds it"),
        Problem(SOURCES, 4, "file_name", folder, "not-a-regular-file",
                f"source text {sources_copy / folder} is a directory, not a regular file; it was not read",
                "replace it with a regular file (a FIFO, socket, device or folder is never read)"),
        Problem(SOURCES, 2, "sha256", recorded, "source-sha256-mismatch",
                f"{changed} has sha256 c25734ff16f74ba13239cdd82c0fb99ca169764f000a31308d78ae663a2c770b, "
                "not the recorded one",
                "the text changed: re-check its citations, then record the new sha256")]


def test_a_table_that_could_not_be_read_does_not_hide_the_next_tables_values(pkg: Copy, sources_copy: Path) -> None:
    """The first table cited verbatim (source_organizations) has no file; a later table's value
    that its verbatim citation no longer holds is still found."""
    pkg.path("source_organizations").unlink()
    pkg.edit("meetings", "ca-consultative-7", venue="Palace of Independence")  # cited verbatim by C0114
    assert [(p.file, p.row, p.rule) for p in validate_package(pkg.root, sources_copy)] == [
        ("tables/source_organizations.csv", None, "missing-file"),
        (CITATIONS, pkg.row_of("citations", "C0114"), "citation-value-missing")]
