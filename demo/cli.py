"""``flask demo load`` fills an empty database with the demo; ``flask demo reset`` wipes it and loads it again."""

import random

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade

from accounts.models import User
from demo.load import load_demo
from extensions import db


@click.group("demo")
def demo_cli():
    """Demo data."""


def _load(seed: int) -> None:
    counts = load_demo(random.Random(seed))
    db.session.commit()
    click.echo("demo data loaded: " + ", ".join(f"{n} {what}" for what, n in counts.items()))


@demo_cli.command("load")
@click.option("--seed", default=2022, help="Random seed, for the same demo every time.")
@with_appcontext
def load_command(seed: int):
    """Fill an EMPTY database with demo data for Zhangjiagang (does nothing if any account exists)."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(User)):
        click.echo("the database already has accounts; demo data not loaded")
        return
    _load(seed)


DROP_TRIGGER_FUNCTIONS = """
DO $$ DECLARE f record; BEGIN
  FOR f IN SELECT p.oid::regprocedure AS signature FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = current_schema() AND p.prorettype = 'trigger'::regtype LOOP
    EXECUTE 'DROP FUNCTION ' || f.signature || ' CASCADE';
  END LOOP;
END $$
"""


def wipe_database() -> None:
    """Drop every table (and, on PostgreSQL, the trigger functions of the append-only guards), then migrate
    up to the newest revision, so the guards come back and the schema is exactly the migrated one.

    Dropping rather than downgrading: a downgrade rightly refuses to drop history such as reversals."""
    db.session.remove()
    with db.engine.begin() as conn:
        tables = sa.MetaData()
        tables.reflect(bind=conn)
        tables.drop_all(bind=conn)
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text(DROP_TRIGGER_FUNCTIONS))
    upgrade()
    db.session.remove()


@demo_cli.command("reset")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--seed", default=2022, help="Random seed, for the same demo every time.")
@with_appcontext
def reset_command(yes: bool, seed: int):
    """WIPE the whole database and load the demo again, with times relative to now.

    Asks for confirmation unless ``--yes``; refused when ``NUANXIN_ENV=production``.
    """
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("refused: NUANXIN_ENV=production (demo reset deletes every row)")
    url = db.engine.url.render_as_string(hide_password=True)
    if not yes:
        click.confirm(f"This deletes EVERY account, task, voucher and journal entry in {url}. Continue?",
                      abort=True)
    wipe_database()
    _load(seed)
