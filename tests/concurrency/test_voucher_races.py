"""Vouchers under real concurrency: staff confirming at the counter, riders redeeming, the expiry job twice at
once; gunicorn with 4 sync workers (two instances on PostgreSQL), users logged in over HTTP, the racing
requests released together by a barrier.

Each test builds its data in the test's fresh database and commits, starts the servers, fires, then checks
what the database holds and what every user was told, that no server logged a traceback, and that
``flask points audit`` finds the books balanced. Places and attendance: ``test_places_and_attendance_races.py``.
"""

import re
from datetime import timedelta
from functools import partial

import pytest
import sqlalchemy as sa
from babel.dates import format_datetime

from core.timeutil import LANGUAGE_FORMATS, to_local, utcnow
from extensions import db
from points.models import LedgerEntry, PointsAccount
from points.queries import balance_of
from rewards import vouchers
from rewards.models import Offer, Voucher
from tests import factories
from tests.concurrency.harness import (
    assert_points_audit_clean,
    describe,
    fire,
    flask_commands_at_once,
    ledger_sum,
    log_in_all,
    statuses,
    warm_up,
)

pytestmark = pytest.mark.concurrency


# --------------------------------------------------------------------------------------------------------
# 2. vouchers at the counter
# --------------------------------------------------------------------------------------------------------

def _one_issued_voucher(session, staff_count: int):
    """A merchant with ``staff_count`` staff and one issued voucher of 30 points; returns plain values."""
    merchant = factories.make_merchant()
    staff = [factories.make_staff(merchant.id, f"店员{i:02d}") for i in range(staff_count)]
    offer = factories.make_offer(merchant.id)
    rider = factories.make_user()
    factories.give_points(rider.id, 30)
    voucher = vouchers.redeem_offer(offer=offer, rider=rider)
    session.commit()
    return voucher.id, voucher.code, merchant.name, {s.phone: s.id for s in staff}


def _redeemed_once(ctx, voucher_id: int) -> tuple[int, str]:
    """Check the voucher is redeemed with its one spend entry; return who redeemed it and the time as shown."""
    with ctx() as session:
        row = session.get(Voucher, voucher_id)
        assert row.status == "redeemed"
        entries = session.execute(sa.select(LedgerEntry.kind, LedgerEntry.amount)
                                  .where(LedgerEntry.voucher_id == voucher_id)).all()
        assert entries == [("spend", -30)]
        shown = format_datetime(to_local(row.redeemed_at), LANGUAGE_FORMATS["en"]["short"], locale="en")
        return row.redeemed_by_id, shown


def test_50_staff_confirm_one_voucher_at_once_and_exactly_one_sees_success(ctx, serve, database_url):
    with ctx() as session:
        voucher_id, code, merchant_name, staff_ids = _one_issued_voucher(session, 50)
    cluster = serve()
    phones = list(staff_ids)
    browsers = log_in_all(cluster, phones, factories.PASSWORD)
    warm_up(cluster, browsers[0], f"/merchant/vouchers/{code}")

    replies = fire([partial(b.post, cluster.url(i), f"/merchant/vouchers/{code}/confirm", keep_cookies=False)
                    for i, b in enumerate(browsers)])

    won = [i for i, r in enumerate(replies) if r.status == 200 and "Redeemed. Give the rider" in r.plain]
    refused = [r for r in replies if r.status == 409 and "Already redeemed at" in r.alert()]
    assert len(won) == 1 and len(refused) == 49, describe(replies, cluster)
    redeemed_by, when = _redeemed_once(ctx, voucher_id)
    assert redeemed_by == staff_ids[phones[won[0]]]
    expected = f"Already redeemed at {merchant_name}, {when}. Do not accept it again."
    assert all(expected in r.alert() for r in refused), (expected, {r.alert() for r in refused})
    cluster.assert_clean_logs()
    assert_points_audit_clean(database_url)


def test_one_staff_account_on_several_devices_racing_others_redeems_once(ctx, serve, database_url):
    """A shared counter login on 5 devices plus 15 colleagues, all at once: one redemption and one green
    screen; every other device, the shared account's included, is refused with "Already redeemed at"."""
    with ctx() as session:
        voucher_id, code, merchant_name, staff_ids = _one_issued_voucher(session, 16)
    cluster = serve()
    shared, *colleagues = staff_ids
    phones = [shared] * 5 + colleagues
    browsers = log_in_all(cluster, phones, factories.PASSWORD)
    warm_up(cluster, browsers[0], f"/merchant/vouchers/{code}")

    replies = fire([partial(b.post, cluster.url(i), f"/merchant/vouchers/{code}/confirm", keep_cookies=False)
                    for i, b in enumerate(browsers)])

    redeemed_by, when = _redeemed_once(ctx, voucher_id)
    winner_phone = next(phone for phone, user_id in staff_ids.items() if user_id == redeemed_by)
    won = [i for i, r in enumerate(replies) if r.status == 200 and "Redeemed. Give the rider" in r.plain]
    refused = [i for i, r in enumerate(replies) if r.status == 409
               and f"Already redeemed at {merchant_name}, {when}" in r.alert()]
    assert len(won) == 1 and len(refused) == len(replies) - 1, describe(replies, cluster)
    assert phones[won[0]] == winner_phone
    by_this_account = {phones[i] for i in refused if "by this account" in replies[i].alert()}
    assert by_this_account <= {winner_phone}, "another account was told it had confirmed the voucher"
    cluster.assert_clean_logs()
    assert_points_audit_clean(database_url)


