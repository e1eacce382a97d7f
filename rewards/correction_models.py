"""Corrections of vouchers: an undone confirmation, a voucher cancelled by the programme.

A correction is a new row that references the voucher it corrects; nothing of the voucher's history is
lost: an undo keeps who confirmed it and when (``undone_redeemed_by_id``, ``undone_redeemed_at``), a
cancellation keeps its reason. ``key`` (unique) makes each correction happen at most once. Times UTC.
"""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from accounts.models import User
from core.timeutil import UTCDateTime, utcnow
from extensions import db
from rewards.models import Voucher

CORRECTION_KINDS = ("undo", "cancel")
CORRECTION_KIND_LABELS = {"undo": _l("Confirmation undone"), "cancel": _l("Cancelled by the programme")}


class VoucherCorrection(db.Model):
    """One correction of a voucher: ``undo`` (merchant staff took back their own confirmation, the voucher
    is ready to use again) or ``cancel`` (an admin or a coordinator of the merchant's organisation cancelled
    an issued voucher with a ``reason``; its points were refunded once)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    voucher_id: Mapped[int] = mapped_column(sa.ForeignKey("voucher.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(10))
    reason: Mapped[str] = mapped_column(sa.String(200), default="")
    actor_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    undone_redeemed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    undone_redeemed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    key: Mapped[str] = mapped_column(sa.String(80), unique=True)

    voucher: Mapped[Voucher] = relationship(
        backref=backref("corrections", order_by="VoucherCorrection.id", lazy="select"))
    actor: Mapped[User] = relationship(foreign_keys=[actor_id])

    __table_args__ = (
        sa.CheckConstraint(sa.column("kind").in_(CORRECTION_KINDS), name="kind"),
        sa.CheckConstraint(
            "(kind = 'cancel' AND reason != '') OR (kind = 'undo' AND undone_redeemed_at IS NOT NULL"
            " AND undone_redeemed_by_id IS NOT NULL)",
            name="kind_fields",
        ),
    )

    @property
    def kind_label(self):
        """What the correction was, in the user's language."""
        return CORRECTION_KIND_LABELS.get(self.kind, self.kind)
