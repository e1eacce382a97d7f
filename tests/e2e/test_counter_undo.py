"""At the counter, in a real browser at 360 px, in Chinese and English: staff confirm a voucher, see the undo
button with its deadline, undo the mis-tap (the voucher is ready to confirm again), confirm it again, and
read today's list laid out for the counter (offer and amount, then time and masked phone)."""

import re

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import expect

from accounts.models import User
from extensions import db
from points import ledger
from rewards import vouchers
from rewards.models import Offer
from tests.e2e.test_main_loop import log_in, no_horizontal_scroll
from tests.factories import make_merchant, make_offer, make_staff, make_user

pytestmark = pytest.mark.e2e


@pytest.fixture
def counter(live_app):
    with live_app.app_context():
        merchant = make_merchant("暖新小厨")
        staff = make_staff(merchant.id)
        offer = make_offer(merchant.id, title="暖心盒饭一份", points_cost=30, face_value_fen=1500)
        rider = make_user(name="赵佳楠", phone="13812345678")
        ledger.post_entry(rider_id=rider.id, amount=30, kind="adjustment", reason="测试积分")
        voucher = vouchers.redeem_offer(offer=db.session.get(Offer, offer.id), rider=db.session.get(User, rider.id))
        db.session.commit()
        cast = {"staff": staff.phone, "code": voucher.code}
        db.session.remove()
    return cast


def t(app, lang, message, **values):
    with app.test_request_context(), force_locale(lang):
        return gettext(message, **values)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_staff_undo_a_mis_tap_and_confirm_again(live_server, live_app, counter, phone_context, lang):
    page = phone_context(lang)
    log_in(page, live_server, counter["staff"], "/merchant/", "暖新小厨")
    page.goto(f"{live_server}/merchant/vouchers/{counter['code']}")
    page.get_by_role("button", name=t(live_app, lang, "Confirm redemption")).click()
    expect(page.locator(".merchant-voucher.ok")).to_be_visible()
    undo_label = re.escape(t(live_app, lang, "Undo this confirmation (until %(time)s)", time="|")).replace(
        r"\|", r"\d\d:\d\d")
    undo = page.get_by_role("button", name=re.compile(undo_label))
    expect(undo).to_be_visible()
    no_horizontal_scroll(page)

    undo.click()
    expect(page.locator(".merchant-voucher .big-status")).to_have_text(
        t(live_app, lang, "Confirmation undone: the voucher can be used again."))
    expect(page.get_by_role("button", name=re.compile(undo_label))).to_have_count(0)
    page.get_by_role("button", name=t(live_app, lang, "Confirm redemption")).click()
    expect(page.locator(".merchant-voucher.ok")).to_be_visible()

    page.goto(live_server + "/merchant/")
    row = page.locator(".today .counter-row").first
    expect(row.locator(".offer")).to_have_text("暖心盒饭一份")
    expect(row.locator(".amount")).to_have_text("¥15.00")
    expect(row.locator(".rider")).to_contain_text("138****5678")
    offer_box, time_box = row.locator(".offer").bounding_box(), row.locator(".when").bounding_box()
    assert time_box["y"] >= offer_box["y"] + offer_box["height"] - 1, "time is not on its own line below the offer"
    expect(page.locator('nav.bottom-nav a[aria-current="page"]')).to_have_text(t(live_app, lang, "Counter"))
    no_horizontal_scroll(page)
