"""The whole way of a freed place, in two phone-sized browsers: one rider cancels their sign-up on the task page,
the first rider on the waitlist finds the held place in their inbox (the header's badge counts it), opens it,
lands on the task and accepts the place; the other rider's page and the database agree. axe-core checks the
inbox and the held place."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext
from playwright.sync_api import expect

from core.timeutil import to_local, utcnow
from extensions import db
from tests.e2e.test_accessibility import AXE, readable
from tests.e2e.test_refusals_in_view import log_in
from tests.factories import make_org, make_task, make_user

pytestmark = pytest.mark.e2e


@pytest.fixture
def full_task(live_app):
    """A one-place task in 3 hours: one rider holds the place, another waits first in line."""
    from volunteer import services

    with live_app.app_context():
        org = make_org("杨舍镇塘市办事处")
        coordinator = make_user("coordinator", "陈丽华", org.id)
        holder, waiting = make_user(name="张松阳"), make_user(name="赵佳楠")
        now = utcnow()
        task = make_task(org.id, coordinator.id, title="暴雨天路口值守", places=1,
                         starts_at=now + timedelta(hours=3), ends_at=now + timedelta(hours=5))
        services.sign_up(task=task, rider=holder, now=now)
        services.sign_up(task=task, rider=waiting, join_waitlist=True, now=now + timedelta(seconds=1))
        db.session.commit()
        cast = {"holder": holder.phone, "waiting": waiting.phone, "waiting_id": waiting.id, "task": task.id,
                "title": task.title}
        db.session.remove()
    return cast


def t(app, lang: str, message: str, **values) -> str:
    with app.test_request_context(), force_locale(lang):
        return gettext(message, **values)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_cancelled_place_reaches_the_next_rider_through_the_inbox_and_is_accepted(
        live_server, live_app, full_task, phone_context, lang):
    from volunteer.models import Signup

    holder = phone_context(lang)
    log_in(holder, live_server, full_task["holder"])
    holder.goto(f"{live_server}/tasks/{full_task['task']}")
    holder.on("dialog", lambda dialog: dialog.accept())
    holder.get_by_role("button", name=t(live_app, lang, "Cancel my sign-up")).click()
    expect(holder.locator(".flash")).to_have_text(t(live_app, lang, "Your sign-up is cancelled."))

    with live_app.app_context():
        status, until = db.session.execute(sa.select(Signup.status, Signup.hold_until).where(
            Signup.task_id == full_task["task"], Signup.rider_id == full_task["waiting_id"])).one()
        with live_app.test_request_context():
            shown = to_local(until).strftime("%H:%M")
        db.session.remove()
    assert status == "offered"

    rider = phone_context(lang)
    log_in(rider, live_server, full_task["waiting"])
    badge = rider.locator("header .unread-count")
    expect(badge).to_have_text("1")
    rider.locator("header a[href='/inbox']").click()
    note = rider.locator("li.note.unread").first
    expect(note).to_contain_text(t(live_app, lang, "A place is offered to you"))
    expect(note).to_contain_text(full_task["title"])
    expect(note).to_contain_text(shown)
    results = AXE.run(rider)
    assert results.violations_count == 0, readable("/inbox", lang, "rider", results)
    note.get_by_role("link").click()
    rider.wait_for_url(f"{live_server}/tasks/{full_task['task']}")
    widget = rider.locator(f"#task-{full_task['task']}-signup")
    expect(widget.locator(".status-hold")).to_contain_text(
        t(live_app, lang, "A place is held for you until %(time)s", time=shown))
    results = AXE.run(rider)  # the held place, with its two buttons
    assert results.violations_count == 0, readable(f"/tasks/{full_task['task']}", lang, "rider", results)
    widget.get_by_role("button", name=t(live_app, lang, "Accept the place")).click()
    expect(widget.locator(".status-ok")).to_have_text(t(live_app, lang, "You are signed up"))
    expect(rider.locator("header .unread-count")).to_have_count(0)  # opening the notice read it

    with live_app.app_context():
        assert db.session.scalar(sa.select(Signup.status).where(
            Signup.task_id == full_task["task"], Signup.rider_id == full_task["waiting_id"])) == "confirmed"
        db.session.remove()
