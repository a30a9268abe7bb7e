"""scripts/model/cells.py at its edges: the exact refusal of a number, a length at its bound, the
largest numbers written as whole numbers, and a missing value written as an empty cell."""

from __future__ import annotations

import pytest

from scripts.model import catalogue, cells
from scripts.model.cells import CellError
from scripts.model.spec import make_field

NUMBER = make_field({"name": "share", "type": "number"})


def test_a_cell_that_is_not_a_number_is_refused_with_the_fields_own_hint() -> None:
    with pytest.raises(CellError) as caught:
        cells.read_cell(NUMBER, "abc")
    assert (caught.value.rule, caught.value.message, caught.value.hint) == (
        "type-error", "'abc' is not a number", "write a number such as 12.5")
    assert cells.check_cell(NUMBER, "12,5") == [("type-error", "'12,5' is not a number")]


def test_an_error_without_a_hint_of_its_own_gets_its_rules_hint() -> None:
    assert CellError(catalogue.REQUIRED, "x").hint == "fill in the value: this field is required"
    assert CellError(catalogue.TYPE, "x").hint == "write the value in the field's type (see the hint's example)"
    assert CellError(catalogue.TYPE, "x", "write 1").hint == "write 1"


def test_a_text_of_exactly_the_minimum_length_passes_and_one_shorter_does_not() -> None:
    fld = make_field({"name": "t", "constraints": {"minLength": 3}})
    assert cells.check_cell(fld, "abc") == []
    assert cells.check_cell(fld, "ab") == [("min-length", "2 characters; at least 3 needed")]


@pytest.mark.parametrize(("value", "text"), [
    (9999999999999998.0, "9999999999999998"), (1e16, "1e+16"), (-1e16, "-1e+16"), (-5.0, "-5"), (2.5, "2.5"),
])
def test_numbers_are_written_whole_below_ten_to_the_sixteen_and_exactly_above(value: float, text: str) -> None:
    """Past 1e16 a float no longer holds every whole number, so it is written as Python writes it
    and reads back to the same float."""
    assert cells.write_cell(NUMBER, value) == text
    assert cells.read_cell(NUMBER, text) == value


@pytest.mark.parametrize("spec", [{"name": "t"}, {"name": "n", "type": "number"}, {"name": "i", "type": "integer"},
                                  {"name": "b", "type": "boolean"}])
def test_a_missing_value_is_an_empty_cell_in_every_type(spec: dict) -> None:
    fld = make_field(spec)
    assert cells.write_cell(fld, None) == ""
    assert cells.read_cell(fld, "") is None
