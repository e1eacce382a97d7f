"""``flask recognition levels``: re-check every rider's volunteer level (cron, or after changing the ladder)."""

import click
from flask.cli import with_appcontext

from core.timeutil import utcnow
from extensions import db
from recognition import levels


@click.group("recognition")
def recognition_cli():
    """Recognition maintenance."""


@recognition_cli.command("levels")
@with_appcontext
def levels_command():
    """Record a level change (and notify the rider) for every rider whose verified lifetime hours no longer
    match their recorded level, e.g. after ``LEVEL_LADDER_HOURS`` changed.

    One rider at a time, committed at once. Idempotent and safe on several machines at once: each change has
    a unique key naming the change before it, so a change another run recorded a moment ago is not repeated.
    """
    changed = checked = 0
    for rider_id in levels.riders_to_check():
        if levels.recheck_level(rider_id=rider_id, now=utcnow()) is not None:
            changed += 1
        db.session.commit()
        checked += 1
    click.echo(f"{checked} rider(s) checked, {changed} level change(s) recorded")
