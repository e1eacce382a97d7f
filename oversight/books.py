"""The books check, ``flask points audit``: recompute every balance from the ledger and check vouchers and
awards against it, joining on the entries' origin columns (``signup_id``, ``voucher_id``).

Prints each mismatch and exits 1 when there is any (0 when the books balance). Safe to run on a live
database: it only reads.
"""

import sys

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from extensions import db
from points.models import LedgerEntry, PointsAccount
from rewards.models import Voucher
from volunteer.models import Signup


def balance_mismatches() -> list[str]:
    """Riders whose cached balance differs from the sum of their ledger entries (or is negative)."""
    sums = (sa.select(LedgerEntry.rider_id, sa.func.sum(LedgerEntry.amount).label("total"))
            .group_by(LedgerEntry.rider_id).subquery())
    rows = db.session.execute(
        sa.select(sa.func.coalesce(PointsAccount.user_id, sums.c.rider_id), PointsAccount.balance, sums.c.total)
        .select_from(sa.outerjoin(PointsAccount, sums, PointsAccount.user_id == sums.c.rider_id, full=True))
        .where(sa.or_(sa.func.coalesce(PointsAccount.balance, 0) != sa.func.coalesce(sums.c.total, 0),
                      PointsAccount.balance < 0))
    ).all()
    return [f"rider {rider}: balance {balance} but ledger sums to {total}" for rider, balance, total in rows]


def voucher_mismatches() -> list[str]:
    """Vouchers without exactly one spend of their cost, or refunded when they should not be (or not when due)."""
    spends = (sa.select(LedgerEntry.voucher_id, sa.func.count().label("n"), sa.func.sum(LedgerEntry.amount).label("s"))
              .where(LedgerEntry.kind == "spend").group_by(LedgerEntry.voucher_id).subquery())
    refunds = (sa.select(LedgerEntry.voucher_id, sa.func.count().label("n"), sa.func.sum(LedgerEntry.amount).label("s"))
               .where(LedgerEntry.kind.in_(("refund", "expiry"))).group_by(LedgerEntry.voucher_id).subquery())
    rows = db.session.execute(
        sa.select(Voucher.id, Voucher.status, Voucher.points_cost, spends.c.n, spends.c.s, refunds.c.n, refunds.c.s)
        .outerjoin(spends, spends.c.voucher_id == Voucher.id)
        .outerjoin(refunds, refunds.c.voucher_id == Voucher.id)
    ).all()
    problems = []
    for vid, status, cost, spend_n, spend_sum, refund_n, refund_sum in rows:
        if spend_n != 1 or spend_sum != -cost:
            problems.append(f"voucher {vid}: {spend_n or 0} spend entries totalling {spend_sum or 0}, expected -{cost}")
        refunded = status in ("expired", "cancelled")
        if refunded and (refund_n != 1 or refund_sum != cost):
            problems.append(f"voucher {vid} ({status}): refund {refund_sum or 0} in {refund_n or 0} entries, "
                            f"expected {cost} once")
        if not refunded and refund_n:
            problems.append(f"voucher {vid} ({status}): refunded {refund_sum} but it is {status}")
    orphans = db.session.execute(
        sa.select(LedgerEntry.id, LedgerEntry.kind)
        .where(LedgerEntry.kind.in_(("spend", "refund", "expiry")), LedgerEntry.voucher_id.is_(None))
    ).all()
    return problems + [f"ledger entry {eid}: {kind} names no voucher" for eid, kind in orphans]


def award_mismatches() -> list[str]:
    """Attended sign-ups without exactly one award, awards of sign-ups that are not attended, and awards
    that name no sign-up."""
    awards = (sa.select(LedgerEntry.signup_id, sa.func.count().label("n")).where(LedgerEntry.kind == "award")
              .group_by(LedgerEntry.signup_id).subquery())
    rows = db.session.execute(
        sa.select(Signup.id, Signup.status, awards.c.n).outerjoin(awards, awards.c.signup_id == Signup.id)
        .where(sa.or_(sa.and_(Signup.status == "attended", sa.func.coalesce(awards.c.n, 0) != 1),
                      sa.and_(Signup.status != "attended", awards.c.n.is_not(None))))
    ).all()
    problems = [f"sign-up {sid} ({status}): {n or 0} award entries" for sid, status, n in rows]
    orphans = db.session.execute(
        sa.select(LedgerEntry.id, LedgerEntry.key).where(LedgerEntry.kind == "award", LedgerEntry.signup_id.is_(None))
    ).all()
    return problems + [f"ledger entry {eid}: award {k or 'without a key'} matches no sign-up" for eid, k in orphans]


def run_audit() -> list[str]:
    """Every mismatch found, as readable lines (empty when the books balance)."""
    return balance_mismatches() + voucher_mismatches() + award_mismatches()


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
