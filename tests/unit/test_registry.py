"""scripts/validate/registry.py on made-up rules and frames: which rules run in which provenance
mode and what each is given, how a rule's results for one cell are combined, what a target a rule
did not report reads as, and how rules are registered. The real rules are tested in their own
files; here the machinery that feeds them to pandera is pinned alone."""

from __future__ import annotations

from types import SimpleNamespace

import polars as pl
import pytest

from scripts.model.spec import make_field
from scripts.validate import registry
from scripts.validate.registry import LOCK, STALE, Rule, RuleRun


def _rule(provenance: bool | str = False, func=None, targets=(("t", "a"),), needs=("t",), describe=None) -> Rule:
    return Rule("clean_text", func or (lambda frames, **kw: iter(())), needs, lambda package: list(targets),
                describe, provenance)


def _frames(**tables: int) -> SimpleNamespace:
    """Frames as the registry sees them: raw tables (of so many rows), a package naming them, a cache."""
    raw = {name: pl.DataFrame({"a": [""] * rows}) for name, rows in tables.items()}
    return SimpleNamespace(raw=raw, cache={}, package=SimpleNamespace(tables=dict.fromkeys(tables)))


@pytest.mark.parametrize(("provenance", "lock", "texts", "runs"), [
    (False, False, False, True), (False, True, True, True),
    (True, False, False, False), (True, False, True, True), (True, True, True, True),
    (LOCK, True, False, True), (LOCK, True, True, False), (LOCK, False, False, False),
    (STALE, True, True, True), (STALE, True, False, False), (STALE, False, True, False),
])
def test_each_rule_runs_in_its_provenance_mode(provenance: bool | str, lock: bool, texts: bool, runs: bool) -> None:
    """Texts run the provenance rules; a lock alone runs the lock rules; both run the stale-lock rule."""
    run = RuleRun(_frames(t=1), {"lock": object()} if lock else {})
    assert run.wanted(_rule(provenance), texts) is runs


def test_each_rule_is_given_the_inputs_of_its_mode() -> None:
    sources, lock = object(), object()
    run = RuleRun(_frames(t=1), {"sources": sources, "lock": lock})
    assert run._inputs(_rule(LOCK)) == {"lock": lock}
    assert run._inputs(_rule(STALE)) == {"sources": sources, "lock": lock}
    assert run._inputs(_rule(True)) == {"sources": sources}
    assert run._inputs(_rule(False)) == {}


def test_results_for_one_cell_are_combined_and_the_rule_gets_its_inputs() -> None:
    """Two results for one (table, field): a row fails if either says so; the messages given are kept."""
    seen = {}

    def func(frames, **inputs):
        seen.update(inputs)
        yield "t", "a", pl.Series([True, False, False])
        yield "t", "a", pl.Series([False, False, True]), pl.Series(["x", None, "z"])
        yield "t", "a", pl.Series([False, False, False])

    run = RuleRun(_frames(t=3), {"sources": "texts"})
    failing, messages = run.result(_rule(True, func), "t", "a")
    assert failing.to_list() == [True, False, True] and messages.to_list() == ["x", None, "z"]
    assert seen == {"sources": "texts"}


def test_a_rule_reporting_where_it_did_not_declare_stops_validation() -> None:
    def func(frames, **inputs):
        yield "t", "b", pl.Series([True])

    with pytest.raises(RuntimeError) as caught:
        RuleRun(_frames(t=1)).result(_rule(func=func), "t", "a")
    assert str(caught.value) == "rule clean_text reports on t.b, which it does not declare"


def test_a_declared_target_the_rule_did_not_report_passes_every_row() -> None:
    failing, messages = RuleRun(_frames(t=3)).result(_rule(targets=(("t", "a"), ("t", "b"))), "t", "b")
    assert (failing.dtype, failing.to_list(), messages) == (pl.Boolean, [False, False, False], None)
    empty, _ = RuleRun(_frames(t=0)).result(_rule(), "t", "a")
    assert (empty.dtype, empty.len()) == (pl.Boolean, 0)  # a table with no rows still gets a boolean mask


def test_only_wanted_rules_whose_tables_were_read_run_at_their_targets(monkeypatch: pytest.MonkeyPatch) -> None:
    """A rule that does not run, or needs a table not read, is skipped, and the rules after it still run."""
    monkeypatch.setattr(registry, "RULES", {
        "lock_only": _rule(LOCK, targets=(("t", "a"),)),
        "needs_missing": _rule(needs=("t", "u"), targets=(("t", "a"),)),
        "runs": _rule(targets=(("t", "a"), ("u", "a"), ("t", "b"))),
        "texts": _rule(True, targets=(("t", "c"),)),
    })
    run = RuleRun(_frames(t=1))
    assert [(t, f) for _, t, f in run.applicable(include_provenance=False)] == [("t", "a"), ("t", "b")]
    assert [(t, f) for _, t, f in run.applicable(include_provenance=True)] == [("t", "a"), ("t", "b"), ("t", "c")]


def test_targets_split_at_the_first_dot_and_keep_the_packages_tables() -> None:
    """A field name may hold a dot; a table the package lacks has no target."""
    targets = registry._fixed(("t.a", "t.b.c", "gone.a"))
    assert targets(SimpleNamespace(tables={"t": None})) == [("t", "a"), ("t", "b.c")]


def test_a_rule_reading_every_table_needs_them_all() -> None:
    package = SimpleNamespace(tables=dict.fromkeys(["t", "u"]))
    assert _rule(needs=("*", "sources")).needed_tables(package) == {"t", "u", "sources"}
    assert _rule(needs=("t",)).needed_tables(package) == {"t"}


def test_a_rules_message_is_its_own_words_for_the_cell_or_the_catalogues() -> None:
    fld = make_field({"name": "a"})
    assert _rule(describe=lambda f, value: f"{f.name} holds {value!r}").message(fld, "x") == "a holds 'x'"
    assert _rule().message(fld, "x") == "the text holds a refused character or spaces around it"


def test_one_function_serves_a_rule_id_with_its_bound_keywords(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "RULES", {})
    calls = []

    def check(frames, kind, **inputs):
        calls.append((kind, inputs))
        yield from ()

    registry.rule_of("clean_text", check, "t", "u", targets=("t.a",), kind="lock")
    made = registry.RULES["clean_text"]
    assert (made.name, made.needs, made.provenance, made.targets(SimpleNamespace(tables={"t": None}))) == (
        "clean_text", ("t", "u"), False, [("t", "a")])
    list(made.func(None, sources="s"))
    assert calls == [("lock", {"sources": "s"})]


def test_a_registered_rule_keeps_what_it_was_declared_with(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "RULES", {})

    def words(fld, value):
        return "bad"

    @registry.rule("t", targets=("t.a",), describe=words, provenance=True)
    def clean_text(frames):
        yield from ()

    made = registry.RULES["clean_text"]
    assert (made.func, made.needs, made.describe, made.provenance) == (clean_text, ("t",), words, True)
    with pytest.raises(KeyError):
        registry.rule(targets=("t.a",))(lambda frames: iter(()))  # not a catalogue id: refused at import