def test_a_rider_with_100_points_redeeming_a_30_point_offer_10_times_at_once_gets_3(ctx, serve, database_url):
    with ctx() as session:
        merchant = factories.make_merchant()
        offer = factories.make_offer(merchant.id, points_cost=30, stock=20, per_rider_limit=10)
        rider = factories.make_user()
        factories.give_points(rider.id, 100)
        session.commit()
        offer_id, rider_id, phone = offer.id, rider.id, rider.phone
    cluster = serve()
    [browser] = log_in_all(cluster, [phone], factories.PASSWORD)
    warm_up(cluster, browser, f"/offers/{offer_id}")

    replies = fire([partial(browser.post, cluster.url(i), f"/offers/{offer_id}/redeem", keep_cookies=False)
                    for i in range(10)])

    issued = [r for r in replies if r.status == 303 and re.search(r"/vouchers/\d+$", r.location)]
    refused = [r for r in replies if r.status == 409 and "Not enough points" in r.alert()]
    assert len(issued) == 3 and len(refused) == 7, describe(replies, cluster)
    with ctx() as session:
        mine = session.scalars(sa.select(Voucher).where(Voucher.rider_id == rider_id)).all()
        assert [v.status for v in mine] == ["issued"] * 3
        assert sorted(r.location.rsplit("/", 1)[1] for r in issued) == sorted(str(v.id) for v in mine)
        assert balance_of(rider_id) == 10
        assert ledger_sum(session, rider_id) == 10
        assert session.get(Offer, offer_id).stock == 17

        # "Never negative at any moment" is the database's CHECK, not the code's if: it exists ...
        checks = {c["name"]: c["sqltext"] for c in sa.inspect(db.engine).get_check_constraints("points_account")}
        assert "ck_points_account_balance_not_negative" in checks, checks
        assert re.sub(r"[\s()]", "", checks["ck_points_account_balance_not_negative"]) == "balance>=0"
        # ... and refuses a balance below zero whoever writes it.
        with pytest.raises(sa.exc.IntegrityError):
            session.execute(sa.update(PointsAccount).where(PointsAccount.user_id == rider_id)
                            .values(balance=PointsAccount.balance - 11))
        session.rollback()
    cluster.assert_clean_logs()
    assert_points_audit_clean(database_url)


def test_40_riders_race_for_an_offer_with_stock_5_and_35_are_refused_with_409(ctx, serve, database_url):
    with ctx() as session:
        merchant = factories.make_merchant()
        offer = factories.make_offer(merchant.id, points_cost=30, stock=5, per_rider_limit=1)
        riders = [factories.make_user(name=f"骑手{i:02d}") for i in range(40)]
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
    refused = [r for r in replies if r.status == 409 and "out of stock" in r.alert()]
    assert len(issued) == 5 and len(refused) == 35, describe(replies, cluster)
    assert statuses(replies) == {303: 5, 409: 35}
    with ctx() as session:
        holders = sorted(session.scalars(sa.select(Voucher.rider_id).where(Voucher.offer_id == offer_id)))
        assert holders == sorted(rider_ids[i] for i in issued)
        assert session.get(Offer, offer_id).stock == 0
        for rider_id in rider_ids:
            expected = 70 if rider_id in holders else 100
            assert balance_of(rider_id) == expected == ledger_sum(session, rider_id)
    cluster.assert_clean_logs()
    assert_points_audit_clean(database_url)


# --------------------------------------------------------------------------------------------------------
# 3. the expiry job, twice at once
# --------------------------------------------------------------------------------------------------------

def test_two_expiry_jobs_at_once_refund_each_overdue_voucher_exactly_once(ctx, database_url):
    riders_count = 30
    with ctx() as session:
        merchant = factories.make_merchant()
        offer = factories.make_offer(merchant.id, points_cost=30, stock=100, per_rider_limit=3, validity_days=7)
        riders = [factories.make_user(name=f"骑手{i:02d}") for i in range(riders_count)]
        overdue = []
        for rider in riders:
            factories.give_points(rider.id, 100)
            for days_ago in (8, 9):  # valid for 7 days: expired one and two days ago
                overdue.append(vouchers.redeem_offer(offer=offer, rider=rider,
                                                     now=utcnow() - timedelta(days=days_ago)).id)
        current = vouchers.redeem_offer(offer=offer, rider=riders[0]).id
        session.commit()
        offer_id, rider_ids = offer.id, [r.id for r in riders]
    assert len(overdue) == 2 * riders_count

    outcomes, _seconds, report = flask_commands_at_once(database_url, "vouchers", "expire", timeout=120)
    assert all(code == 0 for code, _out, _err in outcomes), report
    counts = [int(re.search(r"expired and refunded (\d+) voucher", out).group(1)) for _code, out, _err in outcomes]
    assert sum(counts) == len(overdue), report

    with ctx() as session:
        status_of = dict(session.execute(sa.select(Voucher.id, Voucher.status)).all())
        assert {v for v, s in status_of.items() if s == "expired"} == set(overdue)
        assert status_of[current] == "issued"
        expiries = session.execute(sa.select(LedgerEntry.voucher_id, LedgerEntry.amount)
                                   .where(LedgerEntry.kind == "expiry")).all()
        assert sorted(expiries) == sorted((v, 30) for v in overdue)
        assert session.scalar(sa.select(sa.func.count()).where(LedgerEntry.kind == "refund")) == 0
        for rider_id in rider_ids:
            expected = 70 if rider_id == rider_ids[0] else 100
            assert balance_of(rider_id) == expected == ledger_sum(session, rider_id)
        assert session.get(Offer, offer_id).stock == 99
    assert_points_audit_clean(database_url)


