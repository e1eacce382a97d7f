"""The report workflow: submit, "me too", accept, route, change category, resolve, reject, confirm, reopen,
verify.

Every status change is one conditional ``UPDATE … WHERE status = <expected>`` whose row count decides (two
coordinators at once: one wins, the other gets :class:`reports.errors.WrongStatus`), plus a timeline entry, a
journal entry and a notification to the reporter, in the caller's transaction. The award for a confirmed fix
goes through :func:`points.ledger.award_for_report` (a unique key: once per report, whoever confirms).
Services flush, never commit; times are aware UTC; positions WGS-84 degrees.
"""

from collections.abc import Sequence
from contextlib import nullcontext
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, has_request_context
from flask_babel import lazy_gettext as _l

from accounts import journal
from accounts.models import User
from core.db import insert_ignoring_conflicts, update_rows
from core.forms import clean_text
from core.geo import in_service_area
from core.images import read_photo
from core.places import nearby_places, place_ref
from core.storage import file_store
from core.timeutil import utcnow
from extensions import db
from notifications.services import notify
from points import ledger
from reports import errors
from reports.models import CRS, Department, Report, ReportCategory, ReportPhoto, ReportSupport, ReportUpdate

MAX_PHOTOS = 3
MAX_DESCRIPTION = 500
LOCAL_RADIUS_M = 3000  # a report belongs to the organisation of the nearest place this close

journal.describe({
    "report.submit": _l("Problem reported"), "report.accept": _l("Report accepted"),
    "report.route": _l("Report sent to a department"), "report.recategorise": _l("Report category changed"),
    "report.resolve": _l("Report resolved"), "report.reject": _l("Report rejected"),
    "report.confirm": _l("Fix confirmed by the reporter"), "report.reopen": _l("Report reopened: not fixed"),
    "report.verify": _l("Fix verified by a coordinator"),
}, category=_l("Category"), department=_l("Department"), reason=_l("Reason"), points=_l("Points"))


def words(text: str | None) -> str:
    """``text`` as typed, on one line: control characters (NUL …, which PostgreSQL refuses) dropped, runs of
    white space made one space."""
    return " ".join(clean_text(text or "").split())


def store_photo(report: Report, data: bytes, *, name: str = "", kind: str = "before",
                update: ReportUpdate | None = None) -> ReportPhoto:
    """Check ``data`` is a real image, re-encode it (JPEG ≤ 1600 px, no metadata), store it and link it to
    ``report``. Raises :class:`core.images.NotAnImage` or :class:`core.images.PhotoTooLarge`."""
    photo = read_photo(data, name=name)
    key = file_store().put(photo.data, content_type="image/jpeg", prefix="report")
    row = ReportPhoto(report_id=report.id, update_id=update.id if update else None, kind=kind, storage_key=key,
                      width=photo.width, height=photo.height, size=len(photo.data))
    db.session.add(row)
    return row


def _timeline(report: Report, *, actor: User | None, kind: str, from_status: str | None, note: str = "",
              now: datetime, department_id: int | None = None, category_id: int | None = None) -> ReportUpdate:
    update = ReportUpdate(report_id=report.id, actor_id=actor.id if actor else None, kind=kind,
                          from_status=from_status, to_status=report.status, note=note[:500],
                          department_id=department_id, category_id=category_id, created_at=now)
    db.session.add(update)
    db.session.flush()
    return update


def _tell_reporter(report: Report, *, note: str = "", now: datetime) -> None:
    if report.reporter_id is not None:
        notify(user_id=report.reporter_id, kind="report_changed", link=f"/reports/{report.id}", now=now,
               params={"report": report.id, "status": report.status, "note": note[:200]})


def _about(report: Report, actor: User | None, now: datetime) -> dict:
    """The journal arguments every report entry has: who, which report, its organisation, when, its category."""
    return {"actor": actor, "subject": f"report:{report.id}", "organisation_id": report.organisation_id, "now": now,
            "category": report.category.code}


