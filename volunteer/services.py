"""Use cases of tasks and sign-ups: post, change and cancel tasks; sign up, cancel, remove a rider; accept or
decline a held place.

Functions take keyword arguments and the acting user, flush but never commit, and raise a
:class:`core.errors.DomainError` (after which the caller rolls back). Places, the one-booking-at-a-time
rule live in :mod:`volunteer.places`, offering freed places to the waitlist (holds) in
:mod:`volunteer.holds`; attendance in :mod:`volunteer.attendance`.
One sign-up per rider and task is a unique key.
"""

from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from accounts import journal
from accounts.models import User
from accounts.privacy import on_close
from accounts.services import on_deactivate
from core.db import insert_ignoring_conflicts, update_rows
from core.timeutil import utcnow
from extensions import db
from volunteer import notices
from volunteer.eligibility import unmet_rules
from volunteer.errors import (
    CannotCancelSignup,
    CannotRemoveSignup,
    HoldEnded,
    InvalidTask,
    NoHeldPlace,
    NotEligible,
    PlacesBelowTaken,
    PointsLocked,
    ReasonRequired,
    RemovedFromTask,
    RulesLocked,
    TaskCancelled,
    TaskEnded,
    TaskFull,
    TaskStarted,
)
from volunteer.holds import end_holds, offer_freed_places, shorten_holds
from volunteer.models import ACTIVITY, TASK_KINDS, VOLUNTEER, Signup, Task
from volunteer.places import check_free, free_place, lock_task, take_place

REMOVAL_REASON_MAX = 200  # characters
journal.describe({"task.create": _l("Task posted"), "task.update": _l("Task changed"),
                  "task.cancel": _l("Task cancelled"),
                  "signup.release": _l("Place released (account deactivated or deleted)"),
                  "signup.remove": _l("Rider removed from the task")},
                 title=_l("Title"), places=_l("Places"), points=_l("Points"), starts_at=_l("Starts"),
                 ends_at=_l("Ends"), place=_l("Place"), description=_l("Description"), category=_l("Category"),
                 kind=_l("Kind"), rule_birth_month=_l("Born in the month it starts"), rule_trade=_l("Trade"),
                 rule_platform=_l("Platform"), rule_new_this_year=_l("Registered in the year it starts"))
RULE_FIELDS = ("rule_birth_month", "rule_trade", "rule_platform", "rule_new_this_year")
EDITABLE_FIELDS = ("title", "description", "category", "place", "latitude", "longitude",
                   "starts_at", "ends_at", "places", "points", "kind", *RULE_FIELDS)


def _kind_and_rules(fields: dict) -> dict:
    """The kind and rules of a task as stored: volunteer work keeps no rules; a platform is trimmed (blank:
    none). Raises :class:`InvalidTask` for an unknown kind or points outside what the kind allows
    (volunteer work 1 or more, an activity 0 to ``ACTIVITY_MAX_POINTS``)."""
    kind = fields.get("kind") or VOLUNTEER
    if kind not in TASK_KINDS:
        raise InvalidTask(_l("Choose volunteer work or an activity."), field="kind")
    most = current_app.config["ACTIVITY_MAX_POINTS"]
    if kind == ACTIVITY and not 0 <= fields["points"] <= most:
        raise InvalidTask(_l("An activity awards 0 to %(most)d points.", most=most), field="points")
    if kind == VOLUNTEER and fields["points"] < 1:
        raise InvalidTask(_l("Volunteer work awards at least 1 point."), field="points")
    if kind == VOLUNTEER:
        return {"kind": kind, "rule_birth_month": False, "rule_trade": None, "rule_platform": None,
                "rule_new_this_year": False}
    return {"kind": kind, "rule_birth_month": bool(fields.get("rule_birth_month")),
            "rule_trade": fields.get("rule_trade") or None,
            "rule_platform": (fields.get("rule_platform") or "").strip() or None,
            "rule_new_this_year": bool(fields.get("rule_new_this_year"))}


def _check_times(starts_at: datetime, ends_at: datetime, now: datetime) -> None:
    if starts_at <= now:
        raise InvalidTask(_l("The start must be in the future."))
    if ends_at <= starts_at:
        raise InvalidTask(_l("The end must be after the start."))


