"""Invariant 9 for settlement: every confirmation sits in exactly one statement; late ones go into the next;
an undo after a statement is an adjustment on the next one, once; periods end at local midnight; the states
move draft → issued → paid only forwards."""

from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from accounts.journal import JournalEntry
from core.timeutil import at_local
from notifications.models import Notification
from rewards import corrections, settlement, vouchers
from rewards.settlement_errors import (
    NotDraft,
    NotIssued,
    PaidOnInvalid,
    PeriodNotOver,
    PeriodUnknown,
    ReferenceMissing,
    ReferenceTooLong,
    StatementExists,
)
from rewards.settlement_models import StatementLine
from rewards.settlement_queries import lines_of, unclaimed_confirmations
from tests.factories import give_points, make_merchant, make_offer, make_org, make_staff, make_user

MONDAY = date(2026, 11, 2)  # weeks of November 2026: 2–8, 9–15, 16–22, 23–29
SHANGHAI = timezone(timedelta(hours=8))  # the configured TIMEZONE of the tests (no summer time)
LATER = datetime(2026, 12, 20, 12, tzinfo=SHANGHAI)  # "now" of the drawing: every period below has ended


@pytest.fixture(autouse=True)
def english(session, app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.fixture
def shop(session):
    org = make_org("塘市办事处")
    merchant = make_merchant(organisation_id=org.id)
    staff = make_staff(merchant.id)
    offer = make_offer(merchant.id, title="=1+1", points_cost=10, face_value_fen=1500, stock=100,
                       per_rider_limit=100, validity_days=60)
    rider = make_user()
    give_points(rider.id, 1000)
    coordinator = make_user("coordinator", "陈丽华", org.id)
    session.commit()
    return {"merchant": merchant, "staff": staff, "offer": offer, "rider": rider, "coordinator": coordinator}


def confirm_at(shop, moment):
    """A voucher issued an hour before ``moment`` and confirmed at ``moment`` (aware UTC)."""
    voucher = vouchers.redeem_offer(offer=shop["offer"], rider=shop["rider"], now=moment - timedelta(hours=1))
    return vouchers.confirm_voucher(code=voucher.code, staff=shop["staff"], now=moment)


def draw(shop, kind="week", start=MONDAY, now=LATER):
    return settlement.draw_statement(merchant=shop["merchant"], period_kind=kind, period_start=start,
                                     actor=shop["coordinator"], now=now)


def claims(session):
    """Every line as (statement, kind, voucher, redeemed_at, amount)."""
    return session.execute(sa.select(StatementLine.statement_id, StatementLine.kind, StatementLine.voucher_id,
                                     StatementLine.redeemed_at, StatementLine.amount_fen)
                           .order_by(StatementLine.id)).all()


@contextmanager
def refused(error_class, words: str):
    with pytest.raises(error_class) as caught:
        yield
    assert words in caught.value.message, caught.value.message


def test_periods_are_local_weeks_from_monday_and_calendar_months(app):
    assert settlement.period_start_of("week", date(2026, 11, 8)) == MONDAY
    assert settlement.period_last_day("month", date(2026, 2, 1)) == date(2026, 2, 28)
    assert settlement.period_last_day("month", date(2026, 12, 1)) == date(2026, 12, 31)
    end = settlement.period_end_at("week", MONDAY)
    assert end.isoformat() == "2026-11-08T16:00:00+00:00"  # Monday 9 Nov 00:00 in Shanghai
    assert settlement.ended_periods("week", at_local(date(2026, 11, 9), 0, 1), count=2) == [MONDAY,
                                                                                           date(2026, 10, 26)]
    assert settlement.ended_periods("month", at_local(date(2026, 12, 1), 8), count=1) == [date(2026, 11, 1)]


def test_a_confirmation_at_2359_sunday_is_in_that_week_one_at_0001_monday_in_the_next(shop, session):
    sunday = confirm_at(shop, at_local(date(2026, 11, 8), 23, 59))
    monday = confirm_at(shop, at_local(date(2026, 11, 9), 0, 1))
    first = draw(shop)
    assert [line.voucher_id for line in lines_of(first.id)] == [sunday.id]
    second = draw(shop, start=MONDAY + timedelta(days=7))
    assert [line.voucher_id for line in lines_of(second.id)] == [monday.id]
    assert (first.total_fen, first.line_count, second.total_fen) == (1500, 1, 1500)


def test_every_confirmation_is_in_exactly_one_statement_and_late_ones_go_into_the_next(shop, session):
    early = [confirm_at(shop, at_local(date(2026, 11, d), 12)) for d in (3, 5)]
    first = draw(shop)
    # confirmed in week 1 but committed after week 1 was drawn (a late one): the next statement takes it
    late = confirm_at(shop, at_local(date(2026, 11, 7), 12))
    own = confirm_at(shop, at_local(date(2026, 11, 10), 12))
    second = draw(shop, start=MONDAY + timedelta(days=7))
    assert {line.voucher_id for line in lines_of(first.id)} == {v.id for v in early}
    assert {line.voucher_id for line in lines_of(second.id)} == {late.id, own.id}
    assert (second.total_fen, second.line_count) == (3000, 2)
    rows = claims(session)
    assert len(rows) == len({(r.voucher_id, r.redeemed_at) for r in rows}) == 4
    assert unclaimed_confirmations(shop["merchant"].id) == (0, 0)
    empty = draw(shop, start=MONDAY + timedelta(days=14))
    assert (empty.total_fen, empty.line_count, lines_of(empty.id)) == (0, 0, [])


def test_the_month_statement_takes_only_what_no_week_statement_holds(shop, session):
    kept = confirm_at(shop, at_local(date(2026, 11, 3), 12))
    draw(shop)
    other = confirm_at(shop, at_local(date(2026, 11, 20), 12))
    month = draw(shop, kind="month", start=date(2026, 11, 1))
    assert [line.voucher_id for line in lines_of(month.id)] == [other.id]
    assert kept.id not in {line.voucher_id for line in lines_of(month.id)}


def test_an_undo_after_the_statement_is_an_adjustment_on_the_next_once_and_a_new_confirmation_is_claimed(
        shop, session):
    moment = at_local(date(2026, 11, 8), 23, 55)
    voucher = confirm_at(shop, moment)
    first = draw(shop, now=moment + timedelta(minutes=6))  # drawn at 00:01, the undo window still open
    settlement.issue_statement(statement=first, actor=shop["coordinator"], now=moment + timedelta(minutes=7))
    corrections.undo_confirmation(voucher=voucher, staff=shop["staff"], now=moment + timedelta(minutes=8))
    again = vouchers.confirm_voucher(code=voucher.code, staff=shop["staff"], now=moment + timedelta(hours=12))
    second = draw(shop, start=MONDAY + timedelta(days=7))
    third = draw(shop, start=MONDAY + timedelta(days=14))
    assert [(line.kind, line.amount_fen) for line in lines_of(first.id)] == [("redemption", 1500)]
    second_lines = lines_of(second.id)
    assert [(line.kind, line.amount_fen, line.voucher_id) for line in second_lines] == [
        ("redemption", 1500, voucher.id), ("adjustment", -1500, voucher.id)]
    assert second_lines[0].redeemed_at == again.redeemed_at
    assert second_lines[1].redeemed_at == moment and second_lines[1].correction_id is not None
    assert (second.total_fen, second.line_count) == (0, 2)
    assert lines_of(third.id) == []


def test_an_undo_before_any_statement_claims_nothing(shop, session):
    moment = at_local(date(2026, 11, 4), 12)
    voucher = confirm_at(shop, moment)
    corrections.undo_confirmation(voucher=voucher, staff=shop["staff"], now=moment + timedelta(minutes=2))
    statement = draw(shop)
    assert lines_of(statement.id) == [] and statement.total_fen == 0


def test_a_current_or_future_period_is_refused_with_the_day_it_can_be_drawn(shop, session):
    with refused(PeriodNotOver, "from 9 Nov 2026"):
        draw(shop, now=at_local(date(2026, 11, 8), 23, 59))
    with refused(PeriodUnknown, "Choose one of the periods"):
        draw(shop, start=MONDAY + timedelta(days=1))
    with refused(PeriodUnknown, "Choose one of the periods"):
        draw(shop, kind="year")
    assert draw(shop, now=at_local(date(2026, 11, 9), 0, 0)).status == "draft"


def test_a_second_drawing_of_one_period_is_refused_naming_the_first(shop, session):
    first = draw(shop)
    with pytest.raises(StatementExists) as caught:
        draw(shop)
    assert caught.value.statement.id == first.id
    assert "already been drawn" in caught.value.message


def test_states_move_forward_only_and_are_journalled_and_notified(shop, session):
    confirm_at(shop, at_local(date(2026, 11, 3), 12))
    statement = draw(shop)
    coordinator = shop["coordinator"]
    with refused(NotIssued, "Issue the statement"):
        settlement.mark_paid(statement=statement, reference="X1", paid_on=date(2026, 12, 1), actor=coordinator,
                             now=LATER)
    settlement.issue_statement(statement=statement, actor=coordinator, now=LATER)
    with refused(NotDraft, "no longer a draft"):
        settlement.issue_statement(statement=statement, actor=coordinator, now=LATER)
    with refused(ReferenceMissing, "payment reference"):
        settlement.mark_paid(statement=statement, reference="  ", paid_on=date(2026, 12, 20), actor=coordinator,
                             now=LATER)
    with refused(ReferenceTooLong, "At most 100"):
        settlement.mark_paid(statement=statement, reference="x" * 101, paid_on=date(2026, 12, 20),
                             actor=coordinator, now=LATER)
    with refused(PaidOnInvalid, "future"):
        settlement.mark_paid(statement=statement, reference="X1", paid_on=date(2026, 12, 21), actor=coordinator,
                             now=LATER)
    with refused(PaidOnInvalid, "before the statement was issued"):
        settlement.mark_paid(statement=statement, reference="X1", paid_on=date(2026, 12, 19), actor=coordinator,
                             now=LATER)
    with refused(PaidOnInvalid, "date of the payment"):
        settlement.mark_paid(statement=statement, reference="X1", paid_on=None, actor=coordinator, now=LATER)
    settlement.mark_paid(statement=statement, reference=" 转账 2026-12-20 ", paid_on=date(2026, 12, 20),
                         actor=coordinator, now=LATER)
    assert (statement.status, statement.payment_reference, statement.paid_on) == (
        "paid", "转账 2026-12-20", date(2026, 12, 20))
    with refused(NotIssued, "already marked paid"):
        settlement.mark_paid(statement=statement, reference="X2", paid_on=date(2026, 12, 20), actor=coordinator,
                             now=LATER)
    actions = session.scalars(sa.select(JournalEntry.action).where(JournalEntry.subject == f"statement:{statement.id}")
                              .order_by(JournalEntry.id)).all()
    assert actions == ["statement.draw", "statement.issue", "statement.pay"]
    entry = session.scalar(sa.select(JournalEntry).where(JournalEntry.action == "statement.pay"))
    assert (entry.merchant_id, entry.organisation_id) == (shop["merchant"].id, shop["merchant"].organisation_id)
    kinds = session.scalars(sa.select(Notification.kind).where(Notification.user_id == shop["staff"].id)
                            .order_by(Notification.id)).all()
    assert kinds == ["statement_issued", "statement_paid"]


def test_codes_are_masked_to_their_last_four_digits(shop, session):
    voucher = confirm_at(shop, at_local(date(2026, 11, 3), 12))
    statement = draw(shop)
    [line] = lines_of(statement.id)
    assert line.masked_code == f"**** {voucher.code[-4:]}" == settlement.mask_code(voucher.code)
    assert line.offer_title == "=1+1"
