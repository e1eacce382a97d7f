"""The invariants the stateful test checks after every step (see :mod:`tests.unit.test_stateful`).

:class:`InvariantChecks` is a mixin of the state machine in :mod:`tests.unit.stateful_rules`: its checks read the
database, and the machine's model of what happened: ``riders``, ``offers``, ``initial_stock`` (stock of each
offer at the start), ``adjusted`` (points moved by adjustments, by rider) and ``promoted`` (every sign-up
promoted from a waitlist).
"""

from collections import Counter

import sqlalchemy as sa
from hypothesis.stateful import invariant

from extensions import db
from oversight.books import run_audit
from points.models import LedgerEntry, PointsAccount
from rewards.models import MerchantStaff, Offer, Voucher
from volunteer.holds import hold_until_for
from volunteer.models import HOLDS_PLACE, Signup, Task


class InvariantChecks:
    """The invariants, each checked by Hypothesis after every step of the machine."""

    @invariant()
    def places_are_never_overbooked_and_the_waitlist_waits_only_for_a_full_task(self):
        counts = {}
        for task_id, status, count in db.session.execute(
                sa.select(Signup.task_id, Signup.status, sa.func.count()).group_by(Signup.task_id, Signup.status)):
            counts.setdefault(task_id, {})[status] = count
        for task_id, taken, places, status in db.session.execute(
                sa.select(Task.id, Task.taken, Task.places, Task.status)):
            of_task = counts.get(task_id, {})
            holding = sum(of_task.get(s, 0) for s in HOLDS_PLACE)
            assert holding == taken <= places, (task_id, of_task, taken, places)
            about_to_start = hold_until_for(db.session.get(Task, task_id), self.now) is None  # no offers then
            if of_task.get("waitlisted") and status != "cancelled" and taken < places and not about_to_start:
                # a place is free only while everyone waiting was passed over (booked at the same time, or
                # their hold lapsed a moment ago)
                waiting = db.session.scalars(sa.select(Signup.id).where(Signup.task_id == task_id,
                                                                        Signup.status == "waitlisted")).all()
                assert set(waiting) <= self.skipped, (task_id, of_task, taken, places)
        pairs = db.session.execute(
            sa.select(Signup.task_id, Signup.rider_id).group_by(Signup.task_id, Signup.rider_id)
            .having(sa.func.count() > 1)
        ).all()
        assert pairs == []

    @invariant()
    def the_waitlist_is_promoted_in_arrival_order(self):
        """No one still waiting arrived before someone who was promoted: the queue was served in order."""
        waiting = db.session.execute(sa.select(Signup.task_id, Signup.queued_at, Signup.id)
                                     .where(Signup.status == "waitlisted")).all()
        for task_id, queued_at, signup_id in self.promoted:
            jumped = [w.id for w in waiting if w.task_id == task_id and (w.queued_at, w.id) < (queued_at, signup_id)
                      and w.id not in self.skipped]
            assert jumped == [], f"sign-up {signup_id} was promoted ahead of {jumped}"

    @invariant()
    def balances_are_the_sum_of_their_entries_and_never_negative(self):
        sums = dict(db.session.execute(
            sa.select(LedgerEntry.rider_id, sa.func.sum(LedgerEntry.amount)).group_by(LedgerEntry.rider_id)
        ).all())
        balances = dict(db.session.execute(sa.select(PointsAccount.user_id, PointsAccount.balance)).all())
        for rider, balance in balances.items():
            assert 0 <= balance == sums.get(rider, 0), (rider, balance, sums.get(rider))
        assert set(sums) <= set(balances)
        assert run_audit() == []

    @invariant()
    def each_attended_sign_up_is_awarded_once_and_nothing_else_is(self):
        attended = {f"award:signup:{sid}": (rider, points) for sid, rider, points in db.session.execute(
            sa.select(Signup.id, Signup.rider_id, Task.points).join(Task).where(Signup.status == "attended")
        )}
        awards = db.session.execute(
            sa.select(LedgerEntry.key, LedgerEntry.rider_id, LedgerEntry.amount).where(LedgerEntry.kind == "award")
        ).all()
        assert Counter(key for key, _, _ in awards) == Counter(attended.keys())
        for key, rider, amount in awards:
            assert attended[key] == (rider, amount), key

    @invariant()
    def vouchers_respect_merchants_limits_and_stock(self):
        rows = db.session.execute(
            sa.select(Voucher.id, Voucher.status, Voucher.merchant_id, Voucher.redeemed_at, Voucher.expires_at,
                      Offer.merchant_id, MerchantStaff.merchant_id)
            .join(Offer, Offer.id == Voucher.offer_id)
            .outerjoin(MerchantStaff, MerchantStaff.user_id == Voucher.redeemed_by_id)
        ).all()
        for vid, status, merchant, redeemed_at, expires_at, offer_merchant, staff_merchant in rows:
            assert merchant == offer_merchant, vid
            if status == "redeemed":  # by staff of its own merchant, before it expired
                assert staff_merchant == merchant and redeemed_at < expires_at, vid
        live = db.session.execute(
            sa.select(Voucher.rider_id, Voucher.offer_id, sa.func.count())
            .where(Voucher.status.in_(("issued", "redeemed"))).group_by(Voucher.rider_id, Voucher.offer_id)
        ).all()
        held = dict.fromkeys(self.offers, 0)
        limits = dict(db.session.execute(sa.select(Offer.id, Offer.per_rider_limit)).all())
        for rider, offer, count in live:
            assert count <= limits[offer], (rider, offer, count, limits[offer])
            held[offer] += count
        for offer, stock in db.session.execute(sa.select(Offer.id, Offer.stock)):
            assert stock >= 0 and stock + held[offer] == self.initial_stock[offer], (offer, stock, held[offer])

    @invariant()
    def points_are_conserved(self):
        """Per kind, the ledger says what the sign-ups, vouchers and adjustments say; per rider and in all,
        awarded + adjusted − spent + refunded is the balance."""
        awarded = dict.fromkeys(self.riders, 0) | dict(db.session.execute(
            sa.select(Signup.rider_id, sa.func.sum(Task.points)).join(Task)
            .where(Signup.status == "attended").group_by(Signup.rider_id)
        ).all())
        spent, refunded = dict.fromkeys(self.riders, 0), dict.fromkeys(self.riders, 0)
        for rider, status, cost in db.session.execute(sa.select(Voucher.rider_id, Voucher.status,
                                                                Voucher.points_cost)):
            spent[rider] += cost
            refunded[rider] += cost if status in ("expired", "cancelled") else 0
        by_kind = dict(db.session.execute(
            sa.select(LedgerEntry.kind, sa.func.sum(LedgerEntry.amount)).group_by(LedgerEntry.kind)
        ).all())
        assert by_kind.get("award", 0) == sum(awarded.values())
        assert by_kind.get("adjustment", 0) == sum(self.adjusted.values())
        assert by_kind.get("spend", 0) == -sum(spent.values())
        assert by_kind.get("refund", 0) + by_kind.get("expiry", 0) == sum(refunded.values())
        balances = dict.fromkeys(self.riders, 0) | dict(db.session.execute(
            sa.select(PointsAccount.user_id, PointsAccount.balance)).all())
        expected = {r: awarded[r] + self.adjusted[r] - spent[r] + refunded[r] for r in self.riders}
        assert balances == expected
        assert sum(balances.values()) == sum(expected.values())
