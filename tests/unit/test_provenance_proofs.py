"""What provenance proves, on a source text written here: the exact lines a range covers (the last
line too), evidence word for word and case for case, numbers compared by value, source files kept
inside the sources folder. Each test names the finding (rule, row, field, message) exactly.

The package is a copy of the real one whose citations are replaced by the ones a test gives, all
pointing into one small source text (``src-900``) recorded in ``sources.csv`` with its sha256."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from scripts.model.package import csv_text, load_package, read_rows
from scripts.validate.frames import read_package
from scripts.validate.provenance import provenance_problems, value_occurs
from tests.unit.xlsx_support import copy_package

TEXT = ("The Fifth Meeting was held in Dushanbe.\n"      # line 1
        "Trade reached 5,000 million dollars\n"            # line 2
        "in the year. Leaders agreed on 11 points\n"      # line 3
        "and the last line names Astana.\n")              # line 4: the last line
SOURCE = "src-900"
FIGURE = "intraregional-trade-region-2023-src-000"  # an indicator whose value the tests set


def write_source(sources: Path, name: str, text: str = TEXT) -> str:
    path = sources / name
    path.write_text(text, encoding="utf-8")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def set_source(root: Path, file_name: str, sha256: str) -> None:
    """Add source ``src-900`` (``file_name`` with ``sha256``) to sources.csv, or replace it."""
    table = load_package(root).table("sources")
    rows = [r for r in read_rows(table) if r["source_id"] != SOURCE]
    rows.append({**rows[0], "source_id": SOURCE, "file_name": file_name, "sha256": sha256})
    table.path.write_text(csv_text(table, rows), encoding="utf-8")


def set_citations(root: Path, *citations: tuple[int, int, str, str]) -> None:
    """Replace every citation by these (line_start, line_end, evidence, field_name) of ``FIGURE``
    from ``src-900``: verbatim when a field is named, paraphrase otherwise."""
    table = load_package(root).table("citations")
    rows = [{"citation_id": f"C{n:04d}", "table_name": "indicators", "record_id": FIGURE, "field_name": field,
             "source_id": SOURCE, "line_start": str(start), "line_end": str(end),
             "support": "verbatim" if field else "paraphrase", "evidence": evidence}
            for n, (start, end, evidence, field) in enumerate(citations, 1)]
    table.path.write_text(csv_text(table, rows), encoding="utf-8")


def set_value(root: Path, value: str) -> None:
    table = load_package(root).table("indicators")
    rows = read_rows(table)
    next(r for r in rows if r["observation_id"] == FIGURE)["value"] = value
    table.path.write_text(csv_text(table, rows), encoding="utf-8")


@pytest.fixture()
def pkg(tmp_path: Path) -> Path:
    root = copy_package(tmp_path / "pkg")
    (tmp_path / "sources").mkdir()
    set_source(root, "900.txt", write_source(tmp_path / "sources", "900.txt"))
    return root


def proved(root: Path, sources: Path) -> list[tuple[str, int | None, str | None, str]]:
    """(rule, row, field, message) of every provenance finding about ``src-900`` and its citations."""
    frames, problems = read_package(load_package(root))
    assert problems == []
    mine = {"tables/citations.csv": None, "tables/sources.csv": _row_of_source(root)}  # None: every row
    found = [(p.rule, p.row, p.field, p.message) for p in provenance_problems(frames, sources)
             if p.file in mine and mine[p.file] in (None, p.row)]
    return sorted(found, key=lambda f: (f[1] or 0, f[0]))


def _row_of_source(root: Path) -> int:
    ids = [r["source_id"] for r in read_rows(load_package(root).table("sources"))]
    return ids.index(SOURCE) + 2


def test_evidence_on_each_line_of_its_range_passes(pkg: Path, tmp_path: Path) -> None:
    set_citations(pkg, (1, 1, "The Fifth Meeting", ""), (4, 4, "names Astana.", ""), (1, 4, "The Fifth", ""),
                  (1, 4, "names Astana", ""), (2, 3, "dollars in the year.", ""), (3, 4, "11 points and the", ""))
    assert proved(pkg, tmp_path / "sources") == []


def test_wrong_evidence_on_the_last_line_is_found(pkg: Path, tmp_path: Path) -> None:
    """A citation ending on the source's last line is checked like any other (not skipped as
    past the end, not passed unchecked)."""
    set_citations(pkg, (4, 4, "names Tashkent", ""), (3, 4, "names Bishkek", ""))
    assert proved(pkg, tmp_path / "sources") == [
        ("citation-evidence-missing", 2, "evidence", f"the evidence does not occur in lines 4-4 of source {SOURCE}"),
        ("citation-evidence-missing", 3, "evidence", f"the evidence does not occur in lines 3-4 of source {SOURCE}")]


def test_a_range_past_the_last_line_is_found_and_names_the_line_count(pkg: Path, tmp_path: Path) -> None:
    set_citations(pkg, (5, 5, "names Astana", ""), (4, 5, "names Astana", ""))
    assert proved(pkg, tmp_path / "sources") == [
        ("citation-past-end", 2, "line_end", f"source {SOURCE} has 4 lines; the citation ends at line 5"),
        ("citation-past-end", 3, "line_end", f"source {SOURCE} has 4 lines; the citation ends at line 5")]


@pytest.mark.parametrize(("start", "end", "evidence"), [
    (2, 2, "The Fifth Meeting"),   # on the line before the range
    (1, 1, "Trade reached"),       # on the line after the range
    (2, 3, "held in Dushanbe"),    # one line before a two-line range
    (2, 3, "the last line"),       # one line after a two-line range
])
def test_evidence_outside_the_range_by_one_line_is_found(pkg: Path, tmp_path: Path, start: int, end: int,
                                                         evidence: str) -> None:
    set_citations(pkg, (start, end, evidence, ""))
    assert proved(pkg, tmp_path / "sources") == [
        ("citation-evidence-missing", 2, "evidence",
         f"the evidence does not occur in lines {start}-{end} of source {SOURCE}")]


def test_evidence_is_compared_case_for_case(pkg: Path, tmp_path: Path) -> None:
    set_citations(pkg, (1, 1, "the fifth meeting", ""), (1, 1, "THE FIFTH MEETING", ""),
                  (1, 1, "The Fifth Meeting", ""))
    assert [(rule, row) for rule, row, _, _ in proved(pkg, tmp_path / "sources")] == [
        ("citation-evidence-missing", 2), ("citation-evidence-missing", 3)]


def test_evidence_is_compared_with_whitespace_folded_and_word_for_word(pkg: Path, tmp_path: Path) -> None:
    set_citations(pkg, (2, 3, "million   dollars\tin the", ""), (2, 3, "million dollar in the", ""))
    assert [(rule, row) for rule, row, _, _ in proved(pkg, tmp_path / "sources")] == [
        ("citation-evidence-missing", 3)]


@pytest.mark.parametrize(("value", "ok"), [("5000", True), ("5000.0", True), ("11", True), ("1", False),
                                           ("500", False), ("50", False), ("5", False), ("1.1", False)])
def test_a_verbatim_number_is_compared_by_value_not_as_text(pkg: Path, tmp_path: Path, value: str, ok: bool) -> None:
    """'5,000' proves 5000; '11 points' proves 11 but not 1 (which the text '11' contains), nor
    '500' (which '5,000' contains as text)."""
    set_value(pkg, value)
    set_citations(pkg, (2, 3, "5,000 million", "value"))
    expected = [] if ok else [("citation-value-missing", 2, "field_name",
                               f"indicators.value = {value!r} does not occur in the cited lines")]
    assert proved(pkg, tmp_path / "sources") == expected


def test_a_verbatim_number_outside_the_range_by_one_line_is_found(pkg: Path, tmp_path: Path) -> None:
    set_value(pkg, "11")
    set_citations(pkg, (2, 2, "5,000 million", "value"), (3, 3, "11 points", "value"), (4, 4, "names Astana", "value"))
    assert [(rule, row) for rule, row, _, _ in proved(pkg, tmp_path / "sources")] == [
        ("citation-value-missing", 2), ("citation-value-missing", 4)]


def test_value_occurs_compares_numbers_by_value_and_text_case_insensitively() -> None:
    assert value_occurs(True, 5000, "reached 5,000 million") is True
    assert value_occurs(True, 1, "agreed on 11 points") is False
    assert value_occurs(True, 0.5, "grew 0.5 percent") is True
    assert value_occurs(True, 5, "grew 0.5 percent") is False
    assert value_occurs(False, "Astana", "names ASTANA.") is True
    assert value_occurs(False, "New  York", "in new york city") is True
    assert value_occurs(False, "Astana", "names Almaty") is False


def missing(root: Path, name: str) -> list[tuple[str, int | None, str | None, str]]:
    return [("source-file-missing", _row_of_source(root), "file_name", f"source text {name} not found")]


def test_a_source_file_climbing_out_of_the_sources_folder_is_not_read(pkg: Path, tmp_path: Path) -> None:
    """``../outside.txt`` exists, with the recorded sha256, beside the sources folder: it is
    reported missing, never read as a source."""
    sources = tmp_path / "sources"
    digest = write_source(tmp_path, "outside.txt")
    set_source(pkg, "../outside.txt", digest)
    set_citations(pkg, (1, 1, "The Fifth Meeting", ""))
    found = proved(pkg, sources)
    assert [f[:3] for f in found] == [("source-file-missing", _row_of_source(pkg), "file_name")]
    assert found[0][3] == f"source text {sources / '..' / 'outside.txt'} not found"


def test_a_source_without_a_file_name_is_left_to_the_required_rule(pkg: Path, tmp_path: Path) -> None:
    """Only the source after it is reported: a blank name is not read as the sources folder itself."""
    set_source(pkg, "", "0" * 64)
    table = load_package(pkg).table("sources")
    rows = [*read_rows(table), {**read_rows(table)[0], "source_id": "src-901", "file_name": "901.txt"}]
    table.path.write_text(csv_text(table, rows), encoding="utf-8")
    set_citations(pkg, (1, 1, "The Fifth Meeting", ""))
    frames, _ = read_package(load_package(pkg))
    mine = (_row_of_source(pkg), len(rows) + 1)  # src-900 (no name) and src-901; the others are not in tmp
    assert [(p.rule, p.row, p.message) for p in provenance_problems(frames, tmp_path / "sources")
            if p.file == "tables/sources.csv" and p.row in mine] == [
        ("source-file-missing", len(rows) + 1, f"source text {tmp_path / 'sources' / '901.txt'} not found")]


def test_a_source_file_linking_out_of_the_sources_folder_is_not_read(pkg: Path, tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    digest = write_source(tmp_path, "outside.txt")
    os.symlink(tmp_path / "outside.txt", sources / "link.txt")
    set_source(pkg, "link.txt", digest)
    set_citations(pkg, (1, 1, "The Fifth Meeting", ""))
    assert proved(pkg, sources) == missing(pkg, str(sources / "link.txt"))


def test_a_link_inside_the_sources_folder_is_read(pkg: Path, tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    os.symlink(sources / "900.txt", sources / "link.txt")
    set_source(pkg, "link.txt", hashlib.sha256(TEXT.encode()).hexdigest())
    set_citations(pkg, (1, 1, "The Fifth Meeting", ""), (1, 1, "not there", ""))
    assert [(rule, row) for rule, row, _, _ in proved(pkg, sources)] == [("citation-evidence-missing", 3)]


def test_a_changed_source_text_is_found_by_its_sha256(pkg: Path, tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    (sources / "900.txt").write_text(TEXT.replace("Fifth", "Sixth"), encoding="utf-8")
    set_citations(pkg, (1, 1, "The Fifth Meeting", ""))
    digest = hashlib.sha256(TEXT.replace("Fifth", "Sixth").encode()).hexdigest()
    assert proved(pkg, sources) == [("source-sha256-mismatch", _row_of_source(pkg), "sha256",
                                     f"900.txt has sha256 {digest}, not the recorded one")]


def test_without_a_citations_table_nothing_is_proved_or_read(pkg: Path, tmp_path: Path) -> None:
    """A package whose citations.csv is missing (its own finding) has no provenance problems and
    no source texts read: the lock then records nothing rather than failing."""
    from scripts.validate.provenance import source_texts

    (pkg / "tables" / "citations.csv").unlink()
    frames, problems = read_package(load_package(pkg))
    assert [p.rule for p in problems] == ["missing-file"] and "citations" not in frames.raw
    assert provenance_problems(frames, tmp_path / "sources") == []
    assert source_texts(frames, tmp_path / "sources") == {}


def test_a_verbatim_whole_number_is_compared_by_value_too(pkg: Path, tmp_path: Path) -> None:
    """An integer field (a meeting's ordinal) is a number as a figure is: '11 points' does not
    prove the ordinal 1, which the text '11' contains."""
    meetings = load_package(pkg).table("meetings")
    rows = read_rows(meetings)
    next(r for r in rows if r["meeting_id"] == "ca-consultative-7")["ordinal"] = "1"
    meetings.path.write_text(csv_text(meetings, rows), encoding="utf-8")
    citations = load_package(pkg).table("citations")
    citations.path.write_text(csv_text(citations, [
        {"citation_id": "C0001", "table_name": "meetings", "record_id": "ca-consultative-7", "field_name": "ordinal",
         "source_id": SOURCE, "line_start": "3", "line_end": "3", "support": "verbatim", "evidence": "11 points"}]),
        encoding="utf-8")
    assert proved(pkg, tmp_path / "sources") == [
        ("citation-value-missing", 2, "field_name", "meetings.ordinal = '1' does not occur in the cited lines")]
