"""The database itself refuses what would break an invariant, whatever code runs."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, IntegrityError

from core.timeutil import utcnow
from points.models import LedgerEntry, PointsAccount
from rewards.models import Offer, Voucher
from tests.factories import give_points, make_merchant, make_offer, make_org, make_task, make_user
from volunteer.models import Signup, Task


@pytest.fixture
def base(session):
    org = make_org()
    coordinator = make_user("coordinator", organisation_id=org.id)
    task = make_task(org.id, coordinator.id, places=1)
    rider = make_user()
    give_points(rider.id, 10)
    offer = make_offer(make_merchant().id, stock=1)
    session.commit()
    return task, rider, offer


def refused(session, statement):
    with pytest.raises((IntegrityError, DBAPIError)):
        session.execute(statement)
        session.flush()
    session.rollback()


def test_taken_places_cannot_exceed_places(session, base):
    task, _, _ = base
    refused(session, sa.update(Task).where(Task.id == task.id).values(taken=2))


def test_a_balance_cannot_be_negative(session, base):
    _, rider, _ = base
    refused(session, sa.update(PointsAccount).where(PointsAccount.user_id == rider.id).values(balance=-1))


def test_ledger_entries_cannot_be_changed_or_deleted(session, base):
    refused(session, sa.update(LedgerEntry).values(amount=1000))
    refused(session, sa.delete(LedgerEntry))
    assert session.scalar(sa.select(LedgerEntry.amount)) == 10


def test_one_sign_up_per_rider_and_task(session, base):
    task, rider, _ = base
    session.add(Signup(task_id=task.id, rider_id=rider.id, status="confirmed"))
    session.commit()
    session.add(Signup(task_id=task.id, rider_id=rider.id, status="waitlisted"))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_stock_cannot_be_negative(session, base):
    _, _, offer = base
    refused(session, sa.update(Offer).where(Offer.id == offer.id).values(stock=-1))


def test_an_award_key_is_unique(session, base):
    _, rider, _ = base
    for _ in range(2):
        session.add(LedgerEntry(rider_id=rider.id, amount=5, kind="award", key="award:signup:1"))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_a_redeemed_voucher_must_say_when_and_by_whom(session, base):
    _, rider, offer = base
    from core.timeutil import utcnow

    session.add(Voucher(code="1" * 16, offer_id=offer.id, merchant_id=offer.merchant_id, rider_id=rider.id,
                        status="redeemed", points_cost=5, face_value_fen=100, expires_at=utcnow()))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_only_awards_name_a_sign_up_and_only_voucher_movements_a_voucher(session, base):
    task, rider, offer = base
    signup = Signup(task_id=task.id, rider_id=rider.id, status="attended")
    voucher = Voucher(code="1" * 16, offer_id=offer.id, merchant_id=offer.merchant_id, rider_id=rider.id,
                      points_cost=30, face_value_fen=1500, expires_at=utcnow() + timedelta(days=1))
    session.add_all([signup, voucher])
    session.commit()
    refused(session, sa.insert(LedgerEntry).values(rider_id=rider.id, amount=5, kind="adjustment", reason="x",
                                                   signup_id=signup.id))
    refused(session, sa.insert(LedgerEntry).values(rider_id=rider.id, amount=5, kind="award", voucher_id=voucher.id))
    assert session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry)) == 1
