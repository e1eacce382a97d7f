"""Invariant 1: capacity, waitlist order, one sign-up per rider and task."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from core.timeutil import utcnow
from tests.factories import make_org, make_task, make_user
from volunteer import services
from volunteer.errors import (
    CannotCancelSignup,
    CannotRemoveSignup,
    OverlappingTask,
    ReasonRequired,
    TaskCancelled,
    TaskFull,
    TaskStarted,
)
from volunteer.models import Signup, Task


@pytest.fixture
def setup(session):
    org = make_org()
    coordinator = make_user("coordinator", organisation_id=org.id)
    task = make_task(org.id, coordinator.id, places=2)
    riders = [make_user(name=f"骑手{i}") for i in range(5)]
    session.commit()
    return task, riders, coordinator


def statuses(session, task):
    rows = session.execute(sa.select(Signup.rider_id, Signup.status).where(Signup.task_id == task.id)
                           .order_by(Signup.id)).all()
    return dict(rows)


def test_it_confirms_riders_until_the_places_are_taken_then_refuses_a_plain_sign_up(session, setup):
    task, riders, _ = setup
    for rider in riders[:2]:
        assert services.sign_up(task=task, rider=rider).status == "confirmed"
    session.commit()
    with pytest.raises(TaskFull):
        services.sign_up(task=task, rider=riders[2])
    session.rollback()
    assert session.get(Task, task.id).taken == 2


def test_it_puts_riders_who_choose_it_on_the_waitlist_in_arrival_order(session, setup):
    task, riders, _ = setup
    now = utcnow()
    for i, rider in enumerate(riders):
        services.sign_up(task=task, rider=rider, join_waitlist=True, now=now + timedelta(seconds=i))
    session.commit()
    assert list(statuses(session, task).values()) == ["confirmed"] * 2 + ["waitlisted"] * 3
    assert session.get(Task, task.id).taken == 2


def test_a_double_tap_changes_nothing(session, setup):
    task, riders, _ = setup
    first = services.sign_up(task=task, rider=riders[0])
    second = services.sign_up(task=task, rider=riders[0])
    session.commit()
    assert first.id == second.id
    assert session.scalar(sa.select(sa.func.count()).select_from(Signup)) == 1
    assert session.get(Task, task.id).taken == 1


def test_cancelling_a_confirmed_sign_up_offers_the_place_to_the_first_on_the_waitlist(session, setup):
    task, riders, _ = setup
    now = utcnow()
    signups = [services.sign_up(task=task, rider=r, join_waitlist=True, now=now + timedelta(seconds=i))
               for i, r in enumerate(riders)]
    services.cancel_signup(signup=signups[0], rider=riders[0])
    session.commit()
    result = statuses(session, task)
    assert result[riders[0].id] == "cancelled"
    assert result[riders[2].id] == "offered"  # first in the queue: the place is held for them
    assert result[riders[3].id] == "waitlisted"
    assert session.get(Task, task.id).taken == 2


def test_cancelling_a_waitlisted_sign_up_frees_no_place(session, setup):
    task, riders, _ = setup
    signups = [services.sign_up(task=task, rider=r, join_waitlist=True) for r in riders[:3]]
    services.cancel_signup(signup=signups[2], rider=riders[2])
    session.commit()
    assert statuses(session, task)[riders[2].id] == "cancelled"
    assert session.get(Task, task.id).taken == 2


def test_signing_up_again_after_cancelling_goes_to_the_back_of_the_queue(session, setup):
    task, riders, _ = setup
    now = utcnow()
    mine = services.sign_up(task=task, rider=riders[0], now=now)
    services.sign_up(task=task, rider=riders[1], now=now + timedelta(seconds=1))
    services.sign_up(task=task, rider=riders[2], join_waitlist=True, now=now + timedelta(seconds=2))
    services.cancel_signup(signup=mine, rider=riders[0], now=now + timedelta(seconds=3))
    again = services.sign_up(task=task, rider=riders[0], join_waitlist=True, now=now + timedelta(seconds=4))
    session.commit()
    assert again.id == mine.id and again.status == "waitlisted"
    assert statuses(session, task)[riders[2].id] == "offered"


def test_more_places_are_offered_to_the_waitlist(session, setup):
    task, riders, coordinator = setup
    for r in riders[:4]:
        services.sign_up(task=task, rider=r, join_waitlist=True)
    fields = {name: getattr(task, name) for name in services.EDITABLE_FIELDS} | {"places": 3}
    services.update_task(task=task, actor=coordinator, **fields)
    session.commit()
    assert list(statuses(session, task).values()) == ["confirmed", "confirmed", "offered", "waitlisted"]


def test_it_refuses_sign_ups_to_cancelled_and_started_tasks(session, setup):
    task, riders, coordinator = setup
    started = make_task(task.organisation_id, coordinator.id, starts_at=utcnow() - timedelta(minutes=5),
                        ends_at=utcnow() + timedelta(hours=1))
    with pytest.raises(TaskStarted):
        services.sign_up(task=started, rider=riders[0])
    services.cancel_task(task=task, actor=coordinator)
    with pytest.raises(TaskCancelled):
        services.sign_up(task=task, rider=riders[0])


def test_a_rider_cannot_cancel_once_the_task_has_started(session, setup):
    task, riders, _ = setup
    signup = services.sign_up(task=task, rider=riders[0])
    with pytest.raises(CannotCancelSignup):
        services.cancel_signup(signup=signup, rider=riders[0], now=task.starts_at + timedelta(minutes=1))


# Issue 9 point 4: one place at a time, and a fair waitlist


def overlapping(task, coordinator, title="交叉班"):
    return make_task(task.organisation_id, coordinator.id, title=title, places=1,
                     starts_at=task.starts_at + timedelta(hours=1), ends_at=task.ends_at + timedelta(hours=1))


def test_a_rider_cannot_hold_places_on_two_overlapping_tasks(session, setup):
    task, riders, coordinator = setup
    other = overlapping(task, coordinator)
    services.sign_up(task=task, rider=riders[0])
    with pytest.raises(OverlappingTask) as refused:
        services.sign_up(task=other, rider=riders[0], join_waitlist=True)
    assert refused.value.details["task_id"] == task.id and "路口交通安全劝导" in refused.value.message
    session.rollback()
    assert statuses(session, other) == {}
    back_to_back = make_task(task.organisation_id, coordinator.id, starts_at=task.ends_at,
                             ends_at=task.ends_at + timedelta(hours=1))
    assert services.sign_up(task=back_to_back, rider=riders[0]).status == "confirmed"  # touching is not overlapping


def test_offers_pass_over_riders_booked_at_the_same_time_or_deactivated(session, setup):
    task, riders, coordinator = setup
    first, second = services.sign_up(task=task, rider=riders[0]), services.sign_up(task=task, rider=riders[1])
    for rider in riders[2:5]:
        services.sign_up(task=task, rider=rider, join_waitlist=True)
    other = overlapping(task, coordinator)
    assert services.sign_up(task=other, rider=riders[2]).status == "confirmed"  # the first waiting is booked now
    riders[3].active = False  # the second waiting was deactivated a moment ago
    session.commit()
    services.cancel_signup(signup=session.get(Signup, first.id), rider=riders[0])
    session.commit()
    assert statuses(session, task) == {riders[0].id: "cancelled", riders[1].id: "confirmed",
                                       riders[2].id: "waitlisted", riders[3].id: "waitlisted",
                                       riders[4].id: "offered"}
    assert session.get(Task, task.id).taken == 2 and second.id


def test_removing_a_rider_records_who_when_and_why_and_offers_the_place_to_the_waitlist(session, setup):
    task, riders, coordinator = setup
    confirmed = services.sign_up(task=task, rider=riders[0])
    services.sign_up(task=task, rider=riders[1])
    services.sign_up(task=task, rider=riders[2], join_waitlist=True)
    with pytest.raises(ReasonRequired):
        services.remove_signup(signup=confirmed, reason=" ", actor=coordinator)
    removed = services.remove_signup(signup=confirmed, reason="多次爽约", actor=coordinator)
    services.remove_signup(signup=confirmed, reason="再点一次", actor=coordinator)  # twice changes nothing
    session.commit()
    assert (removed.status, removed.removed_by_id, removed.removal_reason) == ("removed", coordinator.id, "多次爽约")
    assert statuses(session, task)[riders[2].id] == "offered"
    assert session.get(Task, task.id).taken == 2
    later = task.starts_at + timedelta(minutes=1)
    with pytest.raises(CannotRemoveSignup):
        services.remove_signup(signup=session.get(Signup, confirmed.id + 1), reason="x", actor=coordinator, now=later)
