"""Service ratings: a coordinator's rating of a rider's service on one attended task.

A rating is never edited: changing it is a new row that names the one it replaces (``replaces_id``, unique, so
a rating is replaced at most once and two coordinators correcting at once cannot both win). The rating in force
for a sign-up is the one no other rating replaces. Times UTC.
"""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import User
from core.timeutil import UTCDateTime, utcnow
from extensions import db
from volunteer.models import Signup

RATINGS = ("good", "fair", "poor")
RATING_LABELS = {"good": _l("Good (service rating)"), "fair": _l("Fair (service rating)"),
                 "poor": _l("Poor (service rating)")}
NOTE_MAX = 200  # characters


class ServiceRating(db.Model):
    """One rating (``good``, ``fair`` or ``poor``, with an optional ``note``) of the rider's service on the
    task of ``signup``, by ``rated_by`` at ``rated_at`` (UTC). ``rider_id`` and ``task_id`` are copied from the
    sign-up so the scores read them without a join."""

    __tablename__ = "service_rating"

    id: Mapped[int] = mapped_column(primary_key=True)
    signup_id: Mapped[int] = mapped_column(sa.ForeignKey("signup.id"), index=True)
    rider_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("task.id"), index=True)
    rating: Mapped[str] = mapped_column(sa.String(10))
    note: Mapped[str] = mapped_column(sa.String(NOTE_MAX), default="")
    rated_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    replaces_id: Mapped[int | None] = mapped_column(sa.ForeignKey("service_rating.id"), unique=True)

    signup: Mapped[Signup] = relationship()
    rated_by: Mapped[User] = relationship(foreign_keys=[rated_by_id])

    __table_args__ = (
        sa.CheckConstraint(sa.column("rating").in_(RATINGS), name="rating"),
        # the first rating of a sign-up is unique too (a double tap rates once)
        sa.Index("uq_service_rating_first", "signup_id", unique=True,
                 sqlite_where=sa.text("replaces_id IS NULL"), postgresql_where=sa.text("replaces_id IS NULL")),
    )

    @property
    def label(self):
        """The rating in the user's language."""
        return RATING_LABELS.get(self.rating, self.rating)
