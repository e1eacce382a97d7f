"""The inbox (``notification``), the SMS outbox (``sms_message``) and per-kind SMS preferences."""

import json
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.text import mask_phone
from core.timeutil import UTCDateTime, utcnow
from extensions import db

SMS_STATUSES = ("pending", "sending", "sent", "failed", "given_up", "skipped")


class Notification(db.Model):
    """One event that concerns one user, shown in their inbox.

    ``kind`` names an entry of :data:`notifications.kinds.KINDS`; ``params`` is JSON text of plain values
    (strings, integers, ISO-8601 UTC datetimes as strings) that the kind's texts take; ``link`` a local path
    (``/tasks/12``). ``dedupe_key`` (unique, optional) lets a periodic job write one reminder exactly once.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(sa.String(30))
    params: Mapped[str] = mapped_column(sa.Text, default="{}")
    link: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(100), unique=True)

    __table_args__ = (sa.Index("ix_notification_user_unread", "user_id", "read_at", "created_at"),)

    @property
    def values(self) -> dict:
        """``params`` as a dict."""
        return json.loads(self.params or "{}")

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class SmsMessage(db.Model):
    """A text message waiting to be sent, or the record of one sent (``flask notify send`` drains them).

    ``text`` was rendered in the receiver's language when it was queued; ``params`` are the values a
    provider's template takes. ``urgent`` messages may be sent in quiet hours. ``status``: pending →
    sending (claimed by one sender) → sent, or back to pending after a failure (``attempts``,
    ``next_attempt_at``), given_up after too many, failed when a sender died mid-send, skipped (daily cap,
    or out of date: an offer whose hold ended before it could go).
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    notification_id: Mapped[int | None] = mapped_column(sa.ForeignKey("notification.id"))
    kind: Mapped[str] = mapped_column(sa.String(30))
    phone: Mapped[str] = mapped_column(sa.String(11))
    text: Mapped[str] = mapped_column(sa.String(500))
    params: Mapped[str] = mapped_column(sa.Text, default="{}")
    urgent: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    status: Mapped[str] = mapped_column(sa.String(10), default="pending", server_default="pending")
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        sa.CheckConstraint(sa.column("status").in_(SMS_STATUSES), name="status"),
        sa.CheckConstraint("attempts >= 0", name="attempts"),
        sa.Index("ix_sms_message_due", "status", "next_attempt_at"),
    )

    @property
    def values(self) -> dict:
        return json.loads(self.params or "{}")

    @property
    def masked_phone(self) -> str:
        """The phone as an admin may see it, e.g. ``138****5678``."""
        return mask_phone(self.phone)


class NotificationPreference(db.Model):
    """A user's choice for one SMS-capable kind: also by SMS (``sms``) or inbox only. No row: the default."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(sa.String(30))
    sms: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (sa.UniqueConstraint("user_id", "kind"),)
