"""Settlement: draw a merchant's statement of a period, issue it, record its payment.

Periods are local: a week runs Monday to Sunday, a month from its first to its last day, in the configured
``TIMEZONE``; a period ends at local midnight after its last day (:func:`period_end_at`, aware UTC), and only
an ended period can be drawn.

Drawing claims lines with one set-based statement each (:func:`draw_statement`): an ``INSERT … SELECT … ON
CONFLICT DO NOTHING`` of every confirmation (a redeemed voucher and its ``redeemed_at``) of the merchant before
the period's end that no statement holds, and of every undone confirmation whose redemption line sits in
another statement. The unique keys of ``statement_line`` (``uq_statement_line_claim``, ``correction_id``)
decide, in the database: this is the issue's "conditional update, race-safe". Two drawings at once never claim
one confirmation twice (on PostgreSQL the second insert waits for the first's commit and then skips the row;
SQLite runs writers one at a time), and a confirmation committed after the claim began goes into the next
statement. Confirmations no statement claimed earlier (late ones) are claimed by the next one drawn.

Money is integer fen, times aware UTC, period dates local. Services flush, never commit.
"""

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from accounts import journal
from accounts.models import User
from core.db import insert_ignoring_conflicts, update_rows
from core.forms import clean_text
from core.money import format_fen
from core.timeutil import local_midnight, local_today, to_local, utcnow
from extensions import db
from notifications.services import notify
from rewards.correction_models import VoucherCorrection
from rewards.models import Merchant, Offer, Voucher
from rewards.queries import staff_of
from rewards.settlement_errors import (
    NotDraft,
    NotIssued,
    PaidOnInvalid,
    PeriodNotOver,
    PeriodUnknown,
    ReferenceMissing,
    ReferenceTooLong,
    StatementExists,
    format_day,
)
from rewards.settlement_models import PERIOD_KINDS, Statement, StatementLine

REFERENCE_MAX = 100

journal.describe({"statement.draw": _l("Settlement statement drawn"),
                  "statement.issue": _l("Settlement statement issued"),
                  "statement.pay": _l("Settlement statement marked paid")},
                 period=_l("Period"), total=_l("Total"), lines=_l("Lines"), reference=_l("Payment reference"),
                 paid_on=_l("Paid on"))


# --- periods ------------------------------------------------------------------------------------------------

def period_start_of(kind: str, day: date) -> date:
    """The first local day of the ``kind`` period (``week``: Monday; ``month``: the 1st) that holds ``day``."""
    if kind == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def period_last_day(kind: str, start: date) -> date:
    """The last local day (inclusive) of the ``kind`` period starting on ``start``."""
    if kind == "week":
        return start + timedelta(days=6)
    following = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def period_end_at(kind: str, start: date) -> datetime:
    """The instant (aware UTC) the period ends: local midnight after its last day."""
    return local_midnight(period_last_day(kind, start) + timedelta(days=1))


YEARS = range(2000, 2101)  # the periods a statement may cover: none before the programme, none near date.max


def is_period_start(kind: str, start: date) -> bool:
    """True when ``start`` begins a ``kind`` period (a Monday for a week, the 1st for a month) in :data:`YEARS`."""
    return kind in PERIOD_KINDS and start.year in YEARS and period_start_of(kind, start) == start


def ended_periods(kind: str, now: datetime | None = None, count: int = 6) -> list[date]:
    """The starts of the last ``count`` ended ``kind`` periods at ``now``, newest first (local dates)."""
    start = period_start_of(kind, local_today(now))  # the current period: not ended
    starts = []
    for _step in range(count):
        start = period_start_of(kind, start - timedelta(days=1))
        starts.append(start)
    return starts


def next_drawable(kind: str, now: datetime | None = None) -> date:
    """The local date from which the current ``kind`` period's statement can be drawn (its day after)."""
    return period_last_day(kind, period_start_of(kind, local_today(now))) + timedelta(days=1)


def period_label(kind: str, start: date) -> str:
    """The period for people: a month ``2026年11月`` / ``November 2026``; a week with its first and last day."""
    if kind == "month":
        return format_date(start, "y年M月" if str(get_locale()) == "zh" else "MMMM y")
    return _("%(first)s – %(last)s", first=format_day(start), last=format_day(period_last_day(kind, start)))


def mask_code(code: str) -> str:
    """A voucher code as statements show it: ``**** 3456`` (only its last four digits)."""
    return f"**** {code[-4:]}" if code and len(code) >= 8 else "****"


def _masked_code_sql(code) -> sa.ColumnElement[str]:
    """SQL for :func:`mask_code` of a code column (both databases)."""
    return sa.literal("**** ") + sa.func.substr(code, sa.func.length(code) - 3, 4)


# --- drawing ------------------------------------------------------------------------------------------------

def _insert(table):
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


LINE_COLUMNS = ["statement_id", "kind", "voucher_id", "redeemed_at", "happened_at", "correction_id", "offer_title",
                "masked_code", "amount_fen"]


