"""The bad-input corpus: broken variants of the real package, made by mutating a copy in each test.

Each variant asserts the exact problems reported (rule, file, spreadsheet row, field) and that
validation left every file untouched. Expectations are derived from the current data (the row of
a record is looked up, not hard-coded), so the corpus follows the data as it grows.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from scripts.package import PackageError, csv_text, load_package, read_rows
from scripts.validate import validate_package

Expected = set[tuple[str, str, int | None, str | None]]


@dataclass
class Copy:
    """A writable package copy with helpers that edit it the way a contributor would."""

    root: Path

    def file(self, table: str) -> str:
        return f"tables/{table}.csv"

    def path(self, table: str) -> Path:
        return self.root / self.file(table)

    def rows(self, table: str) -> list[dict[str, str]]:
        return read_rows(load_package(self.root).table(table))

    def write(self, table: str, rows: list[dict[str, str]]) -> None:
        self.path(table).write_text(csv_text(load_package(self.root).table(table), rows), encoding="utf-8")

    def row_of(self, table: str, key: str) -> int:
        """Spreadsheet row of the record whose key (as citations write it) is ``key``."""
        t = load_package(self.root).table(table)
        for index, row in enumerate(self.rows(table)):
            if t.record_key(row) == key:
                return index + 2
        raise KeyError(f"{table} has no record {key}")

    def edit(self, table: str, key: str, **changes: str) -> int:
        """Change fields of one record (the file stays sorted); return its spreadsheet row."""
        t = load_package(self.root).table(table)
        rows = self.rows(table)
        target = next(r for r in rows if t.record_key(r) == key)
        target.update(changes)
        self.write(table, rows)
        return self.row_of(table, t.record_key(target))

    def find(self, table: str, **where: str) -> dict[str, str]:
        """The first record matching every ``field=value`` (``value`` '*' = any non-empty value)."""
        for row in self.rows(table):
            if all(row[k] != "" if v == "*" else row[k] == v for k, v in where.items()):
                return row
        pytest.fail(f"the real data has no {table} record with {where}: pick another record for this variant")

    def key(self, table: str, row: dict[str, str]) -> str:
        return load_package(self.root).table(table).record_key(row)

    def text(self, table: str) -> str:
        return self.path(table).read_text(encoding="utf-8")

    def cite(self, table: str, key: str, source_id: str) -> None:
        """Add a whole-record citation of ``table``/``key`` from ``source_id``."""
        rows = self.rows("citations")
        number = max(int(r["citation_id"][1:]) for r in rows) + 1
        rows.append({"citation_id": f"C{number:04d}", "table_name": table, "record_id": key, "field_name": "",
                     "source_id": source_id, "line_start": "1", "line_end": "1", "support": "paraphrase",
                     "evidence": "x"})
        self.write("citations", rows)


def fingerprint(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def found(root: Path, sources: Path | None = None) -> Expected:
    """Validate ``root`` and return the problems as (rule, file, row, field), checking no file changed."""
    before = fingerprint(root)
    if sources is not None:
        before_sources = fingerprint(sources)
    problems = validate_package(root, sources)
    assert fingerprint(root) == before, "validation modified the package"
    if sources is not None:
        assert fingerprint(sources) == before_sources, "validation modified the sources"
    return {(p.rule, p.file, p.row, p.field) for p in problems}


@pytest.fixture()
def pkg(package_copy: Path) -> Copy:
    return Copy(package_copy)


# --------------------------------------------------------------------------- variants
# Each variant breaks the copy and returns the exact problems it must produce.

def wrong_integer(c: Copy) -> Expected:
    row = c.edit("meetings", "ca-consultative-6", ordinal="six")
    return {("type-error", c.file("meetings"), row, "ordinal")}


def wrong_number(c: Copy) -> Expected:
    obs = c.find("indicators")["observation_id"]
    row = c.edit("indicators", obs, value="eleven")
    return {("type-error", c.file("indicators"), row, "value")}


def wrong_boolean(c: Copy) -> Expected:
    row = c.edit("states", "KAZ", is_central_asian="yes")
    return {("type-error", c.file("states"), row, "is_central_asian")}


def wrong_integer_in_citation(c: Copy) -> Expected:
    cid = c.rows("citations")[0]["citation_id"]
    row = c.edit("citations", cid, line_start="first")
    return {("type-error", c.file("citations"), row, "line_start")}


def below_minimum(c: Copy) -> Expected:
    cid = c.rows("citations")[0]["citation_id"]
    row = c.edit("citations", cid, line_start="0")
    return {("constraint-error", c.file("citations"), row, "line_start")}


def above_maximum(c: Copy) -> Expected:
    row = c.edit("meetings", "ca-consultative-6", ordinal="101")
    return {("constraint-error", c.file("meetings"), row, "ordinal")}


def outside_enum(c: Copy) -> Expected:
    row = c.edit("meetings", "ca-consultative-6", status="helt")
    return {("constraint-error", c.file("meetings"), row, "status")}


def unit_outside_enum(c: Copy) -> Expected:
    obs = c.find("indicators", unit="USD")["observation_id"]
    row = c.edit("indicators", obs, unit="EUR")
    return {("constraint-error", c.file("indicators"), row, "unit")}


def pattern_mismatch(c: Copy) -> Expected:
    cite = c.find("citations", field_name="*")
    row = c.edit("citations", cite["citation_id"], field_name="Title")
    return {("constraint-error", c.file("citations"), row, "field_name")}


def too_long(c: Copy) -> Expected:
    row = c.edit("meetings", "ca-consultative-6", name="x" * 201)
    return {("constraint-error", c.file("meetings"), row, "name")}


def missing_required(c: Copy) -> Expected:
    row = c.edit("meetings", "ca-consultative-6", name="")
    return {("constraint-error", c.file("meetings"), row, "name")}


def missing_required_evidence(c: Copy) -> Expected:
    cid = c.rows("citations")[0]["citation_id"]
    row = c.edit("citations", cid, evidence="")
    return {("constraint-error", c.file("citations"), row, "evidence")}


def duplicate_unique(c: Copy) -> Expected:
    first, second = c.rows("sources")[:2]
    row = c.edit("sources", second["source_id"], file_name=first["file_name"])
    return {("unique-error", c.file("sources"), row, "file_name")}


def duplicate_primary_key(c: Copy) -> Expected:
    rows = c.rows("states")
    rows.append(dict(next(r for r in rows if r["state_id"] == "KAZ")))
    c.write("states", rows)
    return {("primary-key", c.file("states"), c.row_of("states", "KAZ") + 1, "state_id")}


def duplicate_composite_key(c: Copy) -> Expected:
    record = c.find("attendance", meeting_id="ca-consultative-6")
    rows = c.rows("attendance")
    rows.append(dict(record))
    c.write("attendance", rows)
    return {("primary-key", c.file("attendance"), c.row_of("attendance", c.key("attendance", record)) + 1,
             "meeting_id")}


def dangling_foreign_key(c: Copy) -> Expected:
    record = c.find("attendance", leader_id="kassym-jomart-tokayev")
    row = c.edit("attendance", c.key("attendance", record), leader_id="nobody-known")
    return {("foreign-key", c.file("attendance"), row, "leader_id")}


def dangling_meeting(c: Copy) -> Expected:
    document = c.find("documents", meeting_id="*")
    row = c.edit("documents", document["document_id"], meeting_id="no-such-meeting")
    return {("foreign-key", c.file("documents"), row, "meeting_id")}


def dangling_self_reference(c: Copy) -> Expected:
    obs = c.find("indicators", baseline_observation_id="*")["observation_id"]
    row = c.edit("indicators", obs, baseline_observation_id="no-such-observation")
    return {("foreign-key", c.file("indicators"), row, "baseline_observation_id")}


def renamed_column(c: Copy) -> Expected:
    text = c.text("meetings")
    header, rest = text.split("\n", 1)
    c.path("meetings").write_text(header.replace("venue", "place") + "\n" + rest, encoding="utf-8")
    return {("incorrect-label", c.file("meetings"), None, "venue")}


def missing_column(c: Copy) -> Expected:
    lines = c.text("states").splitlines()
    c.path("states").write_text("".join(line.rsplit(",", 1)[0] + "\n" for line in lines), encoding="utf-8")
    return {("missing-label", c.file("states"), None, "is_central_asian")}


def extra_column(c: Copy) -> Expected:
    lines = c.text("states").splitlines()
    c.path("states").write_text("\n".join([lines[0] + ",note", *(x + ",n" for x in lines[1:])]) + "\n",
                                encoding="utf-8")
    return {("extra-label", c.file("states"), None, "note")}


def ragged_extra_cell(c: Copy) -> Expected:
    row = c.row_of("states", "KAZ")
    lines = c.text("states").splitlines()
    lines[row - 1] += ",extra"
    c.path("states").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {("extra-cell", c.file("states"), row, "column 4")}


def ragged_missing_cell(c: Copy) -> Expected:
    row = c.row_of("states", "KAZ")
    lines = c.text("states").splitlines()
    lines[row - 1] = lines[row - 1].rsplit(",", 1)[0]
    c.path("states").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {("missing-cell", c.file("states"), row, "is_central_asian")}


def blank_row(c: Copy) -> Expected:
    header, rest = c.text("offices").split("\n", 1)
    c.path("offices").write_text(header + "\n\n" + rest, encoding="utf-8")
    return {("blank-row", c.file("offices"), 2, None)}


def byte_order_mark(c: Copy) -> Expected:
    c.path("states").write_bytes(b"\xef\xbb\xbf" + c.path("states").read_bytes())
    return {("byte-order-mark", c.file("states"), 1, None)}


def non_utf8_bytes(c: Copy) -> Expected:
    row = c.row_of("states", "KAZ")
    data = c.path("states").read_bytes()
    c.path("states").write_bytes(data.replace(b"KAZ,Kazakhstan", b"KAZ,Kaz\xe9khstan"))
    return {("encoding-error", c.file("states"), row, None)}


def crlf_line_endings(c: Copy) -> Expected:
    c.path("offices").write_bytes(c.path("offices").read_bytes().replace(b"\n", b"\r\n"))
    return {("crlf-line-ending", c.file("offices"), 1, None)}


def trailing_space_in_key(c: Copy) -> Expected:
    record = c.find("attendance", leader_id="kassym-jomart-tokayev")
    row = c.edit("attendance", c.key("attendance", record), leader_id="kassym-jomart-tokayev ")
    return {("key-whitespace", c.file("attendance"), row, "leader_id")}


def leading_space_in_key(c: Copy) -> Expected:
    obs = c.find("indicators")["observation_id"]
    source = c.find("indicators")["source_id"]
    row = c.edit("indicators", obs, source_id=f" {source}")
    return {("key-whitespace", c.file("indicators"), row, "source_id")}


def rows_not_sorted(c: Copy) -> Expected:
    lines = c.text("offices").splitlines()
    lines[1], lines[2] = lines[2], lines[1]
    c.path("offices").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {("rows-not-sorted", c.file("offices"), 3, None)}


def false_day(c: Copy) -> Expected:
    record = c.rows("leader_offices")[0]
    row = c.edit("leader_offices", c.key("leader_offices", record), as_of="2022-02-30")
    return {("dates_are_real", c.file("leader_offices"), row, "as_of")}


def false_month(c: Copy) -> Expected:
    record = c.rows("leader_offices")[0]
    row = c.edit("leader_offices", c.key("leader_offices", record), as_of="2022-13")
    return {("constraint-error", c.file("leader_offices"), row, "as_of")}


def range_reversed(c: Copy) -> Expected:
    baselines = {r["baseline_observation_id"] for r in c.rows("indicators")}
    record = next((r for r in c.rows("indicators") if len(r["period_start"]) == 4 and not r["period_end"]
                   and r["observation_id"] not in baselines), None)
    if record is None:
        pytest.fail("the real data has no indicator with a year period that is nobody's baseline")
    row = c.edit("indicators", record["observation_id"], period_end=str(int(record["period_start"]) - 1))
    return {("date_ranges_ordered", c.file("indicators"), row, "period_end")}


def ordinal_repeated(c: Copy) -> Expected:
    row = c.edit("meetings", "ca-consultative-7", ordinal="6")
    return {("ordinals_unique_per_format", c.file("meetings"), row, "ordinal")}


def ordinal_before_predecessor(c: Copy) -> Expected:
    previous = next(r for r in c.rows("meetings") if r["meeting_id"] == "ca-consultative-6")["date_start"]
    row = c.edit("meetings", "ca-consultative-7", date_start=str(int(previous[:4]) - 1))
    return {("ordinals_increase_with_date", c.file("meetings"), row, "ordinal")}


def _absent_state(c: Copy, meeting: str) -> str:
    attending = {r["state_id"] for r in c.rows("attendance") if r["meeting_id"] == meeting}
    return next(r["state_id"] for r in c.rows("states") if r["state_id"] not in attending)


def chair_absent(c: Copy) -> Expected:
    row = c.edit("meetings", "ca-consultative-6", chair_state_id=_absent_state(c, "ca-consultative-6"))
    return {("chair_and_host_attend", c.file("meetings"), row, "chair_state_id")}


def host_absent(c: Copy) -> Expected:
    row = c.edit("meetings", "ca-consultative-6", host_state_id=_absent_state(c, "ca-consultative-6"))
    return {("chair_and_host_attend", c.file("meetings"), row, "host_state_id")}


def _dated_pair(c: Copy, later: bool) -> tuple[str, str]:
    """A (meeting, source) pair where the source is published after (later) or before the meeting."""
    for meeting in c.rows("meetings"):
        for source in c.rows("sources"):
            day, pub = meeting["date_start"], source["published"]
            if not day or not pub:
                continue
            width = min(len(day), len(pub))
            if (pub[:width] > day[:width]) if later else (pub[:width] < day[:width]):
                return meeting["meeting_id"], source["source_id"]
    pytest.fail("the real data has no meeting and source dated that way: this rule would go untested")


def _add_attendance(c: Copy, status: str, later: bool) -> Expected:
    meeting, source = _dated_pair(c, later)
    state = _absent_state(c, meeting)
    rows = c.rows("attendance")
    rows.append({"meeting_id": meeting, "state_id": state, "attendance_status": status, "leader_id": "",
                 "is_person_inferred": "false", "role": "guest", "inference_note": ""})
    c.write("attendance", rows)
    key = f"{meeting}/{state}/{status}"
    c.cite("attendance", key, source)
    return {("attendance_status_fits_sources", c.file("attendance"), c.row_of("attendance", key),
             "attendance_status")}


def expected_from_later_source(c: Copy) -> Expected:
    return _add_attendance(c, "expected", later=True)


def reported_from_earlier_source(c: Copy) -> Expected:
    return _add_attendance(c, "reported", later=False)


def signature_off_meeting_date(c: Copy) -> Expected:
    record = c.find("document_signatories", signature_status="signed", meeting_id="*")
    row = c.edit("document_signatories", c.key("document_signatories", record), signature_date="2001")
    return {("signed_on_meeting_date", c.file("document_signatories"), row, "signature_date")}


def signature_without_date(c: Copy) -> Expected:
    record = c.find("document_signatories", signature_status="signed", meeting_id="*")
    row = c.edit("document_signatories", c.key("document_signatories", record), signature_date="")
    return {("signed_on_meeting_date", c.file("document_signatories"), row, "signature_date")}


def document_off_meeting_date(c: Copy) -> Expected:
    record = c.find("documents", status="signed", meeting_id="*")
    row = c.edit("documents", record["document_id"], status_date="2001")
    return {("signed_on_meeting_date", c.file("documents"), row, "status_date")}


def target_not_after_baseline(c: Copy) -> Expected:
    target = c.find("indicators", value_kind="target", baseline_observation_id="*")
    base = next(r for r in c.rows("indicators") if r["observation_id"] == target["baseline_observation_id"])
    if not base["period_start"]:
        pytest.fail("the target's baseline has no period: this rule would go untested")
    row = c.edit("indicators", target["observation_id"], period_start=base["period_start"][:4])
    return {("target_after_baseline", c.file("indicators"), row, "period_start")}


def baseline_is_a_target(c: Copy) -> Expected:
    target = c.find("indicators", value_kind="target")
    record = c.find("indicators", value_kind="actual", baseline_observation_id="*")
    row = c.edit("indicators", record["observation_id"], baseline_observation_id=target["observation_id"])
    return {("baseline_is_actual", c.file("indicators"), row, "baseline_observation_id")}


def percentage_out_of_range(c: Copy) -> Expected:
    record = c.find("indicators", unit="percent")
    row = c.edit("indicators", record["observation_id"], value="1500")
    return {("value_in_plausible_range", c.file("indicators"), row, "value")}


def money_in_wrong_scale(c: Copy) -> Expected:
    record = c.find("indicators", unit="USD", scale="billion")
    row = c.edit("indicators", record["observation_id"], value="11000000000")
    return {("value_in_plausible_range", c.file("indicators"), row, "value")}


def record_without_citation(c: Copy) -> Expected:
    office = c.rows("offices")[0]["office_id"]
    c.write("citations", [r for r in c.rows("citations")
                          if not (r["table_name"] == "offices" and r["record_id"] == office)])
    return {("record_is_cited", c.file("offices"), 2, "office_id")}


def citation_of_missing_record(c: Copy) -> Expected:
    cid = c.rows("citations")[0]["citation_id"]
    row = c.edit("citations", cid, record_id="no-such-record")
    return {("citation_record_exists", c.file("citations"), row, "record_id")}


def inference_without_note(c: Copy) -> Expected:
    row = c.edit("meetings", "ca-consultative-7", inference_note="")
    return {("inference_is_explained", c.file("meetings"), row, "inference_note")}


def missing_csv(c: Copy) -> Expected:
    c.path("offices").unlink()
    return {("missing-file", c.file("offices"), None, None)}


VARIANTS: list[Callable[[Copy], Expected]] = [
    wrong_integer, wrong_number, wrong_boolean, wrong_integer_in_citation, below_minimum, above_maximum,
    outside_enum, unit_outside_enum, pattern_mismatch, too_long, missing_required, missing_required_evidence,
    duplicate_unique, duplicate_primary_key, duplicate_composite_key, dangling_foreign_key, dangling_meeting,
    dangling_self_reference, renamed_column, missing_column, extra_column, ragged_extra_cell,
    ragged_missing_cell, blank_row, byte_order_mark, non_utf8_bytes, crlf_line_endings,
    trailing_space_in_key, leading_space_in_key, rows_not_sorted, false_day, false_month, range_reversed,
    ordinal_repeated, ordinal_before_predecessor, chair_absent, host_absent, expected_from_later_source,
    reported_from_earlier_source, signature_off_meeting_date, signature_without_date,
    document_off_meeting_date, target_not_after_baseline, baseline_is_a_target, percentage_out_of_range,
    money_in_wrong_scale, record_without_citation, citation_of_missing_record, inference_without_note, missing_csv,
]


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.__name__)
def test_variant_reports_exact_problem(pkg: Copy, variant: Callable[[Copy], Expected]) -> None:
    expected = variant(pkg)
    assert found(pkg.root) == expected


# --------------------------------------------------------------------------- provenance variants

@pytest.fixture()
def sources_copy(sources: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "sources"
    shutil.copytree(sources, dest)
    return dest


def test_citation_past_end_of_source(pkg: Copy, sources_copy: Path) -> None:
    cid = pkg.rows("citations")[0]["citation_id"]
    row = pkg.edit("citations", cid, line_start="9000", line_end="9001")
    assert found(pkg.root, sources_copy) == {("citation-past-end", "tables/citations.csv", row, "line_end")}


def test_citation_evidence_not_in_lines(pkg: Copy, sources_copy: Path) -> None:
    cid = pkg.rows("citations")[0]["citation_id"]
    row = pkg.edit("citations", cid, evidence="zebra crossing quartz")
    assert found(pkg.root, sources_copy) == {("citation-evidence-missing", "tables/citations.csv", row,
                                              "evidence")}


def test_changed_source_file(pkg: Copy, sources_copy: Path) -> None:
    source = pkg.rows("sources")[0]
    text = sources_copy / source["file_name"]
    text.write_text(text.read_text(encoding="utf-8") + "\nAn added line.\n", encoding="utf-8")
    row = pkg.row_of("sources", source["source_id"])
    assert found(pkg.root, sources_copy) == {("source-sha256-mismatch", "tables/sources.csv", row, "sha256")}


def test_truncated_descriptor_cannot_run(pkg: Copy) -> None:
    descriptor = pkg.root / "datapackage.json"
    descriptor.write_bytes(descriptor.read_bytes()[:200])
    before = fingerprint(pkg.root)
    with pytest.raises(PackageError, match="not valid JSON"):
        validate_package(pkg.root, None)
    assert fingerprint(pkg.root) == before


def test_corpus_is_large_enough() -> None:
    assert len(VARIANTS) + 4 >= 40
