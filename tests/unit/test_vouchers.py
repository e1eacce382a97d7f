"""Invariant 3: vouchers are spent once, redeemed once and only by their merchant; stock and limits hold."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from core.timeutil import utcnow
from points.errors import InsufficientPoints
from points.models import LedgerEntry
from points.queries import balance_of
from rewards import vouchers
from rewards.errors import (
    AlreadyRedeemed,
    LimitReached,
    OfferUnavailable,
    OutOfStock,
    RedeemedByYou,
    UnknownCode,
    VoucherCancelled,
    VoucherExpired,
    VoucherNotCancellable,
    WrongMerchant,
)
from rewards.models import Offer, Voucher
from tests.factories import give_points, make_merchant, make_offer, make_staff, make_user


@pytest.fixture
def shop(session):
    merchant, other = make_merchant(), make_merchant("港城面馆")
    staff, other_staff = make_staff(merchant.id), make_staff(other.id)
    offer = make_offer(merchant.id, points_cost=30, stock=3, per_rider_limit=2, validity_days=7)
    rider = make_user()
    give_points(rider.id, 100)
    session.commit()
    return offer, rider, staff, other_staff


def test_redeeming_spends_the_points_and_issues_a_voucher(session, shop):
    offer, rider, _, _ = shop
    voucher = vouchers.redeem_offer(offer=offer, rider=rider)
    session.commit()
    assert voucher.status == "issued" and len(voucher.code) == 16 and voucher.code.isdigit()
    assert balance_of(rider.id) == 70
    assert session.get(Offer, offer.id).stock == 2
    spend = session.scalar(sa.select(LedgerEntry).where(LedgerEntry.kind == "spend"))
    assert (spend.amount, spend.voucher_id, spend.reason) == (-30, voucher.id, offer.title)
    assert voucher.expires_at - voucher.issued_at == timedelta(days=7)


def test_it_refuses_when_points_are_short_and_says_how_many(session, shop):
    offer, _, _, _ = shop
    poor = make_user(name="新骑手")
    give_points(poor.id, 12)
    with pytest.raises(InsufficientPoints) as refused:
        vouchers.redeem_offer(offer=offer, rider=poor)
    assert refused.value.missing == 18


def test_the_per_rider_limit_counts_live_vouchers(session, shop):
    offer, rider, _, _ = shop
    first = vouchers.redeem_offer(offer=offer, rider=rider)
    vouchers.redeem_offer(offer=offer, rider=rider)
    session.commit()
    with pytest.raises(LimitReached):
        vouchers.redeem_offer(offer=offer, rider=rider)
    session.rollback()
    vouchers.cancel_voucher(voucher=first, rider=rider)  # a cancelled one no longer counts
    assert vouchers.redeem_offer(offer=offer, rider=rider).status == "issued"


def test_stock_never_goes_below_zero(session, shop):
    offer, _, _, _ = shop
    riders = [make_user(name=f"骑手{i}") for i in range(4)]
    for r in riders:
        give_points(r.id, 30)
    for r in riders[:3]:
        vouchers.redeem_offer(offer=offer, rider=r)
    session.commit()
    with pytest.raises(OutOfStock):
        vouchers.redeem_offer(offer=offer, rider=riders[3])
    session.rollback()
    assert session.get(Offer, offer.id).stock == 0
    assert balance_of(riders[3].id) == 30


def test_an_inactive_offer_cannot_be_redeemed(session, shop):
    offer, rider, _, _ = shop
    offer.active = False
    with pytest.raises(OfferUnavailable):
        vouchers.redeem_offer(offer=offer, rider=rider)


def test_staff_of_the_merchant_confirm_it_once(session, shop):
    offer, rider, staff, _ = shop
    voucher = vouchers.redeem_offer(offer=offer, rider=rider)
    session.commit()
    confirmed = vouchers.confirm_voucher(code=voucher.code, staff=staff)
    session.commit()
    assert confirmed.status == "redeemed" and confirmed.redeemed_by_id == staff.id
    colleague = make_staff(offer.merchant_id, "晚班店员")
    with pytest.raises(AlreadyRedeemed) as refused:
        vouchers.confirm_voucher(code=voucher.code, staff=colleague)
    assert "暖新小厨" in str(refused.value.message)
    with pytest.raises(RedeemedByYou):  # the same person tapping again a moment later
        vouchers.confirm_voucher(code=voucher.code, staff=staff)
    with pytest.raises(AlreadyRedeemed):  # ...but not hours later
        vouchers.confirm_voucher(code=voucher.code, staff=staff, now=utcnow() + timedelta(hours=1))


def test_staff_of_another_merchant_cannot_confirm_it(session, shop):
    offer, rider, _, other_staff = shop
    voucher = vouchers.redeem_offer(offer=offer, rider=rider)
    session.commit()
    with pytest.raises(WrongMerchant):
        vouchers.confirm_voucher(code=voucher.code, staff=other_staff)
    session.refresh(voucher)
    assert voucher.status == "issued"


def test_an_unknown_code_is_refused(session, shop):
    _, _, staff, _ = shop
    with pytest.raises(UnknownCode):
        vouchers.confirm_voucher(code="1234567890123452", staff=staff)


def test_an_expired_voucher_cannot_be_confirmed_and_is_refunded_once(session, shop):
    offer, rider, staff, _ = shop
    voucher = vouchers.redeem_offer(offer=offer, rider=rider, now=utcnow() - timedelta(days=8))
    session.commit()
    with pytest.raises(VoucherExpired):
        vouchers.confirm_voucher(code=voucher.code, staff=staff)
    session.rollback()
    assert vouchers.expire_voucher(voucher) is True
    assert vouchers.expire_voucher(voucher) is False
    session.commit()
    assert voucher.status == "expired"
    assert balance_of(rider.id) == 100
    refunds = session.scalars(sa.select(LedgerEntry).where(LedgerEntry.kind == "expiry")).all()
    assert [(r.amount, r.key) for r in refunds] == [(30, f"refund:voucher:{voucher.id}")]
    assert session.get(Offer, offer.id).stock == 3


def test_a_cancelled_voucher_is_refunded_and_cannot_be_used_or_cancelled_again(session, shop):
    offer, rider, staff, _ = shop
    voucher = vouchers.redeem_offer(offer=offer, rider=rider)
    vouchers.cancel_voucher(voucher=voucher, rider=rider)
    session.commit()
    assert balance_of(rider.id) == 100
    with pytest.raises(VoucherNotCancellable):
        vouchers.cancel_voucher(voucher=voucher, rider=rider)
    with pytest.raises(VoucherCancelled):
        vouchers.confirm_voucher(code=voucher.code, staff=staff)


def test_a_redeemed_voucher_is_never_refunded(session, shop):
    offer, rider, staff, _ = shop
    voucher = vouchers.redeem_offer(offer=offer, rider=rider, now=utcnow() - timedelta(days=6))
    vouchers.confirm_voucher(code=voucher.code, staff=staff)
    session.commit()
    assert vouchers.expire_voucher(voucher, now=utcnow() + timedelta(days=30)) is False
    with pytest.raises(VoucherNotCancellable):
        vouchers.cancel_voucher(voucher=voucher, rider=rider)
    assert balance_of(rider.id) == 70
    assert session.get(Voucher, voucher.id).status == "redeemed"
