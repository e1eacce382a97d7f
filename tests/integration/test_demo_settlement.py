"""The demo's settlement: last month's statement of the first demo restaurant, drawn, issued and paid."""

import sqlalchemy as sa

from accounts.journal import JournalEntry
from rewards.models import Voucher
from rewards.settlement_models import Statement, StatementLine


def test_the_demo_has_a_paid_statement_of_last_month_with_its_confirmations(app, ctx):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert "demo data loaded" in result.output, result.output
    with ctx() as session:
        [statement] = session.scalars(sa.select(Statement)).all()
        assert (statement.status, statement.period_kind) == ("paid", "month")
        assert statement.merchant.name == "暖新小厨(步行街店)"
        assert statement.payment_reference.startswith("网银转账") and statement.line_count >= 2
        lines = session.scalars(sa.select(StatementLine).where(StatementLine.statement_id == statement.id)).all()
        assert statement.total_fen == sum(line.amount_fen for line in lines) > 0
        for line in lines:
            voucher = session.get(Voucher, line.voucher_id)
            assert (voucher.status, voucher.redeemed_at) == ("redeemed", line.redeemed_at)
            assert line.redeemed_at.date() <= statement.period_end and line.masked_code.startswith("**** ")
        actions = session.scalars(sa.select(JournalEntry.action).where(JournalEntry.action.like("statement.%"))
                                  .order_by(JournalEntry.id)).all()
        assert actions == ["statement.draw", "statement.issue", "statement.pay"]
