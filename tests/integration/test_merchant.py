"""Merchant staff at the counter: look up a code, see the voucher, confirm it; today's redemptions."""

import html
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from accounts.models import User
from core.timeutil import utcnow
from points.queries import balance_of
from rewards import vouchers
from rewards.codes import luhn_digit
from rewards.merchant import start_of_today
from rewards.models import Offer, Voucher
from tests.factories import give_points, make_offer, make_user
from tests.pages import text_of

RIDER_PHONE = "13812345678"
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")



def code_input(response) -> str | None:
    """The ``value`` of the code box on the counter screen."""
    tag = re.search(r'<input[^>]*\bname="code"[^>]*>', response.get_data(as_text=True))
    assert tag, "no code box"
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return html.unescape(value.group(1)) if value else None


def grouped(code: str) -> str:
    return " ".join(code[i:i + 4] for i in range(0, 16, 4))


def valid_code(body: str = "123456789012345") -> str:
    return body + luhn_digit(body)


def issue(ctx, offer_id: int, rider_id: int, **kwargs) -> str:
    """Redeem ``offer_id`` for the rider (who gets the points first) and return the voucher's code."""
    with ctx() as session:
        offer = session.get(Offer, offer_id)
        give_points(rider_id, offer.points_cost)
        voucher = vouchers.redeem_offer(offer=offer, rider=session.get(User, rider_id), **kwargs)
        session.commit()
        return voucher.code


def status_of(ctx, code: str) -> Voucher:
    with ctx() as session:
        voucher = session.scalar(sa.select(Voucher).where(Voucher.code == code))
        session.expunge(voucher)
        return voucher


@pytest.fixture
def rider(world, ctx):
    """A rider with a known phone number, to check that merchants only ever see it masked."""
    with ctx() as session:
        user = make_user(name="孙悦然", phone=RIDER_PHONE)
        session.commit()
        return user.id


@pytest.fixture
def code(world, ctx, rider):
    """An issued voucher of the world's offer (暖心盒饭一份, ¥15.00, 7 days) at the world's merchant."""
    return issue(ctx, world.offer, rider)


@pytest.fixture
def staff(world, make_client):
    return make_client(world.staff)


# The counter screen


def test_the_counter_screen_shows_the_code_box_and_an_empty_day(staff):
    response = staff.get("/merchant/")
    assert response.status_code == 200
    page = text_of(response)
    assert "暖新小厨" in page
    assert 'inputmode="numeric"' in page
    assert "0 vouchers · ¥0.00" in page
    assert "None yet today." in page


@pytest.mark.parametrize("who", ["rider", "coordinator"])
def test_only_merchant_staff_open_the_counter_screen(world, make_client, who):
    assert make_client(getattr(world, who)).get("/merchant/").status_code == 403


