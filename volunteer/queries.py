"""Reads of tasks and sign-ups that pages, the API and the dashboards share."""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from accounts.privacy import on_export
from accounts.scope import link_accounts
from core.db import minutes_between
from extensions import db
from volunteer.models import CATEGORY_LABELS, TRAINING, VOLUNTEER, Signup, Task
from volunteer.rating_models import ServiceRating


@link_accounts
def riders_of_organisations() -> sa.Select:
    """A rider belongs to the scope of every organisation for whose tasks they ever signed up (any status)."""
    return (sa.select(Signup.rider_id.label("user_id"), Task.organisation_id.label("organisation_id"))
            .join(Task, Task.id == Signup.task_id))


def upcoming_tasks(*, now: datetime, kind: str = VOLUNTEER, open_to=None, category: str = "",
                   organisation_id: int | None = None,
                   starts_within: timedelta | None = None, max_minutes: int | None = None,
                   near: tuple[float, float] | None = None, offset: int = 0, limit: int = 20) -> list[Task]:
    """Open tasks of ``kind`` (volunteer work or activities) starting after ``now`` (aware UTC), soonest first,
    with their organisation; ``open_to`` (a SQL condition, :func:`volunteer.eligibility.open_to`) limits them
    to those a rider may join.

    ``category`` (one of the task categories) and ``organisation_id`` filter when given; so do
    ``starts_within`` (tasks starting no later than ``now + starts_within``) and ``max_minutes`` (tasks
    lasting at most that many minutes). ``near`` (latitude, longitude in degrees) orders by distance from
    that point instead, nearest first, tasks without coordinates last (soonest first among equals).
    """
    query = (sa.select(Task).where(Task.status == "open", Task.starts_at > now, Task.kind == kind)
             .options(sa.orm.joinedload(Task.organisation)))
    if open_to is not None:
        query = query.where(open_to)
    if category in CATEGORY_LABELS:
        query = query.where(Task.category == category)
    if organisation_id:
        query = query.where(Task.organisation_id == organisation_id)
    if starts_within is not None:
        query = query.where(Task.starts_at <= now + starts_within)
    if max_minutes is not None:
        query = query.where(minutes_between(Task.starts_at, Task.ends_at) <= max_minutes + 0.001)
    if near is not None:
        query = query.order_by(*_nearest_first(*near))
    return list(db.session.scalars(query.order_by(Task.starts_at, Task.id).offset(offset).limit(limit)))


def _nearest_first(latitude: float, longitude: float) -> tuple:
    """ORDER BY terms: tasks with coordinates first, by distance from the point, in plain SQL arithmetic.

    Within a town the flat-earth distance (longitude scaled by the cosine of the latitude) ranks points
    exactly as the great-circle distance does, and both databases compute it without trigonometry
    functions (SQLite may lack them); the page shows :func:`core.geo.distance_m`.
    """
    north = Task.latitude - latitude
    east = (Task.longitude - longitude) * math.cos(math.radians(latitude))
    unknown = sa.case((sa.or_(Task.latitude.is_(None), Task.longitude.is_(None)), 1), else_=0)
    return unknown, north * north + east * east


def signups_by_task(*, rider_id: int, task_ids) -> dict[int, Signup]:
    """The rider's sign-ups for these tasks, by task id (one query)."""
    task_ids = list(task_ids)
    if not task_ids:
        return {}
    rows = db.session.scalars(sa.select(Signup).where(Signup.rider_id == rider_id, Signup.task_id.in_(task_ids)))
    return {s.task_id: s for s in rows}


def waitlist_position(signup: Signup) -> int:
    """1-based place of a waitlisted sign-up in its task's queue."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Signup).where(
            Signup.task_id == signup.task_id, Signup.status == "waitlisted",
            sa.or_(Signup.queued_at < signup.queued_at,
                   sa.and_(Signup.queued_at == signup.queued_at, Signup.id <= signup.id))))


def signups_of_rider(rider_id: int) -> list[Signup]:
    """All the rider's sign-ups with their tasks and organisations, latest task first."""
    return list(db.session.scalars(
        sa.select(Signup).join(Task).where(Signup.rider_id == rider_id)
        .options(sa.orm.contains_eager(Signup.task).joinedload(Task.organisation))
        .order_by(Task.starts_at.desc())
    ))


def signups_of(task: Task) -> list[Signup]:
    """The task's sign-ups with their riders: place holders first, then held places, then the waitlist in order."""
    order = sa.case({"confirmed": 0, "attended": 0, "no_show": 0, "offered": 1, "waitlisted": 2}, value=Signup.status,
                    else_=3)
    return list(db.session.scalars(
        sa.select(Signup).where(Signup.task_id == task.id)
        .options(sa.orm.joinedload(Signup.rider))
        .order_by(order, Signup.queued_at, Signup.id)
    ))


def tasks_of_organisation(organisation_id: int, *, limit: int = 200) -> list[Task]:
    """The organisation's tasks, latest start first (at most ``limit``)."""
    return list(db.session.scalars(
        sa.select(Task).where(Task.organisation_id == organisation_id).order_by(Task.starts_at.desc()).limit(limit)
    ))


