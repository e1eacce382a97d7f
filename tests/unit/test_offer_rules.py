"""Restaurant rules: the per-rider limit per local day/week/month, the daily stock that renews at local
midnight, and a merchant's pause (rewards.rules, rewards.pausing). Times are Asia/Shanghai (UTC+8)."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from accounts.journal import JournalEntry
from points.queries import balance_of
from rewards import pausing, rules, vouchers
from rewards.errors import DailyStockGone, LimitReached, OffersPaused, PeriodLimitReached
from rewards.models import Merchant, OfferDay, Voucher
from tests.factories import give_points, make_merchant, make_offer, make_staff, make_user

# Wednesday 9 December 2026, 12:00 in Shanghai.
WED_NOON = datetime(2026, 12, 9, 4, 0, tzinfo=UTC)


def local(day: int, hour: int = 0, minute: int = 0, month: int = 12, year: int = 2026) -> datetime:
    """A Shanghai wall-clock time as aware UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC) - timedelta(hours=8)


@pytest.fixture
def shop(session):
    merchant = make_merchant()
    staff = make_staff(merchant.id)
    riders = [make_user(name=f"骑手{i}") for i in range(3)]
    for rider in riders:
        give_points(rider.id, 1000)
    session.commit()
    return merchant, staff, riders


def test_periods_are_local_days_weeks_from_monday_and_calendar_months(app):
    with app.app_context():
        assert rules.period_span("day", WED_NOON) == (local(9), local(10))
        assert rules.period_span("week", WED_NOON) == (local(7), local(14))  # Monday to Monday
        assert rules.period_span("month", WED_NOON) == (local(1), local(1, month=1, year=2027))
        assert rules.period_span("ever", WED_NOON) == (None, None)
        # 23:30 on Sunday 13 December local is still that week, though it is Sunday afternoon in UTC
        assert rules.period_span("week", local(13, 23, 30)) == (local(7), local(14))
        assert rules.period_span("day", local(10, 0, 30)) == (local(10), local(11))


def test_a_weekly_limit_refuses_until_monday_and_says_so(session, shop):
    merchant, _, (rider, *_) = shop
    offer = make_offer(merchant.id, per_rider_limit=1, limit_period="week", stock=10)
    session.commit()
    vouchers.redeem_offer(offer=offer, rider=rider, now=WED_NOON)
    with pytest.raises(PeriodLimitReached) as refused:
        vouchers.redeem_offer(offer=offer, rider=rider, now=local(13, 23, 59))
    assert refused.value.again_at == local(14)
    with force_locale("en"):
        assert PeriodLimitReached(1, "week", local(14)).message == (
            "You may redeem this offer 1 time a week. You can redeem it again from Mon 14 Dec, 00:00.")
    with force_locale("zh"):
        assert PeriodLimitReached(2, "week", local(14)).message == "此优惠每周限兑换2次。12月14日 00:00起可以再次兑换。"
    session.rollback()
    vouchers.redeem_offer(offer=offer, rider=rider, now=WED_NOON)
    next_week = vouchers.redeem_offer(offer=offer, rider=rider, now=local(14, 0, 1))
    assert next_week.status == "issued"
    assert balance_of(rider.id) == 1000 - 2 * offer.points_cost


def test_a_daily_limit_renews_at_local_midnight_and_a_monthly_one_on_the_first(session, shop):
    merchant, _, (rider, *_) = shop
    daily = make_offer(merchant.id, title="每日一杯", per_rider_limit=2, limit_period="day")
    monthly = make_offer(merchant.id, title="每月一份", per_rider_limit=1, limit_period="month")
    session.commit()
    for _ in range(2):
        vouchers.redeem_offer(offer=daily, rider=rider, now=local(9, 23, 0))
    with pytest.raises(PeriodLimitReached) as refused:
        vouchers.redeem_offer(offer=daily, rider=rider, now=local(9, 23, 59))
    assert refused.value.again_at == local(10)
    session.rollback()
    for _ in range(2):
        vouchers.redeem_offer(offer=daily, rider=rider, now=local(9, 23, 0))
    assert vouchers.redeem_offer(offer=daily, rider=rider, now=local(10, 0, 0)).status == "issued"

    vouchers.redeem_offer(offer=monthly, rider=rider, now=local(1, 9))
    with pytest.raises(PeriodLimitReached) as refused:
        vouchers.redeem_offer(offer=monthly, rider=rider, now=local(31, 23))
    assert refused.value.again_at == local(1, month=1, year=2027)


def test_a_cancelled_voucher_frees_its_place_in_the_period(session, shop):
    merchant, _, (rider, *_) = shop
    offer = make_offer(merchant.id, per_rider_limit=1, limit_period="week")
    voucher = vouchers.redeem_offer(offer=offer, rider=rider, now=WED_NOON)
    vouchers.cancel_voucher(voucher=voucher, rider=rider, now=WED_NOON + timedelta(minutes=5))
    assert vouchers.redeem_offer(offer=offer, rider=rider, now=WED_NOON + timedelta(minutes=6)).status == "issued"


def test_an_offer_limited_ever_keeps_its_old_meaning(session, shop):
    merchant, _, (rider, *_) = shop
    offer = make_offer(merchant.id, per_rider_limit=1, limit_period="ever")
    vouchers.redeem_offer(offer=offer, rider=rider, now=local(1, 12, month=1))
    with pytest.raises(LimitReached):
        vouchers.redeem_offer(offer=offer, rider=rider, now=WED_NOON)


