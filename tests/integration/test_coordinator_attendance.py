"""Coordinators' task pages: the sign-up list and marking attendance, one rider at a time or all at once."""

import html
import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from accounts.models import User
from points.models import LedgerEntry
from points.queries import balance_of
from tests.factories import make_task
from tests.pages import input_value, text_of
from volunteer import services
from volunteer.models import Signup, Task

START = datetime(2030, 5, 1, 1, 30, tzinfo=UTC)  # 09:30 in Asia/Shanghai
END = datetime(2030, 5, 1, 3, 30, tzinfo=UTC)  # 11:30 in Asia/Shanghai


def row_of(page: str, signup_id: int) -> str:
    """The attendance row of one sign-up in a page."""
    match = re.search(rf'<li id="signup-{signup_id}".*?</li>', page, re.DOTALL)
    assert match, f"no row for sign-up {signup_id}"
    return match.group(0)


@pytest.fixture
def one_place_task(world, ctx):
    """A task with one place: the first rider confirmed, the second on the waitlist.

    Returns ``(task_id, confirmed_signup_id, waitlisted_signup_id)``.
    """
    with ctx() as session:
        task = make_task(world.org, world.coordinator, places=1, points=40)  # starts in 30 minutes
        confirmed = services.sign_up(task=task, rider=session.get(User, world.rider))
        waiting = services.sign_up(task=task, rider=session.get(User, world.rider2), join_waitlist=True)
        session.commit()
        return task.id, confirmed.id, waiting.id


# The sign-up list


def test_the_task_page_lists_confirmed_and_waitlisted_riders(coordinator, one_place_task):
    task_id, confirmed, waiting = one_place_task
    response = coordinator.get(f"/coordinate/tasks/{task_id}")
    assert response.status_code == 200
    page = text_of(response)
    assert "<dd>1/1</dd>" in page
    first, second = row_of(page, confirmed), row_of(page, waiting)
    assert "赵佳楠" in first and "Confirmed" in first
    assert "张松阳" in second and "Waitlist" in second
    assert page.index(first) < page.index(second)
    assert 'name="attended"' in first and 'name="attended"' not in second


def test_a_task_without_sign_ups_says_so(world, coordinator):
    page = text_of(coordinator.get(f"/coordinate/tasks/{world.task}"))
    assert "No sign-ups yet." in page


# Attendance


def test_marking_attended_with_htmx_returns_the_row_and_awards_the_points_once(world, coordinator, ctx, signed_up):
    for _ in range(2):
        response = coordinator.post(f"/coordinate/signups/{signed_up}/attendance", {"attended": "1"}, htmx=True)
        assert response.status_code == 200
        body = response.get_data(as_text=True).strip()
        assert body.startswith(f'<li id="signup-{signed_up}"')
        assert "<html" not in body
        assert "status-attended" in body and "Attended" in body
        assert "赵佳楠 attended: +30 points." in html.unescape(body)
    with ctx() as session:
        assert session.get(Signup, signed_up).status == "attended"
        assert balance_of(world.rider) == 30
        entries = session.scalars(sa.select(LedgerEntry).where(LedgerEntry.rider_id == world.rider)).all()
        assert [(e.kind, e.amount) for e in entries] == [("award", 30)]


