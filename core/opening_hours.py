"""Opening hours of a place: weekly rows, dated exceptions and Chinese public holidays, as plain data.

Pure functions over plain values (no database, no request); times are local wall-clock times — the
caller converts UTC with :mod:`core.timeutil` — and arithmetic is wall-clock (the local zone,
Asia/Shanghai, has no summer time).

Conventions:

* A :class:`Span` is ``[opens, closes)``. ``closes <= opens`` means the span runs past midnight into the
  next day (``22:00-02:00``); a ``closes`` of ``00:00`` ends at midnight, so ``18:00-24:00`` is stored as
  ``Span(18:00, 00:00)``, and ``00:00-24:00`` (``Span(00:00, 00:00)``) is all day. Any other span that
  opens and closes at the same time is refused. Text form: ``08:00-21:00`` (:func:`parse_span`).
* :data:`WeeklyHours` maps a weekday (0 = Monday … 6 = Sunday) to its spans; no entry or an empty list
  means closed that day.
* A :class:`HoursException` on a date replaces that day's hours: closed, or open for its spans. Several
  exceptions on one day (one row per span) combine: the day is open for all their spans, closed when none
  has any. An exception always wins over the weekly rows and the holiday rule.
* The holiday rule of a place (:data:`HOLIDAY_RULES`) says what a Chinese statutory holiday does:
  ``weekly`` (nothing: the weekly rows hold), ``closed_on_holidays`` or ``sunday_hours_on_holidays``
  (Sunday's rows). Both of the last two also follow make-up working days (调休, a Saturday or Sunday that is
  a working day): such a day has the hours of a normal working day, which we take to be Monday's rows, or
  the first of Tuesday to Friday with rows when Monday has none (the calendar does not say which weekday
  is made up, and a place closed on Mondays is still open on other working days).
* Holidays come from ``chinese-calendar``, which knows each year only once the State Council has published
  it and raises ``NotImplementedError`` otherwise: then the weekly rows apply and the result says
  ``holidays_known=False``.
"""

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Literal

import chinese_calendar
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

DAY_MINUTES = 24 * 60
LOOK_AHEAD_DAYS = 8  # how far status_at looks for the next opening or closing
HOLIDAY_RULES = ("weekly", "closed_on_holidays", "sunday_hours_on_holidays")
HolidayRule = Literal["weekly", "closed_on_holidays", "sunday_hours_on_holidays"]
HOLIDAY_RULE_LABELS = {
    "weekly": _l("Usual weekly hours on public holidays"),
    "closed_on_holidays": _l("Closed on public holidays"),
    "sunday_hours_on_holidays": _l("Sunday hours on public holidays"),
}
Source = Literal["weekly", "exception", "holiday", "makeup"]

# chinese-calendar's holiday names (its Holiday enum values), for people
HOLIDAY_LABELS = {
    "New Year's Day": _l("New Year's Day"),
    "Spring Festival": _l("Spring Festival"),
    "Tomb-sweeping Day": _l("Qingming Festival"),
    "Labour Day": _l("Labour Day"),
    "Dragon Boat Festival": _l("Dragon Boat Festival"),
    "National Day": _l("National Day"),
    "Mid-autumn Festival": _l("Mid-Autumn Festival"),
    "Anti-Fascist 70th Day": _l("Victory Day"),
}
HOLIDAYS_UNKNOWN = _l("Hours on public holidays are not known yet.")

# "08:00-21:00"; after NFKC a Chinese IME's "０８：００～２１：００" or "08:00——21:00" reads the same
_SPAN = re.compile(r"^(\d{1,2})[:.](\d{2})\s*(?:-+|~|–+|—+|―+|〜|至|到)\s*(\d{1,2})[:.](\d{2})$")


@dataclass(frozen=True, order=True)
class Span:
    """Open from ``opens`` to ``closes`` (local times); see the module docstring for the conventions.

    Raises ``ValueError`` when it opens and closes at the same time other than ``00:00`` (all day).
    """

    opens: time
    closes: time

    def __post_init__(self):
        if self.opens == self.closes and self.opens != time(0):
            raise ValueError(_l("A span cannot open and close at the same time; write 00:00-24:00 for all day."))

    @property
    def minutes(self) -> tuple[int, int]:
        """``(start, end)`` in minutes after the day's midnight; ``end`` is past 1440 across midnight."""
        start = self.opens.hour * 60 + self.opens.minute
        end = self.closes.hour * 60 + self.closes.minute
        return start, end if end > start else end + DAY_MINUTES

    @property
    def all_day(self) -> bool:
        return self.opens == self.closes == time(0)