def _claim_redemptions(statement_id: int, merchant_id: int, end_at: datetime) -> int:
    """Claim, in ONE ``INSERT … SELECT … ON CONFLICT DO NOTHING``, every confirmation of the merchant before
    ``end_at`` that no statement holds; return how many lines were written."""
    line = sa.orm.aliased(StatementLine)
    held = sa.select(line.id).where(line.voucher_id == Voucher.id, line.redeemed_at == Voucher.redeemed_at,
                                    line.kind == "redemption")
    source = (sa.select(sa.literal(statement_id), sa.literal("redemption"), Voucher.id, Voucher.redeemed_at,
                        Voucher.redeemed_at, sa.null(), Offer.title, _masked_code_sql(Voucher.code),
                        Voucher.face_value_fen)
              .join(Offer, Offer.id == Voucher.offer_id)
              .where(Voucher.merchant_id == merchant_id, Voucher.status == "redeemed",
                     Voucher.redeemed_at < end_at, ~sa.exists(held))
              .order_by(Voucher.id))
    statement = _insert(StatementLine.__table__).from_select(LINE_COLUMNS, source).on_conflict_do_nothing()
    return db.session.execute(statement).rowcount


def _claim_adjustments(statement_id: int, merchant_id: int, end_at: datetime) -> int:
    """Claim, in ONE ``INSERT … SELECT … ON CONFLICT DO NOTHING``, a negative line for every undo (undone
    before ``end_at``) of a confirmation whose redemption line is in another statement and that no adjustment
    line holds yet; return how many lines were written."""
    claimed = sa.orm.aliased(StatementLine)
    adjusted = sa.orm.aliased(StatementLine)
    source = (sa.select(sa.literal(statement_id), sa.literal("adjustment"), Voucher.id,
                        VoucherCorrection.undone_redeemed_at, VoucherCorrection.created_at, VoucherCorrection.id,
                        Offer.title, _masked_code_sql(Voucher.code), -claimed.amount_fen)
              .select_from(VoucherCorrection)
              .join(Voucher, Voucher.id == VoucherCorrection.voucher_id)
              .join(Offer, Offer.id == Voucher.offer_id)
              .join(claimed, sa.and_(claimed.voucher_id == Voucher.id, claimed.kind == "redemption",
                                     claimed.redeemed_at == VoucherCorrection.undone_redeemed_at))
              .where(VoucherCorrection.kind == "undo", Voucher.merchant_id == merchant_id,
                     VoucherCorrection.created_at < end_at, claimed.statement_id != statement_id,
                     ~sa.exists(sa.select(adjusted.id).where(adjusted.correction_id == VoucherCorrection.id)))
              .order_by(VoucherCorrection.id))
    statement = _insert(StatementLine.__table__).from_select(LINE_COLUMNS, source).on_conflict_do_nothing()
    return db.session.execute(statement).rowcount


def draw_statement(*, merchant: Merchant, period_kind: str, period_start: date, actor: User,
                   now: datetime | None = None) -> Statement:
    """Draw ``merchant``'s statement of the ``period_kind`` (``week``/``month``) period starting on the local
    date ``period_start``: a draft holding every unclaimed confirmation before the period's end (late ones of
    earlier periods included) and an adjustment for every undone confirmation of another statement; its total
    (fen, the sum of the lines) and line count are written in the same transaction. Journalled
    (``statement.draw``).

    Race-safe by the database alone: the statement's unique key (merchant, kind, start) lets one drawer win,
    and each line is claimed by a set-based ``INSERT … SELECT … ON CONFLICT DO NOTHING`` on the unique keys of
    ``statement_line`` (see the module). Raises :class:`PeriodUnknown` (not a period start),
    :class:`PeriodNotOver` (a current or future period: says from when) or :class:`StatementExists` (with the
    existing statement).
    """
    now = now or utcnow()
    if not is_period_start(period_kind, period_start):
        raise PeriodUnknown()
    end_at = period_end_at(period_kind, period_start)
    if now < end_at:
        raise PeriodNotOver(period_last_day(period_kind, period_start) + timedelta(days=1))
    statement_id = insert_ignoring_conflicts(
        Statement.__table__, merchant_id=merchant.id, period_kind=period_kind, period_start=period_start,
        period_end=period_last_day(period_kind, period_start), status="draft", total_fen=0, line_count=0,
        drawn_at=now, drawn_by_id=actor.id)
    if statement_id is None:
        raise StatementExists(existing_statement(merchant.id, period_kind, period_start))
    _claim_redemptions(statement_id, merchant.id, end_at)
    _claim_adjustments(statement_id, merchant.id, end_at)
    lines = sa.select(StatementLine).where(StatementLine.statement_id == statement_id).subquery()
    update_rows(sa.update(Statement).where(Statement.id == statement_id).values(
        total_fen=sa.select(sa.func.coalesce(sa.func.sum(lines.c.amount_fen), 0)).scalar_subquery(),
        line_count=sa.select(sa.func.count()).select_from(lines).scalar_subquery()))
    statement = db.session.get(Statement, statement_id)
    db.session.refresh(statement)
    journal.record("statement.draw", actor=actor, subject=f"statement:{statement.id}", merchant_id=merchant.id,
                   organisation_id=merchant.organisation_id, now=now,
                   period=f"{period_kind} {period_start.isoformat()}", total=format_fen(statement.total_fen),
                   lines=statement.line_count)
    return statement


