"""scripts/release/diff.py on small tables: the exact diff people read (``diff``), tools read
(``changes.json``) and CHANGELOG gets (``bump``). Values are compared typed, so ``1.0`` and ``1`` are
the same number; a field dropped or added between versions is a change of that field; the
CHANGELOG summary lists ``limit`` keys and then says how many more."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from scripts.model.package import Package
from scripts.model.spec import Table, make_table
from scripts.release.diff import diff_json, diff_packages, diff_summary, diff_tables, diff_text

SCHEMA = {"fields": [{"name": "thing_id", "type": "string"}, {"name": "count", "type": "integer"},
                     {"name": "share", "type": "number"}, {"name": "name", "type": "string"},
                     {"name": "done", "type": "boolean"}],
          "primaryKey": ["thing_id"]}


def table(name: str = "things", schema: dict[str, Any] | None = None) -> Table:
    return make_table(name, schema or SCHEMA, Path(f"tables/{name}.csv"), Path(f"schemas/{name}.json"))


def row(thing_id: str, count: str = "1", share: str = "0.5", name: str = "A", done: str = "true") -> dict[str, str]:
    return {"thing_id": thing_id, "count": count, "share": share, "name": name, "done": done}


def test_numbers_written_differently_are_no_change() -> None:
    """``1.0`` and ``1``, ``0.50`` and ``.5``, ``TRUE`` and ``true``: the same typed values."""
    old = [row("a", count="1", share="1.0", done="TRUE"), row("b", share="0.50")]
    new = [row("a", count="1", share="1", done="true"), row("b", share=".5")]
    diff = diff_tables("things", table(), old, table(), new)
    assert (diff.added, diff.removed, diff.changed, diff.is_empty) == ([], [], [], True)


def test_a_changed_value_is_one_change_with_typed_old_and_new() -> None:
    diff = diff_tables("things", table(), [row("a", count="1"), row("b")], table(), [row("a", count="2"), row("b")])
    assert [(c.key, c.fields) for c in diff.changed] == [("a", {"count": (1, 2)})]
    assert diff.is_empty is False


def test_added_and_removed_rows_by_key_in_key_order() -> None:
    old = [row("a"), row("c"), row("b")]
    new = [row("d"), row("a"), row("e")]
    diff = diff_tables("things", table(), old, table(), new)
    assert [r["thing_id"] for r in diff.added] == ["d", "e"]
    assert [r["thing_id"] for r in diff.removed] == ["b", "c"]
    assert diff.added[0] == {"thing_id": "d", "count": 1, "share": 0.5, "name": "A", "done": True}


def test_a_field_dropped_in_the_new_version_is_a_change_of_that_field() -> None:
    """The new schema lost ``name``: every row whose name was set shows it going to null."""
    dropped = {"fields": [f for f in SCHEMA["fields"] if f["name"] != "name"], "primaryKey": ["thing_id"]}
    new_rows = [{k: v for k, v in r.items() if k != "name"} for r in (row("a"), row("b", name=""))]
    diff = diff_tables("things", table(), [row("a"), row("b", name="")], table(schema=dropped), new_rows)
    assert [(c.key, c.fields) for c in diff.changed] == [("a", {"name": ("A", None)})]


def test_a_field_added_in_the_new_version_is_a_change_of_that_field() -> None:
    added = {"fields": [*SCHEMA["fields"], {"name": "note", "type": "string"}], "primaryKey": ["thing_id"]}
    diff = diff_tables("things", table(), [row("a")], table(schema=added), [{**row("a"), "note": "new"}])
    assert [(c.key, c.fields) for c in diff.changed] == [("a", {"note": (None, "new")})]


def test_an_untyped_cell_is_compared_as_text_and_empty_text_is_null() -> None:
    """A cell that does not parse (``x`` in an integer column) is kept as its text, not dropped."""
    diff = diff_tables("things", table(), [row("a", count="x"), row("b", name="")], table(),
                       [row("a", count="y"), row("b", name="B")])
    assert [(c.key, c.fields) for c in diff.changed] == [("a", {"count": ("x", "y")}), ("b", {"name": (None, "B")})]


def test_a_table_without_a_primary_key_is_keyed_by_the_whole_row() -> None:
    keyless = {"fields": SCHEMA["fields"]}
    diff = diff_tables("things", table(schema=keyless), [row("a"), row("b")], table(schema=keyless),
                       [row("a"), row("b", count="2")])
    assert diff.primary_key == ("thing_id", "count", "share", "name", "done")
    assert [r["count"] for r in diff.added] == [2] and [r["count"] for r in diff.removed] == [1]
    assert diff.changed == []
    assert diff.label(diff.added[0]) == "b/2/0.5/A/True"


def test_tables_added_and_removed_whole() -> None:
    added = diff_tables("things", None, [], table(), [row("a")])
    removed = diff_tables("things", table(), [row("a")], None, [])
    assert (added.status, [r["thing_id"] for r in added.added], added.removed) == ("added", ["a"], [])
    assert (removed.status, removed.added, [r["thing_id"] for r in removed.removed]) == ("removed", [], ["a"])
    assert added.is_empty is False and removed.is_empty is False
    assert diff_tables("things", None, [], table(), []).is_empty is False  # a new table is news even when empty
    with pytest.raises(ValueError, match="at least one version"):
        diff_tables("things", None, [], None, [])


def two_versions() -> Any:
    """A package diff of two tables: things (one added, one removed, one changed), parts (a new table)."""
    from scripts.release.diff import PackageDiff

    things = diff_tables("things", table(), [row("a"), row("b", count="1", name="B")], table(),
                         [row("b", count="3", name="Bee"), row("c")])
    parts = diff_tables("parts", None, [], table("parts"), [row("p1")])
    kept = diff_tables("same", table("same"), [row("x")], table("same"), [row("x")])
    return PackageDiff("1.0.0", "1.1.0", [things, parts, kept])


def test_diff_text_exactly() -> None:
    assert diff_text(two_versions()) == (
        "version 1.0.0 -> 1.1.0\n"
        "things: 1 added, 1 removed, 1 changed\n"
        "  + c\n"
        "  - a\n"
        '  ~ b: count 1 -> 3\n'
        '  ~ b: name "B" -> "Bee"\n'
        "parts (table added): 1 added, 0 removed, 0 changed\n"
        "  + p1\n"
        "total: 2 added, 1 removed, 1 changed\n")


def test_diff_text_of_no_change_says_so() -> None:
    from scripts.release.diff import PackageDiff

    same = diff_tables("same", table(), [row("x")], table(), [row("x")])
    assert diff_text(PackageDiff("1.0.0", "1.0.1", [same])) == (
        "version 1.0.0 -> 1.0.1\nno changes\ntotal: 0 added, 0 removed, 0 changed\n")


def test_diff_json_exactly() -> None:
    assert diff_json(two_versions()) == {
        "old_version": "1.0.0", "new_version": "1.1.0",
        "totals": {"added": 2, "removed": 1, "changed": 1},
        "tables": {
            "things": {"status": "kept",
                       "added": [{"key": "c", "row": {"thing_id": "c", "count": 1, "share": 0.5, "name": "A",
                                                       "done": True}}],
                       "removed": [{"key": "a", "row": {"thing_id": "a", "count": 1, "share": 0.5, "name": "A",
                                                         "done": True}}],
                       "changed": [{"key": "b", "fields": {"count": {"old": 1, "new": 3},
                                                           "name": {"old": "B", "new": "Bee"}}}]},
            "parts": {"status": "added",
                      "added": [{"key": "p1", "row": {"thing_id": "p1", "count": 1, "share": 0.5, "name": "A",
                                                       "done": True}}],
                      "removed": [], "changed": []}}}


def test_diff_summary_exactly() -> None:
    assert diff_summary(two_versions()) == (
        "Data changes since 1.0.0: 2 added, 1 removed, 1 changed records.\n"
        "\n"
        "- `things`: 1 added, 1 removed, 1 changed (+`c`, -`a`, ~`b`)\n"
        "- `parts` (table added): 1 added, 0 removed, 0 changed (+`p1`)")


@pytest.mark.parametrize(("count", "shown", "more"), [(2, "+`k0`, +`k1`", ""), (3, "+`k0`, +`k1`", " and 1 more"),
                                                      (1, "+`k0`", "")])
def test_diff_summary_lists_limit_keys_then_how_many_more(count: int, shown: str, more: str) -> None:
    """Exactly ``limit`` keys fit without "and N more"; one past it says "and 1 more"."""
    from scripts.release.diff import PackageDiff

    things = diff_tables("things", table(), [], table(), [row(f"k{i}") for i in range(count)])
    summary = diff_summary(PackageDiff("1.0.0", "1.1.0", [things]), limit=2)
    assert summary.splitlines()[-1] == f"- `things`: {count} added, 0 removed, 0 changed ({shown}{more})"


def test_diff_summary_of_no_change_is_one_line() -> None:
    from scripts.release.diff import PackageDiff

    same = diff_tables("same", table(), [row("x")], table(), [row("x")])
    assert diff_summary(PackageDiff("1.0.0", "1.0.1", [same])) == (
        "Data changes since 1.0.0: 0 added, 0 removed, 0 changed records.")


def test_diff_packages_compares_every_table_new_order_first(package: Package, tmp_path: Path) -> None:
    """The real package against itself with one table dropped from the old version: that table is
    'added' whole, listed where the new version has it; nothing else changes."""
    from dataclasses import replace

    old = replace(package, tables={k: v for k, v in package.tables.items() if k != "topics"})
    diff = diff_packages(old, package)
    assert [t.name for t in diff.tables] == list(package.tables)
    changed = [t for t in diff.tables if not t.is_empty]
    assert [(t.name, t.status, len(t.added)) for t in changed] == [("topics", "added", len(changed[0].added))]
    assert len(changed[0].added) > 0
    assert diff.totals() == {"added": len(changed[0].added), "removed": 0, "changed": 0}
    back = diff_packages(package, old)
    assert [t.name for t in back.tables][-1] == "topics"  # a table only in the old version comes last
    assert [(t.name, t.status) for t in back.tables if not t.is_empty] == [("topics", "removed")]


def test_diff_packages_reads_the_new_rows_it_is_given_and_names_both_versions(package: Package) -> None:
    """A release passes the rows of its snapshot (``new_rows``): the diff is of those rows, not of
    the files on disk, and says which version is which."""
    from dataclasses import replace

    from scripts.model.package import read_rows

    old = replace(package, descriptor={**package.descriptor, "version": "0.9.0"})
    new = replace(package, descriptor={**package.descriptor, "version": "1.0.0"})
    rows = {name: read_rows(t) for name, t in package.tables.items()}
    first = next(name for name, r in rows.items() if r)
    dropped = rows[first].pop(0)
    diff = diff_packages(old, new, new_rows=rows)
    assert (diff.old_version, diff.new_version) == ("0.9.0", "1.0.0")
    changed = [t for t in diff.tables if not t.is_empty]
    assert [(t.name, len(t.added), len(t.removed), len(t.changed)) for t in changed] == [(first, 0, 1, 0)]
    assert changed[0].label(changed[0].removed[0]) == changed[0].label({k: dropped[k] for k in dropped})


def test_a_table_without_changes_before_others_does_not_hide_them() -> None:
    """An unchanged table is skipped in all three outputs, and the tables after it still shown."""
    from scripts.release.diff import PackageDiff

    same = diff_tables("same", table("same"), [row("x")], table("same"), [row("x")])
    things = diff_tables("things", table(), [], table(), [row("a")])
    diff = PackageDiff("1.0.0", "1.1.0", [same, things])
    assert diff_text(diff).splitlines()[1:3] == ["things: 1 added, 0 removed, 0 changed", "  + a"]
    assert list(diff_json(diff)["tables"]) == ["things"]
    assert diff_summary(diff).splitlines()[2:] == ["- `things`: 1 added, 0 removed, 0 changed (+`a`)"]


def test_diff_text_shows_non_ascii_values_as_written() -> None:
    """``Бишкек`` is printed as itself, not as ``\\u0411…`` escapes."""
    from scripts.release.diff import PackageDiff

    things = diff_tables("things", table(), [row("a", name="Ош")], table(), [row("a", name="Бишкек")])
    assert diff_text(PackageDiff("1", "2", [things])).splitlines()[2] == '  ~ a: name "Ош" -> "Бишкек"'


def test_a_column_outside_the_schema_is_compared_as_text_and_empty_is_null() -> None:
    """A CSV column the schema does not name (an old release's extra column) is kept as its text;
    an empty cell there is null, so the column vanishing with empty cells is no change."""
    old = [{**row("a"), "extra": "v"}, {**row("b"), "extra": ""}]
    new = [{**row("a"), "extra": "w"}, row("b")]
    diff = diff_tables("things", table(), old, table(), new)
    assert [(c.key, c.fields) for c in diff.changed] == [("a", {"extra": ("v", "w")})]


def test_a_row_lacking_a_key_column_is_keyed_as_if_that_cell_were_empty() -> None:
    """A short row (no ``part`` cell at all) and a row whose ``part`` is empty are the same record."""
    keyed = {"fields": [*SCHEMA["fields"], {"name": "part", "type": "string"}], "primaryKey": ["thing_id", "part"]}
    diff = diff_tables("things", table(schema=keyed), [row("a")], table(schema=keyed), [{**row("a"), "part": ""}])
    assert (diff.added, diff.removed, diff.changed) == ([], [], [])


def test_diff_summary_lists_twenty_keys_by_default() -> None:
    from scripts.release.diff import PackageDiff

    things = diff_tables("things", table(), [], table(), [row(f"k{i:02}") for i in range(21)])
    line = diff_summary(PackageDiff("1.0.0", "1.1.0", [things])).splitlines()[-1]
    assert line.endswith("+`k19` and 1 more)") and "k20" not in line


def test_diff_tables_without_either_version_says_so_exactly() -> None:
    with pytest.raises(ValueError, match=r"^diff_tables needs at least one version of the table$"):
        diff_tables("things", None, [], None, [])
