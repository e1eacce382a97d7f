""""Forgot password" in a real browser at phone width, in Chinese and in English, through the console SMS
backend (development shows the code on the page): log-in page → 忘记密码 → number → code → new password →
log in with it."""

import pytest
from playwright.sync_api import expect

from extensions import db
from tests.e2e.test_main_loop import no_horizontal_scroll, text
from tests.factories import make_user

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "lantern-quartz-river-42"


@pytest.fixture
def rider_phone(live_app):
    with live_app.app_context():
        rider = make_user(name="赵佳楠")
        db.session.commit()
        phone = rider.phone
        db.session.remove()
    return phone


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_rider_who_forgot_the_password_sets_a_new_one_and_logs_in(live_server, live_app, rider_phone,
                                                                      phone_context, lang):
    t = lambda message, **values: text(live_app, lang, message, **values)  # noqa: E731
    page = phone_context(lang)
    page.goto(live_server + "/login")
    page.get_by_role("link", name=t("Forgot password?")).click()
    expect(page.get_by_role("heading", name=t("Forgot password"))).to_be_visible()
    if lang == "zh":
        expect(page.get_by_role("heading", name="忘记密码")).to_be_visible()

    # The number, typed the way a phone keyboard gives it; the code comes back on the page (development).
    page.evaluate("window.stillTheSamePage = true")
    page.locator("#phone").fill(f"{rider_phone[:3]} {rider_phone[3:7]} {rider_phone[7:]}")
    page.get_by_role("button", name=t("Send code")).click()
    code = page.locator("#dev-code")
    expect(code).to_be_visible()
    the_code = code.inner_text()
    assert len(the_code) == 6 and the_code.isdigit()
    expect(page.get_by_role("button", name=t("Send code"))).to_have_count(0)  # no resend before the minute
    expect(page.get_by_text(t("No text message? You can ask for a new code at %(time)s.", time="|").split("|")[0]
                            .strip())).to_be_visible()
    assert page.evaluate("window.stillTheSamePage") is True  # only the code widget was swapped
    no_horizontal_scroll(page)

    # A wrong code first: refused, the input kept.
    page.locator("#code").fill("000000" if the_code != "000000" else "111111")
    page.locator("#password").fill(NEW_PASSWORD)
    page.get_by_role("button", name=t("Set new password")).click()
    expect(page.get_by_text(t("Wrong code. Tries left: %(left)d.", left=4))).to_be_visible()
    expect(page.locator("#phone")).to_have_value(f"{rider_phone[:3]} {rider_phone[3:7]} {rider_phone[7:]}")

    # The right code and the new password.
    page.locator("#code").fill(the_code)
    page.locator("#password").fill(NEW_PASSWORD)
    page.get_by_role("button", name=t("Set new password")).click()
    page.wait_for_url(lambda url: url.endswith("/login"))
    expect(page.get_by_text(t("Your password is changed and every device was logged out. "
                              "Log in with the new password."))).to_be_visible()

    # Log in with it.
    page.locator("#phone").fill(rider_phone)
    page.locator("#password").fill(NEW_PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(lambda url: "/login" not in url)
    expect(page.get_by_role("link", name=t("My tasks"))).to_be_visible()
    no_horizontal_scroll(page)


def test_send_code_after_the_session_expired_says_so_where_the_rider_looks(live_server, live_app, phone_context):
    """The code widget swaps only "#phone-code" (hx-select); a refusal (here the CSRF token of a session
    that has gone) must still show its message instead of a tap that seems to do nothing."""
    t = lambda message, **values: text(live_app, "zh", message, **values)  # noqa: E731
    page = phone_context("zh")
    page.goto(live_server + "/password/forgot")
    expect(page.get_by_role("heading", name="忘记密码")).to_be_visible()
    page.locator("#phone").fill("13912345678")
    page.context.clear_cookies(name="session")
    page.get_by_role("button", name=t("Send code")).click()
    expired = t("The form expired or was sent twice. Reload the page and try again.")
    expect(page.locator("#flash")).to_contain_text(expired)
    expect(page.locator("#phone")).to_have_value("13912345678")
