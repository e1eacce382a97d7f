"""Holds under hostile and careless use: a task whose time changes while a place is held, double taps,
another rider's taps, and the one-booking-at-a-time rule when accepting."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from accounts.models import User
from core.timeutil import timespan, to_local, utcnow
from notifications.models import Notification
from tests.factories import make_held_place, make_task, make_user
from tests.pages import text_of
from volunteer import checkin, services
from volunteer.errors import TaskStarted
from volunteer.models import Signup, Task


@pytest.fixture
def held(world, ctx):
    """A one-place task in 3 hours whose place is held for the rider (rider2 cancelled it); a third waits."""
    with ctx():
        return make_held_place(world)


def status(ctx, signup_id) -> str:
    with ctx() as session:
        return session.scalar(sa.select(Signup.status).where(Signup.id == signup_id))


def edit_form(task: Task, starts_at, ends_at) -> dict:
    """The coordinator's edit form of ``task`` with new local times."""
    return {"title": task.title, "description": task.description, "category": task.category, "place": task.place,
            "latitude": "", "longitude": "", "starts_at": to_local(starts_at).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": to_local(ends_at).strftime("%Y-%m-%dT%H:%M"), "places": str(task.places),
            "points": str(task.points)}


def move_start(coordinator, ctx, app, task_id: int, starts_in: timedelta) -> None:
    with ctx() as session, app.test_request_context():
        task = session.get(Task, task_id)
        start = utcnow() + starts_in
        form = edit_form(task, start, start + timedelta(hours=1))
    response = coordinator.post(f"/coordinate/tasks/{task_id}/edit", form)
    assert response.status_code == 303


def test_a_task_moved_earlier_brings_the_hold_forward_so_it_still_ends_before_the_start(coordinator, held, ctx,
                                                                                        app):
    move_start(coordinator, ctx, app, held.task, timedelta(minutes=12))
    with ctx() as session:
        task, signup = session.get(Task, held.task), session.get(Signup, held.mine)
        assert signup.status == "offered" and task.taken == 1
        assert signup.hold_until < task.starts_at
        assert signup.hold_until <= utcnow() + timedelta(minutes=4)  # a third of the 12 minutes left
        told = session.scalars(sa.select(Notification.params).where(
            Notification.user_id == session.get(User, signup.rider_id).id,
            Notification.kind == "place_offered")).all()
        assert len(told) == 2  # the first offer, and the new time it is held until


def test_accepting_after_the_start_is_refused_even_if_a_hold_outlived_a_change_of_time(world, held, ctx):
    with ctx() as session:  # as rows written before holds were shortened on a change of time
        start = utcnow() + timedelta(minutes=5)
        session.execute(sa.update(Task).where(Task.id == held.task)
                        .values(starts_at=start, ends_at=start + timedelta(hours=1)))
        session.execute(sa.update(Signup).where(Signup.id == held.mine)
                        .values(hold_until=start + timedelta(minutes=10)))
        session.commit()
        signup = session.get(Signup, held.mine)
        with pytest.raises(TaskStarted):
            services.accept_offer(signup=signup, rider=session.get(User, world.rider),
                                  now=start + timedelta(minutes=2))
        session.rollback()
        assert session.get(Signup, held.mine).status == "offered" and session.get(Task, held.task).taken == 1


def test_a_task_moved_to_start_in_minutes_ends_the_hold_and_keeps_the_place(coordinator, make_client, world, held,
                                                                            ctx, app):
    move_start(coordinator, ctx, app, held.task, timedelta(minutes=4))
    page = text_of(make_client(world.rider).get(f"/tasks/{held.task}"))
    assert "Accept the place" not in page
    with ctx() as session:
        task = session.get(Task, held.task)
        held_or_booked = session.scalar(sa.select(sa.func.count()).select_from(Signup).where(
            Signup.task_id == held.task, Signup.status.in_(("offered", "confirmed"))))
        assert task.taken == held_or_booked  # the place is free again, not lost
        assert status(ctx, held.mine) == "waitlisted"


