"""The key a person probably meant when they typed a name where a key belongs.

Someone typing ``Kyrgyzstan`` as a state is told it "is not 3 capital letters", which is true and
of no help: the states table has a record named Kyrgyzstan, key ``KGZ``. When a key cell fails its
pattern or its foreign key, the referenced table's records are searched for one whose key or
name-like field (:data:`LABEL_FIELDS`) matches the typed text without regard to case, else closely
(:func:`difflib.get_close_matches` at :data:`CUTOFF`, which lets ``Kyrgystan`` or ``tokayev``
through and no unrelated word); the message then ends "did you mean KGZ (Kyrgyzstan)?".

Both validation (the CSVs) and the workbook import use this, each with its own view of the
referenced table. An exact match costs a dictionary look-up; the close match, linear in the
table, is tried only for tables of up to :data:`MAX_CLOSE` records.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from scripts.model.spec import ForeignKey, Table

LABEL_FIELDS = ("name", "full_name", "title", "label", "family_name")
CUTOFF = 0.85
MAX_CLOSE = 5_000


def key_reference(table: Table, field_name: str) -> ForeignKey | None:
    """The single-field foreign key of ``table`` made of ``field_name``, if there is one."""
    return next((fk for fk in table.foreign_keys if list(fk.fields) == [field_name]), None)


def label_fields(table: Table) -> list[str]:
    """The fields of ``table`` that name its records, in the order of :data:`LABEL_FIELDS`."""
    return [name for name in LABEL_FIELDS if name in table.field_names]


class KeyFinder:
    """Keys and names of one referenced table, ready to answer "which key did you mean?"."""

    def __init__(self, keys: Sequence[str | None], labels: Sequence[Sequence[str | None]]) -> None:
        """``keys`` of the records and, for each label field, its values in the same order (an empty
        or missing key or name is skipped)."""
        self.shown: dict[str, str] = {}  # key -> the name it is shown with
        self.exact: dict[str, str] = {}  # casefolded key or name -> key
        for index, key in enumerate(keys):
            if not key:
                continue
            names = [column[index] for column in labels if column[index]]
            self.shown.setdefault(key, names[0] if names else "")
            for text in (*names, key):
                self.exact.setdefault(text.strip().casefold(), key)

    def find(self, typed: str) -> str | None:
        """The key ``typed`` most likely means; None when nothing matches well."""
        folded = str(typed).strip().casefold()
        if not folded:
            return None
        if folded in self.exact:
            return self.exact[folded]
        if len(self.shown) > MAX_CLOSE:
            return None
        close = difflib.get_close_matches(folded, list(self.exact), n=1, cutoff=CUTOFF)
        return self.exact[close[0]] if close else None

    def match(self, typed: str) -> tuple[str, str] | None:
        """(key, name) of the record ``typed`` most likely means; None when nothing matches well,
        or when the match is what was typed (the key exists: something else is wrong)."""
        key = self.find(typed)
        if key is None or key == typed:
            return None
        return key, self.shown.get(key, "")


def did_you_mean(key: str, name: str) -> str:
    """ "did you mean KGZ (Kyrgyzstan)?" """
    return f"did you mean {key} ({name})?" if name and name != key else f"did you mean {key}?"


def use_key(key: str, name: str, fk: ForeignKey, where: str = "in") -> str:
    """The hint that goes with it: "use KGZ, the state_id of Kyrgyzstan in states"."""
    of = f" of {name}" if name and name != key else ""
    return f"use {key}, the {fk.ref_fields[0]}{of} {where} {fk.resource}"
