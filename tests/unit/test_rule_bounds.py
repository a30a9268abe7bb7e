"""The bounds of the named rules, on in-memory frames of the real package edited cell by cell: each
bound passes on its edge and fails one step past it (plausible ranges inclusive at both ends, a
range ending on its start day, a signature on a meeting's first or last day), and one row per
person folds case and spaces."""

from __future__ import annotations

import pytest

from scripts.model.package import Package
from scripts.validate.rules import PLAUSIBLE_RANGES
from tests.unit.test_rules import failing, frames_of, row_of, set_cell


def findings(frames, rule: str) -> set[tuple[str, str, str, int]]:
    """The rule's findings, the rule run alone (it finds what it finds among all the rules)."""
    return {f for f in failing(frames, rule) if f[0] == rule}


def _edges() -> list[tuple[str, str, str, bool]]:
    """(unit, scale, value, fails): each plausible range's two ends pass, a step outside fails."""
    cases = []
    for (unit, scale), (low, high) in PLAUSIBLE_RANGES.items():
        step = 0.0005 if low < 1 else 0.5
        cases += [(unit, scale, repr(float(low)), False), (unit, scale, repr(float(high)), False),
                  (unit, scale, repr(float(high) * 1.001), True)]
        if low - step >= 0:
            cases.append((unit, scale, repr(float(low) - step), True))
    return cases


@pytest.mark.parametrize(("unit", "scale", "value", "fails"), _edges())
def test_a_plausible_range_includes_both_ends(package: Package, unit: str, scale: str, value: str,
                                              fails: bool) -> None:
    frames = frames_of(package)
    row = row_of(frames, "indicators", value_kind="actual")
    for column, cell in (("unit", unit), ("scale", scale), ("value", value)):
        set_cell(frames, "indicators", row, column, cell)
    expected = {("value_in_plausible_range", "indicators", "value", row + 2)} if fails else set()
    assert findings(frames, "value_in_plausible_range") == expected


def test_a_unit_and_scale_without_a_range_are_not_judged(package: Package) -> None:
    frames = frames_of(package)
    row = row_of(frames, "indicators", value_kind="actual")
    set_cell(frames, "indicators", row, "unit", "percent")
    set_cell(frames, "indicators", row, "scale", "billion")  # no plausible range for percent x billion
    set_cell(frames, "indicators", row, "value", "123456789")
    assert findings(frames, "value_in_plausible_range") == set()


@pytest.mark.parametrize(("start", "end", "fails"), [
    ("2024-08-09", "2024-08-09", False),  # a one-day meeting: its range ends on its start day
    ("2024-08-09", "2024-08-10", False),
    ("2024-08-09", "2024-08-08", True),
    ("2024-08", "2024-08", False),
    ("2024-08", "2024-07-31", True),
    ("2024-08-09", "2024-08", False),     # compared at the coarser precision: the same month
    ("2024-08-09", "2024", False),
    ("2024", "2023-12-31", True),
])
def test_a_date_range_may_end_on_its_start(package: Package, start: str, end: str, fails: bool) -> None:
    frames = frames_of(package)
    row = row_of(frames, "meetings", meeting_id="ca-consultative-6")
    set_cell(frames, "meetings", row, "date_start", start)
    set_cell(frames, "meetings", row, "date_end", end)
    expected = {("date_ranges_ordered", "meetings", "date_end", row + 2)} if fails else set()
    assert findings(frames, "date_ranges_ordered") == expected


def _signature_at(package: Package, start: str, end: str, signed: str):
    """The frames with the first signed signature's meeting dated ``start``-``end`` (its documents'
    status dates inside) and that signature dated ``signed``; and the signature's row."""
    frames = frames_of(package)
    index = row_of(frames, "document_signatories", signature_status="signed")
    meeting = frames.raw["document_signatories"]["meeting_id"][index]
    m = row_of(frames, "meetings", meeting_id=meeting)
    set_cell(frames, "meetings", m, "date_start", start)
    set_cell(frames, "meetings", m, "date_end", end)
    for table, column in (("documents", "status_date"), ("document_signatories", "signature_date")):
        for row, value in enumerate(frames.raw[table]["meeting_id"].to_list()):
            if value == meeting:
                set_cell(frames, table, row, column, start)
    set_cell(frames, "document_signatories", index, "signature_date", signed)
    return frames, index


@pytest.mark.parametrize(("start", "end", "signed", "fails"), [
    ("2022-07-20", "2022-07-22", "2022-07-20", False),  # the first day
    ("2022-07-20", "2022-07-22", "2022-07-22", False),  # the last day
    ("2022-07-20", "2022-07-22", "2022-07-19", True),
    ("2022-07-20", "2022-07-22", "2022-07-23", True),
    ("2022-07-21", "", "2022-07-21", False),            # a one-day meeting without an end date
    ("2022-07-21", "", "2022-07-22", True),
    ("2022-07-21", "", "2022-07-20", True),
    ("2022-07-20", "2022-07-22", "2022-07", False),     # the coarser precision: the same month
    ("2022-07", "", "2022-08-01", True),
])
def test_a_signature_falls_within_its_meeting_first_and_last_day_included(
        package: Package, start: str, end: str, signed: str, fails: bool) -> None:
    frames, index = _signature_at(package, start, end, signed)
    expected = {("signed_on_meeting_date", "document_signatories", "signature_date", index + 2)} if fails else set()
    assert findings(frames, "signed_on_meeting_date") == expected


@pytest.mark.parametrize(("name", "state_same", "fails"), [
    ("kassym-jomart tokayev", True, True),    # case folded
    ("KASSYM-JOMART  TOKAYEV", True, True),   # case and inner spaces folded
    ("Kassym-Jomart Tokayev", False, False),  # another state: another person
    ("Kassym-Jomart Tokaev", True, False),    # another spelling is not folded into this one
])
def test_one_row_per_person_folds_case_and_spaces(package: Package, name: str, state_same: bool,
                                                  fails: bool) -> None:
    frames = frames_of(package)
    tokayev = row_of(frames, "persons", person_id="kassym-jomart-tokayev")
    other = row_of(frames, "persons", person_id="emomali-rahmon")
    set_cell(frames, "persons", other, "full_name", name)
    state = frames.raw["persons"]["state_id"][tokayev]
    set_cell(frames, "persons", other, "state_id", state if state_same else "UZB")
    later = max(tokayev, other)
    expected = {("person_is_one_row", "persons", "full_name", later + 2)} if fails else set()
    assert findings(frames, "person_is_one_row") == expected
