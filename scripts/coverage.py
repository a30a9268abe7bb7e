"""Source coverage: which sentences of each source text no record cites, like code coverage.

Why: a package that cites every record can still leave half of what its sources say unrecorded.
Counting sentences turns "everything the sources say is modelled" into a number a maintainer can
keep at 100%: every sentence is either cited or listed, with a reason, in
``docs/source-coverage-exclusions.csv``.

Sentence rule (the whole rule; ``split_sentences`` implements it):

1. A sentence ends inside a line at ``.``, ``!`` or ``?`` (plus any closing quotes or brackets)
   when whitespace and then a capital letter or an opening quote follow. "Dec. 1" is not split.
2. A sentence ends at the end of a line when the line ends with such punctuation, when the next
   line is blank or missing, or when the line is a heading: it has no terminal punctuation, no
   comma, at least two words, and the next line begins with a capital letter.
3. Otherwise the next line continues the sentence (hard-wrapped text such as source 003).
   Blank lines are never sentences.

A sentence is *cited* when a citation of its source has a line range that overlaps the
sentence's lines and evidence that occurs in the sentence, both compared with whitespace folded
exactly as the provenance check folds them. It is *excluded* when an exclusion row names its
source, one of its lines and a few words that occur in it. Otherwise it is *uncovered*.
An exclusion row that matches no uncited sentence is *stale* and, like an uncovered sentence,
makes the report fail: the list of reasons stays true.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from scripts.files import NotRegularFile, read_regular
from scripts.model.package import confinement_problem, csv_dict_reader
from scripts.model.text import fold

# The package names this module reads, kept in one place.
SOURCES_CSV = Path("tables") / "sources.csv"
CITATIONS_CSV = Path("tables") / "citations.csv"
EXCLUSIONS_CSV = Path("docs") / "source-coverage-exclusions.csv"
REPORT_MD = Path("docs") / "source-coverage.md"
EXCLUSION_FIELDS = ("source_id", "line", "words", "reason")

TERMINAL = ".!?"
CLOSERS = "»”\"’)]"
OPENERS = "«“\"‘'("
INLINE_END = re.compile(r"[.!?][»”\"’)\]]*(?=\s+[«“\"‘'(]|\s+[^\W\d_])")
SNIPPET_WORDS = 6


class CoverageError(Exception):
    """A missing or unreadable input: the report cannot be made (exit 2)."""


@dataclass(frozen=True)
class Sentence:
    """One sentence of a source: its first and last line (1-based) and its text, folded."""

    start: int
    end: int
    text: str

    def snippet(self) -> str:
        """The sentence's first words, short enough never to copy a source's phrasing."""
        words = self.text.split()
        more = " …" if len(words) > SNIPPET_WORDS else ""
        return " ".join(words[:SNIPPET_WORDS]) + more


@dataclass(frozen=True)
class Exclusion:
    """A sentence deliberately left out of the model, with the reason."""

    source_id: str
    line: int
    words: str
    reason: str
    row: int

    def matches(self, sentence: Sentence) -> bool:
        return sentence.start <= self.line <= sentence.end and fold(self.words) in sentence.text


@dataclass(frozen=True)
class Citation:
    """The part of a citation that coverage reads: where it points and its evidence."""

    source_id: str
    start: int
    end: int
    evidence: str

    def covers(self, sentence: Sentence) -> bool:
        overlaps = self.start <= sentence.end and sentence.start <= self.end
        return overlaps and fold(self.evidence) in sentence.text


@dataclass
class SourceCoverage:
    """Every sentence of one source, sorted into cited, excluded (with reasons) and uncovered."""

    source_id: str
    file_name: str
    cited: list[Sentence] = field(default_factory=list)
    excluded: list[tuple[Sentence, str]] = field(default_factory=list)
    uncovered: list[Sentence] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.cited) + len(self.excluded) + len(self.uncovered)

    @property
    def share(self) -> float:
        """Share of sentences cited or excluded, in percent (100 for an empty source)."""
        return 100.0 if not self.total else 100.0 * (self.total - len(self.uncovered)) / self.total


@dataclass
class CoverageReport:
    """The coverage of every source, and the exclusion rows that no longer match anything."""

    sources: list[SourceCoverage]
    stale: list[Exclusion]

    @property
    def complete(self) -> bool:
        return not self.stale and not any(s.uncovered for s in self.sources)


# --------------------------------------------------------------------------- sentences

def _is_heading(line: str, following: str) -> bool:
    text = line.strip()
    return ("," not in text and len(text.split()) >= 2 and text[-1] not in TERMINAL
            and following[:1].isupper())


def _ends_line(line: str, following: str | None) -> bool:
    text = line.strip().rstrip(CLOSERS)
    if following is None or not following.strip():
        return True
    return text[-1:] in TERMINAL or _is_heading(line, following.strip())


def split_sentences(lines: list[str]) -> list[Sentence]:
    """The sentences of a text given as its lines, by the rule in the module docstring."""
    sentences: list[Sentence] = []
    parts: list[str] = []
    first = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        following = lines[number] if number < len(lines) else None
        pieces = _split_line(line)
        for index, piece in enumerate(pieces):
            if not parts:
                first = number
            parts.append(piece)
            last_piece = index == len(pieces) - 1
            if not last_piece or _ends_line(line, following):
                text = fold(" ".join(parts))
                if text:
                    sentences.append(Sentence(first, number, text))
                parts = []
    return sentences


def _split_line(line: str) -> list[str]:
    """A line cut after each sentence end inside it (rule 1)."""
    pieces, begin = [], 0
    for match in INLINE_END.finditer(line):
        pieces.append(line[begin:match.end()])
        begin = match.end()
    pieces.append(line[begin:])
    return [p for p in pieces if p.strip()]


# --------------------------------------------------------------------------- inputs

def _read_csv(path: Path, required: Iterable[str] = ()) -> list[dict[str, str]]:
    """The rows of a CSV, refused (exit 2) when unreadable or when its header lacks a ``required`` column."""
    try:
        reader = csv_dict_reader(io.StringIO(read_regular(path).decode("utf-8"), newline=""))
        rows = list(reader)
    except (OSError, UnicodeDecodeError, NotRegularFile, csv.Error) as exc:
        raise CoverageError(f"cannot read {path}: {exc}") from exc
    lacking = [name for name in required if name not in (reader.fieldnames or ())]
    if lacking:
        raise CoverageError(f"{path}: the header must name {', '.join(lacking)}")
    return rows


def _citations(root: Path) -> dict[str, list[Citation]]:
    by_source: dict[str, list[Citation]] = {}
    for row in _read_csv(root / CITATIONS_CSV):
        try:
            cite = Citation(row["source_id"], int(row["line_start"]), int(row["line_end"]), row["evidence"])
        except (KeyError, TypeError, ValueError):  # TypeError: a short row leaves its last cells None
            continue  # a malformed citation is validation's to report, not coverage's
        if not cite.evidence:
            continue  # required: without evidence a citation would cover every sentence it touches
        by_source.setdefault(cite.source_id, []).append(cite)
    return by_source


def read_exclusions(path: Path) -> list[Exclusion]:
    """The exclusion rows (none when the file is absent); a malformed row is an error."""
    if not path.is_file():
        return []
    rows = _read_csv(path, EXCLUSION_FIELDS)
    return [_exclusion(path, number, row) for number, row in enumerate(rows, start=2)]


def _exclusion(path: Path, number: int, row: dict[str, str]) -> Exclusion:
    """One exclusion row, refused unless its line is a number and its words and reason are filled
    in: kept apart from the file's own checks in :func:`read_exclusions`."""
    if not (row["line"] or "").isdigit() or not (row["words"] or "").strip() or not (row["reason"] or "").strip():
        raise CoverageError(f"{path} row {number}: line must be a number, words and reason filled in")
    return Exclusion(row["source_id"], int(row["line"]), row["words"], row["reason"].strip(), number)