WeeklyHours = dict[int, list[Span]]


@dataclass(frozen=True)
class HoursException:
    """A dated change to the weekly hours: ``closed`` all ``day``, or open for ``spans`` that day."""

    day: date
    closed: bool
    spans: list[Span] = field(default_factory=list)
    note: str = ""


@dataclass(frozen=True)
class DayHours:
    """What holds on one day: its ``spans`` and why (``source``).

    ``holidays_known`` is False when the calendar has no data for the year and the place's rule depends
    on it; ``holiday_name`` is chinese-calendar's English name of a statutory holiday or of the holiday a
    make-up working day belongs to (see :func:`holiday_label`), else ``None``.
    """

    spans: list[Span]
    source: Source
    holidays_known: bool = True
    holiday_name: str | None = None


@dataclass(frozen=True)
class Status:
    """Open or closed at a moment, and when that changes (datetimes in the moment's own zone or naive).

    ``closes_at`` is ``None`` when closed or when it stays open past the look-ahead window; ``opens_at``
    is the next opening after the moment within :data:`LOOK_AHEAD_DAYS` days (when open, the reopening
    after ``closes_at``), else ``None``. ``always_open``: every day of the week is all day and nothing
    closes it within the window.
    """

    open_now: bool
    always_open: bool = False
    closes_at: datetime | None = None
    opens_at: datetime | None = None
    holidays_known: bool = True


def weekly_from_rows(rows) -> WeeklyHours:
    """Weekly hours from stored rows with ``weekday`` (0 = Monday), ``opens`` and ``closes`` (``"HH:MM"``,
    ``closes`` may be ``"24:00"``), such as ``StationHours``. Raises ``ValueError`` for a row that
    :func:`parse_span` refuses."""
    weekly: WeeklyHours = {}
    for row in rows:
        weekly.setdefault(row.weekday, []).append(_stored_span(row.opens, row.closes))
    return {weekday: sorted(spans) for weekday, spans in weekly.items()}


@functools.lru_cache(maxsize=4096)  # a place's page and "near me" read the same few hundred "HH:MM" pairs again
def _stored_span(opens: str, closes: str) -> Span:
    """:func:`parse_span` of a stored row's ``opens`` and ``closes`` (Spans are frozen, so one can be shared;
    a refused pair raises ``ValueError`` each time, as exceptions are not cached)."""
    return parse_span(f"{opens}-{closes}")


def exceptions_from_rows(rows) -> list[HoursException]:
    """Dated exceptions from stored rows with ``day``, ``closed``, ``opens``/``closes`` (``None`` when closed)
    and ``note``, such as ``StationHoursException`` (one row per span)."""
    return [HoursException(row.day, closed=row.closed, note=row.note or "",
                           spans=[] if row.closed else [_stored_span(row.opens, row.closes)])
            for row in rows]


def parse_time(text: str, *, closing: bool = False) -> time:
    """``"08:00"`` (or ``"8.00"``, full-width digits) as a time; ``"24:00"`` only when ``closing`` (→ 00:00).

    Raises ``ValueError`` with a message for people when it is not a time of day.
    """
    folded = unicodedata.normalize("NFKC", text or "").strip()
    match = re.fullmatch(r"(\d{1,2})[:.](\d{2})", folded)
    if not match:
        raise ValueError(_l("Cannot read “%(text)s” as a time. Write it like 08:00.", text=text))
    hour, minute = int(match[1]), int(match[2])
    if closing and (hour, minute) == (24, 0):
        return time(0)
    if hour > 23 or minute > 59:
        raise ValueError(_l("“%(text)s” is not a time of day (00:00 to 24:00).", text=text))
    return time(hour, minute)


def parse_span(text: str) -> Span:
    """``"08:00-21:00"`` as a :class:`Span` (``"22:00-02:00"`` crosses midnight, ``"00:00-24:00"`` is all day).

    Full-width digits and the dashes a Chinese IME types (``～``, ``——``, ``至``) are fine. Raises
    ``ValueError`` with a message for people when it cannot be read, names a time that does not exist, or
    opens and closes at the same time (other than all day).
    """
    folded = unicodedata.normalize("NFKC", text or "").strip()
    match = _SPAN.match(folded)
    if not match:
        raise ValueError(_l("Cannot read “%(text)s”. Write opening hours like 08:00-21:00.", text=text))
    opens = parse_time(f"{match[1]}:{match[2]}")
    closes = parse_time(f"{match[3]}:{match[4]}", closing=True)
    return Span(opens, closes)


