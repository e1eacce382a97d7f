"""Figures of the Haitang pass: entries and distinct riders per local day, per ISO week and over a period, for
one partner building or several (an organisation's, or all of them for an admin). Read-only queries.

An entry (:class:`passes.models.PassEntry`) is one rider let in at one building on one local day, so at one
building a day's entries equal its distinct riders; over several days or buildings a rider who came twice is
one distinct rider but two entries. Days are local days (``PassEntry.local_day``); weeks are ISO weeks
(Monday to Sunday), named by their Monday, cut to the period at its ends.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload

from accounts.models import User
from core.timeutil import local_today, parse_day
from extensions import db
from passes.models import BuildingStaff, PassEntry
from stations.models import BUILDING, Station

DEFAULT_DAYS = 28  # the period shown when none is asked for: the last 28 local days, today included
MAX_DAYS = 366  # the longest period asked for at once
ALL = None  # the key of the figures over every building of the scope


@dataclass(frozen=True)
class Count:
    """Entries (people let in, one per rider, building and day) and distinct riders among them."""

    entries: int = 0
    riders: int = 0


ZERO = Count()


@dataclass(frozen=True)
class Period:
    """Local days ``first`` to ``last``, both included."""

    first: date
    last: date

    @property
    def days(self) -> list[date]:
        """Every local day of the period, oldest first."""
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    @property
    def weeks(self) -> list[date]:
        """The Monday of every ISO week touching the period, oldest first."""
        monday = self.first - timedelta(days=self.first.weekday())
        return [monday + timedelta(weeks=n) for n in range((self.last - monday).days // 7 + 1)]


def default_period(today: date | None = None) -> Period:
    """The last :data:`DEFAULT_DAYS` local days, ending ``today`` (the local today when not given)."""
    today = today or local_today()
    return Period(today - timedelta(days=DEFAULT_DAYS - 1), today)


def read_period(args: Mapping, today: date | None = None) -> tuple[Period | None, dict[str, str]]:
    """The period asked for in ``args`` (``from`` and ``to`` as ``YYYY-MM-DD`` local days; either left out
    means the default's end). Returns ``(period, {})``, or ``(None, {field: message})`` when what was typed
    is not a date, the days are reversed, or the period is longer than :data:`MAX_DAYS` days."""
    default = default_period(today)
    typed = {name: str(args.get(name) or "").strip()[:40] for name in ("from", "to")}
    days, errors = {}, {}
    for name, fallback in (("from", default.first), ("to", default.last)):
        day = parse_day(typed[name]) if typed[name] else fallback
        if day is None or not 2000 <= day.year <= 2100:
            errors[name] = str(_l("Enter a date like 2026-12-24."))
        days[name] = day
    if errors:
        return None, errors
    if typed["from"] and not typed["to"] and days["from"] > days["to"]:
        days["to"] = days["from"]
    if days["from"] > days["to"]:
        return None, {"to": str(_l("The last day must not be before the first."))}
    if (days["to"] - days["from"]).days + 1 > MAX_DAYS:
        return None, {"to": str(_l("Choose at most %(days)d days.", days=MAX_DAYS))}
    return Period(days["from"], days["to"]), {}


def buildings_of(organisation_id: int | None, *, active_only: bool = False) -> list[Station]:
    """The partner buildings (stations of kind ``building``) of organisation ``organisation_id`` (``None``:
    every organisation's) by name; deactivated ones too unless ``active_only``."""
    query = (sa.select(Station).options(selectinload(Station.organisation)).where(Station.kind == BUILDING)
             .order_by(Station.name, Station.id))
    if organisation_id is not None:
        query = query.where(Station.organisation_id == organisation_id)
    if active_only:
        query = query.where(Station.active.is_(True))
    return list(db.session.scalars(query))


def former_buildings_with_staff(organisation_id: int | None) -> list[Station]:
    """Stations of organisation ``organisation_id`` (``None``: every organisation's) that are no longer partner
    buildings (their kind was changed) but still have active staff accounts, by name: their staff can no
    longer check passes, and should be removed."""
    query = (sa.select(Station).where(Station.kind != BUILDING, Station.id.in_(
        sa.select(BuildingStaff.station_id).join(User, User.id == BuildingStaff.user_id)
        .where(User.active.is_(True)))).order_by(Station.name, Station.id))
    if organisation_id is not None:
        query = query.where(Station.organisation_id == organisation_id)
    return list(db.session.scalars(query))


def staff_counts(building_ids: list[int]) -> dict[int, int]:
    """How many active staff accounts each building has, by building id (absent: none)."""
    if not building_ids:
        return {}
    rows = db.session.execute(
        sa.select(BuildingStaff.station_id, sa.func.count()).join(User, User.id == BuildingStaff.user_id)
        .where(BuildingStaff.station_id.in_(building_ids), User.active.is_(True))
        .group_by(BuildingStaff.station_id))
    return {station_id: count for station_id, count in rows}  # noqa: C416 - rows are Row objects


def _week_of(period: Period) -> sa.ColumnElement:
    """A SQL expression: the Monday of the ISO week of ``PassEntry.local_day`` (portable: a CASE over the
    period's weeks, at most 53 of them)."""
    return sa.case(*[(PassEntry.local_day.between(monday, monday + timedelta(days=6)), sa.literal(monday, sa.Date))
                     for monday in period.weeks], else_=sa.null())


def _counts(building_ids: list[int], period: Period, *keys: str) -> dict[tuple, Count]:
    """``{key values: Count}`` of the entries at ``building_ids`` within ``period``, grouped by ``keys`` (names
    among ``station_id``, ``local_day`` and ``week``, the Monday of the ISO week)."""
    rows = (sa.select(PassEntry.station_id, PassEntry.local_day, PassEntry.rider_id, _week_of(period).label("week"))
            .where(PassEntry.station_id.in_(building_ids), PassEntry.local_day.between(period.first, period.last))
            .subquery("entries"))
    columns = [rows.c[key] for key in keys]
    query = sa.select(*columns, sa.func.count(), sa.func.count(sa.distinct(rows.c.rider_id)))
    if columns:
        query = query.group_by(*columns)
    return {tuple(row[:-2]): Count(row[-2], row[-1]) for row in db.session.execute(query)}


@dataclass
class Figures:
    """Entries and distinct riders of ``buildings`` over ``period``: ``by_day[(building id or ALL, day)]``,
    ``by_week[(building id or ALL, Monday)]`` and ``total[building id or ALL]`` (absent keys: zero — use
    :meth:`day`, :meth:`week`, :meth:`over`)."""

    period: Period
    buildings: list[Station]
    by_day: dict[tuple, Count] = field(default_factory=dict)
    by_week: dict[tuple, Count] = field(default_factory=dict)
    total: dict = field(default_factory=dict)

    def day(self, building_id: int | None, day: date) -> Count:
        """The figures of one building (``ALL``: every building) on one local day."""
        return self.by_day.get((building_id, day), ZERO)

    def week(self, building_id: int | None, monday: date) -> Count:
        """The figures of one building (``ALL``: every building) in the ISO week starting ``monday``."""
        return self.by_week.get((building_id, monday), ZERO)

    def over(self, building_id: int | None = ALL) -> Count:
        """The figures of one building (``ALL``: every building) over the whole period."""
        return self.total.get(building_id, ZERO)

    def week_span(self, monday: date) -> tuple[date, date]:
        """The days of the week starting ``monday`` that fall within the period (first, last)."""
        return max(monday, self.period.first), min(monday + timedelta(days=6), self.period.last)


def figures(buildings: list[Station], period: Period) -> Figures:
    """The figures of ``buildings`` over ``period`` (six grouped queries; none when there is no building)."""
    result = Figures(period=period, buildings=list(buildings))
    ids = [building.id for building in buildings]
    if not ids:
        return result
    result.by_day = _counts(ids, period, "station_id", "local_day")
    result.by_day.update({(ALL, key[0]): count for key, count in _counts(ids, period, "local_day").items()})
    result.by_week = _counts(ids, period, "station_id", "week")
    result.by_week.update({(ALL, key[0]): count for key, count in _counts(ids, period, "week").items()})
    result.total = {key[0]: count for key, count in _counts(ids, period, "station_id").items()}
    result.total[ALL] = _counts(ids, period).get((), ZERO)
    return result


def entries_on(building_id: int, day: date) -> list[PassEntry]:
    """The entries at building ``building_id`` on local ``day``, latest first (with their riders)."""
    return list(db.session.scalars(
        sa.select(PassEntry).options(joinedload(PassEntry.rider))
        .where(PassEntry.station_id == building_id, PassEntry.local_day == day)
        .order_by(PassEntry.entered_at.desc(), PassEntry.id.desc())))


def today_and_week(building_ids: list[int], today: date | None = None) -> dict[int, tuple[int, int]]:
    """``{building id: (entries today, entries this ISO week so far)}`` (absent: none), local days."""
    today = today or local_today()
    week = Period(today - timedelta(days=today.weekday()), today)
    if not building_ids:
        return {}
    counts = _counts(building_ids, week, "station_id", "local_day")
    result: dict[int, tuple[int, int]] = {}
    for (building_id, day), count in counts.items():
        on_day, in_week = result.get(building_id, (0, 0))
        result[building_id] = (on_day + (count.entries if day == today else 0), in_week + count.entries)
    return result