def _move(report: Report, *, expected: Sequence[str], to: str, now: datetime, **values) -> None:
    """Set ``report.status`` to ``to`` if it is one of ``expected`` now (in the database); else raise
    :class:`reports.errors.WrongStatus` with the status it has."""
    changed = update_rows(sa.update(Report).where(Report.id == report.id, Report.status.in_(tuple(expected)))
                          .values(status=to, updated_at=now, **values))
    db.session.refresh(report)
    if not changed:
        raise errors.WrongStatus(report.status_label)


def organisation_where(latitude: float, longitude: float, *, now: datetime) -> int | None:
    """The organisation a point lies in, for routing a report to coordinators: that of the nearest station or
    partner restaurant within :data:`LOCAL_RADIUS_M` metres, or ``None`` (then admins and the reporter's
    coordinators handle it)."""
    # The finders build each place's URL, which needs a request: a CLI (demo load) or job has none.
    with nullcontext() if has_request_context() else current_app.test_request_context():
        places = nearby_places(latitude, longitude, radius_m=LOCAL_RADIUS_M, limit=3, now=now)
    for place in places:
        ref = place_ref(place.kind, place.id)
        if ref is not None and ref.organisation_id is not None:
            return ref.organisation_id
    return None


def submit_report(*, reporter: User, category: ReportCategory | None, description: str,
                  latitude: float | None, longitude: float | None, photos: Sequence[tuple[str, bytes]],
                  address: str = "", entered_crs: str = "wgs84", place_kind: str | None = None,
                  place_id: int | None = None, now: datetime | None = None) -> Report:
    """File a new report for ``reporter`` and return it (status ``submitted``).

    ``photos`` are ``(file name, bytes)`` as uploaded (1–3); the position is WGS-84 (convert GCJ-02 first and
    say so in ``entered_crs``); ``place_kind``/``place_id`` (``"station"`` or ``"restaurant"``) link it to a
    place, whose organisation it then belongs to (else :func:`organisation_where`, else the reporter's own). Raises
    :class:`reports.errors.ReportInvalid` (its ``field`` says where) for a missing or unknown category, an
    empty description, no or too many photos, no position or one outside ``SERVICE_AREA``; and
    :class:`core.images.NotAnImage` / :class:`core.images.PhotoTooLarge` for a bad photo.
    """
    now = now or utcnow()
    description = words(description)
    if category is None or not category.active:
        raise errors.unknown_category()
    if not description:
        raise errors.no_description()
    if latitude is None or longitude is None:
        raise errors.no_location()
    if not in_service_area(latitude, longitude, current_app.config.get("SERVICE_AREA", "")):
        raise errors.outside_area()
    photos = [(name, data) for name, data in photos if data]
    if not photos:
        raise errors.no_photo()
    if len(photos) > MAX_PHOTOS:
        raise errors.too_many_photos(MAX_PHOTOS)
    place = place_ref(place_kind, place_id) if place_kind and place_id else None
    organisation_id = place.organisation_id if place else None
    if organisation_id is None:
        organisation_id = organisation_where(latitude, longitude, now=now)
    report = Report(
        reporter_id=reporter.id, category_id=category.id, description=description[:MAX_DESCRIPTION],
        latitude=latitude, longitude=longitude, entered_crs=entered_crs if entered_crs in CRS else "wgs84",
        address=words(address or (place.address if place else ""))[:200],
        station_id=place.id if place and place.kind == "station" else None,
        merchant_id=place.id if place and place.kind == "restaurant" else None,
        organisation_id=organisation_id if organisation_id is not None else reporter.organisation_id,
        status="submitted", created_at=now, updated_at=now,
    )
    db.session.add(report)
    db.session.flush()
    for name, data in photos:
        store_photo(report, data, name=name)
    _timeline(report, actor=reporter, kind="submitted", from_status=None, now=now)
    journal.record("report.submit", **_about(report, reporter, now))
    return report


