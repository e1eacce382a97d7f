"""A refusal is seen where the person is: at the bottom of a long, scrolled list, the message appears in the
viewport (next to the tapped button, or in the sticky message region) and takes the focus; a refused form
puts the focus on its first invalid field; the fixed bottom bar never covers the focused control."""

from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import expect

from core.timeutil import utcnow
from extensions import db
from tests.factories import PASSWORD, make_org, make_task, make_user

pytestmark = pytest.mark.e2e

LAST = "最后一个任务"


@pytest.fixture
def long_list(live_app):
    """Twelve open tasks (the last, starting latest, has one place) and two riders."""
    with live_app.app_context():
        org = make_org("杨舍镇塘市办事处")
        coordinator = make_user("coordinator", "陈丽华", org.id)
        rider, other = make_user(name="赵佳楠"), make_user(name="张松阳")
        for hour in range(11):
            make_task(org.id, coordinator.id, title=f"路口交通安全劝导 {hour + 1}",
                      starts_at=utcnow() + timedelta(hours=2 + hour), ends_at=utcnow() + timedelta(hours=4 + hour))
        last = make_task(org.id, coordinator.id, title=LAST, places=1, starts_at=utcnow() + timedelta(hours=20),
                         ends_at=utcnow() + timedelta(hours=22))
        db.session.commit()
        cast = {"rider": rider.phone, "other": other.id, "last": last.id}
        db.session.remove()
    return cast


def t(app, message: str) -> str:
    with app.test_request_context(), force_locale("zh"):
        return gettext(message)


def log_in(page, base, phone):
    page.goto(base + "/login")
    page.locator("#phone").fill(phone)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(base + "/tasks")
    expect(page.locator("main h1")).to_be_visible()


def scrolled_to_the_last_task(page):
    """The sign-up button of the last task, scrolled to the bottom of the page the way a thumb does."""
    page.mouse.wheel(0, 20_000)
    page.wait_for_function("() => window.scrollY > 600")  # a function: an expression is eval()ed, which the CSP refuses
    button = page.locator(".card", has_text=LAST).get_by_role("button")
    expect(button).to_be_in_viewport()
    return button


def in_viewport_and_not_under_the_bar(page, locator):
    expect(locator).to_be_in_viewport()
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")  # laid out
    box = locator.bounding_box()
    bar = page.locator(".bottom-nav").bounding_box()
    assert box["y"] + box["height"] <= bar["y"], (box, bar)


def test_a_refusal_at_the_bottom_of_a_long_page_appears_in_view_and_takes_the_focus(
        live_server, live_app, long_list, phone_context):
    from accounts.models import User
    from volunteer import services
    from volunteer.models import Task

    page = phone_context("zh")
    log_in(page, live_server, long_list["rider"])
    button = scrolled_to_the_last_task(page)
    with live_app.app_context():  # meanwhile someone else takes the only place
        services.sign_up(task=db.session.get(Task, long_list["last"]), rider=db.session.get(User, long_list["other"]))
        db.session.commit()
        db.session.remove()
    button.click()
    message = page.locator(".card", has_text=LAST).locator(".flash-error")
    expect(message).to_be_visible()
    expect(message).to_be_focused()  # first: focusing is what scrolls it into view (static/js/focus.js)
    in_viewport_and_not_under_the_bar(page, message)
    assert page.evaluate("window.scrollY") > 600  # the person was not thrown back to the top


def test_an_error_answer_at_the_bottom_of_a_long_page_shows_in_the_sticky_message_region(
        live_server, live_app, long_list, phone_context):
    page = phone_context("zh")
    log_in(page, live_server, long_list["rider"])
    button = scrolled_to_the_last_task(page)
    # The page's form token has gone stale (as after a long pause): the server refuses with 400.
    page.evaluate("""() => {
        document.body.setAttribute('hx-headers', JSON.stringify({'X-CSRFToken': 'stale'}));
        document.querySelectorAll('input[name=csrf_token]').forEach(i => { i.value = 'stale'; });
    }""")
    button.click()
    message = page.locator("#flash .flash-error")
    expect(message).to_have_text(t(live_app, "The form expired or was sent twice. Reload the page and try again."))
    expect(message).to_be_focused()
    in_viewport_and_not_under_the_bar(page, message)
    assert page.evaluate("window.scrollY") > 600


def test_a_refused_form_puts_the_focus_on_its_first_invalid_field(live_server, live_app, phone_context):
    page = phone_context("zh")
    page.goto(live_server + "/register")
    page.locator("main form button[type=submit]").last.click()
    first_invalid = page.locator('main [aria-invalid="true"]').first
    expect(first_invalid).to_be_focused()


def test_the_bottom_bar_never_covers_the_control_that_has_the_focus(live_server, long_list, phone_context):
    page = phone_context("zh")
    log_in(page, live_server, long_list["rider"])
    bar = page.locator(".bottom-nav").bounding_box()
    seen = 0
    for _ in range(60):
        page.keyboard.press("Tab")
        box = page.evaluate("""() => { const el = document.activeElement;
            if (!el || el === document.body || el.closest('.bottom-nav, header')) return null;
            const r = el.getBoundingClientRect(); return {top: r.top, bottom: r.bottom}; }""")
        if box is None:
            continue
        seen += 1
        assert box["bottom"] <= bar["y"], box
    assert seen >= 12  # the tasks' links and buttons, all the way down the page
