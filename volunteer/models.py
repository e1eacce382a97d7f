"""Tasks and sign-ups.

Capacity lives in the database: ``task.taken`` counts the sign-ups that hold a place (confirmed,
offered — a freed place held for one rider until ``hold_until`` —, attended, no-show) and a CHECK keeps
it within ``places``; services move it only with conditional
UPDATEs whose row counts they check.
"""

from datetime import datetime

import pyotp
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import TRADES, Organisation, User
from core.timeutil import UTCDateTime, utcnow
from extensions import db

CATEGORIES = ("traffic_safety", "patrol", "elderly_care", "errands", "first_aid", "community", "training",
              "celebration", "health")
TRAINING = "training"  # tasks of this category count as training attendance (recognition), activities too
# A task is volunteer work (points, verified hours, recognition) or a welfare activity held for riders (a
# birthday party, a health talk, a first-aid course): no points or a few (ACTIVITY_MAX_POINTS), never volunteer
# hours; an activity of the training category still counts as training attendance.
TASK_KINDS = ("volunteer", "activity")
VOLUNTEER, ACTIVITY = TASK_KINDS
CATEGORY_LABELS = {
    "traffic_safety": _l("Traffic safety"),
    "patrol": _l("Patrol"),
    "elderly_care": _l("Helping elderly residents"),
    "errands": _l("Errands"),
    "first_aid": _l("First-aid duty"),
    "community": _l("Community service"),
    "training": _l("Training"),
    "celebration": _l("Celebration"),
    "health": _l("Health and wellbeing"),
}
TASK_STATUSES = ("open", "cancelled")
SIGNUP_STATUSES = ("confirmed", "waitlisted", "offered", "cancelled", "attended", "no_show", "removed")
HOLDS_PLACE = ("confirmed", "offered", "attended", "no_show")
ATTENDANCE_METHODS = ("verified", "manual")  # checked in with the task's code, or marked by a coordinator
SIGNUP_STATUS_LABELS = {
    "confirmed": _l("Confirmed"),
    "waitlisted": _l("Waitlist"),
    "offered": _l("Place held for you"),
    "cancelled": _l("Cancelled"),
    "attended": _l("Attended"),
    "no_show": _l("No-show"),
    "removed": _l("Removed by the organiser"),
}


