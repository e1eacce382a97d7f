"""Invariant 2: points move only through ledger entries; balance = sum of entries, never negative."""

import pytest
import sqlalchemy as sa

from points import ledger
from points.errors import AdjustmentWouldGoNegative, InsufficientPoints
from points.models import LedgerEntry
from points.queries import balance_of, history_of
from points.services import adjust_points
from tests.factories import make_org, make_user


@pytest.fixture
def people(session):
    org = make_org()
    coordinator = make_user("coordinator", organisation_id=org.id)
    rider = make_user()
    session.commit()
    return coordinator, rider


def sum_of_entries(session, rider_id):
    return session.scalar(sa.select(sa.func.coalesce(sa.func.sum(LedgerEntry.amount), 0))
                          .where(LedgerEntry.rider_id == rider_id))


def test_an_adjustment_moves_the_balance_and_records_the_reason(session, people):
    coordinator, rider = people
    adjust_points(rider=rider, amount=25, reason="暴雨天坚守奖励", actor=coordinator)
    adjust_points(rider=rider, amount=-5, reason="重复发放更正", actor=coordinator)
    session.commit()
    assert balance_of(rider.id) == 20 == sum_of_entries(session, rider.id)
    assert [e.reason for e in history_of(rider.id)] == ["重复发放更正", "暴雨天坚守奖励"]


def test_an_adjustment_may_not_take_the_balance_below_zero(session, people):
    coordinator, rider = people
    adjust_points(rider=rider, amount=10, reason="奖励", actor=coordinator)
    session.commit()
    with pytest.raises(AdjustmentWouldGoNegative):
        adjust_points(rider=rider, amount=-11, reason="扣减", actor=coordinator)
    session.rollback()
    assert balance_of(rider.id) == 10 == sum_of_entries(session, rider.id)


def test_a_spend_larger_than_the_balance_says_how_many_points_are_missing(session, people):
    _, rider = people
    ledger.post_entry(rider_id=rider.id, amount=12, kind="award", key="award:test:1")
    with pytest.raises(InsufficientPoints) as refused:
        ledger.post_entry(rider_id=rider.id, amount=-30, kind="spend", key="spend:test:1")
    assert refused.value.missing == 18


def test_a_keyed_entry_is_posted_once(session, people):
    _, rider = people
    ledger.post_entry(rider_id=rider.id, amount=30, kind="award", key="award:signup:99")
    with pytest.raises(ledger.DuplicateEntry):
        ledger.post_entry(rider_id=rider.id, amount=30, kind="award", key="award:signup:99")
    session.rollback()


def test_a_rider_without_entries_has_a_zero_balance(session, people):
    assert balance_of(people[1].id) == 0
