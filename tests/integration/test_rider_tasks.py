"""Riders browse tasks, sign up (or join the waitlist), cancel, and see their tasks."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from core.timeutil import utcnow
from tests.factories import make_task, make_user
from volunteer import services
from volunteer.models import Signup, Task


@pytest.fixture
def rider(world, make_client):
    return make_client(world.rider)


def test_the_list_shows_upcoming_open_tasks_soonest_first_with_places_left(client, world, ctx):
    with ctx() as session:
        make_task(world.org, world.coordinator, title="后天的任务", starts_at=utcnow() + timedelta(days=2),
                  ends_at=utcnow() + timedelta(days=2, hours=1))
        make_task(world.org, world.coordinator, title="已经结束的任务", starts_at=utcnow() - timedelta(days=2),
                  ends_at=utcnow() - timedelta(days=2) + timedelta(hours=1))
        make_task(world.org, world.coordinator, title="取消了的任务", status="cancelled")
        session.commit()
    page = client.get("/tasks").get_data(as_text=True)
    assert page.index("路口交通安全劝导") < page.index("后天的任务")
    assert "已经结束的任务" not in page and "取消了的任务" not in page
    assert "3 of 3 places left" in page


def test_the_list_filters_by_category_and_organisation(client, world, ctx):
    with ctx() as session:
        make_task(world.other_org, world.other_coordinator, title="老人送餐", category="elderly_care")
        session.commit()
    by_category = client.get("/tasks?category=elderly_care").get_data(as_text=True)
    assert "老人送餐" in by_category and "路口交通安全劝导" not in by_category
    by_org = client.get(f"/tasks?organisation={world.org}").get_data(as_text=True)
    assert "老人送餐" not in by_org and "路口交通安全劝导" in by_org


def test_an_htmx_filter_gets_only_the_rows_and_the_response_varies_on_hx_request(client, world):
    response = client.get("/tasks?category=traffic_safety", htmx="task-rows")
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<ul id="task-rows"') and "<html" not in html
    assert "HX-Request" in response.headers["Vary"]
    boosted = client.get("/tasks", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in boosted.get_data(as_text=True)


def test_signing_up_without_javascript_redirects_with_a_message(rider, world, ctx):
    response = rider.post(f"/tasks/{world.task}/signup", {"next": f"/tasks/{world.task}"})
    assert response.status_code == 303 and response.headers["Location"] == f"/tasks/{world.task}"
    page = rider.get(response.headers["Location"]).get_data(as_text=True)
    assert "You are signed up" in page and "2 of 3 places left" in page
    with ctx() as session:
        assert session.scalar(sa.select(Signup.status).where(Signup.rider_id == world.rider,
                                                             Signup.task_id == world.task)) == "confirmed"


def test_signing_up_with_htmx_returns_the_widget_with_places_left(rider, world):
    response = rider.post(f"/tasks/{world.task}/signup", htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<div id="task-{world.task}-signup"')
    assert "2 of 3 places left" in html and "Cancel my sign-up" in html


def test_a_double_tap_signs_up_once(rider, world, ctx):
    rider.post(f"/tasks/{world.task}/signup", htmx=True)
    rider.post(f"/tasks/{world.task}/signup", htmx=True)
    with ctx() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Signup).where(Signup.task_id == world.task)) == 1
        assert session.get(Task, world.task).taken == 1


def fill_task(ctx, world, places_left=0):
    with ctx() as session:
        task = session.get(Task, world.task)
        for i in range(task.places - places_left):
            services.sign_up(task=task, rider=make_user(name=f"骑手{i}"))
        session.commit()


def test_a_full_task_refuses_a_sign_up_and_offers_the_waitlist(rider, world, ctx):
    fill_task(ctx, world)
    response = rider.post(f"/tasks/{world.task}/signup", htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "All places are taken" in html and "Join the waitlist" in html


def test_joining_the_waitlist_tells_the_position(rider, world, ctx):
    fill_task(ctx, world)
    response = rider.post(f"/tasks/{world.task}/signup", {"waitlist": "1"}, htmx=True)
    assert "On the waitlist, number 1" in response.get_data(as_text=True)


def test_a_full_task_refusal_without_javascript_shows_the_page_with_the_message(rider, world, ctx):
    fill_task(ctx, world)
    response = rider.post(f"/tasks/{world.task}/signup")
    assert response.status_code == 409
    assert "All places are taken" in response.get_data(as_text=True)


def test_cancelled_and_started_tasks_refuse_sign_ups(rider, world, ctx):
    with ctx() as session:
        started = make_task(world.org, world.coordinator, starts_at=utcnow() - timedelta(minutes=1),
                            ends_at=utcnow() + timedelta(hours=1))
        session.get(Task, world.task).status = "cancelled"
        session.commit()
        started_id = started.id
    cancelled = rider.post(f"/tasks/{world.task}/signup", htmx=True)
    assert cancelled.status_code == 409 and "cancelled by the organiser" in cancelled.get_data(as_text=True)
    begun = rider.post(f"/tasks/{started_id}/signup", htmx=True)
    assert begun.status_code == 409 and "already started" in begun.get_data(as_text=True)


def test_cancelling_frees_the_place(rider, world, ctx):
    rider.post(f"/tasks/{world.task}/signup", htmx=True)
    response = rider.post(f"/tasks/{world.task}/cancel", htmx=True)
    assert "3 of 3 places left" in response.get_data(as_text=True)
    with ctx() as session:
        assert session.get(Task, world.task).taken == 0


def test_cancelling_without_a_sign_up_is_not_found(rider, world):
    assert rider.post(f"/tasks/{world.task}/cancel").status_code == 404


def test_my_tasks_lists_sign_ups_and_flags_cancelled_tasks(rider, world, ctx):
    rider.post(f"/tasks/{world.task}/signup")
    with ctx() as session:
        session.get(Task, world.task).status = "cancelled"
        session.commit()
    page = rider.get("/my/tasks").get_data(as_text=True)
    assert "路口交通安全劝导" in page and "The organiser cancelled this task" in page


def test_an_unknown_task_is_not_found(client):
    assert client.get("/tasks/999").status_code == 404


def test_the_list_shows_twenty_tasks_a_page_with_a_link_to_later_ones(client, world, ctx):
    with ctx() as session:
        for i in range(25):
            make_task(world.org, world.coordinator, title=f"第{i:02d}个任务",
                      starts_at=utcnow() + timedelta(hours=2 + i), ends_at=utcnow() + timedelta(hours=3 + i))
        session.commit()
    first = client.get("/tasks?category=traffic_safety").get_data(as_text=True)
    assert first.count('class="card task-card"') == 20 and "第18个任务" in first and "第19个任务" not in first
    assert "/tasks?page=2&amp;category=traffic_safety" in first and "Sooner" not in first
    second = client.get("/tasks?page=2&category=traffic_safety").get_data(as_text=True)
    assert second.count('class="card task-card"') == 6 and "第24个任务" in second and "Later tasks" not in second
    assert client.get("/tasks?page=99999999999").status_code == 200
