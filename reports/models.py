"""Departments, categories and problem reports.

A report moves submitted → accepted → routed → resolved or rejected → closed (the reporter confirmed the
fix, or a coordinator verified it). "Not fixed" sends a resolved report back to routed, once
(``reopened_at``). Every change is a :class:`ReportUpdate` (append-only, the report's timeline); the report
row keeps only its current state. Positions are WGS-84 degrees; times UTC; points integers.
"""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import Organisation, User
from core.timeutil import UTCDateTime, utcnow
from extensions import db

DEPARTMENT_KINDS = ("transport", "city_management", "market_supervision", "fire", "sanitation", "other")
DEPARTMENT_KIND_LABELS = {
    "transport": _l("Transport"),
    "city_management": _l("City management"),
    "market_supervision": _l("Market supervision"),
    "fire": _l("Fire and rescue"),
    "sanitation": _l("Sanitation"),
    "other": _l("Other department"),
}
CATEGORY_CODES = ("road_facilities", "traffic_signals", "blocked_passage", "food_safety", "fire_hazard",
                  "sanitation", "station_problem", "other")
CATEGORY_LABELS = {
    "road_facilities": _l("Road facilities"),
    "traffic_signals": _l("Traffic signals"),
    "blocked_passage": _l("Blocked passage"),
    "food_safety": _l("Food safety"),
    "fire_hazard": _l("Fire hazard"),
    "sanitation": _l("Sanitation"),
    "station_problem": _l("Rest station problem"),
    "other": _l("Something else"),
}
CATEGORY_ICONS = {"road_facilities": "🚧", "traffic_signals": "🚦", "blocked_passage": "⛔", "food_safety": "🍱",
                  "fire_hazard": "🔥", "sanitation": "🗑️", "station_problem": "🏠", "other": "❓"}
STATUSES = ("submitted", "accepted", "routed", "resolved", "rejected", "closed")
STATUS_LABELS = {
    "submitted": _l("Submitted"),
    "accepted": _l("Accepted"),
    "routed": _l("With the department"),
    "resolved": _l("Resolved"),
    "rejected": _l("Rejected"),
    "closed": _l("Closed (report status)"),  # not "Closed" (a station's hours: 休息); English says "Closed"
}
OPEN_STATUSES = ("submitted", "accepted", "routed")
UPDATE_KINDS = ("submitted", "accepted", "routed", "recategorised", "resolved", "rejected", "confirmed",
                "reopened", "verified", "supported")
UPDATE_KIND_LABELS = {
    "submitted": _l("Report submitted"),
    "accepted": _l("Accepted by the coordinator"),
    "routed": _l("Sent to the department"),
    "recategorised": _l("Category changed"),
    "resolved": _l("Resolved by the department"),
    "rejected": _l("Rejected"),
    "confirmed": _l("The reporter confirmed the fix"),
    "reopened": _l("The reporter said it is not fixed"),
    "verified": _l("A coordinator verified the fix"),
    "supported": _l("Someone else reported it too"),
}
PHOTO_KINDS = ("before", "after")
CRS = ("wgs84", "gcj02")
SOURCES = ("app", "open311")


class Department(db.Model):
    """A city department that handles reports (transport, city management, market supervision, …).

    Departments belong to the programme (no organisation); ``contact`` is free text (a desk, a phone).
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(30), default="other")
    contact: Mapped[str] = mapped_column(sa.String(200), default="")
    active: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (sa.CheckConstraint(sa.column("kind").in_(DEPARTMENT_KINDS), name="kind"),)

    @property
    def kind_label(self):
        return DEPARTMENT_KIND_LABELS.get(self.kind, self.kind)


class ReportCategory(db.Model):
    """A kind of problem (:data:`CATEGORY_CODES`), the department it goes to by default, the points a
    confirmed report of it earns, and whether the reporter is hidden from the department (food safety)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(30), unique=True)
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("department.id"))
    points: Mapped[int] = mapped_column(default=0)
    anonymous: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    department: Mapped[Department | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint(sa.column("code").in_(CATEGORY_CODES), name="code"),
        sa.CheckConstraint("points >= 0", name="points_not_negative"),
    )

    @property
    def label(self):
        """The category's name in the user's language."""
        return CATEGORY_LABELS.get(self.code, self.code)

    @property
    def icon(self) -> str:
        return CATEGORY_ICONS.get(self.code, "❓")


class DepartmentStaff(db.Model):
    """Ties a user of role ``department`` to the one department they work for."""

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), primary_key=True)
    department_id: Mapped[int] = mapped_column(sa.ForeignKey("department.id"), index=True)

    user: Mapped[User] = relationship()
    department: Mapped[Department] = relationship()


