"""Validation's side of "did you mean KGZ (Kyrgyzstan)?": the referenced table as validation read it.

The model finds the key (:mod:`scripts.model.suggest`); this module gives it the referenced
table's key and name columns from the frames being validated, building each table's finder once
per validation, in the frames' cache (a table with many failing keys asks it many times).
"""

from __future__ import annotations

from typing import Any

from scripts.model.spec import Field, Table
from scripts.model.suggest import KeyFinder, did_you_mean, key_reference, label_fields, use_key

from .frames import Frames


def suggestion(frames: Frames, table: Table, fld: Field, value: Any) -> tuple[str, str] | None:
    """("did you mean KGZ (Kyrgyzstan)?", "use KGZ, the state_id of Kyrgyzstan in states") for a
    key cell of ``fld`` holding ``value``; None when the field is no foreign key or nothing matches."""
    fk = key_reference(table, fld.name)
    if fk is None or value is None or fk.resource not in frames.raw:
        return None
    found = _finder(frames, fk.resource, fk.ref_fields[0]).match(str(value))
    if found is None:
        return None
    return did_you_mean(*found), use_key(*found, fk)


def _finder(frames: Frames, resource: str, key: str) -> KeyFinder:
    """The referenced table's finder. (The frames hold every column of the schema, a missing one as
    nulls, and the finder skips empty keys and names.)"""
    slot = (_finder, resource, key)  # kept for the validation, dropped with the frames' cache
    if slot not in frames.cache:
        raw = frames.text(resource)
        names = [raw[n].to_list() for n in label_fields(frames.table(resource))]
        frames.cache[slot] = KeyFinder(raw[key].to_list(), names)
    return frames.cache[slot]
