"""A place held for a rider: what the task page, "my tasks" and the coordinator's page show, Accept and Decline
with and without htmx, accepting too late, lazy expiry on reading and ``flask signups expire-holds``."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from core.timeutil import to_local, utcnow
from tests.factories import make_held_place
from tests.pages import text_of
from volunteer.models import Signup, Task


@pytest.fixture
def held(world, ctx, app):
    """A one-place task in 3 hours: rider2 held the place and cancelled, so it is held for the rider; a third
    rider waits behind them."""
    with ctx() as session:
        place = make_held_place(world)
        until = session.get(Signup, place.mine).hold_until
        with app.test_request_context():
            shown = to_local(until).strftime("%H:%M")
        return SimpleNamespace(**vars(place), until=until, shown=shown)


@pytest.fixture
def rider(world, make_client):
    return make_client(world.rider)


def status(ctx, signup_id) -> str:
    with ctx() as session:
        return session.scalar(sa.select(Signup.status).where(Signup.id == signup_id))


def end_the_hold(ctx, held) -> None:
    """Time passes: the hold ended a minute ago (nobody has looked since)."""
    with ctx() as session:
        session.execute(sa.update(Signup).where(Signup.id == held.mine)
                        .values(hold_until=utcnow() - timedelta(minutes=1)))
        session.commit()


def test_the_task_page_shows_the_hold_with_its_local_time_and_both_buttons(rider, held):
    page = text_of(rider.get(f"/tasks/{held.task}"))
    assert f"A place is held for you until {held.shown}" in page
    assert "Accept the place" in page and "Decline the place" in page
    assert f'action="/tasks/{held.task}/accept"' in page and "Full · 1 place" in page


def test_the_page_in_chinese_shows_the_hold_too(rider, held):
    page = text_of(rider.get(f"/tasks/{held.task}", lang="zh"))
    assert f"已为你保留一个名额，保留到{held.shown}" in page
    assert "接受名额" in page and "放弃名额" in page


def test_accepting_with_htmx_swaps_the_widget_and_confirms(rider, held, ctx):
    response = rider.post(f"/tasks/{held.task}/accept", htmx=True)
    html = text_of(response)
    assert response.status_code == 200 and html.lstrip().startswith(f'<div id="task-{held.task}-signup"')
    assert "The place is yours. See you there!" in html and "You are signed up" in html
    assert "Accept the place" not in html
    assert status(ctx, held.mine) == "confirmed" and status(ctx, held.theirs) == "waitlisted"


def test_declining_without_javascript_redirects_and_offers_the_place_to_the_next(rider, held, ctx):
    response = rider.post(f"/tasks/{held.task}/decline", {"next": f"/tasks/{held.task}"})
    assert response.status_code == 303 and response.headers["Location"] == f"/tasks/{held.task}"
    page = text_of(rider.get(response.headers["Location"]))
    assert "You declined the place. It goes to the next rider." in page and "Join the waitlist" in page
    assert status(ctx, held.mine) == "cancelled" and status(ctx, held.theirs) == "offered"


def test_accepting_after_the_hold_ended_is_refused_and_the_page_shows_the_current_state(rider, held, ctx, app):
    end_the_hold(ctx, held)
    with ctx() as session, app.test_request_context():
        shown = to_local(session.get(Signup, held.mine).hold_until).strftime("%H:%M")
    response = rider.post(f"/tasks/{held.task}/accept", {"next": f"/tasks/{held.task}"})
    page = text_of(response)
    assert response.status_code == 409
    assert f"The place was held for you until {shown}, so it can no longer be accepted." in page
    assert "On the waitlist, number 1" in page and "not accepted in time" in page  # the next one holds the place
    assert "Accept the place" not in page
    assert status(ctx, held.mine) == "waitlisted" and status(ctx, held.theirs) == "offered"


def test_accepting_too_late_with_htmx_gets_the_widget_in_its_new_state(rider, held, ctx):
    end_the_hold(ctx, held)
    response = rider.post(f"/tasks/{held.task}/accept", htmx=True)
    html = text_of(response)
    assert response.status_code == 409 and html.lstrip().startswith(f'<div id="task-{held.task}-signup"')
    assert "can no longer be accepted" in html and "Leave the waitlist" in html


def test_reading_the_task_page_lapses_an_ended_hold(rider, held, ctx):
    end_the_hold(ctx, held)
    page = text_of(rider.get(f"/tasks/{held.task}"))
    assert "Accept the place" not in page and "On the waitlist" in page
    assert status(ctx, held.mine) == "waitlisted" and status(ctx, held.theirs) == "offered"
    with ctx() as session:
        assert session.get(Task, held.task).taken == 1


def test_my_tasks_shows_the_hold_and_accepting_there_comes_back_to_it(rider, held, ctx):
    page = text_of(rider.get("/my/tasks"))
    assert "Place held for you" in page and f"A place is held for you until {held.shown}" in page
    response = rider.post(f"/tasks/{held.task}/accept", {"next": "/my/tasks"})
    assert response.status_code == 303 and response.headers["Location"] == "/my/tasks"
    page = text_of(rider.get("/my/tasks"))
    assert "The place is yours." in page and "Accept the place" not in page
    assert status(ctx, held.mine) == "confirmed"


def test_my_tasks_never_shows_a_button_after_the_hold_ended(rider, held, ctx):
    end_the_hold(ctx, held)
    page = text_of(rider.get("/my/tasks"))
    assert "Accept the place" not in page and "Place held for you" not in page
    assert status(ctx, held.mine) == "waitlisted"


def test_the_coordinator_sees_until_when_the_place_is_held_and_can_remove_the_rider(world, held, make_client, ctx):
    coordinator = make_client(world.coordinator)
    page = text_of(coordinator.get(f"/coordinate/tasks/{held.task}"))
    assert f"Held until {held.shown}" in page
    response = coordinator.post(f"/coordinate/signups/{held.mine}/remove", {"reason": "联系不上"}, htmx=True)
    assert response.status_code == 200
    assert status(ctx, held.mine) == "removed" and status(ctx, held.theirs) == "offered"


def test_the_coordinators_page_lapses_an_ended_hold(world, held, make_client, ctx):
    end_the_hold(ctx, held)
    page = text_of(make_client(world.coordinator).get(f"/coordinate/tasks/{held.task}"))
    assert page.count("Held until") == 1  # the next rider's hold, not the lapsed one
    assert status(ctx, held.mine) == "waitlisted" and status(ctx, held.theirs) == "offered"


def test_expire_holds_lapses_ended_holds_once_and_says_how_many(app, held, ctx):
    end_the_hold(ctx, held)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["signups", "expire-holds"])
    second = runner.invoke(args=["signups", "expire-holds"])
    assert first.exit_code == 0 and "1 hold(s) lapsed, 1 new offer(s) made" in first.output
    assert second.exit_code == 0 and "0 hold(s) lapsed, 0 new offer(s) made" in second.output
    assert status(ctx, held.mine) == "waitlisted" and status(ctx, held.theirs) == "offered"


def test_the_task_list_shows_the_hold_with_its_buttons_and_no_button_once_it_ended(rider, held, ctx):
    page = text_of(rider.get("/tasks"))
    assert f"A place is held for you until {held.shown}" in page and "Accept the place" in page
    end_the_hold(ctx, held)
    page = text_of(rider.get("/tasks"))
    assert "Accept the place" not in page and "the time to accept it is over" in page


def test_a_sign_up_tap_from_an_old_page_shows_the_hold_and_changes_nothing(rider, held, ctx):
    response = rider.post(f"/tasks/{held.task}/signup", {"waitlist": "1"}, htmx=True)
    html = text_of(response)
    assert response.status_code == 200 and "Accept the place" in html and "waitlist, number" not in html
    assert status(ctx, held.mine) == "offered"
