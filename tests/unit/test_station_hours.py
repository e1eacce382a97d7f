"""Opening hours of places: weekly spans, dated exceptions, Chinese holidays and 调休 (core/opening_hours.py)."""

from datetime import date, datetime, time
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from flask_babel import force_locale

from core.opening_hours import (
    HoursException,
    Span,
    describe,
    exceptions_from_rows,
    format_span,
    parse_span,
    spans_on,
    status_at,
    weekly_from_rows,
    weekly_table,
)

# December 2026: Monday the 7th to Sunday the 13th, no holidays
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def at(day: int, hour: int = 0, minute: int = 0, month: int = 12, year: int = 2026) -> datetime:
    """A naive local wall-clock time (December 2026 unless told)."""
    return datetime(year, month, day, hour, minute)


def spans(*texts: str) -> list[Span]:
    return [parse_span(text) for text in texts]


OFFICE = {d: spans("08:00-12:00", "14:00-21:00") for d in (MON, TUE, WED, THU, FRI)} | {SAT: spans("09:00-17:00")}
ALL_DAY = {d: spans("00:00-24:00") for d in range(7)}


@pytest.mark.parametrize(("typed", "span", "shown"), [
    ("08:00-21:00", Span(time(8), time(21)), "08:00–21:00"),
    ("8:30 - 12:00", Span(time(8, 30), time(12)), "08:30–12:00"),
    ("０８：００～２１：００", Span(time(8), time(21)), "08:00–21:00"),  # a Chinese IME
    ("08:00——21:00", Span(time(8), time(21)), "08:00–21:00"),
    ("08:00至21:00", Span(time(8), time(21)), "08:00–21:00"),
    ("22:00-02:00", Span(time(22), time(2)), "22:00–02:00"),  # across midnight
    ("18:00-24:00", Span(time(18), time(0)), "18:00–24:00"),
    ("00:00-24:00", Span(time(0), time(0)), "00:00–24:00"),  # all day
    ("08:00–21:00", Span(time(8), time(21)), "08:00–21:00"),  # what format_span writes reads back
])
def test_it_reads_and_writes_spans(typed, span, shown):
    assert parse_span(typed) == span
    assert format_span(span) == shown
    assert parse_span(format_span(span)) == span


@pytest.mark.parametrize(("typed", "message"), [
    ("morning", "Cannot read “morning”. Write opening hours like 08:00-21:00."),
    ("8-21", "Cannot read “8-21”. Write opening hours like 08:00-21:00."),
    ("", "Cannot read “”. Write opening hours like 08:00-21:00."),
    ("25:00-26:00", "“25:00” is not a time of day (00:00 to 24:00)."),
    ("08:61-21:00", "“08:61” is not a time of day (00:00 to 24:00)."),
    ("24:00-08:00", "“24:00” is not a time of day (00:00 to 24:00)."),
    ("08:00-08:00", "A span cannot open and close at the same time; write 00:00-24:00 for all day."),
])
def test_it_refuses_unreadable_spans_with_a_clear_message(typed, message):
    with pytest.raises(ValueError) as refused:
        parse_span(typed)
    assert str(refused.value) == message


def test_several_spans_a_day_open_and_close_in_turn():
    assert status_at(at(7, 10), OFFICE).open_now
    assert status_at(at(7, 10), OFFICE).closes_at == at(7, 12)
    lunch = status_at(at(7, 13), OFFICE)
    assert not lunch.open_now and lunch.opens_at == at(7, 14) and lunch.closes_at is None
    assert status_at(at(7, 12), OFFICE).open_now is False  # the end is exclusive
    assert status_at(at(7, 14), OFFICE).closes_at == at(7, 21)
    assert status_at(at(7, 21, 30), OFFICE).opens_at == at(8, 8)


def test_a_span_across_midnight_is_open_after_midnight_and_closes_then():
    late = {FRI: spans("22:00-02:00")}
    friday_night = status_at(at(11, 23), late)
    assert friday_night.open_now and friday_night.closes_at == at(12, 2)
    saturday_early = status_at(at(12, 1), late)
    assert saturday_early.open_now and saturday_early.closes_at == at(12, 2)
    assert not status_at(at(12, 2), late).open_now
    assert status_at(at(12, 2), late).opens_at == at(18, 22)  # next Friday, 6 days 20 hours on
    assert spans_on(date(2026, 12, 12), late).spans == []  # Saturday itself has no rows


def test_a_span_that_starts_when_one_ends_keeps_it_open():
    hours = {FRI: spans("18:00-24:00"), SAT: spans("00:00-02:00", "02:00-06:00")}
    assert status_at(at(11, 20), hours).closes_at == at(12, 6)


def test_a_place_open_all_day_every_day_is_open_24_hours():
    status = status_at(at(9, 3), ALL_DAY)
    assert status.open_now and status.always_open and status.closes_at is None and status.opens_at is None


def test_an_exception_that_closes_a_day_breaks_open_24_hours():
    closed_thursday = [HoursException(date(2026, 12, 10), closed=True, note="Cleaning")]
    status = status_at(at(9, 3), ALL_DAY, closed_thursday)
    assert status.open_now and not status.always_open
    assert status.closes_at == at(10, 0) and status.opens_at == at(11, 0)


