"""Voucher corrections and redeem keys under real concurrency (gunicorn, 4 sync workers; two instances on
PostgreSQL): undo, cancel and confirm of one voucher at the same moment, and a doubled redeem submission.

Whatever order the database puts them in, a voucher is refunded at most once, each correction happens at
most once, every user is told what really happened, no server logs a traceback, and ``flask points audit``
finds the books balanced.
"""

from functools import partial

import pytest
import sqlalchemy as sa

from accounts.models import User
from core.timeutil import utcnow
from points.models import LedgerEntry
from points.queries import balance_of
from rewards import vouchers
from rewards.correction_models import VoucherCorrection
from rewards.models import Offer, Voucher
from tests import factories
from tests.concurrency.harness import (
    assert_points_audit_clean,
    describe,
    fire,
    ledger_sum,
    log_in_all,
    warm_up,
)

pytestmark = pytest.mark.concurrency
HTMX = {"HX-Request": "true"}


def _cast(session, *, confirmed: bool, colleagues: int):
    """A merchant of an organisation with one 30-point voucher (confirmed just now by the first staff when
    ``confirmed``), ``colleagues`` more staff, an admin and a coordinator of the organisation."""
    org = factories.make_org("塘市办事处")
    merchant = factories.make_merchant(organisation_id=org.id)
    staff = factories.make_staff(merchant.id, "店员甲")
    others = [factories.make_staff(merchant.id, f"店员{i:02d}") for i in range(colleagues)]
    admin = factories.make_user("admin", "刘管理")
    coordinator = factories.make_user("coordinator", "陈丽华", org.id)
    offer = factories.make_offer(merchant.id, points_cost=30, stock=5)
    rider = factories.make_user()
    factories.give_points(rider.id, 30)
    voucher = vouchers.redeem_offer(offer=offer, rider=rider)
    if confirmed:
        vouchers.confirm_voucher(code=voucher.code, staff=staff, now=utcnow())
    session.commit()
    return {"voucher": voucher.id, "code": voucher.code, "rider": rider.id, "offer": offer.id,
            "staff": staff.phone, "others": [o.phone for o in others], "admin": admin.phone,
            "coordinator": coordinator.phone}


def _outcome(ctx, voucher_id: int, rider_id: int) -> dict:
    with ctx() as session:
        voucher = session.get(Voucher, voucher_id)
        kinds = [k for (k,) in session.execute(sa.select(LedgerEntry.kind).where(LedgerEntry.voucher_id == voucher_id)
                                               .order_by(LedgerEntry.id))]
        corrections = [k for (k,) in session.execute(sa.select(VoucherCorrection.kind)
                                                     .where(VoucherCorrection.voucher_id == voucher_id))]
        assert balance_of(rider_id) == ledger_sum(session, rider_id)
        return {"status": voucher.status, "entries": kinds, "undo": corrections.count("undo"),
                "cancel": corrections.count("cancel"), "balance": balance_of(rider_id),
                "stock": session.get(Offer, voucher.offer_id).stock}


def test_undo_cancel_and_confirm_of_one_voucher_at_once_refund_at_most_once(ctx, serve, database_url):
    """The confirming staff undoes on 4 devices, an admin and a coordinator cancel 4 times each, 6 colleagues
    confirm: whatever wins, the refund happens at most once and what each was told matches the database."""
    with ctx() as session:
        cast = _cast(session, confirmed=True, colleagues=6)
    cluster = serve()
    phones = [cast["staff"], cast["admin"], cast["coordinator"], *cast["others"]]
    staff, admin, coordinator, *colleagues = log_in_all(cluster, phones, factories.PASSWORD)
    code, voucher_id = cast["code"], cast["voucher"]
    warm_up(cluster, staff, "/merchant/")

    undo = [partial(staff.post, cluster.url(i), f"/merchant/vouchers/{code}/undo", headers=HTMX,
                    keep_cookies=False) for i in range(4)]
    cancel = [partial(who.post, cluster.url(i), f"/coordinate/vouchers/{voucher_id}/cancel", {"reason": "测试取消"},
                      keep_cookies=False) for i, who in enumerate([admin] * 4 + [coordinator] * 4)]
    confirm = [partial(b.post, cluster.url(i), f"/merchant/vouchers/{code}/confirm", keep_cookies=False)
               for i, b in enumerate(colleagues)]
    replies = fire(undo + cancel + confirm)
    undo_r, cancel_r, confirm_r = replies[:4], replies[4:12], replies[12:]

    assert all(r.status in (200, 303, 409) for r in replies), describe(replies, cluster)
    undone = [r for r in undo_r if r.status == 200 and "Confirmation undone" in r.plain]
    cancelled = [r for r in cancel_r if r.status == 303]
    confirmed = [r for r in confirm_r if r.status == 200 and "Redeemed. Give the rider" in r.plain]
    outcome = _outcome(ctx, voucher_id, cast["rider"])
    evidence = f"{outcome}\n{describe(replies, cluster)}"
    assert outcome["undo"] == len(undone) <= 1, evidence
    assert outcome["cancel"] == len(cancelled) <= 1, evidence
    assert outcome["entries"].count("refund") == outcome["cancel"], evidence
    assert len(confirmed) <= outcome["undo"], evidence  # a colleague can only confirm after the undo
    if outcome["cancel"]:
        assert outcome["undo"] == 1 and not confirmed, evidence  # cancelling needs an issued voucher
        assert (outcome["status"], outcome["balance"], outcome["stock"]) == ("cancelled", 30, 5), evidence
    else:
        assert outcome["status"] == ("redeemed" if confirmed or not undone else "issued"), evidence
        assert (outcome["balance"], outcome["stock"]) == (0, 4), evidence
    assert all(r.status == 409 for r in replies if r not in undone + cancelled + confirmed), evidence
    cluster.assert_clean_logs()
    assert_points_audit_clean(database_url)


