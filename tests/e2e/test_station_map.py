"""The stations map in a real browser at 360 px: Leaflet runs under the CSP, the station's marker opens a popup
that links to its page, tiles come only from the configured host (answered here with a blank tile)."""

import base64

import pytest
from playwright.sync_api import expect

from app import create_app
from extensions import db
from stations.models import Station, StationHours
from tests.conftest import BASE_CONFIG
from tests.factories import make_org

pytestmark = pytest.mark.e2e

TILES = "https://webrd0{s}.is.autonavi.com/appmaptile?style=8&x={x}&y={y}&z={z}"
BLANK_PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/"
                             "PchI7wAAAABJRU5ErkJggg==")


@pytest.fixture
def live_app(database_url):
    application = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url, "SERVER_NAME": None,
                              "MAP_TILE_URL": TILES, "MAP_TILE_SUBDOMAINS": "1234", "MAP_TILE_CRS": "gcj02",
                              "MAP_TILE_ATTRIBUTION": "© 高德地图"})
    if "stations.detail" not in application.view_functions:  # the station page comes from another branch
        application.add_url_rule("/stations/<int:station_id>", endpoint="stations.detail",
                                 view_func=lambda station_id: f"station {station_id}")
    with application.app_context():
        org = make_org()
        station = Station(organisation_id=org.id, name="塘市暖新窝", address="杨舍镇塘市路1号", latitude=31.879,
                          longitude=120.553, amenities="water")
        db.session.add(station)
        db.session.flush()
        db.session.add_all(StationHours(station_id=station.id, weekday=d, opens="00:00", closes="24:00")
                           for d in range(7))
        db.session.commit()
        application.config["TEST_STATION_ID"] = station.id
        db.session.remove()
    yield application
    with application.app_context():
        db.engine.dispose()


def test_the_map_shows_the_station_and_its_popup_links_to_its_page(live_app, live_server, phone_context):
    page = phone_context("zh")
    tiles, errors = [], []  # errors: console errors, uncaught exceptions and CSP violations
    page.route("https://*.is.autonavi.com/**", lambda route: (tiles.append(route.request.url),
                                                               route.fulfill(body=BLANK_PNG, content_type="image/png")))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.add_init_script("document.addEventListener('securitypolicyviolation', e => "
                         "console.error('CSP ' + e.violatedDirective + ' ' + e.blockedURI))")
    page.goto(f"{live_server}/stations/map?lat=31.875&lng=120.553")
    expect(page.locator(".leaflet-container")).to_be_visible()
    markers = page.locator("path.leaflet-interactive")
    expect(markers).to_have_count(2)  # where the rider is, and the station
    expect(page.locator(".leaflet-tile-loaded").first).to_be_attached()
    assert tiles and all(url.startswith(tuple(f"https://webrd0{n}.is.autonavi.com/" for n in "1234")) for url in tiles)
    markers.nth(1).click(force=True)
    link = page.locator(".leaflet-popup-content a")
    expect(link).to_have_text("塘市暖新窝")
    station_id = live_app.config["TEST_STATION_ID"]
    assert link.get_attribute("href") == f"/stations/{station_id}"
    expect(page.locator(".leaflet-popup-content")).to_contain_text("24小时")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling at phone width
    assert errors == []
