"""The state machine of the stateful test (see :mod:`tests.unit.test_stateful`): its cast, and its rules, one
for each thing riders, coordinators and merchant staff do, each checking the service's answer against what
the rules of the domain say it must be. The invariants checked after every step are in
:mod:`tests.unit.stateful_invariants`.
"""

import shutil
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    multiple,
    precondition,
    rule,
)

from accounts.models import User
from core.errors import DomainError
from core.timeutil import utcnow
from extensions import db
from points.errors import AdjustmentWouldGoNegative, InsufficientPoints
from points.queries import balance_of
from points.services import adjust_points
from rewards import queries as reward_queries
from rewards import vouchers
from rewards.errors import (
    AlreadyRedeemed,
    LimitReached,
    OutOfStock,
    RedeemedByYou,
    VoucherCancelled,
    VoucherExpired,
    VoucherNotCancellable,
    WrongMerchant,
)
from rewards.models import Offer, Voucher
from tests.factories import make_merchant, make_offer, make_org, make_staff, make_task, make_user
from tests.unit.stateful_holds import HoldRules
from tests.unit.stateful_invariants import InvariantChecks
from volunteer import attendance, services
from volunteer.errors import (
    AttendanceNotAllowed,
    CannotCancelSignup,
    OverlappingTask,
    TaskCancelled,
    TaskEnded,
    TaskFull,
    TaskStarted,
)
from volunteer.holds import hold_until_for
from volunteer.models import Signup, Task
from volunteer.places import overlapping_booking, overlapping_hold


def busy(rider_id: int, task: Task) -> bool:
    """The rider is booked, or holds a place offered, on a task at the same time: an offer passes them over."""
    return (overlapping_booking(rider_id=rider_id, task=task) is not None
            or overlapping_hold(rider_id=rider_id, task=task) is not None)

TASKS = [  # (places, points, starts in hours): attendance opens an hour before the start
    (2, 10, 1),
    (1, 20, 1.5),
    (2, 30, 26),
]
RIDERS = 5
START_POINTS = 30
OFFERS = [  # (merchant index, points_cost, stock, per_rider_limit, validity_days)
    (0, 20, 2, 1, 1),
    (0, 10, 3, 2, 3),
    (1, 30, 2, 2, 7),
]
REASONS = ["暴雨天坚守奖励", "重复发放更正", "  补录积分  "]


def reset_database(app, database) -> None:
    """Give the app's database back its freshly migrated, empty state (see the module docstring)."""
    kind, template = database
    db.session.remove()
    if kind == "sqlite":
        db.engine.dispose()
        path = sa.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
        for suffix in ("-wal", "-shm"):
            Path(path + suffix).unlink(missing_ok=True)
        shutil.copyfile(template, path)
        return
    tables = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
    db.session.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    db.session.commit()


def attempt(action):
    """Call a service like a view does: commit on success, roll back on a domain error and return it."""
    try:
        result = action()
    except DomainError as refusal:
        db.session.rollback()
        return refusal
    db.session.commit()
    return result


