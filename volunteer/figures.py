"""The dashboard's figures of tasks, sign-ups and attendance (oversight/dashboard_figures.py reads them).

Every function takes ``organisation_id`` (``None``: the whole programme; else the tasks of that
organisation and their sign-ups) and a period ``[start, end)`` of aware UTC datetimes (local days turned
into UTC by the caller). They only read, and agree on SQLite and PostgreSQL. Definitions:

- a task is *held* in the period when it is not cancelled and starts in it;
- a *sign-up* is made in the period when its ``queued_at`` (the moment the rider signed up, or signed up
  again after cancelling) falls in it, whatever its status now;
- *attendance* counts the sign-ups marked ``attended`` and ``no_show`` of tasks starting in the period;
- *verified minutes* are those of attended sign-ups checked in and out with the task's codes
  (:data:`volunteer.queries.VERIFIED`), of tasks starting in the period.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from extensions import db
from volunteer.models import Signup, Task
from volunteer.queries import VERIFIED


def _tasks(organisation_id: int | None, start: datetime, end: datetime) -> list:
    """Conditions on :class:`Task`: of the organisation (any when ``None``), starting in ``[start, end)``."""
    conditions = [Task.starts_at >= start, Task.starts_at < end]
    if organisation_id is not None:
        conditions.append(Task.organisation_id == organisation_id)
    return conditions


def tasks_held(organisation_id: int | None, start: datetime, end: datetime) -> int:
    """How many tasks (of the organisation, or all) not cancelled start in ``[start, end)``."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Task)
                             .where(Task.status != "cancelled", *_tasks(organisation_id, start, end))) or 0


def _signups_made(organisation_id: int | None, start: datetime, end: datetime) -> list:
    conditions = [Signup.queued_at >= start, Signup.queued_at < end]
    if organisation_id is not None:
        conditions.append(Signup.task_id.in_(sa.select(Task.id).where(Task.organisation_id == organisation_id)))
    return conditions


def signups_made(organisation_id: int | None, start: datetime, end: datetime) -> int:
    """How many sign-ups (for the organisation's tasks, or any) were made in ``[start, end)``, any status."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Signup)
                             .where(*_signups_made(organisation_id, start, end))) or 0


def signup_times(organisation_id: int | None, start: datetime, end: datetime) -> list[datetime]:
    """The moments (aware UTC) of the sign-ups :func:`signups_made` counts, oldest first (for a chart)."""
    return list(db.session.scalars(sa.select(Signup.queued_at).where(*_signups_made(organisation_id, start, end))
                                   .order_by(Signup.queued_at)))


@dataclass(frozen=True)
class Attendance:
    """Attendance of the tasks starting in a period: ``attended`` and ``no_show`` sign-ups; ``rate`` is
    attended ÷ (attended + no-show), a fraction from 0 to 1, ``None`` when nothing was marked."""

    attended: int
    no_show: int

    @property
    def marked(self) -> int:
        return self.attended + self.no_show

    @property
    def rate(self) -> float | None:
        return self.attended / self.marked if self.marked else None


def attendance(organisation_id: int | None, start: datetime, end: datetime) -> Attendance:
    """The :class:`Attendance` of the tasks (of the organisation, or all) starting in ``[start, end)``."""
    rows = dict(db.session.execute(
        sa.select(Signup.status, sa.func.count()).join(Task, Task.id == Signup.task_id)
        .where(Signup.status.in_(("attended", "no_show")), *_tasks(organisation_id, start, end))
        .group_by(Signup.status)).all())
    return Attendance(attended=rows.get("attended", 0), no_show=rows.get("no_show", 0))


def verified_minutes(organisation_id: int | None, start: datetime, end: datetime) -> int:
    """Verified minutes of service (whole minutes) of tasks (of the organisation, or all) starting in
    ``[start, end)``."""
    total = db.session.scalar(sa.select(sa.func.sum(Signup.verified_minutes)).join(Task, Task.id == Signup.task_id)
                              .where(VERIFIED, *_tasks(organisation_id, start, end)))
    return int(total or 0)


def verified_minutes_by_start(organisation_id: int | None, start: datetime,
                              end: datetime) -> list[tuple[datetime, int]]:
    """``(task start, verified minutes)`` of each verified sign-up :func:`verified_minutes` adds up, oldest
    first (for a chart)."""
    rows = db.session.execute(sa.select(Task.starts_at, Signup.verified_minutes).join(Task, Task.id == Signup.task_id)
                              .where(VERIFIED, *_tasks(organisation_id, start, end)).order_by(Task.starts_at))
    return [(starts_at, int(minutes)) for starts_at, minutes in rows]


def attending_riders(organisation_id: int | None, start: datetime, end: datetime) -> set[int]:
    """The riders with a sign-up marked attended for a task (of the organisation, or any) starting in
    ``[start, end)``: one part of the dashboard's "riders active"."""
    return set(db.session.scalars(sa.select(Signup.rider_id).join(Task, Task.id == Signup.task_id)
                                  .where(Signup.status == "attended", *_tasks(organisation_id, start, end))
                                  .distinct()))
