"""Restaurant rules under real concurrency (gunicorn, 4 sync workers; two instances on PostgreSQL): a rider's
limit per day and an offer's daily stock hold when the requests race, like the stock does
(``test_voucher_races.py``). Each test checks what the database holds, what every user was told, that no
server logged a traceback, and that ``flask points audit`` finds the books balanced."""

import re
from functools import partial

import pytest
import sqlalchemy as sa

from core.timeutil import local_today
from points.queries import balance_of
from rewards.models import Merchant, Offer, OfferDay, Voucher
from tests import factories
from tests.concurrency.harness import (
    assert_points_audit_clean,
    describe,
    fire,
    ledger_sum,
    log_in_all,
    statuses,
    warm_up,
)

pytestmark = pytest.mark.concurrency


def test_a_rider_redeeming_a_two_a_day_offer_10_times_at_once_gets_2(ctx, serve, database_url):
    with ctx() as session:
        merchant = factories.make_merchant()
        offer = factories.make_offer(merchant.id, points_cost=10, stock=50, per_rider_limit=2, limit_period="day")
        rider = factories.make_user()
        factories.give_points(rider.id, 1000)
        session.commit()
        offer_id, rider_id, phone = offer.id, rider.id, rider.phone
    cluster = serve()
    [browser] = log_in_all(cluster, [phone], factories.PASSWORD)
    warm_up(cluster, browser, f"/offers/{offer_id}")

    replies = fire([partial(browser.post, cluster.url(i), f"/offers/{offer_id}/redeem", keep_cookies=False)
                    for i in range(10)])

    issued = [r for r in replies if r.status == 303 and re.search(r"/vouchers/\d+$", r.location)]
    refused = [r for r in replies if r.status == 409
               and "You may redeem this offer 2 times a day. You can redeem it again from" in r.alert()]
    assert len(issued) == 2 and len(refused) == 8, describe(replies, cluster)
    with ctx() as session:
        mine = session.scalars(sa.select(Voucher).where(Voucher.rider_id == rider_id)).all()
        assert [v.status for v in mine] == ["issued"] * 2
        assert balance_of(rider_id) == 980 == ledger_sum(session, rider_id)
        assert session.get(Offer, offer_id).stock == 48
    cluster.assert_clean_logs()
    assert_points_audit_clean(database_url)


def test_30_riders_race_for_a_daily_stock_of_4_and_26_are_told_when_more_come(ctx, serve, database_url):
    with ctx() as session:
        merchant = factories.make_merchant()
        offer = factories.make_offer(merchant.id, points_cost=30, stock=100, daily_stock=4, per_rider_limit=1,
                                     limit_period="day")
        riders = [factories.make_user(name=f"骑手{i:02d}") for i in range(30)]
        for rider in riders:
            factories.give_points(rider.id, 100)
        session.commit()
        offer_id, phones, rider_ids = offer.id, [r.phone for r in riders], [r.id for r in riders]
    cluster = serve()
    browsers = log_in_all(cluster, phones, factories.PASSWORD)
    warm_up(cluster, browsers[0], f"/offers/{offer_id}")

    replies = fire([partial(b.post, cluster.url(i), f"/offers/{offer_id}/redeem", keep_cookies=False)
                    for i, b in enumerate(browsers)])

    issued = [i for i, r in enumerate(replies) if r.status == 303 and re.search(r"/vouchers/\d+$", r.location)]
    refused = [r for r in replies if r.status == 409
               and "Today's vouchers of this offer are all taken. More from" in r.alert()]
    assert len(issued) == 4 and len(refused) == 26, describe(replies, cluster)
    assert statuses(replies) == {303: 4, 409: 26}
    with ctx() as session:
        holders = sorted(session.scalars(sa.select(Voucher.rider_id).where(Voucher.offer_id == offer_id)))
        assert holders == sorted(rider_ids[i] for i in issued)
        assert session.get(Offer, offer_id).stock == 96  # the refused ones gave their stock back (rolled back)
        day = session.get(OfferDay, (offer_id, local_today()))
        assert day.taken == 4
        for rider_id in rider_ids:
            expected = 70 if rider_id in holders else 100
            assert balance_of(rider_id) == expected == ledger_sum(session, rider_id)
    cluster.assert_clean_logs()
    assert_points_audit_clean(database_url)


def test_a_pause_racing_20_redemptions_leaves_each_rider_with_a_voucher_or_the_pause_note(ctx, serve, database_url):
    """Every racing redemption either got its voucher (ordered before the pause) or was told the offers are
    paused; none fails, and once the pause has answered, every new redemption is refused."""
    with ctx() as session:
        merchant = factories.make_merchant()
        staff = factories.make_staff(merchant.id)
        offer = factories.make_offer(merchant.id, points_cost=30, stock=100)
        riders = [factories.make_user(name=f"骑手{i:02d}") for i in range(20)]
        for rider in riders:
            factories.give_points(rider.id, 100)
        session.commit()
        offer_id, merchant_id, phones = offer.id, merchant.id, [r.phone for r in riders]
        rider_ids, staff_phone = [r.id for r in riders], staff.phone
    cluster = serve()
    browsers = log_in_all(cluster, [*phones, staff_phone], factories.PASSWORD)
    *rider_browsers, counter = browsers
    warm_up(cluster, rider_browsers[0], f"/offers/{offer_id}")

    calls = [partial(b.post, cluster.url(i), f"/offers/{offer_id}/redeem", keep_cookies=False)
             for i, b in enumerate(rider_browsers)]
    replies = fire([*calls, partial(counter.post, cluster.url(0), "/merchant/pause", keep_cookies=False)])

    *redeemed, paused = replies
    assert paused.status == 303, describe(replies, cluster)
    issued = [i for i, r in enumerate(redeemed) if r.status == 303 and re.search(r"/vouchers/\d+$", r.location)]
    told = [r for r in redeemed if r.status == 409 and "has paused its offers for now" in r.alert()]
    assert len(issued) + len(told) == 20, describe(replies, cluster)
    after = fire([partial(b.post, cluster.url(i), f"/offers/{offer_id}/redeem", keep_cookies=False)
                  for i, b in enumerate(rider_browsers[:5])])
    refused_after = [r for r in after if r.status == 409 and "has paused its offers for now" in r.alert()]
    assert len(refused_after) == 5, describe(after, cluster)
    with ctx() as session:
        assert session.get(Merchant, merchant_id).paused_at is not None
        holders = sorted(session.scalars(sa.select(Voucher.rider_id).where(Voucher.offer_id == offer_id)))
        assert holders == sorted(rider_ids[i] for i in issued)
        assert session.get(Offer, offer_id).stock == 100 - len(issued)
    cluster.assert_clean_logs()
    assert_points_audit_clean(database_url)