@pytest.mark.parametrize(("lang", "message"), [
    ("en", "A place on “暴雨天路口值守” ({when}) is held for you at the same time. Decline it first to sign up for "
           "this one."),
    ("zh", "同一时间的“暴雨天路口值守”（{when}）正为你保留着一个名额。请先放弃该名额，再报名此任务。"),
])
def test_a_rider_with_a_place_held_cannot_sign_up_at_the_same_time_until_they_decline(make_client, world, held,
                                                                                     ctx, app, lang, message):
    with ctx() as session:
        task = session.get(Task, held.task)
        other = make_task(world.other_org, world.other_coordinator, title="同时段的任务", places=2,
                          starts_at=task.starts_at + timedelta(minutes=30), ends_at=task.ends_at)
        session.commit()
        other_id = other.id
        with app.test_request_context(headers={"Accept-Language": lang}):
            when = timespan(task.starts_at, task.ends_at)
    rider = make_client(world.rider)
    refused = rider.post(f"/tasks/{other_id}/signup", htmx=True, lang=lang)
    assert refused.status_code == 409 and message.format(when=when) in text_of(refused)
    with ctx() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Signup).where(Signup.task_id == other_id)) == 0
    assert status(ctx, held.mine) == "offered"
    rider.post(f"/tasks/{held.task}/decline", htmx=True)
    assert status(ctx, held.theirs) == "offered"  # the place went on at once, not after a hold for nothing
    assert rider.post(f"/tasks/{other_id}/signup", htmx=True).status_code == 200


def test_a_rider_with_a_held_place_who_scans_the_check_in_code_is_sent_to_accept_it(make_client, world, ctx):
    with ctx() as session:  # a task starting in 30 minutes (check-in open) whose place is held for the rider
        task = make_task(world.org, world.coordinator, places=1)
        holder = services.sign_up(task=task, rider=session.get(User, world.rider2))
        mine = services.sign_up(task=task, rider=session.get(User, world.rider), join_waitlist=True)
        services.cancel_signup(signup=holder, rider=session.get(User, world.rider2))
        session.commit()
        task_id, mine_id, code = task.id, mine.id, checkin.code_for(task, "in")
    assert status(ctx, mine_id) == "offered"
    page = text_of(make_client(world.rider).get(f"/tasks/{task_id}/check-in?code={code}", lang="zh"))
    assert "已为你保留这个任务的名额：请先接受名额，再签到。" in page and f'href="/tasks/{task_id}"' in page
    assert "你在这个任务中没有名额" not in page


def test_a_place_left_free_while_the_waiting_rider_was_busy_is_offered_once_they_are_free(app, world, held, ctx):
    with ctx() as session:  # a one-place task at the same time as the rider's held place...
        task = session.get(Task, held.task)
        other = make_task(world.org, world.coordinator, title="同时段", places=1,
                          starts_at=task.starts_at, ends_at=task.ends_at)
        first = make_user(name="先来的")
        taken = services.sign_up(task=other, rider=first)
        waiting = services.sign_up(task=other, rider=session.get(User, held.third), join_waitlist=True)
        session.commit()
        services.decline_offer(signup=session.get(Signup, held.mine), rider=session.get(User, world.rider))
        session.commit()  # ...the held place went on to the third rider, who also waits on the other task
        services.cancel_signup(signup=taken, rider=first)  # a place frees up: the third rider is passed over
        session.commit()
        other_id, waiting_id = other.id, waiting.id
    assert status(ctx, held.theirs) == "offered" and status(ctx, waiting_id) == "waitlisted"
    with ctx() as session:
        services.decline_offer(signup=session.get(Signup, held.theirs), rider=session.get(User, held.third))
        session.commit()  # free again, but nothing changed on the other task
    assert status(ctx, waiting_id) == "waitlisted"
    result = app.test_cli_runner().invoke(args=["signups", "expire-holds"])
    assert result.exit_code == 0 and "0 hold(s) lapsed, 1 new offer(s) made" in result.output
    assert status(ctx, waiting_id) == "offered"
    with ctx() as session:
        assert session.get(Task, other_id).taken == 1