def create_task(*, actor: User, title: str, description: str, category: str, place: str,
                starts_at: datetime, ends_at: datetime, places: int, points: int,
                latitude: float | None = None, longitude: float | None = None,
                now: datetime | None = None, **kind_and_rules) -> Task:
    """Post a task for the coordinator's organisation and return it (times are aware UTC).

    ``kind_and_rules``: ``kind`` (``volunteer``, the default, or ``activity``) and an activity's rules
    (``rule_birth_month``, ``rule_trade``, ``rule_platform``, ``rule_new_this_year``; ignored for volunteer
    work). Raises :class:`InvalidTask` when the start is not in the future or the end is not after it, or
    for points the kind does not allow.
    """
    _check_times(starts_at, ends_at, now or utcnow())
    kind = _kind_and_rules({**kind_and_rules, "points": points})
    task = Task(organisation_id=actor.organisation_id, title=title.strip(), description=description.strip(),
                category=category, place=place.strip(), latitude=latitude, longitude=longitude,
                starts_at=starts_at, ends_at=ends_at, places=places, points=points, created_by_id=actor.id,
                **kind)
    db.session.add(task)
    db.session.flush()
    journal.record("task.create", actor=actor, subject=f"task:{task.id}", organisation_id=task.organisation_id,
                   title=task.title, places=places, points=points, kind=task.kind)
    return task


def update_task(*, task: Task, actor: User, now: datetime | None = None, **fields) -> Task:
    """Change a task's details; more places are offered to the waitlist (holds). A new start brings forward
    the holds that would end after what it allows (:func:`volunteer.holds.shorten_holds`).

    ``fields``: every name of :data:`EDITABLE_FIELDS` (the kind and rules may be left out: unchanged). The kind
    and the rules are locked once a rider signed up (any sign-up that was not cancelled), as points are once
    awarded.

    Raises :class:`TaskCancelled`, :class:`InvalidTask` (times, points), :class:`PlacesBelowTaken`,
    :class:`PointsLocked` or :class:`RulesLocked`.
    """
    now = now or utcnow()
    if task.is_cancelled:
        raise TaskCancelled()
    lock_task(task.id)
    db.session.refresh(task)
    fields = {"kind": task.kind, **{name: getattr(task, name) for name in RULE_FIELDS}, **fields}
    fields.update(_kind_and_rules(fields))
    if any(fields[name] != getattr(task, name) for name in ("kind", *RULE_FIELDS)) and db.session.scalar(
            sa.select(sa.func.count()).select_from(Signup)
            .where(Signup.task_id == task.id, Signup.status != "cancelled")):
        raise RulesLocked()
    if fields["starts_at"] != task.starts_at or fields["ends_at"] != task.ends_at:
        _check_times(fields["starts_at"], fields["ends_at"], now)
    if fields["places"] < task.taken:
        raise PlacesBelowTaken(task.taken)
    if fields["points"] != task.points and db.session.scalar(
            sa.select(sa.func.count()).select_from(Signup)
            .where(Signup.task_id == task.id, Signup.status == "attended")):
        raise PointsLocked()
    changed = journal.changes(task, {name: fields[name] for name in EDITABLE_FIELDS})
    for name in EDITABLE_FIELDS:
        value = fields[name]
        setattr(task, name, value.strip() if isinstance(value, str) else value)
    if changed:
        journal.record("task.update", actor=actor, subject=f"task:{task.id}", organisation_id=task.organisation_id,
                       title=task.title, changed=changed)
    db.session.flush()
    if changed.keys() & {"starts_at", "ends_at", "place"}:  # what riders plan around: the time and the place
        notices.tell_task_changed(task, now=now)
    if "starts_at" in changed:  # a hold still ends before the (new) start
        shorten_holds(task.id, now)
    offer_freed_places(task.id, now)
    db.session.refresh(task)
    return task


def cancel_task(*, task: Task, actor: User, now: datetime | None = None) -> Task:
    """Cancel a task that has not ended; its riders see it on "my tasks" and its holds end (no more offers).
    Cancelling twice changes nothing.

    Raises :class:`TaskEnded` once the task is over.
    """
    now = now or utcnow()
    if task.ends_at <= now:
        raise TaskEnded()
    if update_rows(sa.update(Task).where(Task.id == task.id, Task.status == "open")
                   .values(status="cancelled", cancelled_at=now)):
        end_holds(task.id)
        journal.record("task.cancel", actor=actor, subject=f"task:{task.id}", organisation_id=task.organisation_id,
                       title=task.title, now=now)
        notices.tell_task_cancelled(task, now=now)
    db.session.refresh(task)
    return task


def _check_open(task: Task, now: datetime) -> None:
    if task.is_cancelled:
        raise TaskCancelled()
    if task.has_started(now):
        raise TaskStarted()


