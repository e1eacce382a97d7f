"""The audit trail: who did what, when, to whom — append-only (triggers refuse UPDATE and DELETE).

Services record an event in the same transaction as the change itself, so an event exists exactly
when the change was committed. Voucher codes are stored masked.
"""

import json
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import User
from core.timeutil import UTCDateTime, utcnow
from extensions import db

ACTION_LABELS = {
    "points.award": _l("Points awarded for attendance"),
    "points.adjust": _l("Points adjusted"),
    "voucher.issue": _l("Voucher issued"),
    "voucher.confirm": _l("Voucher redeemed"),
    "voucher.expire": _l("Voucher expired and refunded"),
    "voucher.cancel": _l("Voucher cancelled and refunded"),
    "task.create": _l("Task posted"),
    "task.update": _l("Task changed"),
    "task.cancel": _l("Task cancelled"),
    "account.create": _l("Account created"),
    "account.deactivate": _l("Account deactivated"),
    "account.reactivate": _l("Account reactivated"),
    "merchant.save": _l("Merchant saved"),
    "offer.save": _l("Offer saved"),
}


DETAIL_LABELS = {
    "title": _l("Title"), "points": _l("Points"), "places": _l("Places"), "stock": _l("Stock"),
    "active": _l("Active"), "reason": _l("Reason"), "offer": _l("Offer"), "code": _l("Voucher code"),
    "face_value": _l("Worth"), "name": _l("Name"), "role": _l("Role"), "changed": _l("Changes"),
    "starts_at": _l("Starts"), "ends_at": _l("Ends"), "place": _l("Place"), "description": _l("Description"),
    "category": _l("Category"),
}


class AuditEvent(db.Model):
    """One recorded action. ``actor_id`` is ``None`` for the system (the expiry job)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(sa.String(40))
    subject: Mapped[str] = mapped_column(sa.String(60), default="")
    rider_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    merchant_id: Mapped[int | None]
    details: Mapped[str] = mapped_column(sa.Text, default="{}")

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    rider: Mapped[User | None] = relationship(foreign_keys=[rider_id])

    __table_args__ = (
        sa.Index("ix_audit_event_rider_created", "rider_id", "created_at"),
        sa.Index("ix_audit_event_merchant_created", "merchant_id", "created_at"),
    )

    @property
    def label(self):
        return ACTION_LABELS.get(self.action, self.action)

    @property
    def detail_items(self) -> list[tuple[str, str]]:
        """The details as (label, text) pairs for display, labels in the user's language."""
        from flask_babel import gettext

        def shown(value) -> str:
            if isinstance(value, bool):
                return gettext("Yes") if value else gettext("No")
            if isinstance(value, dict):
                return ", ".join(f"{DETAIL_LABELS.get(k, k)}: {v}" for k, v in value.items())
            return str(value)

        details = json.loads(self.details or "{}")
        return [(str(DETAIL_LABELS.get(key, key)), shown(value)) for key, value in details.items()]


def mask_code(code: str) -> str:
    """A voucher code as the audit trail keeps it: ``1234 **** **** 3456``."""
    return f"{code[:4]} **** **** {code[-4:]}" if code and len(code) >= 8 else "****"


def record(action: str, *, actor: User | None, subject: str = "", rider_id: int | None = None,
           merchant_id: int | None = None, now: datetime | None = None, **details) -> None:
    """Add an audit event to the current transaction (flushed with it; the caller commits)."""
    db.session.add(AuditEvent(action=action, actor_id=actor.id if actor else None, subject=subject,
                              rider_id=rider_id, merchant_id=merchant_id, created_at=now or utcnow(),
                              details=json.dumps(details, ensure_ascii=False, default=str)))