def test_a_merchant_account_without_a_restaurant_is_refused(make_client, ctx, world):
    with ctx() as session:
        loose = make_user(role="merchant", name="未绑定店员")
        session.commit()
        loose_id = loose.id
    assert make_client(loose_id).get("/merchant/").status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get("/merchant/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


# Looking up a code


@pytest.mark.parametrize("style", ["plain", "spaces", "dashes", "full-width", "full-width-with-ideographic-spaces"])
def test_the_look_up_accepts_what_a_phone_keyboard_types(staff, code, style):
    typed = {
        "plain": code,
        "spaces": f"  {grouped(code)} ",
        "dashes": grouped(code).replace(" ", "-"),
        "full-width": code.translate(FULL_WIDTH),
        "full-width-with-ideographic-spaces": grouped(code).translate(FULL_WIDTH).replace(" ", "\u3000"),
    }[style]
    response = staff.get("/merchant/lookup", query_string={"code": typed})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/merchant/vouchers/{code}"


@pytest.mark.parametrize(("typed", "message"), [
    ("1234 5678", "A voucher code has 16 digits. Please check and type it again."),
    ("1234 5678 9012 34567", "A voucher code has 16 digits. Please check and type it again."),
    ("1234 abcd 9012 3456", "A voucher code has only digits."),
    ("", "Type the code on the rider's screen."),
], ids=["too-short", "too-long", "letters", "empty"])
def test_the_look_up_refuses_a_malformed_code_and_keeps_what_was_typed(staff, typed, message):
    response = staff.get("/merchant/lookup", query_string={"code": typed})
    assert response.status_code == 422
    assert message in text_of(response)
    assert (code_input(response) or "") == typed
    assert "暖新小厨" in text_of(response)


def test_the_look_up_spots_a_typo_by_the_check_digit(staff, code):
    wrong = code[:-1] + str((int(code[-1]) + 1) % 10)
    typed = grouped(wrong)
    response = staff.get("/merchant/lookup", query_string={"code": typed})
    assert response.status_code == 422
    assert "These digits contain a typo (the last digit does not match). Please check them." in text_of(response)
    assert code_input(response) == typed


def test_a_malformed_code_in_the_voucher_url_shows_the_counter_screen(staff):
    response = staff.get("/merchant/vouchers/12345")
    assert response.status_code == 422
    assert "A voucher code has 16 digits." in text_of(response)
    assert code_input(response) == "12345"


def test_an_unknown_code_is_not_found(staff):
    unknown = valid_code()
    lookup = staff.get("/merchant/lookup", query_string={"code": grouped(unknown)})
    assert lookup.status_code == 303
    response = staff.get(lookup.headers["Location"])
    assert response.status_code == 404
    page = text_of(response)
    assert "No voucher has this code. Please check the digits." in page
    assert "Confirm redemption" not in page


def test_an_unknown_code_is_explained_in_chinese(staff):
    response = staff.get(f"/merchant/vouchers/{valid_code()}", lang="zh")
    assert response.status_code == 404
    page = text_of(response)
    assert "找不到该券码，请核对数字。" in page
    assert "No voucher has this code" not in page


def test_another_restaurants_voucher_is_refused_without_its_details(world, make_client, ctx, code):
    other = make_client(world.other_staff)
    response = other.get(f"/merchant/vouchers/{code}")
    assert response.status_code == 403
    page = text_of(response)
    assert "This voucher is for another restaurant. Do not accept it here." in page
    assert "暖心盒饭一份" not in page and "138****5678" not in page and RIDER_PHONE not in page
    assert "Confirm redemption" not in page
    confirm = other.post(f"/merchant/vouchers/{code}/confirm", htmx=True)
    assert confirm.status_code == 403
    assert "another restaurant" in text_of(confirm)
    assert status_of(ctx, code).status == "issued"


# The voucher page


def test_the_voucher_page_shows_the_offer_and_the_rider_masked(staff, code):
    response = staff.get(f"/merchant/vouchers/{code}")
    assert response.status_code == 200
    page = text_of(response)
    assert "暖心盒饭一份" in page
    assert "¥15.00" in page
    assert "孙**" in page and "孙悦然" not in page
    assert "138****5678" in page
    assert RIDER_PHONE not in page
    assert grouped(code) in page
    assert "Confirm redemption" in page
    assert f'action="/merchant/vouchers/{code}/confirm"' in page


# Confirming


def test_confirming_with_htmx_returns_the_voucher_widget_saying_redeemed(world, staff, ctx, rider, code):
    response = staff.post(f"/merchant/vouchers/{code}/confirm", htmx=True)
    assert response.status_code == 200
    body = text_of(response)
    assert body.strip().startswith('<section id="merchant-voucher"')
    assert "<html" not in body
    assert "Redeemed. Give the rider: 暖心盒饭一份" in body
    assert "Confirm redemption" not in body
    assert "138****5678" in body and RIDER_PHONE not in body
    voucher = status_of(ctx, code)
    assert (voucher.status, voucher.redeemed_by_id) == ("redeemed", world.staff)
    assert voucher.redeemed_at is not None
    with ctx():
        assert balance_of(rider) == 0


def test_confirming_without_htmx_shows_the_redeemed_voucher_page(staff, ctx, code):
    response = staff.post(f"/merchant/vouchers/{code}/confirm")
    assert response.status_code in (200, 303)
    if response.status_code == 303:  # post/redirect/get: the flash says it, the page shows it redeemed
        response = staff.get(response.headers["Location"])
    page = text_of(response)
    assert "<html" in page
    assert "Redeemed. Give the rider: 暖心盒饭一份" in page
    assert "Confirm redemption" not in page
    assert status_of(ctx, code).status == "redeemed"


def test_a_second_confirm_by_a_colleague_says_where_it_was_already_redeemed(staff, ctx, code, make_client, world):
    from tests.factories import make_staff

    staff.post(f"/merchant/vouchers/{code}/confirm", htmx=True)
    first = status_of(ctx, code)
    with ctx() as session:
        colleague = make_staff(world.merchant, "晚班店员")
        session.commit()
        colleague_id = colleague.id
    colleague_client = make_client(colleague_id)
    response = colleague_client.post(f"/merchant/vouchers/{code}/confirm", htmx=True)
    assert response.status_code == 409
    body = text_of(response)
    assert body.strip().startswith('<section id="merchant-voucher"')
    assert "Already redeemed at 暖新小厨" in body
    assert "Do not accept it again." in body
    assert "Confirm redemption" not in body
    again = status_of(ctx, code)
    assert (again.status, again.redeemed_at) == ("redeemed", first.redeemed_at)
    page = text_of(colleague_client.get(f"/merchant/vouchers/{code}"))
    assert "Already redeemed at 暖新小厨" in page and "Confirm redemption" not in page


def test_a_retried_confirm_by_the_same_staff_is_refused_and_says_it_was_this_account(staff, ctx, code):
    staff.post(f"/merchant/vouchers/{code}/confirm", htmx=True)
    first = status_of(ctx, code)
    response = staff.post(f"/merchant/vouchers/{code}/confirm", htmx=True)
    body = text_of(response)
    assert response.status_code == 409  # never a second green screen, even on a shared till log-in
    assert "Already redeemed at 暖新小厨" in body and "by this account" in body
    assert "Redeemed. Give the rider" not in body
    assert status_of(ctx, code).redeemed_at == first.redeemed_at


def test_confirming_needs_the_csrf_token(staff, ctx, code):
    response = staff.post(f"/merchant/vouchers/{code}/confirm", csrf=False)
    assert response.status_code == 400
    assert status_of(ctx, code).status == "issued"


def test_an_expired_voucher_is_refused(world, staff, ctx, rider):
    code = issue(ctx, world.offer, rider, now=utcnow() - timedelta(days=8))
    page = staff.get(f"/merchant/vouchers/{code}")
    assert page.status_code == 409
    assert "This voucher expired on" in text_of(page)
    assert "Confirm redemption" not in text_of(page)
    response = staff.post(f"/merchant/vouchers/{code}/confirm", htmx=True)
    assert response.status_code == 409
    assert "This voucher expired on" in text_of(response)
    assert "Redeemed. Give the rider" not in text_of(response)
    assert status_of(ctx, code).status == "issued"


def test_a_cancelled_voucher_is_refused(world, staff, ctx, rider, code):
    with ctx() as session:
        voucher = session.scalar(sa.select(Voucher).where(Voucher.code == code))
        vouchers.cancel_voucher(voucher=voucher, rider=session.get(User, rider))
        session.commit()
    page = staff.get(f"/merchant/vouchers/{code}")
    assert page.status_code == 409
    assert "This voucher was cancelled and cannot be used." in text_of(page)
    assert "Confirm redemption" not in text_of(page)
    response = staff.post(f"/merchant/vouchers/{code}/confirm", htmx=True)
    assert response.status_code == 409
    assert "This voucher was cancelled and cannot be used." in text_of(response)
    assert status_of(ctx, code).status == "cancelled"


# Today's redemptions


def test_a_confirmed_voucher_appears_in_todays_redemptions(staff, code):
    staff.post(f"/merchant/vouchers/{code}/confirm", htmx=True)
    page = text_of(staff.get("/merchant/"))
    assert "1 voucher · ¥15.00" in page
    assert "暖心盒饭一份" in page and "孙**" in page and "138****5678" in page
    assert RIDER_PHONE not in page
    assert "None yet today." not in page


def test_todays_total_counts_only_this_restaurants_redemptions_of_today(world, staff, make_client, ctx, rider):
    with ctx() as session:
        noodles = make_offer(world.merchant, title="葱油拌面", face_value_fen=850, points_cost=10).id
        elsewhere = make_offer(world.other_merchant, title="港城大排面", face_value_fen=2000, points_cost=10).id
        session.commit()
    today_rice, today_noodles = issue(ctx, world.offer, rider), issue(ctx, noodles, rider)
    yesterday, other_shop = issue(ctx, world.offer, world.rider), issue(ctx, elsewhere, rider)
    for code in (today_rice, today_noodles, yesterday):
        assert staff.post(f"/merchant/vouchers/{code}/confirm", htmx=True).status_code == 200
    assert make_client(world.other_staff).post(f"/merchant/vouchers/{other_shop}/confirm",
                                               htmx=True).status_code == 200
    with ctx() as session:
        session.execute(sa.update(Voucher).where(Voucher.code == yesterday)
                        .values(redeemed_at=start_of_today() - timedelta(minutes=5)))
        session.commit()
    page = text_of(staff.get("/merchant/"))
    assert "2 vouchers · ¥23.50" in page
    assert "葱油拌面" in page and "¥8.50" in page
    assert "港城大排面" not in page
    assert "赵**" not in page  # the rider of yesterday's voucher


def test_the_merchants_tabs_say_what_they_hold_in_chinese(world, make_client):
    page = make_client(world.staff).get("/merchant/confirmations", lang="zh-CN").get_data(as_text=True)
    assert '<a href="/merchant/confirmations" aria-current="page">核销记录</a>' in page
    assert "积分明细" not in page
