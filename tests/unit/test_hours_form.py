"""The rules of the clerk's opening-hours form (core/hours_form.py): weekly rows and dated exceptions."""

from types import SimpleNamespace

import pytest

from core.hours_form import ExceptionConflict, HoursRefused, check_exception, check_weekly


@pytest.fixture(autouse=True)
def request_context(app):
    with app.test_request_context():
        yield


def row(closed=False, opens=None, closes=None):
    return SimpleNamespace(closed=closed, opens=opens, closes=closes)


def test_weekly_rows_are_sorted_and_midnight_is_written_24_00():
    assert check_weekly([(0, "14:00", "21:00"), (0, "08:00", "12:00"), (5, "22:00", "02:00"),
                         (6, "18:00", "00:00")]) == [
        (0, "08:00", "12:00"), (0, "14:00", "21:00"), (5, "22:00", "02:00"), (6, "18:00", "24:00")]


@pytest.mark.parametrize("rows", [
    [(1, "08:00", "12:00"), (1, "11:00", "13:00")],
    [(1, "20:00", "02:00"), (1, "23:00", "23:30")],  # the second lies inside the span across midnight
    [(1, "00:00", "24:00"), (1, "08:00", "09:00")],
], ids=["plain", "across-midnight", "all-day"])
def test_overlapping_spans_of_a_day_are_refused_naming_the_day(rows):
    with pytest.raises(HoursRefused) as refused:
        check_weekly(rows)
    assert refused.value.details["field"] == "d1" and "星期二" in refused.value.message  # Chinese first


def test_spans_that_touch_do_not_overlap():
    assert len(check_weekly([(2, "08:00", "12:00"), (2, "12:00", "14:00")])) == 2


def test_a_closed_exception_on_a_day_with_spans_is_a_conflict_and_the_other_way_round():
    with pytest.raises(ExceptionConflict):
        check_exception([row(opens="10:00", closes="16:00")], closed=True, opens=None, closes=None)
    with pytest.raises(ExceptionConflict):
        check_exception([row(closed=True)], closed=False, opens="10:00", closes="16:00")
    with pytest.raises(ExceptionConflict):
        check_exception([row(opens="10:00", closes="16:00")], closed=False, opens="15:00", closes="17:00")
    assert check_exception([row(opens="10:00", closes="16:00")], closed=False, opens="20:00",
                           closes="00:00") == ("20:00", "24:00")
    assert check_exception([], closed=True, opens=None, closes=None) == (None, None)


def test_an_exception_without_times_or_with_a_junk_time_is_refused_as_input():
    with pytest.raises(HoursRefused) as refused:
        check_exception([], closed=False, opens=None, closes=None)
    assert refused.value.status == 422
    with pytest.raises(HoursRefused):
        check_exception([], closed=False, opens="25:00", closes="26:00")
