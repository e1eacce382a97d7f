"""Merchants, their staff, offers and vouchers.

The database holds the rules: an offer's ``stock`` has ``CHECK (stock >= 0)``; a voucher's code is
unique; a voucher leaves ``issued`` at most once. Money is integer fen, points are integers, times UTC.
"""

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import Organisation, User
from core.hours_rows import CLOSES_OK, OPENS_OK
from core.opening_hours import HOLIDAY_RULES
from core.text import group_digits
from core.timeutil import UTCDateTime, utcnow
from extensions import db

LIMIT_PERIODS = ("day", "week", "month", "ever")
LIMIT_PERIOD_LABELS = {
    "day": _l("per day"),
    "week": _l("per week"),
    "month": _l("per month"),
    "ever": _l("in total"),
}
VOUCHER_STATUSES = ("issued", "redeemed", "expired", "cancelled")
VOUCHER_STATUS_LABELS = {
    "issued": _l("Ready to use"),
    "redeemed": _l("Redeemed"),
    "expired": _l("Expired"),
    "cancelled": _l("Cancelled"),
}


class Merchant(db.Model):
    """A partner restaurant where riders redeem vouchers.

    ``organisation_id`` is the organisation that recruited it, whose coordinators manage it; ``None``
    means programme-wide, managed by admins only.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    address: Mapped[str] = mapped_column(sa.String(200))
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When vouchers can be confirmed, local time, e.g. "11:00-14:00, 17:00-21:00"; "" means always
    # (parsed by rewards.hours).
    serving_hours: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    # Set while the staff have paused all its offers (a busy kitchen); None when redeemable.
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Opening hours as a place (weekly rows, dated exceptions, this holiday rule; core.opening_hours), shown
    # to riders; no rows means the hours are not known.
    holiday_rule: Mapped[str] = mapped_column(sa.String(30), default="weekly", server_default="weekly")

    offers: Mapped[list["Offer"]] = relationship(back_populates="merchant", order_by="Offer.id")
    organisation: Mapped[Organisation | None] = relationship()
    hours: Mapped[list["MerchantHours"]] = relationship(
        back_populates="merchant", order_by="(MerchantHours.weekday, MerchantHours.opens)")
    hours_exceptions: Mapped[list["MerchantHoursException"]] = relationship(
        back_populates="merchant", order_by="(MerchantHoursException.day, MerchantHoursException.opens)")

    __table_args__ = (
        sa.CheckConstraint(sa.column("holiday_rule").in_(HOLIDAY_RULES), name="holiday_rule"),
        sa.Index("ix_merchant_latitude_longitude", "latitude", "longitude"),  # the bounding box of "near me"
    )

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None


class MerchantStaff(db.Model):
    """Links a merchant-staff user to the one merchant they work for."""

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), primary_key=True)
    merchant_id: Mapped[int] = mapped_column(sa.ForeignKey("merchant.id"), index=True)

    user: Mapped[User] = relationship()
    merchant: Mapped[Merchant] = relationship()


class Offer(db.Model):
    """What a merchant gives for ``points_cost`` points, worth ``face_value_fen`` fen.

    ``stock`` is how many more vouchers may be issued (returned when a voucher is cancelled or
    expires); ``per_rider_limit`` caps a rider's live (issued or redeemed) vouchers of this offer
    issued in the current local ``limit_period`` (day, week from Monday, month, or ever);
    ``daily_stock`` (optional) caps the vouchers issued per local day (counted in :class:`OfferDay`);
    a voucher is valid for ``validity_days`` days.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(sa.ForeignKey("merchant.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(100))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    points_cost: Mapped[int]
    face_value_fen: Mapped[int]
    stock: Mapped[int]
    per_rider_limit: Mapped[int] = mapped_column(default=1)
    validity_days: Mapped[int] = mapped_column(default=30)
    active: Mapped[bool] = mapped_column(default=True)
    limit_period: Mapped[str] = mapped_column(sa.String(10), default="week")
    daily_stock: Mapped[int | None]

    merchant: Mapped[Merchant] = relationship(back_populates="offers")

    __table_args__ = (
        sa.CheckConstraint("points_cost > 0", name="points_cost_positive"),
        sa.CheckConstraint("face_value_fen >= 0", name="face_value_not_negative"),
        sa.CheckConstraint("stock >= 0", name="stock_not_negative"),
        sa.CheckConstraint("per_rider_limit > 0", name="per_rider_limit_positive"),
        sa.CheckConstraint("validity_days > 0", name="validity_days_positive"),
        sa.CheckConstraint(sa.column("limit_period").in_(LIMIT_PERIODS), name="limit_period"),
        sa.CheckConstraint("daily_stock IS NULL OR daily_stock > 0", name="daily_stock_positive"),
    )

    @property
    def limit_period_label(self):
        return LIMIT_PERIOD_LABELS.get(self.limit_period, self.limit_period)


class OfferDay(db.Model):
    """How many vouchers of an offer were issued on one local day: ``taken`` never passes the offer's
    ``daily_stock`` (a conditional UPDATE), and a voucher cancelled or expired gives its place back on
    the day it was issued. A new day starts at 0, so the daily stock renews at local midnight."""

    offer_id: Mapped[int] = mapped_column(sa.ForeignKey("offer.id"), primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    taken: Mapped[int] = mapped_column(default=0)

    __table_args__ = (sa.CheckConstraint("taken >= 0", name="taken_not_negative"),)


class Voucher(db.Model):
    """A rider's voucher for one offer: ``code`` (16 digits) is what the merchant types or scans.

    Status moves issued → redeemed | expired | cancelled, each by a conditional UPDATE from
    ``issued``, so it happens at most once. Points and face value are copied at issue time.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    offer_id: Mapped[int] = mapped_column(sa.ForeignKey("offer.id"))
    merchant_id: Mapped[int] = mapped_column(sa.ForeignKey("merchant.id"))
    rider_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    status: Mapped[str] = mapped_column(sa.String(20), default="issued")
    points_cost: Mapped[int]
    face_value_fen: Mapped[int]
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    redeemed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    redeemed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The one-time key of the confirm screen that issued it (rewards/redeem_once.py): unique per rider.
    request_key: Mapped[str | None] = mapped_column(sa.String(64))

    offer: Mapped[Offer] = relationship()
    merchant: Mapped[Merchant] = relationship()
    rider: Mapped[User] = relationship(foreign_keys=[rider_id])

    __table_args__ = (
        sa.CheckConstraint(sa.column("status").in_(VOUCHER_STATUSES), name="status"),
        sa.CheckConstraint(
            "(status = 'redeemed') = (redeemed_at IS NOT NULL AND redeemed_by_id IS NOT NULL)",
            name="redeemed_fields",
        ),
        sa.CheckConstraint("points_cost > 0", name="points_cost_positive"),
        sa.Index("uq_voucher_rider_request_key", "rider_id", "request_key", unique=True),
        sa.Index("ix_voucher_rider_offer_status", "rider_id", "offer_id", "status"),
        sa.Index("ix_voucher_merchant_redeemed", "merchant_id", "redeemed_at"),
        sa.Index("ix_voucher_status_expires", "status", "expires_at"),
    )

    @property
    def grouped_code(self) -> str:
        """The code in groups of four for reading aloud: ``1234 5678 9012 3456``."""
        return group_digits(self.code)

    @property
    def status_label(self):
        return VOUCHER_STATUS_LABELS.get(self.status, self.status)

    def is_usable(self, now: datetime | None = None) -> bool:
        return self.status == "issued" and (now or utcnow()) < self.expires_at



class MerchantHours(db.Model):
    """One weekly opening span of a merchant, as ``stations.models.StationHours`` (weekday 0 = Monday, local
    ``"HH:MM"``, ``closes`` before ``opens`` runs past midnight, ``"24:00"`` ends the day)."""

    __tablename__ = "merchant_hours"

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(sa.ForeignKey("merchant.id"))
    weekday: Mapped[int]
    opens: Mapped[str] = mapped_column(sa.String(5))
    closes: Mapped[str] = mapped_column(sa.String(5))

    merchant: Mapped[Merchant] = relationship(back_populates="hours")

    __table_args__ = (
        sa.UniqueConstraint("merchant_id", "weekday", "opens", name="uq_merchant_hours_merchant_weekday_opens"),
        sa.CheckConstraint("weekday >= 0 AND weekday <= 6", name="weekday"),
        sa.CheckConstraint(OPENS_OK, name="opens_clock"),
        sa.CheckConstraint(CLOSES_OK, name="closes_clock"),
        sa.CheckConstraint("closes != opens", name="not_empty"),
    )


class MerchantHoursException(db.Model):
    """A dated change to a merchant's weekly hours, as ``stations.models.StationHoursException``: closed on
    ``day``, or open for this span (``opens``/``closes`` both ``None`` when closed); ``note`` says why."""

    __tablename__ = "merchant_hours_exception"

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(sa.ForeignKey("merchant.id"))
    day: Mapped[date]
    closed: Mapped[bool] = mapped_column(default=False)
    opens: Mapped[str | None] = mapped_column(sa.String(5))
    closes: Mapped[str | None] = mapped_column(sa.String(5))
    note: Mapped[str] = mapped_column(sa.String(200), default="")

    merchant: Mapped[Merchant] = relationship(back_populates="hours_exceptions")

    __table_args__ = (
        sa.UniqueConstraint("merchant_id", "day", "opens", name="uq_merchant_hours_exception_merchant_day_opens"),
        sa.Index("uq_merchant_hours_exception_closed_day", "merchant_id", "day", unique=True,
                 sqlite_where=sa.text("closed"), postgresql_where=sa.text("closed")),
        sa.CheckConstraint("(closed AND opens IS NULL AND closes IS NULL)"
                           " OR (NOT closed AND opens IS NOT NULL AND closes IS NOT NULL)", name="closed_or_span"),
        sa.CheckConstraint(f"opens IS NULL OR ({OPENS_OK})", name="opens_clock"),
        sa.CheckConstraint(f"closes IS NULL OR ({CLOSES_OK})", name="closes_clock"),
        sa.CheckConstraint("closes IS NULL OR closes != opens", name="not_empty"),
    )
