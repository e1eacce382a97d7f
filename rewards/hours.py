"""A merchant's serving hours: when its vouchers can be confirmed at the counter.

Hours are typed as local wall-clock ranges, e.g. ``11:00-14:00, 17:00-21:00`` (full-width digits and
punctuation, ``～``, ``〜``, ``—`` or ``——``, ``，``, spaces or new lines between ranges and a closing ``。``
are fine); a range whose end is before its start crosses midnight
(``22:00-02:00``); ``24:00`` ends a range at midnight. Empty text means always. The same hours hold
every day. Times are computed in the local zone (:mod:`core.timeutil`).
"""

import re
import unicodedata
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l

from core.timeutil import at_local, to_local, utcnow
from rewards.errors import OutsideServingHours

Span = tuple[int, int]  # minutes after local midnight: [start, end); end < start crosses midnight

# a Chinese IME types the dash as "——" (two em dashes) and the wave dash as "〜"
_RANGE = re.compile(r"^(\d{1,2})[:.](\d{2})\s*(?:-+|~|–+|—+|―+|〜|至|到)\s*(\d{1,2})[:.](\d{2})$")
_SEPARATORS = re.compile(r"[,;、/]")
_SPACE_BETWEEN_RANGES = re.compile(r"(?<=\d)\s+(?=\d)")  # "11:00-14:00 17:00-21:00", or one range a line
DAY = 24 * 60
MAX_RANGES = 15  # the canonical text of 15 ranges (193 characters) fits the 200-character column


class HoursError(ValueError):
    """Serving hours that cannot be read; ``str()`` is the message for the coordinator."""


def parse_hours(text: str | None) -> list[Span]:
    """Read serving hours (see the module docstring) into ``(start, end)`` minutes after local midnight.

    ``""`` or ``None`` gives ``[]`` (always serving). Raises :class:`HoursError` with a message naming
    the part that cannot be read, a time that does not exist, an empty range, overlapping ranges or more
    than :data:`MAX_RANGES` ranges (so the canonical text fits the database column).
    """
    text = unicodedata.normalize("NFKC", text or "").strip().rstrip("。").strip()
    text = _SPACE_BETWEEN_RANGES.sub(",", text)
    if not text:
        return []
    spans = []
    for part in (p.strip() for p in _SEPARATORS.split(text)):
        if not part:
            continue
        match = _RANGE.match(part)
        if not match:
            raise HoursError(_l("Cannot read “%(part)s”. Write ranges like 11:00-14:00, 17:00-21:00.", part=part))
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or m1 > 59 or h2 > 24 or m2 > 59 or (h2 == 24 and m2):
            raise HoursError(_l("“%(part)s” is not a time of day (00:00 to 24:00).", part=part))
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if start == end % DAY:
            raise HoursError(_l("“%(part)s” starts and ends at the same time.", part=part))
        spans.append((start, end))
    if len(spans) > MAX_RANGES:
        raise HoursError(_l("Write at most %(n)d ranges.", n=MAX_RANGES))
    minutes = sorted(m % DAY for start, end in spans for m in _covered(start, end, step=1))
    if len(minutes) != len(set(minutes)):
        raise HoursError(_l("The ranges overlap. Write each serving time once."))
    return sorted(spans)


def _covered(start: int, end: int, *, step: int):
    """The minutes a span covers, counted from ``start`` (past midnight for a span that crosses it)."""
    end = end if end > start else end + DAY
    return range(start, end, step)


def format_hours(spans: list[Span]) -> str:
    """The canonical text of ``spans``: ``11:00-14:00, 17:00-21:00`` (``""`` when always serving)."""
    return ", ".join(f"{_hhmm(start)}-{_hhmm(end)}" for start, end in spans)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _is_open_at(spans: list[Span], minute: int) -> bool:
    for start, end in spans:
        if start < end and start <= minute < end:
            return True
        if end < start and (minute >= start or minute < end):
            return True
    return False


def is_serving(hours: str | None, now: datetime | None = None) -> bool:
    """True when a voucher can be confirmed at ``now`` (aware UTC; default: now) under ``hours`` text.

    Unreadable stored hours count as always serving (the form never saves them).
    """
    try:
        spans = parse_hours(hours)
    except HoursError:
        return True
    if not spans:
        return True
    local = to_local(now or utcnow())
    return _is_open_at(spans, local.hour * 60 + local.minute)


def next_open(hours: str | None, now: datetime | None = None) -> datetime | None:
    """When serving next starts after ``now`` (aware UTC), as aware UTC; ``None`` when serving at ``now``
    or always. Looks at today's and tomorrow's local start times."""
    now = now or utcnow()
    if is_serving(hours, now):
        return None
    spans = parse_hours(hours)
    today = to_local(now).date()
    starts = sorted(at_local(day, start // 60, start % 60)
                    for day in (today, today + timedelta(days=1)) for start, _end in spans)
    return next((moment for moment in starts if moment > now), None)


def refusal_for(merchant, now: datetime | None = None):
    """An :class:`rewards.errors.OutsideServingHours` when ``merchant`` is not serving at ``now``, else ``None``."""
    opens_at = next_open(merchant.serving_hours, now)
    if opens_at is None:
        return None
    return OutsideServingHours(format_hours(parse_hours(merchant.serving_hours)), opens_at)
