"""Restaurant rules of redeeming an offer: the per-rider limit per period, the daily stock, a paused merchant.

Periods are local (core.timeutil): a day starts at local midnight, a week on Monday, a month on its 1st;
``ever`` has no start. The per-rider limit counts the rider's live (issued or redeemed) vouchers of the
offer issued in the current period, after :func:`points.ledger.lock_account` has locked the rider's
account, so two requests of one rider cannot interleave. The daily stock is one :class:`OfferDay` row
per offer and local day whose ``taken`` moves by a conditional UPDATE (the database decides, as for the
stock); the same UPDATE refuses while the merchant is paused.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from core.db import insert_ignoring_conflicts, update_rows
from core.errors import DomainError
from core.timeutil import local_midnight, local_today, to_local
from extensions import db
from rewards.errors import DailyStockGone, LimitReached, OffersPaused, PeriodLimitReached
from rewards.models import Merchant, Offer, OfferDay, Voucher
from rewards.queries import LIVE


def period_span(period: str, now: datetime) -> tuple[datetime | None, datetime | None]:
    """``[start, end)`` (aware UTC) of the local ``period`` (day, week, month, ever) containing ``now``.

    ``ever`` gives ``(None, None)``. Raises ``ValueError`` for an unknown period.
    """
    today = local_today(now)
    if period == "ever":
        return None, None
    if period == "day":
        first, after = today, today + timedelta(days=1)
    elif period == "week":
        first = today - timedelta(days=today.weekday())  # Monday
        after = first + timedelta(days=7)
    elif period == "month":
        first = today.replace(day=1)
        after = (first + timedelta(days=32)).replace(day=1)
    else:
        raise ValueError(f"unknown limit period {period!r}")
    return local_midnight(first), local_midnight(after)


def held_in_period(*, offer: Offer, rider_id: int, now: datetime) -> int:
    """How many live (issued or redeemed) vouchers of ``offer`` the rider got in the current limit period."""
    start, end = period_span(offer.limit_period, now)
    query = (sa.select(sa.func.count()).select_from(Voucher)
             .where(Voucher.rider_id == rider_id, Voucher.offer_id == offer.id, Voucher.status.in_(LIVE)))
    if start is not None:
        query = query.where(Voucher.issued_at >= start, Voucher.issued_at < end)
    return db.session.scalar(query)


def check_rider_may_redeem(*, offer: Offer, rider_id: int, now: datetime) -> None:
    """Refuse a redemption the merchant's pause or the rider's limit forbids; call after locking the account.

    Raises :class:`OffersPaused`, :class:`LimitReached` (period ``ever``) or :class:`PeriodLimitReached`
    (with when the next period starts, aware UTC).
    """
    if offer.merchant.is_paused:
        raise OffersPaused(offer.merchant.name)
    if held_in_period(offer=offer, rider_id=rider_id, now=now) >= offer.per_rider_limit:
        raise limit_refusal(offer, now)


def limit_refusal(offer: Offer, now: datetime) -> DomainError:
    """The refusal of a reached per-rider limit: :class:`LimitReached` for ``ever``, else
    :class:`PeriodLimitReached` saying when the next local period starts."""
    if offer.limit_period == "ever":
        return LimitReached(offer.per_rider_limit)
    return PeriodLimitReached(offer.per_rider_limit, offer.limit_period, period_span(offer.limit_period, now)[1])


def take_daily_place(*, offer: Offer, now: datetime) -> None:
    """Count one voucher of ``offer`` on today's local :class:`OfferDay`, in one conditional UPDATE.

    It refuses when the offer's ``daily_stock`` is reached or its merchant is paused (both read by the
    statement itself). Raises :class:`DailyStockGone` (with the next local midnight) or
    :class:`OffersPaused`; the caller rolls back.
    """
    day = local_today(now)
    insert_ignoring_conflicts(OfferDay.__table__, offer_id=offer.id, day=day, taken=0)
    daily_stock = sa.select(Offer.daily_stock).where(Offer.id == offer.id).scalar_subquery()
    paused_at = sa.select(Merchant.paused_at).where(Merchant.id == offer.merchant_id).scalar_subquery()
    taken = update_rows(
        sa.update(OfferDay)
        .where(OfferDay.offer_id == offer.id, OfferDay.day == day, paused_at.is_(None),
               sa.or_(daily_stock.is_(None), OfferDay.taken < daily_stock))
        .values(taken=OfferDay.taken + 1)
    )
    if taken:
        return
    if db.session.scalar(sa.select(Merchant.paused_at).where(Merchant.id == offer.merchant_id)) is not None:
        raise OffersPaused(offer.merchant.name)
    raise DailyStockGone(local_midnight(day + timedelta(days=1)))


def release_daily_place(voucher: Voucher) -> None:
    """Give a closed voucher's place back to the local day it was issued on (never below 0)."""
    update_rows(
        sa.update(OfferDay)
        .where(OfferDay.offer_id == voucher.offer_id, OfferDay.day == to_local(voucher.issued_at).date(),
               OfferDay.taken > 0)
        .values(taken=OfferDay.taken - 1)
    )


def taken_on(*, offer_id: int, day: date) -> int:
    """How many vouchers of the offer count against the local ``day``'s daily stock."""
    return db.session.scalar(sa.select(OfferDay.taken).where(OfferDay.offer_id == offer_id,
                                                             OfferDay.day == day)) or 0


@dataclass
class Standing:
    """What the confirm screen tells a rider about an offer's rules at ``now``.

    ``held``: live vouchers in the current period; ``left_today``: daily stock left (``None`` without
    a daily stock); ``refusal``: the :class:`core.errors.DomainError` a redemption would meet now
    (paused merchant, limit of the period with when it renews, daily stock gone), or ``None``.
    """

    held: int
    left_today: int | None
    refusal: DomainError | None


def standing(*, offer: Offer, rider_id: int, now: datetime) -> Standing:
    """The rider's :class:`Standing` for ``offer`` at ``now`` (aware UTC)."""
    held = held_in_period(offer=offer, rider_id=rider_id, now=now)
    today = local_today(now)
    left = None
    if offer.daily_stock is not None:
        left = max(offer.daily_stock - taken_on(offer_id=offer.id, day=today), 0)
    refusal = None
    if offer.merchant.is_paused:
        refusal = OffersPaused(offer.merchant.name)
    elif held >= offer.per_rider_limit:
        refusal = limit_refusal(offer, now)
    elif left == 0:
        refusal = DailyStockGone(local_midnight(today + timedelta(days=1)))
    return Standing(held=held, left_today=left, refusal=refusal)
