"""A freed place held for a rider, in a real phone-sized browser: the rider sees until when, in Chinese, with two
44 px buttons; accepting swaps the widget in place; a hold that ended while the page was open is refused and
the widget shows the rider back on the waitlist."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext
from playwright.sync_api import expect

from core.timeutil import to_local, utcnow
from extensions import db
from tests.e2e.test_refusals_in_view import log_in
from tests.factories import make_org, make_task, make_user

pytestmark = pytest.mark.e2e


@pytest.fixture
def held(live_app):
    """A one-place task in 3 hours whose place was freed and is now held for the rider; another rider waits."""
    from volunteer import services
    from volunteer.models import Signup

    with live_app.app_context():
        org = make_org("杨舍镇塘市办事处")
        coordinator = make_user("coordinator", "陈丽华", org.id)
        holder, rider, next_rider = make_user(name="张松阳"), make_user(name="赵佳楠"), make_user(name="钱一")
        now = utcnow()
        task = make_task(org.id, coordinator.id, title="暴雨天路口值守", places=1,
                         starts_at=now + timedelta(hours=3), ends_at=now + timedelta(hours=5))
        first, mine, _ = (services.sign_up(task=task, rider=r, join_waitlist=True, now=now + timedelta(seconds=i))
                          for i, r in enumerate((holder, rider, next_rider)))
        services.cancel_signup(signup=first, rider=holder)
        db.session.commit()
        until = db.session.scalar(sa.select(Signup.hold_until).where(Signup.id == mine.id))
        with live_app.test_request_context():
            shown = to_local(until).strftime("%H:%M")
        cast = {"phone": rider.phone, "task": task.id, "mine": mine.id, "shown": shown}
        db.session.remove()
    return cast


def zh(app, message: str, **values) -> str:
    with app.test_request_context(), force_locale("zh"):
        return gettext(message, **values)


def test_the_rider_sees_the_hold_and_accepts_it_in_place(live_server, live_app, held, phone_context):
    page = phone_context("zh")
    log_in(page, live_server, held["phone"])
    page.goto(f"{live_server}/tasks/{held['task']}")
    widget = page.locator(f"#task-{held['task']}-signup")
    expect(widget.locator(".status-hold")).to_contain_text(
        zh(live_app, "A place is held for you until %(time)s", time=held["shown"]))
    accept = widget.get_by_role("button", name=zh(live_app, "Accept the place"))
    decline = widget.get_by_role("button", name=zh(live_app, "Decline the place"))
    for button in (accept, decline):
        assert button.bounding_box()["height"] >= 44
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing wider than the phone
    accept.click()
    expect(widget.locator(".flash")).to_have_text(zh(live_app, "The place is yours. See you there!"))
    expect(widget.locator(".status-ok")).to_have_text(zh(live_app, "You are signed up"))
    assert page.url.endswith(f"/tasks/{held['task']}")  # swapped in place, no page load


def test_accepting_after_the_hold_ended_shows_the_refusal_and_the_waitlist(live_server, live_app, held,
                                                                          phone_context):
    from volunteer.models import Signup

    page = phone_context("zh")
    log_in(page, live_server, held["phone"])
    page.goto(f"{live_server}/tasks/{held['task']}")
    widget = page.locator(f"#task-{held['task']}-signup")
    accept = widget.get_by_role("button", name=zh(live_app, "Accept the place"))
    ended = utcnow() - timedelta(seconds=1)
    with live_app.app_context():  # the page stays open past the end of the hold
        db.session.execute(sa.update(Signup).where(Signup.id == held["mine"]).values(hold_until=ended))
        db.session.commit()
        db.session.remove()
        with live_app.test_request_context():
            shown = to_local(ended).strftime("%H:%M")
    accept.click()
    expect(widget.locator(".flash-error")).to_have_text(zh(
        live_app, "The place was held for you until %(time)s, so it can no longer be accepted. It went to the "
        "next rider, and you are back on the waitlist.", time=shown))
    expect(widget.get_by_role("button", name=zh(live_app, "Leave the waitlist"))).to_be_visible()
    expect(widget.get_by_role("button", name=zh(live_app, "Accept the place"))).to_have_count(0)
    expect(widget.locator(".status-wait").first).to_contain_text(zh(live_app, "On the waitlist, number %(n)d", n=1))
