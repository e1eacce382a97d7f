"""Holds: a freed place offered to one waiting rider until a time, then accepted, declined or lapsed.

When a place of a task frees up (a cancellation, a removal, a deactivation, more places), the first eligible
rider of the waitlist (arrival order; riders deactivated or deleted, booked on an overlapping task or holding
a place offered on one, are passed over and keep waiting) is *offered* it: status ``offered`` until
``hold_until``. The held place counts in ``task.taken`` (DESIGN invariant 8), so nobody else can take it. The
rider accepts it (``confirmed``) while the hold lasts, or declines (the sign-up is cancelled); a hold that ends
unanswered *lapses*: the rider goes to the back of the waitlist and the place is offered to the next. Lapsing
happens lazily (whoever reads or changes the task next) and from cron (``flask signups expire-holds``), which
also offers places left free while every waiting rider was passed over, once one of them is free again.

Every function that changes sign-ups runs under the task's lock (:func:`volunteer.places.lock_task`, taken
by the caller or here), and every change is a conditional UPDATE whose row count is checked, so a place is
never held for two riders and never lost. ``SIGNUP_HOLD_MINUTES = 0`` switches holds off: the first
eligible rider is then confirmed at once, as before holds existed.
"""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from core.db import update_rows
from core.timeutil import iso_datetime, utcnow
from extensions import db
from notifications.services import notify
from volunteer.models import Signup, Task
from volunteer.places import can_take_place, free_place, lock_task

HOLD_FLOOR = timedelta(minutes=2)  # a shorter hold is no use to anyone: then no offer (the task is about to start)
HOLD_SHARE = 3  # a hold lasts at most a third of the time left before the task starts
URGENT_WITHIN = timedelta(hours=1)  # an offer for a task starting this soon is sent as urgent


def hold_minutes() -> int:
    """The configured hold (``SIGNUP_HOLD_MINUTES``, minutes); 0 or less means no holds."""
    return int(current_app.config.get("SIGNUP_HOLD_MINUTES", 15))


def hold_until_for(task: Task, now: datetime) -> datetime | None:
    """When a hold offered at ``now`` (aware UTC) ends, as aware UTC; ``None`` when no offer is made.

    The hold lasts ``SIGNUP_HOLD_MINUTES``, but at most a third of the time left before the task starts (so
    it always ends before the start), rounded down to the whole minute (the rider reads "until 14:35" and
    14:35 is exact). When that leaves less than :data:`HOLD_FLOOR`, no offer is made: the task is about to
    start (or has started).
    """
    hold = min(timedelta(minutes=hold_minutes()), (task.starts_at - now) / HOLD_SHARE)
    until = (now + hold).replace(second=0, microsecond=0)
    return until if until - now >= HOLD_FLOOR else None


def lapse_holds(task_id: int, now: datetime) -> list[int]:
    """End the task's holds whose time is over (``hold_until <= now``): each rider goes to the back of the
    waitlist (``queued_at = now``) and the place is freed. Returns the lapsed riders' ids, in the order their
    holds ended. The caller holds the task's lock."""
    due = db.session.execute(
        sa.select(Signup.id, Signup.rider_id)
        .where(Signup.task_id == task_id, Signup.status == "offered", Signup.hold_until <= now)
        .order_by(Signup.hold_until, Signup.id)).all()
    lapsed = []
    for signup_id, rider_id in due:
        if update_rows(sa.update(Signup)
                       .where(Signup.id == signup_id, Signup.status == "offered", Signup.hold_until <= now)
                       .values(status="waitlisted", hold_until=None, queued_at=now)):
            free_place(task_id)
            lapsed.append(rider_id)
    return lapsed


