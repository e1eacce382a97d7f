"""Holds (issue 10 point 3): a freed place is offered to one waiting rider until a time; accepted, declined or
lapsed, it is never lost and never held for two (DESIGN invariant 8)."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from accounts.models import User
from accounts.services import set_active
from core.timeutil import to_local, utcnow
from tests.factories import make_org, make_task, make_user
from volunteer import holds, services
from volunteer.errors import HoldEnded, NoHeldPlace, OverlappingTask, PlacesBelowTaken, TaskCancelled
from volunteer.models import HOLDS_PLACE, Signup, Task

HOUR = timedelta(hours=1)


@pytest.fixture
def setup(session):
    """A task with 2 places starting in 3 hours, both taken, and 3 riders waiting in arrival order."""
    org = make_org()
    coordinator = make_user("coordinator", organisation_id=org.id)
    now = utcnow()
    task = make_task(org.id, coordinator.id, places=2, starts_at=now + 3 * HOUR, ends_at=now + 5 * HOUR)
    riders = [make_user(name=f"骑手{i}") for i in range(5)]
    signups = [services.sign_up(task=task, rider=r, join_waitlist=True, now=now + timedelta(seconds=i))
               for i, r in enumerate(riders)]
    session.commit()
    return task, riders, signups, coordinator


def status_of(session, signup) -> str:
    return session.scalar(sa.select(Signup.status).where(Signup.id == signup.id))


def statuses(session, signups) -> list[str]:
    return [status_of(session, s) for s in signups]


def taken_matches_holders(session, task) -> bool:
    held = session.scalar(sa.select(sa.func.count()).select_from(Signup)
                          .where(Signup.task_id == task.id, Signup.status.in_(HOLDS_PLACE)))
    fresh = session.get(Task, task.id)
    session.refresh(fresh)
    return held == fresh.taken <= fresh.places


def test_a_cancellation_offers_the_place_to_the_first_waiting_rider_until_a_time(session, setup):
    task, riders, signups, _ = setup
    now = utcnow()
    services.cancel_signup(signup=signups[0], rider=riders[0], now=now)
    session.commit()
    assert statuses(session, signups) == ["cancelled", "confirmed", "offered", "waitlisted", "waitlisted"]
    offered = session.get(Signup, signups[2].id)
    assert offered.offered_at == now
    assert offered.hold_until == (now + timedelta(minutes=15)).replace(second=0, microsecond=0)
    assert session.get(Task, task.id).taken == 2 and taken_matches_holders(session, task)


def test_accepting_while_the_hold_lasts_confirms_and_twice_changes_nothing(session, setup):
    task, riders, signups, _ = setup
    services.cancel_signup(signup=signups[0], rider=riders[0])
    session.commit()
    accepted = services.accept_offer(signup=signups[2], rider=riders[2])
    again = services.accept_offer(signup=signups[2], rider=riders[2])
    session.commit()
    assert (accepted.status, accepted.hold_until, again.status) == ("confirmed", None, "confirmed")
    assert statuses(session, signups)[3:] == ["waitlisted", "waitlisted"]
    assert session.get(Task, task.id).taken == 2 and taken_matches_holders(session, task)


def test_accepting_after_the_hold_ended_is_refused_with_the_time_it_ended(session, setup):
    _, riders, signups, _ = setup
    services.cancel_signup(signup=signups[0], rider=riders[0])
    session.commit()
    until = session.get(Signup, signups[2].id).hold_until
    with pytest.raises(HoldEnded) as refused:
        services.accept_offer(signup=signups[2], rider=riders[2], now=until)
    session.rollback()
    assert to_local(until).strftime("%H:%M") in str(refused.value.message)  # the local time it ended
    assert status_of(session, signups[2]) == "offered"
    with pytest.raises(NoHeldPlace):
        services.accept_offer(signup=signups[3], rider=riders[3])  # nothing is held for the next one


def test_declining_cancels_the_sign_up_and_offers_the_place_to_the_next(session, setup):
    task, riders, signups, _ = setup
    services.cancel_signup(signup=signups[0], rider=riders[0])
    session.commit()
    declined = services.decline_offer(signup=signups[2], rider=riders[2])
    services.decline_offer(signup=signups[2], rider=riders[2])  # a double tap changes nothing
    session.commit()
    assert (declined.status, declined.hold_until) == ("cancelled", None)
    assert statuses(session, signups)[2:] == ["cancelled", "offered", "waitlisted"]
    assert taken_matches_holders(session, task)


def test_a_confirmed_rider_cannot_decline_their_place(session, setup):
    _, riders, signups, _ = setup
    with pytest.raises(NoHeldPlace):
        services.decline_offer(signup=signups[1], rider=riders[1])


def test_a_lapsed_hold_sends_the_rider_to_the_back_of_the_queue_and_offers_the_next(session, setup):
    task, riders, signups, _ = setup
    services.cancel_signup(signup=signups[0], rider=riders[0])
    session.commit()
    later = session.get(Signup, signups[2].id).hold_until + timedelta(seconds=1)
    assert holds.refresh_holds(task_ids=[task.id], now=later)
    session.commit()
    assert statuses(session, signups)[2:] == ["waitlisted", "offered", "waitlisted"]
    lapsed = session.get(Signup, signups[2].id)
    assert lapsed.queued_at == later and lapsed.hold_until is None
    queue = session.scalars(sa.select(Signup.id).where(Signup.task_id == task.id, Signup.status == "waitlisted")
                            .order_by(Signup.queued_at, Signup.id)).all()
    assert queue == [signups[4].id, signups[2].id]  # behind everyone who was waiting
    assert taken_matches_holders(session, task)
    assert not holds.refresh_holds(task_ids=[task.id], now=later)  # nothing more is due


def test_a_lapsed_rider_is_not_offered_the_same_place_again_in_the_same_pass(session, setup):
    task, riders, signups, _ = setup
    for signup, rider in zip(signups[3:], riders[3:], strict=True):
        services.cancel_signup(signup=signup, rider=rider)  # only one rider waits
    services.cancel_signup(signup=signups[0], rider=riders[0])
    session.commit()
    later = session.get(Signup, signups[2].id).hold_until
    assert holds.expire_holds(task.id, later) == (1, 0)
    session.commit()
    assert status_of(session, signups[2]) == "waitlisted"
    assert session.get(Task, task.id).taken == 1  # the place is free again, not lost
    # The next change that frees nothing leaves it so; a new place would be offered to them again.
    coordinator = session.get(Task, task.id).created_by_id
    fields = {name: getattr(task, name) for name in services.EDITABLE_FIELDS} | {"places": 3}
    services.update_task(task=session.get(Task, task.id), actor=session.get(User, coordinator), **fields,
                         now=later + timedelta(seconds=1))
    session.commit()
    assert status_of(session, signups[2]) == "offered" and taken_matches_holders(session, task)


def test_a_newcomer_does_not_take_the_place_of_an_ended_hold(session, setup):
    task, riders, signups, _ = setup
    services.cancel_signup(signup=signups[0], rider=riders[0])
    session.commit()
    later = session.get(Signup, signups[2].id).hold_until + timedelta(seconds=5)
    newcomer = make_user(name="新来的")
    mine = services.sign_up(task=task, rider=newcomer, join_waitlist=True, now=later)
    session.commit()
    assert mine.status == "waitlisted"
    assert statuses(session, signups)[2:] == ["waitlisted", "offered", "waitlisted"]


def test_offers_pass_over_riders_booked_elsewhere_and_deactivated_riders(session, setup):
    task, riders, signups, coordinator = setup
    other = make_task(task.organisation_id, coordinator.id, title="交叉班", places=1,
                      starts_at=task.starts_at + HOUR, ends_at=task.ends_at + HOUR)
    services.sign_up(task=other, rider=riders[2])
    riders[3].active = False
    session.commit()
    services.cancel_signup(signup=signups[0], rider=riders[0])
    session.commit()
    assert statuses(session, signups)[2:] == ["waitlisted", "waitlisted", "offered"]


def test_a_removal_and_a_deactivation_offer_the_place_and_release_a_hold(session, setup):
    task, riders, signups, coordinator = setup
    services.remove_signup(signup=signups[0], reason="多次爽约", actor=coordinator)
    session.commit()
    assert status_of(session, signups[2]) == "offered"
    set_active(user=session.get(User, riders[2].id), active=False, actor=coordinator)
    session.commit()  # the held rider's account is deactivated: their hold goes to the next
    assert statuses(session, signups)[2:] == ["cancelled", "offered", "waitlisted"]
    removed = services.remove_signup(signup=session.get(Signup, signups[3].id), reason="联系不上", actor=coordinator)
    session.commit()
    assert (removed.status, removed.hold_until) == ("removed", None)
    assert statuses(session, signups)[4:] == ["offered"] and taken_matches_holders(session, task)


def test_more_places_are_each_offered_to_the_next_waiting_rider(session, setup):
    task, _, signups, coordinator = setup
    fields = {name: getattr(task, name) for name in services.EDITABLE_FIELDS} | {"places": 4}
    services.update_task(task=task, actor=coordinator, **fields)
    session.commit()
    assert statuses(session, signups) == ["confirmed", "confirmed", "offered", "offered", "waitlisted"]
    assert session.get(Task, task.id).taken == 4 and taken_matches_holders(session, task)
    fields["places"] = 3
    with pytest.raises(PlacesBelowTaken):
        services.update_task(task=task, actor=coordinator, **fields)  # a held place is never taken away


def test_cancelling_the_task_ends_its_holds(session, setup):
    task, riders, signups, coordinator = setup
    services.cancel_signup(signup=signups[0], rider=riders[0])
    session.commit()
    services.cancel_task(task=task, actor=coordinator)
    session.commit()
    assert statuses(session, signups)[2:] == ["waitlisted", "waitlisted", "waitlisted"]
    assert session.get(Task, task.id).taken == 1 and taken_matches_holders(session, task)
    with pytest.raises(TaskCancelled):
        services.accept_offer(signup=signups[2], rider=riders[2])


def test_accepting_is_refused_while_the_rider_holds_a_place_at_the_same_time(session, setup):
    task, riders, signups, coordinator = setup
    services.cancel_signup(signup=signups[0], rider=riders[0])
    other = make_task(task.organisation_id, coordinator.id, title="交叉班", places=1,
                      starts_at=task.starts_at + HOUR, ends_at=task.ends_at + HOUR)
    session.commit()
    with pytest.raises(OverlappingTask):  # a place is held for them at the same time: decline it first
        services.sign_up(task=other, rider=riders[2])
    session.rollback()
    session.add(Signup(task_id=other.id, rider_id=riders[2].id, status="confirmed", queued_at=utcnow()))
    session.execute(sa.update(Task).where(Task.id == other.id).values(taken=1))  # booked before that rule
    session.commit()
    with pytest.raises(OverlappingTask):
        services.accept_offer(signup=signups[2], rider=riders[2])


@pytest.mark.parametrize(("left", "hold"), [
    (timedelta(hours=3), timedelta(minutes=15)),   # the configured hold
    (timedelta(minutes=30), timedelta(minutes=10)),  # a third of the time left
    (timedelta(minutes=7), timedelta(minutes=2)),  # 2 min 20 s, rounded down to the minute
    (timedelta(minutes=6), timedelta(minutes=2)),  # just enough
    (timedelta(minutes=5, seconds=59), None),  # under 2 minutes once rounded down: the task is about to start
    (-timedelta(minutes=5), None),  # started
])
def test_the_hold_lasts_15_minutes_at_most_a_third_of_the_time_left_and_at_least_2(session, left, hold):
    now = datetime(2026, 12, 9, 6, 20, 0, tzinfo=UTC)
    task = Task(starts_at=now + left, ends_at=now + left + HOUR)
    until = holds.hold_until_for(task, now)
    assert until == (None if hold is None else now + hold)
    if until is not None:
        assert until < task.starts_at


def test_a_hold_ends_on_a_whole_minute_so_the_time_shown_is_exact(session):
    now = datetime(2026, 12, 9, 6, 20, 40, tzinfo=UTC)
    task = Task(starts_at=now + 3 * HOUR, ends_at=now + 4 * HOUR)
    assert holds.hold_until_for(task, now) == datetime(2026, 12, 9, 6, 35, tzinfo=UTC)


def test_no_offer_is_made_when_the_task_is_about_to_start(session, setup):
    task, riders, signups, _ = setup
    soon = task.starts_at - timedelta(minutes=5)
    services.cancel_signup(signup=signups[0], rider=riders[0], now=soon)
    session.commit()
    assert statuses(session, signups)[2:] == ["waitlisted"] * 3
    assert session.get(Task, task.id).taken == 1


def test_without_holds_the_first_waiting_rider_is_confirmed_at_once(session, setup, app, monkeypatch):
    monkeypatch.setitem(app.config, "SIGNUP_HOLD_MINUTES", 0)
    task, riders, signups, _ = setup
    services.cancel_signup(signup=signups[0], rider=riders[0])
    session.commit()
    assert statuses(session, signups) == ["cancelled", "confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert session.get(Signup, signups[2].id).hold_until is None and taken_matches_holders(session, task)


def test_the_database_refuses_an_offer_without_a_hold_time_and_more_holders_than_places(session, setup):
    task, _, signups, _ = setup
    with pytest.raises(sa.exc.IntegrityError):
        session.execute(sa.update(Signup).where(Signup.id == signups[2].id).values(status="offered"))
    session.rollback()
    with pytest.raises(sa.exc.IntegrityError):
        session.execute(sa.update(Task).where(Task.id == task.id).values(taken=Task.taken + 1))
    session.rollback()


def notes_of(session, user_id) -> list:
    from notifications.models import Notification

    return session.scalars(sa.select(Notification).where(Notification.user_id == user_id)
                           .order_by(Notification.id)).all()


def test_an_offer_tells_the_rider_in_the_inbox_and_by_sms_in_the_same_transaction(session, setup):
    import json

    from notifications.models import SmsMessage

    task, riders, signups, _ = setup
    services.cancel_signup(signup=signups[0], rider=riders[0])
    session.commit()
    until = session.get(Signup, signups[2].id).hold_until
    [note] = notes_of(session, riders[2].id)
    assert (note.kind, note.link) == ("place_offered", f"/tasks/{task.id}")
    assert json.loads(note.params) == {"title": task.title, "starts_at": task.starts_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                                       "hold_until": until.strftime("%Y-%m-%dT%H:%M:%SZ")}
    assert note.dedupe_key == f"offer:{signups[2].id}:{until.strftime('%Y-%m-%dT%H:%M:%SZ')}"
    sms = session.scalars(sa.select(SmsMessage).where(SmsMessage.user_id == riders[2].id)).all()
    assert [(m.kind, m.urgent) for m in sms] == [("place_offered", False)]  # the task starts in 3 hours
    assert notes_of(session, riders[3].id) == []


def test_an_offer_for_a_task_within_the_hour_is_urgent_and_a_refused_step_writes_nothing(session, setup):
    from notifications.models import SmsMessage

    task, riders, signups, _ = setup
    soon = task.starts_at - timedelta(minutes=40)
    services.cancel_signup(signup=signups[0], rider=riders[0], now=soon)
    session.rollback()  # the view rolled back: no offer, no message
    assert notes_of(session, riders[2].id) == []
    services.cancel_signup(signup=session.get(Signup, signups[0].id), rider=riders[0], now=soon)
    session.commit()
    assert session.scalars(sa.select(SmsMessage.urgent).where(SmsMessage.user_id == riders[2].id)).all() == [True]


def test_without_holds_the_rider_is_told_they_have_the_place(session, setup, app, monkeypatch):
    monkeypatch.setitem(app.config, "SIGNUP_HOLD_MINUTES", 0)
    _, riders, signups, _ = setup
    services.cancel_signup(signup=signups[0], rider=riders[0])
    session.commit()
    assert [n.kind for n in notes_of(session, riders[2].id)] == ["promoted"]


def test_a_rider_with_a_held_place_cannot_check_in_until_they_accept(session, setup):
    from volunteer import checkin
    from volunteer.errors import NoPlaceOnTask

    task, riders, signups, _ = setup
    soon = task.starts_at - timedelta(minutes=45)  # check-in is open, the hold (15 min) still runs
    services.cancel_signup(signup=signups[0], rider=riders[0], now=soon)
    session.commit()
    with pytest.raises(NoPlaceOnTask):
        checkin.check_in(task=task, rider=riders[2], code=checkin.code_for(task, "in", soon), now=soon)
    session.rollback()
    services.accept_offer(signup=session.get(Signup, signups[2].id), rider=riders[2], now=soon)
    checked = checkin.check_in(task=task, rider=riders[2], code=checkin.code_for(task, "in", soon), now=soon)
    session.commit()
    assert checked.checked_in_at == soon and checked.attendance_method == "verified"


def test_a_rider_holding_an_offer_at_the_same_time_is_passed_over_so_no_place_waits_for_nothing(session, setup):
    task, riders, signups, coordinator = setup
    other = make_task(task.organisation_id, coordinator.id, title="交叉班", places=1,
                      starts_at=task.starts_at + HOUR, ends_at=task.ends_at + HOUR)
    someone = make_user(name="别人")
    first = services.sign_up(task=other, rider=someone)
    theirs = services.sign_up(task=other, rider=riders[2], join_waitlist=True)
    services.cancel_signup(signup=first, rider=someone)  # the other task's place is held for rider 2
    session.commit()
    assert status_of(session, theirs) == "offered"
    services.cancel_signup(signup=signups[1], rider=riders[1])  # a place here frees up: rider 2 is first
    session.commit()
    assert statuses(session, signups)[2:] == ["waitlisted", "offered", "waitlisted"]
    services.decline_offer(signup=session.get(Signup, theirs.id), rider=riders[2])  # they keep their turn here
    session.commit()
    assert status_of(session, signups[2]) == "waitlisted" and taken_matches_holders(session, task)
