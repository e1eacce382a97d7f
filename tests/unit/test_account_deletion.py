"""Deleting one's account: personal data erased, places released (the waitlist moves up), open vouchers
cancelled and refunded once, the ledger and the journal kept, the books still clean."""

import pytest
import sqlalchemy as sa

from accounts import privacy
from accounts.errors import CannotDeleteAccount, WrongPassword
from accounts.journal import JournalEntry
from accounts.models import User
from oversight.books import run_audit
from points.models import LedgerEntry
from points.queries import balance_of
from rewards import vouchers
from rewards.models import Offer, Voucher
from tests.factories import PASSWORD, give_points, make_offer, make_task, make_user
from volunteer import services
from volunteer.models import Signup


@pytest.fixture
def deleted(session, world):
    """The rider holds the last place of a task (a second rider waits), a redeemed-later voucher and two open
    vouchers; then deletes the account."""
    rider = session.get(User, world.rider)
    waiting = session.get(User, world.rider2)
    give_points(rider.id, 200)
    task = make_task(world.org, world.coordinator, places=1)
    mine = services.sign_up(task=task, rider=rider)
    theirs = services.sign_up(task=task, rider=waiting, join_waitlist=True)
    offer = session.get(Offer, world.offer)
    other_offer = make_offer(world.merchant, title="第二份优惠", points_cost=20)
    open_vouchers = [vouchers.redeem_offer(offer=offer, rider=rider),
                     vouchers.redeem_offer(offer=other_offer, rider=rider)]
    session.commit()
    stock_before = offer.stock
    privacy.delete_account(user=rider, password=PASSWORD)
    session.commit()
    return rider, mine, theirs, open_vouchers, offer, stock_before


def test_personal_data_is_erased_and_the_account_cannot_log_in(session, deleted):
    rider = deleted[0]
    assert rider.name == "已注销用户" and len(rider.phone) == 11 and not rider.phone.startswith("1")
    assert (rider.trade, rider.platform, rider.active) == (None, None, False)
    assert rider.deleted_at is not None and not rider.check_password(PASSWORD)
    assert rider.session_version == 1


def test_places_are_released_and_the_waitlist_moves_up(session, deleted):
    _, mine, theirs, *_ = deleted
    assert session.get(Signup, mine.id).status == "cancelled"
    assert session.get(Signup, theirs.id).status == "offered"  # the freed place is held for them
    assert session.get(Signup, mine.id).task.taken == 1


def test_open_vouchers_are_cancelled_and_refunded_once(session, deleted):
    rider, _, _, open_vouchers, offer, stock_before = deleted
    assert {session.get(Voucher, v.id).status for v in open_vouchers} == {"cancelled"}
    refunds = session.scalars(sa.select(LedgerEntry).where(LedgerEntry.rider_id == rider.id,
                                                           LedgerEntry.kind == "refund")).all()
    assert sorted(e.voucher_id for e in refunds) == sorted(v.id for v in open_vouchers)
    assert balance_of(rider.id) == 200
    assert session.get(Offer, offer.id).stock == stock_before + 1
    # Cancelling again (a second close) refunds nothing more.
    assert vouchers.cancel_open_vouchers(user=rider) == 0
    session.commit()
    assert len(session.scalars(sa.select(LedgerEntry).where(LedgerEntry.rider_id == rider.id,
                                                            LedgerEntry.kind == "refund")).all()) == 2


def test_the_ledger_and_journal_keep_their_rows_and_the_audit_is_clean(session, deleted):
    rider = deleted[0]
    assert session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry)
                          .where(LedgerEntry.rider_id == rider.id)) == 5  # grant, 2 spends, 2 refunds
    actions = set(session.scalars(sa.select(JournalEntry.action).where(JournalEntry.rider_id == rider.id)))
    assert {"account.delete", "signup.release", "voucher.cancel", "voucher.issue"} <= actions
    assert run_audit() == []


def test_the_wrong_password_changes_nothing(session, world):
    rider = session.get(User, world.rider)
    with pytest.raises(WrongPassword):
        privacy.delete_account(user=rider, password="not-the-password")
    assert rider.active and rider.deleted_at is None


def test_an_admin_cannot_delete_itself(session, world):
    with pytest.raises(CannotDeleteAccount):
        privacy.delete_account(user=session.get(User, world.admin), password=PASSWORD)


def test_two_deleted_accounts_get_distinct_placeholders(session, world):
    first, second = make_user(), make_user()
    for user in (first, second):
        privacy.delete_account(user=user, password=PASSWORD)
    session.commit()
    assert first.phone != second.phone