class Report(db.Model):
    """A problem a rider saw, at a WGS-84 position, in one :data:`STATUSES`.

    ``organisation_id`` is where it lies: the organisation of the linked station or merchant, else the
    reporter's (its coordinators, and the reporter's, may accept it). ``department_id`` is where it is
    routed (``None`` until routed). ``reopened_at`` is set by the one "not fixed" allowed.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    # "app" (a rider's report) or "open311" (sent by a city platform with ``open311_key_id``; no reporter).
    source: Mapped[str] = mapped_column(sa.String(10), default="app")
    open311_key_id: Mapped[int | None] = mapped_column(sa.ForeignKey("open311_key.id"))
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("report_category.id"))
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("department.id"), index=True)
    description: Mapped[str] = mapped_column(sa.String(500))
    latitude: Mapped[float]
    longitude: Mapped[float]
    entered_crs: Mapped[str] = mapped_column(sa.String(10), default="wgs84")
    address: Mapped[str] = mapped_column(sa.String(200), default="")
    station_id: Mapped[int | None] = mapped_column(sa.ForeignKey("station.id"))
    merchant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("merchant.id"))
    status: Mapped[str] = mapped_column(sa.String(20), default="submitted")
    supporters: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_id])
    organisation: Mapped[Organisation | None] = relationship()
    category: Mapped[ReportCategory] = relationship()
    department: Mapped[Department | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint(sa.column("status").in_(STATUSES), name="status"),
        sa.CheckConstraint(sa.column("entered_crs").in_(CRS), name="entered_crs"),
        sa.CheckConstraint("status != 'routed' OR department_id IS NOT NULL", name="routed_has_department"),
        sa.CheckConstraint("supporters >= 0", name="supporters_not_negative"),
        sa.CheckConstraint(sa.column("source").in_(SOURCES), name="source"),
        sa.CheckConstraint("reporter_id IS NOT NULL OR source = 'open311'", name="reporter_or_platform"),
        sa.Index("ix_report_status_created", "status", "created_at"),
        sa.Index("ix_report_category_latitude_longitude", "category_id", "latitude", "longitude"),
    )

    @property
    def status_label(self):
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def anonymous(self) -> bool:
        """True when the reporter's identity is hidden from the department and the merchant (food safety)."""
        return bool(self.category.anonymous)


class ReportPhoto(db.Model):
    """One stored photo of a report: ``before`` (from the reporter) or ``after`` (the department's evidence).

    ``storage_key`` names the JPEG in :mod:`core.storage`; ``update_id`` is the update it came with.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("report.id"), index=True)
    update_id: Mapped[int | None] = mapped_column(sa.ForeignKey("report_update.id"))
    kind: Mapped[str] = mapped_column(sa.String(10), default="before")
    storage_key: Mapped[str] = mapped_column(sa.String(80), unique=True)
    width: Mapped[int]
    height: Mapped[int]
    size: Mapped[int]  # bytes of the stored JPEG
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.CheckConstraint(sa.column("kind").in_(PHOTO_KINDS), name="kind"),)


class ReportUpdate(db.Model):
    """One entry of a report's timeline (append-only): who (``actor_id``; ``None`` for the system), what
    (:data:`UPDATE_KINDS`), the status before and after, a note (resolution, reason), the department routed
    to and the category changed to where that is what happened."""

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("report.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(sa.String(20))
    from_status: Mapped[str | None] = mapped_column(sa.String(20))
    to_status: Mapped[str] = mapped_column(sa.String(20))
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("department.id"))
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("report_category.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship()
    department: Mapped[Department | None] = relationship()
    category: Mapped[ReportCategory | None] = relationship()

    __table_args__ = (sa.CheckConstraint(sa.column("kind").in_(UPDATE_KINDS), name="kind"),)

    @property
    def kind_label(self):
        return UPDATE_KIND_LABELS.get(self.kind, self.kind)


class ReportSupport(db.Model):
    """A rider's "me too" on someone else's open report (once per rider and report; earns nothing)."""

    report_id: Mapped[int] = mapped_column(sa.ForeignKey("report.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Open311Key(db.Model):
    """An API key for a city platform using Open311 GeoReport v2, issued by an admin.

    Only a SHA-256 hash of the key is stored (``key_hash``); ``prefix`` (its first 8 characters) lets an
    admin tell keys apart. A revoked key (``revoked_at``) is refused.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    prefix: Mapped[str] = mapped_column(sa.String(8))
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
