"""Migration 0016 (recognition and settlement) runs over existing data: tasks keep their categories and may now
be trainings, users gain the import columns (empty), the score's default weights are seeded, the new tables hold
their rules (one first rating per sign-up, a confirmation claimed once, a certificate revoked once), and it
steps down to 0015 (trainings become community service, the rest of the data stays) and up again."""

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from extensions import db
from tests.integration.conftest import MIGRATIONS, schema_diff, tables
from tests.integration.test_migration_0015 import refused

NEW_TABLES = {"service_rating", "score_part", "level_change", "pioneer_mark", "certificate", "certificate_line",
              "certificate_revocation", "statement", "statement_line"}


def test_0016_adds_recognition_and_settlement_over_existing_data_and_steps_down(empty_app):
    with empty_app.app_context():
        upgrade(directory=MIGRATIONS, revision="0015")
        run = lambda sql: db.session.execute(sa.text(sql))  # noqa: E731
        run("INSERT INTO organisation (id, name, kind) VALUES (1, '甲', 'community')")
        run('INSERT INTO "user" (id, phone, name, password_hash, role, organisation_id, active, created_at) VALUES '
            "(1, '13900000001', 'c', 'x', 'coordinator', 1, true, CURRENT_TIMESTAMP), "
            "(2, '13800000002', '骑手', 'x', 'rider', NULL, true, CURRENT_TIMESTAMP), "
            "(3, '13700000003', 's', 'x', 'merchant', NULL, true, CURRENT_TIMESTAMP)")
        run("INSERT INTO task (id, organisation_id, title, description, category, place, starts_at, ends_at, places, "
            "points, taken, status, created_by_id, created_at, checkin_secret) VALUES (1, 1, '护学岗', '', 'patrol', "
            "'路口', '2026-11-01 01:00:00', '2026-11-01 03:00:00', 5, 10, 1, 'open', 1, CURRENT_TIMESTAMP, "
            "'JBSWY3DPEHPK3PXP')")
        run("INSERT INTO signup (id, task_id, rider_id, status, queued_at, attendance_method, verified_minutes, "
            "checked_in_at, checked_out_at) VALUES (1, 1, 2, 'attended', CURRENT_TIMESTAMP, 'verified', 120, "
            "'2026-11-01 01:00:00', '2026-11-01 03:00:00')")
        run("INSERT INTO merchant (id, organisation_id, name, address, active, created_at, serving_hours, holiday_rule)"
            " VALUES (1, 1, '小厨', '路', true, CURRENT_TIMESTAMP, '', 'weekly')")
        run("INSERT INTO merchant_staff (user_id, merchant_id) VALUES (3, 1)")
        run("INSERT INTO offer (id, merchant_id, title, description, points_cost, face_value_fen, stock, "
            "per_rider_limit, validity_days, active, limit_period) VALUES (1, 1, '套餐', '', 10, 1500, 5, 1, 30, "
            "true, 'week')")
        run("INSERT INTO voucher (id, code, offer_id, merchant_id, rider_id, status, points_cost, face_value_fen, "
            "issued_at, expires_at, redeemed_at, redeemed_by_id) VALUES (1, '1234567890123456', 1, 1, 2, 'redeemed', "
            "10, 1500, '2026-11-02 01:00:00', '2026-12-02 01:00:00', '2026-11-02 02:00:00', 3)")
        db.session.commit()
        assert refused(run, "UPDATE task SET category = 'training' WHERE id = 1")

        upgrade(directory=MIGRATIONS, revision="0016")
        parts = run("SELECT code, max_points, points_per_unit FROM score_part ORDER BY code").all()
        imported = run('SELECT imported_at, imported_by_id, phone_confirmed_at FROM "user" WHERE id = 2').one()
        run("UPDATE task SET category = 'training' WHERE id = 1")
        run("INSERT INTO service_rating (id, signup_id, rider_id, task_id, rating, note, rated_by_id, rated_at) "
            "VALUES (1, 1, 2, 1, 'good', '', 1, CURRENT_TIMESTAMP)")
        run("INSERT INTO statement (id, merchant_id, period_kind, period_start, period_end, status, total_fen, "
            "line_count, drawn_at, drawn_by_id) VALUES (1, 1, 'month', '2026-11-01', '2026-11-30', 'draft', 1500, 1, "
            "CURRENT_TIMESTAMP, 1)")
        run("INSERT INTO statement_line (id, statement_id, kind, voucher_id, redeemed_at, happened_at, offer_title, "
            "masked_code, amount_fen) VALUES (1, 1, 'redemption', 1, '2026-11-02 02:00:00', '2026-11-02 02:00:00', "
            "'套餐', '**** 3456', 1500)")
        run("INSERT INTO certificate (id, rider_id, token, issued_at, total_minutes, task_count) "
            "VALUES (1, 2, 'tok', CURRENT_TIMESTAMP, 120, 1)")
        run("INSERT INTO certificate_revocation (id, certificate_id, reason, actor_id, created_at) "
            "VALUES (1, 1, '有误', 1, CURRENT_TIMESTAMP)")
        db.session.commit()
        guarded = [
            refused(run, "INSERT INTO service_rating (signup_id, rider_id, task_id, rating, note, rated_by_id, "
                         "rated_at) VALUES (1, 2, 1, 'poor', '', 1, CURRENT_TIMESTAMP)"),  # a second first rating
            refused(run, "INSERT INTO service_rating (signup_id, rider_id, task_id, rating, note, rated_by_id, "
                         "rated_at) VALUES (1, 2, 1, 'great', '', 1, CURRENT_TIMESTAMP)"),
            refused(run, "INSERT INTO statement (merchant_id, period_kind, period_start, period_end, status, total_fen,"
                         " line_count, drawn_at, drawn_by_id) VALUES (1, 'month', '2026-11-01', '2026-11-30', "
                         "'draft', 0, 0, CURRENT_TIMESTAMP, 1)"),  # the same period twice
            refused(run, "INSERT INTO statement_line (statement_id, kind, voucher_id, redeemed_at, happened_at, "
                         "offer_title, masked_code, amount_fen) VALUES (1, 'redemption', 1, '2026-11-02 02:00:00', "
                         "'2026-11-02 02:00:00', '套餐', '**** 3456', 1500)"),  # the same confirmation twice
            refused(run, "UPDATE statement SET status = 'paid' WHERE id = 1"),  # paid needs its reference
            refused(run, "INSERT INTO certificate_revocation (certificate_id, reason, actor_id, created_at) "
                         "VALUES (1, '又一次', 1, CURRENT_TIMESTAMP)"),
            refused(run, 'UPDATE "user" SET imported_at = CURRENT_TIMESTAMP WHERE id = 2'),  # by whom?
        ]

        downgrade(directory=MIGRATIONS, revision="0015")
        after_down = tables(empty_app)
        category = run("SELECT category FROM task WHERE id = 1").scalar()
        kept = run("SELECT status, verified_minutes FROM signup WHERE id = 1").one()
        voucher = run("SELECT status, face_value_fen FROM voucher WHERE id = 1").one()
        db.session.rollback()

        upgrade(directory=MIGRATIONS)
        again = run("SELECT count(*) FROM score_part").scalar()
        db.session.rollback()
    assert [tuple(p) for p in parts] == [("hours", 40, 3), ("ratings", 20, 20), ("reports", 20, 5),
                                         ("training", 20, 5)]
    assert tuple(imported) == (None, None, None)
    assert guarded == [True] * 7
    assert not after_down & NEW_TABLES
    assert category == "community"
    assert tuple(kept) == ("attended", 120)
    assert tuple(voucher) == ("redeemed", 1500)
    assert again == 4
    assert schema_diff(empty_app) == []