def _source_lines(sources: Path, file_name: str | None) -> list[str]:
    """A source text's lines; a name that leaves the sources folder is refused as provenance refuses it."""
    if confinement_problem(sources, file_name):
        raise CoverageError(f"source text {file_name!r} is not a file inside {sources}")
    path = sources / file_name
    try:
        return read_regular(path).decode("utf-8").splitlines()
    except (OSError, UnicodeDecodeError, NotRegularFile) as exc:
        raise CoverageError(f"cannot read source text {path}: {exc}") from exc


# --------------------------------------------------------------------------- the report

def coverage_report(root: Path, sources: Path) -> CoverageReport:
    """Sort every sentence of every source listed in ``root``'s sources table."""
    root, sources = Path(root), Path(sources)
    if not sources.is_dir():
        raise CoverageError(f"sources folder {sources} not found")
    citations = _citations(root)
    exclusions = read_exclusions(root / EXCLUSIONS_CSV)
    used: set[int] = set()
    report = []
    for row in sorted(_read_csv(root / SOURCES_CSV, ("source_id", "file_name")), key=lambda r: r["source_id"] or ""):
        source_id = row["source_id"]
        coverage = SourceCoverage(source_id, row["file_name"])
        mine = [e for e in exclusions if e.source_id == source_id]
        for sentence in split_sentences(_source_lines(sources, row["file_name"])):
            _classify(coverage, sentence, citations.get(source_id, []), mine, used)
        report.append(coverage)
    stale = [e for e in exclusions if e.row not in used]
    return CoverageReport(report, stale)


