"""``flask notify send`` drains the outbox and says what happened; ``flask notify remind`` runs every
registered reminder, commits each, and prints the counts; a reminder with a dedupe key writes once."""

import logging
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from accounts import sms
from notifications import reminders
from notifications.models import Notification, SmsMessage
from notifications.services import notify

STARTS = datetime(2026, 12, 9, 1, 30, tzinfo=UTC)


def test_notify_send_sends_each_due_message_once_and_prints_a_summary(app, world, ctx, monkeypatch, caplog):
    app.config["NOTIFY_QUIET_HOURS"] = ""  # whatever the hour the test runs at
    sent = []
    monkeypatch.setitem(sms.BACKENDS, "console", lambda **message: sent.append(message))
    with ctx() as session:
        for title in ("路口劝导", "社区清扫"):
            notify(user_id=world.rider, kind="task_cancelled", params={"title": title, "starts_at": STARTS})
        session.commit()
    runner = app.test_cli_runner()
    with caplog.at_level(logging.INFO):
        first = runner.invoke(args=["notify", "send"])
    second = runner.invoke(args=["notify", "send"])
    assert first.exit_code == 0 and "sent 2, retry 0, given up 0, postponed 0, skipped 0" in first.output
    assert "sent 0," in second.output and len(sent) == 2
    masked = f"{world.rider_phone[:3]}****{world.rider_phone[-4:]}"
    assert f"to {masked} (task_cancelled) sent" in caplog.text and world.rider_phone not in caplog.text
    with ctx() as session:
        assert set(session.scalars(sa.select(SmsMessage.status))) == {"sent"}


def test_notify_remind_runs_every_registered_reminder_once_per_key(app, world, ctx, monkeypatch):
    def remind_riders(*, now):
        written = notify(user_id=world.rider, kind="task_reminder", dedupe_key="reminder:task:1:rider",
                         params={"title": "路口劝导", "starts_at": STARTS, "place": "步行街北口"}, now=now)
        return 1 if written else 0

    def remind_nobody(*, now):
        return 0

    monkeypatch.setattr(reminders, "REMINDERS", [])
    reminders.register_reminder(remind_riders)
    reminders.register_reminder(remind_riders)  # registering twice (a module imported again) runs it once
    reminders.register_reminder(remind_nobody)
    runner = app.test_cli_runner()
    first, second = runner.invoke(args=["notify", "remind"]), runner.invoke(args=["notify", "remind"])
    assert first.exit_code == 0, first.output
    assert "remind_riders: 1" in first.output and "remind_nobody: 0" in first.output
    assert "reminders written: 1" in first.output and "reminders written: 0" in second.output
    with ctx() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 1
        assert session.scalar(sa.select(sa.func.count()).select_from(SmsMessage)) == 1


def test_unreadable_quiet_hours_stop_the_app_at_start_not_every_text_message_later(make_app):
    for setting in ("22-7", "22:00~07:00", "late"):
        with pytest.raises(RuntimeError, match="NOTIFY_QUIET_HOURS"):
            make_app(NOTIFY_QUIET_HOURS=setting)
    for setting in ("", "23:30-06:00"):  # none, or across midnight
        assert make_app(NOTIFY_QUIET_HOURS=setting).config["NOTIFY_QUIET_HOURS"] == setting
