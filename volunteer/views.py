"""Riders' pages: upcoming tasks, a task, signing up and cancelling, my tasks."""

from flask import Blueprint, abort, make_response, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounts.queries import organisations
from core.errors import DomainError
from core.geo import distance_m
from core.timeutil import utcnow
from core.web import refusal, role_required, wants_fragment, widget_or_redirect
from extensions import db
from volunteer import queries, services
from volunteer.listing import TaskFilters
from volunteer.models import CATEGORY_LABELS, Signup, Task

bp = Blueprint("volunteer", __name__)
TASKS_PER_PAGE = 20  # a phone screen's worth of cards keeps the page small on patchy mobile data


def my_signups(task_ids) -> dict[int, Signup]:
    """The current rider's sign-ups for these tasks, by task id (empty for anyone else)."""
    if not current_user.is_authenticated or not current_user.is_rider:
        return {}
    return queries.signups_by_task(rider_id=current_user.id, task_ids=task_ids)


@bp.get("/tasks")
def task_list():
    """Upcoming open tasks, soonest first (or nearest first with ``near=1``), filtered (see volunteer.listing)."""
    filters = TaskFilters.from_args(request.args)
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), 1000)
    found = queries.upcoming_tasks(now=utcnow(), offset=(page - 1) * TASKS_PER_PAGE, limit=TASKS_PER_PAGE + 1,
                                   **filters.search())
    tasks = found[:TASKS_PER_PAGE]
    context = {"tasks": tasks, "signups": my_signups(t.id for t in tasks), "filters": filters,
               "distances": distances_from(filters.position, tasks) if filters.near else {},
               "page": page, "has_more": len(found) > TASKS_PER_PAGE}
    if wants_fragment() and request.htmx.target == "task-rows":
        response = make_response(render_template("volunteer/_task_rows.html", **context))
    else:
        response = make_response(render_template("volunteer/task_list.html", organisations=organisations(),
                                                 categories=CATEGORY_LABELS, **context))
    response.vary.add("HX-Request")
    return response


def distances_from(position: tuple[float, float] | None, tasks) -> dict[int, float]:
    """Metres from ``position`` to each task that has coordinates, by task id (empty without a position)."""
    if position is None:
        return {}
    return {task.id: distance_m(*position, task.latitude, task.longitude) for task in tasks
            if task.latitude is not None and task.longitude is not None}


def position_of(signup: Signup | None) -> int | None:
    """The rider's place in the waitlist (1-based), or ``None`` when not waitlisted."""
    return queries.waitlist_position(signup) if signup is not None and signup.status == "waitlisted" else None


@bp.get("/tasks/<int:task_id>")
def task_detail(task_id: int):
    task = db.get_or_404(Task, task_id)
    signup = my_signups([task.id]).get(task.id)
    return render_template("volunteer/task_detail.html", task=task, signup=signup, now=utcnow(),
                           position=position_of(signup))


def _signup_widget(task: Task, signup: Signup | None, *, message=None, category="success", status=200):
    next_url = url_for("volunteer.task_detail", task_id=task.id)
    return widget_or_redirect("volunteer/_signup.html", next_url, message=message, category=category,
                              status=status, task=task, signup=signup, now=utcnow(), position=position_of(signup))


def _refusal(task_id: int, error: DomainError):
    """The sign-up widget (htmx) or the task page (plain form) with the refusal, after a rollback."""
    db.session.rollback()
    task = db.get_or_404(Task, task_id)
    signup = my_signups([task.id]).get(task.id)
    if wants_fragment():
        return refusal(error, "volunteer/_signup.html", url_for("volunteer.task_detail", task_id=task.id), task=task,
                       signup=signup, now=utcnow(), position=position_of(signup))
    return render_template("volunteer/task_detail.html", task=task, signup=signup, now=utcnow(),
                           position=position_of(signup), error=error.message), error.status


@bp.post("/tasks/<int:task_id>/signup")
@role_required("rider")
def sign_up(task_id: int):
    """Sign up (or, with ``waitlist=1``, join the waitlist); the widget shows the result in place."""
    task = db.get_or_404(Task, task_id)
    try:
        signup = services.sign_up(task=task, rider=current_user, join_waitlist=request.form.get("waitlist") == "1")
    except DomainError as error:
        return _refusal(task_id, error)
    db.session.commit()
    message = (_("You are signed up. See you there!") if signup.status == "confirmed"
               else _("You are on the waitlist, number %(n)d.", n=queries.waitlist_position(signup)))
    return _signup_widget(task, signup, message=message)


@bp.post("/tasks/<int:task_id>/cancel")
@role_required("rider")
def cancel_signup(task_id: int):
    """Cancel my sign-up; a freed place goes to the first on the waitlist."""
    task = db.get_or_404(Task, task_id)
    signup = my_signups([task.id]).get(task.id)
    if signup is None:
        abort(404)
    try:
        signup = services.cancel_signup(signup=signup, rider=current_user)
    except DomainError as error:
        return _refusal(task_id, error)
    db.session.commit()
    return _signup_widget(task, signup, message=_("Your sign-up is cancelled."))


@bp.get("/my/tasks")
@role_required("rider")
def my_tasks():
    """The rider's sign-ups: upcoming first, then past; cancelled tasks are flagged."""
    signups = queries.signups_of_rider(current_user.id)
    now = utcnow()
    upcoming = sorted((s for s in signups if s.task.ends_at > now), key=lambda s: s.task.starts_at)
    past = [s for s in signups if s.task.ends_at <= now]
    return render_template("volunteer/my_tasks.html", upcoming=upcoming, past=past, now=now)
