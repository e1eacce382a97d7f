"""`flask points audit` recomputes balances from the ledger and checks vouchers and awards."""

import sqlalchemy as sa

from points.models import LedgerEntry, PointsAccount


def test_the_audit_passes_on_the_demo_and_fails_on_each_kind_of_mismatch(app, ctx):
    runner = app.test_cli_runner()
    runner.invoke(args=["demo", "load"])
    clean = runner.invoke(args=["points", "audit"])
    assert clean.exit_code == 0 and "0 mismatch(es)" in clean.output
    with ctx() as session:
        rider_id = session.scalar(sa.select(PointsAccount.user_id).where(PointsAccount.balance > 0).limit(1))
        session.execute(sa.update(PointsAccount).where(PointsAccount.user_id == rider_id)
                        .values(balance=PointsAccount.balance + 7))
        session.add(LedgerEntry(rider_id=rider_id, amount=3, kind="award", reason="", key=None))
        session.commit()
    broken = runner.invoke(args=["points", "audit"])
    assert broken.exit_code == 1
    assert f"rider {rider_id}: balance" in broken.output
    assert "award without a key matches no sign-up" in broken.output