def test_new_offers_are_limited_per_week(session, shop):
    merchant, _, _ = shop
    from rewards.models import Offer

    offer = Offer(merchant_id=merchant.id, title="新品", points_cost=10, face_value_fen=100, stock=1)
    session.add(offer)
    session.flush()
    assert offer.limit_period == "week"


def test_the_daily_stock_is_shared_by_riders_and_renews_at_local_midnight(session, shop):
    merchant, _, riders = shop
    offer = make_offer(merchant.id, daily_stock=2, stock=10, per_rider_limit=5)
    session.commit()
    vouchers.redeem_offer(offer=offer, rider=riders[0], now=local(9, 11))
    vouchers.redeem_offer(offer=offer, rider=riders[1], now=local(9, 12))
    with pytest.raises(DailyStockGone) as refused:
        vouchers.redeem_offer(offer=offer, rider=riders[2], now=local(9, 23, 59))
    assert refused.value.renews_at == local(10)
    with force_locale("en"):
        assert refused.value.message  # translated when raised (zh here); the English one:
        assert DailyStockGone(local(10)).message == \
            "Today's vouchers of this offer are all taken. More from Thu 10 Dec, 00:00."
    session.rollback()
    vouchers.redeem_offer(offer=offer, rider=riders[0], now=local(9, 11))
    vouchers.redeem_offer(offer=offer, rider=riders[1], now=local(9, 12))
    assert vouchers.redeem_offer(offer=offer, rider=riders[2], now=local(10, 0, 1)).status == "issued"
    session.commit()
    days = session.execute(sa.select(OfferDay.day, OfferDay.taken).where(OfferDay.offer_id == offer.id)
                           .order_by(OfferDay.day)).all()
    assert [(d.isoformat(), t) for d, t in days] == [("2026-12-09", 2), ("2026-12-10", 1)]
    assert session.get(type(offer), offer.id).stock == 7


def test_a_cancelled_voucher_gives_its_daily_place_back(session, shop):
    merchant, _, riders = shop
    offer = make_offer(merchant.id, daily_stock=1)
    voucher = vouchers.redeem_offer(offer=offer, rider=riders[0], now=WED_NOON)
    vouchers.cancel_voucher(voucher=voucher, rider=riders[0], now=WED_NOON + timedelta(minutes=1))
    assert vouchers.redeem_offer(offer=offer, rider=riders[1], now=WED_NOON + timedelta(minutes=2)).status == "issued"
    with pytest.raises(DailyStockGone):
        vouchers.redeem_offer(offer=offer, rider=riders[2], now=WED_NOON + timedelta(minutes=3))


def test_a_paused_merchant_refuses_redemptions_until_resumed_and_the_journal_says_who(session, shop):
    merchant, staff, (rider, *_) = shop
    offer = make_offer(merchant.id)
    assert pausing.pause_offers(merchant=merchant, actor=staff) is True
    assert pausing.pause_offers(merchant=merchant, actor=staff) is False  # a double tap changes nothing
    session.commit()
    with pytest.raises(OffersPaused) as refused:
        vouchers.redeem_offer(offer=offer, rider=rider)
    assert "暖新小厨" in refused.value.message
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(Voucher)) == 0
    assert balance_of(rider.id) == 1000
    assert pausing.resume_offers(merchant=merchant, actor=staff) is True
    assert pausing.resume_offers(merchant=merchant, actor=staff) is False
    session.commit()
    assert vouchers.redeem_offer(offer=offer, rider=rider).status == "issued"
    entries = session.execute(sa.select(JournalEntry.action, JournalEntry.actor_id, JournalEntry.merchant_id)
                              .where(JournalEntry.action.like("merchant.%")).order_by(JournalEntry.id)).all()
    assert entries == [("merchant.pause", staff.id, merchant.id), ("merchant.resume", staff.id, merchant.id)]


def test_the_database_refuses_a_redemption_when_the_pause_lands_after_the_check(session, shop):
    """A pause committed by another process after this request loaded the merchant: the UPDATE that counts
    the voucher reads the pause itself, so no voucher is issued."""
    merchant, _, _ = shop
    offer = make_offer(merchant.id)
    session.commit()
    assert not offer.merchant.is_paused  # loaded before the pause
    session.execute(sa.update(Merchant).where(Merchant.id == merchant.id).values(paused_at=WED_NOON),
                    execution_options={"synchronize_session": False})
    with pytest.raises(OffersPaused):
        rules.take_daily_place(offer=offer, now=WED_NOON)


def test_the_confirm_screen_standing_names_the_first_rule_that_blocks(session, shop):
    merchant, _, (rider, other, _) = shop
    offer = make_offer(merchant.id, per_rider_limit=1, limit_period="day", daily_stock=1)
    assert rules.standing(offer=offer, rider_id=rider.id, now=WED_NOON) == rules.Standing(0, 1, None)
    vouchers.redeem_offer(offer=offer, rider=rider, now=WED_NOON)
    mine = rules.standing(offer=offer, rider_id=rider.id, now=WED_NOON)
    assert (mine.held, mine.left_today, type(mine.refusal)) == (1, 0, PeriodLimitReached)
    theirs = rules.standing(offer=offer, rider_id=other.id, now=WED_NOON)
    assert (theirs.held, type(theirs.refusal)) == (0, DailyStockGone)
    assert rules.standing(offer=offer, rider_id=other.id, now=local(10, 8)).refusal is None
