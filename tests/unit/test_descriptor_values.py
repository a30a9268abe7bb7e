"""scripts/validate/descriptor.py on made-up descriptors: which keys are checked by which rule, at
which JSON path, in which order, and what is skipped (a key absent, a part that is not a list, an
entry that is not an object). A value of the wrong JSON type is named, never a crash."""

from __future__ import annotations

from typing import Any

import pytest

from scripts.model import catalogue
from scripts.validate.descriptor import descriptor_problems, sources_problems

URL, TEXT, NAME, VERSION = "descriptor-url", "descriptor-text", "descriptor-name", "descriptor-version"
NEWLINE = "the value holds the character U+000A (line break) at position 2"
OUTSIDE = "the value is neither a web address nor a file name inside the sources folder"
NOT_A_NAME = ("the value is not a Data Package name (lower-case letters, digits, '-', '.' and '_', "
              "not starting with '.')")
ZWSP = "the value holds the character U+200B (zero-width space) at position 2"


def found(descriptor: dict[str, Any]) -> list[tuple[Any, ...]]:
    """(path, value, rule, message) of each problem; the rest of each problem is checked here."""
    problems = descriptor_problems(descriptor)
    for p in problems:
        assert (p.file, p.row, p.hint) == ("datapackage.json", None, catalogue.hint(p.rule))
    return [(p.field, p.value, p.rule, p.message) for p in problems]


def test_the_package_keys_each_by_its_rule_in_the_policy_order() -> None:
    assert found({"version": "1.0", "homepage": "ftp://x", "description": "two\nlines", "title": "a\nb",
                  "name": "Central Asia", "cac:download_base": "https://x.org/{nope}/"}) == [
        ("name", "Central Asia", NAME, NOT_A_NAME),
        ("title", "a\nb", TEXT, NEWLINE),
        ("homepage", "ftp://x", URL, "the value has 'ftp:'; only http:// and https:// addresses become links"),
        ("version", "1.0", VERSION, "the value is not a semantic version MAJOR.MINOR.PATCH (e.g. 1.4.0)"),
        ("cac:download_base", "https://x.org/{nope}/", URL,
         "the value holds the placeholder {nope}; only {version} is filled in")]


def test_clean_values_and_absent_keys_give_nothing() -> None:
    assert found({"name": "central-asia", "title": "Central Asia", "description": "One line.\nAnother.",
                  "homepage": "https://example.org/", "version": "0.3.0", "keywords": ["summits"],
                  "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}],
                  "sources": [{"title": "Report", "path": "report.txt"}, {"path": "..x/y.txt"},
                              {"path": "https://example.org/a//b"}],
                  "resources": [{"name": "meetings", "description": "Two\nlines."}]}) == []
    assert found({}) == []


def test_keywords_are_texts_each_at_its_index() -> None:
    assert found({"keywords": ["ok", "a\tb", 3, None]}) == [
        ("keywords[1]", "a\tb", TEXT, "the value holds the character U+0009 (tab) at position 2"),
        ("keywords[2]", 3, TEXT, "the value is a number, not text"),
        ("keywords[3]", None, TEXT, "the value is null, not text")]
    assert found({"keywords": "a\tb"}) == []  # not a list: frictionless's to report


def test_every_key_of_a_contributor_in_the_policy_order_and_roles_item_by_item() -> None:
    contributor = {"path": "data:x", "roles": ["creator", "c\u200b"], "role": "x\ny", "organization": " o",
                   "email": "a\nb", "familyName": "f\n", "givenName": "g\n", "title": "t\n"}
    assert found({"contributors": [contributor]}) == [
        ("contributors[0].title", "t\n", TEXT, NEWLINE),
        ("contributors[0].givenName", "g\n", TEXT, NEWLINE),
        ("contributors[0].familyName", "f\n", TEXT, NEWLINE),
        ("contributors[0].email", "a\nb", TEXT, NEWLINE),
        ("contributors[0].organization", " o", TEXT,
         "the value has spaces (or other blank characters) at its start or end"),
        ("contributors[0].role", "x\ny", TEXT, NEWLINE),
        ("contributors[0].roles[1]", "c\u200b", TEXT, ZWSP),
        ("contributors[0].path", "data:x", URL,
         "the value has 'data:'; only http:// and https:// addresses become links")]
    assert found({"contributors": [{"roles": "c\u200b"}]}) == [  # one role as text: checked as text
        ("contributors[0].roles", "c\u200b", TEXT, ZWSP)]


