"""scripts/xlsx/read/cells.py: one workbook cell as its CSV text, or the exact refusal. Error cells
are refused, never read as their text; a calendar date (date or datetime kind) in a reduced-date
field is kept only when it is exactly the first day the old text means, at midnight; a year means
1 January of that year."""

from __future__ import annotations

import datetime as dt

import pytest

from scripts.model.cells import CellError
from scripts.model.dates import REDUCED_DATE, as_calendar_date
from scripts.model.spec import make_field
from scripts.xlsx.read.cells import DATE_HINT, cell_text
from scripts.xlsx.read.reader import Cell

DATE = make_field({"name": "date_start", "type": "string", "constraints": {"pattern": REDUCED_DATE}})
TEXT = make_field({"name": "venue", "type": "string"})
NUMBER = make_field({"name": "value", "type": "number"})
FLAG = make_field({"name": "is_date_inferred", "type": "boolean"})


def refusal(fld, cell: Cell, old: str | None = None) -> tuple[str, str, str]:
    with pytest.raises(CellError) as caught:
        cell_text(fld, cell, old)
    return caught.value.rule, caught.value.message, caught.value.hint


def date_refusal(shown: str) -> tuple[str, str, str]:
    return ("type-error", f"holds the calendar date {shown}, but date_start keeps a date as text at the precision "
            "the source gives (a year, a month or a day), and a calendar date cannot say which was meant", DATE_HINT)


@pytest.mark.parametrize("error", ["#N/A", "#DIV/0!", "#REF!", "#VALUE!"])
@pytest.mark.parametrize("fld", [TEXT, NUMBER, DATE])
def test_an_error_cell_is_refused_not_read_as_its_text(fld, error: str) -> None:
    assert refusal(fld, Cell("B2", error, "error")) == (
        "cell-error", f"holds the error value {error}", "type the value itself")


def test_an_error_cell_is_refused_even_with_the_old_text_equal() -> None:
    assert refusal(TEXT, Cell("B2", "#N/A", "error"), old="#N/A")[0] == "cell-error"


def test_an_empty_cell_is_empty_text() -> None:
    assert cell_text(TEXT, None) == "" and cell_text(DATE, None, "2024") == ""


@pytest.mark.parametrize(("value", "kind"), [(dt.date(2024, 8, 1), "date"), (dt.datetime(2024, 8, 1), "datetime")])
def test_a_calendar_date_equal_to_the_old_month_keeps_the_old_text(value, kind: str) -> None:
    assert cell_text(DATE, Cell("F8", value, kind), old="2024-08") == "2024-08"


@pytest.mark.parametrize(("value", "kind"), [(dt.date(2024, 1, 1), "date"), (dt.datetime(2024, 1, 1), "datetime")])
def test_a_year_is_its_first_of_january(value, kind: str) -> None:
    assert cell_text(DATE, Cell("F8", value, kind), old="2024") == "2024"


@pytest.mark.parametrize(("value", "kind", "old", "shown"), [
    (dt.date(2024, 12, 31), "date", "2024", "2024-12-31"),          # the year's last day is not the year
    (dt.datetime(2024, 12, 31), "datetime", "2024", "2024-12-31"),
    (dt.date(2024, 8, 31), "date", "2024-08", "2024-08-31"),
    (dt.date(2024, 8, 2), "date", "2024-08", "2024-08-02"),
    (dt.date(2024, 8, 1), "date", None, "2024-08-01"),              # a new record: no old text to keep
    (dt.date(2024, 8, 1), "date", "", "2024-08-01"),
    (dt.date(2024, 8, 1), "date", "2024-09", "2024-08-01"),
    (dt.datetime(2024, 8, 15), "datetime", None, "2024-08-15"),
    (dt.datetime(2024, 8, 1, 10, 30), "datetime", "2024-08", "2024-08-01 10:30:00"),  # a time of day is a change
    (dt.datetime(2024, 8, 1, 0, 0, 1), "datetime", "2024-08-01", "2024-08-01 00:00:01"),
])
def test_a_calendar_date_that_is_not_the_old_text_is_refused(value, kind: str, old: str | None, shown: str) -> None:
    assert refusal(DATE, Cell("F8", value, kind), old) == date_refusal(shown)


def test_a_day_is_kept_only_as_that_day() -> None:
    assert cell_text(DATE, Cell("F8", dt.date(2024, 8, 9), "date"), old="2024-08-09") == "2024-08-09"
    assert refusal(DATE, Cell("F8", dt.date(2024, 8, 9), "date"), old="2024-08-10") == date_refusal("2024-08-09")


def test_a_date_in_a_text_field_is_refused_as_a_type() -> None:
    """Only a reduced-date field has the keep-the-old-text guard; a text field takes no date."""
    assert refusal(TEXT, Cell("J8", dt.date(2024, 8, 1), "date"), old="2024-08-01")[:2] == (
        "type-error", "venue takes text, not a date")
    assert refusal(TEXT, Cell("J8", dt.datetime(2024, 8, 1, 9), "datetime"))[:2] == (
        "type-error", "venue takes text, not a date")


@pytest.mark.parametrize(("formula", "value", "text"), [("TRUE()", 1.0, "true"), ("FALSE()", 0.0, "false"),
                                                         ("true", 1.0, "true"), (" FALSE ", 0.0, "false")])
def test_a_constant_boolean_formula_is_its_value(formula: str, value: float, text: str) -> None:
    assert cell_text(FLAG, Cell("G2", value, "number", formula)) == text


def test_any_other_formula_is_refused_naming_it() -> None:
    assert refusal(TEXT, Cell("J8", "Astana", "text", 'CONCAT("Ast","ana")')) == (
        "formula", 'holds a formula (=CONCAT("Ast","ana")); the import reads typed values only',
        "type the value itself, or copy the cell and paste it as a value")
    assert refusal(FLAG, Cell("G2", 1.0, "number", "1=1"))[0] == "formula"


def test_plain_values_go_through_the_model() -> None:
    assert cell_text(TEXT, Cell("J8", "Palace", "text")) == "Palace"
    assert cell_text(NUMBER, Cell("K8", 11.0, "number")) == "11"
    assert cell_text(DATE, Cell("F8", "2024-08", "text"), old="2024") == "2024-08"
    assert cell_text(DATE, Cell("F8", 2024.0, "number")) == "2024"


@pytest.mark.parametrize(("text", "day"), [("2024", dt.date(2024, 1, 1)), ("2024-08", dt.date(2024, 8, 1)),
                                           ("2024-08-09", dt.date(2024, 8, 9)), ("2024-13", None),
                                           ("2024-02-30", None), ("x", None), ("2024-08-09-01", None), ("", None)])
def test_as_calendar_date_is_the_first_day_a_reduced_date_means(text: str, day: dt.date | None) -> None:
    assert as_calendar_date(text) == day


def test_a_problem_at_a_cell_names_the_cell_once() -> None:
    from scripts.report import Problem
    from scripts.xlsx.read.cells import at_cell

    assert at_cell("meetings", "J8", 8, "venue", "x", "type-error", "is not a date", "h") == Problem(
        "meetings", 8, "venue", "x", "type-error", "meetings!J8: is not a date", "h")
    assert at_cell("meetings", "J8", 8, "venue", "x", "type-error", "meetings!J8: is not a date", "h").message == \
        "meetings!J8: is not a date"
    far = at_cell("meetings", "J8", 8, "venue", "x", "r", "meetings!J80: far", "h")  # another cell's name: not this one
    assert far.message == "meetings!J8: meetings!J80: far"
