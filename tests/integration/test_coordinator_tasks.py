"""Coordinators' task pages: posting, editing and cancelling tasks, and the task routes closed to other
organisations."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from accounts.models import User
from points.queries import balance_of
from tests.factories import make_task, make_user
from tests.pages import input_value, text_of
from volunteer import services
from volunteer.models import Signup, Task

START = datetime(2030, 5, 1, 1, 30, tzinfo=UTC)  # 09:30 in Asia/Shanghai
END = datetime(2030, 5, 1, 3, 30, tzinfo=UTC)  # 11:30 in Asia/Shanghai


def task_form(**overrides) -> dict:
    """What a coordinator types into the task form (local Asia/Shanghai times)."""
    data = {"title": "路口交通安全劝导", "description": "请提前到场", "category": "traffic_safety",
            "place": "杨舍镇步行街北口", "latitude": "", "longitude": "", "starts_at": "2030-05-01T09:30",
            "ends_at": "2030-05-01T11:30", "places": "3", "points": "30"}
    data.update(overrides)
    return data


def task_count(ctx) -> int:
    with ctx() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(Task))


# Posting a task


def test_posting_a_task_stores_it_with_utc_times_and_opens_its_page(world, coordinator, ctx):
    response = coordinator.post("/coordinate/tasks/new", task_form(title="  社区巡逻  ", category="patrol"))
    assert response.status_code == 303
    with ctx() as session:
        task = session.scalar(sa.select(Task).where(Task.title == "社区巡逻"))
        assert task is not None
        assert response.headers["Location"] == f"/coordinate/tasks/{task.id}"
        assert (task.starts_at, task.ends_at) == (START, END)
        assert (task.organisation_id, task.created_by_id) == (world.org, world.coordinator)
        assert (task.category, task.places, task.points, task.taken, task.status) == ("patrol", 3, 30, 0, "open")
    page = text_of(coordinator.get(response.headers["Location"]))
    assert "Task posted. Riders can sign up now." in page
    assert "社区巡逻" in page


def test_the_new_task_form_opens_empty_for_a_coordinator(coordinator):
    response = coordinator.get("/coordinate/tasks/new")
    assert response.status_code == 200
    assert "Post a task" in text_of(response)
    assert input_value(response, "title") in (None, "")


@pytest.mark.parametrize(("overrides", "message", "kept_field"), [
    ({"title": ""}, "Enter a title.", "place"),
    ({"title": "长" * 101}, "At most 100 characters.", "title"),
    ({"ends_at": "2030-05-01T08:00"}, "The end must be after the start.", "ends_at"),
    ({"places": "0"}, "Places must be between 1 and 1000.", "places"),
    ({"places": "-2"}, "Places must be between 1 and 1000.", "places"),
    ({"points": "0"}, "Points must be between 1 and 10000.", "points"),
    ({"points": "-5"}, "Points must be between 1 and 10000.", "points"),
    ({"places": "abc"}, "Enter a whole number.", "places"),
    ({"points": "abc"}, "Enter a whole number.", "points"),
    ({"starts_at": "2020-01-01T09:00", "ends_at": "2020-01-01T11:00"}, "The start must be in the future.",
     "starts_at"),
    ({"places": "99999999999999999999"}, "Places must be between 1 and 1000.", "places"),
    ({"points": "99999999999999999999"}, "Points must be between 1 and 10000.", "points"),
    ({"latitude": "91"}, "Latitude is between -90 and 90.", "latitude"),
    ({"longitude": "abc"}, "Enter a number like 31.87.", "longitude"),
    pytest.param({"starts_at": "next tuesday"}, "Enter a date and time like 2026-12-24 09:30.", "starts_at"),
], ids=["empty-title", "long-title", "end-before-start", "zero-places", "negative-places", "zero-points",
        "negative-points", "junk-places", "junk-points", "start-in-past", "huge-places", "huge-points",
        "latitude-91", "junk-longitude", "junk-start"])
def test_it_refuses_an_invalid_task_and_shows_the_form_again_with_what_was_typed(
        coordinator, ctx, overrides, message, kept_field):
    before = task_count(ctx)
    data = task_form(**overrides)
    response = coordinator.post("/coordinate/tasks/new", data)
    assert response.status_code == 422
    page = text_of(response)
    assert message in page
    assert "Post a task" in page
    assert input_value(response, kept_field) == data[kept_field]
    assert task_count(ctx) == before


def test_it_refuses_a_task_that_ends_before_it_starts(coordinator, ctx):
    before = task_count(ctx)
    response = coordinator.post("/coordinate/tasks/new", task_form(ends_at="2030-05-01T09:00"))
    assert response.status_code == 422
    assert "The end must be after the start." in text_of(response)
    assert input_value(response, "starts_at") == "2030-05-01T09:30"
    assert input_value(response, "ends_at") == "2030-05-01T09:00"
    assert input_value(response, "title") == "路口交通安全劝导"
    assert task_count(ctx) == before


def test_it_refuses_a_title_of_only_spaces(coordinator, ctx):
    before = task_count(ctx)
    response = coordinator.post("/coordinate/tasks/new", task_form(title="   "))
    assert response.status_code == 422
    assert "Enter a title." in text_of(response)
    assert task_count(ctx) == before


def test_a_refusal_is_shown_in_chinese_to_a_chinese_coordinator(coordinator):
    response = coordinator.post("/coordinate/tasks/new", task_form(title=""), lang="zh")
    assert response.status_code == 422
    page = text_of(response)
    assert "请输入标题。" in page
    assert "Enter a title." not in page


def test_riders_cannot_post_tasks(world, make_client, ctx):
    before = task_count(ctx)
    assert make_client(world.rider).post("/coordinate/tasks/new", task_form()).status_code == 403
    assert task_count(ctx) == before


# Editing a task


@pytest.fixture
def two_riders_task(world, ctx):
    """A task with two places, both taken; returns its id."""
    with ctx() as session:
        task = make_task(world.org, world.coordinator, starts_at=START, ends_at=END, places=2)
        for rider_id in (world.rider, world.rider2):
            services.sign_up(task=task, rider=session.get(User, rider_id))
        session.commit()
        return task.id


def test_the_edit_form_shows_the_task_in_local_time(coordinator, two_riders_task):
    response = coordinator.get(f"/coordinate/tasks/{two_riders_task}/edit")
    assert response.status_code == 200
    assert input_value(response, "starts_at") == "2030-05-01T09:30"
    assert input_value(response, "ends_at") == "2030-05-01T11:30"
    assert input_value(response, "places") == "2"


def test_editing_a_task_saves_the_changes(coordinator, ctx, two_riders_task):
    response = coordinator.post(f"/coordinate/tasks/{two_riders_task}/edit",
                                task_form(title="路口劝导（改）", places="4", points="50", ends_at="2030-05-01T12:00"))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/coordinate/tasks/{two_riders_task}"
    with ctx() as session:
        task = session.get(Task, two_riders_task)
        assert (task.title, task.places, task.points, task.taken) == ("路口劝导（改）", 4, 50, 2)
        assert task.ends_at == datetime(2030, 5, 1, 4, 0, tzinfo=UTC)
    assert "Task updated." in text_of(coordinator.get(response.headers["Location"]))


def test_it_refuses_fewer_places_than_riders_already_hold(coordinator, ctx, two_riders_task):
    response = coordinator.post(f"/coordinate/tasks/{two_riders_task}/edit",
                                task_form(title="改了标题", places="1"))
    assert response.status_code == 422
    assert "2 riders already hold a place; places cannot be fewer." in text_of(response)
    assert input_value(response, "places") == "1"
    assert input_value(response, "title") == "改了标题"
    with ctx() as session:
        task = session.get(Task, two_riders_task)
        assert (task.title, task.places, task.taken) == ("路口交通安全劝导", 2, 2)


def test_more_places_are_offered_to_the_waitlist_in_order(world, coordinator, ctx):
    with ctx() as session:
        task = make_task(world.org, world.coordinator, starts_at=START, ends_at=END, places=1)
        riders = [session.get(User, world.rider), session.get(User, world.rider2), make_user(name="第三位")]
        signups = [services.sign_up(task=task, rider=r, join_waitlist=True) for r in riders]
        session.commit()
        task_id, ids = task.id, [s.id for s in signups]
    response = coordinator.post(f"/coordinate/tasks/{task_id}/edit", task_form(places="2"))
    assert response.status_code == 303
    with ctx() as session:
        statuses = [session.get(Signup, i).status for i in ids]
        assert statuses == ["confirmed", "offered", "waitlisted"]
        assert session.get(Task, task_id).taken == 2
    line = next(line for line in text_of(coordinator.get("/coordinate/tasks")).splitlines() if "2/2" in line)
    assert "2/2 places · 1 held for a rider · 1 waiting" in line  # the held place is counted apart


def test_editing_refuses_an_end_before_the_start_and_keeps_the_input(coordinator, ctx, two_riders_task):
    response = coordinator.post(f"/coordinate/tasks/{two_riders_task}/edit",
                                task_form(ends_at="2030-05-01T09:00"))
    assert response.status_code == 422
    assert "The end must be after the start." in text_of(response)
    assert input_value(response, "ends_at") == "2030-05-01T09:00"
    with ctx() as session:
        assert session.get(Task, two_riders_task).ends_at == END


def test_a_cancelled_task_cannot_be_edited(world, coordinator, ctx):
    coordinator.post(f"/coordinate/tasks/{world.task}/cancel")
    response = coordinator.post(f"/coordinate/tasks/{world.task}/edit", task_form(title="取消后再改"))
    assert response.status_code == 303
    assert "A cancelled task cannot be edited." in text_of(coordinator.get(response.headers["Location"]))
    assert coordinator.get(f"/coordinate/tasks/{world.task}/edit").status_code == 303
    with ctx() as session:
        assert session.get(Task, world.task).title == "路口交通安全劝导"


# Cancelling a task


def test_cancelling_a_task_shows_the_notice_on_the_riders_tasks_page(world, coordinator, make_client, ctx,
                                                                     signed_up):
    rider = make_client(world.rider)
    assert "No need to come" not in text_of(rider.get("/my/tasks"))
    response = coordinator.post(f"/coordinate/tasks/{world.task}/cancel")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/coordinate/tasks/{world.task}"
    with ctx() as session:
        task = session.get(Task, world.task)
        assert task.status == "cancelled" and task.cancelled_at is not None
    detail = text_of(coordinator.get(f"/coordinate/tasks/{world.task}"))
    assert "This task is cancelled." in detail
    assert "Task cancelled. Signed-up riders see it on their tasks page." in detail
    page = text_of(rider.get("/my/tasks"))
    assert "The organiser cancelled this task. No need to come." in page
    assert "路口交通安全劝导" in page


def test_attendance_cannot_be_marked_on_a_cancelled_task(world, coordinator, ctx, signed_up):
    coordinator.post(f"/coordinate/tasks/{world.task}/cancel")
    response = coordinator.post(f"/coordinate/signups/{signed_up}/attendance", {"attended": "1"}, htmx=True)
    assert response.status_code == 409
    assert "The task was cancelled." in text_of(response)
    with ctx():
        assert balance_of(world.rider) == 0


# Another organisation's coordinator


OTHER_ORG_ROUTES = [
    ("get", "/coordinate/tasks/{task}"),
    ("get", "/coordinate/tasks/{task}/edit"),
    ("post", "/coordinate/tasks/{task}/edit"),
    ("post", "/coordinate/tasks/{task}/cancel"),
    ("post", "/coordinate/tasks/{task}/attendance"),
    ("post", "/coordinate/signups/{signup}/attendance"),
]


@pytest.mark.parametrize(("method", "route"), OTHER_ORG_ROUTES, ids=[f"{m} {r}" for m, r in OTHER_ORG_ROUTES])
def test_a_coordinator_of_another_organisation_is_refused_every_task_route(world, make_client, ctx, signed_up,
                                                                          method, route):
    other = make_client(world.other_coordinator)
    url = route.format(task=world.task, signup=signed_up)
    if method == "get":
        response = other.get(url)
    else:
        response = other.post(url, task_form(title="别人改的", places="9", attended="1"))
    assert response.status_code == 403
    assert "Your account cannot open this page." in text_of(response)
    with ctx() as session:
        task = session.get(Task, world.task)
        assert (task.title, task.places, task.status) == ("路口交通安全劝导", 3, "open")
        assert session.get(Signup, signed_up).status == "confirmed"
        assert balance_of(world.rider) == 0


def test_a_coordinator_of_another_organisation_does_not_see_the_task_in_their_list(world, make_client):
    page = text_of(make_client(world.other_coordinator).get("/coordinate/tasks"))
    assert "路口交通安全劝导" not in page
    assert "路口交通安全劝导" in text_of(make_client(world.coordinator).get("/coordinate/tasks"))


def test_a_missing_task_is_not_found(coordinator):
    assert coordinator.get("/coordinate/tasks/999999").status_code == 404


@pytest.mark.parametrize(("latitude", "longitude"), [("31.875", ""), ("", "120.555")])
def test_a_position_with_one_number_is_refused_with_the_input_kept(coordinator, ctx, latitude, longitude):
    before = task_count(ctx)
    response = coordinator.post("/coordinate/tasks/new", task_form(latitude=latitude, longitude=longitude))
    page = text_of(response)
    assert response.status_code == 422 and "Enter both the latitude and the longitude, or neither." in page
    assert f'value="{latitude or longitude}"' in page and task_count(ctx) == before
    zh = text_of(coordinator.post("/coordinate/tasks/new", task_form(latitude=latitude, longitude=longitude),
                                  lang="zh"))
    assert "请同时填写纬度和经度，或都不填。" in zh
