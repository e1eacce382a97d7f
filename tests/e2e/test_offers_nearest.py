"""Offers nearest first in a real browser at 360 px: the rider taps "nearest first", the browser shares its
location, the nearest restaurant comes first with its distance; its page has GCJ-02 navigation links."""

import re

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import expect

from core.geo import wgs84_to_gcj02
from extensions import db
from tests.e2e.conftest import TIMEOUT_MS
from tests.factories import PASSWORD, make_merchant, make_offer, make_user

pytestmark = pytest.mark.e2e

HERE = {"latitude": 31.8701, "longitude": 120.5502}  # the rider, on 人民中路 in Zhangjiagang
NEAR = (31.8725, 120.5502)  # about 280 m north of the rider (rounded to 31.870)


@pytest.fixture
def restaurants(live_app):
    with live_app.app_context():
        rider = make_user("rider", "赵佳楠")
        far = make_merchant("丁记面馆", latitude=31.9, longitude=120.55)  # first by name, 3.3 km away
        near = make_merchant("港城小厨", latitude=NEAR[0], longitude=NEAR[1])
        for merchant in (far, near):
            make_offer(merchant.id)
        db.session.commit()
        ids = {"rider_phone": rider.phone, "near": near.id}
        db.session.remove()
    return ids


def text(app, lang, message, **values):
    with app.test_request_context(), force_locale(lang):
        return gettext(message, **values)


def log_in(page, base, phone):
    page.goto(base + "/login")
    page.locator("#phone").fill(phone)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(lambda url: "/login" not in url)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_nearest_first_puts_the_nearest_restaurant_first_and_its_page_navigates_in_gcj02(
        live_server, live_app, restaurants, browser, lang):
    t = lambda message, **values: text(live_app, lang, message, **values)  # noqa: E731
    context = browser.new_context(viewport={"width": 360, "height": 780}, is_mobile=True, has_touch=True,
                                  locale="zh-CN" if lang == "zh" else "en-US", geolocation=HERE,
                                  permissions=["geolocation"])
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    context.add_cookies([{"name": "lang", "value": lang, "url": live_server}])
    log_in(page, live_server, restaurants["rider_phone"])
    page.goto(live_server + "/offers")
    assert page.locator(".merchant h2").all_inner_texts() == ["丁记面馆", "港城小厨"]
    page.get_by_role("link", name=t("Nearest first")).click()
    expect(page).to_have_url(re.compile(r"/offers\?near=1&lat=31\.870&lng=120\.550$"))
    expect(page.locator(".merchant h2").first).to_have_text("港城小厨")
    assert page.locator(".place-distance").all_inner_texts() == (["280 m", "3.3 km"] if lang == "en"
                                                                 else ["280米", "3.3公里"])
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
    page.get_by_role("link", name="港城小厨").click()
    expect(page.locator("h1")).to_have_text("港城小厨")
    gcj = wgs84_to_gcj02(*NEAR)
    amap = page.get_by_role("link", name=t("Open in Amap"))
    expect(amap).to_have_attribute("data-lat", f"{gcj[0]:.6f}")
    expect(amap).to_have_attribute("data-lng", f"{gcj[1]:.6f}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()
