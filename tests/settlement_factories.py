"""Statements for the casts of the route tables (permissions, fuzzing, accessibility): flushed, never committed."""

from datetime import timedelta
from types import SimpleNamespace

from accounts.models import User
from core.timeutil import at_local, local_today, utcnow
from extensions import db
from rewards import settlement, vouchers
from rewards.models import Merchant
from tests.factories import give_points, make_offer


def make_statements(world) -> SimpleNamespace:
    """Two statements of the world's merchant drawn by its coordinator: ``issued`` (last month, with two lines:
    an offer titled "=1+1" confirmed on the 10th at noon, and one of another offer) and ``draft`` (the last
    ended week, holding what the month did not). The world's second rider spends the points."""
    coordinator, staff = db.session.get(User, world.coordinator), db.session.get(User, world.staff)
    rider = db.session.get(User, world.rider2)
    merchant = db.session.get(Merchant, world.merchant)
    give_points(rider.id, 60)
    last_month = settlement.ended_periods("month", count=1)[0]
    moment = at_local(last_month.replace(day=10), 12)
    for title, fen in (("=1+1", 1500), ("暖心面条", 1250)):
        offer = make_offer(merchant.id, title=title, face_value_fen=fen, points_cost=30)
        voucher = vouchers.redeem_offer(offer=offer, rider=rider, now=moment - timedelta(hours=1))
        vouchers.confirm_voucher(code=voucher.code, staff=staff, now=moment)
    issued = settlement.draw_statement(merchant=merchant, period_kind="month", period_start=last_month,
                                       actor=coordinator, now=utcnow())
    settlement.issue_statement(statement=issued, actor=coordinator, now=utcnow())
    week = settlement.period_start_of("week", local_today() - timedelta(days=7))
    draft = settlement.draw_statement(merchant=merchant, period_kind="week", period_start=week, actor=coordinator,
                                      now=utcnow())
    return SimpleNamespace(issued=issued.id, draft=draft.id)
