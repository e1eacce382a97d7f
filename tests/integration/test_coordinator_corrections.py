"""Issue 9, points 1, 2 and 4: a coordinator corrects attendance with a reason, confirms "mark all attended",
removes a rider from a task; a rider cannot hold two places at the same time."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from accounts.journal import JournalEntry
from accounts.models import User
from core.timeutil import utcnow
from points.models import LedgerEntry
from points.queries import balance_of
from tests.factories import make_task
from tests.pages import input_value, text_of
from volunteer import attendance, services
from volunteer.models import Signup, Task

START = datetime(2030, 5, 1, 1, 30, tzinfo=UTC)  # Wed 1 May 2030, 09:30 in Asia/Shanghai


def row_of(page: str, signup_id: int) -> str:
    match = re.search(rf'<li id="signup-{signup_id}".*?</li>', page, re.DOTALL)
    assert match, f"no row for sign-up {signup_id}"
    return match.group(0)


@pytest.fixture
def attended(world, ctx, signed_up):
    """The world's rider marked attended on the world's task (+30 points); returns the sign-up's id."""
    with ctx() as session:
        attendance.mark_attendance(signup=session.get(Signup, signed_up), attended=True,
                                   actor=session.get(User, world.coordinator))
        session.commit()
    return signed_up


# Point 1: corrections


def test_a_correction_without_a_reason_is_refused_next_to_the_row(world, coordinator, ctx, attended):
    response = coordinator.post(f"/coordinate/signups/{attended}/attendance", {"attended": "0"}, htmx=True)
    assert response.status_code == 422
    body = text_of(response)
    assert body.strip().startswith(f'<li id="signup-{attended}"')
    assert "Give a reason for the correction; the rider will see it." in body
    with ctx() as session:
        assert session.get(Signup, attended).status == "attended"
        assert balance_of(world.rider) == 30


def test_a_plain_form_with_a_too_long_reason_comes_back_with_the_text_kept(world, coordinator, ctx, attended):
    typed = "原因" * 50
    response = coordinator.post(f"/coordinate/signups/{attended}/attendance", {"attended": "0", "reason": typed})
    assert response.status_code == 422
    row = row_of(text_of(response), attended)
    assert "The reason can have at most 90 characters." in row
    assert input_value(response, "reason") == typed
    with ctx():
        assert balance_of(world.rider) == 30


def test_correcting_to_no_show_takes_the_points_back_and_the_wallet_shows_both_lines(world, coordinator, ctx,
                                                                                     attended, make_client):
    response = coordinator.post(f"/coordinate/signups/{attended}/attendance",
                                {"attended": "0", "reason": "本人未到场"}, htmx=True)
    assert response.status_code == 200
    body = text_of(response)
    assert "Corrected: 赵佳楠 was a no-show, 30 points taken back." in body
    assert "status-no_show" in body and "Correct to attended" in body
    with ctx() as session:
        entries = session.scalars(sa.select(LedgerEntry).where(LedgerEntry.rider_id == world.rider)
                                  .order_by(LedgerEntry.id)).all()
        assert [(e.kind, e.amount) for e in entries] == [("award", 30), ("reversal", -30)]
        assert entries[1].reverses_id == entries[0].id
        assert balance_of(world.rider) == 0
        journal = session.scalars(sa.select(JournalEntry).where(JournalEntry.action == "attendance.correct")).all()
        assert [(j.actor_id, j.rider_id, j.organisation_id) for j in journal] == [
            (world.coordinator, world.rider, world.org)]
    wallet = text_of(make_client(world.rider).get("/wallet"))
    assert "+30" in wallet and "-30" in wallet
    assert "Attendance corrected, points taken back" in wallet and "本人未到场" in wallet
    chinese = text_of(make_client(world.rider).get("/wallet", lang="zh"))
    assert "路口交通安全劝导 · 本人未到场" in chinese and "劝导:" not in chinese  # no ASCII colon in Chinese


def test_correcting_back_to_attended_awards_again_with_a_linked_entry(world, coordinator, ctx, attended):
    coordinator.post(f"/coordinate/signups/{attended}/attendance", {"attended": "0", "reason": "记错了"}, htmx=True)
    response = coordinator.post(f"/coordinate/signups/{attended}/attendance", {"attended": "1", "reason": "其实到了"},
                                htmx=True)
    assert response.status_code == 200
    assert "Corrected: 赵佳楠 attended, +30 points." in text_of(response)
    with ctx() as session:
        entries = session.scalars(sa.select(LedgerEntry).where(LedgerEntry.rider_id == world.rider)
                                  .order_by(LedgerEntry.id)).all()
        assert [(e.kind, e.amount, e.reverses_id) for e in entries] == [
            ("award", 30, None), ("reversal", -30, entries[0].id), ("award", 30, entries[1].id)]
        assert balance_of(world.rider) == 30


