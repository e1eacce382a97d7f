"""Draining the SMS outbox (``flask notify send``): at most once per message, with retries, quiet hours and
a daily cap per user. Safe to run on several machines at once: state lives in the rows.

A sender claims a message with a conditional ``UPDATE … SET status = 'sending' WHERE status = 'pending'``
whose row count it checks, and commits the claim before calling the provider, so two senders never send
one message. A message still ``sending`` long after its claim belongs to a sender that died mid-send: it
may have gone out, so it becomes ``failed`` and is not retried. These functions commit (each step of a
message is its own transaction); only the command calls them.
"""

import json
from collections import Counter
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app

from accounts import sms
from core.db import update_rows
from core.text import mask_phone
from core.timeutil import at_local, local_day_span, local_today, to_local, utcnow
from extensions import db
from notifications import kinds
from notifications.models import Notification, SmsMessage

BACKOFF_MINUTES = (1, 5, 30, 120)  # after the 1st, 2nd, 3rd, 4th and later failures
STALE_CLAIM = timedelta(minutes=10)
INTERRUPTED = "interrupted; not retried to avoid a duplicate"
DAILY_CAP = "daily cap"
OUT_OF_DATE = "out of date"  # an offer whose hold ended, a reminder of a task that started, before sending
BATCH = 200


def quiet_hours(setting: str | None) -> tuple[time, time] | None:
    """``"22:00-07:00"`` as ``(start, end)`` local times; ``None`` when empty or start equals end.
    Raises ``ValueError`` for anything else."""
    if not (setting or "").strip():
        return None
    start_text, _, end_text = setting.strip().partition("-")
    start, end = time.fromisoformat(start_text.strip()), time.fromisoformat(end_text.strip())
    return None if start == end else (start, end)


def quiet_until(now: datetime, hours: tuple[time, time] | None) -> datetime | None:
    """The end of the quiet hours that ``now`` (aware UTC) falls in, as aware UTC; ``None`` outside them."""
    if hours is None:
        return None
    start, end = hours
    local = to_local(now)
    clock = local.time().replace(tzinfo=None)
    inside = (start <= clock < end) if start < end else (clock >= start or clock < end)
    if not inside:
        return None
    day = local.date()
    until = at_local(day, end.hour, end.minute)
    return until if until > now else at_local(day + timedelta(days=1), end.hour, end.minute)


def backoff(attempts: int) -> timedelta:
    """The wait before the next try after ``attempts`` failed ones (1 → 1 minute … 4 and more → 2 hours)."""
    return timedelta(minutes=BACKOFF_MINUTES[min(max(attempts, 1), len(BACKOFF_MINUTES)) - 1])


def fail_interrupted(*, now: datetime) -> int:
    """Mark messages claimed more than :data:`STALE_CLAIM` ago and still ``sending`` as ``failed``; return
    how many (their sender died: the provider may have sent them, so no retry)."""
    count = update_rows(sa.update(SmsMessage).where(SmsMessage.status == "sending",
                                                    SmsMessage.claimed_at < now - STALE_CLAIM)
                        .values(status="failed", last_error=INTERRUPTED))
    db.session.commit()
    return count


def due_ids(*, now: datetime, limit: int = BATCH) -> list[int]:
    """Ids of pending messages due at ``now``, oldest due first."""
    return list(db.session.scalars(sa.select(SmsMessage.id).where(
        SmsMessage.status == "pending", SmsMessage.next_attempt_at <= now)
        .order_by(SmsMessage.next_attempt_at, SmsMessage.id).limit(limit)))


def sent_today(*, user_id: int, now: datetime, besides: int) -> int:
    """Messages of ``user_id`` sent on the local day of ``now``, and those being sent by another sender that
    are older than ``besides`` (so of two senders at the cap at once, the older message goes and the newer
    is skipped; counting each other, both were skipped)."""
    start, end = local_day_span(local_today(now))
    sent = sa.and_(SmsMessage.status == "sent", SmsMessage.sent_at >= start, SmsMessage.sent_at < end)
    sending = sa.and_(SmsMessage.status == "sending", SmsMessage.claimed_at >= start, SmsMessage.claimed_at < end,
                      SmsMessage.id < besides)
    return db.session.scalar(sa.select(sa.func.count()).select_from(SmsMessage).where(
        SmsMessage.user_id == user_id, SmsMessage.id != besides, sa.or_(sent, sending))) or 0