def sign_up(*, task: Task, rider: User, join_waitlist: bool = False, now: datetime | None = None) -> Signup:
    """Sign the rider up and return the sign-up: confirmed while places are left, else waitlisted.

    A rider who asked for a place (``join_waitlist`` false) and finds the task full gets
    :class:`TaskFull`, so they choose the waitlist themselves. A second sign-up (a double tap)
    returns the existing one unchanged; a cancelled one is renewed at the back of the queue.
    Raises :class:`OverlappingTask` (naming the other task) when the rider holds a place (or has one
    offered) on a task whose time overlaps this one, :class:`RemovedFromTask` when the organiser removed the rider, and
    :class:`TaskCancelled` or :class:`TaskStarted`, and :class:`NotEligible` (with the unmet rules) for an
    activity whose rules the rider does not match.

    The rules are checked here only: a waitlisted rider promoted later keeps the place they queued for, since
    the rules of an activity are locked once anyone signed up and a rider's own values (trade, platform,
    registration) stay put — only a birth month set afterwards could differ, and it is the rider's own word.
    """
    clock_given = now is not None
    now = now or utcnow()
    _check_open(task, now)
    if unmet := unmet_rules(task, rider):
        raise NotEligible(unmet)
    existing = db.session.scalar(sa.select(Signup).where(Signup.task_id == task.id, Signup.rider_id == rider.id))
    if existing is not None and existing.status == "removed":
        raise RemovedFromTask()
    if existing is not None and existing.status != "cancelled":
        return existing
    lock_task(task.id)
    if not clock_given:  # the queue order is the order in which riders got the task's lock
        now = utcnow()
    db.session.refresh(task)
    _check_open(task, now)
    offer_freed_places(task.id, now, lapsed_only=True)  # an ended hold's place goes to the waitlist, not to me
    check_free(rider_id=rider.id, task=task, offers_too=True)
    status = "confirmed" if take_place(task.id, now) else "waitlisted"
    if status == "waitlisted" and not join_waitlist:
        raise TaskFull()
    if existing is None:
        signup_id = insert_ignoring_conflicts(Signup.__table__, task_id=task.id, rider_id=rider.id,
                                              status=status, queued_at=now)
        if signup_id is None:  # signed up a moment ago by the same rider: undo our place
            if status == "confirmed":
                free_place(task.id)
            signup_id = db.session.scalar(
                sa.select(Signup.id).where(Signup.task_id == task.id, Signup.rider_id == rider.id))
    else:
        renewed = update_rows(sa.update(Signup).where(Signup.id == existing.id, Signup.status == "cancelled")
                              .values(status=status, queued_at=now, marked_at=None, marked_by_id=None))
        if not renewed and status == "confirmed":
            free_place(task.id)
        signup_id = existing.id
    signup = db.session.get(Signup, signup_id)
    db.session.refresh(signup)
    db.session.refresh(task)
    return signup


def cancel_signup(*, signup: Signup, rider: User, now: datetime | None = None,
                  leaving: tuple[str, ...] = ("confirmed", "offered")) -> Signup:
    """Cancel the rider's sign-up before the task starts (or decline the place held for them); a freed place
    is offered to the next on the waitlist. ``leaving``: the place-holding statuses that may be cancelled
    (a waitlisted sign-up always may).

    Raises :class:`CannotCancelSignup` once the task has started or attendance was marked.
    """
    now = now or utcnow()
    task = signup.task
    if task.has_started(now) and not task.is_cancelled:
        raise CannotCancelSignup()
    lock_task(task.id)
    freed = any(update_rows(sa.update(Signup).where(Signup.id == signup.id, Signup.status == holding)
                            .values(status="cancelled", hold_until=None)) for holding in leaving)
    if freed:
        free_place(task.id)
    elif not update_rows(sa.update(Signup).where(Signup.id == signup.id, Signup.status == "waitlisted")
                         .values(status="cancelled")):
        db.session.refresh(signup)
        if signup.status != "cancelled":
            raise CannotCancelSignup()
    if not task.is_cancelled:
        offer_freed_places(task.id, now, lapsed_only=not freed)
    db.session.refresh(signup)
    db.session.refresh(task)
    return signup


def accept_offer(*, signup: Signup, rider: User, now: datetime | None = None) -> Signup:
    """Take the place held for the rider: ``offered`` becomes ``confirmed``, only while ``hold_until > now``.

    Accepting twice changes nothing. Raises :class:`HoldEnded` (naming the time it ended, if it has not lapsed
    yet) once the hold is over, :class:`NoHeldPlace` when no place is held for the rider,
    :class:`OverlappingTask` when the rider has since taken a place on a task at the same time,
    :class:`TaskCancelled`, and :class:`TaskStarted`.
    """
    now = now or utcnow()
    task = signup.task
    lock_task(task.id)
    db.session.refresh(task)
    db.session.refresh(signup)
    if signup.status == "confirmed":
        return signup
    if task.is_cancelled:
        raise TaskCancelled()
    if task.has_started(now):  # a hold ends before the start; this one outlived a change of time
        raise TaskStarted()
    if signup.status == "waitlisted" and signup.offered_at is not None:  # the hold lapsed a moment ago
        raise HoldEnded()
    if signup.status != "offered":
        raise NoHeldPlace()
    if signup.hold_until <= now:
        raise HoldEnded(signup.hold_until)
    check_free(rider_id=rider.id, task=task)
    if not update_rows(sa.update(Signup)
                       .where(Signup.id == signup.id, Signup.status == "offered", Signup.hold_until > now)
                       .values(status="confirmed", hold_until=None)):
        raise HoldEnded()
    offer_freed_places(task.id, now, lapsed_only=True)  # other riders' ended holds lapse on the way
    db.session.refresh(signup)
    db.session.refresh(task)
    return signup