def test_attendance_buttons_wait_until_attendance_opens_and_the_page_says_when(world, coordinator, ctx):
    with ctx() as session:
        task = make_task(world.org, world.coordinator, starts_at=START, ends_at=START + timedelta(hours=2))
        signup = services.sign_up(task=task, rider=session.get(User, world.rider))
        session.commit()
        task_id, signup_id = task.id, signup.id
    page = text_of(coordinator.get(f"/coordinate/tasks/{task_id}"))
    assert "Attendance opens at Wed 1 May, 08:30." in page
    assert 'name="attended"' not in row_of(page, signup_id)
    assert "Mark all confirmed as attended" not in page
    response = coordinator.post(f"/coordinate/signups/{signup_id}/attendance", {"attended": "1"}, htmx=True)
    assert response.status_code == 409
    assert "Attendance opens at Wed 1 May, 08:30." in text_of(response)


def test_attendance_closes_after_the_correction_window(world, coordinator, ctx):
    with ctx() as session:
        started = utcnow() - timedelta(days=8)
        task = make_task(world.org, world.coordinator, starts_at=started, ends_at=started + timedelta(hours=2),
                         taken=1)
        session.add(Signup(task_id=task.id, rider_id=world.rider, status="confirmed", queued_at=started))
        session.commit()
        task_id = task.id
    page = text_of(coordinator.get(f"/coordinate/tasks/{task_id}"))
    assert "Attendance closed at" in page and 'name="attended"' not in page


# Point 1: "mark all attended" asks first


def test_mark_all_asks_with_the_number_of_riders_and_points_then_marks(world, coordinator, ctx, signed_up):
    with ctx() as session:
        services.sign_up(task=session.get(Task, world.task), rider=session.get(User, world.rider2))
        session.commit()
    page = coordinator.get(f"/coordinate/tasks/{world.task}/attendance")
    assert page.status_code == 200
    assert "This marks 2 riders attended and awards 60 points in total." in " ".join(text_of(page).split())
    ids = input_value(page, "signups")
    response = coordinator.post(f"/coordinate/tasks/{world.task}/attendance", {"signups": ids})
    assert response.status_code == 303
    assert "2 riders marked attended." in text_of(coordinator.get(response.headers["Location"]))
    with ctx():
        assert (balance_of(world.rider), balance_of(world.rider2)) == (30, 30)


def test_the_confirmation_reads_as_one_chinese_sentence(world, coordinator, ctx, signed_up):
    page = text_of(coordinator.get(f"/coordinate/tasks/{world.task}/attendance", lang="zh"))
    assert "将把1名骑手标为已出勤，共发放30积分。" in page


def test_mark_all_says_one_rider_and_one_point_in_the_singular(world, coordinator, ctx):
    with ctx() as session:
        task = make_task(world.org, world.coordinator, points=1)
        services.sign_up(task=task, rider=session.get(User, world.rider))
        session.commit()
        task_id = task.id
    page = text_of(coordinator.get(f"/coordinate/tasks/{task_id}/attendance"))
    assert "This marks 1 rider attended and awards 1 point in total." in " ".join(page.split())


def test_mark_all_refuses_with_409_when_the_riders_changed_in_between(world, coordinator, ctx, signed_up):
    page = coordinator.get(f"/coordinate/tasks/{world.task}/attendance")
    ids = input_value(page, "signups")
    with ctx() as session:  # another rider signs up while the coordinator reads the page
        services.sign_up(task=session.get(Task, world.task), rider=session.get(User, world.rider2))
        session.commit()
    response = coordinator.post(f"/coordinate/tasks/{world.task}/attendance", {"signups": ids})
    assert response.status_code == 409
    body = " ".join(text_of(response).split())
    assert "The list of confirmed riders changed since you opened this page." in body
    assert "This marks 2 riders attended and awards 60 points in total." in body
    with ctx() as session:
        assert session.scalars(sa.select(Signup.status).where(Signup.task_id == world.task)).all() == [
            "confirmed", "confirmed"]
        assert balance_of(world.rider) == 0


# Point 2: removing a rider


@pytest.fixture
def full_with_queue(world, ctx):
    """A task with one place: the rider confirmed, rider2 waiting. Returns (task, confirmed, waiting) ids."""
    with ctx() as session:
        task = make_task(world.org, world.coordinator, places=1, starts_at=utcnow() + timedelta(days=1),
                         ends_at=utcnow() + timedelta(days=1, hours=2))
        confirmed = services.sign_up(task=task, rider=session.get(User, world.rider))
        waiting = services.sign_up(task=task, rider=session.get(User, world.rider2), join_waitlist=True)
        session.commit()
        return task.id, confirmed.id, waiting.id


