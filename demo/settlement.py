"""The demo's settlement (called by :func:`demo.load.load_demo`): last month's statement of the first demo
restaurant, drawn, issued and paid by the coordinator who recruited it, through the real services.

The demo's vouchers are from the last days; when the restaurant has fewer than two confirmations before the end
of last month, two riders redeem and its staff confirm vouchers in the middle of last month first (the same
services, a simulated clock). Nothing here is random.
"""

from datetime import datetime, timedelta

import sqlalchemy as sa

from accounts.models import User
from core.errors import DomainError
from core.timeutil import at_local, local_today
from extensions import db
from rewards import settlement, vouchers
from rewards.models import Merchant, Voucher
from rewards.queries import staff_of


def _confirmed_before(merchant: Merchant, end: datetime) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Voucher).where(
        Voucher.merchant_id == merchant.id, Voucher.status == "redeemed", Voucher.redeemed_at < end)) or 0


def _redeem_last_month(merchant: Merchant, riders: list[User], month, wanted: int) -> None:
    """``wanted`` vouchers of ``merchant`` redeemed by riders with enough points and confirmed by its staff at
    lunch time on days of ``month`` (a local first day)."""
    staff = staff_of(merchant.id)[0]
    offers = [offer for offer in merchant.offers if offer.active]
    day = 12
    for rider in riders:
        if not wanted:
            return
        moment = at_local(month.replace(day=day), 12, 10)
        for offer in offers:
            try:
                with db.session.begin_nested():  # sold out, no points, limit reached: the next offer or rider
                    voucher = vouchers.redeem_offer(offer=offer, rider=rider, now=moment - timedelta(minutes=40))
                    vouchers.confirm_voucher(code=voucher.code, staff=staff, now=moment)
            except DomainError:
                continue
            wanted -= 1
            day += 3
            break


def load_settlement(shops: list[Merchant], riders: list[User], coordinator: User, now: datetime) -> dict[str, int]:
    """Draw, issue and mark paid last month's statement of ``shops[0]`` (recruited by ``coordinator``) at
    ``now`` (aware UTC); return ``{"statements": 1}``."""
    merchant = shops[0]
    month = settlement.ended_periods("month", now, count=1)[0]
    missing = 2 - _confirmed_before(merchant, settlement.period_end_at("month", month))
    if missing > 0:
        _redeem_last_month(merchant, riders, month, missing)
    statement = settlement.draw_statement(merchant=merchant, period_kind="month", period_start=month,
                                          actor=coordinator, now=now)
    settlement.issue_statement(statement=statement, actor=coordinator, now=now)
    settlement.mark_paid(statement=statement, reference=f"网银转账 ZJG{month:%Y%m}-{merchant.id:03d}",
                         paid_on=local_today(now), actor=coordinator, now=now)
    return {"statements": 1}
