"""Coordinators rate a rider's service on an attended task (good, fair, poor, optional note) from the task's
attendance rows; every page can show the rating in force of a sign-up (``service_rating(signup)``)."""

from flask import g, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.errors import DomainError
from core.web import form_text, role_required, widget_or_redirect
from extensions import db
from volunteer import ratings
from volunteer.coordinate import _refused, bp, get_managed_signup_or_403, signups_context
from volunteer.models import Signup
from volunteer.rating_models import NOTE_MAX, RATING_LABELS, RATINGS, ServiceRating

ROW = "volunteer/coordinate/_attendance_row.html"


def service_rating(signup: Signup) -> ServiceRating | None:
    """The rating in force of an attended ``signup`` (``None`` when not rated or not attended), for templates.

    The first call of a request loads the ratings of the sign-up's task and of its rider in one query, so a
    task's attendance rows and a rider's list of tasks each cost one query, however long."""
    if signup.status != "attended":
        return None
    cache = g.setdefault("service_ratings", {"tasks": set(), "riders": set(), "by_signup": {}})
    if signup.task_id not in cache["tasks"] and signup.rider_id not in cache["riders"]:
        cache["by_signup"].update(ratings.ratings_for(task_ids=[signup.task_id], rider_ids=[signup.rider_id]))
        cache["tasks"].add(signup.task_id)
        cache["riders"].add(signup.rider_id)
    return cache["by_signup"].get(signup.id)


@bp.app_context_processor
def rating_helpers() -> dict:
    """What templates use to show ratings: the rating in force of a sign-up, when rating closes, the labels."""
    return {"service_rating": service_rating, "rating_open": ratings.rating_open,
            "rating_closes_at": ratings.rating_closes_at, "rating_choices": [(r, RATING_LABELS[r]) for r in RATINGS],
            "rating_note_max": NOTE_MAX}


def _seen() -> int | None:
    """The id of the rating the coordinator saw (``seen``; empty: none yet, junk: one that cannot be current)."""
    value = request.form.get("seen", "").strip()
    if not value:
        return None
    return int(value) if value.isdigit() and len(value) < 10 else -1


@bp.post("/signups/<int:signup_id>/rating")
@role_required("coordinator")
def rate_service(signup_id: int):
    """Rate the service of an attended rider (``rating``: good, fair or poor; optional ``note``), or change the
    rating in force (``seen``: the id of the rating the page showed); the attendance row updates."""
    signup = get_managed_signup_or_403(signup_id)
    task = signup.task
    rating, note = request.form.get("rating", ""), form_text("note")
    try:
        rated = ratings.rate_service(signup=signup, rating=rating, note=note, actor=current_user, seen=_seen())
    except DomainError as error:
        g.pop("service_ratings", None)
        return _refused(error, signup_id, ROW, {"signup_id": signup_id, "action": "rate", "note": note})
    db.session.commit()
    g.pop("service_ratings", None)
    message = _("%(name)s's service rated: %(rating)s.", name=signup.rider.name, rating=rated.label)
    return widget_or_redirect(ROW, url_for("volunteer_coordinate.task_detail", task_id=task.id), message=message,
                              **signups_context(task, signup=signup))