def test_removing_a_rider_offers_the_place_to_the_waitlist_and_the_rider_sees_why(world, coordinator, ctx,
                                                                                  full_with_queue, make_client):
    task_id, confirmed, waiting = full_with_queue
    response = coordinator.post(f"/coordinate/signups/{confirmed}/remove", {"reason": "多次爽约"}, htmx=True)
    assert response.status_code == 200
    body = text_of(response)
    assert body.strip().startswith(f'<section id="task-{task_id}-signups"')
    assert "赵佳楠 was removed from the task." in body
    assert "status-removed" in row_of(body, confirmed) and "多次爽约" in row_of(body, confirmed)
    assert "status-offered" in row_of(body, waiting) and "Held until" in row_of(body, waiting)
    with ctx() as session:
        removed = session.get(Signup, confirmed)
        assert (removed.status, removed.removed_by_id, removed.removal_reason) == (
            "removed", world.coordinator, "多次爽约")
        assert removed.removed_at is not None
        assert session.get(Signup, waiting).status == "offered"
        assert session.get(Task, task_id).taken == 1
        assert session.scalar(sa.select(sa.func.count()).select_from(JournalEntry)
                              .where(JournalEntry.action == "signup.remove")) == 1
    rider = make_client(world.rider)
    mine = text_of(rider.get("/my/tasks"))
    assert "Removed by the organiser" in mine and "Reason: 多次爽约" in mine
    detail = text_of(rider.get(f"/tasks/{task_id}"))
    assert "The organiser removed you from this task." in detail
    again = rider.post(f"/tasks/{task_id}/signup", htmx=True)  # a page opened before the removal, or a double tap
    assert again.status_code == 409
    assert "The organiser removed you from this task, so you cannot sign up for it again." in text_of(again)
    assert "waitlist, number 0" not in text_of(again)
    chinese = rider.post(f"/tasks/{task_id}/signup", htmx=True, lang="zh")
    assert "组织方已将你移出此任务，不能再次报名。" in text_of(chinese)
    with ctx() as session:
        assert session.get(Signup, confirmed).status == "removed"


def test_removing_without_a_reason_is_refused_with_the_form_kept(world, coordinator, ctx, full_with_queue):
    _, confirmed, _ = full_with_queue
    response = coordinator.post(f"/coordinate/signups/{confirmed}/remove", {"reason": "  "})
    assert response.status_code == 422
    assert "Give a reason; the rider will see it." in row_of(text_of(response), confirmed)
    response = coordinator.post(f"/coordinate/signups/{confirmed}/remove", {"reason": ""}, htmx=True)
    assert response.status_code == 422
    assert "Give a reason; the rider will see it." in text_of(response)
    with ctx() as session:
        assert session.get(Signup, confirmed).status == "confirmed"


def test_control_characters_in_a_reason_are_dropped_not_a_500(world, coordinator, ctx, full_with_queue):
    """Found by the fuzzer on PostgreSQL, which cannot store NUL: a reason typed with control characters."""
    _, confirmed, _ = full_with_queue
    response = coordinator.post(f"/coordinate/signups/{confirmed}/remove", {"reason": " 多次\x00爽约\x1b "})
    assert response.status_code == 303
    with ctx() as session:
        assert session.get(Signup, confirmed).removal_reason == "多次爽约"


def test_a_coordinator_of_another_organisation_cannot_remove(world, make_client, ctx, full_with_queue):
    _, confirmed, _ = full_with_queue
    response = make_client(world.other_coordinator).post(f"/coordinate/signups/{confirmed}/remove",
                                                         {"reason": "x"})
    assert response.status_code == 403
    with ctx() as session:
        assert session.get(Signup, confirmed).status == "confirmed"


# Point 4: one place at a time


def test_signing_up_for_an_overlapping_task_names_the_task_already_booked(world, ctx, make_client, signed_up):
    with ctx() as session:
        booked = session.get(Task, world.task)
        later = timedelta(hours=1)
        overlapping = make_task(world.org, world.coordinator, title="夜间巡逻", starts_at=booked.starts_at + later,
                                ends_at=booked.ends_at + later)
        session.commit()
        task_id = overlapping.id
    rider = make_client(world.rider)
    response = rider.post(f"/tasks/{task_id}/signup", htmx=True)
    assert response.status_code == 409
    body = text_of(response)
    assert "You already have a place on “路口交通安全劝导”" in body and "at the same time" in body
    with ctx() as session:
        assert session.scalar(sa.select(Signup).where(Signup.task_id == task_id)) is None