class Task(db.Model):
    """A volunteer opportunity (``kind`` ``volunteer``) or a welfare activity (``activity``) of an organisation:
    ``places`` riders between ``starts_at`` and ``ends_at`` (UTC).

    Attending awards ``points`` to the rider: a positive integer for volunteer work; 0 up to
    ``ACTIVITY_MAX_POINTS`` for an activity (0 awards nothing). An activity may be limited to riders who match
    every rule set (``volunteer/eligibility.py``): born in the month it starts (local), of a trade, of a
    platform, registered in the year it starts.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(100))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    category: Mapped[str] = mapped_column(sa.String(20))
    place: Mapped[str] = mapped_column(sa.String(200))
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    places: Mapped[int]
    points: Mapped[int]
    taken: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(sa.String(20), default="open")
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The seed of the task's rotating check-in and check-out codes (base32, volunteer/checkin.py); never shown.
    checkin_secret: Mapped[str] = mapped_column(sa.String(32), default=pyotp.random_base32)
    kind: Mapped[str] = mapped_column(sa.String(10), default=VOLUNTEER, server_default=VOLUNTEER)
    # Who may sign up for an activity (all unset: every rider). Never set on volunteer work.
    rule_birth_month: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    rule_trade: Mapped[str | None] = mapped_column(sa.String(20))
    rule_platform: Mapped[str | None] = mapped_column(sa.String(50))
    rule_new_this_year: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    organisation: Mapped[Organisation] = relationship()

    __table_args__ = (
        sa.CheckConstraint("places > 0", name="places_positive"),
        sa.CheckConstraint("points > 0 OR (kind = 'activity' AND points = 0)", name="points_positive"),
        sa.CheckConstraint(sa.column("kind").in_(TASK_KINDS), name="kind"),
        sa.CheckConstraint("kind = 'activity' OR (NOT rule_birth_month AND rule_trade IS NULL"
                           " AND rule_platform IS NULL AND NOT rule_new_this_year)", name="rules_on_activities"),
        sa.CheckConstraint(sa.or_(sa.column("rule_trade").is_(None), sa.column("rule_trade").in_(TRADES)),
                           name="rule_trade"),
        sa.CheckConstraint("taken >= 0 AND taken <= places", name="taken_within_places"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint(sa.column("status").in_(TASK_STATUSES), name="status"),
        sa.CheckConstraint(sa.column("category").in_(CATEGORIES), name="category"),
    )

    @property
    def places_left(self) -> int:
        return max(self.places - self.taken, 0)

    @property
    def is_full(self) -> bool:
        return self.taken >= self.places

    @property
    def is_cancelled(self) -> bool:
        return self.status == "cancelled"

    def has_started(self, now: datetime | None = None) -> bool:
        return (now or utcnow()) >= self.starts_at

    @property
    def category_label(self):
        return CATEGORY_LABELS.get(self.category, self.category)

    @property
    def is_activity(self) -> bool:
        """True for a welfare activity (not volunteer work: no verified hours, few or no points)."""
        return self.kind == ACTIVITY


HOLD_RECORDED = ("(status = 'offered' AND hold_until IS NOT NULL AND offered_at IS NOT NULL)"
                 " OR (status != 'offered' AND hold_until IS NULL)")


class Signup(db.Model):
    """One rider's sign-up for one task (unique per pair); waitlist order is ``queued_at`` then ``id``."""

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("task.id"))
    rider_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(20))
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    marked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    marked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    # A coordinator's removal of the rider from the task (status ``removed``): when, by whom and why.
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    removal_reason: Mapped[str | None] = mapped_column(sa.String(200))
    # A freed place offered to this waiting rider (status ``offered``): when, and until when (UTC) it is held.
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hold_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # How the attendance was marked (``verified``: the rider checked in with the task's code; ``manual``: a
    # coordinator marked it), and the verified times: check-in, check-out and the minutes in between that
    # fall inside the task (whole minutes, rounded down). ``checkin_distance_m``: how far from the task's
    # coordinates the rider's phone said it was at check-in (metres; none without a location).
    attendance_method: Mapped[str | None] = mapped_column(sa.String(10))
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verified_minutes: Mapped[int | None]
    checkin_distance_m: Mapped[int | None]

    task: Mapped[Task] = relationship()
    rider: Mapped[User] = relationship(foreign_keys=[rider_id])

    __table_args__ = (
        sa.UniqueConstraint("task_id", "rider_id", name="uq_signup_task_rider"),
        sa.CheckConstraint(sa.column("status").in_(SIGNUP_STATUSES), name="status"),
        sa.Index("ix_signup_task_status_queue", "task_id", "status", "queued_at", "id"),
        sa.CheckConstraint("status != 'removed' OR (removed_at IS NOT NULL AND removed_by_id IS NOT NULL"
                           " AND removal_reason != '')", name="removal_recorded"),
        sa.CheckConstraint(HOLD_RECORDED, name="hold_only_when_offered"),
        sa.Index("ix_signup_status_hold_until", "status", "hold_until"),  # the expiry job's search for ended holds
        sa.CheckConstraint(sa.column("attendance_method").in_(ATTENDANCE_METHODS), name="attendance_method"),
        sa.CheckConstraint("verified_minutes >= 0", name="verified_minutes_not_negative"),
        sa.CheckConstraint("checked_out_at IS NULL OR checked_in_at IS NOT NULL", name="checked_out_after_in"),
    )

    @property
    def status_label(self):
        return SIGNUP_STATUS_LABELS.get(self.status, self.status)

    @property
    def is_active(self) -> bool:
        """True while the rider holds a place, is offered one or waits for one."""
        return self.status in ("confirmed", "offered", "waitlisted")

    def hold_is_open(self, now: datetime | None = None) -> bool:
        """True while a place is held for the rider (offered and ``hold_until`` not reached): Accept works."""
        return self.status == "offered" and self.hold_until is not None and self.hold_until > (now or utcnow())
