"""The dictionary's words: each field's type, constraints and hints in plain language.

Users never see a regular expression or a keyword: the workbook's input messages, the data
dictionary, the site's legend and every validation hint describe a field with these words.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scripts.model import catalogue, dates, patterns
from scripts.model.spec import ENUM, MAX_LENGTH, MAXIMUM, MIN_LENGTH, MINIMUM, PATTERN, Field

TYPE_WORDS: dict[str, Callable[[Field], str]] = {
    "text": lambda f: "text",
    "date": lambda f: "date as text (2024, 2024-08 or 2024-08-09)",
    "integer": lambda f: "whole number",
    "number": lambda f: "number",
    "boolean": lambda f: f"{f.true_values[0]} or {f.false_values[0]}",
}
EXAMPLES: dict[str, Callable[[Field], str]] = {
    "text": lambda f: "text",
    "date": lambda f: dates.EXAMPLE,
    "integer": lambda f: "a whole number such as 7",
    "number": lambda f: "a number such as 12.5",
    "boolean": lambda f: f"{f.true_values[0]} or {f.false_values[0]}",
}


def type_words(fld: Field) -> str:
    return TYPE_WORDS[fld.kind](fld)


def example(fld: Field) -> str:
    return EXAMPLES[fld.kind](fld)


def pattern_words(pattern: str) -> str:
    return patterns.describe(pattern)


def length_words(fld: Field) -> str:
    low, high = fld.constraint(MIN_LENGTH), fld.constraint(MAX_LENGTH)
    if low is not None and high is not None:
        return f"{low} to {high:,} characters"
    return f"at least {low} characters" if low is not None else f"at most {high:,} characters"


def _values(value: Any) -> str:
    return ", ".join(map(str, value))


# One entry per constraint: the constraint in words, for the dictionary and input messages.
CONSTRAINT_WORDS: dict[str, Callable[[Field, Any], str | None]] = {
    ENUM: lambda f, v: "one of: " + _values(v),
    PATTERN: lambda f, v: pattern_words(v),
    MIN_LENGTH: lambda f, v: length_words(f),
    MAX_LENGTH: lambda f, v: None if f.constraint(MIN_LENGTH) is not None else length_words(f),
    MINIMUM: lambda f, v: f"at least {v}",
    MAXIMUM: lambda f, v: f"at most {v}",
}


def constraint_words(fld: Field) -> list[str]:
    """Each constraint in plain words, for the data dictionary and input messages."""
    words = ["required" if fld.required else "optional"]
    if fld.unique:
        words.append("unique in its column")
    for item in _dictionary_order(fld):
        text = CONSTRAINT_WORDS[item.rule](fld, item.value)
        if text:
            words.append(text)
    return words


def _dictionary_order(fld: Field) -> list[Any]:
    """Constraints in the order the dictionary has always listed them: enum, pattern, lengths, range."""
    order = [ENUM, PATTERN, MIN_LENGTH, MAX_LENGTH, MINIMUM, MAXIMUM]
    return sorted(fld.constraints, key=lambda c: order.index(c.rule))


def rule_words(table: Any, fld: Field, rule: str) -> str:
    """What the check of ``rule`` on ``fld`` asks for, in words (for the pandera schema's listing)."""
    if rule in CONSTRAINT_WORDS:
        return length_words(fld) if rule in (MIN_LENGTH, MAX_LENGTH) else str(
            CONSTRAINT_WORDS[rule](fld, fld.constraint(rule)))
    fixed = {catalogue.REQUIRED: "a value in every row", catalogue.UNIQUE: "unique in its column",
             catalogue.TYPE: type_words(fld)}
    if rule in fixed:
        return fixed[rule]
    if rule == catalogue.PRIMARY_KEY:
        return "the primary key (" + ", ".join(table.primary_key) + ") occurs once"
    if rule == catalogue.FOREIGN_KEY:
        found = [fk for fk in table.foreign_keys if fk.fields[0] == fld.name]
        return "; ".join(f"({', '.join(fk.fields)}) is a key of {fk.resource}" for fk in found)
    return catalogue.info(rule).message


def input_message(fld: Field) -> str:
    return f"{fld.title}: {type_words(fld)}; " + "; ".join(constraint_words(fld)) + "."


# One entry per rule whose hint depends on the field: how to fix a breach, in plain words.
FIELD_HINTS: dict[str, Callable[[Field], str | None]] = {
    PATTERN: lambda f: f"write {pattern_words(f.pattern)}" if f.pattern else None,
    ENUM: lambda f: "use one of: " + _values(f.enum) if f.enum else None,
    catalogue.TYPE: lambda f: f"write {example(f)}",
    MIN_LENGTH: lambda f: f"write {length_words(f)}",
    MAX_LENGTH: lambda f: f"write {length_words(f)}",
}


def hint(fld: Field, rule: str) -> str:
    """How to fix a breach of ``rule`` in this field, in plain words."""
    specific = FIELD_HINTS.get(rule)
    return (specific(fld) if specific else None) or catalogue.hint(rule)


def short(text: str, limit: int = 60) -> str:
    """A value for a message: quoted, cut at ``limit`` characters with its length when longer."""
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}… ({len(text):,} characters)"