def add_support(*, report: Report, user: User, now: datetime | None = None) -> bool:
    """Record ``user``'s "me too" on an open report of someone else; return False when they had already
    (a double tap changes nothing). Earns no points. Raises :class:`reports.errors.OwnReport` or
    :class:`reports.errors.NotOpen`."""
    now = now or utcnow()
    if report.reporter_id == user.id:
        raise errors.OwnReport()
    if not report.is_open:
        raise errors.NotOpen()
    added = insert_ignoring_conflicts(ReportSupport.__table__, report_id=report.id, user_id=user.id, created_at=now)
    if added is None:
        return False
    update_rows(sa.update(Report).where(Report.id == report.id).values(supporters=Report.supporters + 1))
    db.session.refresh(report)
    _timeline(report, actor=user, kind="supported", from_status=report.status, now=now)
    return True


def _route(report: Report, department: Department, *, actor: User | None, now: datetime,
           expected: Sequence[str]) -> None:
    before = report.status
    _move(report, expected=expected, to="routed", now=now, department_id=department.id)
    _timeline(report, actor=actor, kind="routed", from_status=before, now=now, department_id=department.id)
    journal.record("report.route", **_about(report, actor, now), department=department.name)
    _tell_reporter(report, now=now)


def accept_report(*, report: Report, coordinator: User, now: datetime | None = None) -> Report:
    """Accept a submitted report and, when its category has a default department, route it there at once.

    Raises :class:`reports.errors.WrongStatus` when it is no longer ``submitted``.
    """
    now = now or utcnow()
    _move(report, expected=("submitted",), to="accepted", now=now)
    _timeline(report, actor=coordinator, kind="accepted", from_status="submitted", now=now)
    journal.record("report.accept", **_about(report, coordinator, now))
    department = report.category.department
    if department is not None and department.active:
        _route(report, department, actor=coordinator, now=now, expected=("accepted",))
    else:
        _tell_reporter(report, now=now)
    return report


def route_report(*, report: Report, department: Department | None, actor: User,
                 now: datetime | None = None) -> Report:
    """Send an accepted (or routed) report to ``department``. Raises :class:`reports.errors.NoDepartment` or
    :class:`reports.errors.WrongStatus`."""
    if department is None or not department.active:
        raise errors.NoDepartment()
    _route(report, department, actor=actor, now=now or utcnow(), expected=("accepted", "routed"))
    return report


def change_category(*, report: Report, category: ReportCategory | None, actor: User,
                    now: datetime | None = None) -> Report:
    """Give an open report another category; an accepted or routed report then goes to the new category's
    default department (none: it waits, accepted, for a coordinator to route it). Raises
    :class:`reports.errors.ReportInvalid` for an unknown category, :class:`reports.errors.WrongStatus` when
    the report is closed."""
    now = now or utcnow()
    if category is None or not category.active:
        raise errors.unknown_category()
    if category.id == report.category_id:
        return report
    status = report.status
    changed = update_rows(sa.update(Report).where(Report.id == report.id, Report.status == status,
                                                  Report.status.in_(("submitted", "accepted", "routed")))
                          .values(category_id=category.id, updated_at=now))
    db.session.refresh(report)
    if not changed:
        raise errors.WrongStatus(report.status_label)
    department = category.department if status in ("accepted", "routed") else None
    if department is not None and not department.active:
        department = None
    if department is None and status == "routed":  # no department for it now: back to the coordinators
        _move(report, expected=("routed",), to="accepted", now=now, department_id=None)
    _timeline(report, actor=actor, kind="recategorised", from_status=status, now=now, category_id=category.id)
    journal.record("report.recategorise", **_about(report, actor, now))
    if department is not None and department.id != report.department_id:
        _route(report, department, actor=actor, now=now, expected=(status,))
    else:
        _tell_reporter(report, now=now)
    return report