def test_a_list_where_text_belongs_is_named_whole_not_read_item_by_item() -> None:
    assert found({"licenses": [{"name": ["x\ny"]}]}) == [
        ("licenses[0].name", "['x\\ny']", TEXT, "the value is a list, not text")]


def test_parts_that_are_not_lists_and_entries_that_are_not_objects_are_skipped() -> None:
    assert found({"licenses": [{"name": "x\ny", "title": "ok", "path": "javascript:1"}, "not an object"],
                  "contributors": "not a list", "sources": {"path": "../x"}}) == [
        ("licenses[0].name", "x\ny", TEXT, NEWLINE),
        ("licenses[0].path", "javascript:1", URL,
         "the value has 'javascript:'; only http:// and https:// addresses become links")]


@pytest.mark.parametrize(("path", "message"), [
    ("/etc/passwd", OUTSIDE),
    ("\\\\server\\x", OUTSIDE),
    ("a/../b", OUTSIDE),
    ("a\\..\\b", OUTSIDE),
    ("..", OUTSIDE),
    ("http://", "the value has no host after http(s)://"),
    ("x//y", "the value has no scheme; only http:// and https:// addresses become links"),  # read as an address
    ("mailto:a", "the value has 'mailto:'; only http:// and https:// addresses become links"),
    (5, "the value is a number, not text"),
    ("report\n.txt", NEWLINE[:-1] + "7"),
])
def test_a_source_path_is_a_web_address_or_a_file_name_inside_the_sources_folder(path: Any, message: str) -> None:
    assert found({"sources": [{"title": "ok"}, {"path": path}]}) == [("sources[1].path", path, URL, message)]


def test_a_sources_title_and_email_are_texts() -> None:
    assert found({"sources": [{"title": "t\n", "email": "e\n"}]}) == [
        ("sources[0].title", "t\n", TEXT, NEWLINE), ("sources[0].email", "e\n", TEXT, NEWLINE)]


def test_resources_are_checked_with_their_own_parts_at_their_index() -> None:
    assert found({"resources": [{"name": "ok"}, "not an object",
                                {"name": "Bad Name", "title": "t\n", "description": "d\u2028",
                                 "sources": [{"path": "../x"}], "contributors": [{"title": "\x1b"}],
                                 "licenses": [{"path": "javascript:1"}]}]}) == [
        ("resources[2].name", "Bad Name", NAME, NOT_A_NAME),
        ("resources[2].title", "t\n", TEXT, NEWLINE),
        ("resources[2].description", "d\u2028", TEXT,
         "the value holds the character U+2028 (line separator) at position 2"),
        ("resources[2].licenses[0].path", "javascript:1", URL,
         "the value has 'javascript:'; only http:// and https:// addresses become links"),
        ("resources[2].contributors[0].title", "\x1b", TEXT,
         "the value holds the character U+001B (control character) at position 1"),
        ("resources[2].sources[0].path", "../x", URL, OUTSIDE)]
    assert found({"resources": "not a list"}) == []


def test_a_value_of_another_json_type_is_named_and_shown_as_json_allows() -> None:
    assert found({"title": 5, "homepage": None, "version": True, "name": 1.5}) == [
        ("name", 1.5, NAME, "the value is a number, not a name"),
        ("title", 5, TEXT, "the value is a number, not text"),
        ("homepage", None, URL, "the value is null, not a web address"),
        ("version", True, VERSION, "the value is true/false, not a version")]
    big = {"a": "b" * 300}
    [(path, shown, rule, message)] = found({"title": big})
    assert (path, shown, rule, message) == ("title", repr(big)[:200], TEXT, "the value is an object, not text")
    assert len(shown) == 200


