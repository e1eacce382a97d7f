"""Corrections of vouchers as people see them: staff undo their own mis-tap at the counter, the programme
cancels an issued voucher with a reason (the rider reads it and gets the points back once), a doubled
redeem gives one voucher; the counter lists and tabs."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from accounts.models import User
from core.timeutil import utcnow
from points.models import LedgerEntry
from points.queries import balance_of
from rewards import vouchers
from rewards.correction_models import VoucherCorrection
from rewards.models import Offer, Voucher
from tests.factories import give_points, make_staff, make_user
from tests.pages import input_value, text_of

RIDER_PHONE = "13812345678"


@pytest.fixture
def rider(world, ctx):
    with ctx() as session:
        user = make_user(name="孙悦然", phone=RIDER_PHONE)
        session.commit()
        return user.id


def issue(ctx, offer_id: int, rider_id: int) -> tuple[int, str]:
    with ctx() as session:
        offer = session.get(Offer, offer_id)
        give_points(rider_id, offer.points_cost)
        voucher = vouchers.redeem_offer(offer=offer, rider=session.get(User, rider_id))
        session.commit()
        return voucher.id, voucher.code


def confirm_at(ctx, code: str, staff_id: int, minutes_ago: float) -> None:
    with ctx() as session:
        vouchers.confirm_voucher(code=code, staff=session.get(User, staff_id),
                                 now=utcnow() - timedelta(minutes=minutes_ago))
        session.commit()


def voucher_row(ctx, voucher_id: int) -> Voucher:
    with ctx() as session:
        row = session.get(Voucher, voucher_id)
        session.expunge(row)
        return row


@pytest.fixture
def issued(world, ctx, rider):
    return issue(ctx, world.offer, rider)


# Undo at the counter

def test_after_confirming_the_widget_offers_undo_and_says_until_when(world, make_client, issued):
    _, code = issued
    response = make_client(world.staff).post(f"/merchant/vouchers/{code}/confirm", htmx=True)
    body = text_of(response)
    assert re.search(r"Undo this confirmation \(until \d\d:\d\d\)", body)


def test_undo_with_htmx_makes_the_voucher_usable_again_and_keeps_the_history(world, make_client, ctx, issued):
    voucher_id, code = issued
    confirm_at(ctx, code, world.staff, 2)
    response = make_client(world.staff).post(f"/merchant/vouchers/{code}/undo", htmx=True)
    assert response.status_code == 200
    body = text_of(response)
    assert body.strip().startswith("<section") and "<html" not in body.split("-->")[-1]
    assert "Confirmation undone: the voucher can be used again." in body
    assert "Confirm redemption" in body and "Undo this confirmation" not in body
    row = voucher_row(ctx, voucher_id)
    assert (row.status, row.redeemed_at, row.redeemed_by_id) == ("issued", None, None)
    with ctx() as session:
        correction = session.scalar(sa.select(VoucherCorrection))
        assert (correction.kind, correction.voucher_id, correction.undone_redeemed_by_id) == ("undo", voucher_id,
                                                                                              world.staff)
        assert session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry)
                              .where(LedgerEntry.voucher_id == voucher_id)) == 1  # the spend only


def test_the_undo_button_is_gone_after_the_window_and_a_late_undo_is_refused(world, make_client, ctx, issued):
    voucher_id, code = issued
    confirm_at(ctx, code, world.staff, 11)
    staff = make_client(world.staff)
    page = text_of(staff.get(f"/merchant/vouchers/{code}"))
    assert "Undo" not in page
    response = staff.post(f"/merchant/vouchers/{code}/undo", htmx=True)
    assert response.status_code == 409
    assert "The time to undo this confirmation ended at" in text_of(response)
    assert voucher_row(ctx, voucher_id).status == "redeemed"


def test_a_colleague_sees_no_undo_and_cannot_undo(world, make_client, ctx, issued):
    voucher_id, code = issued
    confirm_at(ctx, code, world.staff, 1)
    with ctx() as session:
        colleague = make_staff(world.merchant, "晚班店员").id
        session.commit()
    other = make_client(colleague)
    assert "Undo" not in text_of(other.get("/merchant/"))
    response = other.post(f"/merchant/vouchers/{code}/undo")
    assert response.status_code == 303
    page = text_of(other.get(response.headers["Location"]))
    assert "Only the staff account that confirmed a voucher can undo it." in page
    assert voucher_row(ctx, voucher_id).status == "redeemed"


def test_todays_list_shows_each_redemption_on_counter_lines_with_undo_for_own(world, make_client, ctx, issued):
    _, code = issued
    confirm_at(ctx, code, world.staff, 1)
    staff = make_client(world.staff)
    page = staff.get("/merchant/").get_data(as_text=True)
    row = re.search(r'<li class="counter-row">(.*?)</li>', page, re.S).group(1)
    assert re.search(r'<span class="offer">暖心盒饭一份</span>', row)
    assert re.search(r'<span class="amount">¥15\.00</span>', row)
    assert re.search(r'<time class="when" datetime="[^"]+">\d\d:\d\d</time>', row)
    assert "138****5678" in row and RIDER_PHONE not in row
    assert re.search(r"Undo \(until \d\d:\d\d\)", row)
    response = staff.post(f"/merchant/vouchers/{code}/undo", {"next": "/merchant/"})
    assert (response.status_code, response.headers["Location"]) == (303, "/merchant/")
    after = text_of(staff.get("/merchant/"))
    assert "Confirmation undone: the voucher can be used again." in after
    assert "None yet today." in after


def test_merchant_tabs_are_named_for_the_counter_and_the_current_one_is_marked(world, make_client):
    staff = make_client(world.staff)
    for url, current in (("/merchant/", "Counter"), ("/merchant/confirmations", "Redemption history")):
        nav = re.search(r'<nav class="bottom-nav".*?</nav>', staff.get(url).get_data(as_text=True), re.S).group(0)
        marked = re.findall(r'<a [^>]*aria-current="page"[^>]*>([^<]+)</a>', nav)
        assert marked == [current], (url, marked)
        assert ">Counter<" in nav and ">Redemption history<" in nav


# Cancelling by the programme

def test_a_coordinator_cancels_with_a_reason_and_the_rider_sees_it_and_the_refund(world, make_client, ctx, rider,
                                                                                    issued):
    voucher_id, _ = issued
    coordinator = make_client(world.coordinator)
    listing = text_of(coordinator.get(f"/coordinate/merchants/{world.merchant}/vouchers"))
    assert "暖心盒饭一份" in listing and "Cancel this voucher" in listing
    page = text_of(coordinator.get(f"/coordinate/vouchers/{voucher_id}/cancel"))
    assert "Reason (the rider reads it)" in page
    response = coordinator.post(f"/coordinate/vouchers/{voucher_id}/cancel", {"reason": "餐厅今日停业"})
    assert response.status_code == 303
    listing = text_of(coordinator.get(response.headers["Location"]))
    assert "Voucher cancelled; 30 points went back to the rider." in listing
    assert voucher_row(ctx, voucher_id).status == "cancelled"
    rider_client = make_client(rider)
    voucher_page = text_of(rider_client.get(f"/vouchers/{voucher_id}"))
    assert "Cancelled by the programme on" in voucher_page and "Reason: 餐厅今日停业" in voucher_page
    wallet = text_of(rider_client.get("/wallet"))
    assert "Voucher cancelled, refund" in wallet and "暖心盒饭一份 · 餐厅今日停业" in wallet
    with ctx():
        assert balance_of(rider) == 30
    again = coordinator.post(f"/coordinate/vouchers/{voucher_id}/cancel", {"reason": "再来一次"})
    assert again.status_code == 409
    assert "This voucher is already cancelled" in text_of(again)
    with ctx() as session:
        refunds = session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry)
                                 .where(LedgerEntry.voucher_id == voucher_id, LedgerEntry.kind == "refund"))
        assert refunds == 1


def test_cancelling_without_a_reason_keeps_the_page_and_says_why(world, make_client, ctx, issued):
    voucher_id, _ = issued
    response = make_client(world.admin).post(f"/coordinate/vouchers/{voucher_id}/cancel", {"reason": "   "})
    assert response.status_code == 422
    page = text_of(response)
    assert "Say why the voucher is cancelled (the rider will read it)." in page
    assert 'aria-invalid="true"' in page
    too_long = make_client(world.admin).post(f"/coordinate/vouchers/{voucher_id}/cancel", {"reason": "长" * 300})
    assert too_long.status_code == 422 and "长" * 300 in text_of(too_long)
    assert voucher_row(ctx, voucher_id).status == "issued"


def test_a_redeemed_voucher_has_no_cancel_form(world, make_client, ctx, issued):
    voucher_id, code = issued
    confirm_at(ctx, code, world.staff, 1)
    page = text_of(make_client(world.admin).get(f"/coordinate/vouchers/{voucher_id}/cancel"))
    assert "Cancel the voucher and refund" not in page
    response = make_client(world.admin).post(f"/coordinate/vouchers/{voucher_id}/cancel", {"reason": "x"})
    assert response.status_code == 409 and "can no longer be cancelled" in text_of(response)


# Redeeming once per confirm screen

def test_a_doubled_redeem_gives_one_voucher_and_shows_it(world, make_client, ctx, rider):
    with ctx():
        give_points(rider, 100)
        from extensions import db
        db.session.commit()
    client = make_client(rider)
    page = client.get(f"/offers/{world.offer}")
    key = input_value(page, "request_key")
    assert key and len(key) == 36
    first = client.post(f"/offers/{world.offer}/redeem", {"request_key": key})
    second = client.post(f"/offers/{world.offer}/redeem", {"request_key": key})
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    shown = text_of(client.get(second.headers["Location"]))
    assert "You already got this voucher; no points were taken twice." in shown
    with ctx() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Voucher).where(Voucher.rider_id == rider)) == 1
        assert balance_of(rider) == 70
    fresh = input_value(client.get(f"/offers/{world.offer}"), "request_key")
    assert fresh != key  # a new screen, a new key: a second voucher is a deliberate second tap


def test_chinese_labels_use_full_width_brackets(world, make_client, ctx, issued):
    voucher_id, code = issued
    cancel_page = text_of(make_client(world.coordinator).get(f"/coordinate/vouchers/{voucher_id}/cancel", lang="zh"))
    assert "原因（骑手会看到）" in cancel_page and "原因(" not in cancel_page
    widget = text_of(make_client(world.staff).post(f"/merchant/vouchers/{code}/confirm", htmx=True, lang="zh"))
    assert re.search(r"撤销本次核销（\d\d:\d\d前）", widget)
