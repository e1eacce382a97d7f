"""The demo's rest stations and restaurant hours: 60 stations over Zhangjiagang's towns, realistic hours."""

from collections import Counter
from datetime import UTC, datetime

import sqlalchemy as sa

from accounts.models import Organisation
from demo.station_data import TOWNS
from rewards.models import Merchant, MerchantHours
from stations.models import Station, StationHours, StationHoursException
from stations.places import station_status

NIGHT = datetime(2026, 12, 2, 16, 30, tzinfo=UTC)  # Thursday 00:30 in Zhangjiagang


def count(session, model, *where):
    return session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_the_demo_has_60_stations_with_hours_over_the_towns_and_loading_again_adds_none(app, ctx):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "load"])
    assert "60 stations" in result.output, result.output
    assert "already has accounts" in runner.invoke(args=["demo", "load"]).output
    with ctx() as session:
        stations = session.scalars(sa.select(Station).where(Station.kind != "building")  # see test_demo_buildings
                                   .order_by(Station.id)).all()
        assert len(stations) == 60 and all(s.active for s in stations)
        assert all(s.hours for s in stations)  # every station says when it is open
        for town, *_ in TOWNS:
            assert any(town in s.address for s in stations), town
        demo_orgs = set(session.scalars(sa.select(Organisation.id)))
        assert {s.organisation_id for s in stations} <= demo_orgs and len({s.organisation_id for s in stations}) == 3
        assert set(Counter(s.kind for s in stations)) == {"community_centre", "shop", "office", "canteen", "other"}
        assert len({(s.latitude, s.longitude) for s in stations}) == 60
        assert all(31.7 < s.latitude < 32.1 and 120.3 < s.longitude < 120.9 for s in stations)
        assert len({s.phone for s in stations}) == 60
        assert {"weekly", "closed_on_holidays", "sunday_hours_on_holidays"} == {s.holiday_rule for s in stations}
        # created as a coordinator would: one journal entry each (and each of the 5 partner buildings)
        assert session.scalar(sa.text("SELECT count(*) FROM audit_event WHERE action = 'station.create'")) == 65

        def days(station):
            return {row.weekday for row in station.hours}

        all_day = [s for s in stations if all(r.opens == "00:00" and r.closes == "24:00" for r in s.hours)]
        assert len(all_day) >= 5 and all(days(s) == set(range(7)) for s in all_day)
        assert any(6 not in days(s) for s in stations)  # closed on Sundays
        past_midnight = [s for s in stations if any(r.closes != "24:00" and r.closes < r.opens for r in s.hours)]
        assert past_midnight
        assert any(Counter(r.weekday for r in s.hours)[0] >= 2 for s in stations)  # a lunch break
        assert count(session, StationHoursException, StationHoursException.closed.is_(True)) == 2
        # Just past midnight (00:30): the 24-hour stations and the late ones are open, the offices are not.
        assert all(station_status(s, NIGHT).open_now for s in all_day + past_midnight)
        assert not any(station_status(s, NIGHT).open_now for s in stations if s.kind == "office"
                       and s not in all_day)

        merchants = session.scalars(sa.select(Merchant)).all()
        assert len(merchants) == 8 and all(m.latitude and m.longitude and m.hours for m in merchants)
        assert count(session, MerchantHours) > 50
        assert count(session, StationHours, StationHours.station_id.in_([s.id for s in stations])) == sum(
            len(s.hours) for s in stations)
