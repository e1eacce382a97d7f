"""Verified check-in: the coordinator's code screen, riders checking in by typed code, by scanned link and
through a log-in, the refusals, and the attendance list telling verified from marked by hand."""

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from accounts.models import User
from core.timeutil import utcnow
from points.models import LedgerEntry
from tests.factories import PASSWORD, make_task
from tests.pages import text_of
from volunteer import attendance, checkin, services
from volunteer.models import Signup, Task


@pytest.fixture
def booked(world, ctx):
    """The world's task (starts in 30 minutes: check-in open) with the rider confirmed; its id."""
    with ctx() as session:
        services.sign_up(task=session.get(Task, world.task), rider=session.get(User, world.rider))
        session.commit()
    return world.task


def code_now(ctx, task_id: int, direction: str = "in", ago: int = 0) -> str:
    """The code the coordinator's screen shows now (or ``ago`` seconds ago)."""
    with ctx() as session:
        return checkin.code_for(session.get(Task, task_id), direction, utcnow() - timedelta(seconds=ago))


def signup_of(ctx, task_id: int, rider_id: int) -> Signup:
    with ctx() as session:
        signup = session.scalar(sa.select(Signup).where(Signup.task_id == task_id, Signup.rider_id == rider_id))
        session.expunge(signup)
        return signup


def awards(ctx, rider_id: int) -> list[int]:
    with ctx() as session:
        return session.scalars(sa.select(LedgerEntry.amount).where(LedgerEntry.rider_id == rider_id)).all()


# The coordinator's screen


def test_the_screen_shows_the_qr_code_and_the_code_of_the_window(coordinator, booked, ctx):
    response = coordinator.get(f"/coordinate/tasks/{booked}/check-in")
    page = text_of(response)
    code = re.search(r'class="code check-in-digits"[^>]*>(\d{6})<', page).group(1)
    assert code in {code_now(ctx, booked), code_now(ctx, booked, ago=30)}
    assert "class=\"qr\"" in page and response.headers["Cache-Control"] == "no-store"
    assert "Riders scan the QR code" in page


def test_the_qr_code_holds_the_absolute_check_in_url_with_the_code(coordinator, booked):
    from volunteer.coordinate import qr_svg

    page = coordinator.get(f"/coordinate/tasks/{booked}/check-in").get_data(as_text=True)
    code = re.search(r'check-in-digits"[^>]*>(\d{6})<', page).group(1)
    assert qr_svg(f"http://localhost/tasks/{booked}/check-in?code={code}") in page


def test_without_javascript_the_screen_has_a_refresh_link_and_the_seconds_left(coordinator, booked):
    page = text_of(coordinator.get(f"/coordinate/tasks/{booked}/check-in"))
    noscript = re.search(r"<noscript>(.*?)</noscript>", page, re.DOTALL).group(1)
    seconds = int(re.search(r"This code works for (\d+) more seconds?", noscript).group(1))
    assert 31 <= seconds <= 60
    assert f'href="/coordinate/tasks/{booked}/check-in"' in noscript and "Refresh" in noscript


def test_the_code_fragment_answers_204_until_the_window_changes_and_redirects_a_plain_get(coordinator, booked):
    window = checkin.window_number()
    fragment = coordinator.get(f"/coordinate/tasks/{booked}/check-in/code?window={window - 1}", htmx=True)
    assert fragment.status_code == 200 and 'class="code check-in-digits"' in fragment.get_data(as_text=True)
    same = coordinator.get(f"/coordinate/tasks/{booked}/check-in/code?window={checkin.window_number()}", htmx=True)
    assert same.status_code in (204, 200)  # 200 only when the window flipped between the two lines
    plain = coordinator.get(f"/coordinate/tasks/{booked}/check-in/code")
    assert plain.status_code == 302 and plain.headers["Location"].endswith(f"/coordinate/tasks/{booked}/check-in")


def test_the_task_page_offers_check_in_only_while_open_and_says_when_it_opens(coordinator, world, booked, ctx):
    page = text_of(coordinator.get(f"/coordinate/tasks/{booked}"))
    assert f'href="/coordinate/tasks/{booked}/check-in"' in page
    with ctx() as session:
        later = make_task(world.org, world.coordinator, starts_at=utcnow() + timedelta(hours=3),
                          ends_at=utcnow() + timedelta(hours=5))
        session.commit()
        later_id = later.id
    page = text_of(coordinator.get(f"/coordinate/tasks/{later_id}"))
    assert f"/coordinate/tasks/{later_id}/check-in" not in page and "Check-in opens at" in page
    screen = text_of(coordinator.get(f"/coordinate/tasks/{later_id}/check-in"))
    assert "Check-in opens at" in screen and "check-in-digits" not in screen and "class=\"qr\"" not in screen
    waiting = coordinator.get(f"/coordinate/tasks/{later_id}/check-in/code", htmx=True)
    assert waiting.status_code == 204  # not open yet: the screen keeps asking


