"""Reports that city platforms send and read through Open311 (:mod:`reports.open311`).

A platform's report has no reporter and no photo (Open311's ``media_url`` points elsewhere and is not
fetched): :func:`submit_platform_report` checks the category, the description and the position and files it
as ``submitted`` with ``source="open311"``. :func:`platform_requests` is the read the API lists. Services
flush, never commit; positions WGS-84 degrees; times aware UTC.
"""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from accounts import journal
from core.geo import in_service_area
from core.timeutil import utcnow
from extensions import db
from reports import errors
from reports.catalogue import category_by_code
from reports.models import OPEN_STATUSES, Open311Key, Report, ReportCategory, ReportUpdate
from reports.services import MAX_DESCRIPTION, organisation_where, words

CLOSED_STATUSES = ("resolved", "rejected", "closed")  # Open311's "closed"; the rest is "open"
NOTE_KINDS = {"resolved": "resolved", "closed": "resolved", "rejected": "rejected"}  # where status_notes come from

journal.describe({"report.submit_platform": _l("Problem reported by a city platform")}, platform=_l("Platform"))


def submit_platform_report(*, key: Open311Key, service_code: str | None, description: str | None,
                           latitude: float | None, longitude: float | None, address: str = "",
                           now: datetime | None = None) -> Report:
    """File the report a platform sent with ``key`` and return it (status ``submitted``, no reporter).

    Its organisation is the one where it lies (:func:`reports.services.organisation_where`), else none
    (admins handle it). Raises :class:`reports.errors.ReportInvalid` for an unknown or inactive category, an
    empty description, a missing position or one outside ``SERVICE_AREA``.
    """
    now = now or utcnow()
    category = category_by_code(service_code)
    description = words(description)
    if category is None:
        raise errors.unknown_category()
    if not description:
        raise errors.no_description()
    if latitude is None or longitude is None:
        raise errors.no_location()
    if not in_service_area(latitude, longitude, current_app.config.get("SERVICE_AREA", "")):
        raise errors.outside_area()
    report = Report(reporter_id=None, source="open311", open311_key_id=key.id, category_id=category.id,
                    description=description[:MAX_DESCRIPTION], latitude=latitude, longitude=longitude,
                    entered_crs="wgs84", address=words(address)[:200],
                    organisation_id=organisation_where(latitude, longitude, now=now), status="submitted",
                    created_at=now, updated_at=now)
    db.session.add(report)
    db.session.flush()
    db.session.add(ReportUpdate(report_id=report.id, actor_id=None, kind="submitted", from_status=None,
                                to_status="submitted", created_at=now))
    journal.record("report.submit_platform", actor=None, subject=f"report:{report.id}",
                   organisation_id=report.organisation_id, now=now, category=category.code, platform=key.name)
    db.session.flush()
    return report


def platform_requests(*, ids: Sequence[int] | None = None, codes: Sequence[str] = (),
                      start: datetime | None = None, end: datetime | None = None,
                      statuses: Sequence[str] = (), limit: int = 1000) -> list[Report]:
    """Reports newest first, at most ``limit``: those of ``ids`` when given (every other filter ignored, as
    Open311 says), else those created in ``[start, end]`` of the category ``codes`` (any when empty) in
    Open311 ``statuses`` (``"open"``/``"closed"``; any when empty). Categories and departments are loaded with
    them."""
    query = (sa.select(Report).options(sa.orm.joinedload(Report.category), sa.orm.joinedload(Report.department))
             .order_by(Report.created_at.desc(), Report.id.desc()).limit(limit))
    if ids is not None:
        return list(db.session.scalars(query.where(Report.id.in_(list(ids)))).unique())
    if codes:
        query = query.join(Report.category).where(ReportCategory.code.in_(list(codes)))
    if start is not None:
        query = query.where(Report.created_at >= start)
    if end is not None:
        query = query.where(Report.created_at <= end)
    wanted = set(statuses)
    if wanted == {"open"}:
        query = query.where(Report.status.in_(OPEN_STATUSES))
    elif wanted == {"closed"}:
        query = query.where(Report.status.in_(CLOSED_STATUSES))
    return list(db.session.scalars(query).unique())


def status_notes(reports: Sequence[Report]) -> dict[int, str]:
    """For each report that is resolved, closed or rejected, the note of its latest resolution (or
    rejection): what the department did, or why it was refused. One query."""
    wanted = {report.id: NOTE_KINDS[report.status] for report in reports if report.status in NOTE_KINDS}
    if not wanted:
        return {}
    rows = db.session.execute(sa.select(ReportUpdate.report_id, ReportUpdate.kind, ReportUpdate.note)
                              .where(ReportUpdate.report_id.in_(list(wanted)),
                                     ReportUpdate.kind.in_(("resolved", "rejected")))
                              .order_by(ReportUpdate.created_at, ReportUpdate.id))
    notes: dict[int, str] = {}
    for report_id, kind, note in rows:
        if wanted[report_id] == kind:
            notes[report_id] = note or ""
    return notes
