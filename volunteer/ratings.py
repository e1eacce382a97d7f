"""Service ratings: after marking a rider attended, a coordinator of the task's organisation rates the rider's
service on that task (good, fair or poor, with an optional note); the rider sees it on their tasks.

Rules (each enforced by the database, never by a read-then-write):

- Only an **attended** sign-up is rated, from the moment it is marked attended until :data:`RATING_WINDOW`
  (30 days) after the task's end. Thirty days rather than the attendance correction window (7 days): a rating
  moves no points, and a coordinator often rates a week's tasks together at the end of the month. Pages show
  that date (:func:`rating_closes_at`) instead of a button that could only be refused.
- The first rating of a sign-up is unique (a partial unique index): a double tap with the same values
  changes nothing; of two coordinators rating at once one wins and the other is told.
- Changing a rating is a new row naming the one in force in ``replaces_id`` (unique: a rating is replaced
  at most once). The form carries the rating the coordinator saw (``seen``); when someone changed it
  meanwhile, the change is refused with "someone changed it a moment ago" rather than overwriting theirs.

Every rating and change is journalled (``rating.give``, ``rating.change``). Functions flush, never commit, and
raise a :class:`core.errors.DomainError`.
"""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from accounts import journal
from accounts.models import User
from core.db import insert_ignoring_conflicts
from core.errors import DomainError
from core.forms import clean_text
from core.timeutil import localtime, utcnow
from extensions import db
from volunteer.models import Signup, Task
from volunteer.queries import current_ratings
from volunteer.rating_models import NOTE_MAX, RATINGS, ServiceRating

RATING_WINDOW = timedelta(days=30)  # after the task's end
UNSEEN = object()  # ``seen`` not given: no check of what the coordinator saw
journal.describe({"rating.give": _l("Service rated"), "rating.change": _l("Service rating changed")},
                 rating=_l("Rating"), note=_l("Note"), previous=_l("Previous rating"))


class RatingNotAllowed(DomainError):
    """The sign-up cannot be rated (not attended, or the rating window closed)."""

    def __init__(self, message=None):
        super().__init__(message or _l("Only a rider marked attended can be rated."))


class RatingChanged(DomainError):
    """Someone else rated or changed the rating a moment ago (the coordinator saw an older one)."""

    def __init__(self):
        super().__init__(_l("Someone changed this rating a moment ago. Check it and rate again if needed."))


class RatingInvalid(DomainError):
    """A rating that is not good, fair or poor, or a note that is too long (422, with the field)."""

    status = 422

    def __init__(self, message, field: str):
        super().__init__(message, field=field)


def rating_closes_at(task: Task) -> datetime:
    """The last moment the task's riders may be rated or their rating changed (aware UTC): 30 days after its end."""
    return task.ends_at + RATING_WINDOW


def rating_open(signup: Signup, now: datetime | None = None) -> bool:
    """True when ``signup`` is attended and its task's rating window is still open at ``now`` (aware UTC)."""
    return signup.status == "attended" and (now or utcnow()) <= rating_closes_at(signup.task)


def current_rating(signup_id: int) -> ServiceRating | None:
    """The rating in force of the sign-up (the one no later rating replaces), or ``None``."""
    return db.session.scalar(current_ratings().where(ServiceRating.signup_id == signup_id))


def ratings_for(*, task_ids=(), rider_ids=()) -> dict[int, ServiceRating]:
    """The ratings in force of the sign-ups of these tasks or of these riders, by sign-up id (one query)."""
    task_ids, rider_ids = list(task_ids), list(rider_ids)
    if not task_ids and not rider_ids:
        return {}
    query = current_ratings().where(sa.or_(ServiceRating.task_id.in_(task_ids), ServiceRating.rider_id.in_(rider_ids)))
    return {r.signup_id: r for r in db.session.scalars(query)}


def clean_note(note: str | None) -> str:
    """The note as stored: control characters dropped, surrounding space stripped. Raises
    :class:`RatingInvalid` (field ``note``) beyond :data:`NOTE_MAX` characters."""
    note = clean_text(note or "")
    if len(note) > NOTE_MAX:
        raise RatingInvalid(_l("The note can have at most %(n)d characters.", n=NOTE_MAX), "note")
    return note


def _insert(signup: Signup, rating: str, note: str, actor: User, now: datetime, replaces: int | None) -> int | None:
    return insert_ignoring_conflicts(ServiceRating.__table__, signup_id=signup.id, rider_id=signup.rider_id,
                                     task_id=signup.task_id, rating=rating, note=note, rated_by_id=actor.id,
                                     rated_at=now, replaces_id=replaces)


def rate_service(*, signup: Signup, rating: str, note: str = "", actor: User, seen=UNSEEN,
                 now: datetime | None = None) -> ServiceRating:
    """Rate the service of the rider of ``signup`` (``rating``: ``good``, ``fair`` or ``poor``; ``note``: at
    most :data:`NOTE_MAX` characters, optional), or change the rating in force; return the rating in force.

    ``seen`` is the id of the rating the coordinator saw (``None``: none yet); when given and no longer the one
    in force, nothing changes and :class:`RatingChanged` is raised (unless the rating in force already has
    these values: a double tap). Rating the same values again changes nothing. The caller checks that
    ``actor`` coordinates the task's organisation.

    Raises :class:`RatingInvalid` (422) for an unknown rating or a long note; :class:`RatingNotAllowed` for a
    sign-up not attended or after :func:`rating_closes_at`; :class:`RatingChanged` when another coordinator
    rated or changed it a moment ago.
    """
    now = now or utcnow()
    if rating not in RATINGS:
        raise RatingInvalid(_l("Choose good, fair or poor."), "rating")
    note = clean_note(note)
    db.session.refresh(signup)
    task = signup.task
    if signup.status != "attended":
        raise RatingNotAllowed()
    if now > rating_closes_at(task):
        raise RatingNotAllowed(_l("Ratings of this task closed at %(time)s.",
                                  time=localtime(rating_closes_at(task), "short")))
    current = current_rating(signup.id)
    if current is not None and (current.rating, current.note) == (rating, note):
        return current  # a double tap, or the same rating twice: nothing changes
    if seen is not UNSEEN and (current.id if current else None) != seen:
        raise RatingChanged()
    new_id = _insert(signup, rating, note, actor, now, current.id if current else None)
    if new_id is None:  # another coordinator's rating or change won the unique key a moment ago
        winner = current_rating(signup.id)
        if winner is not None and (winner.rating, winner.note) == (rating, note):
            return winner
        raise RatingChanged()
    if current is None:
        journal.record("rating.give", actor=actor, subject=f"task:{task.id}", rider_id=signup.rider_id,
                       organisation_id=task.organisation_id, now=now, title=task.title, rating=rating, note=note)
    else:
        journal.record("rating.change", actor=actor, subject=f"task:{task.id}", rider_id=signup.rider_id,
                       organisation_id=task.organisation_id, now=now, title=task.title, rating=rating, note=note,
                       previous=current.rating)
    return db.session.get(ServiceRating, new_id)
