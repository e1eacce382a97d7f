"""Time in one place: UTC storage, the local zone, local days, and the formats templates use.

Times are stored and passed around as aware UTC datetimes; only this module knows the configured
local zone (``TIMEZONE``, Asia/Shanghai by default) and converts between the two.
"""

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import format_datetime, get_locale


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


def local_zone() -> ZoneInfo:
    """The configured display time zone (``TIMEZONE``; needs an app context)."""
    return ZoneInfo(current_app.config["TIMEZONE"])


def to_local(moment: datetime) -> datetime:
    """An aware datetime in the local zone."""
    return moment.astimezone(local_zone())


def from_local(naive: datetime) -> datetime:
    """A naive local wall-clock time (what a person typed) as an aware UTC datetime."""
    return naive.replace(tzinfo=local_zone()).astimezone(UTC)


def local_today(now: datetime | None = None) -> date:
    """Today's date in the local zone (at ``now``, aware UTC, if given)."""
    return to_local(now or utcnow()).date()


def local_midnight(day: date) -> datetime:
    """The start of the local ``day``, as an aware UTC datetime."""
    return from_local(datetime.combine(day, time()))


def local_day_span(day: date) -> tuple[datetime, datetime]:
    """``[start, end)`` of the local ``day`` in UTC (23 to 25 hours where the zone has summer time)."""
    return local_midnight(day), local_midnight(day + timedelta(days=1))


def start_of_today(now: datetime | None = None) -> datetime:
    """Local midnight today, as aware UTC."""
    return local_midnight(local_today(now))


def at_local(day: date, hour: int, minute: int = 0) -> datetime:
    """The local wall-clock time ``hour:minute`` on ``day``, as aware UTC."""
    return from_local(datetime.combine(day, time(hour, minute)))


def parse_day(text: str | None) -> date | None:
    """A ``YYYY-MM-DD`` (as a date input sends it) as a date, or ``None`` when empty or not a date."""
    try:
        return datetime.strptime((text or "").strip(), "%Y-%m-%d").date()
    except ValueError:
        return None


FORMATS = {"time": "HH:mm", "date": "yyyy-MM-dd"}

# Patterns per language: English gets day and month names (never US numerals such as 12/9/26),
# Chinese the 12月9日 style.
LANGUAGE_FORMATS = {
    "zh": {"short": "M月d日 HH:mm", "medium": "y年M月d日 HH:mm", "day": "M月d日 EEE HH:mm"},
    "en": {"short": "EEE d MMM, HH:mm", "medium": "EEE d MMM y, HH:mm", "day": "EEE d MMM HH:mm"},
}


def localtime(value: datetime | None, format: str = "medium") -> str:
    """Format an aware UTC datetime in the local zone and the user's language (the ``localtime`` filter).

    ``format`` is ``short`` (``12月9日 23:27`` / ``Wed 9 Dec, 23:27``), ``medium`` (the same with the
    year), ``time``, ``date``, ``day`` (weekday, day and time, e.g. ``12月3日 周四 09:30`` or
    ``Thu 3 Dec 09:30``) or a CLDR pattern. ``None`` gives ``""``.
    """
    if value is None:
        return ""
    locale = str(get_locale())
    return _formatted(value, locale, format, current_app.config["BABEL_DEFAULT_TIMEZONE"])


@lru_cache(maxsize=8192)
def _formatted(value: datetime, locale: str, format: str, zone: str) -> str:
    """:func:`localtime`'s text, kept per process: Babel's formatting costs about 17 µs and a list page
    shows the same few hundred moments (task starts and ends) to every rider. The key holds everything the
    text depends on: the instant, the locale, the format and the display zone (``zone`` is only part of the
    key: Flask-Babel reads the same setting)."""
    language = "zh" if locale == "zh" else "en"
    pattern = LANGUAGE_FORMATS[language].get(format) or FORMATS.get(format, format)
    return format_datetime(value, pattern)


def iso_datetime(value: datetime | None) -> str:
    """An aware datetime as UTC ISO 8601 for a ``<time datetime>`` attribute (the ``isodatetime`` filter).

    E.g. ``2026-12-09T15:27:00Z``; ``None`` gives ``""``. Raises ``ValueError`` for a naive datetime.
    """
    if value is None:
        return ""
    if value.tzinfo is None:
        raise ValueError("naive datetime given to iso_datetime")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def timespan(start: datetime, end: datetime) -> str:
    """A task's span: ``start`` with its day, then ``end`` as a time, or with its day when it ends on
    another local day (a task that crosses midnight), e.g. ``Wed 9 Dec 22:00 – Thu 10 Dec 02:00``."""
    same_day = to_local(start).date() == to_local(end).date()
    return f"{localtime(start, 'day')} – {localtime(end, 'time' if same_day else 'day')}"


class UTCDateTime(sa.types.TypeDecorator):
    """A column type that stores naive UTC and always returns aware UTC datetimes.

    Binding a naive datetime raises ``ValueError``: every time the app handles is aware,
    so a naive one is a bug (which zone was meant?).
    """

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
