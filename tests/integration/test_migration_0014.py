"""Migration 0014 (place hours) gives existing stations and merchants the "weekly" holiday rule, adds merchants'
opening hours beside existing data, guards them, and steps down to 0013 keeping everything else."""

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from extensions import db
from tests.integration.conftest import MIGRATIONS, schema_diff, tables


def test_0014_adds_holiday_rules_and_merchant_hours_and_steps_down(empty_app):
    with empty_app.app_context():
        upgrade(directory=MIGRATIONS, revision="0013")
        run = lambda sql: db.session.execute(sa.text(sql))  # noqa: E731
        run("INSERT INTO organisation (id, name, kind) VALUES (1, '甲', 'community')")
        run("INSERT INTO station (id, organisation_id, name, kind, address, latitude, longitude, entered_crs, "
            "amenities, phone, active, created_at, updated_at) VALUES (1, 1, '杨舍暖新窝', 'community_centre', "
            "'人民中路1号', 31.875, 120.553, 'wgs84', 'water', NULL, true, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")
        run("INSERT INTO merchant (id, organisation_id, name, address, latitude, longitude, active, created_at, "
            "serving_hours) VALUES (1, 1, '老街面馆', '步行街8号', 31.87, 120.55, true, CURRENT_TIMESTAMP, '')")
        db.session.commit()
        upgrade(directory=MIGRATIONS, revision="0014")
        rules = run("SELECT (SELECT holiday_rule FROM station), (SELECT holiday_rule FROM merchant)").one()
        run("INSERT INTO merchant_hours (merchant_id, weekday, opens, closes) VALUES "
            "(1, 0, '10:30', '14:00'), (1, 0, '17:00', '02:00')")
        run("INSERT INTO merchant_hours_exception (merchant_id, day, closed, opens, closes, note) VALUES "
            "(1, '2027-02-06', true, NULL, NULL, '春节休息')")
        db.session.commit()
        for bad in ("UPDATE merchant SET holiday_rule = 'sometimes'",
                    "UPDATE station SET holiday_rule = 'sometimes'",
                    "INSERT INTO merchant_hours (merchant_id, weekday, opens, closes) VALUES (1, 7, '08:00', '09:00')",
                    "INSERT INTO merchant_hours (merchant_id, weekday, opens, closes) VALUES (1, 1, '08:00', '08:00')",
                    "INSERT INTO merchant_hours (merchant_id, weekday, opens, closes) VALUES (1, 0, '10:30', '11:00')",
                    "INSERT INTO merchant_hours_exception (merchant_id, day, closed, opens, closes, note) VALUES "
                    "(1, '2027-02-06', true, NULL, NULL, 'twice closed')",
                    "INSERT INTO merchant_hours_exception (merchant_id, day, closed, opens, closes, note) VALUES "
                    "(1, '2027-02-07', false, NULL, NULL, 'open without a span')"):
            try:
                run(bad)
                db.session.flush()
            except sa.exc.IntegrityError:
                db.session.rollback()
            else:
                raise AssertionError(f"the database accepted {bad}")
        hours = run("SELECT weekday, opens, closes FROM merchant_hours ORDER BY weekday, opens").all()
        db.session.rollback()
        downgrade(directory=MIGRATIONS, revision="0013")
        after_down = tables(empty_app)
        kept = run("SELECT (SELECT name FROM station), (SELECT name FROM merchant)").one()
        db.session.rollback()
        upgrade(directory=MIGRATIONS)
    assert tuple(rules) == ("weekly", "weekly")
    assert hours == [(0, "10:30", "14:00"), (0, "17:00", "02:00")]
    assert not after_down & {"merchant_hours", "merchant_hours_exception"} and tuple(kept) == ("杨舍暖新窝", "老街面馆")
    assert schema_diff(empty_app) == []
