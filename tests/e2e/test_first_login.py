"""The first log-in of a rider imported from a street office's list, in a real browser at phone width in Chinese:
log-in page → a password that cannot work → the pointer to the first log-in → the phone filled in → code → a
password of their own → the privacy notice, as for a new registration → logged in. Then the password works."""

import pytest
from playwright.sync_api import expect

from accounts.models import User
from accounts.rider_import import plan_import, read_table, save_import
from extensions import db
from tests.e2e.test_main_loop import no_horizontal_scroll, text
from tests.factories import make_org, make_user

pytestmark = pytest.mark.e2e

PHONE = "13812345678"
NEW_PASSWORD = "lantern-quartz-river-42"


@pytest.fixture
def imported_rider(live_app):
    with live_app.test_request_context():
        org = make_org("塘市办事处")
        coordinator = make_user("coordinator", "陈丽华", org.id)
        plan = plan_import(*read_table("riders.csv", f"姓名,手机号,行业,平台\n孙晓东,{PHONE},外卖,美团\n".encode()))
        save_import(plan, organisation_id=org.id, actor=coordinator)
        db.session.commit()
        db.session.remove()


def test_an_imported_rider_confirms_the_phone_by_sms_and_logs_in(live_server, live_app, imported_rider,
                                                                  phone_context):
    t = lambda message, **values: text(live_app, "zh", message, **values)  # noqa: E731
    page = phone_context("zh")
    page.goto(live_server + "/login")
    page.locator("#phone").fill(PHONE)
    page.locator("#password").fill("不知道密码123")
    page.locator("form button[type=submit]").click()
    expect(page.get_by_text(t("Wrong mobile number or password."))).to_be_visible()
    expect(page.locator("#first-login-hint")).to_be_visible()
    no_horizontal_scroll(page)

    page.get_by_role("link", name=t("First log-in? Confirm your phone")).click()
    expect(page.get_by_role("heading", name="首次登录：确认手机号")).to_be_visible()
    expect(page.locator("#phone")).to_have_value(PHONE)
    page.get_by_role("button", name=t("Send code")).click()
    code = page.locator("#dev-code")
    expect(code).to_be_visible()
    page.locator("#code").fill(code.inner_text())
    page.locator("#password").fill(NEW_PASSWORD)
    no_horizontal_scroll(page)
    page.get_by_role("button", name=t("Confirm and log in")).click()

    # like a new registration: the privacy notice first
    expect(page.get_by_role("heading", name=t("Before you start: the privacy notice"))).to_be_visible()
    page.get_by_role("button", name=t("Accept and continue")).click()
    page.wait_for_url(lambda url: "/consent" not in url and "/login" not in url)
    expect(page.get_by_role("link", name=t("My tasks"))).to_be_visible()
    no_horizontal_scroll(page)

    with live_app.app_context():
        rider = db.session.scalar(db.select(User).where(User.phone == PHONE))
        assert rider.phone_confirmed_at is not None and rider.privacy_version and rider.language == "zh"
        db.session.remove()

    # from now on the password works
    other = phone_context("zh")
    other.goto(live_server + "/login")
    other.locator("#phone").fill(PHONE)
    other.locator("#password").fill(NEW_PASSWORD)
    other.locator("form button[type=submit]").click()
    other.wait_for_url(lambda url: "/login" not in url)
    expect(other.get_by_role("link", name=t("My tasks"))).to_be_visible()