def format_time(moment: time, *, closing: bool = False) -> str:
    """``"08:00"``; a closing time of midnight is ``"24:00"`` when ``closing``."""
    if closing and moment == time(0):
        return "24:00"
    return f"{moment.hour:02d}:{moment.minute:02d}"


def format_span(span: Span, dash: str = "–") -> str:
    """``"08:00–21:00"``, ``"22:00–02:00"``, ``"18:00–24:00"``, ``"00:00–24:00"`` (``parse_span`` reads it back)."""
    return f"{format_time(span.opens)}{dash}{format_time(span.closes, closing=True)}"


@functools.lru_cache(maxsize=4096)  # a pure function of the day; chinese-calendar scans its tables on each call
def _calendar(day: date) -> tuple[bool, str | None, str | None]:
    """``(known, kind, name)`` from chinese-calendar: kind is ``"holiday"``, ``"makeup"`` or ``None``."""
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
        workday = chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False, None, None
    if on_holiday and name:
        return True, "holiday", name
    if workday and day.weekday() >= 5:
        return True, "makeup", name
    return True, None, None


def _workday_spans(weekly: WeeklyHours) -> list[Span]:
    """The hours of a normal working day: Monday's, or the first of Tuesday to Friday that has any."""
    return next((list(weekly[d]) for d in range(5) if weekly.get(d)), [])


def spans_on(day: date, weekly: WeeklyHours, exceptions=(), holiday_rule: HolidayRule = "weekly") -> DayHours:
    """The hours that hold on the local ``day`` (see the module docstring for the order of the rules).

    ``exceptions`` is any iterable of :class:`HoursException` (only those on ``day`` count). Raises
    ``ValueError`` for an unknown ``holiday_rule``. Never raises for a year the calendar does not know.
    """
    if holiday_rule not in HOLIDAY_RULES:
        raise ValueError(f"unknown holiday rule {holiday_rule!r}")
    known, kind, name = _calendar(day)
    todays = [e for e in exceptions if e.day == day]
    if todays:
        spans = sorted(s for e in todays if not e.closed for s in e.spans)
        return DayHours(spans, "exception", True, name if kind == "holiday" else None)
    weekly_spans = sorted(weekly.get(day.weekday()) or [])
    if holiday_rule == "weekly":
        return DayHours(weekly_spans, "weekly", True, name if kind == "holiday" else None)
    if kind == "holiday":
        spans = [] if holiday_rule == "closed_on_holidays" else sorted(weekly.get(6) or [])
        return DayHours(spans, "holiday", True, name)
    if kind == "makeup":
        return DayHours(sorted(_workday_spans(weekly)), "makeup", True, name)
    return DayHours(weekly_spans, "weekly", known, None)


def _intervals(start_day: date, days: int, weekly, exceptions, holiday_rule):
    """Merged ``[opens, closes)`` naive datetimes of the spans of ``days`` days from ``start_day``, and
    whether the calendar knew each day (a dict day → bool)."""
    raw, known = [], {}
    for offset in range(days):
        day = start_day + timedelta(days=offset)
        hours = spans_on(day, weekly, exceptions, holiday_rule)
        known[day] = hours.holidays_known
        midnight = datetime.combine(day, time(0))
        for span in hours.spans:
            start, end = span.minutes
            raw.append((midnight + timedelta(minutes=start), midnight + timedelta(minutes=end)))
    merged: list[list[datetime]] = []
    for opens, closes in sorted(raw):
        if merged and opens <= merged[-1][1]:  # overlapping, or opening the minute the last one closes
            merged[-1][1] = max(merged[-1][1], closes)
        else:
            merged.append([opens, closes])
    return merged, known


def _is_always_open(weekly: WeeklyHours) -> bool:
    """Every day of the week covered from midnight to midnight by its own spans."""
    for weekday in range(7):
        covered = set()
        for span in weekly.get(weekday) or []:
            start, end = span.minutes
            covered.update(range(start, min(end, DAY_MINUTES)))
        if len(covered) < DAY_MINUTES:
            return False
    return True


