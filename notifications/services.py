"""Use cases of notifications: writing one (inbox row, and an SMS when wanted), reading, preferences.

Every function flushes and never commits: a notification is written in the transaction of the event
it tells about, so it exists exactly when the event was committed (DESIGN.md, invariant 9).
"""

import json
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale

from accounts.models import User
from core.db import insert_ignoring_conflicts, update_rows
from core.timeutil import utcnow
from extensions import db
from notifications import kinds
from notifications.models import Notification, NotificationPreference, SmsMessage


def notify(*, user_id: int, kind: str, params: dict | None = None, link: str = "", dedupe_key: str | None = None,
           urgent: bool = False, now: datetime | None = None) -> Notification | None:
    """Write a notification of ``kind`` (:data:`notifications.kinds.KINDS`) with ``params`` (exactly the
    kind's names; datetimes aware) for ``user_id`` in the current transaction; return it.

    ``link`` is a local path (``/tasks/12``). With ``dedupe_key`` (at most 100 characters) a second
    notification with the same key writes nothing and returns ``None``, atomically (a periodic job run
    twice at once). When the kind may go by SMS, the user's preference allows it and the user is active
    with a phone, an SMS is queued too, its text rendered in the user's language; ``urgent`` lets it
    break quiet hours (a place offered for a task starting within the hour).
    Raises ``ValueError`` for an unknown kind, wrong parameters or an unknown user.
    """
    spec = kinds.get(kind)
    values = kinds.clean_params(spec, params)
    user = db.session.get(User, user_id)
    if user is None:
        raise ValueError(f"no user {user_id}")
    now = now or utcnow()
    row = {"user_id": user_id, "kind": kind, "params": json.dumps(values, ensure_ascii=False, sort_keys=True),
           "link": link[:300], "created_at": now}
    if dedupe_key is not None:
        new_id = insert_ignoring_conflicts(Notification.__table__, dedupe_key=dedupe_key[:100], **row)
        if new_id is None:
            return None
        notification = db.session.get(Notification, new_id)
    else:
        notification = Notification(**row)
        db.session.add(notification)
        db.session.flush()
    if spec.may_sms and user.active and user.deleted_at is None and user.phone and sms_wanted(user_id, spec):
        _queue_sms(user=user, notification=notification, spec=spec, values=values, urgent=urgent, now=now)
    return notification


def sms_wanted(user_id: int, spec: kinds.Kind) -> bool:
    """True when ``user_id`` wants ``spec`` by SMS: their stored choice, else the kind's default."""
    if not spec.may_sms:
        return False
    chosen = db.session.scalar(sa.select(NotificationPreference.sms).where(
        NotificationPreference.user_id == user_id, NotificationPreference.kind == spec.name))
    return spec.sms_default if chosen is None else bool(chosen)


def _queue_sms(*, user: User, notification: Notification, spec: kinds.Kind, values: dict, urgent: bool,
               now: datetime) -> SmsMessage:
    """Queue the SMS of ``notification``, its text and template values (in the kind's order, as strings) in
    the user's language."""
    with force_locale(user.language or current_app.config["BABEL_DEFAULT_LOCALE"]):
        shown = kinds.display_values(values)
        text = spec.body(shown)
    template_values = {name: str(shown[name]) for name in spec.params}
    message = SmsMessage(user_id=user.id, notification_id=notification.id, kind=spec.name, phone=user.phone,
                         text=text[:500], params=json.dumps(template_values, ensure_ascii=False),
                         urgent=urgent, status="pending", attempts=0, next_attempt_at=now, created_at=now)
    db.session.add(message)
    db.session.flush()
    return message


def unread_count(user_id: int) -> int:
    """How many notifications of ``user_id`` are unread."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def mark_all_read(*, user_id: int, now: datetime | None = None) -> int:
    """Mark every unread notification of ``user_id`` read at ``now``; return how many were unread."""
    return update_rows(sa.update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
                       .values(read_at=now or utcnow()))


def mark_read(*, notification_id: int, user_id: int, now: datetime | None = None) -> Notification | None:
    """Mark notification ``notification_id`` read (once: the first reading time stays) if it belongs to
    ``user_id``, and return it; ``None`` when it does not exist or is another user's."""
    notification = db.session.scalar(sa.select(Notification).where(Notification.id == notification_id,
                                                                   Notification.user_id == user_id))
    if notification is None:
        return None
    if notification.read_at is None:
        update_rows(sa.update(Notification).where(Notification.id == notification_id, Notification.read_at.is_(None))
                    .values(read_at=now or utcnow()))
        db.session.refresh(notification)
    return notification


def sms_choices(user_id: int) -> dict[str, bool]:
    """``{kind: also by SMS}`` for every SMS-capable kind: the user's choices, else the defaults."""
    chosen = dict(db.session.execute(sa.select(NotificationPreference.kind, NotificationPreference.sms).where(
        NotificationPreference.user_id == user_id)).all())
    return {spec.name: bool(chosen.get(spec.name, spec.sms_default)) for spec in kinds.SMS_KINDS}


def set_sms_choices(*, user_id: int, choices: dict[str, bool]) -> None:
    """Store ``user_id``'s choice per SMS-capable kind (``{kind: also by SMS}``; kinds not named keep theirs).

    Raises ``ValueError`` for a kind that cannot go by SMS.
    """
    for kind, wanted in choices.items():
        if not kinds.get(kind).may_sms:
            raise ValueError(f"{kind} cannot go by SMS")
        insert_ignoring_conflicts(NotificationPreference.__table__, user_id=user_id, kind=kind, sms=bool(wanted))
        update_rows(sa.update(NotificationPreference).where(NotificationPreference.user_id == user_id,
                                                            NotificationPreference.kind == kind)
                    .values(sms=bool(wanted)))
