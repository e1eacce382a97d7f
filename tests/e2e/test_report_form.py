"""A rider files a problem report on a phone: the "Report" tab opens the form, the location fills itself (the
permission was given before), the photo is shrunk in the browser, choosing a category shows the similar open
report nearby with "Me too", and sending lands on the report's page; at 360 px, in both languages."""

import pytest
import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from accounts.models import User
from extensions import db
from reports.models import Report
from tests.e2e.conftest import TIMEOUT_MS
from tests.e2e.test_accessibility import log_in
from tests.e2e.test_station_form import text
from tests.factories import make_world
from tests.report_factories import make_departments, make_report, photo_bytes
from tests.station_factories import HERE, east_of

pytestmark = pytest.mark.e2e


@pytest.fixture
def cast(live_app):
    with live_app.app_context():
        world = make_world()
        make_departments()
        with live_app.test_request_context():
            other = make_report(db.session.get(User, world.rider2), at=east_of(HERE, 20),
                                description="路口井盖松动")
        db.session.commit()
        phone, other_id = db.session.get(User, world.rider).phone, other.id
        db.session.remove()
    return phone, other_id


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_rider_files_a_report_in_a_few_taps_and_sees_the_similar_one_first(browser, live_server, live_app, cast,
                                                                            tmp_path, lang):
    t = lambda message, **values: text(live_app, lang, message, **values)  # noqa: E731
    phone, other_id = cast
    context = browser.new_context(viewport={"width": 360, "height": 780}, is_mobile=True, has_touch=True,
                                  geolocation={"latitude": HERE[0], "longitude": HERE[1], "accuracy": 8},
                                  permissions=["geolocation"])
    context.set_default_timeout(TIMEOUT_MS)
    context.add_cookies([{"name": "lang", "value": lang, "url": live_server}])
    page = context.new_page()
    log_in(page, live_server, phone)
    page.goto(live_server + "/tasks")
    nav = page.locator(".bottom-nav")
    for link in nav.locator("a").all():  # six tabs and log-out fit the bar
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360
    nav.get_by_role("link", name=t("Report")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Report a problem"))
    expect(page.locator("[data-locate-status]")).to_contain_text("8")  # asked at once: allowed before
    big = tmp_path / "IMG_0001.jpg"
    big.write_bytes(photo_bytes((3000, 2250)))
    page.locator("#photos").set_input_files(str(big))
    expect(page.locator(".photo-previews canvas")).to_have_count(1)
    expect(page.locator("#report-form[data-busy]")).to_have_count(0)
    size = page.evaluate("document.getElementById('photos').files[0].size")
    assert 0 < size < big.stat().st_size
    page.locator(".tile", has_text=t("Road facilities")).click()
    similar = page.locator("#similar")
    expect(similar).to_contain_text("路口井盖松动")
    expect(similar.locator("img")).to_have_count(1)
    similar.get_by_role("button", name=t("Me too")).click()
    expect(similar).to_contain_text(t("You reported this too"))
    page.locator("#description").fill("路灯不亮，晚上看不清路")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    results = Axe().run(page)
    assert results.violations_count == 0, [v["id"] for v in results.response["violations"]]
    page.get_by_role("button", name=t("Send report")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(t("Road facilities"))
    expect(page.locator(".flash")).to_contain_text(t(
        "Thank you! Your report was sent. You will get a message each time it moves on."))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    results = Axe().run(page)
    assert results.violations_count == 0, [v["id"] for v in results.response["violations"]]
    with live_app.app_context():
        mine = db.session.scalars(sa.select(Report).where(Report.id != other_id)).one()
        assert abs(mine.latitude - HERE[0]) < 1e-5 and mine.description == "路灯不亮，晚上看不清路"
        assert db.session.get(Report, other_id).supporters == 1
        db.session.remove()
