"""Users and organisations."""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from core.text import mask_phone
from core.timeutil import UTCDateTime, utcnow
from extensions import db

ROLES = ("rider", "coordinator", "merchant", "admin", "department", "building")
TRADES = ("food_delivery", "courier", "ride_hailing", "freight")
ORGANISATION_KINDS = ("street_office", "community", "trade_committee")


class Organisation(db.Model):
    """A street office, community or trade committee that posts tasks."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(20), default="street_office")

    __table_args__ = (sa.CheckConstraint(sa.column("kind").in_(ORGANISATION_KINDS), name="kind"),)


class User(UserMixin, db.Model):
    """A person who logs in: a rider, a coordinator (of one organisation), merchant staff, department staff
    (of one city department, linked by ``reports.models.DepartmentStaff``), building staff (of one partner
    building, linked by ``passes.models.BuildingStaff``) or an admin.

    An admin runs the programme and belongs to no organisation (``organisation_id`` is ``None``).

    ``phone`` is the log-in name, 11 digits starting with 1. Merchant staff are linked to their
    merchant by ``rewards.models.MerchantStaff`` (accounts knows nothing of merchants).
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(sa.String(11), unique=True)
    name: Mapped[str] = mapped_column(sa.String(50))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(sa.String(20), default="rider", index=True)
    trade: Mapped[str | None] = mapped_column(sa.String(20))
    platform: Mapped[str | None] = mapped_column(sa.String(50))
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The privacy notice the user accepted (``PRIVACY_VERSION``) and when; ``None``: never asked yet.
    privacy_version: Mapped[int | None]
    privacy_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the user deleted the account (personal data erased, the rows of its history kept).
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The language the user chose ('zh' or 'en'; ``None``: not known yet): messages written while they are
    # away (an SMS, a reminder) use it.
    language: Mapped[str | None] = mapped_column(sa.String(5))
    # A rider imported from a street office's list (by whom, when) has never proved the phone: until
    # ``phone_confirmed_at`` is set, log-in asks for an SMS code to that phone and a new password.
    imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    imported_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    phone_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The month the rider was born in (1–12; ``None``: not given). Only the month is kept: it is all that
    # welfare activities ask (a birthday party for the riders born this month).
    birth_month: Mapped[int | None]

    organisation: Mapped[Organisation | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint(sa.column("role").in_(ROLES), name="role"),
        sa.CheckConstraint("imported_at IS NULL OR imported_by_id IS NOT NULL", name="import_recorded"),
        sa.CheckConstraint(sa.or_(sa.column("trade").is_(None), sa.column("trade").in_(TRADES)), name="trade"),
        sa.CheckConstraint("length(phone) = 11", name="phone_length"),
        sa.CheckConstraint("birth_month IS NULL OR (birth_month >= 1 AND birth_month <= 12)", name="birth_month"),
        sa.CheckConstraint("role != 'coordinator' OR organisation_id IS NOT NULL", name="coordinator_org"),
        sa.CheckConstraint("role != 'admin' OR organisation_id IS NULL", name="admin_no_org"),
    )

    def set_password(self, password: str) -> None:
        """Store a salted hash of ``password`` (werkzeug's default scrypt)."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        """Return True when ``password`` matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login: deactivated users cannot log in
        return self.active

    def get_id(self) -> str:
        """The session's user id, ``"<id>-<session_version>"``: bumping the version ends every session."""
        return f"{self.id}-{self.session_version}"

    @property
    def masked_phone(self) -> str:
        """The phone number as others may see it, e.g. ``138****5678``."""
        return mask_phone(self.phone)

    @property
    def masked_name(self) -> str:
        """The name as merchants see it: the first character and stars, e.g. ``张**``."""
        return (self.name[:1] + "**") if self.name else "**"

    @property
    def needs_phone_confirmation(self) -> bool:
        """True for an imported account whose phone was never proved by an SMS code (no password yet)."""
        return self.imported_at is not None and self.phone_confirmed_at is None

    @property
    def is_rider(self) -> bool:
        return self.role == "rider"

    @property
    def is_coordinator(self) -> bool:
        return self.role == "coordinator"

    @property
    def is_merchant(self) -> bool:
        return self.role == "merchant"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_department_staff(self) -> bool:
        """Staff of a city department (``reports.models.DepartmentStaff`` says which one)."""
        return self.role == "department"

    @property
    def is_building_staff(self) -> bool:
        """Staff of a partner building who check Haitang passes (``passes.models.BuildingStaff`` says which)."""
        return self.role == "building"


ROLE_LABELS = {"rider": _l("Rider"), "coordinator": _l("Coordinator"), "merchant": _l("Merchant staff"),
               "admin": _l("Admin"), "department": _l("Department staff"),
               "building": _l("Building staff")}
ORGANISATION_KIND_LABELS = {
    "street_office": _l("Street office"),
    "community": _l("Community"),
    "trade_committee": _l("Trade committee"),
}
TRADE_LABELS = {
    "food_delivery": _l("Food delivery"),
    "courier": _l("Courier"),
    "ride_hailing": _l("Ride-hailing"),
    "freight": _l("Freight"),
}
