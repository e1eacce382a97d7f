""""Near me" in a real browser: the rider taps it, the browser shares its location (granted to the context),
and the nearest task comes first with its distance; without JavaScript the page says why there are none."""

import re
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask_babel import force_locale, gettext
from playwright.sync_api import expect

from core.timeutil import utcnow
from extensions import db
from tests.e2e.conftest import TIMEOUT_MS
from tests.factories import make_org, make_task, make_user

pytestmark = pytest.mark.e2e

HERE = {"latitude": 31.8701, "longitude": 120.5502}  # the rider, on 人民中路 in Zhangjiagang


@pytest.fixture
def tasks(live_app):
    """Four tasks: the nearest starts last, one has no coordinates and starts first."""
    with live_app.app_context():
        org = make_org("杨舍镇塘市办事处")
        coordinator = make_user("coordinator", "陈丽华", org.id)
        for title, hours, lat, lng in [("没有坐标的任务", 1, None, None), ("九公里外的任务", 2.5, 31.950, 120.550),
                                       ("两公里外的任务", 3, 31.870, 120.575), ("最近的任务", 4, 31.8775, 120.550)]:
            starts = utcnow() + timedelta(hours=hours)
            make_task(org.id, coordinator.id, title=title, starts_at=starts, ends_at=starts + timedelta(hours=1),
                      latitude=lat, longitude=lng)
        db.session.commit()
        db.session.remove()


def text(app, lang, message, **values):
    with app.test_request_context(), force_locale(lang):
        return gettext(message, **values)


@pytest.fixture
def phone(browser):
    """Open a phone-sized context in a language, with the browser's location granted or not."""
    contexts = []

    def open_phone(lang: str, located: bool = True, javascript: bool = True):
        options = {"geolocation": HERE, "permissions": ["geolocation"]} if located else {}
        context = browser.new_context(viewport={"width": 360, "height": 780}, is_mobile=True, has_touch=True,
                                      locale="zh-CN" if lang == "zh" else "en-US", java_script_enabled=javascript,
                                      **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context, context.new_page()

    yield open_phone
    for context in contexts:
        context.close()


def titles(page):
    return page.locator(".card-title").all_inner_texts()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_tapping_near_me_puts_the_nearest_task_first(live_server, live_app, tasks, phone, lang):
    t = lambda message, **values: text(live_app, lang, message, **values)  # noqa: E731
    context, page = phone(lang)
    page.goto(live_server + "/tasks")
    assert titles(page)[0] == "没有坐标的任务"  # time order: the soonest first
    expect(page.locator("#near-why")).to_contain_text(t("Near me asks your browser for your location once, "
                                                        "to sort tasks by distance. It is not saved."))
    page.get_by_role("link", name=t("Near me")).click()
    expect(page).to_have_url(re.compile(r"/tasks\?near=1&lat=31\.870&lng=120\.550$"))
    expect(page.locator(".card-title").first).to_have_text("最近的任务")
    assert titles(page) == ["最近的任务", "两公里外的任务", "九公里外的任务", "没有坐标的任务"]
    distances = page.locator(".distance").all_inner_texts()
    assert distances[0] == t("%(distance)s away", distance="830 m" if lang == "en" else "830米")
    assert distances[-1] == t("Distance unknown")
    expect(page.get_by_role("link", name=t("Near me"))).to_have_attribute("aria-current", "true")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    results = Axe().run(page)  # the pressed chips, the note and the distances are accessible
    assert results.violations_count == 0, [v["id"] for v in results.response["violations"]]

    # The position is kept for the tab: with the permission gone, "near me" again still sorts by distance.
    context.clear_permissions()
    page.get_by_role("link", name=t("Near me")).click()  # off
    expect(page).to_have_url(live_server + "/tasks")
    page.get_by_role("link", name=t("Starts within 2 hours")).click()
    expect(page).to_have_url(live_server + "/tasks?soon=2h")
    page.get_by_role("link", name=t("Near me")).click()
    expect(page).to_have_url(re.compile(r"/tasks\?soon=2h&near=1&lat=31\.870&lng=120\.550$"))
    expect(page.locator(".card-title")).to_have_text(["没有坐标的任务"])  # the only one within 2 hours


def test_near_me_after_a_boosted_visit_asks_on_the_page_it_opens(live_server, live_app, tasks, phone):
    """Reached through the bottom navigation (htmx swaps the body, the script is not loaded yet)."""
    _context, page = phone("en")
    page.goto(live_server + "/login")
    page.locator(".bottom-nav").get_by_role("link", name="Tasks").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Volunteer tasks")
    page.get_by_role("link", name="Near me").click()
    expect(page).to_have_url(re.compile(r"/tasks\?near=1&lat=31\.870&lng=120\.550$"))
    expect(page.locator(".card-title").first).to_have_text("最近的任务")


def test_without_javascript_near_me_lists_the_tasks_and_says_why_there_is_no_distance(
        live_server, live_app, tasks, phone):
    _context, page = phone("zh", javascript=False)
    page.goto(live_server + "/tasks")
    page.get_by_role("link", name=text(live_app, "zh", "Near me")).click()
    expect(page).to_have_url(live_server + "/tasks?near=1")
    expect(page.locator("#near-why")).to_contain_text(text(live_app, "zh", "Allow location to sort by distance."))
    # (Chromium with scripts turned off by Playwright still parses <noscript> as text: the integration tests
    # check its "needs JavaScript" line.)
    assert titles(page) == ["没有坐标的任务", "九公里外的任务", "两公里外的任务", "最近的任务"]
    assert page.locator(".distance").count() == 0


def test_a_browser_that_does_not_share_its_location_gets_the_list_in_time_order_and_the_reason(
        live_server, live_app, tasks, phone):
    _context, page = phone("en", located=False)
    page.goto(live_server + "/tasks")
    page.get_by_role("link", name="Near me").click()
    expect(page).to_have_url(live_server + "/tasks?near=1&geo=denied")
    expect(page.locator("#near-why")).to_contain_text("Your browser did not share its location")
    assert titles(page)[0] == "没有坐标的任务" and page.locator(".distance").count() == 0
