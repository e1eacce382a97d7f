"""The books check, ``flask points audit``: recompute every balance from the ledger and check vouchers,
awards and their reversals against it, joining on the entries' origin columns (``signup_id``, ``voucher_id``).

Prints each mismatch and exits 1 when there is any (0 when the books balance). Safe to run on a live
database: it only reads.
"""

import sys

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from extensions import db
from points.models import LedgerEntry, PointsAccount
from reports.models import Report
from rewards.models import Voucher
from volunteer.models import Signup

# Balances and vouchers: each check reads its tables once, in full, as one UNION ALL grouped by the record
# it checks (rider, voucher). Joining an aggregate back to its table instead made SQLite fetch every ledger
# row through an index in random order, or (the full outer join of balances) scan the aggregate once per
# account: minutes on a million entries instead of seconds.


def balance_mismatches() -> list[str]:
    """Riders whose cached balance differs from the sum of their ledger entries (or is negative)."""
    rows = sa.union_all(
        sa.select(PointsAccount.user_id.label("rider"), PointsAccount.balance.label("balance"),
                  sa.null().label("amount")),
        sa.select(LedgerEntry.rider_id, sa.null(), LedgerEntry.amount),
    ).subquery()
    balance, total = sa.func.max(rows.c.balance), sa.func.sum(rows.c.amount)
    found = db.session.execute(
        sa.select(rows.c.rider, balance, total).group_by(rows.c.rider)
        .having(sa.or_(sa.func.coalesce(balance, 0) != sa.func.coalesce(total, 0), balance < 0))
    ).all()
    return [f"rider {rider}: balance {balance} but ledger sums to {total}" for rider, balance, total in found]


def _count_sum(condition) -> tuple:
    """(number, sum of amounts) of the entries meeting ``condition``, for a grouped UNION of ledger rows."""
    return sa.case((condition, 1), else_=0), sa.case((condition, LedgerEntry.amount))


def voucher_mismatches() -> list[str]:
    """Vouchers without exactly one spend of their cost, or refunded when they should not be (or not when due)."""
    is_spend, is_refund = LedgerEntry.kind == "spend", LedgerEntry.kind.in_(("refund", "expiry"))
    rows = sa.union_all(
        sa.select(Voucher.id.label("voucher"), Voucher.status.label("status"), Voucher.points_cost.label("cost"),
                  sa.literal(0).label("spend_n"), sa.null().label("spend_s"), sa.literal(0).label("refund_n"),
                  sa.null().label("refund_s")),
        sa.select(LedgerEntry.voucher_id, sa.null(), sa.null(), *_count_sum(is_spend), *_count_sum(is_refund))
        .where(LedgerEntry.kind.in_(("spend", "refund", "expiry"))),
    ).subquery()
    found = db.session.execute(
        sa.select(rows.c.voucher, sa.func.max(rows.c.status), sa.func.max(rows.c.cost), sa.func.sum(rows.c.spend_n),
                  sa.func.sum(rows.c.spend_s), sa.func.sum(rows.c.refund_n), sa.func.sum(rows.c.refund_s))
        .group_by(rows.c.voucher)
    ).all()
    problems, orphans = [], False
    for vid, status, cost, spend_n, spend_sum, refund_n, refund_sum in found:
        if vid is None:  # spends or refunds that name no voucher: listed below
            orphans = True
            continue
        if spend_n != 1 or spend_sum != -cost:
            problems.append(f"voucher {vid}: {spend_n or 0} spend entries totalling {spend_sum or 0}, expected -{cost}")
        refunded = status in ("expired", "cancelled")
        if refunded and (refund_n != 1 or refund_sum != cost):
            problems.append(f"voucher {vid} ({status}): refund {refund_sum or 0} in {refund_n or 0} entries, "
                            f"expected {cost} once")
        if not refunded and refund_n:
            problems.append(f"voucher {vid} ({status}): refunded {refund_sum} but it is {status}")
    if orphans:
        problems += [f"ledger entry {eid}: {kind} names no voucher" for eid, kind in db.session.execute(
            sa.select(LedgerEntry.id, LedgerEntry.kind)
            .where(LedgerEntry.kind.in_(("spend", "refund", "expiry")), LedgerEntry.voucher_id.is_(None))
        )]
    return problems