def test_a_screen_set_up_before_check_in_opens_shows_the_code_once_it_opens(coordinator, world, ctx):
    with ctx() as session:
        later = make_task(world.org, world.coordinator, starts_at=utcnow() + timedelta(hours=3),
                          ends_at=utcnow() + timedelta(hours=5))
        session.commit()
        later_id = later.id
    screen = coordinator.get(f"/coordinate/tasks/{later_id}/check-in").get_data(as_text=True)
    assert f'hx-get="/coordinate/tasks/{later_id}/check-in/code"' in screen and 'hx-trigger="every 15s"' in screen
    with ctx() as session:  # time passes: check-in is open now
        session.execute(sa.update(Task).where(Task.id == later_id).values(
            starts_at=utcnow() + timedelta(minutes=30), ends_at=utcnow() + timedelta(hours=2)))
        session.commit()
    opened = coordinator.get(f"/coordinate/tasks/{later_id}/check-in/code", htmx=True)
    html = opened.get_data(as_text=True)
    assert opened.status_code == 200 and re.search(r'check-in-digits"[^>]*>(\d{6})<', html)


def test_the_screen_of_a_cancelled_task_says_so_and_stops_polling(coordinator, world, booked, ctx):
    with ctx() as session:
        services.cancel_task(task=session.get(Task, booked), actor=session.get(User, world.coordinator))
        session.commit()
    screen = text_of(coordinator.get(f"/coordinate/tasks/{booked}/check-in"))
    section = re.search(r'<section id="[^"]*check-in"[^>]*>.*?</section>', screen, re.DOTALL).group(0)
    assert "The task was cancelled." in section and "check-in-digits" not in section and "hx-get" not in section
    assert coordinator.get(f"/coordinate/tasks/{booked}/check-in/code?window=1", htmx=True).status_code == 286


def test_another_organisations_coordinator_gets_404(make_client, world, booked):
    other = make_client(world.other_coordinator)
    assert other.get(f"/coordinate/tasks/{booked}/check-in").status_code == 404
    assert other.get(f"/coordinate/tasks/{booked}/check-out").status_code == 404
    assert other.get(f"/coordinate/tasks/{booked}/check-in/code", htmx=True).status_code == 404


# Riders checking in


def test_a_rider_checks_in_by_typing_the_code_on_the_task_page(make_client, world, booked, ctx):
    rider = make_client(world.rider)
    page = text_of(rider.get(f"/tasks/{booked}"))
    assert f'action="/tasks/{booked}/check-in"' in page and 'inputmode="numeric"' in page
    response = rider.post(f"/tasks/{booked}/check-in", {"code": code_now(ctx, booked)}, htmx=True)
    assert response.status_code == 200
    assert "Your attendance is verified" in text_of(response) and "Checked in at" in text_of(response)
    signup = signup_of(ctx, booked, world.rider)
    assert (signup.status, signup.attendance_method) == ("attended", "verified")
    assert signup.checked_in_at is not None and awards(ctx, world.rider) == [30]


