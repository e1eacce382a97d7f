"""The eight report categories every installation has (codes are fixed; departments and points are set by
admins). Revision 0015 inserts them; :func:`ensure_categories` does the same for a database made otherwise
(tests, ``create_all``) and is safe to run twice at once."""

import sqlalchemy as sa

from core.db import insert_ignoring_conflicts
from extensions import db
from reports.models import CATEGORY_CODES, ReportCategory

DEFAULT_POINTS = {"road_facilities": 10, "traffic_signals": 10, "blocked_passage": 10, "food_safety": 20,
                  "fire_hazard": 20, "sanitation": 5, "station_problem": 5, "other": 5}
ANONYMOUS = frozenset({"food_safety"})  # the reporter is never shown to the department or the merchant


def ensure_categories() -> None:
    """Insert any missing category with its default points, order and anonymity (no department yet)."""
    for position, code in enumerate(CATEGORY_CODES):
        insert_ignoring_conflicts(ReportCategory.__table__, code=code, points=DEFAULT_POINTS[code],
                                  anonymous=code in ANONYMOUS, position=position, active=True)


def categories(*, active_only: bool = True) -> list[ReportCategory]:
    """The categories in their display order (only active ones unless ``active_only`` is False)."""
    query = sa.select(ReportCategory).order_by(ReportCategory.position, ReportCategory.id)
    if active_only:
        query = query.where(ReportCategory.active.is_(True))
    return list(db.session.scalars(query))


def category_by_code(code: str | None) -> ReportCategory | None:
    """The active category ``code``, or ``None`` (also for anything that is not one of the fixed codes, such as
    text with a NUL byte, which PostgreSQL would refuse even to compare)."""
    if not code or code not in CATEGORY_CODES:
        return None
    return db.session.scalar(sa.select(ReportCategory).where(ReportCategory.code == code,
                                                             ReportCategory.active.is_(True)))
