"""Source coverage on tiny synthetic packages: the sentence rule, the three verdicts, exit codes."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from scripts import cli
from scripts.coverage import Sentence, coverage_report, split_sentences

TEXT = """Headline of the Report
Ministers met on Dec. 1 in Astana. Trade grew by 5%.

«Our region is great,» he said.
The treaty was
signed by three states.
Photo: someone/Pixabay
"""


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def make_package(tmp_path: Path, citations: list[list[str]],
                 exclusions: list[list[str]] | None = None) -> tuple[Path, Path]:
    root, sources = tmp_path / "pkg", tmp_path / "sources"
    sources.mkdir()
    (sources / "000_test.txt").write_text(TEXT, encoding="utf-8")
    write_csv(root / "tables" / "sources.csv", ["source_id", "file_name"], [["src-000", "000_test.txt"]])
    write_csv(root / "tables" / "citations.csv", ["citation_id", "source_id", "line_start", "line_end", "evidence"],
              [[f"C{i:04d}", *row] for i, row in enumerate(citations, start=1)])
    if exclusions is not None:
        header = ["source_id", "line", "words", "reason"]
        write_csv(root / "docs" / "source-coverage-exclusions.csv", header, exclusions)
    return root, sources


ALL_CITED = [["src-000", "1", "1", "Headline"], ["src-000", "2", "2", "Dec. 1"], ["src-000", "2", "2", "by 5%"],
             ["src-000", "5", "6", "was signed"]]
EXCLUDED = [["src-000", "4", "region is great", "rhetoric"], ["src-000", "7", "Photo:", "photo credit"]]


def test_sentence_rule() -> None:
    assert split_sentences(TEXT.splitlines()) == [
        Sentence(1, 1, "Headline of the Report"),             # a heading: no punctuation, next line capitalised
        Sentence(2, 2, "Ministers met on Dec. 1 in Astana."),  # 'Dec. 1' is not a sentence end
        Sentence(2, 2, "Trade grew by 5%."),
        Sentence(4, 4, "«Our region is great,» he said."),
        Sentence(5, 6, "The treaty was signed by three states."),  # a hard-wrapped line continues
        Sentence(7, 7, "Photo: someone/Pixabay"),
    ]


def test_one_word_line_and_line_with_comma_continue() -> None:
    lines = ["President", "Tokayev spoke. In", "2026, it moves to a format: Central", "Asia + Azerbaijan."]
    assert [s.text for s in split_sentences(lines)] == [
        "President Tokayev spoke.", "In 2026, it moves to a format: Central Asia + Azerbaijan."]


def test_cited_excluded_and_uncovered(tmp_path: Path) -> None:
    root, sources = make_package(tmp_path, ALL_CITED[:2], EXCLUDED[:1])
    (source,) = coverage_report(root, sources).sources
    assert [s.start for s in source.cited] == [1, 2]
    assert [(s.start, reason) for s, reason in source.excluded] == [(4, "rhetoric")]
    assert [s.text for s in source.uncovered] == ["Trade grew by 5%.", "The treaty was signed by three states.",
                                                  "Photo: someone/Pixabay"]
    assert round(source.share, 1) == 50.0


def test_evidence_must_stand_in_the_sentence_and_lines_must_overlap(tmp_path: Path) -> None:
    """Evidence from another sentence on the same line, or the right words on the wrong line, cover nothing."""
    root, sources = make_package(tmp_path, [["src-000", "2", "2", "Dec. 1"], ["src-000", "1", "1", "was signed"]])
    (source,) = coverage_report(root, sources).sources
    assert [s.text for s in source.cited] == ["Ministers met on Dec. 1 in Astana."]


def test_evidence_is_compared_with_whitespace_folded(tmp_path: Path) -> None:
    root, sources = make_package(tmp_path, [["src-000", "5", "6", "treaty   was\nsigned"]])
    (source,) = coverage_report(root, sources).sources
    assert [s.start for s in source.cited] == [5]


def main(argv: list[str]) -> int:
    """The coverage verb through the one command line, as a user runs it."""
    return cli.main(["coverage", *argv])


def test_complete_report_exits_0_and_prints_figures(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root, sources = make_package(tmp_path, ALL_CITED, EXCLUDED)
    assert main([str(root), "--sources", str(sources)]) == 0
    assert capsys.readouterr().out == (
        "src-000 (000_test.txt): 6 sentences, 4 cited, 2 excluded, 0 uncovered, 100.0% covered\n"
        "total: 6 sentences, 6 cited or excluded, 100.0% covered\n")
    assert not (root / "docs" / "source-coverage.md").exists()  # written only when asked


def test_uncovered_sentence_exits_1_and_is_listed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root, sources = make_package(tmp_path, ALL_CITED[:3], EXCLUDED)
    assert main([str(root), "--sources", str(sources)]) == 1
    out = capsys.readouterr().out
    assert "1 uncovered, 83.3% covered" in out
    assert "  uncovered, line 5: The treaty was signed by three …\n" in out


def test_stale_exclusion_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stale = ["src-000", "2", "no such words", "gone"]
    root, sources = make_package(tmp_path, ALL_CITED, [*EXCLUDED, stale])
    assert main([str(root), "--sources", str(sources)]) == 1
    assert ("stale exclusion, docs/source-coverage-exclusions.csv row 4: src-000 line 2 'no such words' "
            "matches no uncited sentence") in capsys.readouterr().out


def test_write_produces_the_docs_page_deterministically(tmp_path: Path) -> None:
    root, sources = make_package(tmp_path, ALL_CITED, EXCLUDED)
    assert main([str(root), "--sources", str(sources), "--write"]) == 0
    page = root / "docs" / "source-coverage.md"
    first = page.read_bytes()
    assert "| src-000 | 6 | 4 | 2 | 0 | 100.0% |" in first.decode()
    assert "- src-000 line 7 (Photo: someone/Pixabay): photo credit" in first.decode()
    assert main([str(root), "--sources", str(sources), "--write"]) == 0
    assert page.read_bytes() == first
    left = {p.name for p in page.parent.iterdir()}
    assert left == {"source-coverage.md", "source-coverage-exclusions.csv"}  # no temporary file left behind


def test_missing_sources_folder_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root, _ = make_package(tmp_path, ALL_CITED)
    assert main([str(root), "--sources", str(tmp_path / "nowhere")]) == 2
    assert capsys.readouterr().err == (f"error: sources folder {tmp_path / 'nowhere'} not found: "
                                       "pass --sources DIR or set CAC_SOURCES\n")


def test_malformed_exclusion_row_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root, sources = make_package(tmp_path, ALL_CITED, [["src-000", "seven", "Photo:", "credit"]])
    assert main([str(root), "--sources", str(sources)]) == 2
    assert "row 2: line must be a number, words and reason filled in" in capsys.readouterr().err


def test_unknown_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--no-such-option"])
    assert exit_.value.code == 2
    assert "unrecognized arguments" in capsys.readouterr().err


def test_a_short_citation_row_is_left_to_validation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root, sources = make_package(tmp_path, ALL_CITED, EXCLUDED)
    with (root / "tables" / "citations.csv").open("a", encoding="utf-8") as handle:
        handle.write("C0099,src-000,2\nC0100,src-000,2,2\n")  # no line_end; no evidence (it would cover all)
    assert main([str(root), "--sources", str(sources)]) == 0
    assert "6 sentences, 4 cited, 2 excluded" in capsys.readouterr().out


@pytest.mark.parametrize(("header", "file_name", "error"), [
    (["source_id", "name"], "000_test.txt", "tables/sources.csv: the header must name file_name"),
    (["source_id", "file_name"], "../000_test.txt", "error: source text '../000_test.txt' is not a file inside"),
])
def test_unusable_sources_table_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 header: list[str], file_name: str, error: str) -> None:
    root, sources = make_package(tmp_path, ALL_CITED, EXCLUDED)
    write_csv(root / "tables" / "sources.csv", header, [["src-000", file_name]])
    assert main([str(root), "--sources", str(sources)]) == 2
    assert error in capsys.readouterr().err
