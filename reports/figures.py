"""The figures superiors ask coordinators for: reports by status and category, how many were resolved and
closed, the median days to resolve, the oldest open reports.

Every function takes a *scope* — a ``SELECT`` of :class:`reports.models.Report` rows a user may see
(:func:`reports.access.visible_reports`) — and a period ``[start, end)`` of aware UTC datetimes (local days
turned into UTC by the caller). They only read, and work the same on SQLite and PostgreSQL: the median is
computed in Python over the rows of the period (one row per report resolved in it).
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from accounts.models import User
from accounts.scope import in_organisation
from extensions import db
from reports.models import OPEN_STATUSES, STATUSES, Report, ReportCategory, ReportUpdate

OLDEST_OPEN = 10
SECONDS_PER_DAY = 86400


def _ids(scope: sa.Select):
    """The ids of the reports of ``scope``, as a subquery for ``Report.id.in_(…)``."""
    return scope.with_only_columns(Report.id).order_by(None)


def _created_in(scope: sa.Select, start: datetime, end: datetime) -> list:
    return [Report.id.in_(_ids(scope)), Report.created_at >= start, Report.created_at < end]


def by_status(scope: sa.Select, start: datetime, end: datetime) -> dict[str, int]:
    """How many reports of ``scope`` created in ``[start, end)`` are in each status now.

    Returns ``{status: count}`` for every status of :data:`reports.models.STATUSES`, in that order (0 when none).
    """
    rows = db.session.execute(sa.select(Report.status, sa.func.count()).where(*_created_in(scope, start, end))
                              .group_by(Report.status))
    counts = dict.fromkeys(STATUSES, 0)
    for status, count in rows:
        counts[status] = count
    return counts


def by_category(scope: sa.Select, start: datetime, end: datetime) -> list[tuple[ReportCategory, int]]:
    """How many reports of ``scope`` were created in ``[start, end)`` per category, as ``(category, count)`` in
    the categories' display order; categories without reports are left out."""
    rows = db.session.execute(sa.select(ReportCategory, sa.func.count(Report.id)).join(Report)
                              .where(*_created_in(scope, start, end))
                              .group_by(ReportCategory.id).order_by(ReportCategory.position, ReportCategory.id))
    return [(category, count) for category, count in rows]


def _first_resolved():
    """A subquery: each report's first "resolved" update time (``report_id``, ``resolved_at``)."""
    return (sa.select(ReportUpdate.report_id, sa.func.min(ReportUpdate.created_at).label("first_resolved"))
            .where(ReportUpdate.kind == "resolved").group_by(ReportUpdate.report_id).subquery())


def resolution_days(scope: sa.Select, start: datetime, end: datetime) -> list[float]:
    """Days (fractional) from creation to the first "resolved" update, for each report of ``scope`` first
    resolved within ``[start, end)``; in no particular order."""
    first = _first_resolved()
    rows = db.session.execute(sa.select(Report.created_at, first.c.first_resolved)
                              .join(first, first.c.report_id == Report.id)
                              .where(Report.id.in_(_ids(scope)), first.c.first_resolved >= start,
                                     first.c.first_resolved < end))
    days = []
    for created_at, resolved_at in rows:
        if resolved_at.tzinfo is None:  # min() over the column loses the UTC type decorator on some drivers
            resolved_at = resolved_at.replace(tzinfo=created_at.tzinfo)
        days.append(max(0.0, (resolved_at - created_at).total_seconds() / SECONDS_PER_DAY))
    return days


def median(values: list[float]) -> float | None:
    """The median of ``values`` (the mean of the two middle ones for an even count); ``None`` when empty."""
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def closed_count(scope: sa.Select, start: datetime, end: datetime) -> int:
    """How many reports of ``scope`` were closed (fix confirmed or verified) within ``[start, end)``."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Report)
                             .where(Report.id.in_(_ids(scope)), Report.status == "closed",
                                    Report.closed_at >= start, Report.closed_at < end)) or 0


def oldest_open(scope: sa.Select, limit: int = OLDEST_OPEN) -> list[Report]:
    """The ``limit`` oldest reports of ``scope`` still open (submitted, accepted or routed), oldest first,
    whatever the period."""
    return list(db.session.scalars(scope.where(Report.status.in_(OPEN_STATUSES))
                                   .order_by(Report.created_at, Report.id).limit(limit)))


@dataclass(frozen=True)
class Figures:
    """The figures of one scope and period: ``statuses`` ``{status: count}`` and ``categories``
    ``[(category, count)]`` of the reports created in it, ``created`` their total, ``resolved`` how many
    were first resolved in it, ``closed`` how many closed in it, ``median_days`` the median days to resolve
    of those resolved (``None`` when none), ``oldest`` the oldest open reports (any time)."""

    statuses: dict
    categories: list
    created: int
    resolved: int
    closed: int
    median_days: float | None
    oldest: list


def figures(scope: sa.Select, start: datetime, end: datetime) -> Figures:
    """All the figures of ``scope`` for ``[start, end)`` (aware UTC) in one :class:`Figures`."""
    statuses = by_status(scope, start, end)
    days = resolution_days(scope, start, end)
    return Figures(statuses=statuses, categories=by_category(scope, start, end), created=sum(statuses.values()),
                   resolved=len(days), closed=closed_count(scope, start, end), median_days=median(days),
                   oldest=oldest_open(scope))


# ---- the dashboard (oversight/dashboard_figures.py, issue 13) ----

def organisation_reports(organisation_id: int | None) -> sa.Select:
    """The reports an organisation's coordinators see, as a scope for these functions: the same rule as
    :func:`reports.access.visible_reports` for a coordinator (reports lying in the organisation, or filed by
    riders in its scope); every report for ``None`` (an admin's whole programme)."""
    query = sa.select(Report)
    if organisation_id is None:
        return query
    riders = sa.select(User.id).where(in_organisation(organisation_id))
    return query.where(sa.or_(Report.organisation_id == organisation_id, Report.reporter_id.in_(riders)))


@dataclass(frozen=True)
class Summary:
    """The dashboard's report figures of a scope and period: ``received`` (filed in it), ``resolved`` (first
    resolved in it, whenever filed) and ``median_days`` to resolve those (``None`` when none)."""

    received: int
    resolved: int
    median_days: float | None


def summary(scope: sa.Select, start: datetime, end: datetime) -> Summary:
    """The :class:`Summary` of ``scope`` for ``[start, end)`` (aware UTC); the median over
    :func:`resolution_days`, computed in Python."""
    received = db.session.scalar(sa.select(sa.func.count()).select_from(Report)
                                 .where(*_created_in(scope, start, end))) or 0
    days = resolution_days(scope, start, end)
    return Summary(received=received, resolved=len(days), median_days=median(days))


def reporting_riders(scope: sa.Select, start: datetime, end: datetime) -> set[int]:
    """The riders (role rider) who filed a report of ``scope`` in ``[start, end)``: one part of the
    dashboard's "riders active"."""
    return set(db.session.scalars(sa.select(Report.reporter_id).join(User, User.id == Report.reporter_id)
                                  .where(User.role == "rider", *_created_in(scope, start, end)).distinct()))
