"""Riders hear about their tasks: a changed or cancelled task, a removal, attendance and its corrections, and
a reminder before the start. Each notification is written with its event (and not when the event was refused
or rolled back), and the inbox shows it in the rider's own language."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from accounts.models import User
from core.timeutil import to_local, utcnow
from extensions import db
from notifications.models import Notification
from tests.factories import make_task, make_user
from volunteer import attendance, services
from volunteer.errors import CorrectionNeedsReason, PlacesBelowTaken, ReasonRequired, TaskEnded
from volunteer.models import Signup, Task
from volunteer.reminders import remind_riders_of_tasks


def notes(ctx, kind=None) -> list[tuple]:
    """(rider id, kind, params, link) of every notification (of ``kind``), oldest first."""
    with ctx() as session:
        query = sa.select(Notification).order_by(Notification.id)
        if kind:
            query = query.where(Notification.kind == kind)
        return [(n.user_id, n.kind, n.values, n.link) for n in session.scalars(query)]


def fields_of(task: Task, **changes) -> dict:
    return {name: getattr(task, name) for name in services.EDITABLE_FIELDS} | changes


@pytest.fixture
def riders(world, ctx):
    """On the world's task (3 places, starts in 30 minutes): a confirmed rider who reads Chinese, a confirmed
    one who reads English, one waiting (the task is full), and one who cancelled."""
    with ctx() as session:
        task = session.get(Task, world.task)
        task.places = 2
        zh, en = session.get(User, world.rider), session.get(User, world.rider2)
        zh.language, en.language = "zh", "en"
        waiting, gone = make_user(name="李等候", language="en"), make_user(name="王取消", language="zh")
        for rider in (zh, en, waiting, gone):
            services.sign_up(task=task, rider=rider, join_waitlist=True)
        signup = session.scalar(sa.select(Signup).where(Signup.rider_id == gone.id))
        services.cancel_signup(signup=signup, rider=gone)
        session.commit()
        statuses = session.scalars(sa.select(Signup.status).where(Signup.task_id == task.id).order_by(Signup.id))
        assert list(statuses) == ["confirmed", "confirmed", "waitlisted", "cancelled"]
        return {"zh": zh.id, "en": en.id, "waiting": waiting.id, "gone": gone.id}


def inbox(make_client, user_id) -> str:
    return make_client(user_id).get("/inbox").get_data(as_text=True)


def test_a_new_time_or_place_tells_riders_with_a_place_or_waiting_in_their_language(ctx, world, riders,
                                                                                    make_client):
    with ctx() as session:
        task = session.get(Task, world.task)
        new_start = task.starts_at + timedelta(hours=1)
        services.update_task(task=task, actor=session.get(User, world.coordinator),
                             **fields_of(task, place="杨舍镇步行街南口", starts_at=new_start,
                                         ends_at=new_start + timedelta(hours=2)))
        session.commit()
        expected_start = new_start.strftime("%Y-%m-%dT%H:%M:%SZ")
    link = f"/tasks/{world.task}"
    params = {"title": "路口交通安全劝导", "starts_at": expected_start, "place": "杨舍镇步行街南口"}
    assert notes(ctx) == [(riders[who], "task_changed", params, link) for who in ("zh", "en", "waiting")]
    assert "“路口交通安全劝导”有变更" in inbox(make_client, riders["zh"])
    assert "地点杨舍镇步行街南口" in inbox(make_client, riders["zh"])
    english = inbox(make_client, riders["en"])
    assert "路口交通安全劝导 has changed" in english and "at 杨舍镇步行街南口." in english
    assert "路口交通安全劝导" not in inbox(make_client, riders["gone"])  # who cancelled hears nothing


def test_a_new_title_or_description_tells_nobody(ctx, world, riders):
    with ctx() as session:
        task = session.get(Task, world.task)
        services.update_task(task=task, actor=session.get(User, world.coordinator),
                             **fields_of(task, title="路口文明劝导", description="戴好头盔"))
        session.commit()
    assert notes(ctx) == []


def test_a_refused_change_tells_nobody(ctx, world, riders):
    with ctx() as session:
        task = session.get(Task, world.task)
        with pytest.raises(PlacesBelowTaken):
            services.update_task(task=task, actor=session.get(User, world.coordinator),
                                 **fields_of(task, place="别处", places=1))
        session.rollback()
    assert notes(ctx) == []


def test_the_coordinator_page_change_tells_the_riders_once(ctx, world, riders, make_client):
    coordinator = make_client(world.coordinator)
    with ctx() as session:
        task = session.get(Task, world.task)
        form = {name: getattr(task, name) for name in ("title", "description", "category", "places", "points")}
    with ctx():
        start, end = to_local(task.starts_at), to_local(task.ends_at)
    form |= {"place": "港城大道路口", "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
             "ends_at": end.strftime("%Y-%m-%dT%H:%M")}
    response = coordinator.post(f"/coordinate/tasks/{world.task}/edit", form)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    assert [(user, kind) for user, kind, _params, _link in notes(ctx)] == [
        (riders["zh"], "task_changed"), (riders["en"], "task_changed"), (riders["waiting"], "task_changed")]


def test_cancelling_a_task_tells_its_riders_once(ctx, world, riders, make_client):
    with ctx() as session:
        task, coordinator = session.get(Task, world.task), session.get(User, world.coordinator)
        services.cancel_task(task=task, actor=coordinator)
        services.cancel_task(task=task, actor=coordinator)  # a double tap
        session.commit()
    assert [(user, kind) for user, kind, _params, _link in notes(ctx)] == [
        (riders["zh"], "task_cancelled"), (riders["en"], "task_cancelled"), (riders["waiting"], "task_cancelled")]
    chinese = inbox(make_client, riders["zh"])
    assert "“路口交通安全劝导”（" in chinese and "）已取消。" in chinese
    assert "路口交通安全劝导 on " in inbox(make_client, riders["en"])


def test_cancelling_a_task_that_ended_tells_nobody(ctx, world, riders):
    with ctx() as session:
        task = session.get(Task, world.task)
        with pytest.raises(TaskEnded):
            services.cancel_task(task=task, actor=session.get(User, world.coordinator), now=task.ends_at)
        session.rollback()
    assert notes(ctx) == []


def test_a_removed_rider_hears_why(ctx, world, riders, make_client):
    with ctx() as session:
        signup = session.scalar(sa.select(Signup).where(Signup.rider_id == riders["zh"], Signup.task_id == world.task))
        coordinator = session.get(User, world.coordinator)
        with pytest.raises(ReasonRequired):
            services.remove_signup(signup=signup, reason=" ", actor=coordinator)
        session.rollback()
        assert notes(ctx) == []
        services.remove_signup(signup=signup, reason="本周已排满", actor=coordinator)
        session.commit()
    removed = {"title": "路口交通安全劝导", "reason": "本周已排满"}
    assert notes(ctx, "signup_removed") == [(riders["zh"], "signup_removed", removed, f"/tasks/{world.task}")]
    assert "你报名的“路口交通安全劝导”已被移除。原因：本周已排满" in inbox(make_client, riders["zh"])


def test_attendance_and_its_corrections_tell_the_rider(ctx, world, riders, make_client):
    with ctx() as session:
        signup = session.scalar(sa.select(Signup).where(Signup.rider_id == riders["en"], Signup.task_id == world.task))
        coordinator = session.get(User, world.coordinator)
        attendance.mark_attendance(signup=signup, attended=True, actor=coordinator)
        attendance.mark_attendance(signup=signup, attended=True, actor=coordinator)  # a double tap
        session.commit()
        with pytest.raises(CorrectionNeedsReason):
            attendance.mark_attendance(signup=signup, attended=False, actor=coordinator)
        session.rollback()
        assert len(notes(ctx)) == 1
        attendance.mark_attendance(signup=signup, attended=False, actor=coordinator, reason="没有到场")
        attendance.mark_attendance(signup=signup, attended=True, actor=coordinator, reason="其实到了")
        session.commit()
    points = {"title": "路口交通安全劝导", "points": 30}
    assert notes(ctx) == [
        (riders["en"], "attendance_recorded", points, "/wallet"),
        (riders["en"], "attendance_reversed", points | {"reason": "没有到场"}, "/wallet"),
        (riders["en"], "attendance_recorded", points, "/wallet"),
    ]
    page = inbox(make_client, riders["en"])
    assert "Your attendance at 路口交通安全劝导 was corrected: 30 points taken back. Reason: 没有到场" in page
    assert page.count("Your attendance at 路口交通安全劝导 is recorded: 30 points.") == 2


def test_marking_a_no_show_tells_nothing_and_a_later_correction_to_attended_does(ctx, world, riders, make_client):
    with ctx() as session:
        signup = session.scalar(sa.select(Signup).where(Signup.rider_id == riders["zh"], Signup.task_id == world.task))
        coordinator = session.get(User, world.coordinator)
        attendance.mark_attendance(signup=signup, attended=False, actor=coordinator)
        session.commit()
        assert notes(ctx) == []
        attendance.mark_attendance(signup=signup, attended=True, actor=coordinator, reason="补登记")
        session.commit()
    assert [kind for _user, kind, _params, _link in notes(ctx)] == ["attendance_recorded"]
    assert "你参加“路口交通安全劝导”的出勤已记录：30积分。" in inbox(make_client, riders["zh"])


def test_the_reminder_tells_confirmed_riders_of_tasks_starting_soon_once(app, ctx, world, riders, make_client):
    with ctx() as session:
        later = utcnow() + timedelta(hours=3)  # beyond the 2 hours: not yet
        make_task(world.org, world.coordinator, title="三小时后", starts_at=later, ends_at=later + timedelta(hours=1))
        soon = utcnow() + timedelta(hours=1)
        cancelled = make_task(world.org, world.coordinator, title="已取消", starts_at=soon,
                              ends_at=soon + timedelta(hours=1))
        session.add(Signup(task_id=cancelled.id, rider_id=world.rider, status="confirmed"))
        cancelled.status, cancelled.taken = "cancelled", 1
        session.commit()
    with app.app_context():
        first = remind_riders_of_tasks(now=utcnow())
        again = remind_riders_of_tasks(now=utcnow())
        db.session.commit()
    assert (first, again) == (2, 0)
    assert [(user, kind, params["title"]) for user, kind, params, _link in notes(ctx)] == [
        (riders["zh"], "task_reminder", "路口交通安全劝导"), (riders["en"], "task_reminder", "路口交通安全劝导")]
    assert "“路口交通安全劝导”将于" in inbox(make_client, riders["zh"])
    assert "路口交通安全劝导 starts " in inbox(make_client, riders["en"])


def test_flask_notify_remind_runs_the_task_reminder_within_the_configured_minutes(make_app, ctx, world, riders):
    too_early = make_app(NOTIFY_REMIND_BEFORE_MINUTES=20)  # the task starts in 30 minutes
    assert "remind_riders_of_tasks: 0" in too_early.test_cli_runner().invoke(args=["notify", "remind"]).output
    assert notes(ctx) == []
    runner = make_app().test_cli_runner()
    assert "remind_riders_of_tasks: 2" in runner.invoke(args=["notify", "remind"]).output
    assert "remind_riders_of_tasks: 0" in runner.invoke(args=["notify", "remind"]).output
    assert len(notes(ctx, "task_reminder")) == 2


def test_a_task_moved_to_another_day_after_its_reminder_is_reminded_of_again(app, ctx, world, riders):
    with app.app_context():
        assert remind_riders_of_tasks(now=utcnow()) == 2  # the world's task starts in 30 minutes
        db.session.commit()
    with ctx() as session:
        task = session.get(Task, world.task)
        fields = {name: getattr(task, name) for name in services.EDITABLE_FIELDS}
        fields |= {"starts_at": task.starts_at + timedelta(days=1), "ends_at": task.ends_at + timedelta(days=1)}
        services.update_task(task=task, actor=session.get(User, world.coordinator), **fields)
        session.commit()
    with app.app_context():
        assert remind_riders_of_tasks(now=utcnow()) == 0  # not yet: it starts tomorrow
        assert remind_riders_of_tasks(now=utcnow() + timedelta(days=1)) == 2  # the day after: the new start
        db.session.commit()
    assert len(notes(ctx, "task_reminder")) == 4
