"""Reads of the ledger that pages, the API and the dashboards share."""

import sqlalchemy as sa

from extensions import db
from points.models import LedgerEntry, PointsAccount


def balance_of(rider_id: int) -> int:
    """Return the rider's balance in points (0 without an account)."""
    value = db.session.scalar(sa.select(PointsAccount.balance).where(PointsAccount.user_id == rider_id))
    return value or 0


def history_of(rider_id: int, *, limit: int = 200) -> list[LedgerEntry]:
    """Return the rider's ledger entries, newest first (at most ``limit``)."""
    return list(db.session.scalars(
        sa.select(LedgerEntry).where(LedgerEntry.rider_id == rider_id)
        .order_by(LedgerEntry.created_at.desc(), LedgerEntry.id.desc()).limit(limit)
    ))
