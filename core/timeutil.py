"""Time in one place: UTC storage, the local zone, local days, and the formats templates use.

Times are stored and passed around as aware UTC datetimes; only this module knows the configured
local zone (``TIMEZONE``, Asia/Shanghai by default) and converts between the two.
"""

from datetime import UTC, date, datetime, time, timedelta
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


FORMATS = {"short": "short", "medium": "medium", "time": "HH:mm", "date": "yyyy-MM-dd"}


def localtime(value: datetime | None, format: str = "medium") -> str:
    """Format an aware UTC datetime in the local zone and the user's language (the ``localtime`` filter).

    ``format`` is ``short``, ``medium``, ``time``, ``date``, ``day`` (weekday, day and time, e.g.
    ``12月3日 周四 09:30`` or ``Thu 3 Dec 09:30``) or a CLDR pattern. ``None`` gives ``""``.
    """
    if value is None:
        return ""
    pattern = FORMATS.get(format, format)
    if format == "day":
        pattern = "M月d日 EEE HH:mm" if str(get_locale()) == "zh" else "EEE d MMM HH:mm"
    return format_datetime(value, pattern)


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
