""""Near me" for rest stations in a real browser at 360 px: the rider taps "use my location" (granted to the
context), finds the nearest OPEN station (the nearest one is closed today), opens its page and gets navigation
links in the right coordinate systems; a refusal leads to the town picker and is remembered."""

import re
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask_babel import force_locale, gettext
from playwright.sync_api import expect

from core.geo import wgs84_to_gcj02
from core.timeutil import local_today
from extensions import db
from tests.e2e.conftest import TIMEOUT_MS
from tests.factories import make_org
from tests.station_factories import east_of, make_station, north_of

pytestmark = pytest.mark.e2e

HERE = {"latitude": 31.8701, "longitude": 120.5502}  # the rider, on 人民中路 in Zhangjiagang
OPEN_AT = east_of((31.870, 120.550), 800)  # measured from the rounded position the page sends


@pytest.fixture
def stations(live_app):
    """The nearest station (300 m) is closed today; the next (800 m) is open 24 hours; a third is 1.5 km away."""
    with live_app.app_context():
        org = make_org("杨舍镇塘市办事处")
        make_station(org.id, name="最近但关门", at=north_of((31.870, 120.550), 300), amenities="water",
                     exceptions=[(local_today(), "closed", "盘点")])
        make_station(org.id, name="开着的暖新窝", at=OPEN_AT, amenities="water,charging,toilet",
                     address="张家港市杨舍镇人民中路88号")
        make_station(org.id, name="远一点的", at=north_of((31.870, 120.550), 1500), hours="08:00-21:00")
        db.session.commit()
        db.session.remove()


def text(app, lang, message, **values):
    with app.test_request_context(), force_locale(lang):
        return gettext(message, **values)


@pytest.fixture
def phone(browser):
    contexts = []

    def open_phone(lang: str, located: bool = True):
        options = ({"geolocation": HERE, "permissions": ["geolocation", "clipboard-read", "clipboard-write"]}
                   if located else {})
        context = browser.new_context(viewport={"width": 360, "height": 780}, is_mobile=True, has_touch=True,
                                      locale="zh-CN" if lang == "zh" else "en-US", **options)
        context.set_default_timeout(TIMEOUT_MS)
        context.add_cookies([{"name": "lang", "value": lang, "url": "http://127.0.0.1"}])
        contexts.append(context)
        return context, context.new_page()

    yield open_phone
    for context in contexts:
        context.close()


def fits_and_is_accessible(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    results = Axe().run(page)
    assert results.violations_count == 0, [v["id"] for v in results.response["violations"]]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_rider_finds_the_nearest_open_station_and_gets_there_in_one_tap(live_server, live_app, stations, phone,
                                                                          lang):
    t = lambda message, **values: text(live_app, lang, message, **values)  # noqa: E731
    context, page = phone(lang)
    page.goto(live_server + "/tasks")
    page.locator(".bottom-nav").get_by_role("link", name=t("Rest stops")).click()  # boosted: no script yet
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Rest stations near me"))
    expect(page.locator("#near-why")).to_contain_text(t("To list the nearest first, this page asks your browser "
                                                        "for your location, only when you tap the button. It is "
                                                        "rounded to about 100 m and not saved on our server."))
    page.get_by_role("link", name=t("Use my location")).click()
    expect(page).to_have_url(re.compile(r"/stations/\?lat=31\.870&lng=120\.550$"))
    rows = page.locator(".place")
    expect(rows.first.locator(".place-name")).to_have_text("最近但关门")
    expect(rows.first.locator(".place-status")).to_contain_text(t("Closed · opens tomorrow %(time)s", time="00:00"))
    fits_and_is_accessible(page)

    page.locator(".filter-box summary").click()  # the filters fold away so the list comes first
    page.get_by_label(t("Open now")).check()
    page.locator(".place-filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"open=1"))
    expect(rows.first.locator(".place-name")).to_have_text("开着的暖新窝")
    expect(rows.first.locator(".place-status")).to_have_text(t("Open 24 hours"))
    expect(rows.first.locator(".place-distance")).to_have_text(t("%(num)s m", num="800"))
    expect(rows.first.locator(".feature-charging")).to_have_text(t("Phone charging"))
    assert "最近但关门" not in page.locator(".place-list").inner_text()

    rows.first.locator(".place-name").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("开着的暖新窝")
    expect(page.locator(".station-meta")).to_contain_text(t("%(distance)s away", distance=t("%(num)s m", num="800")))
    gcj_lat, gcj_lng = wgs84_to_gcj02(*OPEN_AT)
    amap = page.get_by_role("link", name=t("Open in Amap")).get_attribute("href")
    assert urlsplit(amap).netloc == "uri.amap.com"
    assert parse_qs(urlsplit(amap).query)["to"] == [f"{gcj_lng:.6f},{gcj_lat:.6f},开着的暖新窝"]
    baidu = page.get_by_role("link", name=t("Open in Baidu Maps")).get_attribute("href")
    assert parse_qs(urlsplit(baidu).query)["location"] == [f"{gcj_lat:.6f},{gcj_lng:.6f}"]
    geo = unquote(page.get_by_role("link", name=t("Other map app")).get_attribute("href"))
    assert geo.startswith(f"geo:{OPEN_AT[0]:.6f},{OPEN_AT[1]:.6f}?")

    copy = page.get_by_role("button", name=t("Copy address"))
    expect(copy).to_be_visible()  # copy.js showed it: the clipboard works here
    copy.click()
    expect(page.locator(".copy-status")).to_have_text(t("Address copied"))
    assert page.evaluate("navigator.clipboard.readText()") == "张家港市杨舍镇人民中路88号"
    fits_and_is_accessible(page)

    # Remembered for a short while: opening the list again lists by distance without asking the browser.
    context.clear_permissions()
    page.goto(live_server + "/stations/")
    expect(page).to_have_url(re.compile(r"/stations/\?lat=31\.870&lng=120\.550$"))


def test_a_refused_location_leads_to_the_town_picker_and_is_not_asked_again(live_server, live_app, stations, phone):
    _context, page = phone("zh", located=False)
    page.goto(live_server + "/stations/")
    page.get_by_role("link", name=text(live_app, "zh", "Use my location")).click()
    expect(page).to_have_url(live_server + "/stations/?geo=denied")
    expect(page.locator("#near-why")).to_contain_text("浏览器没有提供位置，请改为选择镇或街道。")
    page.get_by_label("或选择镇、街道").select_option("yangshe")
    page.get_by_role("button", name=text(live_app, "zh", "Show"), exact=True).click()
    expect(page.locator("#near-why")).to_contain_text("距离从杨舍镇中心算起。")
    expect(page.locator(".place-name").first).to_be_visible()
    fits_and_is_accessible(page)
    page.goto(live_server + "/stations/")  # the refusal is remembered: straight to the picker, no nagging
    expect(page).to_have_url(live_server + "/stations/?geo=denied")