def decline_offer(*, signup: Signup, rider: User, now: datetime | None = None) -> Signup:
    """Say no to the place held for the rider: the sign-up is cancelled (the rider leaves the task, as with
    :func:`cancel_signup`) and the place is offered to the next on the waitlist. A hold that already lapsed
    (the rider is waiting again) is declined the same way; declining twice changes nothing.

    Raises :class:`NoHeldPlace` for a rider who holds a confirmed place (they cancel it instead) or has none.
    """
    lock_task(signup.task_id)  # an Accept from another device either came first or waits for this one
    db.session.refresh(signup)
    if signup.status == "cancelled":
        return signup
    if signup.status == "confirmed":
        raise NoHeldPlace(_l("You already accepted this place. To give it up, cancel your sign-up."))
    if signup.status not in ("offered", "waitlisted"):
        raise NoHeldPlace()
    return cancel_signup(signup=signup, rider=rider, now=now, leaving=("offered",))


@on_close
@on_deactivate
def release_places(*, user: User, actor: User | None = None, now: datetime | None = None) -> int:
    """Give up ``user``'s places in tasks that have not started (called when the account is deactivated
    or deleted).

    Each confirmed, offered or waitlisted sign-up is cancelled exactly as :func:`cancel_signup` does, so a
    freed place is offered to the waitlist in arrival order; attended, no-show and past sign-ups stay as history.
    Journals each release for the task's organisation; returns how many sign-ups were cancelled.
    """
    now = now or utcnow()
    signups = db.session.scalars(
        sa.select(Signup).join(Task, Task.id == Signup.task_id)
        .where(Signup.rider_id == user.id, Signup.status.in_(("confirmed", "offered", "waitlisted")),
               Task.starts_at > now)
        .order_by(Task.starts_at, Signup.id)).all()
    for signup in signups:
        cancel_signup(signup=signup, rider=user, now=now)
        journal.record("signup.release", actor=actor, subject=f"task:{signup.task_id}", rider_id=user.id,
                       organisation_id=signup.task.organisation_id, now=now, title=signup.task.title)
    return len(signups)


def remove_signup(*, signup: Signup, reason: str, actor: User, now: datetime | None = None) -> Signup:
    """A coordinator removes a rider (confirmed, offered or waitlisted) from a task that has not started, with
    a reason.

    The sign-up becomes ``removed`` with ``removed_at``, ``removed_by_id`` and ``removal_reason`` (the rider
    sees it on "my tasks"); a freed (or held) place is offered to the next on the waitlist; the removal is
    journalled. Removing twice changes nothing. Raises :class:`ReasonRequired` (empty or longer than
    :data:`REMOVAL_REASON_MAX`), :class:`TaskCancelled`, and :class:`CannotRemoveSignup` once the task has
    started or for a sign-up without a place.
    """
    now = now or utcnow()
    task = signup.task
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    if len(reason) > REMOVAL_REASON_MAX:
        raise ReasonRequired(_l("The reason can have at most %(n)d characters.", n=REMOVAL_REASON_MAX))
    if task.is_cancelled:
        raise TaskCancelled()
    if task.has_started(now):
        raise CannotRemoveSignup(_l("The task has started: mark the rider as a no-show instead."))
    lock_task(task.id)
    db.session.refresh(signup)
    if signup.status == "removed":
        return signup
    before = signup.status
    if before not in ("confirmed", "offered", "waitlisted") or not update_rows(
            sa.update(Signup).where(Signup.id == signup.id, Signup.status == before)
            .values(status="removed", hold_until=None, removed_at=now, removed_by_id=actor.id,
                    removal_reason=reason)):
        raise CannotRemoveSignup()
    if before in ("confirmed", "offered"):
        free_place(task.id)
    offer_freed_places(task.id, now, lapsed_only=before == "waitlisted")
    journal.record("signup.remove", actor=actor, subject=f"task:{task.id}", rider_id=signup.rider_id,
                   organisation_id=task.organisation_id, now=now, title=task.title, reason=reason)
    notices.tell_signup_removed(signup, task, reason=reason, now=now)
    db.session.refresh(signup)
    db.session.refresh(task)
    return signup
