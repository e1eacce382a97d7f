"""Fixtures and helpers shared by the migration tests."""

import os
import secrets

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app import create_app
from extensions import db
from tests.conftest import BASE_CONFIG

MIGRATIONS = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", "migrations"))


@pytest.fixture
def empty_app(database, tmp_path):
    """An app on a brand-new EMPTY database of the kind under test."""
    kind, template = database
    if kind == "sqlite":
        url, drop = f"sqlite:///{tmp_path / 'empty.db'}", None
    else:
        name = f"nuanxin_empty_{secrets.token_hex(4)}"
        admin = sa.create_engine(sa.make_url(template).set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = sa.make_url(template).set(database=name).render_as_string(hide_password=False)

        def drop():
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    yield app
    with app.app_context():
        db.engine.dispose()
    if drop:
        drop()


def tables(app) -> set[str]:
    with app.app_context():
        return set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}


def schema_diff(app) -> list:
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
        return compare_metadata(context, db.metadata)


@pytest.fixture
def coordinator(world, make_client):
    """A browser logged in as the coordinator of the world's organisation."""
    return make_client(world.coordinator)


def count(ctx, model) -> int:
    """How many rows of ``model`` the database holds."""
    with ctx() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def signed_up(world, ctx):
    """The world's task (3 places) with the first rider confirmed; returns the sign-up's id."""
    from accounts.models import User
    from volunteer import services
    from volunteer.models import Task

    with ctx() as session:
        signup = services.sign_up(task=session.get(Task, world.task), rider=session.get(User, world.rider))
        session.commit()
        return signup.id
