"""Reads of reports that the rider's pages share: similar open reports nearby ("me too"), a rider's own
reports and those they supported, a report's photos and timeline.

Positions are WGS-84 degrees, distances metres, times aware UTC.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from core.geo import bounding_box, distance_m
from extensions import db
from reports.models import OPEN_STATUSES, Report, ReportPhoto, ReportSupport, ReportUpdate

SIMILAR_RADIUS_M = 50
SIMILAR_DAYS = 14
SIMILAR_LIMIT = 5


@dataclass(frozen=True)
class Similar:
    """An open report like the one being filed: the report, how far it is (metres) and its first photo's id
    (``None`` when it has none)."""

    report: Report
    distance_m: float
    photo_id: int | None


def similar_open_reports(category_id: int, lat: float, lng: float, now: datetime, radius_m: float = SIMILAR_RADIUS_M,
                         days: int = SIMILAR_DAYS, limit: int = SIMILAR_LIMIT) -> list[Similar]:
    """Open reports (submitted, accepted, routed) of category ``category_id`` within ``radius_m`` metres of
    (``lat``, ``lng``) filed in the last ``days`` days before ``now``, nearest first (then newest), at most
    ``limit``. A bounding box narrows the rows in SQL; the exact distance decides."""
    south, north, west, east = bounding_box(lat, lng, radius_m)
    rows = db.session.scalars(
        sa.select(Report).options(selectinload(Report.category))
        .where(Report.category_id == category_id, Report.status.in_(OPEN_STATUSES),
               Report.created_at >= now - timedelta(days=days), Report.created_at <= now,
               Report.latitude.between(south, north), Report.longitude.between(west, east))
        .order_by(Report.created_at.desc(), Report.id.desc()).limit(200))
    near = [(report, distance_m(lat, lng, report.latitude, report.longitude)) for report in rows]
    near = sorted(((r, d) for r, d in near if d <= radius_m), key=lambda pair: pair[1])[:limit]
    photos = first_photos([report.id for report, _d in near])
    return [Similar(report, d, photos.get(report.id)) for report, d in near]


def first_photos(report_ids: list[int]) -> dict[int, int]:
    """``{report id: id of its first "before" photo}`` for those of ``report_ids`` that have one."""
    if not report_ids:
        return {}
    rows = db.session.execute(sa.select(ReportPhoto.report_id, sa.func.min(ReportPhoto.id))
                              .where(ReportPhoto.report_id.in_(report_ids), ReportPhoto.kind == "before")
                              .group_by(ReportPhoto.report_id))
    return {int(report_id): int(photo_id) for report_id, photo_id in rows}


def supported_ids(user_id: int, report_ids: list[int]) -> set[int]:
    """Which of ``report_ids`` the user has said "me too" to."""
    if not report_ids:
        return set()
    return set(db.session.scalars(sa.select(ReportSupport.report_id)
                                  .where(ReportSupport.user_id == user_id, ReportSupport.report_id.in_(report_ids))))


def reports_of(rider_id: int, *, limit: int = 100) -> list[Report]:
    """The rider's own reports, newest first (at most ``limit``), categories loaded."""
    return list(db.session.scalars(
        sa.select(Report).options(selectinload(Report.category)).where(Report.reporter_id == rider_id)
        .order_by(Report.created_at.desc(), Report.id.desc()).limit(limit)))


def supported_by(user_id: int, *, limit: int = 50) -> list[Report]:
    """The reports the user said "me too" to, the latest "me too" first (at most ``limit``)."""
    return list(db.session.scalars(
        sa.select(Report).options(selectinload(Report.category))
        .join(ReportSupport, ReportSupport.report_id == Report.id).where(ReportSupport.user_id == user_id)
        .order_by(ReportSupport.created_at.desc(), Report.id.desc()).limit(limit)))


def photos_of(report: Report) -> tuple[list[ReportPhoto], list[ReportPhoto]]:
    """The report's ``(before, after)`` photos, each oldest first."""
    photos = list(db.session.scalars(sa.select(ReportPhoto).where(ReportPhoto.report_id == report.id)
                                     .order_by(ReportPhoto.id)))
    return [p for p in photos if p.kind == "before"], [p for p in photos if p.kind == "after"]


def timeline_of(report: Report) -> list[ReportUpdate]:
    """The report's updates, oldest first, with their actors and departments loaded."""
    return list(db.session.scalars(
        sa.select(ReportUpdate).options(selectinload(ReportUpdate.actor), selectinload(ReportUpdate.department))
        .where(ReportUpdate.report_id == report.id).order_by(ReportUpdate.created_at, ReportUpdate.id)))


def resolved_reports_by_reporter(*, rider_ids=None, since: datetime | None = None,
                                 until: datetime | None = None) -> dict[int, int]:
    """Reports whose fix was confirmed by the reporter or verified by a coordinator (status ``closed``), per
    reporter, closed in ``[since, until)`` (aware UTC, either open): ``{rider id: count}`` (none: absent).
    ``rider_ids`` limits the reporters (``None``: all)."""
    query = (sa.select(Report.reporter_id, sa.func.count())
             .where(Report.status == "closed", Report.reporter_id.is_not(None)).group_by(Report.reporter_id))
    if rider_ids is not None:
        query = query.where(Report.reporter_id.in_(list(rider_ids)))
    if since is not None:
        query = query.where(Report.closed_at >= since)
    if until is not None:
        query = query.where(Report.closed_at < until)
    return dict(db.session.execute(query).all())
