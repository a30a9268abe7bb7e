"""scripts/model/spec.py reads every property of a Table Schema it knows, and the spec's defaults
where one is absent: the whole Table and its Fields are compared, so a property read under a
wrong name or dropped is seen whatever consumer would have used it."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.model.spec import DEFAULT_FALSE, DEFAULT_TRUE, Constraint, Field, ForeignKey, Table, make_table

FULL = {
    "primaryKey": "code",
    "missingValues": ["", "NA"],
    "fields": [
        {"name": "code", "type": "string", "title": "Code", "description": "The code.",
         "constraints": {"pattern": "^[A-Z]{3}$", "enum": ["KAZ", "UZB"]},
         "categories": [{"value": "KAZ", "label": "Kazakhstan"}, {"value": "UZB"}, "TKM"]},
        {"name": "held", "type": "boolean", "trueValues": ["yes"], "falseValues": ["no"],
         "constraints": {"required": True}},
        {"name": "note", "multiline": True, "constraints": {"unique": True, "maxLength": 9}},
        {"name": "seats", "type": "integer", "constraints": {"minimum": 1, "maximum": 9}},
        {"name": "parent", "type": "string"},
    ],
    "foreignKeys": [{"fields": "parent", "reference": {"resource": "", "fields": "code"}},
                    {"fields": ["code"], "reference": {"resource": "states", "fields": ["state_id"]}}],
}
NA = ("", "NA")


def test_every_property_of_a_full_schema_is_read() -> None:
    table = make_table("codes", FULL, Path("tables/codes.csv"), Path("schemas/codes.json"), "Codes", "All codes.")
    assert table == Table(
        "codes", "Codes", "All codes.", Path("tables/codes.csv"), Path("schemas/codes.json"),
        (Field("code", "string", "text", "Code", "The code.", True, True,
               (Constraint("enum", ("KAZ", "UZB")), Constraint("pattern", "^[A-Z]{3}$")),
               categories=(("KAZ", "Kazakhstan"), ("UZB", ""), ("TKM", "")), missing_values=NA,
               in_primary_key=True, sole_primary_key=True),
         Field("held", "boolean", "boolean", "held", "", True, False, (), true_values=("yes",),
               false_values=("no",), missing_values=NA),
         Field("note", "string", "text", "note", "", False, True, (Constraint("max-length", 9),), multiline=True,
               missing_values=NA),
         Field("seats", "integer", "integer", "seats", "", False, False,
               (Constraint("minimum", 1), Constraint("maximum", 9)), missing_values=NA),
         Field("parent", "string", "text", "parent", "", False, False, (), missing_values=NA)),
        ("code",),
        (ForeignKey(("parent",), "codes", ("code",)), ForeignKey(("code",), "states", ("state_id",))),
        NA)
    assert table.field("code").labels == {"KAZ": "Kazakhstan", "UZB": "", "TKM": ""}
    assert table.sort_names() == ("code",)


def test_a_bare_schema_takes_the_specs_defaults() -> None:
    """No type is a string, no title is the name, no missingValues is [""], the boolean words are
    the spec's, and with no primary key the CSV is sorted by every field in order."""
    table = make_table("bare", {"fields": [{"name": "a"}, {"name": "b", "type": "boolean"}]},
                       Path("t.csv"), Path("s.json"))
    assert table == Table("bare", "bare", "", Path("t.csv"), Path("s.json"),
                          (Field("a", "string", "text", "a", "", False, False, ()),
                           Field("b", "boolean", "boolean", "b", "", False, False, ())),
                          (), (), ("",))
    assert (table.fields[1].true_values, table.fields[1].false_values) == (DEFAULT_TRUE, DEFAULT_FALSE)
    assert table.sort_names() == ("a", "b")
    assert make_table("empty", {}, Path("t.csv"), Path("s.json")).fields == ()


def test_a_composite_key_is_required_but_not_unique_field_by_field() -> None:
    table = make_table("pairs", {"primaryKey": ["a", "b"], "fields": [{"name": "a"}, {"name": "b"}]},
                       Path("t.csv"), Path("s.json"))
    assert [(f.required, f.unique, f.in_primary_key, f.sole_primary_key) for f in table.fields] == [
        (True, False, True, False), (True, False, True, False)]


def test_a_field_the_table_lacks_is_named_in_the_error() -> None:
    table = make_table("bare", {"fields": [{"name": "a"}]}, Path("t.csv"), Path("s.json"))
    with pytest.raises(KeyError) as caught:
        table.field("b")
    assert caught.value.args == ("bare has no field 'b'",)
