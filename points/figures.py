"""The dashboard's figures of points (oversight/dashboard_figures.py reads them).

Points are a rider's, whichever organisation awarded them, so these figures count the ledger entries of
the riders in scope: ``organisation_id`` ``None`` means every rider; otherwise the riders in that
organisation's scope (:func:`accounts.scope.in_organisation`: riders who ever signed up for its tasks).
Entries count in ``[start, end)`` (aware UTC) by ``created_at``. Points are integers. Definitions:

- *awarded*: awards (attendance, a fixed report) less the reversals that took awards back;
- *spent*: vouchers issued (spend entries, as a positive number);
- *refunded*: vouchers cancelled or expired whose points came back (refund and expiry entries);
- *adjusted*: coordinators' and admins' adjustments (either sign), shown so the figures add up;
- *outstanding*: the sum of the riders' balances at the period's end, i.e. of all their entries before
  ``end`` — so outstanding at the end = outstanding at the start + awarded − spent + refunded + adjusted.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from accounts.models import User
from accounts.scope import in_organisation
from extensions import db
from points.models import LedgerEntry


def _riders(organisation_id: int | None) -> list:
    riders = sa.select(User.id).where(User.role == "rider")
    if organisation_id is not None:
        riders = riders.where(in_organisation(organisation_id))
    return [LedgerEntry.rider_id.in_(riders)]


@dataclass(frozen=True)
class PointsFigures:
    """The points of the riders in scope for a period (see the module's definitions); all integers."""

    awarded: int
    spent: int
    refunded: int
    adjusted: int
    outstanding: int


def points_figures(organisation_id: int | None, start: datetime, end: datetime) -> PointsFigures:
    """The :class:`PointsFigures` of the riders in scope for ``[start, end)``."""
    scope = _riders(organisation_id)
    sums = dict(db.session.execute(
        sa.select(LedgerEntry.kind, sa.func.sum(LedgerEntry.amount))
        .where(*scope, LedgerEntry.created_at >= start, LedgerEntry.created_at < end)
        .group_by(LedgerEntry.kind)).all())
    total = {kind: int(value or 0) for kind, value in sums.items()}
    outstanding = db.session.scalar(sa.select(sa.func.sum(LedgerEntry.amount))
                                    .where(*scope, LedgerEntry.created_at < end))
    return PointsFigures(awarded=total.get("award", 0) + total.get("reversal", 0), spent=-total.get("spend", 0),
                         refunded=total.get("refund", 0) + total.get("expiry", 0),
                         adjusted=total.get("adjustment", 0), outstanding=int(outstanding or 0))
