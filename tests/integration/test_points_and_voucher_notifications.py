"""Riders hear when their points or vouchers move: an adjustment, a voucher used at the counter, expired or
cancelled by the programme, and a day before a voucher expires. Each notification is written with its event
(not after a refused or rolled-back one) and the inbox shows it in the rider's own language."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from accounts.models import User
from core.timeutil import utcnow
from extensions import db
from notifications.models import Notification
from points.errors import AdjustmentWouldGoNegative
from points.services import adjust_points
from rewards import corrections, vouchers
from rewards.correction_errors import ReasonMissing
from rewards.errors import WrongMerchant
from rewards.models import Offer, Voucher
from rewards.reminders import remind_expiring_vouchers
from tests.factories import give_points


def notes(ctx) -> list[tuple]:
    """(user id, kind, params, link) of every notification, oldest first."""
    with ctx() as session:
        return [(n.user_id, n.kind, n.values, n.link)
                for n in session.scalars(sa.select(Notification).order_by(Notification.id))]


def inbox(make_client, user_id) -> str:
    return make_client(user_id).get("/inbox").get_data(as_text=True)


@pytest.fixture
def readers(world, ctx):
    """The world's first rider reads Chinese, the second English; each has 100 points."""
    with ctx() as session:
        session.get(User, world.rider).language = "zh"
        session.get(User, world.rider2).language = "en"
        give_points(world.rider, 100)
        give_points(world.rider2, 100)
        session.commit()
    return world


def issue(ctx, world, rider_id, days_ago=0.0) -> tuple[int, str]:
    """A voucher of the world's offer (30 points, valid 7 days) issued ``days_ago``; returns its id and code."""
    with ctx() as session:
        voucher = vouchers.redeem_offer(offer=session.get(Offer, world.offer), rider=session.get(User, rider_id),
                                        now=utcnow() - timedelta(days=days_ago))
        session.commit()
        return voucher.id, voucher.code


def test_a_points_adjustment_tells_the_rider_and_a_refused_one_does_not(ctx, readers, make_client):
    with ctx() as session:
        rider, coordinator = session.get(User, readers.rider), session.get(User, readers.coordinator)
        with pytest.raises(AdjustmentWouldGoNegative):
            adjust_points(rider=rider, amount=-500, reason="录入错误", actor=coordinator)
        session.rollback()
        assert notes(ctx) == []
        adjust_points(rider=rider, amount=-20, reason="重复发放", actor=coordinator)
        session.commit()
    assert notes(ctx) == [(readers.rider, "points_adjusted", {"amount": -20, "reason": "重复发放"}, "/wallet")]
    assert "你的余额扣除了20积分。原因：重复发放" in inbox(make_client, readers.rider)


def test_the_coordinator_page_adjustment_tells_the_rider_in_english(ctx, readers, make_client):
    page = make_client(readers.coordinator)
    response = page.post(f"/coordinate/riders/{readers.rider2}/adjustments", {"amount": "15", "reason": "暴雨天补贴"})
    assert response.status_code == 303, response.get_data(as_text=True)[:1500]
    assert [(user, kind) for user, kind, _params, _link in notes(ctx)] == [(readers.rider2, "points_adjusted")]
    assert "15 points were added to your balance. Reason: 暴雨天补贴" in inbox(make_client, readers.rider2)


def test_a_voucher_confirmed_at_the_counter_tells_the_rider_and_a_refused_one_does_not(ctx, readers, make_client):
    voucher_id, code = issue(ctx, readers, readers.rider)
    with ctx() as session:
        with pytest.raises(WrongMerchant):
            vouchers.confirm_voucher(code=code, staff=session.get(User, readers.other_staff))
        session.rollback()
        assert notes(ctx) == []
        vouchers.confirm_voucher(code=code, staff=session.get(User, readers.staff))
        session.commit()
    assert notes(ctx) == [(readers.rider, "voucher_redeemed", {"offer": "暖心盒饭一份", "merchant": "暖新小厨"},
                           f"/vouchers/{voucher_id}")]
    assert "你的“暖心盒饭一份”券已在暖新小厨使用。" in inbox(make_client, readers.rider)


def test_an_expired_voucher_tells_the_rider_once(app, ctx, readers, make_client):
    voucher_id, _code = issue(ctx, readers, readers.rider2, days_ago=8)
    runner = app.test_cli_runner()
    runner.invoke(args=["vouchers", "expire"])
    runner.invoke(args=["vouchers", "expire"])
    assert notes(ctx) == [(readers.rider2, "voucher_expired", {"offer": "暖心盒饭一份", "points": 30},
                           f"/vouchers/{voucher_id}")]
    page = inbox(make_client, readers.rider2)
    assert "Your voucher for 暖心盒饭一份 expired; 30 points were returned to you." in page


def test_a_voucher_not_yet_due_is_not_expired_and_tells_nothing(ctx, readers):
    issue(ctx, readers, readers.rider2, days_ago=6)
    with ctx() as session:
        assert not vouchers.expire_voucher(session.scalar(sa.select(Voucher)))
        session.commit()
    assert notes(ctx) == []


def test_a_voucher_cancelled_by_the_programme_tells_the_rider(ctx, readers, make_client):
    voucher_id, _code = issue(ctx, readers, readers.rider)
    with ctx() as session:
        voucher, admin = session.get(Voucher, voucher_id), session.get(User, readers.admin)
        with pytest.raises(ReasonMissing):
            corrections.cancel_by_programme(voucher=voucher, actor=admin, reason="  ")
        session.rollback()
        assert notes(ctx) == []
        corrections.cancel_by_programme(voucher=session.get(Voucher, voucher_id), actor=admin, reason="商家停业")
        session.commit()
    assert notes(ctx) == [(readers.rider, "voucher_refunded", {"offer": "暖心盒饭一份", "points": 30},
                           f"/vouchers/{voucher_id}")]
    assert "你的“暖心盒饭一份”券已取消，30积分已退还给你。" in inbox(make_client, readers.rider)


def test_a_rider_cancelling_their_own_voucher_is_not_told_what_they_just_did(ctx, readers):
    voucher_id, _code = issue(ctx, readers, readers.rider)
    with ctx() as session:
        vouchers.cancel_voucher(voucher=session.get(Voucher, voucher_id), rider=session.get(User, readers.rider))
        session.commit()
    assert notes(ctx) == []


def test_vouchers_expiring_within_a_day_are_reminded_once(app, ctx, readers, make_client):
    expiring, _ = issue(ctx, readers, readers.rider2, days_ago=6.5)  # expires in 12 hours
    issue(ctx, readers, readers.rider2, days_ago=3)  # in 4 days: not yet
    _used, used_code = issue(ctx, readers, readers.rider, days_ago=6.5)
    with ctx() as session:
        vouchers.confirm_voucher(code=used_code, staff=session.get(User, readers.staff))
        session.commit()
    with app.app_context():
        first, again = remind_expiring_vouchers(now=utcnow()), remind_expiring_vouchers(now=utcnow())
        db.session.commit()
    assert (first, again) == (1, 0)
    with ctx() as session:
        expires_at = session.get(Voucher, expiring).expires_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert [note for note in notes(ctx) if note[1] == "voucher_expiring"] == [
        (readers.rider2, "voucher_expiring",
         {"offer": "暖心盒饭一份", "merchant": "暖新小厨", "expires_at": expires_at}, f"/vouchers/{expiring}")]
    assert "Your voucher for 暖心盒饭一份 at 暖新小厨 expires " in inbox(make_client, readers.rider2)
    assert "remind_expiring_vouchers: 0" in app.test_cli_runner().invoke(args=["notify", "remind"]).output
