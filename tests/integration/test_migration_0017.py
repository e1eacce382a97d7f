"""Migration 0017 (the Haitang pass and welfare activities) runs over existing data: tasks become volunteer work
with no rules, stations and users gain empty columns, the new rules hold (one entry per building, rider and day;
0 points only for activities; rules only on activities; a birth month 1–12), and it steps down to 0016
(activities become community service worth a point, buildings offices, building staff deactivated riders) and
up again."""

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from extensions import db
from tests.integration.conftest import MIGRATIONS, schema_diff, tables
from tests.integration.test_migration_0015 import refused

NEW_TABLES = {"building_staff", "pass_entry"}
TASK = ("INSERT INTO task (id, organisation_id, title, description, category, place, starts_at, ends_at, places, "
        "points, taken, status, created_by_id, created_at, checkin_secret{extra}) VALUES ({id}, 1, '护学岗', '', "
        "'{category}', '路口', '2026-11-01 01:00:00', '2026-11-01 03:00:00', 5, {points}, 0, 'open', 1, "
        "CURRENT_TIMESTAMP, 'JBSWY3DPEHPK3PXP'{values})")


def task(id, points=10, category="patrol", **columns):
    extra = "".join(f", {name}" for name in columns)
    values = "".join(f", {value}" for value in columns.values())
    return TASK.format(id=id, points=points, category=category, extra=extra, values=values)


def test_0017_adds_passes_and_activities_over_existing_data_and_steps_down(empty_app):
    with empty_app.app_context():
        upgrade(directory=MIGRATIONS, revision="0016")
        run = lambda sql: db.session.execute(sa.text(sql))  # noqa: E731
        run("INSERT INTO organisation (id, name, kind) VALUES (1, '甲', 'community')")
        run('INSERT INTO "user" (id, phone, name, password_hash, role, organisation_id, active, created_at) VALUES '
            "(1, '13900000001', 'c', 'x', 'coordinator', 1, true, CURRENT_TIMESTAMP), "
            "(2, '13800000002', '骑手', 'x', 'rider', NULL, true, CURRENT_TIMESTAMP)")
        run(task(1))
        run("INSERT INTO station (id, organisation_id, name, kind, address, latitude, longitude, entered_crs, "
            "amenities, phone, active, created_at, updated_at, holiday_rule) VALUES (1, 1, '金融中心', 'office', "
            "'人民中路1号', 31.875, 120.553, 'wgs84', 'water', NULL, true, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, "
            "'weekly')")
        db.session.commit()
        assert refused(run, 'INSERT INTO "user" (phone, name, password_hash, role, active, created_at) VALUES '
                            "('13400000001', '保安', 'x', 'building', true, CURRENT_TIMESTAMP)")

        upgrade(directory=MIGRATIONS, revision="0017")
        kept_task = run("SELECT kind, rule_birth_month, rule_trade, rule_platform, rule_new_this_year, points "
                        "FROM task WHERE id = 1").one()
        kept_station = run("SELECT kind, fast_lane, ebike_spots, parking_where FROM station WHERE id = 1").one()
        birth = run('SELECT birth_month FROM "user" WHERE id = 2').scalar()
        run("UPDATE station SET kind = 'building', ebike_spots = 12, fast_lane = '东门', parking_where = 'B1' "
            "WHERE id = 1")
        run('INSERT INTO "user" (id, phone, name, password_hash, role, active, created_at) VALUES '
            "(3, '13400000001', '保安', 'x', 'building', true, CURRENT_TIMESTAMP)")
        run("UPDATE \"user\" SET birth_month = 12 WHERE id = 2")
        run("INSERT INTO building_staff (user_id, station_id, created_at, created_by_id) "
            "VALUES (3, 1, CURRENT_TIMESTAMP, 1)")
        run("INSERT INTO pass_entry (id, station_id, rider_id, local_day, entered_at, checked_by_id) "
            "VALUES (1, 1, 2, '2026-12-04', '2026-12-04 00:12:00', 3)")
        run(task(2, points=0, category="celebration", kind="'activity'", rule_birth_month="true"))
        db.session.commit()
        guarded = [
            refused(run, "INSERT INTO pass_entry (station_id, rider_id, local_day, entered_at, checked_by_id) "
                         "VALUES (1, 2, '2026-12-04', '2026-12-04 03:00:00', 3)"),  # twice the same day
            refused(run, task(3, points=0)),  # volunteer work without points
            refused(run, task(4, rule_trade="'courier'")),  # a rule on volunteer work
            refused(run, task(5, points=0, kind="'activity'", rule_trade="'astronaut'")),
            refused(run, task(6, kind="'party'")),
            refused(run, 'UPDATE "user" SET birth_month = 13 WHERE id = 2'),
            refused(run, "UPDATE station SET ebike_spots = -1 WHERE id = 1"),
        ]
        second_day = run("INSERT INTO pass_entry (station_id, rider_id, local_day, entered_at, checked_by_id) "
                         "VALUES (1, 2, '2026-12-05', '2026-12-05 01:00:00', 3)").rowcount
        db.session.commit()

        downgrade(directory=MIGRATIONS, revision="0016")
        after_down = tables(empty_app)
        activity = run("SELECT points, category FROM task WHERE id = 2").one()
        station = run("SELECT kind FROM station WHERE id = 1").scalar()
        guard = run('SELECT role, active FROM "user" WHERE id = 3').one()
        volunteer = run("SELECT points, category FROM task WHERE id = 1").one()
        db.session.rollback()

        upgrade(directory=MIGRATIONS)
        kinds = run("SELECT id, kind FROM task ORDER BY id").all()
        db.session.rollback()
    assert tuple(kept_task) == ("volunteer", False, None, None, False, 10)
    assert tuple(kept_station) == ("office", None, None, None)
    assert birth is None
    assert guarded == [True] * 7
    assert second_day == 1
    assert not after_down & NEW_TABLES
    assert tuple(activity) == (1, "community")
    assert station == "office"
    assert tuple(guard) == ("rider", False)
    assert tuple(volunteer) == (10, "patrol")
    assert [tuple(k) for k in kinds] == [(1, "volunteer"), (2, "volunteer")]
    assert schema_diff(empty_app) == []
