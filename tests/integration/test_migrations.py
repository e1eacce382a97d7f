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


def test_0005_gives_existing_merchants_and_journal_entries_their_organisation(empty_app):
    """A merchant belongs to the organisation of the coordinator who first saved it (none: programme-wide);
    a journal entry to its merchant's organisation, else to its acting coordinator's."""
    with empty_app.app_context():
        upgrade(directory=MIGRATIONS, revision="0003")
        run = lambda sql: db.session.execute(sa.text(sql))  # noqa: E731
        run("INSERT INTO organisation (id, name, kind) VALUES (1, '甲', 'community'), (2, '乙', 'community')")
        run('INSERT INTO "user" (id, phone, name, password_hash, role, organisation_id, active, created_at) VALUES '
            "(1, '13900000001', 'a', 'x', 'coordinator', 1, true, CURRENT_TIMESTAMP), "
            "(2, '13900000002', 'b', 'x', 'coordinator', 2, true, CURRENT_TIMESTAMP), "
            "(3, '13800000003', 'r', 'x', 'rider', NULL, true, CURRENT_TIMESTAMP)")
        run("INSERT INTO merchant (id, name, address, active, created_at) VALUES "
            "(1, 'm1', 'x', true, CURRENT_TIMESTAMP), (2, 'm2', 'x', true, CURRENT_TIMESTAMP)")
        run("INSERT INTO audit_event (id, created_at, actor_id, action, subject, rider_id, merchant_id, details) "
            "VALUES "
            "(1, '2026-01-01 08:00:00', 2, 'merchant.save', 'merchant:1', NULL, 1, '{}'), "
            "(2, '2026-01-02 08:00:00', 1, 'merchant.save', 'merchant:1', NULL, 1, '{}'), "
            "(3, '2026-01-03 08:00:00', 1, 'task.create', 'task:1', NULL, NULL, '{}'), "
            "(4, '2026-01-04 08:00:00', 3, 'voucher.issue', 'voucher:1', 3, 1, '{}'), "
            "(5, '2026-01-05 08:00:00', 3, 'account.create', 'user:3', 3, NULL, '{}')")
        db.session.commit()
        upgrade(directory=MIGRATIONS)
        merchants = dict(run("SELECT id, organisation_id FROM merchant").all())
        entries = dict(run("SELECT id, organisation_id FROM audit_event").all())
        db.session.rollback()
    assert merchants == {1: 2, 2: None}
    assert entries == {1: 2, 2: 2, 3: 1, 4: 2, 5: None}
