"""``task_reminder``: confirmed riders hear shortly before their task starts (run by ``flask notify remind``)."""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from extensions import db
from notifications.reminders import register_reminder
from notifications.services import notify
from volunteer.models import Signup, Task
from volunteer.notices import task_link


@register_reminder
def remind_riders_of_tasks(*, now: datetime) -> int:
    """Remind each confirmed rider of an open task that starts within ``NOTIFY_REMIND_BEFORE_MINUTES`` of ``now``
    (aware UTC) and has not started, once per sign-up and start time (dedupe key
    ``remind:<signup id>:<start, Unix seconds>``, so two runs at once write one reminder, and a task moved
    to another time is reminded of again before its new start); return how many were written."""
    before = timedelta(minutes=current_app.config["NOTIFY_REMIND_BEFORE_MINUTES"])
    rows = db.session.execute(
        sa.select(Signup.id, Signup.rider_id, Task).join(Task, Task.id == Signup.task_id)
        .where(Signup.status == "confirmed", Task.status == "open", Task.starts_at > now,
               Task.starts_at <= now + before)
        .order_by(Task.starts_at, Signup.id)).all()
    written = 0
    for signup_id, rider_id, task in rows:
        if notify(user_id=rider_id, kind="task_reminder", dedupe_key=reminder_key(signup_id, task), now=now,
                  link=task_link(task), params={"title": task.title, "starts_at": task.starts_at,
                                                "place": task.place}) is not None:
            written += 1
    return written


def reminder_key(signup_id: int, task: Task) -> str:
    """The dedupe key of the reminder of a sign-up for the task's current start."""
    return f"remind:{signup_id}:{int(task.starts_at.timestamp())}"
