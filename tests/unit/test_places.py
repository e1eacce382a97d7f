"""Places found together (core.places) and stations as places (stations/places.py): the registry merges kinds by
distance, the station finder filters by amenity and "open now" and says when hours are not known, and the
navigation links carry each map's coordinate system."""

import math
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from core.geo import wgs84_to_gcj02
from core.places import FINDERS, Place, navigation_links, nearby_places, register_place_finder
from stations.models import Station, StationHours
from tests.factories import make_org

HERE = (31.875, 120.553)  # 杨舍, Zhangjiagang
M_LAT = 1 / 111_195
# Thursday 3 December 2026, 14:00 in Zhangjiagang (06:00 UTC)
THURSDAY_2PM = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)


def north(metres):
    return HERE[0] + metres * M_LAT, HERE[1]


@pytest.fixture
def stations(session):
    org = make_org()

    def station(name, metres, amenities="", hours=(), active=True):
        lat, lng = north(metres)
        row = Station(organisation_id=org.id, name=name, address="张家港", latitude=lat, longitude=lng,
                      amenities=amenities, active=active,
                      hours=[StationHours(weekday=day, opens=opens, closes=closes) for day, opens, closes in hours])
        session.add(row)
        return row

    every_day = lambda opens, closes: [(day, opens, closes) for day in range(7)]  # noqa: E731
    made = [
        station("近·已关门", 100, "water", every_day("18:00", "22:00")),
        station("中·营业", 400, "water,toilet", every_day("08:00", "21:00")),
        station("远·全天", 900, "charging", every_day("00:00", "24:00")),
        station("不知道时间", 1500, "water"),
        station("停用", 50, "water", every_day("00:00", "24:00"), active=False),
    ]
    session.commit()
    return made


def find(app, **kwargs):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        return nearby_places(*HERE, kinds=["station"], now=THURSDAY_2PM, **kwargs)


def test_stations_come_nearest_first_with_their_status_and_amenities(app, session, stations):
    found = find(app)
    assert [p.name for p in found] == ["近·已关门", "中·营业", "远·全天", "不知道时间"]
    assert [round(p.distance_m) for p in found] == [100, 400, 900, 1500]
    assert [p.open_now for p in found] == [False, True, True, None]
    assert found[0].status_text == "Closed · opens 18:00"
    assert found[1].status_text == "Open now · closes 21:00"
    assert found[2].status_text == "Open 24 hours"
    assert found[3].status_text == ""  # not known: never shown as "closed"
    assert [code for code, _label in found[1].features] == ["water", "toilet"]
    assert found[1].url == f"/stations/{stations[1].id}"


def test_open_now_and_amenities_filter_and_an_unknown_amenity_matches_nothing(app, session, stations):
    assert [p.name for p in find(app, open_now=True)] == ["中·营业", "远·全天"]
    assert [p.name for p in find(app, amenities=["water"])] == ["近·已关门", "中·营业", "不知道时间"]
    assert [p.name for p in find(app, amenities=["water"], open_now=True)] == ["中·营业"]
    assert find(app, amenities=["sauna"]) == []


def test_the_limit_counts_only_places_that_pass_the_filters(app, session, stations):
    assert [p.name for p in find(app, open_now=True, limit=1)] == ["中·营业"]


def test_the_registry_merges_kinds_by_distance_and_ignores_unknown_kinds(monkeypatch):
    monkeypatch.setattr("core.places.FINDERS", dict(FINDERS))

    def fake(kind, *metres):
        def finder(lat, lng, *, radius_m, limit, now, amenities, open_now):
            return [Place(kind=kind, id=i, name=f"{kind}{i}", address="", latitude=lat, longitude=lng,
                          distance_m=m, url="/") for i, m in enumerate(metres) if m <= radius_m][:limit]
        return finder

    register_place_finder("a", fake("a", 10, 300))
    register_place_finder("b", fake("b", 200, 300, 4000))
    found = nearby_places(*HERE, kinds=["a", "b", "nowhere"], now=THURSDAY_2PM, limit=4)
    assert [(p.kind, p.distance_m) for p in found] == [("a", 10), ("b", 200), ("a", 300), ("b", 300)]
    assert nearby_places(*HERE, kinds=["nowhere"], now=THURSDAY_2PM) == []


def test_navigation_links_give_amap_and_baidu_gcj02_and_geo_wgs84():
    lat, lng = 31.8755, 120.555
    links = navigation_links(lat, lng, "杨舍暖新窝")
    gcj_lat, gcj_lng = wgs84_to_gcj02(lat, lng)
    amap = parse_qs(urlsplit(links.amap).query)
    to_lng, to_lat, name = amap["to"][0].split(",")
    assert links.amap.startswith("https://uri.amap.com/navigation?")  # a web link: opens inside WeChat too
    assert (float(to_lat), float(to_lng), name) == (round(gcj_lat, 6), round(gcj_lng, 6), "杨舍暖新窝")
    assert amap["coordinate"] == ["gaode"] and amap["callnative"] == ["1"]
    baidu = parse_qs(urlsplit(links.baidu).query)
    assert links.baidu.startswith("https://api.map.baidu.com/marker?")
    assert baidu["location"] == [f"{gcj_lat:.6f},{gcj_lng:.6f}"] and baidu["coord_type"] == ["gcj02"]
    assert links.geo.startswith("geo:31.875500,120.555000?q=")
    # the two systems really differ here (hundreds of metres), so a mix-up would show
    assert math.dist((lat, lng), (gcj_lat, gcj_lng)) > 0.003