def existing_statement(merchant_id: int, period_kind: str, period_start: date) -> Statement | None:
    """The statement of ``merchant_id`` for the ``period_kind`` period starting ``period_start``, or ``None``."""
    return db.session.scalar(sa.select(Statement).where(
        Statement.merchant_id == merchant_id, Statement.period_kind == period_kind,
        Statement.period_start == period_start))


# --- issuing and payment ------------------------------------------------------------------------------------

def _tell_staff(statement: Statement, kind: str, now: datetime) -> None:
    """Notify every staff account of the statement's merchant (``statement_issued`` or ``statement_paid``)."""
    params = {"merchant": statement.merchant.name, "first_day": statement.period_start.isoformat(),
              "last_day": statement.period_end.isoformat(), "total": format_fen(statement.total_fen)}
    for staff in staff_of(statement.merchant_id):
        notify(user_id=staff.id, kind=kind, params=params, link=f"/merchant/statements/{statement.id}", now=now)


def issue_statement(*, statement: Statement, actor: User, now: datetime | None = None) -> Statement:
    """Issue the draft ``statement`` (draft → issued, a conditional UPDATE whose row count is checked): its
    merchant's staff can see and download it from now, and are notified. Journalled (``statement.issue``).
    Raises :class:`NotDraft` when it was issued already (a second tap or another coordinator)."""
    now = now or utcnow()
    changed = update_rows(sa.update(Statement).where(Statement.id == statement.id, Statement.status == "draft")
                          .values(status="issued", issued_at=now, issued_by_id=actor.id))
    db.session.refresh(statement)
    if not changed:
        raise NotDraft()
    journal.record("statement.issue", actor=actor, subject=f"statement:{statement.id}",
                   merchant_id=statement.merchant_id, organisation_id=statement.merchant.organisation_id, now=now,
                   period=f"{statement.period_kind} {statement.period_start.isoformat()}",
                   total=format_fen(statement.total_fen), lines=statement.line_count)
    _tell_staff(statement, "statement_issued", now)
    return statement


def clean_reference(reference: str | None) -> str:
    """The payment reference with control characters (NUL…) dropped and spaces collapsed; raises
    :class:`ReferenceMissing` or :class:`ReferenceTooLong` (over :data:`REFERENCE_MAX` characters)."""
    reference = " ".join(clean_text(reference or "").split())
    if not reference:
        raise ReferenceMissing()
    if len(reference) > REFERENCE_MAX:
        raise ReferenceTooLong(REFERENCE_MAX)
    return reference


def check_paid_on(statement: Statement, paid_on: date | None, now: datetime) -> date:
    """``paid_on`` when it is a local date from the statement's issue date to today; else :class:`PaidOnInvalid`."""
    if paid_on is None:
        raise PaidOnInvalid(_l("Enter the date of the payment, like 2026-12-24."))
    if paid_on > local_today(now):
        raise PaidOnInvalid(_l("The payment date cannot be in the future."))
    issued_on = to_local(statement.issued_at).date() if statement.issued_at else None
    if issued_on is not None and paid_on < issued_on:
        raise PaidOnInvalid(_l("The payment date cannot be before the statement was issued (%(day)s).",
                               day=format_day(issued_on)))
    return paid_on


def mark_paid(*, statement: Statement, reference: str, paid_on: date | None, actor: User,
              now: datetime | None = None) -> Statement:
    """Record that the issued ``statement`` was paid on the local date ``paid_on`` with the payment
    ``reference`` (≤ 100 characters): issued → paid by a conditional UPDATE whose row count is checked; the
    merchant's staff are notified. Journalled (``statement.pay``).

    Raises :class:`ReferenceMissing`, :class:`ReferenceTooLong`, :class:`PaidOnInvalid` (missing, in the
    future, before the issue date) or :class:`NotIssued` (a draft, or paid already).
    """
    now = now or utcnow()
    reference = clean_reference(reference)
    if statement.status != "issued":
        raise NotIssued(statement.status)
    paid_on = check_paid_on(statement, paid_on, now)
    changed = update_rows(sa.update(Statement).where(Statement.id == statement.id, Statement.status == "issued")
                          .values(status="paid", paid_on=paid_on, payment_reference=reference,
                                  paid_recorded_at=now, paid_by_id=actor.id))
    db.session.refresh(statement)
    if not changed:
        raise NotIssued(statement.status)
    journal.record("statement.pay", actor=actor, subject=f"statement:{statement.id}",
                   merchant_id=statement.merchant_id, organisation_id=statement.merchant.organisation_id, now=now,
                   reference=reference, paid_on=paid_on.isoformat(), total=format_fen(statement.total_fen))
    _tell_staff(statement, "statement_paid", now)
    return statement
