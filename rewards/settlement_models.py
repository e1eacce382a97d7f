"""Settlement statements: what the programme owes a merchant for the vouchers its staff confirmed.

A statement covers one merchant and one period (a week from Monday or a calendar month, local dates; one
statement per merchant, period kind and start). Its lines are claimed when it is drawn:

* a ``redemption`` line for each confirmation (a voucher and the moment it was redeemed) that no statement
  holds yet and that happened before the period's end. ``uq_statement_line_redemption`` (voucher, redeemed
  at, kind) makes the claim race-safe on both databases: a confirmation sits in exactly one statement, and one
  committed while a statement is being drawn goes into the next.
* an ``adjustment`` line (a negative amount) for each undone confirmation (a ``voucher_correction`` of kind
  ``undo``) whose redemption line is in another statement; ``correction_id`` is unique, so once.

States move draft → issued → paid by conditional UPDATEs; paid records the payment reference and date.
Money is integer fen, times UTC, period dates local.
"""

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import User
from core.timeutil import UTCDateTime, utcnow
from extensions import db
from rewards.models import Merchant

PERIOD_KINDS = ("week", "month")
PERIOD_KIND_LABELS = {"week": _l("Week (statement period)"), "month": _l("Month (statement period)")}
STATEMENT_STATUSES = ("draft", "issued", "paid")
STATEMENT_STATUS_LABELS = {"draft": _l("Draft (statement)"), "issued": _l("Issued (statement)"),
                           "paid": _l("Paid (statement)")}
LINE_KINDS = ("redemption", "adjustment")


class Statement(db.Model):
    """One merchant's statement for the local dates ``period_start`` to ``period_end`` (inclusive).

    ``total_fen`` and ``line_count`` are fixed when drawn (the sum and number of its lines).
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(sa.ForeignKey("merchant.id"), index=True)
    period_kind: Mapped[str] = mapped_column(sa.String(10))
    period_start: Mapped[date]
    period_end: Mapped[date]
    status: Mapped[str] = mapped_column(sa.String(10), default="draft")
    total_fen: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    line_count: Mapped[int] = mapped_column(default=0)
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    drawn_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    paid_on: Mapped[date | None]  # the local date the payment was made
    payment_reference: Mapped[str | None] = mapped_column(sa.String(100))
    paid_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    merchant: Mapped[Merchant] = relationship()
    drawn_by: Mapped[User] = relationship(foreign_keys=[drawn_by_id])
    lines: Mapped[list["StatementLine"]] = relationship(
        back_populates="statement", order_by="(StatementLine.kind.desc(), StatementLine.happened_at, StatementLine.id)")

    __table_args__ = (
        sa.UniqueConstraint("merchant_id", "period_kind", "period_start", name="uq_statement_merchant_period"),
        sa.CheckConstraint(sa.column("period_kind").in_(PERIOD_KINDS), name="period_kind"),
        sa.CheckConstraint(sa.column("status").in_(STATEMENT_STATUSES), name="status"),
        sa.CheckConstraint("period_end >= period_start", name="period_order"),
        sa.CheckConstraint("status = 'draft' OR (issued_at IS NOT NULL AND issued_by_id IS NOT NULL)",
                           name="issued_recorded"),
        sa.CheckConstraint("(status = 'paid') = (paid_on IS NOT NULL AND payment_reference IS NOT NULL"
                           " AND paid_by_id IS NOT NULL)", name="paid_recorded"),
    )

    @property
    def status_label(self):
        return STATEMENT_STATUS_LABELS.get(self.status, self.status)

    @property
    def period_kind_label(self):
        return PERIOD_KIND_LABELS.get(self.period_kind, self.period_kind)


class StatementLine(db.Model):
    """One line of a statement: a confirmation (``redemption``, ``amount_fen`` = the voucher's face value) or an
    undone confirmation of an earlier statement (``adjustment``, minus the face value, naming the correction).

    ``happened_at`` is when the voucher was confirmed (redemption) or the confirmation undone (adjustment);
    ``redeemed_at`` is always the confirmation's moment (with the voucher, the claim's unique key); the offer's
    title and the masked code are copied so the statement reads the same later.
    """

    __tablename__ = "statement_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(sa.ForeignKey("statement.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(12))
    voucher_id: Mapped[int] = mapped_column(sa.ForeignKey("voucher.id"))
    redeemed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    happened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    correction_id: Mapped[int | None] = mapped_column(sa.ForeignKey("voucher_correction.id"), unique=True)
    offer_title: Mapped[str] = mapped_column(sa.String(100))
    masked_code: Mapped[str] = mapped_column(sa.String(24))
    amount_fen: Mapped[int]

    statement: Mapped[Statement] = relationship(back_populates="lines")

    __table_args__ = (
        sa.UniqueConstraint("voucher_id", "redeemed_at", "kind", name="uq_statement_line_claim"),
        sa.CheckConstraint(sa.column("kind").in_(LINE_KINDS), name="kind"),
        sa.CheckConstraint("(kind = 'redemption' AND correction_id IS NULL AND amount_fen >= 0)"
                           " OR (kind = 'adjustment' AND correction_id IS NOT NULL AND amount_fen <= 0)",
                           name="kind_fields"),
    )
