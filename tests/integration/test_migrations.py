"""Migrations create the schema from nothing, step down and up again, and agree with the models."""

import os
import secrets

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app import create_app
from extensions import db
from tests.conftest import BASE_CONFIG

MIGRATIONS = os.path.join(os.path.dirname(__file__), "..", "..", "migrations")


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


def test_upgrade_from_empty_creates_every_table_of_the_models(empty_app):
    assert tables(empty_app) == set()
    with empty_app.app_context():
        upgrade(directory=MIGRATIONS)
    assert tables(empty_app) == {t.name for t in db.metadata.sorted_tables}


def test_the_latest_revision_steps_down_and_up_again(empty_app):
    with empty_app.app_context():
        upgrade(directory=MIGRATIONS)
        downgrade(directory=MIGRATIONS, revision="-1")
        upgrade(directory=MIGRATIONS)
        head = db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))
    assert head and tables(empty_app) == {t.name for t in db.metadata.sorted_tables}


def test_models_and_migrations_agree(empty_app):
    with empty_app.app_context():
        upgrade(directory=MIGRATIONS)
    assert schema_diff(empty_app) == []


def test_the_ledger_guard_survives_a_downgrade_and_upgrade(empty_app):
    with empty_app.app_context():
        upgrade(directory=MIGRATIONS)
        downgrade(directory=MIGRATIONS, revision="-1")
        upgrade(directory=MIGRATIONS)
        db.session.execute(sa.text("INSERT INTO \"user\" (phone, name, password_hash, role, active, created_at) "
                                   "VALUES ('13800000000', 'x', 'x', 'rider', true, CURRENT_TIMESTAMP)"))
        db.session.execute(sa.text("INSERT INTO ledger_entry (rider_id, amount, kind, reason, created_at) "
                                   "VALUES (1, 5, 'award', '', CURRENT_TIMESTAMP)"))
        db.session.commit()
        with pytest.raises(sa.exc.DBAPIError):
            db.session.execute(sa.text("UPDATE ledger_entry SET amount = 50"))
        db.session.rollback()
