"""Places: taking and freeing a task's places and one booking per rider at a time (freed places go to the
waitlist through holds: :mod:`volunteer.holds`).

The database decides, never a Python check alone. A place is a conditional UPDATE of ``task.taken``
(CHECK ``taken <= places``). Every change of a task's sign-ups writes the task row first
(:func:`lock_task`), and every change of a rider's bookings then writes the rider's row
(:func:`lock_rider`): a row lock on PostgreSQL, the write lock on SQLite. Under both locks the overlap
check below reads what no other transaction can change until this one ends. Locks are always taken in
the order task, then rider, so two transactions never wait for each other in a circle.
"""

from datetime import datetime

import sqlalchemy as sa

from accounts.models import User
from core.db import update_rows
from extensions import db
from volunteer.errors import OverlappingTask
from volunteer.models import Signup, Task

BOOKED = ("confirmed", "attended")  # sign-ups that hold the rider's time (a no-show's time is free again)


def lock_task(task_id: int) -> None:
    """Write the task row first, so changes of its sign-ups run one after another."""
    update_rows(sa.update(Task).where(Task.id == task_id).values(taken=Task.taken))


def lock_rider(rider_id: int) -> None:
    """Write the rider's row, so two bookings of one rider (on any tasks) run one after another."""
    update_rows(sa.update(User).where(User.id == rider_id).values(session_version=User.session_version))


def take_place(task_id: int, now: datetime) -> bool:
    """Take one place of an open task that has not started (aware UTC ``now``); False when none is left."""
    return bool(update_rows(
        sa.update(Task)
        .where(Task.id == task_id, Task.status == "open", Task.starts_at > now, Task.taken < Task.places)
        .values(taken=Task.taken + 1)
    ))


def free_place(task_id: int) -> None:
    """Give one place of the task back (its holder cancelled, declined, was removed or let a hold lapse)."""
    update_rows(sa.update(Task).where(Task.id == task_id).values(taken=Task.taken - 1))


def overlapping_booking(*, rider_id: int, task: Task) -> Signup | None:
    """The rider's confirmed (or attended) sign-up on another open task whose time overlaps ``task``'s,
    earliest first; ``None`` when the rider is free. Run it after :func:`lock_rider`."""
    return db.session.scalar(
        sa.select(Signup).join(Task, Task.id == Signup.task_id)
        .where(Signup.rider_id == rider_id, Signup.status.in_(BOOKED), Signup.task_id != task.id,
               Task.status == "open", Task.starts_at < task.ends_at, Task.ends_at > task.starts_at)
        .order_by(Task.starts_at, Task.id).limit(1))


def overlapping_hold(*, rider_id: int, task: Task) -> Signup | None:
    """The rider's place held (``offered``) on another open task whose time overlaps ``task``'s; ``None``
    when none. Run it after :func:`lock_rider`."""
    return db.session.scalar(
        sa.select(Signup).join(Task, Task.id == Signup.task_id)
        .where(Signup.rider_id == rider_id, Signup.status == "offered", Signup.task_id != task.id,
               Task.status == "open", Task.starts_at < task.ends_at, Task.ends_at > task.starts_at)
        .order_by(Task.starts_at, Task.id).limit(1))


def check_free(*, rider_id: int, task: Task, offers_too: bool = False) -> None:
    """Lock the rider and refuse when they are booked on an overlapping task, or (``offers_too``: a new
    sign-up) hold a place offered on one: they could take only one of the two, and the held place would
    wait for nobody until the hold ends.

    Raises :class:`OverlappingTask`, whose message names the other task and its time.
    """
    lock_rider(rider_id)
    other = overlapping_booking(rider_id=rider_id, task=task)
    if other is not None:
        raise OverlappingTask(other.task)
    held = overlapping_hold(rider_id=rider_id, task=task) if offers_too else None
    if held is not None:
        raise OverlappingTask(held.task, held=True)


def can_take_place(rider_id: int, task: Task) -> bool:
    """Lock the waiting rider; True when they are still active, free at the task's time and not already
    holding a place offered at that time (who may be offered a freed place: :mod:`volunteer.holds`). A
    rider can accept only one of two overlapping offers, so a second would keep a place from the next
    rider for nothing."""
    lock_rider(rider_id)
    active = db.session.scalar(sa.select(User.active & User.deleted_at.is_(None)).where(User.id == rider_id))
    return (bool(active) and overlapping_booking(rider_id=rider_id, task=task) is None
            and overlapping_hold(rider_id=rider_id, task=task) is None)
