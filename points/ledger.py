"""The points ledger: the only code that writes ledger entries and balances.

Every movement inserts one append-only :class:`LedgerEntry` and moves the cached
:class:`PointsAccount` balance in the same transaction with a conditional UPDATE, so the balance
stays the sum of the entries and never drops below zero, whatever runs at the same time. The
packages above call the verbs at the bottom (award, spend, refund, reverse and restore an award); they
never build keys. A correction never edits an entry: it is a new entry whose unique ``reverses_id`` names
the one it undoes.
"""

from datetime import datetime

import sqlalchemy as sa

from accounts.models import User
from core.db import insert_ignoring_conflicts, update_rows
from core.timeutil import utcnow
from extensions import db
from points.errors import DuplicateEntry, InsufficientPoints
from points.keys import award_key, refund_key, report_award_key, restore_key, reversal_key, spend_key
from points.models import LedgerEntry, PointsAccount
from points.queries import balance_of


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


def post_entry(*, rider_id: int, amount: int, kind: str, reason: str = "", key: str | None = None,
               signup_id: int | None = None, voucher_id: int | None = None, reverses_id: int | None = None,
               report_id: int | None = None, actor: User | None = None, now: datetime | None = None) -> int:
    """Move ``amount`` points (non-zero int) for a rider and record why; return the new entry's id.

    ``signup_id``/``voucher_id``/``report_id`` name the record the movement came from, ``reverses_id`` the entry it
    undoes (unique: an entry is undone at most once). Raises
    :class:`DuplicateEntry` when an entry with the same ``key`` exists (the movement happened
    before) and :class:`InsufficientPoints` when the balance would drop below zero. After either,
    the caller must roll the transaction back (views do).
    """
    open_account(rider_id)
    entry_id = insert_ignoring_conflicts(
        LedgerEntry.__table__, rider_id=rider_id, amount=amount, kind=kind, reason=reason, key=key,
        signup_id=signup_id, voucher_id=voucher_id, reverses_id=reverses_id, report_id=report_id,
        created_by_id=actor.id if actor else None,
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


def award_for_signup(*, rider_id: int, signup_id: int, points: int, reason: str, actor: User | None,
                     now: datetime | None = None) -> int:
    """Award ``points`` (> 0) for attending with sign-up ``signup_id``, once; return the entry's id.

    Raises :class:`DuplicateEntry` if this sign-up was awarded before.
    """
    return post_entry(rider_id=rider_id, amount=points, kind="award", reason=reason, key=award_key(signup_id),
                      signup_id=signup_id, actor=actor, now=now)


def award_for_report(*, rider_id: int, report_id: int, points: int, reason: str, actor: User | None,
                     now: datetime | None = None) -> int | None:
    """Award ``points`` (> 0) to the reporter of report ``report_id`` once its fix is confirmed or verified.

    Returns the entry's id, or ``None`` when this report was awarded before (a double tap, two coordinators
    at once: the unique key decides, nothing is raised and the transaction stays usable).
    """
    open_account(rider_id)
    entry_id = insert_ignoring_conflicts(
        LedgerEntry.__table__, rider_id=rider_id, amount=points, kind="award", reason=reason,
        key=report_award_key(report_id), report_id=report_id, created_by_id=actor.id if actor else None,
        created_at=now or utcnow(),
    )
    if entry_id is not None:
        update_rows(sa.update(PointsAccount).where(PointsAccount.user_id == rider_id)
                    .values(balance=PointsAccount.balance + points))
    return entry_id


def spend_on_voucher(*, rider_id: int, voucher_id: int, points: int, reason: str, actor: User | None,
                     now: datetime | None = None) -> int:
    """Take ``points`` (> 0) from the rider for voucher ``voucher_id``, once; return the entry's id.

    Raises :class:`InsufficientPoints` (balance too low) or :class:`DuplicateEntry`.
    """
    return post_entry(rider_id=rider_id, amount=-points, kind="spend", reason=reason, key=spend_key(voucher_id),
                      voucher_id=voucher_id, actor=actor, now=now)


def refund_voucher(*, rider_id: int, voucher_id: int, points: int, expired: bool, reason: str,
                   actor: User | None, now: datetime | None = None) -> int:
    """Give back ``points`` (> 0) of a cancelled (or, with ``expired``, an expired) voucher, once.

    Returns the entry's id; raises :class:`DuplicateEntry` if the voucher was refunded before.
    """
    return post_entry(rider_id=rider_id, amount=points, kind="expiry" if expired else "refund", reason=reason,
                      key=refund_key(voucher_id), voucher_id=voucher_id, actor=actor, now=now)


def _latest_standing(signup_id: int, kind: str) -> LedgerEntry | None:
    """The sign-up's newest entry of ``kind`` that no later entry undoes (``None`` when there is none)."""
    undo = sa.orm.aliased(LedgerEntry)
    return db.session.scalar(
        sa.select(LedgerEntry).where(LedgerEntry.signup_id == signup_id, LedgerEntry.kind == kind,
                                     ~sa.exists().where(undo.reverses_id == LedgerEntry.id))
        .order_by(LedgerEntry.id.desc()).limit(1))


def reverse_award(*, signup_id: int, reason: str, actor: User | None, now: datetime | None = None) -> int | None:
    """Take back the standing award of sign-up ``signup_id`` with one ``reversal`` entry that names it.

    ``reason`` (non-empty) is shown in the rider's wallet. Returns the reversal's id, or ``None`` when the
    sign-up has no standing award (nothing to take back). Raises :class:`DuplicateEntry` when the award
    was reversed at the same moment by another request (unique ``reverses_id`` and key) and
    :class:`InsufficientPoints` when the rider already spent the points.
    """
    award = _latest_standing(signup_id, "award")
    if award is None:
        return None
    return post_entry(rider_id=award.rider_id, amount=-award.amount, kind="reversal", reason=reason,
                      key=reversal_key(award.id), signup_id=signup_id, reverses_id=award.id, actor=actor, now=now)


def restore_award(*, signup_id: int, reason: str, actor: User | None, now: datetime | None = None) -> int | None:
    """Award again the points that the standing reversal of sign-up ``signup_id`` took back, with one new
    ``award`` entry that names the reversal.

    Returns the new entry's id, or ``None`` when nothing was reversed (the caller awards for the first
    time with :func:`award_for_signup`). Raises :class:`DuplicateEntry` when restored twice at once.
    """
    reversal = _latest_standing(signup_id, "reversal")
    if reversal is None:
        return None
    return post_entry(rider_id=reversal.rider_id, amount=-reversal.amount, kind="award", reason=reason,
                      key=restore_key(signup_id, reversal.id), signup_id=signup_id, reverses_id=reversal.id,
                      actor=actor, now=now)
