"""scripts/model/patterns.py on patterns the package does not use yet: each is described in exact
words, its SQLite check accepts exactly the strings polars' engine matches (checked on every string
of a neighbourhood of its examples, not a hand-picked few), and its example matches it at the
length asked for. A schema from a fork may bring any of them."""

from __future__ import annotations

import itertools
import sqlite3

import pytest

from scripts.model import patterns

# pattern: its words
WORDS = {
    "^[0-9]$": "one digit",
    "^[A-Z][0-9]$": "one capital letter, then one digit",
    "^ab[0-9]$": "'ab', then one digit",
    "^abc$": "'abc'",
    "^[xyz]{2}$": "2 characters from xyz",
    "^[q]$": "one character from q",
    "^[0-9]?$": "0 to 1 digits",
    "^[a-z]*$": "any number of lowercase letters",
    "^[a-z]+$": "1 or more lowercase letters",
    "^[0-9]{2,}$": "2 or more digits",
    "^[0-9]{2,4}$": "2 to 4 digits",
    r"^a\*b$": "'a*b'",
    r"^USD\$$": "'USD$'",
    r"^USD\$": "'USD$'",
    "^[a-z]*[0-9]*$": "text in the form the field's description gives",
}
# patterns a SQLite check can express (every repetition fixed but at most one), with strings to
# start the neighbourhood from
SQL = {
    "^[0-9]$": ["5"],
    r"^a\*b$": ["a*b", "axb", "a**b"],
    r"^a\?b\[c$": ["a?b[c", "axbxc"],
    r"^USD\$$": ["USD$", "USD"],
    r"^a\^b\]c$": ["a^b]c", "axbxc", "a]b^c"],
    "^[A-Z]{2}[0-9]*_[a-z]{2}$": ["AB_cd", "AB123_cd", "AB1_c", "A1_cd"],
    "^x[0-9]{2}a*y$": ["x12y", "x12aaay", "x12aby"],
    "^[0-9]{2}a*$": ["12", "12aa", "12ab"],
    "^[a-f0-9]+-[0-9]$": ["a0-1", "-1", "ag-1"],
}
ALPHABET = "aAbcx0125_-*?[]^$ "


def _neighbours(text: str) -> set[str]:
    """``text`` with each one-character deletion, replacement and insertion from ALPHABET."""
    found = {text}
    for i in range(len(text) + 1):
        found.add(text[:i] + text[i + 1:])
        for char in ALPHABET:
            found.update({text[:i] + char + text[i + 1:], text[:i] + char + text[i:]})
    return found


@pytest.mark.parametrize(("pattern", "words"), list(WORDS.items()))
def test_a_pattern_is_described_in_exact_words(pattern: str, words: str) -> None:
    assert patterns.describe(pattern) == words


@pytest.mark.parametrize("pattern", list(SQL))
def test_the_sqlite_check_accepts_exactly_what_the_engine_matches(pattern: str) -> None:
    check = patterns.sql_check(pattern, "v")
    assert check is not None
    texts = sorted(set(itertools.chain.from_iterable(
        _neighbours(seed) for seed in [*SQL[pattern], *(patterns.example(pattern, n) or "" for n in range(8))])))
    db = sqlite3.connect(":memory:")
    by_sqlite = [bool(db.execute(f"SELECT {check} FROM (SELECT ? AS v)", (text,)).fetchone()[0]) for text in texts]
    by_engine = patterns.matches(pattern, texts)
    assert [t for t, s, e in zip(texts, by_sqlite, by_engine, strict=True) if s != e] == []
    assert any(by_engine) and not all(by_engine)  # the neighbourhood holds both kinds


def test_patterns_sqlite_cannot_express_get_no_check() -> None:
    """A bounded range ({2,4}, ?) or two open repetitions would need more than GLOB: no CHECK, and
    the agreement test on the package then names the pattern."""
    for pattern in ("^[0-9]{2,4}$", "^[0-9]?$", "^[a-z]*[0-9]*$", "^(a|b)$"):
        assert patterns.sql_check(pattern, "v") is None, pattern


@pytest.mark.parametrize(("pattern", "length", "expected"), [
    ("^[a-z][0-9]*$", None, "a"),
    ("^[a-z]*$", None, ""),
    ("^[a-z]*$", 2, "aa"),
    ("^[a-z][0-9]*$", 4, "a000"),
    ("^[a-z]{1,3}[0-9]*$", 6, "aaa000"),
    ("^[a-z][0-9]?$", 3, "a0"),
    ("^[A-Z]{3}$", 10, "AAA"),
    (r"^a\*b$", None, "a*b"),
    ("^[a-z]*[0-9]*$", 4, None),
    (patterns.SLUG, None, "ca-consultative-6"),
    (patterns.SLUG, 20, "ca-consultative-6xxx"),
    (patterns.SLUG, 5, "ca-consultative-6"),
    (patterns.WEB_ADDRESS, 40, "https://www.example.org/a"),
])
def test_an_example_matches_and_is_stretched_towards_the_length_asked(pattern: str, length: int | None,
                                                                      expected: str | None) -> None:
    """Where a length is asked (a field's minLength), the example is grown in the repetitions that
    allow it, never past a bounded one; a known pattern's example is grown only where it stays valid."""
    assert patterns.example(pattern, length) == expected
    if expected is not None:
        assert patterns.matches(pattern, [expected]) == [True]


def test_anchors_are_optional_and_an_escaped_dollar_is_text() -> None:
    """Table Schema patterns match the whole value with or without ^ and $; a trailing \\$ is a
    dollar sign in the value (it was taken for the anchor, breaking the pattern), and \\\\$ is a
    backslash before the anchor."""
    texts = ["USD$", "USD", "a\\", "abc", "xabc"]
    assert patterns.matches("abc", texts) == patterns.matches("^abc$", texts) == [False, False, False, True, False]
    assert patterns.matches(r"^USD\$", texts) == [True, False, False, False, False]
    assert patterns.matches(r"^a\\$", texts) == [False, False, True, False, False]
    assert patterns.matches(r"^a\\\$", ["a\\$", "a\\", "a$"]) == [True, False, False]  # a backslash, a dollar
    assert patterns.engine_problem(r"^USD\$") is None
    assert patterns.matches("^[a-z]+$", []) == []
