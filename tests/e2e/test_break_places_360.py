"""At 360 px nothing on the places pages sticks out past the screen's right edge (the body hides sideways
overflow, so ``scrollWidth`` alone would not show a clipped form or table): long names, two spans a day, the
hours form, an import preview full of bad rows."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from core.timeutil import local_today
from extensions import db
from tests.e2e.conftest import TIMEOUT_MS
from tests.e2e.test_accessibility import log_in
from tests.factories import make_org, make_user
from tests.station_factories import HERE, make_station

pytestmark = pytest.mark.e2e

STICKING_OUT = """() => Array.from(document.querySelectorAll('body *')).filter(el => {
  const box = el.getBoundingClientRect(), style = getComputedStyle(el);
  return box.width > 0 && box.right > 361 && style.visibility !== 'hidden' && !el.closest('[hidden]');
}).map(el => el.tagName + '.' + el.className + '#' + el.id + ' ' + Math.round(el.getBoundingClientRect().right))"""


@pytest.fixture
def setup(live_app):
    with live_app.app_context():
        org = make_org("杨舍镇塘市办事处" * 3)
        phone = make_user("coordinator", "陈丽华", org.id).phone
        station = make_station(org.id, name="塘市暖新窝" * 20, hours="08:00-12:00", address="人民中路" * 50,
                               exceptions=[(local_today() + timedelta(days=1), "14:00-21:00", "备注" * 100)])
        make_station(org.id, name="Ｗ" * 100, at=(HERE[0] + 0.001, HERE[1]), hours="22:00-02:00")
        db.session.commit()
        ids = station.id
        db.session.remove()
    return phone, ids


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_nothing_sticks_out_at_360_px(browser, live_server, setup, lang):
    phone, station_id = setup
    context = browser.new_context(viewport={"width": 360, "height": 780}, is_mobile=True, has_touch=True)
    context.set_default_timeout(TIMEOUT_MS)
    context.add_cookies([{"name": "lang", "value": lang, "url": live_server}])
    page = context.new_page()
    found = {}
    for url in (f"/stations/?lat={HERE[0]:.3f}&lng={HERE[1]:.3f}", f"/stations/{station_id}?lat=31.87&lng=120.55"):
        page.goto(live_server + url)
        found[url] = page.evaluate(STICKING_OUT)
    log_in(page, live_server, phone)
    for url in ("/coordinate/stations/", f"/coordinate/stations/{station_id}",
                f"/coordinate/stations/{station_id}/hours", "/coordinate/stations/new", "/coordinate/stations/import"):
        page.goto(live_server + url)
        found[url] = page.evaluate(STICKING_OUT)
    bad = ("name,kind,address,latitude,longitude,coordinate system,amenities,phone,active,holiday rule\n"
           + "".join(f"{'长' * 300},boat,{'x' * 300},north,{'9' * 200},GPS,{'jacuzzi' * 40},abc,maybe,nope\n"
                     for _ in range(3))).encode()
    page.goto(live_server + "/coordinate/stations/import")
    page.set_input_files("input[type=file]", files=[{"name": "s.csv", "mimeType": "text/csv", "buffer": bad}])
    page.locator("form[enctype] button[type=submit]").first.click()
    expect(page.locator("main")).to_contain_text("jacuzzi")  # the preview, with the bad rows
    found["preview"] = page.evaluate(STICKING_OUT)
    context.close()
    assert {url: items for url, items in found.items() if items} == {}
