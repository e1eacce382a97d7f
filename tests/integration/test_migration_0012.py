"""Migration 0012 (holds) keeps existing sign-ups as they are, guards the hold columns, and steps down without
losing a place: held places go back to the waitlist and leave ``task.taken``."""

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from extensions import db
from tests.integration.conftest import MIGRATIONS, schema_diff


def test_0012_keeps_sign_ups_guards_holds_and_steps_down_without_losing_a_place(empty_app):
    with empty_app.app_context():
        upgrade(directory=MIGRATIONS, revision="0011")  # 0012 follows 0011 (check-in)
        run = lambda sql: db.session.execute(sa.text(sql))  # noqa: E731
        run("INSERT INTO organisation (id, name, kind) VALUES (1, '甲', 'community')")
        run('INSERT INTO "user" (id, phone, name, password_hash, role, organisation_id, active, created_at) VALUES '
            "(1, '13900000001', 'c', 'x', 'coordinator', 1, true, CURRENT_TIMESTAMP), "
            "(2, '13800000002', 'r1', 'x', 'rider', NULL, true, CURRENT_TIMESTAMP), "
            "(3, '13800000003', 'r2', 'x', 'rider', NULL, true, CURRENT_TIMESTAMP), "
            "(4, '13800000004', 'r3', 'x', 'rider', NULL, true, CURRENT_TIMESTAMP)")
        run("INSERT INTO task (id, organisation_id, title, description, category, place, starts_at, ends_at, places, "
            "points, taken, status, created_by_id, created_at, checkin_secret) VALUES (1, 1, 't', '', 'patrol', 'p', "
            "'2030-01-01 08:00:00', '2030-01-01 10:00:00', 2, 10, 1, 'open', 1, CURRENT_TIMESTAMP, "
            "'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP')")
        run("INSERT INTO signup (id, task_id, rider_id, status, queued_at) VALUES "
            "(1, 1, 2, 'confirmed', '2029-12-01 08:00:00'), (2, 1, 3, 'waitlisted', '2029-12-01 08:01:00'), "
            "(3, 1, 4, 'cancelled', '2029-12-01 08:02:00')")
        db.session.commit()
        upgrade(directory=MIGRATIONS, revision="0012")
        kept = run("SELECT id, status, offered_at, hold_until FROM signup ORDER BY id").all()
        for bad in ("UPDATE signup SET status = 'offered' WHERE id = 2",  # no hold time
                    "UPDATE signup SET hold_until = '2029-12-31 08:15:00' WHERE id = 1",  # a hold on a confirmed
                    "UPDATE signup SET status = 'held' WHERE id = 2"):
            try:
                run(bad)
            except sa.exc.IntegrityError:
                db.session.rollback()
            else:
                raise AssertionError(f"the database accepted {bad}")
        run("UPDATE signup SET status = 'offered', offered_at = '2029-12-31 08:00:00', "
            "hold_until = '2029-12-31 08:15:00' WHERE id = 2")
        run("UPDATE task SET taken = 2 WHERE id = 1")
        db.session.commit()
        downgrade(directory=MIGRATIONS, revision="0011")
        after_down = run("SELECT id, status FROM signup ORDER BY id").all()
        taken = run("SELECT taken FROM task").scalar()
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("signup")}
        db.session.rollback()
        upgrade(directory=MIGRATIONS)
    assert kept == [(1, "confirmed", None, None), (2, "waitlisted", None, None), (3, "cancelled", None, None)]
    assert after_down == [(1, "confirmed"), (2, "waitlisted"), (3, "cancelled")] and taken == 1
    assert "hold_until" not in columns and "offered_at" not in columns
    assert schema_diff(empty_app) == []