def queue_counts(organisation_id: int) -> dict[int, dict[str, int]]:
    """How many places are held (``offered``) and how many riders wait (``waitlisted``) on each task of the
    organisation: ``{task_id: {"offered": n, "waitlisted": m}}`` (tasks with neither absent, zero counts absent)."""
    counts: dict[int, dict[str, int]] = {}
    for task_id, status, n in db.session.execute(
            sa.select(Signup.task_id, Signup.status, sa.func.count()).join(Task)
            .where(Task.organisation_id == organisation_id, Signup.status.in_(("offered", "waitlisted")))
            .group_by(Signup.task_id, Signup.status)):
        counts.setdefault(task_id, {})[status] = n
    return counts


@on_export("signups")
def signups_for_export(user) -> list[dict]:
    """The user's sign-ups for their own data download (:func:`accounts.privacy.export_data`)."""
    rows = db.session.execute(
        sa.select(Signup, Task).join(Task, Task.id == Signup.task_id).where(Signup.rider_id == user.id)
        .order_by(Signup.queued_at, Signup.id)).all()
    return [{"task": task.title, "place": task.place, "starts_at": task.starts_at.isoformat(),
             "status": signup.status, "signed_up_at": signup.queued_at.isoformat(),
             "removal_reason": signup.removal_reason} for signup, task in rows]


# --- service: what recognition, certificates and the dashboard read ---------------------------------------

# Verified service: volunteer work only (an activity never adds volunteer hours; a query using this joins Task).
VERIFIED = sa.and_(Signup.status == "attended", Signup.attendance_method == "verified",
                   Signup.verified_minutes.is_not(None), Task.kind == VOLUNTEER)


@dataclass(frozen=True)
class ServiceLine:
    """One task of a rider's verified service: the sign-up, the task's title, organisation and start (UTC),
    and the verified minutes."""

    signup_id: int
    task_id: int
    task_title: str
    organisation_id: int
    organisation_name: str
    started_at: datetime
    minutes: int


def _between(query, since: datetime | None, until: datetime | None):
    """Limit a query on tasks to those starting in ``[since, until)`` (aware UTC; either may be open)."""
    if since is not None:
        query = query.where(Task.starts_at >= since)
    if until is not None:
        query = query.where(Task.starts_at < until)
    return query


def verified_service(rider_id: int, *, since: datetime | None = None,
                     until: datetime | None = None) -> list[ServiceLine]:
    """The rider's verified service (attended by check-in, with minutes from the check-out), oldest first,
    of tasks starting in ``[since, until)`` (aware UTC, either open)."""
    from accounts.models import Organisation

    query = (sa.select(Signup.id, Task.id, Task.title, Task.organisation_id, Organisation.name, Task.starts_at,
                       Signup.verified_minutes)
             .join(Task, Task.id == Signup.task_id).join(Organisation, Organisation.id == Task.organisation_id)
             .where(Signup.rider_id == rider_id, VERIFIED).order_by(Task.starts_at, Signup.id))
    return [ServiceLine(*row) for row in db.session.execute(_between(query, since, until))]


def verified_minutes_by_rider(*, rider_ids=None, since: datetime | None = None,
                              until: datetime | None = None) -> dict[int, int]:
    """Verified minutes of service per rider (``{rider id: minutes}``, riders with none absent), of tasks
    starting in ``[since, until)``; ``rider_ids`` limits the riders (``None``: all)."""
    query = (sa.select(Signup.rider_id, sa.func.sum(Signup.verified_minutes)).join(Task, Task.id == Signup.task_id)
             .where(VERIFIED).group_by(Signup.rider_id))
    if rider_ids is not None:
        query = query.where(Signup.rider_id.in_(list(rider_ids)))
    return {rider_id: int(total or 0) for rider_id, total in db.session.execute(_between(query, since, until))}


def trainings_attended_by_rider(*, rider_ids=None, since: datetime | None = None,
                                until: datetime | None = None) -> dict[int, int]:
    """Training tasks attended (verified or marked by a coordinator; volunteer work or activities: a first-aid
    course held as an activity counts, a party does not) per rider (``{rider id: count}``), of
    tasks starting in ``[since, until)``; ``rider_ids`` limits the riders (``None``: all)."""
    query = (sa.select(Signup.rider_id, sa.func.count()).join(Task, Task.id == Signup.task_id)
             .where(Signup.status == "attended", Task.category == TRAINING).group_by(Signup.rider_id))
    if rider_ids is not None:
        query = query.where(Signup.rider_id.in_(list(rider_ids)))
    return dict(db.session.execute(_between(query, since, until)).all())


def current_ratings():
    """A SELECT of the ratings in force (those no later rating replaces), for further filtering."""
    later = sa.orm.aliased(ServiceRating)
    return sa.select(ServiceRating).where(~sa.exists().where(later.replaces_id == ServiceRating.id))


def ratings_by_rider(*, rider_ids=None, since: datetime | None = None,
                     until: datetime | None = None) -> dict[int, dict[str, int]]:
    """How many ratings in force each rider has of each kind, for tasks starting in ``[since, until)``:
    ``{rider id: {"good": n, "fair": n, "poor": n}}`` (zero counts absent; riders without ratings absent)."""
    rated = current_ratings().subquery()
    query = (sa.select(rated.c.rider_id, rated.c.rating, sa.func.count()).join(Task, Task.id == rated.c.task_id)
             .group_by(rated.c.rider_id, rated.c.rating))
    if rider_ids is not None:
        query = query.where(rated.c.rider_id.in_(list(rider_ids)))
    counts: dict[int, dict[str, int]] = {}
    for rider_id, rating, n in db.session.execute(_between(query, since, until)):
        counts.setdefault(rider_id, {})[rating] = n
    return counts