def out_of_date(message: SmsMessage, now: datetime) -> bool:
    """True when what ``message`` tells is over at ``now`` (held "until 23:15" and sent at 07:00 after the
    quiet hours or a retry): see :func:`notifications.kinds.over_at`."""
    if message.notification_id is None:
        return False
    stored = db.session.scalar(sa.select(Notification.params).where(Notification.id == message.notification_id))
    try:
        params = json.loads(stored or "{}")
    except ValueError:
        return False
    over = kinds.over_at(message.kind, params) if isinstance(params, dict) else None
    return over is not None and over <= now


def _pending(message_id: int):
    return sa.update(SmsMessage).where(SmsMessage.id == message_id, SmsMessage.status == "pending")


def _sending(message_id: int):
    return sa.update(SmsMessage).where(SmsMessage.id == message_id, SmsMessage.status == "sending")


def process(message_id: int, *, now: datetime) -> str:
    """Take one due message through one step and commit; return what happened: ``sent``, ``retry``,
    ``given_up``, ``postponed`` (quiet hours), ``skipped`` (daily cap, or out of date: :func:`out_of_date`) or
    ``taken`` (another sender had it)."""
    config = current_app.config
    message = db.session.get(SmsMessage, message_id)
    if message is None or message.status != "pending":
        db.session.rollback()
        return "taken"
    until = None if message.urgent else quiet_until(now, quiet_hours(config["NOTIFY_QUIET_HOURS"]))
    if until is not None:
        moved = update_rows(_pending(message_id).values(next_attempt_at=until))
        db.session.commit()
        return "postponed" if moved else "taken"
    claimed = update_rows(_pending(message_id).where(SmsMessage.next_attempt_at <= now)
                          .values(status="sending", claimed_at=now))
    db.session.commit()  # the claim is ours before the provider hears of it
    if not claimed:
        return "taken"
    db.session.refresh(message)
    where = f"SMS {message.id} to {mask_phone(message.phone)} ({message.kind})"
    if out_of_date(message, now):
        update_rows(_sending(message_id).values(status="skipped", last_error=OUT_OF_DATE))
        db.session.commit()
        current_app.logger.info("%s skipped: out of date", where)
        return "skipped"
    if sent_today(user_id=message.user_id, now=now, besides=message.id) >= int(config["NOTIFY_SMS_DAILY_CAP"]):
        update_rows(_sending(message_id).values(status="skipped", last_error=DAILY_CAP))
        db.session.commit()
        current_app.logger.info("%s skipped: daily cap", where)
        return "skipped"
    try:
        sms.send_text(phone=message.phone, purpose=message.kind, text=message.text, params=message.values)
    except sms.SmsNotSent as error:
        attempts = message.attempts + 1
        reason = str(error.details.get("reason") or "not sent")[:200]
        if attempts >= int(config["NOTIFY_SMS_MAX_ATTEMPTS"]):
            update_rows(_sending(message_id).values(status="given_up", attempts=attempts, last_error=reason))
            outcome = "given_up"
        else:
            update_rows(_sending(message_id).values(status="pending", attempts=attempts, last_error=reason,
                                                    next_attempt_at=now + backoff(attempts)))
            outcome = "retry"
        db.session.commit()
        current_app.logger.warning("%s attempt %d failed (%s): %s", where, attempts, outcome, reason)
        return outcome
    update_rows(_sending(message_id).values(status="sent", sent_at=now, attempts=message.attempts + 1,
                                            last_error=""))
    db.session.commit()
    current_app.logger.info("%s sent (attempt %d)", where, message.attempts + 1)
    return "sent"


def drain(*, now: datetime | None = None) -> Counter:
    """Send every due message once (``now`` fixed for the run); return the outcomes counted, with
    ``interrupted`` for the stale claims failed first."""
    now = now or utcnow()
    outcomes = Counter(interrupted=fail_interrupted(now=now))
    seen: set[int] = set()
    while True:
        batch = [message_id for message_id in due_ids(now=now) if message_id not in seen]
        db.session.rollback()
        if not batch:
            return outcomes
        for message_id in batch:
            seen.add(message_id)
            outcomes[process(message_id, now=now)] += 1
