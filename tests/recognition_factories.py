"""Data the recognition tests build: verified and attended sign-ups, ratings in force, closed reports."""

from datetime import datetime, timedelta

from extensions import db
from reports.catalogue import category_by_code, ensure_categories
from reports.models import Report
from tests.factories import make_task
from volunteer.models import TRAINING, Signup
from volunteer.rating_models import ServiceRating


def served(rider_id: int, org_id: int, coordinator_id: int, *, starts_at: datetime, minutes: int | None = None,
           training: bool = False, rating: str | None = None) -> Signup:
    """An attended sign-up of ``rider_id`` for a new task of ``org_id`` starting at ``starts_at``: verified
    with ``minutes`` when given (else marked by hand), of the training category when ``training``, rated
    ``rating`` when given. Flushed."""
    task = make_task(org_id, coordinator_id, starts_at=starts_at, ends_at=starts_at + timedelta(hours=2),
                     category=TRAINING if training else "traffic_safety")
    signup = Signup(task_id=task.id, rider_id=rider_id, status="attended", marked_at=starts_at,
                    marked_by_id=coordinator_id, attendance_method="verified" if minutes is not None else "manual",
                    checked_in_at=starts_at if minutes is not None else None,
                    checked_out_at=starts_at + timedelta(minutes=minutes) if minutes is not None else None,
                    verified_minutes=minutes)
    db.session.add(signup)
    db.session.flush()
    if rating is not None:
        db.session.add(ServiceRating(signup_id=signup.id, rider_id=rider_id, task_id=task.id, rating=rating,
                                     rated_by_id=coordinator_id, rated_at=starts_at))
        db.session.flush()
    return signup


def closed_report(reporter_id: int, *, closed_at: datetime, status: str = "closed") -> Report:
    """A report by ``reporter_id`` whose fix was confirmed (``status`` closed at ``closed_at``). Flushed."""
    ensure_categories()
    report = Report(reporter_id=reporter_id, category_id=category_by_code("road_facilities").id,
                    description="井盖缺失", latitude=31.87, longitude=120.55, status=status,
                    created_at=closed_at - timedelta(days=3), resolved_at=closed_at - timedelta(days=1),
                    closed_at=closed_at if status == "closed" else None)
    db.session.add(report)
    db.session.flush()
    return report
