""""Near me": stations within a radius, nearest first, filtered by amenity (stations/queries.py)."""

import math

import pytest

from core.geo import distance_m
from stations.models import Station
from stations.queries import bounding_box, nearby
from tests.factories import make_org

HERE = (31.875, 120.553)  # 杨舍, Zhangjiagang
M_LAT = 1 / 111_195  # degrees of latitude in a metre (the sphere of distance_m)


def place(org_id, name, lat, lng, amenities="", active=True):
    return Station(organisation_id=org_id, name=name, address="张家港", latitude=lat, longitude=lng,
                   amenities=amenities, active=active)


@pytest.fixture
def stations(session):
    org = make_org()
    east = lambda metres: HERE[1] + metres / (111_195 * math.cos(math.radians(HERE[0])))  # noqa: E731
    rows = [
        place(org.id, "北1公里", HERE[0] + 1000 * M_LAT, HERE[1], "water,toilet"),
        place(org.id, "东300米", HERE[0], east(300), "water"),
        place(org.id, "南4.9公里", HERE[0] - 4900 * M_LAT, HERE[1], "hot_meal,microwave"),
        place(org.id, "东北角外", HERE[0] + 4000 * M_LAT, east(4000)),  # in the box's corner, 5.66 km away
        place(org.id, "北5.2公里", HERE[0] + 5200 * M_LAT, HERE[1], "water"),
        place(org.id, "已停用", HERE[0], east(100), "water", active=False),
        place(org.id, "苏州", 31.2989, 120.5853),
    ]
    session.add_all(rows)
    session.commit()
    return rows


def names(pairs):
    return [station.name for station, _ in pairs]


def test_it_lists_active_stations_within_the_radius_nearest_first_with_exact_distances(session, stations):
    found = nearby(*HERE)
    assert names(found) == ["东300米", "北1公里", "南4.9公里"]
    assert [round(metres) for _, metres in found] == [300, 1000, 4900]


def test_a_corner_of_the_box_beyond_the_radius_is_left_out_and_a_wider_radius_takes_it(session, stations):
    assert "东北角外" not in names(nearby(*HERE, radius_m=5000))
    assert names(nearby(*HERE, radius_m=6000)) == ["东300米", "北1公里", "南4.9公里", "北5.2公里", "东北角外"]


def test_a_station_just_inside_the_radius_is_listed_and_just_outside_is_not(session, stations):
    assert names(nearby(*HERE, radius_m=1001)) == ["东300米", "北1公里"]
    assert names(nearby(*HERE, radius_m=999)) == ["东300米"]


def test_inactive_stations_are_listed_only_when_asked(session, stations):
    assert names(nearby(*HERE, radius_m=200, active_only=False)) == ["已停用"]
    assert names(nearby(*HERE, radius_m=200)) == []


def test_amenities_filter_to_stations_offering_all_of_them(session, stations):
    assert names(nearby(*HERE, amenities=["water"])) == ["东300米", "北1公里"]
    assert names(nearby(*HERE, amenities=["water", "toilet"])) == ["北1公里"]
    assert names(nearby(*HERE, amenities=["microwave"])) == ["南4.9公里"]
    assert names(nearby(*HERE, amenities=["sauna"])) == []


def test_the_limit_keeps_the_nearest(session, stations):
    assert names(nearby(*HERE, limit=2)) == ["东300米", "北1公里"]


def test_far_away_finds_nothing_and_a_city_away_finds_that_city(session, stations):
    assert nearby(0.0, 0.0) == [] and names(nearby(31.30, 120.585, radius_m=1000)) == ["苏州"]


@pytest.mark.parametrize("lat", [0.0, 18.2, 31.875, 53.5, -33.9, 70.0])
def test_the_box_holds_every_point_of_the_circle(lat):
    """Points on the circle all round (every 5°) fall in the box; so nothing the exact distance keeps is lost.
    The box does not wrap the 180th meridian: stations are in China (73–135° E), far from it."""
    south, north, west, east = bounding_box(lat, 120.0, 5000)
    for bearing in range(0, 360, 5):
        b = math.radians(bearing)
        d = 5000 / 6_371_008.8
        phi1, lam1 = math.radians(lat), math.radians(120.0)
        phi2 = math.asin(math.sin(phi1) * math.cos(d) + math.cos(phi1) * math.sin(d) * math.cos(b))
        lam2 = lam1 + math.atan2(math.sin(b) * math.sin(d) * math.cos(phi1),
                                 math.cos(d) - math.sin(phi1) * math.sin(phi2))
        point = math.degrees(phi2), math.degrees(lam2)
        assert distance_m(lat, 120.0, *point) == pytest.approx(5000, abs=0.01)
        assert south <= point[0] <= north and west <= point[1] <= east
