"""Reads of the ledger that pages, the API and the dashboards share."""

import sqlalchemy as sa

from accounts.privacy import on_export
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


@on_export("ledger")
def ledger_for_export(user) -> list[dict]:
    """The user's ledger entries for their own data download (:func:`accounts.privacy.export_data`)."""
    entries = db.session.scalars(sa.select(LedgerEntry).where(LedgerEntry.rider_id == user.id)
                                 .order_by(LedgerEntry.created_at, LedgerEntry.id))
    return [{"amount": e.amount, "kind": e.kind, "reason": e.reason, "created_at": e.created_at.isoformat()}
            for e in entries]


def report_awards_of(rider_id: int) -> dict[int, int]:
    """The points each of the rider's problem reports brought: ``{report id: sum of its ledger amounts}``, only
    reports with an entry (an award once the fix was confirmed or verified)."""
    rows = db.session.execute(
        sa.select(LedgerEntry.report_id, sa.func.sum(LedgerEntry.amount))
        .where(LedgerEntry.rider_id == rider_id, LedgerEntry.report_id.is_not(None))
        .group_by(LedgerEntry.report_id))
    return {report_id: int(total) for report_id, total in rows}