def resolve_report(*, report: Report, staff: User, note: str, photo: tuple[str, bytes] | None,
                   now: datetime | None = None) -> Report:
    """The department says what it did, with an "after" photo: routed → resolved; the reporter is asked to
    confirm. Raises :class:`reports.errors.ReportInvalid` (no note, no photo), a photo error, or
    :class:`reports.errors.WrongStatus`."""
    now = now or utcnow()
    note = words(note)
    if not note:
        raise errors.resolution_needed()
    if photo is None or not photo[1]:
        raise errors.after_photo_needed()
    after = read_photo(photo[1], name=photo[0])  # checked before the status moves
    _move(report, expected=("routed",), to="resolved", now=now, resolved_at=now)
    update = _timeline(report, actor=staff, kind="resolved", from_status="routed", note=note, now=now,
                       department_id=report.department_id)
    key = file_store().put(after.data, content_type="image/jpeg", prefix="report")
    db.session.add(ReportPhoto(report_id=report.id, update_id=update.id, kind="after", storage_key=key,
                               width=after.width, height=after.height, size=len(after.data)))
    journal.record("report.resolve", **_about(report, staff, now))
    _tell_reporter(report, note=note, now=now)
    return report


def reject_report(*, report: Report, actor: User, reason: str, now: datetime | None = None) -> Report:
    """Reject an open report with a reason the reporter reads (no points). Raises the "reason needed" error
    or :class:`reports.errors.WrongStatus`."""
    now = now or utcnow()
    reason = words(reason)
    if not reason:
        raise errors.reason_needed("reason")
    before = report.status
    _move(report, expected=("submitted", "accepted", "routed"), to="rejected", now=now, closed_at=now)
    _timeline(report, actor=actor, kind="rejected", from_status=before, note=reason, now=now)
    journal.record("report.reject", **_about(report, actor, now), reason=reason)
    _tell_reporter(report, note=reason, now=now)
    return report


def _award(report: Report, actor: User, now: datetime) -> int:
    points = report.category.points
    if points <= 0 or report.reporter_id is None:
        return 0
    entry = ledger.award_for_report(rider_id=report.reporter_id, report_id=report.id, points=points,
                                    reason=f"#{report.id} {report.description}"[:200], actor=actor, now=now)
    return points if entry is not None else 0


def confirm_fix(*, report: Report, reporter: User, now: datetime | None = None) -> int:
    """The reporter confirms the fix: resolved → closed, and the category's points are awarded once.
    Returns the points awarded (0 when the category gives none). Raises :class:`reports.errors.WrongStatus`."""
    now = now or utcnow()
    _move(report, expected=("resolved",), to="closed", now=now, closed_at=now)
    _timeline(report, actor=reporter, kind="confirmed", from_status="resolved", now=now)
    points = _award(report, reporter, now)
    journal.record("report.confirm", **_about(report, reporter, now), points=points)
    return points


def verify_fix(*, report: Report, coordinator: User, now: datetime | None = None) -> int:
    """A coordinator verifies the fix instead of the reporter: resolved → closed, the points awarded once;
    the reporter is told. Returns the points awarded. Raises :class:`reports.errors.WrongStatus`."""
    now = now or utcnow()
    _move(report, expected=("resolved",), to="closed", now=now, closed_at=now)
    _timeline(report, actor=coordinator, kind="verified", from_status="resolved", now=now)
    points = _award(report, coordinator, now)
    journal.record("report.verify", **_about(report, coordinator, now), points=points)
    _tell_reporter(report, now=now)
    return points


def reopen_report(*, report: Report, reporter: User, note: str = "", now: datetime | None = None) -> Report:
    """The reporter says "not fixed": resolved → routed again (same department), allowed once. Raises
    :class:`reports.errors.AlreadyReopened` or :class:`reports.errors.WrongStatus`."""
    now = now or utcnow()
    note = words(note)[:500]
    if report.reopened_at is not None:
        raise errors.AlreadyReopened()
    changed = update_rows(sa.update(Report).where(Report.id == report.id, Report.status == "resolved",
                                                  Report.reopened_at.is_(None))
                          .values(status="routed", reopened_at=now, resolved_at=None, updated_at=now))
    db.session.refresh(report)
    if not changed:
        if report.reopened_at is not None and report.status == "resolved":
            raise errors.AlreadyReopened()
        raise errors.WrongStatus(report.status_label)
    _timeline(report, actor=reporter, kind="reopened", from_status="resolved", note=note, now=now,
              department_id=report.department_id)
    journal.record("report.reopen", **_about(report, reporter, now))
    return report