def _classify(coverage: SourceCoverage, sentence: Sentence, citations: Iterable[Citation],
              exclusions: Iterable[Exclusion], used: set[int]) -> None:
    if any(c.covers(sentence) for c in citations):
        coverage.cited.append(sentence)
        return
    match = next((e for e in exclusions if e.matches(sentence)), None)
    if match is None:
        coverage.uncovered.append(sentence)
    else:
        used.add(match.row)
        coverage.excluded.append((sentence, match.reason))


def render_text(report: CoverageReport) -> str:
    """The terminal report: one line per source, then what is uncovered or stale."""
    out = []
    for s in report.sources:
        out.append(f"{s.source_id} ({s.file_name}): {s.total} sentences, {len(s.cited)} cited, "
                   f"{len(s.excluded)} excluded, {len(s.uncovered)} uncovered, {s.share:.1f}% covered")
        out.extend(f"  uncovered, line {u.start}: {u.snippet()}" for u in s.uncovered)
    out.extend(f"stale exclusion, {EXCLUSIONS_CSV} row {e.row}: {e.source_id} line {e.line} "
               f"'{e.words}' matches no uncited sentence" for e in report.stale)
    total = sum(s.total for s in report.sources)
    covered = total - sum(len(s.uncovered) for s in report.sources)
    share = 100.0 if not total else 100.0 * covered / total
    out.append(f"total: {total} sentences, {covered} cited or excluded, {share:.1f}% covered")
    return "\n".join(out) + "\n"


def render_markdown(report: CoverageReport) -> str:
    """The docs page: the rule, the figures per source, and every excluded sentence's reason."""
    lines = ["# Source coverage", "",
             "Like code coverage, for the five source texts: each text is split into sentences and a",
             "sentence counts as covered when a citation points into its lines with evidence that occurs in",
             "it, or when `docs/source-coverage-exclusions.csv` leaves it out with a reason.",
             "Regenerate with `python -m scripts coverage --write`; the sentence rule is documented in",
             "`scripts/coverage.py`.", "",
             "| source | sentences | cited | excluded | uncovered | covered |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for s in report.sources:
        lines.append(f"| {s.source_id} | {s.total} | {len(s.cited)} | {len(s.excluded)} | "
                     f"{len(s.uncovered)} | {s.share:.1f}% |")
    lines += ["", "## Sentences left out, and why", ""]
    for s in report.sources:
        lines += [f"- {s.source_id} line {sentence.start} ({sentence.snippet()}): {reason}"
                  for sentence, reason in s.excluded]
    uncovered = [(s.source_id, u) for s in report.sources for u in s.uncovered]
    if uncovered:
        lines += ["", "## Uncovered sentences", ""]
        lines += [f"- {sid} line {u.start}: {u.snippet()}" for sid, u in uncovered]
    return "\n".join(lines) + "\n"


def render_json(report: CoverageReport) -> str:
    """The report for tools (``python -m scripts coverage --format json``): every figure of
    :func:`render_text`, and each uncovered sentence's lines and first words, in a stable order."""
    import json

    sources = [{"source_id": s.source_id, "file_name": s.file_name, "sentences": s.total, "cited": len(s.cited),
                "excluded": len(s.excluded), "covered_percent": round(s.share, 1),
                "uncovered": [{"line": u.start, "end_line": u.end, "words": u.snippet()} for u in s.uncovered]}
               for s in report.sources]
    stale = [{"row": e.row, "source_id": e.source_id, "line": e.line, "words": e.words} for e in report.stale]
    payload = {"complete": report.complete, "sources": sources, "stale_exclusions": stale}
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