def status_at(moment: datetime, weekly: WeeklyHours, exceptions=(), holiday_rule: HolidayRule = "weekly") -> Status:
    """Open or closed at ``moment`` (a local wall-clock datetime, naive or aware in the local zone).

    Looks at the spans from the day before ``moment`` (a span across midnight) to :data:`LOOK_AHEAD_DAYS`
    days after; the returned datetimes carry ``moment``'s tzinfo. ``holidays_known`` is False when a day
    up to the answer (the closing, the next opening, or the whole window) is in a year the calendar does
    not know. Raises ``ValueError`` for an unknown ``holiday_rule``.
    """
    zone = moment.tzinfo
    now = moment.replace(tzinfo=None)
    exceptions = tuple(exceptions)  # read once a day below: a generator would run dry
    first_day = now.date() - timedelta(days=1)
    window_end = datetime.combine(now.date() + timedelta(days=LOOK_AHEAD_DAYS + 1), time(0))
    intervals, known = _intervals(first_day, LOOK_AHEAD_DAYS + 2, weekly, exceptions, holiday_rule)
    current = next((iv for iv in intervals if iv[0] <= now < iv[1]), None)
    closes_at = current[1] if current and current[1] < window_end else None
    opens_at = next((iv[0] for iv in intervals if iv[0] > now and iv[0] <= now + timedelta(days=LOOK_AHEAD_DAYS)),
                    None)
    always_open = current is not None and closes_at is None and _is_always_open(weekly)
    answer = (closes_at if current else opens_at) or window_end - timedelta(days=1)
    holidays_known = all(ok for day, ok in known.items() if now.date() <= day <= answer.date())

    def aware(value):
        return value.replace(tzinfo=zone) if value and zone else value

    return Status(open_now=current is not None, always_open=always_open, closes_at=aware(closes_at),
                  opens_at=aware(opens_at), holidays_known=holidays_known)


def holiday_label(name: str | None) -> str:
    """chinese-calendar's English holiday ``name`` in the user's language (``""`` for ``None``)."""
    if not name:
        return ""
    return str(HOLIDAY_LABELS.get(name, name))


def weekday_label(weekday: int) -> str:
    """The localised full weekday name, 0 = Monday (``星期一`` / ``Monday``)."""
    return format_date(date(2024, 1, 1) + timedelta(days=weekday), "EEEE")  # 1 January 2024 was a Monday


def _when(moment: datetime, now: datetime, *, closing: bool) -> tuple[int, str, datetime]:
    """Days from ``now``'s date to ``moment``'s, the clock time and the day to name; a closing at midnight
    is 24:00 of the day before."""
    if closing and moment.time() == time(0):
        day = moment - timedelta(days=1)
        return (day.date() - now.date()).days, "24:00", day
    return (moment.date() - now.date()).days, format_time(moment.time()), moment


def describe(status: Status, now: datetime) -> str:
    """One line for a list of places, in the user's language (needs an app context for the language).

    E.g. ``Open now · closes 21:00`` / ``营业中 · 21:00关门``, ``Closed · opens tomorrow 08:00`` /
    ``已关门 · 明天08:00开门``, ``Closed · opens Monday 08:00``, ``Open 24 hours``, ``Closed`` (no opening
    in sight). ``now`` is the moment the status was taken at (same zone convention as :func:`status_at`).
    """
    if status.always_open:
        return _("Open 24 hours")
    if status.open_now:
        if status.closes_at is None:
            return _("Open now")
        days, clock, day = _when(status.closes_at, now, closing=True)
        if days <= 0:
            return _("Open now · closes %(time)s", time=clock)
        if days == 1:
            return _("Open now · closes tomorrow %(time)s", time=clock)
        return _("Open now · closes %(day)s %(time)s", day=_day_name(day, days), time=clock)
    if status.opens_at is None:
        return _("Closed")
    days, clock, day = _when(status.opens_at, now, closing=False)
    if days <= 0:
        return _("Closed · opens %(time)s", time=clock)
    if days == 1:
        return _("Closed · opens tomorrow %(time)s", time=clock)
    return _("Closed · opens %(day)s %(time)s", day=_day_name(day, days), time=clock)


def _day_name(moment: datetime, days: int) -> str:
    """The weekday within the coming week, the date beyond it (today's weekday would be ambiguous)."""
    if days < 7:
        return weekday_label(moment.weekday())
    return format_date(moment.date(), _("d MMM"))


def weekly_table(weekly: WeeklyHours) -> list[tuple[str, str]]:
    """Monday to Sunday as ``(weekday label, hours text)`` for a place's page.

    E.g. ``("Monday", "08:00–12:00, 14:00–21:00")``, ``("Sunday", "Closed")``, ``("Saturday", "Open all day")``.
    """
    rows = []
    for weekday in range(7):
        spans = sorted(weekly.get(weekday) or [])
        if not spans:
            text = _("Closed")
        elif any(span.all_day for span in spans):
            text = _("Open all day")
        else:
            text = ", ".join(format_span(span) for span in spans)
        rows.append((weekday_label(weekday), text))
    return rows
