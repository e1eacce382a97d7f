"""Migrations create the schema from nothing, step down and up again, and agree with the models."""

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from extensions import db
from tests.integration.conftest import MIGRATIONS, schema_diff, tables


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
