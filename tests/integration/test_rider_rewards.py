"""Riders see their points, redeem offers and open their vouchers; the voucher screen goes live."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from accounts.models import User
from core.timeutil import utcnow
from points.queries import balance_of
from rewards import vouchers
from rewards.models import Offer, Voucher
from tests.factories import give_points, make_user


@pytest.fixture
def rider(world, make_client, ctx):
    with ctx() as session:
        give_points(world.rider, 100, reason="出勤奖励")
        session.commit()
    return make_client(world.rider)


def issue(ctx, world, rider_id=None, **kwargs):
    with ctx() as session:
        voucher = vouchers.redeem_offer(offer=session.get(Offer, world.offer),
                                        rider=session.get(User, rider_id or world.rider), **kwargs)
        session.commit()
        return voucher.id, voucher.code


def test_the_wallet_shows_the_balance_and_what_each_entry_was_for(rider):
    page = rider.get("/wallet").get_data(as_text=True)
    assert 'id="wallet-balance">100<' in page
    assert "+100" in page and "出勤奖励" in page and "Adjustment" in page


def test_the_header_shows_the_balance_and_refreshes_on_balance_changed(rider):
    page = rider.get("/tasks").get_data(as_text=True)
    assert 'hx-trigger="balance-changed from:body"' in page
    badge = rider.get("/wallet/balance", htmx=True).get_data(as_text=True)
    assert badge.lstrip().startswith('<a id="balance"') and ">100<" in badge


def test_offers_list_active_offers_of_active_merchants(rider, world, ctx):
    with ctx() as session:
        session.add(Offer(merchant_id=world.merchant, title="下架的优惠", points_cost=5, face_value_fen=100, stock=5,
                          active=False))
        session.commit()
    page = rider.get("/offers").get_data(as_text=True)
    assert "暖心盒饭一份" in page and "下架的优惠" not in page and "¥15.00" in page


def test_the_confirm_screen_shows_points_before_and_after(rider, world):
    page = rider.get(f"/offers/{world.offer}").get_data(as_text=True)
    assert re.search(r"Your points now <strong>100</strong>", page)
    assert re.search(r"After <strong[^>]*>70</strong>", page)
    assert "Redeem for 30 points" in page


def test_redeeming_without_javascript_opens_the_voucher(rider, world, ctx):
    response = rider.post(f"/offers/{world.offer}/redeem")
    assert response.status_code == 303
    page = rider.get(response.headers["Location"]).get_data(as_text=True)
    with ctx() as session:
        voucher = session.scalar(sa.select(Voucher))
        assert balance_of(world.rider) == 70
        grouped = " ".join(voucher.code[i:i + 4] for i in range(0, 16, 4))
    assert grouped in page and "<svg" in page and "暖新小厨" in page and "杨舍镇步行街68号" in page
    assert "Use by" in page and 'hx-trigger="every 1s"' in page


def test_redeeming_with_htmx_redirects_and_triggers_the_balance(rider, world):
    response = rider.post(f"/offers/{world.offer}/redeem", htmx=True)
    assert response.headers["HX-Redirect"].startswith("/vouchers/")
    assert response.headers["HX-Trigger"] == "balance-changed"


def test_the_qr_code_encodes_the_merchants_confirm_url(rider, world, ctx):
    voucher_id, code = issue(ctx, world)
    import segno

    page = rider.get(f"/vouchers/{voucher_id}").get_data(as_text=True)
    expected = segno.make(f"http://localhost/merchant/vouchers/{code}", error="m").svg_inline(
        scale=6, border=2, dark="#111", light="#fff", omitsize=True)
    assert expected in page


def test_not_enough_points_says_how_many_are_missing(world, make_client, ctx):
    with ctx() as session:
        give_points(world.rider2, 12)
        session.commit()
    poor = make_client(world.rider2)
    assert "you need 18 more" in poor.get(f"/offers/{world.offer}").get_data(as_text=True)
    response = poor.post(f"/offers/{world.offer}/redeem")
    assert response.status_code == 409 and "you need 18 more" in response.get_data(as_text=True)
    with ctx():
        assert balance_of(world.rider2) == 12


def test_out_of_stock_and_limit_reached_are_refused(rider, world, ctx):
    rider.post(f"/offers/{world.offer}/redeem")
    rider.post(f"/offers/{world.offer}/redeem")
    limit = rider.post(f"/offers/{world.offer}/redeem")
    assert limit.status_code == 409 and "you have reached it" in limit.get_data(as_text=True)
    with ctx() as session:
        session.get(Offer, world.offer).stock = 0
        session.commit()
    with ctx() as session:
        give_points(world.rider2, 100)
        session.commit()
    out = rider.__class__(rider.app).login(world.rider2).post(f"/offers/{world.offer}/redeem")
    assert out.status_code == 409 and "out of stock" in out.get_data(as_text=True)


def test_a_rider_cannot_see_another_riders_voucher(rider, world, ctx, make_client):
    voucher_id, _ = issue(ctx, world)
    other = make_client(world.rider2)
    assert other.get(f"/vouchers/{voucher_id}").status_code == 404
    assert other.get(f"/vouchers/{voucher_id}/status", htmx=True).status_code == 404
    assert other.post(f"/vouchers/{voucher_id}/cancel").status_code == 404
    assert "暖心盒饭" not in other.get("/vouchers").get_data(as_text=True)


def test_the_status_poll_says_nothing_until_the_voucher_is_redeemed_then_stops(rider, world, ctx):
    voucher_id, code = issue(ctx, world)
    waiting = rider.get(f"/vouchers/{voucher_id}/status", htmx=True)
    assert waiting.status_code == 204
    with ctx() as session:
        vouchers.confirm_voucher(code=code, staff=session.get(User, world.staff))
        session.commit()
    done = rider.get(f"/vouchers/{voucher_id}/status", htmx=True)
    html = done.get_data(as_text=True)
    assert done.status_code == 286 and "Redeemed at 暖新小厨" in html and "hx-trigger" not in html
    assert done.headers["HX-Trigger"] == "balance-changed"


def test_the_status_poll_without_htmx_goes_to_the_voucher_page(rider, world, ctx):
    voucher_id, _ = issue(ctx, world)
    assert rider.get(f"/vouchers/{voucher_id}/status").status_code == 302


def test_an_expired_voucher_shows_expired(rider, world, ctx):
    voucher_id, _ = issue(ctx, world, now=utcnow() - timedelta(days=8))
    page = rider.get(f"/vouchers/{voucher_id}").get_data(as_text=True)
    assert "Expired on" in page and 'class="qr"' not in page and "QR code of the voucher" not in page
    assert rider.get(f"/vouchers/{voucher_id}/status", htmx=True).status_code == 286


def test_cancelling_a_voucher_refunds_the_points(rider, world, ctx):
    voucher_id, _ = issue(ctx, world)
    response = rider.post(f"/vouchers/{voucher_id}/cancel")
    assert response.status_code == 303
    page = rider.get(response.headers["Location"]).get_data(as_text=True)
    assert "30 points are back" in page and "Cancelled; the points were refunded" in page
    with ctx():
        assert balance_of(world.rider) == 100
    again = rider.post(f"/vouchers/{voucher_id}/cancel")
    assert "Only a voucher that is ready to use" in rider.get(again.headers["Location"]).get_data(as_text=True)


def test_my_vouchers_lists_every_state(rider, world, ctx):
    issue(ctx, world)
    page = rider.get("/vouchers").get_data(as_text=True)
    assert "暖心盒饭一份" in page and "Ready to use" in page


def test_a_new_rider_without_an_account_row_has_zero_points(make_client, ctx):
    with ctx() as session:
        newcomer = make_user(name="新人")
        session.commit()
        newcomer_id = newcomer.id
    assert 'id="wallet-balance">0<' in make_client(newcomer_id).get("/wallet").get_data(as_text=True)
