"""Points accounts and ledger entries.

The database holds the rules: a balance has ``CHECK (balance >= 0)``; every entry that must happen at
most once (the award of a sign-up, the spend and the refund of a voucher) carries a unique ``key``; a
correction is a new entry whose unique ``reverses_id`` names the entry it undoes (a ``reversal`` of an
award, or an ``award`` that restores a reversed one), so each entry is undone at most once;
triggers (in the migrations) refuse UPDATE and DELETE of entries. An entry names where it came from
in real columns (``signup_id``, ``voucher_id``), which the books check joins on. Points are integers,
times UTC.
"""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from core.timeutil import UTCDateTime, utcnow
from extensions import db

ENTRY_KINDS = ("award", "spend", "refund", "expiry", "adjustment", "reversal")
ENTRY_KIND_LABELS = {
    "award": _l("Volunteer points"),
    "spend": _l("Voucher"),
    "refund": _l("Voucher cancelled, refund"),
    "expiry": _l("Voucher expired, refund"),
    "adjustment": _l("Adjustment"),
    "reversal": _l("Attendance corrected, points taken back"),
}
REPORT_AWARD_LABEL = _l("Problem report fixed")


class PointsAccount(db.Model):
    """A rider's cached balance in points: always the sum of their ledger entries, never negative."""

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), primary_key=True)
    balance: Mapped[int] = mapped_column(default=0)

    __table_args__ = (sa.CheckConstraint("balance >= 0", name="balance_not_negative"),)


class LedgerEntry(db.Model):
    """One append-only movement of points (a non-zero integer ``amount``) for a rider.

    ``key`` makes one-off movements unique (built by :mod:`points.keys`); ``signup_id``, ``voucher_id`` or
    ``report_id`` is the record the entry came from (``None`` for adjustments); ``reverses_id`` the entry
    this one undoes (a reversal names the award it takes back; a restoring award the reversal it undoes).
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    rider_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    amount: Mapped[int]
    kind: Mapped[str] = mapped_column(sa.String(20))
    reason: Mapped[str] = mapped_column(sa.String(200), default="")
    key: Mapped[str | None] = mapped_column(sa.String(50), unique=True)
    signup_id: Mapped[int | None] = mapped_column(sa.ForeignKey("signup.id"), index=True)
    voucher_id: Mapped[int | None] = mapped_column(sa.ForeignKey("voucher.id"), index=True)
    report_id: Mapped[int | None] = mapped_column(sa.ForeignKey("report.id"), index=True)
    reverses_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ledger_entry.id"), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        sa.CheckConstraint("amount != 0", name="amount_not_zero"),
        sa.CheckConstraint(sa.column("kind").in_(ENTRY_KINDS), name="kind"),
        sa.CheckConstraint(
            "(kind IN ('award', 'refund', 'expiry') AND amount > 0) OR (kind = 'spend' AND amount < 0)"
            " OR (kind = 'adjustment' AND reason != '')"
            " OR (kind = 'reversal' AND amount < 0 AND reverses_id IS NOT NULL)",
            name="kind_sign",
        ),
        sa.CheckConstraint("signup_id IS NULL OR kind IN ('award', 'reversal')", name="signup_only_for_awards"),
        sa.CheckConstraint("reverses_id IS NULL OR kind IN ('award', 'reversal')", name="reverses_only_awards"),
        sa.CheckConstraint("voucher_id IS NULL OR kind IN ('spend', 'refund', 'expiry')",
                           name="voucher_only_for_vouchers"),
        sa.CheckConstraint("report_id IS NULL OR (kind = 'award' AND signup_id IS NULL)",
                           name="report_only_for_awards"),
        sa.Index("ix_ledger_entry_rider_created", "rider_id", "created_at", "id"),
    )

    @property
    def kind_label(self):
        """What the entry was for, in the user's language (e.g. "Volunteer points")."""
        if self.report_id is not None:
            return REPORT_AWARD_LABEL
        return ENTRY_KIND_LABELS.get(self.kind, self.kind)
