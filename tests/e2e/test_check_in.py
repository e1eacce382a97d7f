"""Verified check-in in a real browser, two people at once at phone width: the coordinator opens the check-in
screen, the rider types the code it shows on the task page and sees the check-in; axe-core finds nothing on
the new pages."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from accounts.models import User
from extensions import db
from tests.e2e.test_main_loop import log_in, no_horizontal_scroll, text
from tests.factories import make_org, make_task, make_user
from volunteer import services

pytestmark = pytest.mark.e2e


@pytest.fixture
def cast(live_app):
    """A task of the coordinator's organisation starting in 30 minutes (check-in open), the rider signed up."""
    with live_app.app_context():
        org = make_org("杨舍镇塘市办事处")
        coordinator = make_user("coordinator", "陈丽华", org.id)
        rider = make_user(name="赵佳楠")
        task = make_task(org.id, coordinator.id, title="小区夜间安全巡逻")
        services.sign_up(task=task, rider=db.session.get(User, rider.id))
        db.session.commit()
        cast = {"coordinator": coordinator.phone, "rider": rider.phone, "task": task.id}
        db.session.remove()
    return cast


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_rider_types_the_code_from_the_coordinators_screen_and_is_checked_in(live_server, live_app, cast,
                                                                                phone_context, lang):
    t = lambda message, **values: text(live_app, lang, message, **values)  # noqa: E731
    coordinator, rider = phone_context(lang), phone_context(lang)
    task = cast["task"]

    log_in(coordinator, live_server, cast["coordinator"], "/coordinate/tasks",
           t("Tasks of %(org)s", org="杨舍镇塘市办事处"))
    coordinator.goto(f"{live_server}/coordinate/tasks/{task}")
    coordinator.get_by_role("link", name=t("Check-in"), exact=True).click()
    expect(coordinator).to_have_url(f"{live_server}/coordinate/tasks/{task}/check-in")
    digits = coordinator.locator(".check-in-digits")
    expect(digits).to_have_text(re.compile(r"^\d{6}$"))
    expect(coordinator.locator(".check-in-code .qr svg")).to_be_visible()
    no_horizontal_scroll(coordinator)
    code = digits.inner_text()

    log_in(rider, live_server, cast["rider"], "/tasks", t("Volunteer tasks"))
    rider.goto(f"{live_server}/tasks/{task}")
    rider.get_by_label(t("Code on the organiser's screen")).fill(code)
    rider.get_by_role("button", name=t("Check in"), exact=True).click()
    widget = rider.locator(f"#task-{task}-signup")
    told = t("Checked in at %(time)s. Your attendance is verified.", time="@")
    expect(widget).to_contain_text(re.compile(re.escape(told).replace("@", r"\d\d:\d\d")))
    no_horizontal_scroll(rider)

    # The coordinator's list says the attendance was verified.
    coordinator.goto(f"{live_server}/coordinate/tasks/{task}")
    expect(coordinator.locator(".attendance-method.verified")).to_contain_text("✓")


def test_axe_finds_no_violations_on_the_check_in_pages(live_server, live_app, cast, phone_context):
    axe = Axe()
    failures = []
    for lang in ("zh", "en"):
        coordinator, rider = phone_context(lang), phone_context(lang)
        for page in (coordinator, rider):  # the switch's cookie: the accounts keep the language of their last visit
            page.context.add_cookies([{"name": "lang", "value": lang, "url": live_server}])
        log_in(coordinator, live_server, cast["coordinator"], "/coordinate/tasks",
               text(live_app, lang, "Tasks of %(org)s", org="杨舍镇塘市办事处"))
        log_in(rider, live_server, cast["rider"], "/tasks", text(live_app, lang, "Volunteer tasks"))
        pages = [(coordinator, f"/coordinate/tasks/{cast['task']}/check-in"),
                 (coordinator, f"/coordinate/tasks/{cast['task']}"),
                 (rider, f"/tasks/{cast['task']}"),
                 (rider, f"/tasks/{cast['task']}/check-in?code=123456")]
        for page, url in pages:
            page.goto(live_server + url)
            results = axe.run(page)
            if results.violations_count:
                failures.append(f"{lang} {url}: {[v['id'] for v in results.response['violations']]}")
    assert not failures, failures


def test_the_coordinators_screen_shows_the_next_code_by_itself_when_the_window_ends(live_server, live_app, cast,
                                                                                   phone_context):
    from volunteer import checkin

    coordinator = phone_context("en")
    log_in(coordinator, live_server, cast["coordinator"], "/coordinate/tasks",
           text(live_app, "en", "Tasks of %(org)s", org="杨舍镇塘市办事处"))
    coordinator.goto(f"{live_server}/coordinate/tasks/{cast['task']}/check-in")
    digits = coordinator.locator(".check-in-digits")
    first = digits.inner_text()
    left = checkin.seconds_left()
    expect(digits).not_to_have_text(first, timeout=(left + 8) * 1000)  # the flip comes at the window's end
    expect(digits).to_have_text(re.compile(r"^\d{6}$"))
