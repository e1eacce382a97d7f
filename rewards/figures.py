"""The dashboard's figures of vouchers (oversight/dashboard_figures.py reads them).

``organisation_id`` ``None`` means the whole programme; otherwise the merchants that organisation
recruited (``Merchant.organisation_id``, the rule of :func:`rewards.queries.managed_by`). A voucher counts
as *redeemed* in ``[start, end)`` (aware UTC) when it is redeemed now and was confirmed in that period: a
confirmation the merchant undid sets the voucher back to issued, so it no longer counts. Money in fen.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from extensions import db
from rewards.models import Merchant, Voucher


def _redeemed(organisation_id: int | None, start: datetime, end: datetime) -> list:
    conditions = [Voucher.status == "redeemed", Voucher.redeemed_at >= start, Voucher.redeemed_at < end]
    if organisation_id is not None:
        conditions.append(Merchant.organisation_id == organisation_id)
    return conditions


@dataclass(frozen=True)
class MerchantRedemptions:
    """One merchant's vouchers redeemed in a period: how many and their face value (fen)."""

    merchant_id: int
    name: str
    vouchers: int
    face_value_fen: int


def redeemed_by_merchant(organisation_id: int | None, start: datetime, end: datetime) -> list[MerchantRedemptions]:
    """The vouchers redeemed in ``[start, end)`` per merchant (of the organisation, or all), most face value
    first (then by name); merchants without a redemption are left out."""
    rows = db.session.execute(
        sa.select(Merchant.id, Merchant.name, sa.func.count(Voucher.id), sa.func.sum(Voucher.face_value_fen))
        .join(Voucher, Voucher.merchant_id == Merchant.id).where(*_redeemed(organisation_id, start, end))
        .group_by(Merchant.id, Merchant.name))
    lines = [MerchantRedemptions(merchant_id, name, count, int(face or 0)) for merchant_id, name, count, face in rows]
    return sorted(lines, key=lambda line: (-line.face_value_fen, line.name, line.merchant_id))


def redeeming_riders(organisation_id: int | None, start: datetime, end: datetime) -> set[int]:
    """The riders with a voucher redeemed in ``[start, end)`` (at a merchant of the organisation, or any): one
    part of the dashboard's "riders active"."""
    return set(db.session.scalars(sa.select(Voucher.rider_id).join(Merchant, Merchant.id == Voucher.merchant_id)
                                  .where(*_redeemed(organisation_id, start, end)).distinct()))


@dataclass(frozen=True)
class PointValue:
    """What a point bought: ``face_value_fen`` and ``points`` summed over the vouchers redeemed (programme-wide)
    before a moment. ``fen_per_point`` is their ratio — the average of each voucher's face value ÷ points cost
    weighted by its points — ``None`` when no voucher was ever redeemed."""

    face_value_fen: int
    points: int

    @property
    def fen_per_point(self) -> float | None:
        return self.face_value_fen / self.points if self.points else None


def point_value(until: datetime) -> PointValue:
    """The :class:`PointValue` of every voucher redeemed before ``until`` (aware UTC), whatever the merchant:
    a point is the programme's currency, so its value is the programme's."""
    face, points = db.session.execute(
        sa.select(sa.func.sum(Voucher.face_value_fen), sa.func.sum(Voucher.points_cost))
        .where(Voucher.status == "redeemed", Voucher.redeemed_at < until)).one()
    return PointValue(face_value_fen=int(face or 0), points=int(points or 0))
