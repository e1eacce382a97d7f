"""The whole loop in a real browser, two people at once, at phone width, in Chinese and in English:
coordinator posts a task → rider signs up → coordinator marks attendance → rider sees the points →
rider redeems and keeps the voucher open → merchant staff confirm the code → the rider's screen says
redeemed without a reload."""

import re
from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext, ngettext
from playwright.sync_api import expect

from core.timeutil import to_local, utcnow
from extensions import db
from tests.factories import PASSWORD, make_merchant, make_offer, make_org, make_staff, make_user

pytestmark = pytest.mark.e2e


@pytest.fixture
def cast(live_app):
    with live_app.app_context():
        org = make_org("杨舍镇塘市办事处")
        coordinator = make_user("coordinator", "陈丽华", org.id)
        rider = make_user(name="赵佳楠")
        merchant = make_merchant("暖新小厨")
        staff = make_staff(merchant.id)
        make_offer(merchant.id, title="暖心盒饭一份", points_cost=30, face_value_fen=1500)
        db.session.commit()
        cast = {"coordinator": coordinator.phone, "rider": rider.phone, "staff": staff.phone}
        db.session.remove()
    return cast


def text(app, lang, message, **values):
    with app.test_request_context(), force_locale(lang):
        return gettext(message, **values)


PLACES_LEFT = ("%(left)d of %(num)d place left", "%(left)d of %(num)d places left")


def counted(app, lang, singular, plural, num, **values):
    """The plural form of a count, as the app shows it in ``lang``."""
    with app.test_request_context(), force_locale(lang):
        return ngettext(singular, plural, num, **values)


def log_in(page, base, phone, lands_on, heading):
    """Log in and wait, like the person does, for the page the role starts on: its address and its heading
    (the boosted form swaps the body and pushes the URL, so the URL alone does not mean the page is there)."""
    page.goto(base + "/login")
    page.locator("#phone").fill(phone)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    on_the_new_page(page, base + lands_on, heading)


def on_the_new_page(page, url, heading):
    """Wait for a boosted navigation to land: the pushed URL (a string or a pattern) and the new page's heading."""
    expect(page).to_have_url(url)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)


