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
