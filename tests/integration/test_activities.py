"""Welfare activities: the coordinator's form (kind, points, rules), who may join, the list's tabs, attendance
without points, recognition (no volunteer hours; a training activity counts as training), the birth month in
the profile, and the demo's activities."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from accounts.models import User
from core.timeutil import local_today, to_local, utcnow
from points.models import LedgerEntry
from tests.factories import make_task
from tests.integration.test_coordinator_tasks import task_form
from volunteer import attendance, services
from volunteer.models import Signup, Task
from volunteer.queries import trainings_attended_by_rider, verified_minutes_by_rider, verified_service


@pytest.fixture
def rider(world, make_client):
    return make_client(world.rider)


def this_month() -> int:
    return local_today().month


def make_activity(world, ctx, title="骑手集体生日会", **fields) -> int:
    """An activity of the world's organisation in 30 minutes (sign-ups open, attendance open)."""
    with ctx() as session:
        task = make_task(world.org, world.coordinator, title=title, kind="activity",
                         **{"category": "celebration", "points": 0, **fields})
        session.commit()
        return task.id


def set_rider(ctx, rider_id, **values) -> None:
    with ctx() as session:
        user = session.get(User, rider_id)
        for name, value in values.items():
            setattr(user, name, value)
        session.commit()


def signup_count(ctx, task_id) -> int:
    with ctx() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(Signup).where(Signup.task_id == task_id))


# The coordinator's form


def test_a_coordinator_posts_an_activity_with_rules_and_blank_points_mean_none(coordinator, ctx):
    response = coordinator.post("/coordinate/tasks/new", task_form(
        title="骑手集体生日会", category="celebration", kind="activity", points="", rule_birth_month="y",
        rule_trade="food_delivery", rule_platform="  美团 ", rule_new_this_year="y"))
    assert response.status_code == 303
    with ctx() as session:
        task = session.scalar(sa.select(Task).where(Task.title == "骑手集体生日会"))
        assert (task.kind, task.points, task.rule_birth_month, task.rule_trade, task.rule_platform,
                task.rule_new_this_year) == ("activity", 0, True, "food_delivery", "美团", True)
    page = coordinator.get(response.headers["Location"]).get_data(as_text=True)
    assert "Activity" in page and "No points" in page and "Only for riders born in May" in page
    listing = coordinator.get("/coordinate/tasks", lang="zh").get_data(as_text=True)
    assert "活动" in listing and "仅限5月生日的骑手" in listing and "无积分" in listing


@pytest.mark.parametrize(("points", "message"), [("6", "An activity awards 0 to 5 points."),
                                                 ("-1", "An activity awards 0 to 5 points."),
                                                 ("abc", "Enter a whole number.")])
def test_an_activity_refuses_points_beyond_the_configured_most_and_keeps_the_input(coordinator, ctx, points,
                                                                                  message):
    response = coordinator.post("/coordinate/tasks/new", task_form(title="健康讲座", kind="activity", points=points))
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and message in page and 'value="健康讲座"' in page
    with ctx() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Task).where(Task.title == "健康讲座")) == 0


def test_a_blank_looking_trade_rule_is_refused_not_a_500(coordinator, ctx):
    response = coordinator.post("/coordinate/tasks/new", task_form(title="健康讲座", kind="activity", points="0",
                                                                   rule_trade=" "))
    assert response.status_code == 422 and 'value="健康讲座"' in response.get_data(as_text=True)
    with ctx() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Task).where(Task.title == "健康讲座")) == 0


def test_volunteer_work_ignores_rules_and_still_needs_points(coordinator, ctx):
    assert coordinator.post("/coordinate/tasks/new", task_form(
        title="路口值守", rule_birth_month="y", rule_trade="courier", rule_platform="顺丰")).status_code == 303
    with ctx() as session:
        task = session.scalar(sa.select(Task).where(Task.title == "路口值守"))
        assert (task.kind, task.rule_birth_month, task.rule_trade, task.rule_platform) == ("volunteer", False,
                                                                                           None, None)
    refused = coordinator.post("/coordinate/tasks/new", task_form(title="零分任务", points="0"), lang="zh")
    assert refused.status_code == 422 and "积分" in refused.get_data(as_text=True)


