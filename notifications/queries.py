"""Reads of notifications that pages share: the inbox, one page at a time."""

import sqlalchemy as sa

from extensions import db
from notifications.models import SMS_STATUSES, Notification, SmsMessage

PER_PAGE = 20


def inbox(user_id: int, page: int = 1, per_page: int = PER_PAGE):
    """``user_id``'s notifications, newest first, as a Flask-SQLAlchemy pagination (``.items``,
    ``.has_next``, …); a page past the end is empty, not an error."""
    query = sa.select(Notification).where(Notification.user_id == user_id).order_by(
        Notification.created_at.desc(), Notification.id.desc())
    return db.paginate(query, page=max(page, 1), per_page=per_page, error_out=False, count=True)


def outbox_counts() -> dict[str, int]:
    """``{status: number of messages}`` of the SMS outbox (every status, zeros included)."""
    counts = dict(db.session.execute(sa.select(SmsMessage.status, sa.func.count()).group_by(SmsMessage.status)).all())
    return {status: counts.get(status, 0) for status in SMS_STATUSES}


def latest_messages(limit: int = 50) -> list[SmsMessage]:
    """The newest ``limit`` messages of the outbox."""
    return list(db.session.scalars(sa.select(SmsMessage).order_by(SmsMessage.id.desc()).limit(limit)))