def test_cancels_and_confirms_of_an_issued_voucher_at_once_one_wins_and_refunds_at_most_once(ctx, serve,
                                                                                            database_url):
    with ctx() as session:
        cast = _cast(session, confirmed=False, colleagues=8)
    cluster = serve()
    phones = [cast["admin"], cast["coordinator"], *cast["others"]]
    admin, coordinator, *colleagues = log_in_all(cluster, phones, factories.PASSWORD)
    code, voucher_id = cast["code"], cast["voucher"]
    warm_up(cluster, admin, f"/coordinate/vouchers/{voucher_id}/cancel")

    cancel = [partial(who.post, cluster.url(i), f"/coordinate/vouchers/{voucher_id}/cancel", {"reason": "停业"},
                      keep_cookies=False) for i, who in enumerate([admin] * 5 + [coordinator] * 5)]
    confirm = [partial(b.post, cluster.url(i), f"/merchant/vouchers/{code}/confirm", keep_cookies=False)
               for i, b in enumerate(colleagues)]
    replies = fire(cancel + confirm)

    cancelled = [r for r in replies[:10] if r.status == 303]
    confirmed = [r for r in replies[10:] if r.status == 200 and "Redeemed. Give the rider" in r.plain]
    outcome = _outcome(ctx, voucher_id, cast["rider"])
    evidence = f"{outcome}\n{describe(replies, cluster)}"
    assert len(cancelled) + len(confirmed) == 1, evidence
    assert sum(r.status == 409 for r in replies) == len(replies) - 1, evidence
    if cancelled:
        assert outcome == {"status": "cancelled", "entries": ["spend", "refund"], "undo": 0, "cancel": 1,
                           "balance": 30, "stock": 5}, evidence
    else:
        assert outcome == {"status": "redeemed", "entries": ["spend"], "undo": 0, "cancel": 0, "balance": 0,
                           "stock": 4}, evidence
    cluster.assert_clean_logs()
    assert_points_audit_clean(database_url)


def test_ten_submissions_of_one_confirm_screen_at_once_give_one_voucher_and_one_spend(ctx, serve, database_url):
    """A double tap, a retry on a flaky network and a second tab, all with the screen's one key: every
    submission lands on the same voucher, and the points are taken once."""
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
    key = "6f1c1f52-3f0c-4a36-9d57-0f5f3c1e2a11"

    replies = fire([partial(browser.post, cluster.url(i), f"/offers/{offer_id}/redeem", {"request_key": key},
                            keep_cookies=False) for i in range(10)])

    assert all(r.status == 303 for r in replies), describe(replies, cluster)
    assert len({r.location for r in replies}) == 1, describe(replies, cluster)
    with ctx() as session:
        mine = session.scalars(sa.select(Voucher).where(Voucher.rider_id == rider_id)).all()
        assert [(v.status, v.request_key) for v in mine] == [("issued", key)]
        assert replies[0].location.endswith(f"/vouchers/{mine[0].id}")
        assert balance_of(rider_id) == 70 == ledger_sum(session, rider_id)
        assert session.get(Offer, offer_id).stock == 19
        assert session.get(User, rider_id) is not None
    cluster.assert_clean_logs()
    assert_points_audit_clean(database_url)