def test_the_rules_are_locked_once_a_rider_signed_up(coordinator, world, ctx):
    task_id = make_activity(world, ctx, rule_trade="food_delivery")
    with ctx() as session:
        services.sign_up(task=session.get(Task, task_id), rider=session.get(User, world.rider))
        session.commit()
    form = task_form(title="骑手集体生日会", category="celebration", kind="activity", points="0", rule_trade="courier")
    with ctx() as session:  # the form shows the task's own times; send exactly those
        task = session.get(Task, task_id)
        form.update(starts_at=to_local(task.starts_at).strftime("%Y-%m-%dT%H:%M"),
                    ends_at=to_local(task.ends_at).strftime("%Y-%m-%dT%H:%M"))
    response = coordinator.post(f"/coordinate/tasks/{task_id}/edit", form)
    assert response.status_code == 422 and "the kind and the rules of this task cannot change" in \
        response.get_data(as_text=True)
    with ctx() as session:
        assert session.get(Task, task_id).rule_trade == "food_delivery"


# Who may join


def test_a_rider_who_does_not_match_is_refused_with_the_reason_and_nothing_is_stored(rider, world, ctx):
    task_id = make_activity(world, ctx, rule_trade="courier")  # the world's rider delivers food
    response = rider.post(f"/tasks/{task_id}/signup", {"next": f"/tasks/{task_id}"}, lang="zh")
    assert response.status_code == 409
    assert "此活动不对你开放：仅限快递骑手。" in response.get_data(as_text=True)
    assert signup_count(ctx, task_id) == 0
    page = rider.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "This activity is not open to you" in page and "Only for riders in Courier" in page
    assert f'action="/tasks/{task_id}/signup"' not in page  # no button that could only be refused


def test_a_matching_rider_signs_up(make_client, world, ctx):
    task_id = make_activity(world, ctx, rule_trade="courier", rule_platform="顺丰")
    response = make_client(world.rider2).post(f"/tasks/{task_id}/signup", {"next": f"/tasks/{task_id}"})
    assert response.status_code == 303
    with ctx() as session:
        assert session.scalar(sa.select(Signup.status).where(Signup.task_id == task_id)) == "confirmed"


def test_a_rider_without_a_birth_month_is_sent_to_the_profile(rider, world, ctx):
    task_id = make_activity(world, ctx, rule_birth_month=True)
    page = rider.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "Add your birth month in your profile to join" in page and 'href="/account#birth_month"' in page
    with ctx() as session:
        month = to_local(session.get(Task, task_id).starts_at).month
    set_rider(ctx, world.rider, birth_month=month)
    page = rider.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert f'action="/tasks/{task_id}/signup"' in page


# The list's tabs


def test_activities_have_their_own_tab_and_a_rider_sees_only_those_open_to_them(rider, client, world, ctx):
    open_id = make_activity(world, ctx, title="健康讲座", category="health")
    closed_id = make_activity(world, ctx, title="快递小哥联谊会", rule_trade="courier")
    volunteer_tab = rider.get("/tasks").get_data(as_text=True)
    assert "路口交通安全劝导" in volunteer_tab and "健康讲座" not in volunteer_tab
    assert 'href="/tasks" aria-current="page"' in volunteer_tab.replace("\n     ", " ")
    activities = rider.get("/tasks?kind=activity", lang="zh").get_data(as_text=True)
    assert "健康讲座" in activities and "快递小哥联谊会" not in activities and "路口交通安全劝导" not in activities
    assert 'href="/tasks?kind=activity" aria-current="page"' in activities.replace("\n     ", " ")
    anonymous = client.get("/tasks?kind=activity").get_data(as_text=True)
    assert "健康讲座" in anonymous and "快递小哥联谊会" in anonymous and "Only for riders in Courier" in anonymous
    assert "Log in to join" in anonymous
    # the filters keep working inside the tab, and keep the tab
    health = rider.get("/tasks?kind=activity&category=health").get_data(as_text=True)
    assert "健康讲座" in health and 'name="kind" value="activity"' in health
    assert rider.get("/tasks?category=health").get_data(as_text=True).count("健康讲座") == 0
    assert f"/tasks/{open_id}" in activities and f"/tasks/{closed_id}" in anonymous


def test_my_tasks_marks_activities(rider, world, ctx):
    task_id = make_activity(world, ctx, title="健康讲座", category="health")
    rider.post(f"/tasks/{task_id}/signup", {"next": "/my/tasks"})
    page = rider.get("/my/tasks").get_data(as_text=True)
    assert "健康讲座" in page and "badge-activity" in page


# Attendance and points


def entries_of(ctx, task_id) -> int:
    with ctx() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry).join(
            Signup, Signup.id == LedgerEntry.signup_id).where(Signup.task_id == task_id))