def test_a_closed_day_is_closed_and_points_to_the_next_opening():
    sunday = status_at(at(13, 10), OFFICE)
    assert not sunday.open_now and sunday.opens_at == at(14, 8)
    assert spans_on(date(2026, 12, 13), OFFICE).spans == []


def test_exceptions_close_an_open_day_and_open_a_closed_one():
    exceptions = [HoursException(date(2026, 12, 8), closed=True, note="Staff training"),
                  HoursException(date(2026, 12, 13), closed=False, spans=spans("10:00-16:00")),
                  HoursException(date(2026, 12, 13), closed=False, spans=spans("18:00-20:00"))]
    tuesday = spans_on(date(2026, 12, 8), OFFICE, exceptions)
    assert tuesday.spans == [] and tuesday.source == "exception"
    assert status_at(at(8, 10), OFFICE, exceptions).opens_at == at(9, 8)
    sunday = spans_on(date(2026, 12, 13), OFFICE, exceptions)
    assert sunday.spans == spans("10:00-16:00", "18:00-20:00") and sunday.source == "exception"
    assert status_at(at(13, 11), OFFICE, exceptions).closes_at == at(13, 16)
    assert spans_on(date(2026, 12, 9), OFFICE, exceptions).source == "weekly"


def test_the_2026_national_day_holiday_follows_each_rule():
    golden_week = [date(2026, 10, d) for d in range(1, 8)]
    assert chinese_calendar.get_holidays(date(2026, 9, 30), date(2026, 10, 8)) == golden_week  # the library's answer
    sunday_hours = {**OFFICE, SUN: spans("10:00-16:00")}
    for day in golden_week:
        closed = spans_on(day, sunday_hours, holiday_rule="closed_on_holidays")
        assert (closed.spans, closed.source, closed.holiday_name) == ([], "holiday", "National Day")
        as_sunday = spans_on(day, sunday_hours, holiday_rule="sunday_hours_on_holidays")
        assert (as_sunday.spans, as_sunday.source) == (spans("10:00-16:00"), "holiday")
        weekly = spans_on(day, sunday_hours, holiday_rule="weekly")
        assert weekly.spans == sorted(sunday_hours.get(day.weekday(), [])) and weekly.source == "weekly"
    after = spans_on(date(2026, 10, 8), sunday_hours, holiday_rule="closed_on_holidays")  # a Thursday at work
    assert after.spans == OFFICE[THU] and after.source == "weekly" and after.holiday_name is None
    # 30 September, 18:00: the office closes at 21:00, then stays shut through the holiday until 8 October
    eve = status_at(at(30, 21, month=9), sunday_hours, holiday_rule="closed_on_holidays")
    assert not eve.open_now and eve.opens_at == at(8, 8, month=10)


def test_a_2026_make_up_working_day_has_a_working_days_hours():
    makeup_weekends = [d for d in chinese_calendar.get_workdays(date(2026, 1, 1), date(2026, 12, 31))
                       if d.weekday() >= 5]
    assert date(2026, 10, 10) in makeup_weekends and date(2026, 9, 20) in makeup_weekends  # the library's answer
    saturday = spans_on(date(2026, 10, 10), OFFICE, holiday_rule="sunday_hours_on_holidays")
    assert (saturday.spans, saturday.source, saturday.holiday_name) == (OFFICE[MON], "makeup", "National Day")
    closed_sundays = {d: spans("08:00-18:00") for d in (TUE, WED, THU, FRI)}  # closed on Mondays too
    sunday = spans_on(date(2026, 9, 20), closed_sundays, holiday_rule="closed_on_holidays")
    assert sunday.spans == spans("08:00-18:00") and sunday.source == "makeup"
    assert status_at(at(20, 9, month=9), closed_sundays, holiday_rule="closed_on_holidays").closes_at == at(
        20, 18, month=9)
    assert spans_on(date(2026, 10, 10), OFFICE, holiday_rule="weekly").spans == OFFICE[SAT]


def test_a_year_the_calendar_does_not_know_keeps_the_weekly_hours_and_says_so():
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_holiday(date(2031, 10, 1))
    day = spans_on(date(2031, 10, 1), OFFICE, holiday_rule="closed_on_holidays")  # a Wednesday
    assert (day.spans, day.source, day.holidays_known) == (OFFICE[WED], "weekly", False)
    status = status_at(at(1, 9, month=10, year=2031), OFFICE, holiday_rule="closed_on_holidays")
    assert status.open_now and status.closes_at == at(1, 12, month=10, year=2031) and not status.holidays_known
    assert status_at(at(1, 9, month=10, year=2031), OFFICE, holiday_rule="weekly").holidays_known
    assert status_at(at(7, 9), OFFICE, holiday_rule="closed_on_holidays").holidays_known


