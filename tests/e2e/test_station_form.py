"""A coordinator adds a station on a phone: "use my current location" fills the position from the browser
(WGS-84) and says how accurate it is; the five tabs fit at 360 px; without JavaScript the button is hidden."""

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext
from playwright.sync_api import expect

from extensions import db
from stations.models import Station
from tests.e2e.conftest import TIMEOUT_MS
from tests.e2e.test_accessibility import log_in
from tests.factories import make_org, make_user

pytestmark = pytest.mark.e2e

HERE = {"latitude": 31.8701, "longitude": 120.5502, "accuracy": 12}


@pytest.fixture
def coordinator_phone(live_app):
    with live_app.app_context():
        org = make_org("塘市办事处")
        phone = make_user("coordinator", "陈丽华", org.id).phone
        db.session.commit()
        db.session.remove()
    return phone


def text(app, lang, message, **values):
    with app.test_request_context(), force_locale(lang):
        return gettext(message, **values)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_use_my_location_fills_the_position_and_the_station_is_saved(browser, live_server, live_app,
                                                                     coordinator_phone, lang):
    t = lambda message, **values: text(live_app, lang, message, **values)  # noqa: E731
    context = browser.new_context(viewport={"width": 360, "height": 780}, is_mobile=True, has_touch=True,
                                  geolocation=HERE, permissions=["geolocation"])
    context.set_default_timeout(TIMEOUT_MS)
    context.add_cookies([{"name": "lang", "value": lang, "url": live_server}])
    page = context.new_page()
    log_in(page, live_server, coordinator_phone)
    page.goto(live_server + "/coordinate/stations/")
    nav = page.locator(".bottom-nav")
    expect(nav.get_by_role("link", name=t("Stations"))).to_have_attribute("aria-current", "page")
    for link in nav.locator("a").all():  # five tabs and log-out, none cut off or wrapped out of the bar
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360
    page.get_by_role("link", name=t("New station")).click()
    page.locator("#name").fill("塘市暖新驿站")
    page.locator("#address").fill("长兴路8号")
    page.get_by_label(t("Drinking water")).check()
    page.get_by_role("button", name=t("Use my current location")).click()
    expect(page.locator("#latitude")).to_have_value("31.870100")
    expect(page.locator("#longitude")).to_have_value("120.550200")
    expect(page.locator("[data-locate-status]")).to_contain_text("12")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_role("button", name=t("Save"), exact=True).click()
    expect(page.locator(".flash")).to_contain_text(t("Station saved."))
    with live_app.app_context():
        station = db.session.scalar(sa.select(Station))
        assert (station.latitude, station.longitude, station.entered_crs, station.amenities) == (
            31.8701, 120.5502, "wgs84", "water")
        db.session.remove()
    context.close()


def test_without_javascript_the_location_button_is_hidden(browser, live_server, live_app, coordinator_phone):
    context = browser.new_context(viewport={"width": 360, "height": 780}, java_script_enabled=False)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    log_in(page, live_server, coordinator_phone)
    page.goto(live_server + "/coordinate/stations/new")
    expect(page.get_by_role("button", name="Use my current location")).to_be_hidden()
    expect(page.locator("#map_link")).to_be_visible()
    context.close()
