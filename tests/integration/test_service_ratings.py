"""Rating a rider's service from the attendance rows (htmx and plain forms), and the rider seeing it."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from accounts.models import User
from core.timeutil import utcnow
from tests.factories import make_task
from tests.pages import input_value, text_of
from volunteer import attendance, services
from volunteer.models import Signup
from volunteer.rating_models import NOTE_MAX, ServiceRating


def row_of(page: str, signup_id: int) -> str:
    match = re.search(rf'<li id="signup-{signup_id}".*?</li>', page, re.DOTALL)
    assert match, f"no row for sign-up {signup_id}"
    return match.group(0)


@pytest.fixture
def attended(world, ctx, signed_up):
    """The world's rider marked attended on the world's task (attendance is open: it starts in 30 minutes)."""
    with ctx() as session:
        signup = session.get(Signup, signed_up)
        attendance.mark_attendance(signup=signup, attended=True, actor=session.get(User, world.coordinator))
        session.commit()
        return signup.id, signup.task_id


def ratings_of(ctx, signup_id):
    with ctx() as session:
        return [(r.rating, r.note, r.replaces_id is not None) for r in session.scalars(
            sa.select(ServiceRating).where(ServiceRating.signup_id == signup_id).order_by(ServiceRating.id))]


def test_an_attended_row_offers_three_ratings_and_says_until_when(coordinator, attended):
    signup_id, task_id = attended
    row = row_of(text_of(coordinator.get(f"/coordinate/tasks/{task_id}")), signup_id)
    assert re.findall(r'name="rating" value="(\w+)"', row) == ["good", "fair", "poor"]
    assert "Ratings can be given and changed until" in row and 'name="note"' in row


def test_a_confirmed_row_has_no_rating_form(coordinator, world, signed_up):
    assert 'name="rating"' not in row_of(text_of(coordinator.get(f"/coordinate/tasks/{world.task}")), signed_up)


def test_htmx_rating_swaps_the_row(coordinator, attended, ctx):
    signup_id, _ = attended
    response = coordinator.post(f"/coordinate/signups/{signup_id}/rating", {"rating": "good", "note": "很负责",
                                                                            "seen": ""}, htmx=True)
    assert response.status_code == 200
    row = text_of(response).strip()
    assert row.startswith(f'<li id="signup-{signup_id}"')
    assert "Service rating: <strong>Good</strong> · 很负责" in row
    assert 'aria-pressed="true"' in row and "Change the rating" in row
    assert ratings_of(ctx, signup_id) == [("good", "很负责", False)]


def test_a_plain_form_rates_and_goes_back_to_the_task(coordinator, attended, ctx):
    signup_id, task_id = attended
    response = coordinator.post(f"/coordinate/signups/{signup_id}/rating", {"rating": "poor", "seen": ""})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/coordinate/tasks/{task_id}")
    page = text_of(coordinator.get(f"/coordinate/tasks/{task_id}"))
    assert "service rated: Poor" in page and "Service rating: <strong>Poor</strong>" in row_of(page, signup_id)
    assert ratings_of(ctx, signup_id) == [("poor", "", False)]


def test_changing_a_rating_adds_a_linked_row(coordinator, attended, ctx):
    signup_id, _ = attended
    coordinator.post(f"/coordinate/signups/{signup_id}/rating", {"rating": "poor", "seen": ""}, htmx=True)
    with ctx() as session:
        seen = session.scalar(sa.select(ServiceRating.id).where(ServiceRating.signup_id == signup_id))
    response = coordinator.post(f"/coordinate/signups/{signup_id}/rating",
                                {"rating": "fair", "note": "后来补上了", "seen": str(seen)}, htmx=True)
    assert response.status_code == 200 and "Service rating: <strong>Fair</strong>" in text_of(response)
    assert ratings_of(ctx, signup_id) == [("poor", "", False), ("fair", "后来补上了", True)]


def test_a_change_from_an_old_page_is_refused_with_a_clear_message(coordinator, make_client, world, attended, ctx):
    signup_id, _ = attended
    coordinator.post(f"/coordinate/signups/{signup_id}/rating", {"rating": "good", "seen": ""}, htmx=True)
    with ctx() as session:  # a second coordinator of the organisation, whose page still showed no rating
        colleague = User(phone="13900000123", name="周协调", role="coordinator", organisation_id=world.org,
                         password_hash="x")
        session.add(colleague)
        session.commit()
        colleague_id = colleague.id
    response = make_client(colleague_id).post(f"/coordinate/signups/{signup_id}/rating",
                                              {"rating": "poor", "seen": ""}, htmx=True)
    assert response.status_code == 409
    assert "Someone changed this rating a moment ago" in text_of(response)
    assert "Service rating: <strong>Good</strong>" in text_of(response)
    assert ratings_of(ctx, signup_id) == [("good", "", False)]


def test_a_long_note_comes_back_with_the_typed_text_htmx_and_plain(coordinator, attended, ctx):
    signup_id, _ = attended
    note = "长" * (NOTE_MAX + 1)
    response = coordinator.post(f"/coordinate/signups/{signup_id}/rating", {"rating": "good", "note": note,
                                                                            "seen": ""}, htmx=True)
    assert response.status_code == 422 and f"at most {NOTE_MAX} characters" in text_of(response)
    plain = coordinator.post(f"/coordinate/signups/{signup_id}/rating", {"rating": "good", "note": note, "seen": ""})
    assert plain.status_code == 422
    row = row_of(text_of(plain), signup_id)
    assert f"at most {NOTE_MAX} characters" in row and 'role="alert"' in row
    assert input_value(plain, "note") == note
    assert ratings_of(ctx, signup_id) == []


def test_an_unknown_rating_is_refused(coordinator, attended, ctx):
    signup_id, _ = attended
    response = coordinator.post(f"/coordinate/signups/{signup_id}/rating", {"rating": "great"}, htmx=True)
    assert response.status_code == 422 and "Choose good, fair or poor." in text_of(response)
    assert ratings_of(ctx, signup_id) == []


def test_rating_needs_the_csrf_token(coordinator, attended, ctx):
    signup_id, _ = attended
    for htmx in (False, True):
        response = coordinator.post(f"/coordinate/signups/{signup_id}/rating", {"rating": "good"}, htmx=htmx,
                                    csrf=False)
        assert response.status_code == 400
    assert ratings_of(ctx, signup_id) == []


def test_other_coordinators_and_riders_cannot_rate(make_client, world, attended, ctx):
    signup_id, _ = attended
    assert make_client(world.other_coordinator).post(f"/coordinate/signups/{signup_id}/rating",
                                                     {"rating": "poor"}).status_code == 403
    assert make_client(world.rider).post(f"/coordinate/signups/{signup_id}/rating",
                                         {"rating": "poor"}).status_code == 403
    assert ratings_of(ctx, signup_id) == []


def test_after_the_window_the_row_says_when_it_closed(coordinator, world, ctx):
    with ctx() as session:
        ended = utcnow() - timedelta(days=31)
        task = make_task(world.org, world.coordinator, starts_at=ended - timedelta(hours=2), ends_at=ended)
        signup = services.sign_up(task=task, rider=session.get(User, world.rider2), now=ended - timedelta(days=3))
        session.execute(sa.update(Signup).where(Signup.id == signup.id).values(status="attended"))
        session.commit()
        task_id, signup_id = task.id, signup.id
    row = row_of(text_of(coordinator.get(f"/coordinate/tasks/{task_id}")), signup_id)
    assert "Ratings closed at" in row and 'name="rating"' not in row
    response = coordinator.post(f"/coordinate/signups/{signup_id}/rating", {"rating": "good"}, htmx=True)
    assert response.status_code == 409 and "closed" in text_of(response)


def test_the_rider_sees_the_rating_on_my_tasks_and_the_task_page(coordinator, make_client, world, attended):
    signup_id, task_id = attended
    coordinator.post(f"/coordinate/signups/{signup_id}/rating", {"rating": "fair", "note": "下次早点到"}, htmx=True)
    rider = make_client(world.rider)
    mine = text_of(rider.get("/my/tasks"))
    assert "Service rating: <strong>Fair</strong> · 下次早点到" in mine and 'href="/recognition/"' in mine
    assert "My level and score" in mine
    assert "Service rating: <strong>Fair</strong> · 下次早点到" in text_of(rider.get(f"/tasks/{task_id}"))
    assert "Service rating" not in text_of(make_client(world.rider2).get(f"/tasks/{task_id}"))
    assert "下次早点到" not in text_of(make_client(world.rider2).get("/my/tasks"))
    assert "服务评价" in text_of(rider.get("/my/tasks", lang="zh"))