ROWS = [{"file_name": "a.txt", "sha256": "aa", "title": "First"},
        {"file_name": "b.txt", "sha256": "bb", "title": "Second"}]
ENTRIES = [{"path": "a.txt", "version": "sha256:aa", "title": "First (a.txt)"},
           {"path": "b.txt", "version": "sha256:bb", "title": "Second (b.txt)"}]
AGREE = "descriptor-sources"


def agreement(descriptor: dict[str, Any], rows: list[dict[str, Any]] = ROWS) -> list[tuple[Any, ...]]:
    problems = sources_problems(descriptor, rows, "sources.csv")
    for p in problems:
        assert (p.file, p.row, p.rule, p.hint) == ("datapackage.json", None, AGREE, catalogue.hint(AGREE))
    return [(p.field, p.value, p.message) for p in problems]


def test_the_descriptors_sources_agree_with_the_table_entry_by_entry() -> None:
    assert agreement({"sources": ENTRIES}) == []
    assert agreement({"sources": [ENTRIES[0], {**ENTRIES[1], "version": "sha256:b", "title": "Second"}]}) == [
        ("sources[1].version", "sha256:b", "the value is not 'sha256:bb', as sources.csv row 3 says"),
        ("sources[1].title", "Second", "the value is not 'Second (b.txt)', as sources.csv row 3 says")]
    assert agreement({"sources": [ENTRIES[1], ENTRIES[0]]}) == [  # the table's order
        ("sources[0].path", "b.txt", "the value is not 'a.txt', as sources.csv row 2 says"),
        ("sources[0].version", "sha256:bb", "the value is not 'sha256:aa', as sources.csv row 2 says"),
        ("sources[0].title", "Second (b.txt)", "the value is not 'First (a.txt)', as sources.csv row 2 says"),
        ("sources[1].path", "a.txt", "the value is not 'b.txt', as sources.csv row 3 says"),
        ("sources[1].version", "sha256:aa", "the value is not 'sha256:bb', as sources.csv row 3 says"),
        ("sources[1].title", "First (a.txt)", "the value is not 'Second (b.txt)', as sources.csv row 3 says")]


def test_an_empty_cell_of_the_table_is_its_own_finding_not_compared() -> None:
    """An empty sha256 is the table's required finding; its title and path are still compared."""
    rows = [ROWS[0], {**ROWS[1], "sha256": None}]
    assert agreement({"sources": [ENTRIES[0], {**ENTRIES[1], "version": "sha256:", "path": "c.txt"}]}, rows) == [
        ("sources[1].path", "c.txt", "the value is not 'b.txt', as sources.csv row 3 says")]


def test_a_source_missing_from_either_side_is_named() -> None:
    assert agreement({"sources": ENTRIES[:1]}) == [
        ("sources[1]", None, "the value is missing: sources.csv row 3 names 'b.txt'")]
    assert agreement({"sources": ENTRIES}, []) == [  # each entry the table lacks, not the first only
        ("sources[0]", "{'path': 'a.txt', 'version': 'sha256:aa', 'title': 'First (a.txt)'}",
         "the value lists a text no row of sources.csv has"),
        ("sources[1]", "{'path': 'b.txt', 'version': 'sha256:bb', 'title': 'Second (b.txt)'}",
         "the value lists a text no row of sources.csv has")]
    assert agreement({"sources": "a.txt"}) == [  # not a list: frictionless names the type; here, every row
        ("sources[0]", None, "the value is missing: sources.csv row 2 names 'a.txt'"),
        ("sources[1]", None, "the value is missing: sources.csv row 3 names 'b.txt'")]
    assert agreement({"sources": ["a.txt", ENTRIES[1]]}) == [
        ("sources[0]", "a.txt", "the value is missing: sources.csv row 2 names 'a.txt'")]