def test_a_scanned_link_shows_a_confirmation_page_and_changes_nothing_until_the_button(make_client, world, booked,
                                                                                       ctx):
    rider = make_client(world.rider)
    code = code_now(ctx, booked)
    page = rider.get(f"/tasks/{booked}/check-in?code={code}")
    proof = re.search(r'name="proof" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    assert page.status_code == 200 and "Your scan was received" in text_of(page)
    assert signup_of(ctx, booked, world.rider).status == "confirmed"  # a GET changes nothing
    done = rider.post(f"/tasks/{booked}/check-in", {"proof": proof, "next": f"/tasks/{booked}"})
    assert done.status_code == 303 and done.headers["Location"].endswith(f"/tasks/{booked}")
    assert "Checked in at" in text_of(rider.get(f"/tasks/{booked}"))
    again = text_of(rider.get(f"/tasks/{booked}/check-in?code={code}"))
    checked_in_at = signup_of(ctx, booked, world.rider).checked_in_at
    assert f"You already checked in at {checked_in_at + timedelta(hours=8):%H:%M}." in again  # Shanghai time
    assert 'name="code"' not in again and awards(ctx, world.rider) == [30]


def test_a_logged_out_scan_is_kept_through_the_log_in(client, world, booked, ctx):
    code = code_now(ctx, booked)
    scan = client.get(f"/tasks/{booked}/check-in?code={code}")
    assert scan.status_code == 303
    next_url = parse_qs(urlsplit(scan.headers["Location"]).query)["next"][0]
    assert next_url.startswith(f"/tasks/{booked}/check-in?proof=")
    login_page = client.get(scan.headers["Location"])
    assert "Log in to finish checking in" in text_of(login_page)
    with ctx() as session:
        phone = session.get(User, world.rider).phone
    logged_in = client.post(f"/login?next={next_url}", {"phone": phone, "password": PASSWORD})
    assert logged_in.status_code == 303 and logged_in.headers["Location"] == next_url
    confirm = client.get(next_url)
    proof = re.search(r'name="proof" value="([^"]+)"', confirm.get_data(as_text=True)).group(1)
    assert "Your scan was received" in text_of(confirm) and signup_of(ctx, booked, world.rider).status == "confirmed"
    done = client.post(f"/tasks/{booked}/check-in", {"proof": proof})
    assert done.status_code == 303
    signup = signup_of(ctx, booked, world.rider)
    assert (signup.status, signup.attendance_method) == ("attended", "verified")


def test_a_logged_out_scan_of_a_wrong_code_is_refused_before_the_log_in(client, booked, ctx):
    old = code_now(ctx, booked, ago=60)  # a screenshot two windows old
    response = client.get(f"/tasks/{booked}/check-in?code={old}")
    assert response.status_code == 422 and "This code is wrong or too old" in text_of(response)


def test_a_screenshot_two_windows_old_does_not_check_in(make_client, world, booked, ctx):
    rider = make_client(world.rider)
    response = rider.post(f"/tasks/{booked}/check-in", {"code": code_now(ctx, booked, ago=60)}, htmx=True)
    assert response.status_code == 422 and "This code is wrong or too old" in text_of(response)
    assert signup_of(ctx, booked, world.rider).checked_in_at is None and awards(ctx, world.rider) == []


@pytest.mark.parametrize(("lang", "message"), [("en", "You have no place on this task, so you cannot check in."),
                                               ("zh", "你在这个任务中没有名额，不能签到。")])
def test_a_rider_without_a_place_is_told_so_in_their_language(make_client, world, booked, ctx, lang, message):
    stranger = make_client(world.rider2)
    page = text_of(stranger.get(f"/tasks/{booked}/check-in?code={code_now(ctx, booked)}", lang=lang))
    assert message in page and 'name="code"' not in page
    response = stranger.post(f"/tasks/{booked}/check-in", {"code": code_now(ctx, booked)}, lang=lang)
    assert response.status_code == 409 and message in text_of(response)


@pytest.mark.parametrize(("lang", "message"), [("en", "This code is wrong or too old."), ("zh", "签到码不对或已过期")])
def test_a_wrong_code_is_refused_in_both_languages_and_kept_in_the_form(make_client, world, booked, lang, message):
    rider = make_client(world.rider)
    response = rider.post(f"/tasks/{booked}/check-in", {"code": "12345"}, lang=lang)
    assert response.status_code == 422 and message in text_of(response)
    assert 'value="12345"' in response.get_data(as_text=True)


def test_wrong_codes_are_rate_limited_per_rider(make_app, world, booked, ctx):
    from tests.conftest import Client

    app = make_app(WRONG_CHECKIN_CODES_PER_RIDER="3 per 10 minutes")
    rider = Client(app).login(world.rider)
    statuses = [rider.post(f"/tasks/{booked}/check-in", {"code": "12345"}).status_code for _ in range(3)]
    assert statuses == [422, 422, 422]
    blocked = rider.post(f"/tasks/{booked}/check-in", {"code": code_now(ctx, booked)})  # even the right one
    assert blocked.status_code == 429 and "Too many wrong codes" in text_of(blocked)
    assert signup_of(ctx, booked, world.rider).checked_in_at is None
    other = Client(app).login(world.rider2)  # another rider is not blocked by this one's mistakes
    assert other.post(f"/tasks/{booked}/check-in", {"code": "12345"}).status_code == 422


def test_guessing_codes_through_the_scanned_link_counts_against_the_rider_too(make_app, world, booked, ctx):
    from tests.conftest import Client

    app = make_app(WRONG_CHECKIN_CODES_PER_RIDER="3 per 10 minutes")
    rider = Client(app).login(world.rider)
    for guess in ("000001", "000002", "000003"):
        page = rider.get(f"/tasks/{booked}/check-in?code={guess}").get_data(as_text=True)
        assert 'name="proof"' not in page
    page = rider.get(f"/tasks/{booked}/check-in?code={code_now(ctx, booked)}").get_data(as_text=True)
    assert 'name="proof"' not in page  # blocked: even the right code proves nothing now
    blocked = rider.post(f"/tasks/{booked}/check-in", {"code": code_now(ctx, booked)})
    assert blocked.status_code == 429 and signup_of(ctx, booked, world.rider).checked_in_at is None


def test_check_out_records_the_minutes_and_the_list_shows_verified_and_by_hand(coordinator, make_client, world,
                                                                               ctx):
    start = utcnow() - timedelta(hours=1, minutes=50)  # ends in 10 minutes: check-out open
    with ctx() as session:
        task = make_task(world.org, world.coordinator, starts_at=utcnow() + timedelta(minutes=30))
        rider, rider2 = session.get(User, world.rider), session.get(User, world.rider2)
        first, second = services.sign_up(task=task, rider=rider), services.sign_up(task=task, rider=rider2)
        task.starts_at, task.ends_at = start, start + timedelta(hours=2)
        first.checked_in_at, first.attendance_method = start + timedelta(minutes=2), "verified"
        first.status = "attended"
        attendance.mark_attendance(signup=second, attended=True, actor=session.get(User, world.coordinator))
        session.commit()
        task_id, first_id, second_id = task.id, first.id, second.id
    rider = make_client(world.rider)
    out_code = code_now(ctx, task_id, "out")
    response = rider.post(f"/tasks/{task_id}/check-out", {"code": out_code}, htmx=True)
    assert response.status_code == 200 and "minutes verified" in text_of(response)
    signup = signup_of(ctx, task_id, world.rider)
    assert signup.checked_out_at is not None and 105 <= signup.verified_minutes <= 108
    page = text_of(coordinator.get(f"/coordinate/tasks/{task_id}"))
    first_row = re.search(rf'<li id="signup-{first_id}".*?</li>', page, re.DOTALL).group(0)
    second_row = re.search(rf'<li id="signup-{second_id}".*?</li>', page, re.DOTALL).group(0)
    assert re.search(r"verified ✓ \d\d:\d\d–\d\d:\d\d\s+\(\d+ min\)", first_row)
    assert "marked by hand" in second_row and "verified" not in second_row
    assert f'href="/coordinate/tasks/{task_id}/check-out"' in page


def test_a_check_in_far_from_the_task_is_flagged_not_refused(coordinator, make_client, world, ctx):
    with ctx() as session:
        task = make_task(world.org, world.coordinator, latitude=31.8754, longitude=120.5555)
        signup = services.sign_up(task=task, rider=session.get(User, world.rider))
        session.commit()
        task_id, signup_id = task.id, signup.id
    rider = make_client(world.rider)
    response = rider.post(f"/tasks/{task_id}/check-in", {"code": code_now(ctx, task_id), "latitude": "31.8844",
                                                         "longitude": "120.5555"})
    assert response.status_code == 303 and signup_of(ctx, task_id, world.rider).status == "attended"
    page = text_of(coordinator.get(f"/coordinate/tasks/{task_id}"))
    row = re.search(rf'<li id="signup-{signup_id}".*?</li>', page, re.DOTALL).group(0)
    assert re.search(r"Checked in 1\d{3} m from the task's place", row)


def test_the_demo_rider_checks_in_on_the_demo_soon_task_with_the_coordinators_code(make_client, ctx):
    import random

    from demo.data import SOON_TASK
    from demo.load import load_demo

    with ctx() as session:
        load_demo(random.Random(2022))
        session.commit()
        task_id = session.scalar(sa.select(Task.id).where(Task.title == SOON_TASK[0]))
        rider_id = session.scalar(sa.select(User.id).where(User.phone == "13800000001"))
        coordinator_id = session.scalar(sa.select(User.id).where(User.phone == "13900000001"))
    screen = make_client(coordinator_id).get(f"/coordinate/tasks/{task_id}/check-in").get_data(as_text=True)
    code = re.search(r'check-in-digits"[^>]*>(\d{6})<', screen).group(1)
    rider = make_client(rider_id)
    assert f'action="/tasks/{task_id}/check-in"' in rider.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert rider.post(f"/tasks/{task_id}/check-in", {"code": code}).status_code == 303
    signup = signup_of(ctx, task_id, rider_id)
    assert (signup.status, signup.attendance_method) == ("attended", "verified")


def test_a_scanned_check_out_link_before_check_out_opens_says_when_and_offers_no_button(make_client, world, booked):
    page = text_of(make_client(world.rider).get(f"/tasks/{booked}/check-out?code=123456"))
    assert "Check-out opens at" in page and 'name="code"' not in page


def test_a_broken_or_old_proof_is_refused_and_the_code_field_offered_instead(make_client, world, booked, ctx):
    rider = make_client(world.rider)
    page = rider.get(f"/tasks/{booked}/check-in?proof=forged.token")
    assert "This check-in link is too old or broken" in text_of(page) and 'name="code"' in page.get_data(as_text=True)
    response = rider.post(f"/tasks/{booked}/check-in", {"proof": "forged.token"})
    assert response.status_code == 409 and "This check-in link is too old or broken" in text_of(response)
    assert signup_of(ctx, booked, world.rider).checked_in_at is None


def test_wrong_codes_scanned_without_a_session_are_rate_limited_per_address(make_app, booked, ctx):
    from tests.conftest import Client

    browser = Client(make_app(WRONG_CHECKIN_CODES_PER_RIDER="2 per 10 minutes"))
    assert [browser.get(f"/tasks/{booked}/check-in?code=12345").status_code for _ in range(2)] == [422, 422]
    blocked = browser.get(f"/tasks/{booked}/check-in?code={code_now(ctx, booked)}")
    assert blocked.status_code == 429 and "Too many wrong codes" in text_of(blocked)


def test_the_rider_task_page_says_when_check_in_opens(make_client, world, ctx):
    with ctx() as session:
        later = make_task(world.org, world.coordinator, starts_at=utcnow() + timedelta(hours=3),
                          ends_at=utcnow() + timedelta(hours=5))
        services.sign_up(task=later, rider=session.get(User, world.rider))
        session.commit()
        later_id = later.id
    page = text_of(make_client(world.rider).get(f"/tasks/{later_id}"))
    assert "Check-in opens at" in page and 'name="code"' not in page


def test_a_logged_out_scan_forwarded_to_another_phone_does_not_check_that_rider_in(client, make_client, world,
                                                                                   booked, ctx):
    with ctx() as session:
        services.sign_up(task=session.get(Task, booked), rider=session.get(User, world.rider2))
        session.commit()
    scan = client.get(f"/tasks/{booked}/check-in?code={code_now(ctx, booked)}")  # at the venue, not logged in
    next_url = parse_qs(urlsplit(scan.headers["Location"]).query)["next"][0]
    proof = parse_qs(urlsplit(next_url).query)["proof"][0]
    friend = make_client(world.rider2)  # at home, sent the link in a chat
    page = text_of(friend.get(next_url))
    assert "This check-in link is too old or broken." in page and 'name="proof"' not in page
    refused = friend.post(f"/tasks/{booked}/check-in", {"proof": proof})
    assert refused.status_code in (409, 422)
    signup = signup_of(ctx, booked, world.rider2)
    assert (signup.status, signup.checked_in_at) == ("confirmed", None) and awards(ctx, world.rider2) == []


def test_a_scan_counts_when_it_was_made_so_a_slow_tap_two_minutes_later_still_checks_in(make_client, world, booked,
                                                                                        ctx, monkeypatch):
    rider = make_client(world.rider)
    page = rider.get(f"/tasks/{booked}/check-in?code={code_now(ctx, booked)}")
    proof = re.search(r'name="proof" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    later = utcnow() + timedelta(minutes=2)  # the code shown then is long gone
    monkeypatch.setattr(checkin, "utcnow", lambda: later)
    done = rider.post(f"/tasks/{booked}/check-in", {"proof": proof}, htmx=True)
    assert done.status_code == 200 and "Your attendance is verified" in text_of(done)
    assert awards(ctx, world.rider) == [30]


def test_a_scanned_code_that_is_no_longer_valid_is_kept_in_the_field_and_checked_on_the_tap(make_client, world,
                                                                                            booked, ctx):
    rider = make_client(world.rider)
    old = code_now(ctx, booked, ago=90)
    page = rider.get(f"/tasks/{booked}/check-in?code={old}").get_data(as_text=True)
    assert f'value="{old}"' in page and 'name="proof"' not in page
