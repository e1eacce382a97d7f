"""The stations map: only with licensed tiles configured; markers in the tiles' system; the CSP names the tiles."""

import json
import re

import pytest

from core.geo import wgs84_to_gcj02
from extensions import db
from stations.map_tiles import tile_settings
from stations.models import Station, StationHours
from tests.factories import make_org

AMAP = "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}"
AMAP_SETTINGS = {"MAP_TILE_URL": AMAP, "MAP_TILE_SUBDOMAINS": "1234", "MAP_TILE_CRS": "gcj02",
                 "MAP_TILE_ATTRIBUTION": "&copy; 高德地图"}
TIANDITU = "https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}"
HERE = (31.875, 120.553)  # 杨舍, Zhangjiagang (WGS-84)


def no_tiles():
    return {"MAP_TILE_URL": "", "MAP_TILE_KEY": ""}


def with_place_pages(app):
    """The list and a station's page come from another branch; until they land, give url_for their names."""
    for endpoint, rule in (("stations.near_me", "/stations/"), ("stations.detail", "/stations/<int:station_id>")):
        if endpoint not in app.view_functions:
            app.add_url_rule(rule, endpoint=endpoint, view_func=lambda **_: "")
    return app


def add_station(app, name="塘市暖新窝", lat=HERE[0] + 0.004, lng=HERE[1]):
    with app.app_context():
        org = make_org()
        station = Station(organisation_id=org.id, name=name, address="杨舍镇塘市路1号", latitude=lat, longitude=lng,
                          amenities="water,toilet")
        db.session.add(station)
        db.session.flush()
        db.session.add_all(StationHours(station_id=station.id, weekday=d, opens="00:00", closes="24:00")
                           for d in range(7))
        db.session.commit()
        station_id = station.id
        db.session.remove()
    return station_id


def map_data(page: str) -> dict:
    found = re.search(r'<script type="application/json" id="map-data">(.*?)</script>', page, re.S)
    return json.loads(found.group(1))


def test_without_tiles_the_map_is_not_found_and_the_csp_allows_no_tile_host(make_app):
    app = make_app(**no_tiles())
    response = app.test_client().get(f"/stations/map?lat={HERE[0]}&lng={HERE[1]}")
    assert response.status_code == 404
    csp = response.headers["Content-Security-Policy"]
    assert re.search(r"img-src 'self' data:(;|$)", csp), csp
    assert "autonavi" not in csp and "tianditu" not in csp


def test_with_amap_tiles_the_map_shows_nearby_stations_in_gcj02_with_links_to_their_pages(make_app):
    app = with_place_pages(make_app(**AMAP_SETTINGS))
    station_id = add_station(app)
    response = app.test_client().get(f"/stations/map?lat={HERE[0]}&lng={HERE[1]}",
                                     headers={"Accept-Language": "en"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    data = map_data(page)
    assert data["tiles"]["url"] == AMAP and data["tiles"]["subdomains"] == ["1", "2", "3", "4"]
    [marker] = data["markers"]
    expected = wgs84_to_gcj02(HERE[0] + 0.004, HERE[1])
    assert marker["name"] == "塘市暖新窝" and marker["url"] == f"/stations/{station_id}"
    assert marker["position"] == pytest.approx(list(expected), abs=1e-6)
    assert marker["position"] != pytest.approx([HERE[0] + 0.004, HERE[1]], abs=1e-3)  # really moved (~470 m)
    assert marker["open"] is True and marker["status"] == "Open 24 hours"
    assert data["centre"] == pytest.approx(list(wgs84_to_gcj02(*HERE)), abs=1e-6)
    assert "leaflet@1.9.4/leaflet" in page and "js/station-map" in page
    assert 'href="/stations/?lat=31.875&amp;lng=120.553"' in page  # back to the list, same position
    assert f'href="/stations/{station_id}"' in page  # the list under the map works without JavaScript
    csp = response.headers["Content-Security-Policy"]
    img_src = re.search(r"img-src ([^;]*)", csp).group(1).split()
    assert img_src == ["'self'", "data:", *(f"https://webrd0{n}.is.autonavi.com" for n in "1234")]
    assert "autonavi" not in re.sub(r"img-src [^;]*", "", csp)  # only images, no scripts or connections


def test_wgs84_tiles_keep_gps_positions_and_the_key_is_filled_in(make_app):
    app = with_place_pages(make_app(MAP_TILE_URL=TIANDITU, MAP_TILE_KEY="k123", MAP_TILE_SUBDOMAINS="0,1",
                                    MAP_TILE_CRS="wgs84"))
    add_station(app)
    response = app.test_client().get("/stations/map")  # no position: the town centre
    data = map_data(response.get_data(as_text=True))
    assert data["tiles"]["url"].endswith("tk=k123") and "{key}" not in data["tiles"]["url"]
    assert data["located"] is False and data["centre"] == [31.8755, 120.553]
    assert data["markers"][0]["position"] == [HERE[0] + 0.004, HERE[1]]
    img_src = re.search(r"img-src ([^;]*)", response.headers["Content-Security-Policy"]).group(1).split()
    assert img_src[2:] == ["https://t0.tianditu.gov.cn", "https://t1.tianditu.gov.cn"]


def test_no_page_without_tiles_links_to_the_map(make_app):
    app = make_app(**no_tiles())
    add_station(app)
    for path in ("/tasks", f"/stations/?lat={HERE[0]}&lng={HERE[1]}"):
        page = app.test_client().get(path).get_data(as_text=True)
        assert "/stations/map" not in page, path


def test_with_tiles_the_list_links_to_the_map_at_the_same_position_as_a_full_page_load(make_app):
    app = make_app(**AMAP_SETTINGS)
    add_station(app)
    page = app.test_client().get(f"/stations/?lat={HERE[0]}&lng={HERE[1]}",
                                 headers={"Accept-Language": "en"}).get_data(as_text=True)
    link = '<a class="button" href="/stations/map?lat=31.875&amp;lng=120.553" hx-boost="false">Show on a map</a>'
    assert link in page


@pytest.mark.parametrize(("settings", "message"), [
    ({"MAP_TILE_URL": TIANDITU, "MAP_TILE_KEY": ""}, "MAP_TILE_KEY"),
    ({"MAP_TILE_URL": "//tiles.example/{z}/{x}/{y}.png"}, "absolute"),
    ({"MAP_TILE_URL": "https://tiles.example/tile.png"}, "{z}"),
    ({"MAP_TILE_URL": AMAP, "MAP_TILE_CRS": "bd09"}, "MAP_TILE_CRS"),
])
def test_an_unusable_tile_setting_stops_the_app_at_start_up(make_app, settings, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        make_app(**settings)


def test_one_tile_host_without_subdomains():
    tiles = tile_settings({"MAP_TILE_URL": "https://tiles.example.cn:8443/{z}/{x}/{y}.png"})
    assert tiles.hosts == ("https://tiles.example.cn:8443",) and tiles.crs == "gcj02"
    assert tile_settings({"MAP_TILE_URL": "https://{s}.tiles.example/{z}/{x}/{y}.png"}).hosts == tuple(
        f"https://{s}.tiles.example" for s in "abc")  # Leaflet's default subdomains
