"""What riders hear about their tasks: notifications written in the transaction of the event (DESIGN.md,
invariant 9), so a refused or rolled-back change tells nobody. The services call these after the change."""

from datetime import datetime

import sqlalchemy as sa

from extensions import db
from notifications.services import notify
from volunteer.models import Signup, Task

CONCERNED = ("confirmed", "waitlisted", "offered")  # riders with a place (or one held for them) or waiting


def task_link(task: Task) -> str:
    """The rider's page of the task, where every notification about it leads."""
    return f"/tasks/{task.id}"


def concerned_riders(task_id: int) -> list[int]:
    """The ids of the riders with a place in the task or on its waitlist, in sign-up order."""
    return list(db.session.scalars(sa.select(Signup.rider_id).where(
        Signup.task_id == task_id, Signup.status.in_(CONCERNED)).order_by(Signup.queued_at, Signup.id)))


def tell_task_changed(task: Task, *, now: datetime) -> None:
    """``task_changed`` (title, start, place as they are now) to every concerned rider."""
    for rider_id in concerned_riders(task.id):
        notify(user_id=rider_id, kind="task_changed", link=task_link(task), now=now,
               params={"title": task.title, "starts_at": task.starts_at, "place": task.place})


def tell_task_cancelled(task: Task, *, now: datetime) -> None:
    """``task_cancelled`` to every concerned rider."""
    for rider_id in concerned_riders(task.id):
        notify(user_id=rider_id, kind="task_cancelled", link=task_link(task), now=now,
               params={"title": task.title, "starts_at": task.starts_at})


def tell_signup_removed(signup: Signup, task: Task, *, reason: str, now: datetime) -> None:
    """``signup_removed`` with the coordinator's reason to the removed rider."""
    notify(user_id=signup.rider_id, kind="signup_removed", link=task_link(task), now=now,
           params={"title": task.title, "reason": reason})


def tell_attendance(signup: Signup, task: Task, *, attended: bool, reason: str, now: datetime) -> None:
    """``attendance_recorded`` when the task's points were awarded, ``attendance_reversed`` (with the
    coordinator's reason) when a correction took them back. Leads to the wallet, where the points show."""
    if attended:
        notify(user_id=signup.rider_id, kind="attendance_recorded", link="/wallet", now=now,
               params={"title": task.title, "points": task.points})
    else:
        notify(user_id=signup.rider_id, kind="attendance_reversed", link="/wallet", now=now,
               params={"title": task.title, "points": task.points, "reason": reason})
