"""Attendance: marking riders attended (which awards points) or no-show, corrections, and bulk marking.

An activity with 0 points records the attendance only: no ledger entry is written or taken back.

Attendance is open from an hour before a task starts until ``ATTENDANCE_CORRECTION_WINDOW`` (7 days by
default, env ``ATTENDANCE_CORRECTION_DAYS``) after it ends. Until then a coordinator may correct a marked
attendance (attended ↔ no-show) with a reason: taking points back is one new ``reversal`` ledger entry
that names the award, and marking attended again is one new award that names the reversal (unique keys,
so a double tap moves points once). Nothing is edited or deleted in the ledger; each correction is
journalled, and :data:`core.events.service_changed` is sent in the same transaction (recognition re-reads
the rider's level). Functions flush, never commit, and raise a :class:`core.errors.DomainError`.
"""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from accounts import journal
from accounts.models import User
from core import events
from core.db import update_rows
from core.timeutil import localtime, utcnow
from extensions import db
from points import ledger
from points.errors import InsufficientPoints
from volunteer import notices
from volunteer.errors import AttendanceNotAllowed, CorrectionNeedsReason, ReasonRequired, SignupsChanged
from volunteer.models import Signup, Task
from volunteer.places import lock_task

ATTENDANCE_OPENS_BEFORE = timedelta(hours=1)  # check-in may start an hour before the task
REASON_MAX = 90  # characters; "<task title> · <reason>" fits the ledger's 200-character reason
journal.describe({"attendance.correct": _l("Attendance corrected")}, status=_l("Status"))


def correction_window() -> timedelta:
    """How long after a task's end its attendance may still be marked or corrected (the app's config)."""
    return current_app.config["ATTENDANCE_CORRECTION_WINDOW"]


def attendance_opens_at(task: Task) -> datetime:
    """When marking attendance opens: an hour before the start (aware UTC)."""
    return task.starts_at - ATTENDANCE_OPENS_BEFORE


def attendance_closes_at(task: Task) -> datetime:
    """When marking and correcting attendance closes: the correction window after the end (aware UTC)."""
    return task.ends_at + correction_window()


def attendance_open(task: Task, now: datetime | None = None) -> bool:
    """True while attendance of the (not cancelled) task may be marked or corrected at ``now`` (aware UTC)."""
    now = now or utcnow()
    return not task.is_cancelled and attendance_opens_at(task) <= now <= attendance_closes_at(task)


def check_attendance_open(task: Task, now: datetime) -> None:
    """Raise :class:`AttendanceNotAllowed` with the reason (cancelled, not open yet, closed) unless open."""
    if task.is_cancelled:
        raise AttendanceNotAllowed(_l("The task was cancelled."))
    if now < attendance_opens_at(task):
        raise AttendanceNotAllowed(_l("Attendance opens at %(time)s.",
                                      time=localtime(attendance_opens_at(task), "short")))
    if now > attendance_closes_at(task):
        raise AttendanceNotAllowed(_l("Attendance closed at %(time)s and can no longer be changed.",
                                      time=localtime(attendance_closes_at(task), "short")))


def _set_status(signup: Signup, before: str, after: str, actor: User, now: datetime, method: str) -> bool:
    return bool(update_rows(sa.update(Signup).where(Signup.id == signup.id, Signup.status == before)
                            .values(status=after, marked_at=now, marked_by_id=actor.id, attendance_method=method)))


def _award(signup: Signup, task: Task, actor: User, now: datetime, reason: str) -> None:
    if not task.points:  # an activity without points: the attendance is the whole record, no ledger entry
        return
    ledger.award_for_signup(rider_id=signup.rider_id, signup_id=signup.id, points=task.points,
                            reason=reason or task.title, actor=actor, now=now)
    journal.record("points.award", actor=actor, subject=f"task:{task.id}", rider_id=signup.rider_id,
                   organisation_id=task.organisation_id, now=now, points=task.points, title=task.title)
    notices.tell_attendance(signup, task, attended=True, reason="", now=now)