def test_marking_attended_without_htmx_redirects_to_the_task(world, coordinator, ctx, signed_up):
    response = coordinator.post(f"/coordinate/signups/{signed_up}/attendance", {"attended": "1"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/coordinate/tasks/{world.task}"
    with ctx():
        assert balance_of(world.rider) == 30
    page = text_of(coordinator.get(response.headers["Location"]))
    assert "赵佳楠 attended: +30 points." in page
    assert "status-attended" in row_of(page, signed_up)


def test_a_no_show_earns_nothing_and_shows_in_the_row(world, coordinator, ctx, signed_up):
    response = coordinator.post(f"/coordinate/signups/{signed_up}/attendance", {"attended": "0"}, htmx=True)
    assert response.status_code == 200
    body = text_of(response)
    assert body.strip().startswith(f'<li id="signup-{signed_up}"')
    assert "status-no_show" in body and "No-show" in body
    assert "赵佳楠 marked as no-show." in body
    with ctx() as session:
        assert session.get(Signup, signed_up).status == "no_show"
        assert balance_of(world.rider) == 0


def test_an_attended_rider_becomes_a_no_show_only_with_a_reason(world, coordinator, ctx, signed_up):
    coordinator.post(f"/coordinate/signups/{signed_up}/attendance", {"attended": "1"}, htmx=True)
    response = coordinator.post(f"/coordinate/signups/{signed_up}/attendance", {"attended": "0"}, htmx=True)
    assert response.status_code == 422
    assert "Give a reason for the correction; the rider will see it." in text_of(response)
    with ctx() as session:
        assert session.get(Signup, signed_up).status == "attended"
        assert balance_of(world.rider) == 30


def test_attendance_is_refused_until_an_hour_before_the_start(world, coordinator, ctx):
    with ctx() as session:
        task = make_task(world.org, world.coordinator, starts_at=START, ends_at=END)
        signup = services.sign_up(task=task, rider=session.get(User, world.rider))
        session.commit()
        signup_id = signup.id
    response = coordinator.post(f"/coordinate/signups/{signup_id}/attendance", {"attended": "1"}, htmx=True)
    assert response.status_code == 409
    assert "Attendance opens at Wed 1 May, 08:30." in text_of(response)
    with ctx() as session:
        assert session.get(Signup, signup_id).status == "confirmed"
        assert balance_of(world.rider) == 0


def test_a_waitlisted_rider_cannot_be_marked(world, coordinator, ctx, one_place_task):
    _, _, waiting = one_place_task
    response = coordinator.post(f"/coordinate/signups/{waiting}/attendance", {"attended": "1"}, htmx=True)
    assert response.status_code == 409
    body = text_of(response)
    assert body.strip().startswith(f'<li id="signup-{waiting}"')
    assert "Attendance can only be marked for riders with a place." in body
    with ctx() as session:
        assert session.get(Signup, waiting).status == "waitlisted"
        assert balance_of(world.rider2) == 0


def test_mark_all_marks_every_confirmed_rider_attended(world, coordinator, ctx, signed_up):
    with ctx() as session:
        services.sign_up(task=session.get(Task, world.task), rider=session.get(User, world.rider2))
        session.commit()
    ids = input_value(coordinator.get(f"/coordinate/tasks/{world.task}/attendance"), "signups")
    response = coordinator.post(f"/coordinate/tasks/{world.task}/attendance", {"signups": ids})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/coordinate/tasks/{world.task}"
    with ctx() as session:
        statuses = session.scalars(sa.select(Signup.status).where(Signup.task_id == world.task)).all()
        assert sorted(statuses) == ["attended", "attended"]
        assert (balance_of(world.rider), balance_of(world.rider2)) == (30, 30)
    assert "2 riders marked attended." in text_of(coordinator.get(response.headers["Location"]))


def test_mark_all_with_htmx_returns_the_sign_up_list_and_skips_the_waitlist(world, coordinator, ctx,
                                                                            one_place_task):
    task_id, confirmed, waiting = one_place_task
    response = coordinator.post(f"/coordinate/tasks/{task_id}/attendance", {"signups": str(confirmed)}, htmx=True)
    assert response.status_code == 200
    body = text_of(response)
    assert body.strip().startswith(f'<section id="task-{task_id}-signups"')
    assert "1 rider marked attended." in body
    assert "status-attended" in row_of(body, confirmed)
    assert "status-waitlisted" in row_of(body, waiting)
    with ctx() as session:
        assert session.get(Signup, waiting).status == "waitlisted"
        assert (balance_of(world.rider), balance_of(world.rider2)) == (40, 0)
