"""Notifications in a real browser at phone width: the header's bell fits beside the balance, "My account"
and the language switch in both languages; the rider reads a notification, marks all read and the bell
empties without a reload; the inbox, settings and outbox pages pass axe in both languages."""

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from core.timeutil import utcnow
from extensions import db
from notifications.services import notify
from tests.e2e.test_accessibility import log_in, readable
from tests.factories import give_points, make_world

pytestmark = pytest.mark.e2e
AXE = Axe()


@pytest.fixture
def cast(live_app):
    from accounts.models import User

    with live_app.app_context():
        world = make_world()
        give_points(world.rider, 12345)  # a wide balance: the header's worst case
        starts = utcnow() + timedelta(days=2)
        for i in range(3):
            notify(user_id=world.rider, kind="task_cancelled", link="/my/tasks",
                   params={"title": f"路口交通安全劝导{i}", "starts_at": starts})
        notify(user_id=world.admin, kind="account_changed", params={"change": "role"})
        db.session.commit()
        phones = {name: db.session.get(User, getattr(world, name)).phone for name in ("rider", "admin")}
        db.session.remove()
    return phones


def open_phone(browser, base, phone, lang):
    context = browser.new_context(viewport={"width": 360, "height": 780}, is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    context.add_cookies([{"name": "lang", "value": lang, "url": base}])
    page = context.new_page()
    log_in(page, base, phone)
    return context, page


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_header_fits_360_px_with_balance_bell_account_and_language(browser, live_server, cast, lang, tmp_path):
    """A rider's header: the brand, the balance and the bell, then "My account" and the language switch;
    an admin's (no balance) is one row. Nothing sticks out, every tap target is at least 44 px."""
    for persona in ("rider", "admin"):
        context, page = open_phone(browser, live_server, cast[persona], lang)
        page.goto(live_server + "/tasks" if persona == "rider" else live_server + "/admin/")
        page.locator("header.top").screenshot(path=tmp_path / f"header-{persona}-{lang}.png")
        names = [".brand", "#balance", "#unread-badge", ".account-link", ".lang button"]
        boxes = {name: page.locator(name).bounding_box() for name in names if page.locator(name).count()}
        assert all(box["x"] >= 0 and box["x"] + box["width"] <= 360 and box["height"] >= 44 for box in boxes.values())
        assert boxes["#unread-badge"]["width"] >= 44
        rows = [round(box["y"] + box["height"] / 2) for box in boxes.values()]
        if persona == "rider":
            assert rows[0] == rows[1] == rows[2] < rows[3] == rows[4], boxes
        else:
            assert len(set(rows)) == 1, boxes
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        context.close()


def test_a_rider_reads_the_inbox_and_marks_all_read_and_the_bell_empties(browser, live_server, cast):
    context, page = open_phone(browser, live_server, cast["rider"], "en")
    page.goto(live_server + "/tasks")
    bell = page.locator("#unread-badge")
    expect(bell).to_contain_text("3 unread notifications")
    bell.click()
    expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
    expect(page.locator(".note.unread")).to_have_count(3)
    page.get_by_role("button", name="Mark all read").click()
    expect(page.locator(".note.unread")).to_have_count(0)
    expect(page.locator("#unread-badge")).to_contain_text("0 unread notifications")  # refreshed by the event
    expect(page.locator("#unread-badge .unread-count")).to_have_count(0)
    page.get_by_role("link", name="路口交通安全劝导2").click()
    page.wait_for_url("**/my/tasks")
    context.close()


@pytest.mark.parametrize(("persona", "urls"), [
    ("rider", ["/inbox", "/inbox/settings"]),
    ("admin", ["/inbox", "/admin/sms-outbox", "/admin/"]),
])
def test_axe_finds_nothing_on_the_notification_pages(browser, live_server, cast, persona, urls):
    failures = []
    for lang in ("zh", "en"):
        context, page = open_phone(browser, live_server, cast[persona], lang)
        for url in urls:
            page.goto(live_server + url)
            results = AXE.run(page)
            if results.violations_count:
                failures.append(readable(url, lang, persona, results))
        context.close()
    assert not failures, "\n" + "\n".join(failures)