def _correct(signup: Signup, task: Task, attended: bool, reason: str, actor: User, now: datetime) -> None:
    """Move the points of a corrected attendance with one linked ledger entry and journal the correction."""
    note = f"{task.title} · {reason}"  # as a cancelled voucher's refund line: reads in both languages
    if not task.points:  # an activity without points: no entry to write or take back
        journal.record("attendance.correct", actor=actor, subject=f"task:{task.id}", rider_id=signup.rider_id,
                       organisation_id=task.organisation_id, now=now, title=task.title, reason=reason,
                       status="attended" if attended else "no_show", points=0)
        return
    if attended:
        entry = ledger.restore_award(signup_id=signup.id, reason=note, actor=actor, now=now)
        if entry is None:  # a no-show that never earned anything: the first award
            ledger.award_for_signup(rider_id=signup.rider_id, signup_id=signup.id, points=task.points,
                                    reason=note, actor=actor, now=now)
    else:
        try:
            ledger.reverse_award(signup_id=signup.id, reason=note, actor=actor, now=now)
        except InsufficientPoints:
            raise AttendanceNotAllowed(_l("The rider has already spent these points, so they cannot be taken "
                                          "back. Correct the balance with an adjustment instead.")) from None
    journal.record("attendance.correct", actor=actor, subject=f"task:{task.id}", rider_id=signup.rider_id,
                   organisation_id=task.organisation_id, now=now, title=task.title, reason=reason,
                   status="attended" if attended else "no_show",
                   points=task.points if attended else -task.points)
    notices.tell_attendance(signup, task, attended=attended, reason=reason, now=now)


def mark_attendance(*, signup: Signup, attended: bool, actor: User, reason: str = "", method: str = "manual",
                    now: datetime | None = None) -> Signup:
    """Mark a rider attended (awarding the task's points once) or a no-show, or correct a marked attendance.

    A confirmed rider is marked without a reason. Changing a marked attendance (attended → no-show, which
    takes the points back, or no-show → attended) needs the coordinator's ``reason`` (at most
    :data:`REASON_MAX` characters), shown in the rider's wallet. Marking the status a sign-up already has
    changes nothing (a double tap). ``method`` records how: ``manual`` (a coordinator marked it) or
    ``verified`` (the rider checked in with the task's code, :mod:`volunteer.checkin`). Raises
    :class:`AttendanceNotAllowed` outside the attendance window, for cancelled tasks and for sign-ups
    without a place, or when the rider spent the points to take back;
    :class:`CorrectionNeedsReason` for a correction without a reason and :class:`ReasonRequired` for a
    reason that is too long.
    """
    now = now or utcnow()
    task = signup.task
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise ReasonRequired(_l("The reason can have at most %(n)d characters.", n=REASON_MAX))
    check_attendance_open(task, now)
    db.session.refresh(signup)
    before, after = signup.status, ("attended" if attended else "no_show")
    if before == after:
        return signup
    if before not in ("confirmed", "attended", "no_show"):
        raise AttendanceNotAllowed()
    if before != "confirmed" and not reason:
        raise CorrectionNeedsReason()
    if _set_status(signup, before, after, actor, now, method):
        if before == "confirmed":
            if attended:
                _award(signup, task, actor, now, "")
        else:
            _correct(signup, task, attended, reason, actor, now)
        events.service_changed.send(rider_id=signup.rider_id, now=now)  # recognition re-reads the level
    db.session.refresh(signup)
    if signup.status != after:  # changed by someone else a moment ago
        raise AttendanceNotAllowed(_l("Someone else changed this attendance a moment ago. Check it again."))
    return signup


def confirmed_signups(task: Task) -> list[Signup]:
    """The task's confirmed sign-ups (not yet marked), in id order: what "mark all attended" would mark."""
    return list(db.session.scalars(
        sa.select(Signup).where(Signup.task_id == task.id, Signup.status == "confirmed").order_by(Signup.id)))


def mark_all_attended(*, task: Task, actor: User, expected: set[int] | None = None,
                      now: datetime | None = None) -> int:
    """Mark every confirmed rider of the task attended; return how many were marked.

    ``expected`` is the set of sign-up ids the coordinator confirmed; when the confirmed riders are no
    longer exactly those, nothing is marked and :class:`SignupsChanged` is raised. Raises
    :class:`AttendanceNotAllowed` outside the attendance window.
    """
    now = now or utcnow()
    check_attendance_open(task, now)
    lock_task(task.id)
    confirmed = confirmed_signups(task)
    if expected is not None and {s.id for s in confirmed} != set(expected):
        raise SignupsChanged()
    for signup in confirmed:
        mark_attendance(signup=signup, attended=True, actor=actor, now=now)
    return len(confirmed)
