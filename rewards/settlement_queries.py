"""Reads of settlement statements that the pages (coordinators', merchants') and the demo share."""

import sqlalchemy as sa

from accounts.models import User
from extensions import db
from rewards.models import Merchant, Voucher
from rewards.queries import managed_by
from rewards.settlement_models import Statement, StatementLine

SHOWN_TO_MERCHANTS = ("issued", "paid")  # a draft is the programme's working copy: merchants never see it


def _newest_first(query: sa.Select) -> sa.Select:
    return query.order_by(Statement.period_start.desc(), Statement.period_kind, Statement.id.desc())


def statements_of_merchant(merchant_id: int, *, statuses: tuple[str, ...] = SHOWN_TO_MERCHANTS) -> list[Statement]:
    """The merchant's statements in ``statuses`` (by default those a merchant sees: issued and paid), the
    newest period first."""
    return list(db.session.scalars(_newest_first(sa.select(Statement).where(
        Statement.merchant_id == merchant_id, Statement.status.in_(statuses)))))


def statements_visible_to(actor: User, *, merchant_id: int | None = None, status: str | None = None,
                          limit: int = 200) -> list[Statement]:
    """The statements of the merchants ``actor`` manages (:func:`rewards.queries.managed_by`: an admin all,
    a coordinator their organisation's), optionally of one merchant and one status, newest period first,
    with their merchants loaded."""
    query = (sa.select(Statement).join(Merchant, Merchant.id == Statement.merchant_id).where(managed_by(actor))
             .options(sa.orm.contains_eager(Statement.merchant)))
    if merchant_id is not None:
        query = query.where(Statement.merchant_id == merchant_id)
    if status is not None:
        query = query.where(Statement.status == status)
    return list(db.session.scalars(_newest_first(query).limit(limit)))


def merchant_statement(merchant_id: int, statement_id: int) -> Statement | None:
    """Statement ``statement_id`` if it belongs to ``merchant_id`` and a merchant may see it (issued or paid),
    else ``None``."""
    return db.session.scalar(sa.select(Statement).where(
        Statement.id == statement_id, Statement.merchant_id == merchant_id,
        Statement.status.in_(SHOWN_TO_MERCHANTS)))


def lines_of(statement_id: int) -> list[StatementLine]:
    """The statement's lines: redemptions first, then adjustments, each by the moment it happened."""
    return list(db.session.scalars(sa.select(StatementLine).where(StatementLine.statement_id == statement_id)
                                   .order_by(StatementLine.kind.desc(), StatementLine.happened_at,
                                             StatementLine.id)))


def unclaimed_confirmations(merchant_id: int) -> tuple[int, int]:
    """``(count, fen)`` of the merchant's confirmations no statement holds yet ("not yet on a statement")."""
    held = sa.select(StatementLine.id).where(StatementLine.voucher_id == Voucher.id,
                                             StatementLine.redeemed_at == Voucher.redeemed_at,
                                             StatementLine.kind == "redemption")
    count, fen = db.session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(Voucher.face_value_fen), 0))
        .where(Voucher.merchant_id == merchant_id, Voucher.status == "redeemed", ~sa.exists(held))).one()
    return int(count), int(fen)
