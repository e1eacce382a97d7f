"""The SMS outbox: each message is sent at most once; failures are retried after a back-off and given up
after NOTIFY_SMS_MAX_ATTEMPTS; quiet hours postpone all but urgent messages; a daily cap per user; a
sender that died mid-send leaves its message failed, not sent twice. The clock is passed in."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from accounts import sms
from notifications import outbox, services
from notifications.models import SmsMessage
from tests.factories import make_user

NOON = datetime(2026, 12, 3, 4, 0, tzinfo=UTC)  # 12:00 in Zhangjiagang
NIGHT = datetime(2026, 12, 3, 15, 30, tzinfo=UTC)  # 23:30 there
SEVEN_AM = datetime(2026, 12, 3, 23, 0, tzinfo=UTC)  # 07:00 the next local morning
STARTS = datetime(2026, 12, 9, 1, 30, tzinfo=UTC)


@pytest.fixture
def provider(monkeypatch):
    """The console backend replaced by a fake that records each message and fails while ``failures`` > 0."""

    class Provider:
        def __init__(self):
            self.sent, self.failures = [], 0

        def __call__(self, **message):
            if self.failures:
                self.failures -= 1
                raise sms.SmsNotSent("provider down")
            self.sent.append(message)

    fake = Provider()
    monkeypatch.setitem(sms.BACKENDS, "console", fake)
    return fake


def queue(session, user=None, *, now=NOON, urgent=False, title="路口劝导"):
    user = user or make_user(language="zh")
    services.notify(user_id=user.id, kind="task_cancelled", params={"title": title, "starts_at": STARTS},
                    urgent=urgent, now=now)
    session.commit()
    return session.scalars(sa.select(SmsMessage).order_by(SmsMessage.id.desc())).first().id


def state(session, message_id):
    session.expire_all()
    message = session.get(SmsMessage, message_id)
    return message.status, message.attempts, message.next_attempt_at, message.last_error


def test_a_due_message_is_sent_once_with_its_text_and_params(session, provider):
    message_id = queue(session)
    assert outbox.drain(now=NOON)["sent"] == 1
    assert outbox.drain(now=NOON + timedelta(minutes=1))["sent"] == 0
    [sent] = provider.sent
    assert sent["purpose"] == "task_cancelled" and "路口劝导" in sent["text"]
    assert sent["params"] == {"title": "路口劝导", "starts_at": "12月9日 周三 09:30"}
    session.expire_all()
    assert session.get(SmsMessage, message_id).sent_at == NOON and state(session, message_id)[:2] == ("sent", 1)


def test_failures_back_off_1_5_30_120_minutes_then_give_up_after_5_attempts(session, provider):
    message_id = queue(session)
    provider.failures = 99
    t, waits = NOON, []
    for tried in range(1, 5):
        assert outbox.drain(now=t)["retry"] == 1
        status, attempts, next_at, error = state(session, message_id)
        assert (status, attempts, error) == ("pending", tried, "provider down")
        waits.append(next_at - t)
        assert outbox.drain(now=next_at - timedelta(seconds=1))["retry"] == 0  # not due yet
        t = next_at
    assert waits == [timedelta(minutes=m) for m in (1, 5, 30, 120)]
    assert outbox.drain(now=t)["given_up"] == 1
    assert state(session, message_id)[:2] == ("given_up", 5)
    assert outbox.drain(now=t + timedelta(days=1))["given_up"] == 0 and provider.sent == []


def test_a_retry_that_works_is_sent(session, provider):
    message_id = queue(session)
    provider.failures = 1
    assert outbox.drain(now=NOON)["retry"] == 1
    assert outbox.drain(now=NOON + timedelta(minutes=1))["sent"] == 1
    assert state(session, message_id)[:2] == ("sent", 2) and len(provider.sent) == 1


def test_quiet_hours_postpone_a_message_to_their_end_but_not_an_urgent_one(session, provider):
    calm = queue(session, now=NIGHT)
    urgent = queue(session, now=NIGHT, urgent=True)
    outcomes = outbox.drain(now=NIGHT)
    assert (outcomes["postponed"], outcomes["sent"]) == (1, 1)
    assert state(session, calm)[:3] == ("pending", 0, SEVEN_AM) and state(session, urgent)[0] == "sent"
    assert outbox.drain(now=SEVEN_AM)["sent"] == 1 and state(session, calm)[0] == "sent"


def test_an_early_morning_message_waits_until_seven_the_same_day(session, provider, app):
    message_id = queue(session, now=SEVEN_AM - timedelta(hours=2))
    assert outbox.drain(now=SEVEN_AM - timedelta(hours=2))["postponed"] == 1
    assert state(session, message_id)[2] == SEVEN_AM
    app.config["NOTIFY_QUIET_HOURS"] = ""  # none configured: sent at once
    assert outbox.drain(now=SEVEN_AM - timedelta(hours=2))["sent"] == 0  # already postponed
    assert outbox.drain(now=SEVEN_AM)["sent"] == 1


def test_beyond_the_daily_cap_a_message_is_skipped_and_the_next_day_counts_afresh(session, provider, app):
    app.config["NOTIFY_SMS_DAILY_CAP"] = 2
    rider, other = make_user(), make_user()
    ids = [queue(session, rider, title=f"任务{i}") for i in range(3)]
    theirs = queue(session, other)
    outcomes = outbox.drain(now=NOON)
    assert (outcomes["sent"], outcomes["skipped"]) == (3, 1)
    assert [state(session, i)[0] for i in ids] == ["sent", "sent", "skipped"]
    assert state(session, ids[2])[3] == "daily cap" and state(session, theirs)[0] == "sent"
    tomorrow = queue(session, rider, now=NOON + timedelta(days=1))
    assert outbox.drain(now=NOON + timedelta(days=1))["sent"] == 1 and state(session, tomorrow)[0] == "sent"


def test_a_message_left_sending_by_a_dead_sender_fails_and_is_not_sent_again(session, provider):
    stale, fresh = queue(session), queue(session)
    session.execute(sa.update(SmsMessage).where(SmsMessage.id == stale)
                    .values(status="sending", claimed_at=NOON - timedelta(minutes=11)))
    session.execute(sa.update(SmsMessage).where(SmsMessage.id == fresh)
                    .values(status="sending", claimed_at=NOON - timedelta(minutes=9)))
    session.commit()
    assert outbox.drain(now=NOON)["interrupted"] == 1
    assert state(session, stale)[0::3] == ("failed", outbox.INTERRUPTED)
    assert state(session, fresh)[0] == "sending" and provider.sent == []


def test_a_message_claimed_by_another_sender_is_left_to_it(session, provider):
    message_id = queue(session)
    ids = outbox.due_ids(now=NOON)
    session.execute(sa.update(SmsMessage).where(SmsMessage.id == message_id).values(status="sending", claimed_at=NOON))
    session.commit()
    assert ids == [message_id] and outbox.process(message_id, now=NOON) == "taken" and provider.sent == []


def test_quiet_hours_setting_is_parsed_and_a_bad_one_refused():
    assert outbox.quiet_hours("22:00-07:00") == (datetime(1, 1, 1, 22).time(), datetime(1, 1, 1, 7).time())
    assert outbox.quiet_hours("") is None and outbox.quiet_hours("08:00-08:00") is None
    with pytest.raises(ValueError):
        outbox.quiet_hours("late")


def offer(session, *, now, hold_until):
    rider = make_user(language="zh")
    services.notify(user_id=rider.id, kind="place_offered", now=now,
                    params={"title": "路口劝导", "starts_at": STARTS, "hold_until": hold_until})
    session.commit()
    return session.scalars(sa.select(SmsMessage).order_by(SmsMessage.id.desc())).first().id


def test_an_offer_whose_hold_ended_in_the_quiet_hours_is_not_sent_in_the_morning(session, provider):
    late = offer(session, now=NIGHT, hold_until=NIGHT + timedelta(minutes=15))
    assert outbox.drain(now=NIGHT)["postponed"] == 1
    outcomes = outbox.drain(now=SEVEN_AM)
    assert (outcomes["sent"], outcomes["skipped"]) == (0, 1) and provider.sent == []
    assert state(session, late)[0] == "skipped" and state(session, late)[3] == "out of date"


def test_an_offer_still_held_is_sent_and_a_retry_after_the_hold_is_not(session, provider):
    held = offer(session, now=NOON, hold_until=NOON + timedelta(minutes=15))
    assert outbox.drain(now=NOON)["sent"] == 1 and "路口劝导" in provider.sent[0]["text"]
    provider.failures = 1
    retried = offer(session, now=NOON, hold_until=NOON + timedelta(minutes=15))
    assert outbox.drain(now=NOON)["retry"] == 1
    assert outbox.drain(now=NOON + timedelta(minutes=16))["skipped"] == 1
    assert state(session, held)[0] == "sent" and state(session, retried)[0] == "skipped" and len(provider.sent) == 1


def test_two_senders_at_the_daily_cap_at_once_send_the_older_message_not_none(session, provider, app):
    app.config["NOTIFY_SMS_DAILY_CAP"] = 1
    rider = make_user()
    older, newer = queue(session, rider, title="任务一"), queue(session, rider, title="任务二")
    session.execute(sa.update(SmsMessage).where(SmsMessage.id == newer)  # another sender claimed the newer one
                    .values(status="sending", claimed_at=NOON))
    session.commit()
    assert outbox.process(older, now=NOON) == "sent"
    session.execute(sa.update(SmsMessage).where(SmsMessage.id == older).values(status="sending", sent_at=None))
    session.execute(sa.update(SmsMessage).where(SmsMessage.id == newer).values(status="pending"))
    session.commit()  # the other way round: the older one is being sent elsewhere, so the newer is skipped
    assert outbox.process(newer, now=NOON) == "skipped" and state(session, newer)[3] == "daily cap"