def award_mismatches() -> list[str]:
    """Attended sign-ups whose awards less reversals are not exactly one, other sign-ups where they are not
    zero, and awards that name no sign-up."""
    # Only awards and reversals name a sign-up (a CHECK constraint); every reversal takes back one award.
    is_award = sa.case((LedgerEntry.kind == "award", 1), else_=-1)
    awards = (sa.select(LedgerEntry.signup_id, sa.func.sum(is_award).label("n"))
              .where(LedgerEntry.signup_id.is_not(None)).group_by(LedgerEntry.signup_id).subquery())
    standing = sa.func.coalesce(awards.c.n, 0)
    rows = db.session.execute(
        sa.select(Signup.id, Signup.status, awards.c.n).outerjoin(awards, awards.c.signup_id == Signup.id)
        .where(sa.or_(sa.and_(Signup.status == "attended", standing != 1),
                      sa.and_(Signup.status != "attended", standing != 0)))
    ).all()
    problems = [f"sign-up {sid} ({status}): {n or 0} standing award entries" for sid, status, n in rows]
    orphans = db.session.execute(
        sa.select(LedgerEntry.id, LedgerEntry.key).where(LedgerEntry.kind == "award", LedgerEntry.signup_id.is_(None),
                                                         LedgerEntry.report_id.is_(None))
    ).all()
    return problems + [f"ledger entry {eid}: award {k or 'without a key'} matches no sign-up" for eid, k in orphans]


def report_award_mismatches() -> list[str]:
    """Awards for problem reports that went to someone other than the reporter, or for a report that is not
    closed (confirmed or verified fixed)."""
    rows = db.session.execute(
        sa.select(LedgerEntry.id, Report.id, Report.status)
        .join(Report, Report.id == LedgerEntry.report_id)
        .where(sa.or_(Report.status != "closed", Report.reporter_id.is_(None),
                      Report.reporter_id != LedgerEntry.rider_id))
    ).all()
    return [f"ledger entry {eid}: award for report {rid} ({status}) that does not earn it" for eid, rid, status in rows]


def reversal_mismatches() -> list[str]:
    """Corrections that do not mirror the entry they undo: a reversal must take back an award (and a
    restoring award undo a reversal) of the same rider and sign-up, for exactly the opposite amount."""
    undone = sa.orm.aliased(LedgerEntry)
    rows = db.session.execute(
        sa.select(LedgerEntry.id, LedgerEntry.kind, undone.id, undone.kind)
        .join(undone, undone.id == LedgerEntry.reverses_id)
        .where(sa.or_(undone.rider_id != LedgerEntry.rider_id, undone.amount != -LedgerEntry.amount,
                      undone.signup_id.is_(None), undone.signup_id != LedgerEntry.signup_id,
                      undone.kind == LedgerEntry.kind))
    ).all()
    return [f"ledger entry {eid} ({kind}) does not mirror entry {uid} ({ukind}) that it undoes"
            for eid, kind, uid, ukind in rows]


def run_audit() -> list[str]:
    """Every mismatch found, as readable lines (empty when the books balance)."""
    return (balance_mismatches() + voucher_mismatches() + award_mismatches() + report_award_mismatches()
            + reversal_mismatches())


@click.group("points")
def points_cli():
    """Points ledger checks."""


@points_cli.command("audit")
@with_appcontext
def audit_command():
    """Recompute balances from the ledger; check vouchers and awards. Exits 1 on any mismatch."""
    problems = run_audit()
    accounts = db.session.scalar(sa.select(sa.func.count()).select_from(PointsAccount))
    entries = db.session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry))
    for line in problems:
        click.echo(line)
    click.echo(f"checked {accounts} balances and {entries} ledger entries: {len(problems)} mismatch(es)")
    if problems:
        sys.exit(1)
