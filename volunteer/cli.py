"""``flask signups expire-holds``: lapse ended holds and offer the freed places to the next riders (cron)."""

import click
from flask.cli import with_appcontext

from core.timeutil import utcnow
from extensions import db
from volunteer import holds

BATCH = 500  # tasks per query


@click.group("signups")
def signups_cli():
    """Sign-up maintenance."""


@signups_cli.command("expire-holds")
@with_appcontext
def expire_holds_command():
    """Lapse every hold whose time is over and offer each freed place to the next waiting rider; then offer
    the places left free while every waiting rider was busy elsewhere, to one who is free again.

    One task at a time, under its lock, committed at once: safe to run every minute from cron on several
    machines at once (a task another run handled a moment ago has nothing left to lapse).
    """
    lapsed = offered = 0
    done = set()
    while True:
        due = [task_id for task_id in holds.tasks_with_ended_holds(utcnow(), limit=BATCH) if task_id not in done]
        if not due:
            break
        for task_id in due:
            counts = holds.expire_holds(task_id, utcnow())
            db.session.commit()
            lapsed, offered = lapsed + counts[0], offered + counts[1]
            done.add(task_id)
    for task_id in holds.tasks_with_free_places_and_waitlist(utcnow(), limit=BATCH):
        if task_id not in done:  # not to a rider whose hold lapsed just now: next run
            offered += holds.offer_free_places(task_id, utcnow())  # a passed-over rider may be free by now
            db.session.commit()
    click.echo(f"{lapsed} hold(s) lapsed, {offered} new offer(s) made")
