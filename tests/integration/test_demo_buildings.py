"""The demo's partner buildings of the Haitang pass: five in 杨舍 with hours, fast lane and parking, one building
staff account each (the README's 13400000001 …05), entries of demo riders on past days; loading again adds none."""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from accounts.models import User
from core.timeutil import local_today
from demo.buildings import BUILDINGS
from demo.data import DEMO_PASSWORD
from passes.models import BuildingStaff, PassEntry
from stations.models import Station
from stations.places import station_status

WEEKDAY_NOON = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)  # Wednesday 12:00 in Zhangjiagang
SATURDAY_EVENING = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)  # Saturday 20:00: the weekend hours are shorter


def test_the_demo_has_five_partner_buildings_with_staff_and_entries_and_loading_again_adds_none(app, ctx):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "load"])
    assert "5 partner buildings" in result.output and "5 building staff" in result.output, result.output
    assert "already has accounts" in runner.invoke(args=["demo", "load"]).output
    with ctx() as session:
        buildings = session.scalars(sa.select(Station).where(Station.kind == "building").order_by(Station.id)).all()
        assert [b.name for b in buildings] == [row[0] for row in BUILDINGS]
        assert {b.name for b in buildings} == {"张家港国际金融中心", "华昌商务广场", "沙洲湖科创园", "新天地商务楼",
                                               "万达广场写字楼"}
        for building in buildings:
            assert building.active and building.is_partner_building and "杨舍" in building.address
            assert 31.85 < building.latitude < 31.89 and 120.54 < building.longitude < 120.59  # the town centre
            assert building.fast_lane and building.parking_where and building.ebike_spots > 0
            assert set(building.amenity_codes) == {"water", "toilet", "ebike_parking"}
            assert station_status(building, WEEKDAY_NOON).open_now
            assert not station_status(building, SATURDAY_EVENING).open_now
        assert len({b.organisation_id for b in buildings}) == 3
        staff = session.scalars(sa.select(BuildingStaff).order_by(BuildingStaff.station_id)).all()
        assert [link.station_id for link in staff] == [b.id for b in buildings]  # one each
        phones = [session.get(User, link.user_id).phone for link in staff]
        assert phones == [f"1340000000{n}" for n in range(1, 6)]
        first = session.scalar(sa.select(User).where(User.phone == "13400000001"))
        assert first.role == "building" and first.check_password(DEMO_PASSWORD) and first.name
        entries = session.scalars(sa.select(PassEntry)).all()
        today = local_today()
        assert len(entries) >= 20 and all(today - timedelta(days=7) <= e.local_day < today for e in entries)
        riders = {session.get(User, e.rider_id).phone for e in entries}
        assert riders <= {f"138000000{n:02d}" for n in range(1, 11)} and len(riders) == 10
        assert {e.station_id for e in entries} == {b.id for b in buildings}
        by_building = {link.station_id: link.user_id for link in staff}
        assert all(e.checked_by_id == by_building[e.station_id] for e in entries)
        assert session.scalar(sa.select(sa.func.count()).select_from(Station)) == 65  # the 60 stations too