@pytest.mark.parametrize(("points", "entries"), [(0, 0), (2, 1)])
def test_attending_an_activity_awards_its_points_if_any(coordinator, world, ctx, points, entries):
    task_id = make_activity(world, ctx, points=points)
    with ctx() as session:
        signup = services.sign_up(task=session.get(Task, task_id), rider=session.get(User, world.rider))
        session.commit()
        signup_id = signup.id
    response = coordinator.post(f"/coordinate/signups/{signup_id}/attendance", {"attended": "1"})
    assert response.status_code == 303
    assert entries_of(ctx, task_id) == entries
    with ctx() as session:
        assert session.get(Signup, signup_id).status == "attended"
    # a correction of a 0-point attendance moves nothing either
    coordinator.post(f"/coordinate/signups/{signup_id}/attendance", {"attended": "0", "reason": "没来"})
    assert entries_of(ctx, task_id) == entries * 2


def test_activities_add_no_volunteer_hours_but_a_training_activity_counts_as_training(world, ctx):
    with ctx() as session:
        past = utcnow() - timedelta(days=3)
        kinds = [("volunteer", "community", 30), ("activity", "celebration", 0), ("activity", "training", 0)]
        for kind, category, points in kinds:
            task = make_task(world.org, world.coordinator, kind=kind, category=category, points=points,
                             starts_at=past, ends_at=past + timedelta(hours=2), title=f"{kind}-{category}")
            session.add(Signup(task_id=task.id, rider_id=world.rider, status="attended", queued_at=past,
                               attendance_method="verified", checked_in_at=past, verified_minutes=120))
        session.commit()
        assert verified_minutes_by_rider(rider_ids=[world.rider]) == {world.rider: 120}
        assert [line.task_title for line in verified_service(world.rider)] == ["volunteer-community"]
        assert trainings_attended_by_rider(rider_ids=[world.rider]) == {world.rider: 1}


def test_the_attendance_service_writes_no_entry_for_a_zero_point_activity(world, ctx):
    task_id = make_activity(world, ctx)
    with ctx() as session:
        task, rider = session.get(Task, task_id), session.get(User, world.rider)
        signup = services.sign_up(task=task, rider=rider)
        attendance.mark_all_attended(task=task, actor=session.get(User, world.coordinator))
        session.commit()
        assert session.get(Signup, signup.id).status == "attended"
    assert entries_of(ctx, task_id) == 0


# The profile


def test_a_rider_sets_a_birth_month_and_it_is_in_the_data_export(rider, world, ctx):
    page = rider.get("/account", lang="zh").get_data(as_text=True)
    assert "出生月份" in page and "12月" in page
    assert rider.post("/account", {"name": "赵佳楠", "trade": "food_delivery", "platform": "美团",
                                   "birth_month": "12"}).status_code == 303
    with ctx() as session:
        assert session.get(User, world.rider).birth_month == 12
    assert rider.get("/account/data.json").get_json()["profile"]["birth_month"] == 12
    refused = rider.post("/account", {"name": "赵佳楠", "birth_month": "13"})
    assert refused.status_code == 422
    with ctx() as session:
        assert session.get(User, world.rider).birth_month == 12
    assert rider.post("/account", {"name": "赵佳楠", "birth_month": ""}).status_code == 303
    with ctx() as session:
        assert session.get(User, world.rider).birth_month is None


# The demo


def test_the_demo_has_a_birthday_party_and_a_health_talk_and_loading_again_adds_none(app, ctx, make_client):
    from demo.activities import load_activities, party_day

    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert "2 activities" in result.output, result.output
    with ctx() as session:
        party = session.scalar(sa.select(Task).where(Task.category == "celebration"))
        talk = session.scalar(sa.select(Task).where(Task.category == "health"))
        assert (party.kind, party.points, party.rule_birth_month) == ("activity", 0, True)
        assert (talk.kind, talk.points, talk.rule_birth_month) == ("activity", 2, False)
        assert to_local(party.starts_at).date() == party_day(utcnow())
        readme_rider = session.scalar(sa.select(User).where(User.phone == "13800000001"))
        assert readme_rider.birth_month == to_local(party.starts_at).month
        riders = session.scalars(sa.select(User).where(User.role == "rider")).all()
        assert sum(r.birth_month == this_month() for r in riders) >= 3 or party_day(utcnow()).month != this_month()
        assert any(r.birth_month is None for r in riders)
        orgs = sorted({party.organisation_id, talk.organisation_id})
        from accounts.models import Organisation

        organisations = session.scalars(sa.select(Organisation).order_by(Organisation.id)).all()
        assert orgs == [organisations[0].id]
        coordinators = session.scalars(sa.select(User).where(User.role == "coordinator").order_by(User.id)).all()
        assert load_activities(organisations, coordinators, riders, utcnow()) == {"activities": 0}
        session.commit()
        assert session.scalar(sa.select(sa.func.count()).select_from(Task).where(Task.kind == "activity")) == 2
        rider_id = readme_rider.id
    page = make_client(rider_id).get("/tasks?kind=activity").get_data(as_text=True)
    assert "骑手集体生日会" in page and "骑手健康讲座" in page
