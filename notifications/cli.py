"""``flask notify send`` (drain the SMS outbox) and ``flask notify remind`` (run the registered reminders).

Both are meant for cron on several machines at once: ``send`` every minute, ``remind`` every few minutes.
"""

import logging

import click
from flask import current_app
from flask.cli import with_appcontext

from core.timeutil import utcnow
from extensions import db
from notifications import outbox, reminders

OUTCOMES = ("sent", "retry", "given_up", "postponed", "skipped", "interrupted", "taken")


@click.group("notify")
def notify_cli():
    """Notifications: sending text messages, writing reminders."""


@notify_cli.command("send")
@with_appcontext
def send_command():
    """Send the due text messages (each at most once); retry failures later; keep quiet hours and the cap."""
    if current_app.logger.level == logging.NOTSET:
        current_app.logger.setLevel(logging.INFO)  # one line per attempt (phones masked) for cron's mail or log
    outcomes = outbox.drain(now=utcnow())
    click.echo(", ".join(f"{name.replace('_', ' ')} {outcomes.get(name, 0)}" for name in OUTCOMES))


@notify_cli.command("remind")
@with_appcontext
def remind_command():
    """Run every registered reminder once, committing after each; print how many notifications each wrote."""
    now = utcnow()
    total = 0
    for fn in list(reminders.REMINDERS):
        try:
            written = reminders.run_reminder(fn, now=now)
        except Exception:
            db.session.rollback()
            raise
        db.session.commit()
        total += written
        click.echo(f"{reminders.reminder_name(fn)}: {written}")
    click.echo(f"reminders written: {total}")
