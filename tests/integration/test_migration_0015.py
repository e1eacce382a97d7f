"""Migration 0015 (problem reports) seeds the eight categories, lets users have the role "department", links
awards to reports while keeping the ledger append-only, and steps down to 0014 (department staff become
deactivated riders; the ledger keeps every entry and its guard) and up again."""

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from extensions import db
from tests.integration.conftest import MIGRATIONS, schema_diff, tables

REPORT_TABLES = {"department", "report_category", "department_staff", "report", "report_update", "report_photo",
                 "report_support", "open311_key", "stored_file"}


def refused(run, statement: str) -> bool:
    """Whether the database refuses ``statement`` (the session is rolled back either way)."""
    try:
        run(statement)
        db.session.flush()
    except (sa.exc.IntegrityError, sa.exc.DBAPIError):
        db.session.rollback()
        return True
    db.session.rollback()
    return False


def test_0015_adds_reports_and_the_department_role_and_steps_down(empty_app):
    with empty_app.app_context():
        upgrade(directory=MIGRATIONS, revision="0014")
        run = lambda sql: db.session.execute(sa.text(sql))  # noqa: E731
        run("INSERT INTO organisation (id, name, kind) VALUES (1, '甲', 'community')")
        run('INSERT INTO "user" (id, phone, name, password_hash, role, organisation_id, active, created_at) VALUES '
            "(1, '13900000001', 'c', 'x', 'coordinator', 1, true, CURRENT_TIMESTAMP), "
            "(2, '13800000002', 'r', 'x', 'rider', NULL, true, CURRENT_TIMESTAMP)")
        run("INSERT INTO points_account (user_id, balance) VALUES (2, 5)")
        run("INSERT INTO ledger_entry (id, rider_id, amount, kind, reason, created_at) "
            "VALUES (1, 2, 5, 'adjustment', '迁移前', CURRENT_TIMESTAMP)")
        db.session.commit()
        assert refused(run, 'INSERT INTO "user" (id, phone, name, password_hash, role, active, created_at) VALUES '
                            "(9, '13500000009', 'd', 'x', 'department', true, CURRENT_TIMESTAMP)")

        upgrade(directory=MIGRATIONS, revision="0015")
        codes = run("SELECT code, points, anonymous FROM report_category ORDER BY position").all()
        run("INSERT INTO department (id, name, kind, contact, active) VALUES (1, '交通局', 'transport', '', true)")
        run('INSERT INTO "user" (id, phone, name, password_hash, role, active, created_at) VALUES '
            "(3, '13500000001', 'd', 'x', 'department', true, CURRENT_TIMESTAMP)")
        run("INSERT INTO department_staff (user_id, department_id) VALUES (3, 1)")
        run("INSERT INTO report (id, reporter_id, source, organisation_id, category_id, department_id, description, "
            "latitude, longitude, entered_crs, address, status, supporters, created_at, updated_at, closed_at) "
            "SELECT 1, 2, 'app', 1, id, 1, '井盖缺失', 31.87, 120.55, 'wgs84', '人民中路', 'closed', 0, "
            "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP "
            "FROM report_category WHERE code = 'road_facilities'")
        run("INSERT INTO ledger_entry (id, rider_id, amount, kind, reason, key, report_id, created_at) "
            "VALUES (2, 2, 10, 'award', '#1', 'award:report:1', 1, CURRENT_TIMESTAMP)")
        run("UPDATE points_account SET balance = 15 WHERE user_id = 2")
        db.session.commit()
        entries_up = run("SELECT id, amount, kind, report_id FROM ledger_entry ORDER BY id").all()
        guarded_up = [refused(run, "UPDATE ledger_entry SET amount = 99 WHERE id = 1"),
                      refused(run, "DELETE FROM ledger_entry WHERE id = 2"),
                      refused(run, "INSERT INTO ledger_entry (rider_id, amount, kind, reason, key, report_id, "
                                   "created_at) VALUES (2, -3, 'adjustment', 'x', 'k', 1, CURRENT_TIMESTAMP)"),
                      refused(run, "INSERT INTO ledger_entry (rider_id, amount, kind, reason, key, report_id, "
                                   "created_at) VALUES (2, 10, 'award', 'twice', 'award:report:1', 1, "
                                   "CURRENT_TIMESTAMP)")]

        downgrade(directory=MIGRATIONS, revision="0014")
        after_down = tables(empty_app)
        staff = run('SELECT role, active FROM "user" WHERE id = 3').one()
        entries_down = run("SELECT id, amount, kind, key FROM ledger_entry ORDER BY id").all()
        guarded_down = [refused(run, "UPDATE ledger_entry SET amount = 99 WHERE id = 1"),
                        refused(run, "DELETE FROM ledger_entry WHERE id = 2")]
        db.session.rollback()

        upgrade(directory=MIGRATIONS)
        again = run("SELECT count(*) FROM report_category").scalar()
        run('UPDATE "user" SET role = \'department\' WHERE id = 3')  # the role is allowed again
        db.session.rollback()
    assert [c.code for c in codes] == ["road_facilities", "traffic_signals", "blocked_passage", "food_safety",
                                       "fire_hazard", "sanitation", "station_problem", "other"]
    assert [c.code for c in codes if c.anonymous] == ["food_safety"] and all(c.points > 0 for c in codes)
    assert [tuple(e) for e in entries_up] == [(1, 5, "adjustment", None), (2, 10, "award", 1)]
    assert guarded_up == [True, True, True, True]
    assert not after_down & REPORT_TABLES
    assert tuple(staff) == ("rider", False)
    assert [tuple(e) for e in entries_down] == [(1, 5, "adjustment", None), (2, 10, "award", "award:report:1")]
    assert guarded_down == [True, True]
    assert again == 8
    assert schema_diff(empty_app) == []