def test_at_the_end_of_the_last_known_year_only_answers_reaching_into_the_next_say_holidays_are_unknown():
    """chinese-calendar 1.11.0 knows 2026, not 2027: 1 January 2027 is New Year's Day, but it cannot say so."""
    morning = status_at(at(31, 10), OFFICE, holiday_rule="closed_on_holidays")
    assert morning.closes_at == at(31, 12) and morning.holidays_known
    evening = status_at(at(31, 21, 30), OFFICE, holiday_rule="closed_on_holidays")
    assert evening.opens_at == datetime(2027, 1, 1, 8) and not evening.holidays_known


def test_the_next_opening_is_found_across_a_week_and_not_beyond():
    mondays = {MON: spans("08:00-12:00")}
    assert status_at(at(7, 13), mondays).opens_at == at(14, 8)  # seven days on
    assert status_at(at(10, 9), mondays).opens_at == at(14, 8)
    assert status_at(at(10, 9), {}).opens_at is None
    far = [HoursException(date(2026, 12, 14), closed=True), HoursException(date(2026, 12, 21), closed=True)]
    assert status_at(at(7, 13), mondays, far).opens_at is None  # 28 December is beyond eight days


def test_an_aware_moment_gives_aware_times_in_its_zone():
    shanghai = ZoneInfo("Asia/Shanghai")
    status = status_at(datetime(2026, 12, 7, 10, tzinfo=shanghai), OFFICE)
    assert status.closes_at == datetime(2026, 12, 7, 12, tzinfo=shanghai) and status.closes_at.tzinfo is shanghai


def test_an_unknown_holiday_rule_is_refused():
    with pytest.raises(ValueError, match="unknown holiday rule"):
        spans_on(date(2026, 12, 7), OFFICE, holiday_rule="sometimes")


def test_stored_rows_become_weekly_hours_and_exceptions():
    rows = [SimpleNamespace(weekday=FRI, opens="22:00", closes="02:00"),
            SimpleNamespace(weekday=MON, opens="14:00", closes="24:00"),
            SimpleNamespace(weekday=MON, opens="08:00", closes="12:00")]
    assert weekly_from_rows(rows) == {MON: spans("08:00-12:00", "14:00-24:00"), FRI: spans("22:00-02:00")}
    stored = [SimpleNamespace(day=date(2026, 12, 8), closed=True, opens=None, closes=None, note=None),
              SimpleNamespace(day=date(2026, 12, 13), closed=False, opens="10:00", closes="16:00", note="Open day")]
    assert exceptions_from_rows(stored) == [
        HoursException(date(2026, 12, 8), closed=True, spans=[], note=""),
        HoursException(date(2026, 12, 13), closed=False, spans=spans("10:00-16:00"), note="Open day")]


@pytest.mark.parametrize(("hours", "moment", "english", "chinese"), [
    (OFFICE, at(7, 10), "Open now · closes 12:00", "营业中 · 12:00关门"),
    (OFFICE, at(7, 13), "Closed · opens 14:00", "已关门 · 14:00开门"),
    (OFFICE, at(7, 22), "Closed · opens tomorrow 08:00", "已关门 · 明天08:00开门"),
    (OFFICE, at(12, 18), "Closed · opens Monday 08:00", "已关门 · 星期一08:00开门"),
    ({MON: spans("08:00-12:00")}, at(7, 13), "Closed · opens 14 Dec 08:00", "已关门 · 12月14日08:00开门"),
    ({FRI: spans("18:00-24:00")}, at(11, 20), "Open now · closes 24:00", "营业中 · 24:00关门"),
    ({FRI: spans("22:00-02:00")}, at(11, 23), "Open now · closes tomorrow 02:00", "营业中 · 明天02:00关门"),
    ({d: spans("00:00-24:00") for d in range(5)}, at(7, 9), "Open now · closes Friday 24:00",
     "营业中 · 星期五24:00关门"),
    (ALL_DAY, at(7, 9), "Open 24 hours", "24小时营业"),
    ({}, at(7, 9), "Closed", "休息"),  # closed with no opening in sight: the sign says 休息
])
def test_describe_says_it_in_both_languages(app, hours, moment, english, chinese):
    status = status_at(moment, hours)
    with app.test_request_context():
        with force_locale("en"):
            assert describe(status, moment) == english
        with force_locale("zh"):
            assert describe(status, moment) == chinese


def test_the_weekly_table_lists_every_day_in_both_languages(app):
    hours = {**OFFICE, SUN: spans("00:00-24:00")}
    with app.test_request_context():
        with force_locale("en"):
            assert weekly_table(hours) == [
                ("Monday", "08:00–12:00, 14:00–21:00"), ("Tuesday", "08:00–12:00, 14:00–21:00"),
                ("Wednesday", "08:00–12:00, 14:00–21:00"), ("Thursday", "08:00–12:00, 14:00–21:00"),
                ("Friday", "08:00–12:00, 14:00–21:00"), ("Saturday", "09:00–17:00"), ("Sunday", "Open all day")]
            assert weekly_table({})[0] == ("Monday", "Closed")
        with force_locale("zh"):
            table = weekly_table(hours)
            assert table[0] == ("星期一", "08:00–12:00, 14:00–21:00") and table[6] == ("星期日", "全天营业")
            assert weekly_table({})[2] == ("星期三", "休息")  # a closed weekday: 休息, the word the hours form uses
