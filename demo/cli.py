"""``flask demo load``: fill an empty database with the demo."""

import random

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from accounts.models import User
from demo.load import load_demo
from extensions import db


@click.group("demo")
def demo_cli():
    """Demo data."""


@demo_cli.command("load")
@click.option("--seed", default=2022, help="Random seed, for the same demo every time.")
@with_appcontext
def load_command(seed: int):
    """Fill an EMPTY database with demo data for Zhangjiagang (does nothing if any account exists)."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(User)):
        click.echo("the database already has accounts; demo data not loaded")
        return
    counts = load_demo(random.Random(seed))
    db.session.commit()
    click.echo("demo data loaded: " + ", ".join(f"{n} {what}" for what, n in counts.items()))