class NuanxinMachine(InvariantChecks, HoldRules, RuleBasedStateMachine):
    signup_ids = Bundle("signups")
    voucher_ids = Bundle("vouchers")

    def __init__(self, app, database):
        super().__init__()
        self.context = app.app_context()
        self.context.push()
        reset_database(app, database)
        self.now = utcnow()
        org = make_org()
        self.coordinator = make_user("coordinator", organisation_id=org.id).id
        self.riders = [make_user(name=f"骑手{i}").id for i in range(RIDERS)]
        self.tasks = [
            make_task(org.id, self.coordinator, places=places, points=points,
                      starts_at=self.now + timedelta(hours=hours),
                      ends_at=self.now + timedelta(hours=hours + 2)).id
            for places, points, hours in TASKS
        ]
        merchants = [make_merchant().id, make_merchant("港城面馆").id]
        self.staff_of = {merchant: make_staff(merchant).id for merchant in merchants}
        self.offers = [
            make_offer(merchants[m], title=f"套餐{i}", points_cost=cost, stock=stock, per_rider_limit=limit,
                       validity_days=days).id
            for i, (m, cost, stock, limit, days) in enumerate(OFFERS)
        ]
        self.initial_stock = {offer: spec[2] for offer, spec in zip(self.offers, OFFERS, strict=True)}
        for rider in self.riders:  # a start, so that vouchers are within reach from the first steps
            adjust_points(rider=db.session.get(User, rider), amount=START_POINTS, reason="新人积分",
                                 actor=db.session.get(User, self.coordinator))
        db.session.commit()
        self.adjusted = dict.fromkeys(self.riders, START_POINTS)  # the model: points moved by adjustments
        self.promoted = []  # (task_id, queued_at, signup_id) of every sign-up promoted from the waitlist
        self.skipped = set()  # waiting sign-ups passed over because their rider was busy at the same time
        self.task_cancelled = False

    def teardown(self):
        db.session.remove()
        self.context.pop()

    def tick(self) -> None:
        """Every action happens a second after the previous one, so arrival order is ``queued_at`` order."""
        self.now += timedelta(seconds=1)

    def waitlist_of(self, task_id):
        """The task's waitlist as ``(task_id, queued_at, id)`` rows in queue order."""
        return [tuple(row) for row in db.session.execute(
            sa.select(Signup.task_id, Signup.queued_at, Signup.id)
            .where(Signup.task_id == task_id, Signup.status == "waitlisted")
            .order_by(Signup.queued_at, Signup.id)
        )]

    # --- volunteer rules -----------------------------------------------------------------------

    @initialize(target=signup_ids, queue=st.lists(st.tuples(st.integers(0, len(TASKS) - 1),
                                                        st.integers(0, RIDERS - 1)), max_size=8))
    def riders_queue_up(self, queue):
        """A rush of sign-ups at the start, so that full tasks and waitlists are common."""
        ids = [self.sign_up_for(task, rider, join_waitlist=True) for task, rider in queue]
        return multiple(*(i for i in ids if isinstance(i, int)))

    @rule(target=signup_ids, task=st.integers(0, len(TASKS) - 1), rider=st.integers(0, RIDERS - 1))
    def sign_up(self, task, rider):
        """A rider asks for a place (and is refused when the task is full)."""
        return self.sign_up_for(task, rider, join_waitlist=False)

    @rule(target=signup_ids, task=st.integers(0, len(TASKS) - 1), rider=st.integers(0, RIDERS - 1))
    def join_waitlist(self, task, rider):
        """A rider takes a place or, when the task is full, a place on the waitlist."""
        return self.sign_up_for(task, rider, join_waitlist=True)

    def sign_up_for(self, task, rider, join_waitlist):
        self.tick()
        task = db.session.get(Task, self.tasks[task])
        rider = db.session.get(User, self.riders[rider])
        existing = db.session.scalar(sa.select(Signup).where(Signup.task_id == task.id,
                                                             Signup.rider_id == rider.id))
        before = existing.status if existing else None
        full, cancelled, started = task.is_full, task.is_cancelled, task.has_started(self.now)
        is_busy = busy(rider.id, task)
        result = attempt(lambda: services.sign_up(task=task, rider=rider, join_waitlist=join_waitlist,
                                                  now=self.now))
        if cancelled:
            assert isinstance(result, TaskCancelled)
        elif started:
            assert isinstance(result, TaskStarted)
        elif before not in (None, "cancelled"):
            assert result.id == existing.id and result.status == before  # a double tap changes nothing
        elif is_busy:  # booked, or holding an offered place, on a task at the same time
            assert isinstance(result, OverlappingTask)
        elif full and not join_waitlist:
            assert isinstance(result, TaskFull)
        else:
            assert result.status == ("waitlisted" if full else "confirmed")
        if isinstance(result, DomainError):
            return multiple()
        return result.id

    @rule(signup=signup_ids)
    def cancel_signup(self, signup):
        self.cancel(signup)

    @rule(pick=st.integers(0, 7))
    def cancel_a_held_place(self, pick):
        """A rider with a confirmed place cancels, one of a task with a waitlist if there is one: the step
        that promotes the waitlist."""
        waiting = sa.select(Signup.task_id).where(Signup.status == "waitlisted")
        held = sa.select(Signup.id).where(Signup.status == "confirmed").order_by(Signup.id)
        candidates = (db.session.scalars(held.where(Signup.task_id.in_(waiting))).all()
                      or db.session.scalars(held).all())
        if candidates:
            self.cancel(candidates[pick % len(candidates)])

    def cancel(self, signup_id):
        self.tick()
        signup = db.session.get(Signup, signup_id)
        task = signup.task
        before, open_task, started = signup.status, not task.is_cancelled, task.has_started(self.now)
        offers = open_task and before in ("confirmed", "offered") and hold_until_for(task, self.now) is not None
        queue = self.waitlist_of(task.id)
        free = [row for row in queue if not busy(db.session.get(Signup, row[2]).rider_id, task)]
        rider = db.session.get(User, signup.rider_id)
        result = attempt(lambda: services.cancel_signup(signup=signup, rider=rider, now=self.now))
        if (started and open_task) or before in ("attended", "no_show"):
            assert isinstance(result, CannotCancelSignup)
            return
        assert result.status == "cancelled"
        still_waiting = {row[2] for row in self.waitlist_of(task.id)}
        promoted = [row for row in queue if row[2] not in still_waiting and row[2] != signup.id]
        assert promoted == free[:len(promoted)]  # the first free rider in the queue, in arrival order
        assert len(promoted) == (1 if offers and free else 0)
        if offers:  # riders booked elsewhere at the same time were passed over
            self.skipped.update(row[2] for row in queue if row not in free)
        for row in promoted:  # the freed place is held for them
            assert db.session.get(Signup, row[2]).status == "offered"
        self.promoted.extend(promoted)

    @rule(signup=signup_ids, attended=st.booleans())
    def mark_attendance(self, signup, attended):
        self.mark(signup, attended)

    @rule(pick=st.integers(0, 7), attended=st.booleans())
    def check_in_at_the_place(self, pick, attended):
        """The coordinator marks a rider who holds a place, on a task whose check-in is open if there is one."""
        opens = self.now + attendance.ATTENDANCE_OPENS_BEFORE
        holding = (sa.select(Signup.id).join(Task).where(Signup.status.in_(("confirmed", "no_show")))
                   .order_by(Signup.id))
        candidates = (db.session.scalars(holding.where(Task.starts_at <= opens, Task.status == "open")).all()
                      or db.session.scalars(holding).all())
        if candidates:
            self.mark(candidates[pick % len(candidates)], attended)

    def mark(self, signup_id, attended):
        self.tick()
        signup = db.session.get(Signup, signup_id)
        before, cancelled = signup.status, signup.task.is_cancelled
        too_early = self.now < signup.task.starts_at - attendance.ATTENDANCE_OPENS_BEFORE
        actor = db.session.get(User, self.coordinator)
        result = attempt(lambda: attendance.mark_attendance(signup=signup, attended=attended, actor=actor,
                                                          now=self.now))
        target = "attended" if attended else "no_show"
        too_late = self.now > signup.task.ends_at + attendance.correction_window()
        if (cancelled or too_early or too_late or before in ("waitlisted", "offered", "cancelled")
                or (before in ("attended", "no_show") and before != target)):  # a correction needs a reason
            assert isinstance(result, AttendanceNotAllowed)
        elif attended:
            assert result.status == "attended"
        else:
            assert result.status == "no_show"

    @precondition(lambda self: not self.task_cancelled)
    @rule(task=st.integers(0, len(TASKS) - 1))
    def cancel_task(self, task):
        self.tick()
        task = db.session.get(Task, self.tasks[task])
        ended = task.ends_at <= self.now
        actor = db.session.get(User, self.coordinator)
        result = attempt(lambda: services.cancel_task(task=task, actor=actor, now=self.now))
        if ended:
            assert isinstance(result, TaskEnded)
        else:
            assert result.status == "cancelled"
            self.task_cancelled = True

    @rule(minutes=st.integers(1, 90))
    def advance_clock(self, minutes):
        self.now += timedelta(minutes=minutes)
        self.expiry_job_runs()  # cron lapses the holds that ended meanwhile

    # --- points --------------------------------------------------------------------------------

    @rule(rider=st.integers(0, RIDERS - 1), amount=st.integers(-40, 60).filter(bool),
          reason=st.sampled_from(REASONS))
    def adjust_points(self, rider, amount, reason):
        self.tick()
        rider = db.session.get(User, self.riders[rider])
        before = balance_of(rider.id)
        actor = db.session.get(User, self.coordinator)
        result = attempt(lambda: adjust_points(rider=rider, amount=amount, reason=reason, actor=actor))
        if before + amount < 0:
            assert isinstance(result, AdjustmentWouldGoNegative)
            assert balance_of(rider.id) == before
        else:
            assert not isinstance(result, DomainError)
            self.adjusted[rider.id] += amount
            assert balance_of(rider.id) == before + amount

    # --- vouchers ------------------------------------------------------------------------------

    @rule(target=voucher_ids, offer=st.integers(0, len(OFFERS) - 1), rider=st.integers(0, RIDERS - 1))
    def redeem_offer(self, offer, rider):
        return self.redeem(self.offers[offer], self.riders[rider])

    @rule(target=voucher_ids, voucher=voucher_ids)
    def redeem_the_same_offer_again(self, voucher):
        """The rider of a voucher redeems its offer once more (a double tap, or one voucher too many)."""
        voucher = db.session.get(Voucher, voucher)
        return self.redeem(voucher.offer_id, voucher.rider_id)

    def redeem(self, offer_id, rider_id):
        self.tick()
        offer = db.session.get(Offer, offer_id)
        rider = db.session.get(User, rider_id)
        live = db.session.scalar(sa.select(sa.func.count()).select_from(Voucher).where(
            Voucher.rider_id == rider.id, Voucher.offer_id == offer.id, Voucher.status.in_(("issued", "redeemed"))))
        balance, stock, cost, limit = balance_of(rider.id), offer.stock, offer.points_cost, offer.per_rider_limit
        result = attempt(lambda: vouchers.redeem_offer(offer=offer, rider=rider, now=self.now))
        if live >= limit:
            assert isinstance(result, LimitReached)
        elif balance < cost:
            assert isinstance(result, InsufficientPoints) and result.missing == cost - balance
        elif stock == 0:
            assert isinstance(result, OutOfStock)
        else:
            assert result.status == "issued"
            assert balance_of(rider.id) == balance - cost
            return result.id
        return multiple()

    @rule(voucher=voucher_ids, wrong_staff=st.booleans())
    def confirm_voucher(self, voucher, wrong_staff):
        self.tick()
        voucher = db.session.get(Voucher, voucher)
        before, expires_at, code = voucher.status, voucher.expires_at, voucher.code
        redeemed_by, redeemed_at = voucher.redeemed_by_id, voucher.redeemed_at
        merchant = next(m for m in self.staff_of if (m != voucher.merchant_id) == wrong_staff)
        staff = db.session.get(User, self.staff_of[merchant])
        result = attempt(lambda: vouchers.confirm_voucher(code=code, staff=staff, now=self.now))
        if wrong_staff:
            assert isinstance(result, WrongMerchant)
            assert db.session.get(Voucher, voucher.id).status == before
        elif before == "redeemed":  # a retried tap of the same staff is told so, anyone else is warned
            retried = redeemed_by == staff.id and self.now - redeemed_at < vouchers.RECENT
            assert type(result) is (RedeemedByYou if retried else AlreadyRedeemed)  # exactly: one subclasses the other
        elif before == "cancelled":
            assert isinstance(result, VoucherCancelled)
        elif before == "expired" or self.now >= expires_at:
            assert isinstance(result, VoucherExpired)
        else:
            assert (result.status, result.redeemed_by_id) == ("redeemed", staff.id)

    @rule(voucher=voucher_ids)
    def cancel_voucher(self, voucher):
        self.tick()
        voucher = db.session.get(Voucher, voucher)
        before = voucher.status
        rider = db.session.get(User, voucher.rider_id)
        result = attempt(lambda: vouchers.cancel_voucher(voucher=voucher, rider=rider, now=self.now))
        if before == "issued":
            assert result.status == "cancelled"
        else:
            assert isinstance(result, VoucherNotCancellable)

    @rule(days=st.integers(0, 10))
    def expire_vouchers(self, days):
        """The nightly job, run as if ``days`` days from now (the clock itself does not move)."""
        self.tick()
        when = self.now + timedelta(days=days)
        for voucher in reward_queries.due_for_expiry(now=when):
            assert vouchers.expire_voucher(voucher, now=when)
        db.session.commit()
        assert reward_queries.due_for_expiry(now=when) == []