def end_holds(task_id: int) -> int:
    """The task was cancelled: every hold ends at once (the riders are waiting again, no offers follow) and
    the held places leave ``taken``. Returns how many holds ended. The caller holds the task's lock."""
    ended = update_rows(sa.update(Signup).where(Signup.task_id == task_id, Signup.status == "offered")
                        .values(status="waitlisted", hold_until=None))
    if ended:
        update_rows(sa.update(Task).where(Task.id == task_id).values(taken=Task.taken - ended))
    return ended


def shorten_holds(task_id: int, now: datetime) -> list[Signup]:
    """The task's time changed: a hold never outlasts what :func:`hold_until_for` allows for the new start
    (a third of the time left), so it still ends before the task starts. Holds ending later are brought
    forward (to ``now`` when the task is about to start: they lapse on the next step) and each rider is told
    the new time. Returns the shortened sign-ups. The caller holds the task's lock."""
    task = db.session.get(Task, task_id)
    db.session.refresh(task)
    limit = hold_until_for(task, now) or now
    late = list(db.session.scalars(sa.select(Signup).where(
        Signup.task_id == task_id, Signup.status == "offered", Signup.hold_until > limit).order_by(Signup.id)))
    shortened = []
    for signup in late:
        if update_rows(sa.update(Signup).where(Signup.id == signup.id, Signup.status == "offered",
                                               Signup.hold_until > limit).values(hold_until=limit)):
            db.session.refresh(signup)
            shortened.append(signup)
            if limit > now:
                _tell(signup, task, now)
    return shortened


def _free_places(task_id: int) -> int:
    return db.session.scalar(sa.select(Task.places - Task.taken).where(Task.id == task_id))


def offer_freed_places(task_id: int, now: datetime | None = None, *, lapsed_only: bool = False) -> list[Signup]:
    """Lapse the task's ended holds, then offer each free place to the next eligible waiting rider.

    Riders are taken in arrival order (``queued_at``, ``id``); one deactivated or deleted, or booked on an
    overlapping task, is passed over and keeps waiting, and a rider whose hold lapsed in this same call is
    not offered the place again (if only they remain, the place stays free until the next change or run).
    Each offer holds the place until :func:`hold_until_for`; with ``SIGNUP_HOLD_MINUTES = 0`` the rider is
    confirmed at once instead. A cancelled task gets no offers, nor one about to start. Each rider is told
    (inbox and SMS) in the same transaction. With ``lapsed_only`` (an action that freed no place itself: a
    sign-up, leaving the waitlist, an accept) places are offered only when a hold lapsed here. Returns the
    sign-ups offered (or confirmed), in queue order. The caller holds the task's lock.
    """
    now = now or utcnow()
    passed_over = set(lapse_holds(task_id, now))
    if (lapsed_only and not passed_over) or _free_places(task_id) <= 0:
        return []
    task = db.session.get(Task, task_id)
    db.session.refresh(task)
    if task.is_cancelled:
        return []
    holds = hold_minutes() > 0
    until = hold_until_for(task, now) if holds else None
    if holds and until is None:
        return []
    waiting = db.session.execute(
        sa.select(Signup.id, Signup.rider_id).where(Signup.task_id == task_id, Signup.status == "waitlisted")
        .order_by(Signup.queued_at, Signup.id)).all()
    new_status = {"status": "offered", "hold_until": until, "offered_at": now} if holds else {"status": "confirmed"}
    chosen = []
    for signup_id, rider_id in waiting:
        if _free_places(task_id) <= 0:
            break
        if rider_id in passed_over or not can_take_place(rider_id, task):
            continue
        if not update_rows(sa.update(Task).where(Task.id == task_id, Task.taken < Task.places)
                           .values(taken=Task.taken + 1)):
            break
        if update_rows(sa.update(Signup).where(Signup.id == signup_id, Signup.status == "waitlisted")
                       .values(**new_status)):
            chosen.append(signup_id)
        else:  # left the queue a moment ago: give the place back and try the next
            free_place(task_id)
    signups = [db.session.get(Signup, signup_id) for signup_id in chosen]
    for signup in signups:
        db.session.refresh(signup)
        _tell(signup, task, now)
    return signups


