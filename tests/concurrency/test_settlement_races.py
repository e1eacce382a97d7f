"""Settlement under real concurrency (gunicorn, 4 sync workers; two instances on PostgreSQL): statements drawn
while staff confirm vouchers, by two coordinators and an admin at the same moment, of the same and of
overlapping periods.

Whatever order the database puts them in: one statement per merchant and period, every confirmation in exactly
one statement line (none twice, none lost), each statement's total the sum of its lines, confirmations made
during the drawing left for the next statement, which picks them up; no server logs a traceback.
"""

from collections import Counter
from datetime import timedelta
from functools import partial

import pytest
import sqlalchemy as sa

from accounts.models import User
from core.timeutil import at_local, local_today, utcnow
from rewards import settlement, vouchers
from rewards.models import Merchant, Voucher
from rewards.settlement_models import Statement, StatementLine
from tests import factories
from tests.concurrency.harness import describe, fire, log_in_all, warm_up

pytestmark = pytest.mark.concurrency


def _cast(session, *, staff_count: int, waiting: int):
    """A merchant of an organisation with ``staff_count`` staff; confirmations in the middle of last month and of
    the last ended week (already made), and ``waiting`` issued vouchers for the staff to confirm now; its
    coordinator and an admin."""
    org = factories.make_org("塘市办事处")
    merchant = factories.make_merchant(organisation_id=org.id)
    staff = [factories.make_staff(merchant.id, f"店员{i:02d}") for i in range(staff_count)]
    coordinator = factories.make_user("coordinator", "陈丽华", org.id)
    other = factories.make_user("coordinator", "李明", org.id)
    admin = factories.make_user("admin", "刘管理")
    offer = factories.make_offer(merchant.id, points_cost=10, face_value_fen=1500, stock=100, per_rider_limit=100,
                                 validity_days=60)
    rider = factories.make_user()
    factories.give_points(rider.id, 1000)
    month = settlement.ended_periods("month", count=1)[0]
    week = settlement.ended_periods("week", count=1)[0]
    for day in (month.replace(day=10), month.replace(day=11), week + timedelta(days=2), week + timedelta(days=6)):
        for hour in (12, 18):
            moment = at_local(day, hour)
            voucher = vouchers.redeem_offer(offer=offer, rider=rider, now=moment - timedelta(hours=1))
            vouchers.confirm_voucher(code=voucher.code, staff=staff[0], now=moment)
    codes = [vouchers.redeem_offer(offer=offer, rider=rider).code for _ in range(waiting)]
    session.commit()
    return {"merchant": merchant.id, "codes": codes, "month": month, "week": week,
            "staff": [s.phone for s in staff], "coordinator": coordinator.phone, "other": other.phone,
            "admin": admin.phone}


def _every_confirmation_once(session) -> tuple[list, list]:
    """``(redeemed confirmations, redemption claims)`` as (voucher, redeemed_at) pairs; asserts no claim is
    doubled and every statement's total and count are those of its lines."""
    redeemed = session.execute(sa.select(Voucher.id, Voucher.redeemed_at).where(Voucher.status == "redeemed")).all()
    claims = session.execute(sa.select(StatementLine.voucher_id, StatementLine.redeemed_at)
                             .where(StatementLine.kind == "redemption")).all()
    assert not [pair for pair, n in Counter(claims).items() if n > 1], claims
    for statement in session.scalars(sa.select(Statement)):
        sums = session.execute(sa.select(sa.func.coalesce(sa.func.sum(StatementLine.amount_fen), 0),
                                         sa.func.count()).where(StatementLine.statement_id == statement.id)).one()
        assert (statement.total_fen, statement.line_count) == tuple(sums), statement.id
    return sorted(redeemed), sorted(claims)


def test_statements_drawn_at_once_while_staff_confirm_claim_each_confirmation_exactly_once(ctx, serve):
    with ctx() as session:
        cast = _cast(session, staff_count=6, waiting=6)
    cluster = serve()
    coordinator, other, admin, *staff = log_in_all(
        cluster, [cast["coordinator"], cast["other"], cast["admin"], *cast["staff"]], factories.PASSWORD)
    warm_up(cluster, coordinator, "/coordinate/statements")
    week = {"merchant": str(cast["merchant"]), "period": f"week:{cast['week'].isoformat()}"}
    month = {"merchant": str(cast["merchant"]), "period": f"month:{cast['month'].isoformat()}"}

    draws = [partial(who.post, cluster.url(i), "/coordinate/statements", form, keep_cookies=False)
             for i, (who, form) in enumerate([(coordinator, week), (other, week), (admin, week), (coordinator, month),
                                              (other, month), (admin, month)] * 2)]
    confirms = [partial(b.post, cluster.url(i), f"/merchant/vouchers/{code}/confirm", keep_cookies=False)
                for i, (b, code) in enumerate(zip(staff, cast["codes"], strict=True))]
    replies = fire(draws + confirms)
    draw_r, confirm_r = replies[:len(draws)], replies[len(draws):]

    evidence = describe(replies, cluster)
    assert [r.status for r in confirm_r] == [200] * len(confirms), evidence
    assert all("Redeemed. Give the rider" in r.plain for r in confirm_r), evidence
    drawn = [r for r in draw_r if r.status == 303]
    refused = [r for r in draw_r if r.status == 409]
    assert len(drawn) == 2 and len(refused) == len(draws) - 2, evidence  # one per period; the rest told so
    assert all("already been drawn" in r.plain for r in refused), evidence
    with ctx() as session:
        statements = session.scalars(sa.select(Statement)).all()
        assert sorted(s.period_kind for s in statements) == ["month", "week"]
        redeemed, claims = _every_confirmation_once(session)
        assert len(redeemed) == 8 + 6
        now_made = {(v, at) for v, at in redeemed if at > utcnow() - timedelta(minutes=10)}
        assert len(now_made) == 6 and not now_made & set(claims), evidence  # made during the drawing: not claimed
        assert set(claims) == set(redeemed) - now_made, evidence  # the earlier ones: all claimed, none twice
        # the next statement (the current week, drawn once it has ended) picks up the rest
        merchant = session.get(Merchant, cast["merchant"])
        actor = session.scalar(sa.select(User).where(User.phone == cast["coordinator"]))
        current = settlement.period_start_of("week", local_today())
        nxt = settlement.draw_statement(merchant=merchant, period_kind="week", period_start=current, actor=actor,
                                        now=settlement.period_end_at("week", current))
        session.commit()
        assert nxt.line_count == 6 and nxt.total_fen == 6 * 1500
        redeemed, claims = _every_confirmation_once(session)
        assert claims == redeemed
    cluster.assert_clean_logs()
