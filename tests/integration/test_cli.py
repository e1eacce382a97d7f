"""Command-line jobs: voucher expiry (cron) and the demo loader."""

from datetime import timedelta

import sqlalchemy as sa

from accounts.models import User
from core.timeutil import utcnow
from points.models import LedgerEntry
from points.queries import balance_of
from rewards import vouchers
from rewards.models import Offer, Voucher
from tests.factories import give_points
from volunteer.models import Signup, Task


def test_vouchers_expire_refunds_each_overdue_voucher_once(app, world, ctx):
    with ctx() as session:
        give_points(world.rider, 60)
        offer, rider = session.get(Offer, world.offer), session.get(User, world.rider)
        vouchers.redeem_offer(offer=offer, rider=rider, now=utcnow() - timedelta(days=8))
        vouchers.redeem_offer(offer=offer, rider=rider)
        session.commit()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["vouchers", "expire"])
    second = runner.invoke(args=["vouchers", "expire"])
    assert "expired and refunded 1 voucher(s)" in first.output
    assert "expired and refunded 0 voucher(s)" in second.output
    with ctx() as session:
        assert sorted(session.scalars(sa.select(Voucher.status))) == ["expired", "issued"]
        assert balance_of(world.rider) == 30
        assert session.scalar(sa.select(sa.func.count()).where(LedgerEntry.kind == "expiry")) == 1


def test_demo_load_fills_an_empty_database_once(app, ctx):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "load"])
    assert "demo data loaded" in result.output, result.output
    with ctx() as session:
        count = lambda q: session.scalar(sa.select(sa.func.count()).select_from(q))  # noqa: E731
        assert count(User.__table__.select().where(User.role == "rider").subquery()) == 30
        assert count(User.__table__.select().where(User.role == "coordinator").subquery()) == 3
        assert count(Task) == 20
        assert set(session.scalars(sa.select(Voucher.status).distinct())) == {"issued", "redeemed", "expired",
                                                                              "cancelled"}
        assert {"attended", "confirmed", "waitlisted"} <= set(session.scalars(sa.select(Signup.status).distinct()))
        for user_id, balance in session.execute(sa.text("SELECT user_id, balance FROM points_account")):
            assert balance == session.scalar(sa.select(sa.func.sum(LedgerEntry.amount))
                                             .where(LedgerEntry.rider_id == user_id))
        assert "锦丰" in " ".join(session.scalars(sa.text("SELECT address FROM merchant")))
    assert "already has accounts" in runner.invoke(args=["demo", "load"]).output
