"""The dashboard in a real Chromium under the app's CSP: each chart image loads (naturalWidth > 0) with no CSP
violation in the console, the SVG's own style applies when it is opened as a document (its CSP allows the inline
style pygal writes, nothing else), and the page reads at 360 px without sideways scrolling."""

from datetime import date, timedelta

import pytest

from core.timeutil import at_local
from extensions import db
from tests.factories import PASSWORD, make_task, make_world
from volunteer.models import Signup

pytestmark = pytest.mark.e2e
PERIOD = "from=2025-03-01&to=2025-03-31"


@pytest.fixture
def coordinator_phone(live_app):
    from accounts.models import User
    from rewards.models import Voucher

    with live_app.app_context():
        world = make_world()
        starts = at_local(date(2025, 3, 10), 9)
        task = make_task(world.org, world.coordinator, starts_at=starts, ends_at=starts + timedelta(hours=3))
        db.session.add(Signup(task_id=task.id, rider_id=world.rider, status="attended", queued_at=starts,
                              attendance_method="verified", verified_minutes=150))
        db.session.add(Voucher(code="1234567812345678", offer_id=world.offer, merchant_id=world.merchant,
                               rider_id=world.rider, status="redeemed", points_cost=30, face_value_fen=1500,
                               issued_at=starts, expires_at=starts + timedelta(days=7), redeemed_at=starts,
                               redeemed_by_id=world.staff))
        db.session.commit()
        phone = db.session.get(User, world.coordinator).phone
        db.session.remove()
    return phone


def log_in(page, base, phone):
    page.goto(base + "/login")
    page.locator("#phone").fill(phone)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(lambda url: "/login" not in url)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_charts_render_under_the_csp_at_phone_width(live_server, coordinator_phone, phone_context, lang):
    page = phone_context(lang)
    console = []
    page.on("console", lambda message: console.append(message.text))
    log_in(page, live_server, coordinator_phone)
    page.goto(f"{live_server}/dashboard/?{PERIOD}")
    images = page.locator(".dash-charts img")
    assert images.count() == 3
    for index in range(3):
        image = images.nth(index)
        image.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete", arg=image.element_handle())
        assert image.evaluate("img => img.naturalWidth") > 0, image.get_attribute("src")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert not [text for text in console if "Content Security Policy" in text], console


def test_a_charts_own_style_applies_and_nothing_is_refused(live_server, coordinator_phone, phone_context):
    page = phone_context("en")
    console = []
    page.on("console", lambda message: console.append(message.text))
    log_in(page, live_server, coordinator_phone)
    page.goto(f"{live_server}/dashboard/charts/hours.svg?{PERIOD}")
    # pygal's stylesheet paints the plot white; without it (blocked) an SVG rect is filled black
    fill = page.evaluate("getComputedStyle(document.querySelector('.plot .background')).fill")
    assert fill == "rgb(255, 255, 255)"
    assert not [text for text in console if "Content Security Policy" in text], console



DESKTOP_TABLES = """() => [...document.querySelectorAll('main table')].map(t => {
    const box = t.parentElement;
    return {width: t.getBoundingClientRect().width, fits: box.scrollWidth <= box.clientWidth + 1};
})"""


@pytest.fixture
def desk(live_app):
    """The world with two statements of its merchant (``make_statements``): the coordinator's phone and the
    issued statement's id."""
    from accounts.models import User
    from tests.settlement_factories import make_statements

    with live_app.app_context():
        world = make_world()
        statements = make_statements(world)
        db.session.commit()
        values = {"phone": db.session.get(User, world.coordinator).phone, "statement": statements.issued}
        db.session.remove()
    return values


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_dashboard_and_a_statement_read_whole_on_a_desktop(live_server, desk, browser, lang):
    """Issue 13: the dashboard and statements are also readable on a desktop: at 1280 px no page scrolls
    sideways and every table shows whole (none needs its own sideways scrolling) in the page's desktop column
    (720 px: the lines of a table read across, not wrapped as on a phone)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN" if lang == "zh" else "en-US")
    context.add_cookies([{"name": "lang", "value": lang, "url": live_server}])
    page = context.new_page()
    log_in(page, live_server, desk["phone"])
    for url in ("/dashboard/", f"/coordinate/statements/{desk['statement']}"):
        page.goto(live_server + url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280, url
        tables = page.evaluate(DESKTOP_TABLES)
        assert tables, url
        assert all(table["fits"] and table["width"] >= 560 for table in tables), (url, tables)  # 336 at 360 px
    context.close()
