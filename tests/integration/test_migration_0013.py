"""Migration 0013 (stations) adds the station tables beside existing data, guards positions and opening hours,
and steps down to 0012 without touching anything else."""

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from extensions import db
from tests.integration.conftest import MIGRATIONS, schema_diff, tables

STATION = ("INSERT INTO station (id, organisation_id, name, kind, address, latitude, longitude, entered_crs, "
           "amenities, phone, active, created_at, updated_at) VALUES ")


def test_0013_adds_stations_guards_them_and_steps_down(empty_app):
    with empty_app.app_context():
        upgrade(directory=MIGRATIONS, revision="0012")
        run = lambda sql: db.session.execute(sa.text(sql))  # noqa: E731
        run("INSERT INTO organisation (id, name, kind) VALUES (1, '甲', 'community')")
        db.session.commit()
        upgrade(directory=MIGRATIONS, revision="0013")
        run(STATION + "(1, 1, '杨舍暖新窝', 'community_centre', '人民中路1号', 31.875, 120.553, 'gcj02', "
            "'water,toilet', NULL, true, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")
        run("INSERT INTO station_hours (station_id, weekday, opens, closes) VALUES "
            "(1, 0, '08:00', '12:00'), (1, 0, '14:00', '21:00'), (1, 4, '22:00', '02:00'), (1, 6, '00:00', '24:00')")
        run("INSERT INTO station_hours_exception (station_id, day, closed, opens, closes, note) VALUES "
            "(1, '2026-10-01', true, NULL, NULL, '国庆节休息'), (1, '2026-10-02', false, '09:00', '12:00', '')")
        db.session.commit()
        for bad in (STATION + "(2, 1, 'x', 'community_centre', 'a', 91, 120, 'wgs84', '', NULL, true, "
                    "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",  # latitude out of range
                    STATION + "(2, 1, 'x', 'community_centre', 'a', 31, 181, 'wgs84', '', NULL, true, "
                    "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",  # longitude out of range
                    STATION + "(2, 1, 'x', 'community_centre', 'a', 31, 120, 'bd09', '', NULL, true, "
                    "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",  # an unknown system
                    STATION + "(2, 1, 'x', 'temple', 'a', 31, 120, 'wgs84', '', NULL, true, "
                    "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",  # an unknown kind
                    "INSERT INTO station_hours (station_id, weekday, opens, closes) VALUES (1, 7, '08:00', '09:00')",
                    "INSERT INTO station_hours (station_id, weekday, opens, closes) VALUES (1, 1, '8:00', '09:00')",
                    "INSERT INTO station_hours (station_id, weekday, opens, closes) VALUES (1, 1, '08:60', '09:00')",
                    "INSERT INTO station_hours (station_id, weekday, opens, closes) VALUES (1, 1, '24:00', '09:00')",
                    "INSERT INTO station_hours (station_id, weekday, opens, closes) VALUES (1, 1, '08:00', '24:01')",
                    "INSERT INTO station_hours (station_id, weekday, opens, closes) VALUES (1, 1, '08:00', '08:00')",
                    "INSERT INTO station_hours (station_id, weekday, opens, closes) VALUES (1, 0, '08:00', '10:00')",
                    "INSERT INTO station_hours_exception (station_id, day, closed, opens, closes, note) VALUES "
                    "(1, '2026-10-01', true, NULL, NULL, 'twice closed')",
                    "INSERT INTO station_hours_exception (station_id, day, closed, opens, closes, note) VALUES "
                    "(1, '2026-10-03', true, '08:00', '09:00', 'closed with a span')",
                    "INSERT INTO station_hours_exception (station_id, day, closed, opens, closes, note) VALUES "
                    "(1, '2026-10-03', false, NULL, NULL, 'open without a span')"):
            try:
                run(bad)
                db.session.flush()
            except sa.exc.IntegrityError:
                db.session.rollback()
            else:
                raise AssertionError(f"the database accepted {bad}")
        kept = run("SELECT name, latitude, longitude, entered_crs, amenities FROM station").all()
        hours = run("SELECT weekday, opens, closes FROM station_hours ORDER BY weekday, opens").all()
        db.session.rollback()
        downgrade(directory=MIGRATIONS, revision="0012")
        after_down = tables(empty_app)
        organisations = run("SELECT name FROM organisation").scalars().all()
        db.session.rollback()
        upgrade(directory=MIGRATIONS)
    assert kept == [("杨舍暖新窝", 31.875, 120.553, "gcj02", "water,toilet")]
    assert hours == [(0, "08:00", "12:00"), (0, "14:00", "21:00"), (4, "22:00", "02:00"), (6, "00:00", "24:00")]
    assert not after_down & {"station", "station_hours", "station_hours_exception"} and organisations == ["甲"]
    assert schema_diff(empty_app) == []
