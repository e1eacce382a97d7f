"""``flask vouchers expire``: expire overdue vouchers and refund their points, exactly once each."""

import click
from flask.cli import with_appcontext

from core.timeutil import utcnow
from extensions import db
from rewards import queries, vouchers


@click.group("vouchers")
def vouchers_cli():
    """Voucher maintenance."""


@vouchers_cli.command("expire")
@with_appcontext
def expire_command():
    """Expire every issued voucher past its expiry and refund it. Safe to run twice at once (cron)."""
    expired = 0
    while True:
        due = queries.due_for_expiry(now=utcnow())
        if not due:
            break
        for voucher in due:
            if vouchers.expire_voucher(voucher):
                expired += 1
            db.session.commit()
        if len(due) < 500:
            break
    click.echo(f"expired and refunded {expired} voucher(s)")
