"""The bad-input corpus, files and Table Schemas: broken variants of the real package.

Each variant mutates a copy and asserts the exact problems reported (rule, file, spreadsheet row,
field) and that validation left every file untouched. Expectations are derived from the current
data (the row of a record is looked up, not hard-coded), so the corpus follows the data as it grows.
The named rules and provenance have their variants in test_corpus_rules.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from scripts.model.package import PackageError
from scripts.validate import validate_package
from tests.data.corpus import Copy, Expected, as_of_table, fingerprint, found, person_column


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
    return {("minimum", c.file("citations"), row, "line_start")}


def above_maximum(c: Copy) -> Expected:
    row = c.edit("meetings", "ca-consultative-6", ordinal="101")
    return {("maximum", c.file("meetings"), row, "ordinal")}


def outside_enum(c: Copy) -> Expected:
    row = c.edit("meetings", "ca-consultative-6", status="helt")
    return {("enum", c.file("meetings"), row, "status")}


def unit_outside_enum(c: Copy) -> Expected:
    obs = c.find("indicators", unit="USD")["observation_id"]
    row = c.edit("indicators", obs, unit="EUR")
    return {("enum", c.file("indicators"), row, "unit")}


def pattern_mismatch(c: Copy) -> Expected:
    cite = c.find("citations", field_name="*")
    row = c.edit("citations", cite["citation_id"], field_name="Title")
    return {("pattern", c.file("citations"), row, "field_name")}


def too_long(c: Copy) -> Expected:
    row = c.edit("meetings", "ca-consultative-6", name="x" * 201)
    return {("max-length", c.file("meetings"), row, "name")}


def missing_required(c: Copy) -> Expected:
    row = c.edit("meetings", "ca-consultative-6", name="")
    return {("required", c.file("meetings"), row, "name")}


def missing_required_evidence(c: Copy) -> Expected:
    cid = c.rows("citations")[0]["citation_id"]
    row = c.edit("citations", cid, evidence="")
    return {("required", c.file("citations"), row, "evidence")}


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
    column = person_column(c, "attendance")
    record = c.find("attendance", **{column: "*"})
    row = c.edit("attendance", c.key("attendance", record), **{column: "nobody-known"})
    return {("foreign-key", c.file("attendance"), row, column)}


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
    column = person_column(c, "attendance")
    record = c.find("attendance", **{column: "*"})
    row = c.edit("attendance", c.key("attendance", record), **{column: record[column] + " "})
    return {("key-whitespace", c.file("attendance"), row, column)}


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
    table = as_of_table(c)
    record = c.rows(table)[0]
    row = c.edit(table, c.key(table, record), as_of="2022-02-30")
    return {("dates_are_real", c.file(table), row, "as_of")}


def false_month(c: Copy) -> Expected:
    table = as_of_table(c)
    record = c.rows(table)[0]
    row = c.edit(table, c.key(table, record), as_of="2022-13")
    return {("pattern", c.file(table), row, "as_of")}


def missing_csv(c: Copy) -> Expected:
    c.path("offices").unlink()
    return {("missing-file", c.file("offices"), None, None)}


def _control(c: Copy, char: str) -> Expected:
    row = c.edit("meetings", "ca-consultative-6", name=f"Sixth{char}meeting")
    return {("clean_text", c.file("meetings"), row, "name")}


def nul_in_text(c: Copy) -> Expected:
    return _control(c, "\x00")


def escape_in_text(c: Copy) -> Expected:
    return _control(c, "\x1b")


def next_line_in_text(c: Copy) -> Expected:
    return _control(c, "\x85")


def lone_carriage_return(c: Copy) -> Expected:
    return _control(c, "\r")


def newline_in_a_single_line_field(c: Copy) -> Expected:
    return _control(c, "\n")


def trailing_space_in_text(c: Copy) -> Expected:
    row = c.edit("meetings", "ca-consultative-6", name="Sixth meeting ")
    return {("clean_text", c.file("meetings"), row, "name")}


VARIANTS: list[Callable[[Copy], Expected]] = [
    wrong_integer, wrong_number, wrong_boolean, wrong_integer_in_citation, below_minimum, above_maximum,
    outside_enum, unit_outside_enum, pattern_mismatch, too_long, missing_required, missing_required_evidence,
    duplicate_unique, duplicate_primary_key, duplicate_composite_key, dangling_foreign_key, dangling_meeting,
    dangling_self_reference, renamed_column, missing_column, extra_column, ragged_extra_cell, ragged_missing_cell,
    blank_row, byte_order_mark, crlf_line_endings, trailing_space_in_key, leading_space_in_key, rows_not_sorted,
    false_day, false_month, missing_csv, nul_in_text, escape_in_text, next_line_in_text, lone_carriage_return,
    newline_in_a_single_line_field, trailing_space_in_text,
]


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.__name__)
def test_variant_reports_exact_problem(pkg: Copy, variant: Callable[[Copy], Expected]) -> None:
    expected = variant(pkg)
    assert found(pkg.root) == expected


def test_truncated_descriptor_cannot_run(pkg: Copy) -> None:
    descriptor = pkg.root / "datapackage.json"
    descriptor.write_bytes(descriptor.read_bytes()[:200])
    before = fingerprint(pkg.root)
    with pytest.raises(PackageError, match="not valid JSON"):
        validate_package(pkg.root, None)
    assert fingerprint(pkg.root) == before


# --------------------------------------------------------------------------- resource paths

@pytest.mark.parametrize("path", ["/etc/passwd", "../outside.csv", "tables/../../outside.csv",
                                  "https://example.org/states.csv"])
def test_a_resource_path_leaving_the_package_is_refused_unread(pkg: Copy, path: str) -> None:
    descriptor = pkg.root / "datapackage.json"
    data = json.loads(descriptor.read_text(encoding="utf-8"))
    next(r for r in data["resources"] if r["name"] == "offices")["path"] = path
    descriptor.write_text(json.dumps(data), encoding="utf-8")
    problems = validate_package(pkg.root, None)
    unsafe = [p for p in problems if p.rule == "unsafe-path"]
    assert [(p.file, p.row, p.field, p.value) for p in unsafe] == [("datapackage.json", None, None, "offices")]
    assert "offices" in unsafe[0].message and "not read" in unsafe[0].message
    assert all(p.file != path for p in problems)


def test_a_symlink_to_a_file_outside_is_refused_and_its_lines_never_shown(pkg: Copy, tmp_path: Path) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text("office_id,title,office_kind\ntop-secret-line,x,minister\n", encoding="utf-8")
    pkg.path("offices").unlink()
    pkg.path("offices").symlink_to(secret)
    problems = validate_package(pkg.root, None)
    assert [(p.rule, p.value) for p in problems if p.rule == "unsafe-path"] == [("unsafe-path", "offices")]
    assert "top-secret-line" not in repr(problems)
