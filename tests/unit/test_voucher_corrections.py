"""Invariant 7 for vouchers: an undone confirmation and a cancellation by the programme are new linked rows,
each at most once; a cancellation refunds once; a redeem key gives one voucher and one spend."""

from contextlib import contextmanager
from datetime import timedelta

import pytest
import sqlalchemy as sa

from core.timeutil import utcnow
from points.models import LedgerEntry
from points.queries import balance_of
from rewards import corrections, vouchers
from rewards.correction_errors import KeyOfAnotherOffer, NotCancellable, ReasonMissing, UndoNotPossible
from rewards.correction_models import VoucherCorrection
from rewards.errors import WrongMerchant
from rewards.models import Offer, Voucher
from rewards.redeem_once import new_request_key, parse_request_key, redeem_once
from tests.factories import give_points, make_merchant, make_offer, make_org, make_staff, make_user


@pytest.fixture(autouse=True)
def english(session, app):
    """Messages are read in English: a request of an English browser, inside the test's app context."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.fixture
def shop(session):
    org, other_org = make_org("塘市办事处"), make_org("金港镇")
    merchant = make_merchant(organisation_id=org.id)
    staff, colleague = make_staff(merchant.id), make_staff(merchant.id, "店员小李")
    offer = make_offer(merchant.id, points_cost=30, stock=3, per_rider_limit=2, validity_days=7)
    rider = make_user()
    give_points(rider.id, 100)
    voucher = vouchers.redeem_offer(offer=offer, rider=rider)
    people = {"staff": staff, "colleague": colleague, "rider": rider,
              "coordinator": make_user("coordinator", "陈丽华", org.id),
              "other_coordinator": make_user("coordinator", "王建国", other_org.id),
              "admin": make_user("admin", "刘管理")}
    session.commit()
    return voucher, offer, people


@contextmanager
def refused(error_class, words: str):
    """Expect ``error_class`` with a message (what the user reads) containing ``words``."""
    with pytest.raises(error_class) as caught:
        yield
    assert words in caught.value.message


def entries(session, voucher_id):
    return session.execute(sa.select(LedgerEntry.kind, LedgerEntry.amount)
                           .where(LedgerEntry.voucher_id == voucher_id).order_by(LedgerEntry.id)).all()


def test_staff_undo_their_own_confirmation_and_the_voucher_is_usable_again(session, shop):
    voucher, _, people = shop
    confirmed_at = utcnow() - timedelta(minutes=3)
    vouchers.confirm_voucher(code=voucher.code, staff=people["staff"], now=confirmed_at)
    correction = corrections.undo_confirmation(voucher=voucher, staff=people["staff"])
    session.commit()
    row = session.get(Voucher, voucher.id)
    assert (row.status, row.redeemed_at, row.redeemed_by_id) == ("issued", None, None)
    assert (correction.kind, correction.voucher_id, correction.undone_redeemed_by_id) == ("undo", voucher.id,
                                                                                          people["staff"].id)
    assert correction.undone_redeemed_at == confirmed_at
    assert entries(session, voucher.id) == [("spend", -30)]  # an undo moves no points
    vouchers.confirm_voucher(code=voucher.code, staff=people["colleague"])  # and it can be confirmed again
    session.commit()
    assert session.get(Voucher, voucher.id).status == "redeemed"


def test_undo_is_refused_after_the_window_and_says_until_when(session, shop):
    voucher, _, people = shop
    vouchers.confirm_voucher(code=voucher.code, staff=people["staff"], now=utcnow() - timedelta(minutes=11))
    session.commit()
    with pytest.raises(UndoNotPossible) as refused:
        corrections.undo_confirmation(voucher=voucher, staff=people["staff"])
    assert "ended at" in refused.value.message
    assert session.get(Voucher, voucher.id).status == "redeemed"


def test_only_the_staff_who_confirmed_may_undo(session, shop):
    voucher, _, people = shop
    vouchers.confirm_voucher(code=voucher.code, staff=people["staff"])
    session.commit()
    with refused(UndoNotPossible, "Only the staff account that confirmed"):
        corrections.undo_confirmation(voucher=voucher, staff=people["colleague"])
    other_staff = make_staff(make_merchant("港城面馆").id, "面馆店员")
    with pytest.raises(WrongMerchant):
        corrections.undo_confirmation(voucher=voucher, staff=other_staff)


def test_a_second_undo_of_one_confirmation_is_refused(session, shop):
    voucher, _, people = shop
    vouchers.confirm_voucher(code=voucher.code, staff=people["staff"])
    corrections.undo_confirmation(voucher=voucher, staff=people["staff"])
    session.commit()
    with refused(UndoNotPossible, "not redeemed"):
        corrections.undo_confirmation(voucher=voucher, staff=people["staff"])
    assert session.scalar(sa.select(sa.func.count()).select_from(VoucherCorrection)) == 1


@pytest.mark.parametrize("actor", ["admin", "coordinator"])
def test_the_programme_cancels_an_issued_voucher_with_a_reason_and_refunds_once(session, shop, actor):
    voucher, offer, people = shop
    correction = corrections.cancel_by_programme(voucher=voucher, actor=people[actor], reason="  商户歇业 ")
    session.commit()
    assert session.get(Voucher, voucher.id).status == "cancelled"
    assert (correction.kind, correction.reason, correction.actor_id) == ("cancel", "商户歇业", people[actor].id)
    assert entries(session, voucher.id) == [("spend", -30), ("refund", 30)]
    refund = session.scalar(sa.select(LedgerEntry).where(LedgerEntry.kind == "refund"))
    assert refund.reason == f"{offer.title} · 商户歇业"
    assert balance_of(people["rider"].id) == 100
    assert session.get(Offer, offer.id).stock == 3
    with refused(NotCancellable, "already cancelled"):
        corrections.cancel_by_programme(voucher=voucher, actor=people["admin"], reason="again")
    assert entries(session, voucher.id) == [("spend", -30), ("refund", 30)]


def test_cancelling_needs_a_reason_and_the_right_person(session, shop):
    voucher, _, people = shop
    with pytest.raises(ReasonMissing):
        corrections.cancel_by_programme(voucher=voucher, actor=people["admin"], reason="   ")
    for who in ("other_coordinator", "staff", "rider"):
        with pytest.raises(WrongMerchant):
            corrections.cancel_by_programme(voucher=voucher, actor=people[who], reason="x")
    assert session.get(Voucher, voucher.id).status == "issued"


def test_a_redeemed_voucher_cannot_be_cancelled(session, shop):
    voucher, _, people = shop
    vouchers.confirm_voucher(code=voucher.code, staff=people["staff"])
    session.commit()
    with refused(NotCancellable, "redeemed at"):
        corrections.cancel_by_programme(voucher=voucher, actor=people["admin"], reason="x")
    assert entries(session, voucher.id) == [("spend", -30)]


def test_a_repeated_redeem_key_gives_the_same_voucher_and_spends_once(session, shop):
    _, offer, people = shop
    rider, key = people["rider"], new_request_key()
    first, created = redeem_once(offer=offer, rider=rider, request_key=key)
    session.commit()
    again, created_again = redeem_once(offer=offer, rider=rider, request_key=key)
    session.commit()
    assert (created, created_again, again.id) == (True, False, first.id)
    assert first.request_key == key
    assert balance_of(rider.id) == 100 - 30 - 30  # the fixture's voucher and this one
    other = make_offer(offer.merchant_id, title="豆浆一杯", points_cost=5)
    with pytest.raises(KeyOfAnotherOffer):
        redeem_once(offer=other, rider=rider, request_key=key)


def test_redeem_keys_are_checked_uuids():
    key = new_request_key()
    assert parse_request_key(key) == key and parse_request_key(key.upper()) == key
    assert parse_request_key("") is None and parse_request_key("x" * 500) is None and parse_request_key(None) is None


def test_corrections_cannot_be_edited_or_deleted(session, shop):
    voucher, _, people = shop
    corrections.cancel_by_programme(voucher=voucher, actor=people["admin"], reason="商户歇业")
    session.commit()
    for statement in (sa.update(VoucherCorrection).values(reason="改过"), sa.delete(VoucherCorrection)):
        with pytest.raises(sa.exc.DBAPIError):
            session.execute(statement)
        session.rollback()
    assert session.scalar(sa.select(VoucherCorrection.reason)) == "商户歇业"
