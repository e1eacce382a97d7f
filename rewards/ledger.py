"""The points ledger: the only code that writes ledger entries and balances.

Every movement inserts one append-only :class:`LedgerEntry` and moves the cached
:class:`PointsAccount` balance in the same transaction with a conditional UPDATE, so the balance
stays the sum of the entries and never drops below zero, whatever runs at the same time.
"""

from datetime import datetime

import sqlalchemy as sa

from accounts import audit
from accounts.models import User
from core.db import insert_ignoring_conflicts, update_rows
from core.timeutil import utcnow
from extensions import db
from rewards.errors import AdjustmentWouldGoNegative, InsufficientPoints
from rewards.models import LedgerEntry, PointsAccount


class DuplicateEntry(Exception):
    """An entry with this ``key`` exists already: the movement happened before."""


def open_account(rider_id: int) -> None:
    """Make sure ``rider_id`` has a points account (balance 0 when new). Safe to call twice at once."""
    insert_ignoring_conflicts(PointsAccount.__table__, user_id=rider_id, balance=0)


def lock_account(rider_id: int) -> None:
    """Take the write lock on a rider's account for the rest of the transaction.

    A no-op UPDATE: a row lock on PostgreSQL, the database write lock on SQLite. Rules that count
    rows (the per-rider voucher limit) run after it, so two requests of one rider cannot interleave.
    """
    open_account(rider_id)
    update_rows(
        sa.update(PointsAccount).where(PointsAccount.user_id == rider_id).values(balance=PointsAccount.balance)
    )


def balance_of(rider_id: int) -> int:
    """Return the rider's balance in points (0 without an account)."""
    value = db.session.scalar(sa.select(PointsAccount.balance).where(PointsAccount.user_id == rider_id))
    return value or 0


def post_entry(*, rider_id: int, amount: int, kind: str, reason: str = "", key: str | None = None,
               voucher_id: int | None = None, actor: User | None = None,
               now: datetime | None = None) -> int:
    """Move ``amount`` points (non-zero int) for a rider and record why; return the new entry's id.

    Raises :class:`DuplicateEntry` when an entry with the same ``key`` exists (the movement happened
    before) and :class:`InsufficientPoints` when the balance would drop below zero. After either,
    the caller must roll the transaction back (views do).
    """
    open_account(rider_id)
    entry_id = insert_ignoring_conflicts(
        LedgerEntry.__table__, rider_id=rider_id, amount=amount, kind=kind, reason=reason, key=key,
        voucher_id=voucher_id, created_by_id=actor.id if actor else None,
        created_at=now or utcnow(),
    )
    if entry_id is None:
        raise DuplicateEntry(key)
    moved = update_rows(
        sa.update(PointsAccount)
        .where(PointsAccount.user_id == rider_id, PointsAccount.balance + amount >= 0)
        .values(balance=PointsAccount.balance + amount)
    )
    if not moved:
        raise InsufficientPoints(missing=-amount - balance_of(rider_id))
    return entry_id


def adjust_points(*, rider: User, amount: int, reason: str, actor: User) -> int:
    """Add (or, when negative, remove) ``amount`` points for ``rider`` with a coordinator's ``reason``.

    Returns the ledger entry's id.
    Raises :class:`AdjustmentWouldGoNegative` when the balance would drop below zero.
    """
    try:
        entry_id = post_entry(rider_id=rider.id, amount=amount, kind="adjustment", reason=reason.strip(),
                              actor=actor)
    except InsufficientPoints:
        raise AdjustmentWouldGoNegative(balance_of(rider.id)) from None
    audit.record("points.adjust", actor=actor, subject=f"user:{rider.id}", rider_id=rider.id, points=amount,
                 reason=reason.strip())
    return entry_id


def history_of(rider_id: int, *, limit: int = 200) -> list[LedgerEntry]:
    """Return the rider's ledger entries, newest first."""
    return list(db.session.scalars(
        sa.select(LedgerEntry).where(LedgerEntry.rider_id == rider_id)
        .order_by(LedgerEntry.created_at.desc(), LedgerEntry.id.desc()).limit(limit)
    ))
