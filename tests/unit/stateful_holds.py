"""The hold rules of the stateful test (a mixin of :class:`tests.unit.stateful_rules.NuanxinMachine`).

A freed place is offered to the first eligible waiting rider until ``hold_until``; these rules accept
and decline held places and let time run until the holds lapse, checking each answer against the rules
(accept only while the hold lasts; a lapsed rider goes to the back of the queue and the place is offered
to the next one). The invariants (held places count as taken, the queue is served in order) are checked
by :class:`tests.unit.stateful_invariants.InvariantChecks` after every step.
"""

from datetime import timedelta

import sqlalchemy as sa
from hypothesis import strategies as st
from hypothesis.stateful import rule

from accounts.models import User
from extensions import db
from volunteer import holds, services
from volunteer.errors import HoldEnded, OverlappingTask
from volunteer.models import Signup, Task
from volunteer.places import overlapping_booking


class HoldRules:
    """Rules about held places; the machine provides ``now``, ``tick``, ``tasks``, ``cancel``,
    ``waitlist_of``, ``promoted`` and ``skipped``."""

    def held(self):
        return db.session.scalars(sa.select(Signup).where(Signup.status == "offered").order_by(Signup.id)).all()

    @rule(pick=st.integers(0, 7))
    def accept_a_held_place(self, pick):
        """A rider taps Accept on the place held for them."""
        offered = self.held()
        if not offered:
            return
        self.tick()
        signup = offered[pick % len(offered)]
        ended = signup.hold_until <= self.now
        busy = overlapping_booking(rider_id=signup.rider_id, task=signup.task) is not None
        rider = db.session.get(User, signup.rider_id)
        from tests.unit.stateful_rules import attempt  # the machine's module imports this one

        result = attempt(lambda: services.accept_offer(signup=signup, rider=rider, now=self.now))
        if ended:
            assert isinstance(result, HoldEnded)
        elif busy:
            assert isinstance(result, OverlappingTask)
        else:
            assert result.status == "confirmed" and result.hold_until is None

    @rule(pick=st.integers(0, 7))
    def decline_a_held_place(self, pick):
        """A rider taps Decline: they leave the task and the place is offered to the next."""
        offered = self.held()
        if offered:
            self.cancel(offered[pick % len(offered)].id)

    @rule()
    def holds_run_out(self):
        """Nobody answers: the clock passes the last hold's end and the expiry job runs."""
        offered = self.held()
        if offered:
            self.now = max(s.hold_until for s in offered) + timedelta(seconds=1)
            self.expiry_job_runs()

    def expiry_job_runs(self):
        """``flask signups expire-holds``, as cron runs it every minute (so that the other rules, which tick a
        second at a time, never meet a hold that ended unnoticed): ended holds lapse to the back of the queue
        and their places are offered to the next riders, never to the one whose hold just lapsed."""
        due = {s.id for s in self.held() if s.hold_until <= self.now}
        queues = {task_id: self.waitlist_of(task_id) for task_id in self.tasks}
        holds.refresh_holds(task_ids=self.tasks, now=self.now)
        db.session.commit()
        assert self.held_ended() == 0
        for signup_id in due:
            signup = db.session.get(Signup, signup_id)
            assert (signup.status, signup.queued_at, signup.hold_until) == ("waitlisted", self.now, None)
            self.skipped.add(signup_id)
        from tests.unit.stateful_rules import busy  # the machine's module imports this one

        for task_id, queue in queues.items():
            still = {row[2] for row in self.waitlist_of(task_id)}
            task = db.session.get(Task, task_id)
            self.skipped.update(row[2] for row in queue  # passed over: busy at the same time
                                if row[2] in still and busy(db.session.get(Signup, row[2]).rider_id, task))
            offered_now = [row for row in queue if row[2] not in still]
            for row in offered_now:
                assert db.session.get(Signup, row[2]).status == "offered"
            self.promoted.extend(offered_now)

    @rule(pick=st.integers(0, 7), answer=st.sampled_from(["accept", "decline", "lapse"]))
    def a_freed_place_is_answered(self, pick, answer):
        """A rider with a place on a task with a waitlist cancels; the rider offered the place answers at once
        (or lets the hold run out): the whole journey in one step, so that Hypothesis meets it often."""
        self.cancel_a_held_place(pick)
        if not self.held():
            return
        {"accept": self.accept_a_held_place, "decline": self.decline_a_held_place,
         "lapse": lambda _pick: self.holds_run_out()}[answer](pick)

    def held_ended(self) -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(Signup)
                                 .where(Signup.status == "offered", Signup.hold_until <= self.now))
