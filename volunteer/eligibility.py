"""Who may join a welfare activity: its rules, checked for one rider (:func:`unmet_rules`) or as a filter on
a query of tasks (:func:`open_to`).

An activity may be limited to riders who match every rule it sets (``volunteer/models.py``): born in the month
it starts (local time), of a trade, of a platform (trimmed, case-insensitive), registered in the year it starts
(local). Volunteer work has no rules. The rules of a rider change only with their birth month (trade and
platform in the profile, too); the sign-up is checked once, when it is made
(:func:`volunteer.services.sign_up`): a waitlisted rider who is promoted later keeps the place they queued for.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from accounts.forms import MONTH_LABELS
from accounts.models import TRADE_LABELS
from core.timeutil import local_zone
from volunteer.models import ACTIVITY, Task

YEARS_AHEAD = 5  # how far ahead the birth-month filter looks for activities (no one posts them further out)


@dataclass(frozen=True)
class Unmet:
    """One rule a rider does not match: ``text`` (translated lazily) says who the activity is for;
    ``add_birth_month`` is true when the rider has not set their birth month (the page links to the profile)."""

    rule: str
    text: object
    add_birth_month: bool = False


def normalise_platform(value: str | None) -> str:
    """A platform as the rule compares it: trimmed and lower case (``" Meituan "`` → ``"meituan"``)."""
    return (value or "").strip().lower()


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone)


def rule_texts(task: Task) -> list:
    """Who the activity is for, one translated line per rule it sets (empty: every rider; volunteer work)."""
    if task.kind != ACTIVITY:
        return []
    texts = []
    if task.rule_birth_month:
        texts.append(_l("Only for riders born in %(month)s", month=MONTH_LABELS[_local(task.starts_at,
                                                                                     local_zone()).month]))
    if task.rule_trade:
        texts.append(_l("Only for riders in %(trade)s", trade=TRADE_LABELS.get(task.rule_trade, task.rule_trade)))
    if task.rule_platform:
        texts.append(_l("Only for riders of %(platform)s", platform=task.rule_platform.strip()))
    if task.rule_new_this_year:
        texts.append(_l("Only for riders who registered in %(year)d", year=_local(task.starts_at, local_zone()).year))
    return texts


def unmet_rules(task: Task, rider, *, zone: ZoneInfo | None = None) -> list[Unmet]:
    """The rules of ``task`` that ``rider`` (a user: ``birth_month``, ``trade``, ``platform``, ``created_at``)
    does not match, in the order the task page lists them; empty when the rider may join (always for volunteer
    work). ``zone`` is the local zone (default the app's ``TIMEZONE``): the month and the year of the activity
    are those of its local start. A rider without a birth month is asked to add it (``add_birth_month``)."""
    if task.kind != ACTIVITY:
        return []
    zone = zone or local_zone()
    start = _local(task.starts_at, zone)
    unmet = []
    if task.rule_birth_month and rider.birth_month is None:
        unmet.append(Unmet("birth_month", _l("Only for riders born in %(month)s. Add your birth month in your "
                                             "profile to join.", month=MONTH_LABELS[start.month]),
                           add_birth_month=True))
    elif task.rule_birth_month and rider.birth_month != start.month:
        unmet.append(Unmet("birth_month", _l("Only for riders born in %(month)s", month=MONTH_LABELS[start.month])))
    if task.rule_trade and rider.trade != task.rule_trade:
        unmet.append(Unmet("trade", _l("Only for riders in %(trade)s",
                                       trade=TRADE_LABELS.get(task.rule_trade, task.rule_trade))))
    if task.rule_platform and normalise_platform(rider.platform) != normalise_platform(task.rule_platform):
        unmet.append(Unmet("platform", _l("Only for riders of %(platform)s", platform=task.rule_platform.strip())))
    if task.rule_new_this_year and _local(rider.created_at, zone).year != start.year:
        unmet.append(Unmet("new_this_year", _l("Only for riders who registered in %(year)d", year=start.year)))
    return unmet


def _local_start(year: int, month: int, zone: ZoneInfo) -> datetime:
    """Local midnight of the first day of ``month`` of ``year``, as aware UTC."""
    return datetime.combine(date(year, month, 1), time(), tzinfo=zone).astimezone(UTC)


def _month_span(year: int, month: int, zone: ZoneInfo) -> tuple[datetime, datetime]:
    following = (year + 1, 1) if month == 12 else (year, month + 1)
    return _local_start(year, month, zone), _local_start(*following, zone)


def open_to(rider, *, now: datetime, zone: ZoneInfo | None = None):
    """A SQL condition on :class:`Task`: volunteer work, or an activity whose every rule ``rider`` matches
    (the same answer as :func:`unmet_rules`, without loading each task). ``None`` for ``rider``: no condition.

    The local month and year of a start are compared as UTC ranges (no time-zone functions in SQL): a
    birthday activity must start in the rider's birth month of a year from last year to
    :data:`YEARS_AHEAD` after ``now`` (aware UTC).
    """
    if rider is None:
        return sa.true()
    zone = zone or local_zone()
    this_year = _local(now, zone).year
    rules = []
    if rider.birth_month is None:
        birth = sa.false()
    else:
        birth = sa.or_(*(sa.and_(Task.starts_at >= low, Task.starts_at < high) for low, high in (
            _month_span(year, rider.birth_month, zone) for year in range(this_year - 1, this_year + YEARS_AHEAD + 1))))
    rules.append(sa.or_(sa.not_(Task.rule_birth_month), birth))
    rules.append(sa.or_(Task.rule_trade.is_(None), Task.rule_trade == rider.trade if rider.trade else sa.false()))
    platform = normalise_platform(rider.platform)
    rules.append(sa.or_(Task.rule_platform.is_(None),
                        sa.func.lower(sa.func.trim(Task.rule_platform)) == platform if platform else sa.false()))
    registered = _local(rider.created_at, zone).year
    rules.append(sa.or_(sa.not_(Task.rule_new_this_year),
                        sa.and_(Task.starts_at >= _local_start(registered, 1, zone),
                                Task.starts_at < _local_start(registered + 1, 1, zone))))
    return sa.or_(Task.kind != ACTIVITY, sa.and_(*rules))
