"""The station finder of "near me" (stations/places.py): nearest first, exact radius, hours only where needed."""

import math
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from stations import places
from stations.models import Station, StationHours, StationHoursException
from tests.factories import make_org

HERE = (31.875, 120.553)  # 杨舍, Zhangjiagang
M_LAT = 1 / 111_195  # degrees of latitude in a metre (the sphere of distance_m)
NOON = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)  # Wednesday 12:00 in Zhangjiagang
NIGHT = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # Wednesday 23:00


def east(metres):
    return HERE[1] + metres / (111_195 * math.cos(math.radians(HERE[0])))


@pytest.fixture
def request_ctx(app):
    if "stations.detail" not in app.view_functions:  # the station page comes from another branch
        app.add_url_rule("/stations/<int:station_id>", endpoint="stations.detail", view_func=lambda **_: "")
    with app.test_request_context():
        yield


def add(session, org_id, name, lat, lng, spans=("08:00-20:00",), amenities="water", active=True):
    station = Station(organisation_id=org_id, name=name, address="张家港", latitude=lat, longitude=lng,
                      amenities=amenities, active=active)
    session.add(station)
    session.flush()
    for day in range(7):
        for span in spans:
            opens, closes = span.split("-")
            session.add(StationHours(station_id=station.id, weekday=day, opens=opens, closes=closes))
    return station


def names(found):
    return [place.name for place in found]


def test_it_lists_the_nearest_first_within_the_exact_radius_with_their_status(session, request_ctx):
    org = make_org()
    add(session, org.id, "东300米", HERE[0], east(300), amenities="water,toilet")
    add(session, org.id, "北1公里", HERE[0] + 1000 * M_LAT, HERE[1], spans=("00:00-24:00",))
    add(session, org.id, "东北角外", HERE[0] + 4000 * M_LAT, east(4000))  # in the box's corner, 5.66 km away
    add(session, org.id, "北4.9公里", HERE[0] + 4900 * M_LAT, HERE[1], spans=())
    add(session, org.id, "已停用", HERE[0], east(100), active=False)
    session.commit()
    found = places.find_stations(*HERE, now=NOON)
    assert names(found) == ["东300米", "北1公里", "北4.9公里"]
    assert [round(p.distance_m, -1) for p in found] == [300, 1000, 4900]
    assert [p.open_now for p in found] == [True, True, None]  # no hours entered: not known, not "closed"
    assert found[2].status_text == ""
    assert [code for code, _label in found[0].features] == ["water", "toilet"]
    assert found[0].url == f"/stations/{found[0].id}"
    assert names(places.find_stations(*HERE, now=NOON, amenities=("toilet",))) == ["东300米"]
    assert places.find_stations(*HERE, now=NOON, amenities=("sauna",)) == []


def test_open_now_reads_past_the_first_candidates_until_enough_are_open(session, request_ctx, monkeypatch):
    monkeypatch.setattr(places, "FIRST", 5)
    monkeypatch.setattr(places, "CHUNK", 3)
    org = make_org()
    for n in range(12):  # the nearest ten close at 20:00; the two farthest are open all night
        add(session, org.id, f"站{n:02d}", HERE[0] + (100 + 100 * n) * M_LAT, HERE[1],
            spans=("00:00-24:00",) if n >= 10 else ("08:00-20:00",))
    session.commit()
    assert names(places.find_stations(*HERE, now=NIGHT, open_now=True)) == ["站10", "站11"]
    assert names(places.find_stations(*HERE, now=NIGHT, limit=4)) == ["站00", "站01", "站02", "站03"]
    assert len(places.find_stations(*HERE, now=NOON, open_now=True)) == 12


def test_a_closed_day_counts_and_stations_with_the_same_hours_each_get_their_own_status(session, request_ctx):
    org = make_org()
    a = add(session, org.id, "甲", HERE[0] + 100 * M_LAT, HERE[1])
    add(session, org.id, "乙", HERE[0] + 200 * M_LAT, HERE[1])
    session.add(StationHoursException(station_id=a.id, day=date(2026, 12, 2), closed=True, note="检修"))
    session.commit()
    found = places.find_stations(*HERE, now=NOON)
    assert [(p.name, p.open_now) for p in found] == [("甲", False), ("乙", True)]
    assert names(places.find_stations(*HERE, now=NOON, open_now=True)) == ["乙"]
    assert session.scalar(sa.select(sa.func.count()).select_from(Station)) == 2