def no_horizontal_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_whole_loop_with_two_people_at_once(live_server, live_app, cast, phone_context, lang):
    t = lambda message, **values: text(live_app, lang, message, **values)  # noqa: E731
    coordinator, rider, merchant = phone_context(lang), phone_context(lang), phone_context(lang)

    # The coordinator posts a task that starts in half an hour (check-in opens an hour before).
    log_in(coordinator, live_server, cast["coordinator"], "/coordinate/tasks",
           t("Tasks of %(org)s", org="杨舍镇塘市办事处"))
    coordinator.goto(live_server + "/coordinate/tasks/new")
    with live_app.app_context():
        starts = to_local(utcnow() + timedelta(minutes=31))
    coordinator.locator("#title").fill("小区夜间安全巡逻")
    coordinator.locator("#place").fill("南苑小区东门")
    coordinator.locator("#starts_at").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    coordinator.locator("#ends_at").fill((starts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    coordinator.locator("#places").fill("5")
    coordinator.locator("#points").fill("40")
    coordinator.get_by_role("button", name=t("Post task")).click()
    on_the_new_page(coordinator, re.compile(re.escape(live_server) + r"/coordinate/tasks/\d+$"), "小区夜间安全巡逻")
    expect(coordinator.locator("#flash")).to_have_text(t("Task posted. Riders can sign up now."))
    task_url = coordinator.url
    no_horizontal_scroll(coordinator)

    # The rider finds it and signs up; the button and the places left change in place.
    # (The list has a "Sign up" button of its own: wait for the task's page before tapping it.)
    log_in(rider, live_server, cast["rider"], "/tasks", t("Volunteer tasks"))
    rider.get_by_text("小区夜间安全巡逻").click()
    on_the_new_page(rider, re.compile(re.escape(live_server) + r"/tasks/\d+$"), "小区夜间安全巡逻")
    rider.evaluate("window.stillTheSamePage = true")
    signup = rider.locator(".signup-widget")
    expect(signup.locator(".places")).to_have_text(counted(live_app, lang, *PLACES_LEFT, 5, left=5))
    signup.get_by_role("button", name=t("Sign up")).click()
    expect(signup.locator(".status")).to_have_text(t("You are signed up"))
    expect(signup.locator(".places")).to_have_text(counted(live_app, lang, *PLACES_LEFT, 5, left=4))
    assert rider.evaluate("window.stillTheSamePage") is True
    no_horizontal_scroll(rider)

    # The coordinator marks the rider attended; the row updates in place.
    coordinator.goto(task_url)
    row = coordinator.locator("li.attendance-row", has_text="赵佳楠")
    row.get_by_role("button", name=t("Mark attended")).click()
    marked = counted(live_app, lang, "%(name)s attended: +%(num)d point.", "%(name)s attended: +%(num)d points.", 40,
                     name="赵佳楠")
    expect(row).to_contain_text(marked)
    expect(row.locator(".points")).to_have_text("+40")

    # The rider sees the points in the header and the wallet.
    rider.goto(live_server + "/wallet")
    expect(rider.locator("#balance .balance-value")).to_have_text("40")
    expect(rider.locator("#wallet-balance")).to_have_text("40")
    expect(rider.get_by_text("小区夜间安全巡逻")).to_be_visible()

    # The rider redeems an offer and keeps the voucher open.
    rider.goto(live_server + "/offers")
    rider.get_by_text("暖心盒饭一份").click()
    on_the_new_page(rider, re.compile(re.escape(live_server) + r"/offers/\d+$"), "暖心盒饭一份")
    redeem = counted(live_app, lang, "Redeem for %(num)d point", "Redeem for %(num)d points", 30)
    rider.get_by_role("button", name=redeem).click()
    on_the_new_page(rider, re.compile(re.escape(live_server) + r"/vouchers/\d+$"), "暖心盒饭一份")
    code = rider.locator(".voucher .code")
    expect(code).to_have_text(re.compile(r"^\d{4}( \d{4}){3}$"))
    expect(rider.locator("#balance .balance-value")).to_have_text("10")
    expect(rider.locator(".qr svg")).to_be_visible()
    digits = code.inner_text()
    assert len(digits.replace(" ", "")) == 16
    rider.evaluate("window.stillTheSamePage = true")
    no_horizontal_scroll(rider)

    # Merchant staff, on another phone, type the code with spaces and confirm it.
    log_in(merchant, live_server, cast["staff"], "/merchant/", "暖新小厨")
    merchant.locator("#code").fill(digits)
    merchant.get_by_role("button", name=t("Check voucher")).click()
    expect(merchant).to_have_url(re.compile(re.escape(live_server) + r"/merchant/vouchers/\d{16}$"))
    expect(merchant.locator(".merchant-voucher.pending")).to_contain_text("赵**")
    merchant.get_by_role("button", name=t("Confirm redemption")).click()
    expect(merchant.locator(".merchant-voucher .big-status")).to_have_text(
        "✓ " + t("Redeemed. Give the rider: %(offer)s", offer="暖心盒饭一份"))
    expect(merchant.locator(".merchant-voucher.ok")).to_be_visible()
    no_horizontal_scroll(merchant)

    # The rider's open voucher screen says redeemed by itself, without a reload.
    redeemed = rider.locator(".voucher .big-status.ok")
    expect(redeemed).to_be_visible()
    prefix = t("Redeemed at %(merchant)s, %(time)s", merchant="暖新小厨", time="|").split("|")[0]
    expect(redeemed).to_contain_text(prefix.strip())
    expect(rider.locator(".qr svg")).to_have_count(0)
    assert rider.evaluate("window.stillTheSamePage") is True

    # Counter staff see today's total.
    merchant.goto(live_server + "/merchant/")
    expect(merchant.locator(".today .total")).to_have_text(counted(live_app, lang, "%(num)d voucher · ¥%(total)s",
                                                                  "%(num)d vouchers · ¥%(total)s", 1, total="15.00"))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_refused_form_swaps_in_its_messages_with_the_input_kept(live_server, live_app, cast, phone_context, lang):
    t = lambda message, **values: text(live_app, lang, message, **values)  # noqa: E731
    page = phone_context(lang)
    log_in(page, live_server, cast["coordinator"], "/coordinate/tasks", t("Tasks of %(org)s", org="杨舍镇塘市办事处"))
    page.goto(live_server + "/coordinate/tasks/new")
    page.evaluate("window.stillTheSamePage = true")
    page.locator("#title").fill("小区夜间安全巡逻")
    page.locator("#places").fill("0")
    page.get_by_role("button", name=t("Post task")).click()
    expect(page.locator("#places-error")).to_have_text(t("Places must be between 1 and 1000."))
    expect(page.locator("#starts_at-error")).to_have_text(t("Enter when it starts."))
    expect(page).to_have_url(live_server + "/coordinate/tasks/new")
    expect(page.locator("#title")).to_have_value("小区夜间安全巡逻")
    expect(page.locator("#places")).to_have_value("0")
    assert page.evaluate("window.stillTheSamePage") is True  # swapped by htmx, not reloaded