def promote_waitlist(task_id: int) -> int:
    """The name this step had before holds: :func:`offer_freed_places` now; returns how many riders it chose."""
    return len(offer_freed_places(task_id))


def _tell(signup: Signup, task: Task, now: datetime) -> None:
    """Tell the rider of their offer (or, without holds, their place): inbox and SMS, in this transaction.
    An offer for a task starting within the hour is urgent (its SMS may break quiet hours)."""
    params = {"title": task.title, "starts_at": task.starts_at}
    if signup.status == "offered":
        notify(user_id=signup.rider_id, kind="place_offered", params={**params, "hold_until": signup.hold_until},
               link=f"/tasks/{task.id}", dedupe_key=f"offer:{signup.id}:{iso_datetime(signup.hold_until)}",
               urgent=task.starts_at - now <= URGENT_WITHIN, now=now)
    else:
        notify(user_id=signup.rider_id, kind="promoted", params=params, link=f"/tasks/{task.id}", now=now)


def expire_holds(task_id: int, now: datetime | None = None) -> tuple[int, int]:
    """Lock the task, lapse its ended holds and offer the freed places; returns (holds lapsed, offers made)."""
    now = now or utcnow()
    lock_task(task_id)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Signup)
                               .where(Signup.task_id == task_id, Signup.status == "offered", Signup.hold_until <= now))
    offered = offer_freed_places(task_id, now, lapsed_only=True)
    return before, len(offered)


def tasks_with_ended_holds(now: datetime, *, task_ids=None, rider_id: int | None = None, limit: int = 500) -> list[int]:
    """Ids of tasks with a hold whose time is over (``hold_until <= now``), optionally only among ``task_ids``
    or the tasks where ``rider_id`` holds one; at most ``limit``."""
    query = sa.select(Signup.task_id).where(Signup.status == "offered", Signup.hold_until <= now)
    if task_ids is not None:
        query = query.where(Signup.task_id.in_(list(task_ids)))
    if rider_id is not None:
        query = query.where(Signup.rider_id == rider_id)
    return list(db.session.scalars(query.distinct().order_by(Signup.task_id).limit(limit)))


def tasks_with_free_places_and_waitlist(now: datetime, *, limit: int = 500) -> list[int]:
    """Ids of open tasks not yet started with a free place and a rider waiting: the waiting riders were all
    passed over (busy at the same time, or their hold lapsed) when the place freed up, and one may be free
    now (they declined or cancelled elsewhere); not those about to start, which get no offers. At most
    ``limit``, soonest first."""
    waiting = sa.select(Signup.id).where(Signup.task_id == Task.id, Signup.status == "waitlisted").exists()
    return list(db.session.scalars(
        sa.select(Task.id).where(Task.status == "open", Task.starts_at > now + HOLD_FLOOR * HOLD_SHARE,  # offers
                                 Task.taken < Task.places, waiting)  # are still made (hold_until_for)
        .order_by(Task.starts_at, Task.id).limit(limit)))


def offer_free_places(task_id: int, now: datetime | None = None) -> int:
    """Lock the task and offer its free places to the next eligible waiting riders (see
    :func:`offer_freed_places`); returns how many offers were made (0 while all are still busy)."""
    lock_task(task_id)
    return len(offer_freed_places(task_id, now or utcnow()))


def refresh_holds(*, task_ids=None, rider_id: int | None = None, now: datetime | None = None) -> bool:
    """Lazy expiry for a page about to be shown: lapse the ended holds of these tasks (or of the rider's
    holds) and offer the freed places. One cheap read when nothing is due; True when something changed
    (the caller commits)."""
    now = now or utcnow()
    due = tasks_with_ended_holds(now, task_ids=task_ids, rider_id=rider_id)
    for task_id in due:
        expire_holds(task_id, now)
    return bool(due)
