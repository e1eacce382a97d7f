"""Verified check-in and check-out: rotating codes, windows, verified minutes, points once (invariant 2)."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from core.geo import distance_m
from points.models import LedgerEntry
from points.queries import balance_of
from tests.factories import make_org, make_task, make_user
from volunteer import attendance, checkin, services
from volunteer.errors import (
    AlreadyCheckedIn,
    AlreadyCheckedOut,
    CheckInLinkExpired,
    CheckInNotOpen,
    NoPlaceOnTask,
    NotCheckedIn,
    WrongCheckInCode,
)

START = datetime(2026, 12, 9, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai


@pytest.fixture
def booked(session):
    """A task from 08:00 to 10:00 local (coordinates at the Zhangjiagang pedestrian street) with one rider."""
    org = make_org()
    coordinator = make_user("coordinator", organisation_id=org.id)
    task = make_task(org.id, coordinator.id, points=30, latitude=31.8754, longitude=120.5555)
    rider = make_user()
    signup = services.sign_up(task=task, rider=rider)
    task.starts_at, task.ends_at = START, START + timedelta(hours=2)  # in the past for sign-ups: set after
    session.commit()
    return task, signup, rider, coordinator


def awards_of(session, rider_id):
    return session.scalars(sa.select(LedgerEntry.amount).where(LedgerEntry.rider_id == rider_id)).all()


def test_a_code_is_accepted_in_its_window_and_the_next_but_not_two_windows_later(session, booked):
    task = booked[0]
    shown = START + timedelta(seconds=5)  # window starts at 08:00:00
    code = checkin.code_for(task, "in", shown)
    assert len(code) == 6 and code.isdigit()
    assert checkin.code_is_valid(task, "in", code, START + timedelta(seconds=29))
    assert checkin.code_is_valid(task, "in", code, START + timedelta(seconds=30))  # the previous window
    assert checkin.code_is_valid(task, "in", code, START + timedelta(seconds=59))
    assert not checkin.code_is_valid(task, "in", code, START + timedelta(seconds=60))  # two windows: refused


def test_a_code_of_the_next_window_is_refused(session, booked):
    task = booked[0]
    later = checkin.code_for(task, "in", START + timedelta(seconds=30))
    assert later != checkin.code_for(task, "in", START)
    assert not checkin.code_is_valid(task, "in", later, START + timedelta(seconds=10))


def test_typed_codes_may_have_spaces_dashes_and_full_width_digits(session, booked):
    task = booked[0]
    code = checkin.code_for(task, "in", START)
    full_width = "".join(chr(ord(d) + 0xFEE0) for d in code)
    assert checkin.code_is_valid(task, "in", f"{code[:3]} {code[3:]}", START)
    assert checkin.code_is_valid(task, "in", f"{code[:3]}-{code[3:]}", START)
    assert checkin.code_is_valid(task, "in", full_width, START)
    assert not checkin.code_is_valid(task, "in", "", START)
    assert not checkin.code_is_valid(task, "in", code + "0", START)


def test_check_in_and_check_out_codes_differ_and_do_not_stand_in_for_each_other(session, booked):
    task = booked[0]
    moments = [START + timedelta(seconds=30 * i) for i in range(20)]
    assert all(checkin.code_for(task, "in", m) != checkin.code_for(task, "out", m) for m in moments)
    out_code = checkin.code_for(task, "out", START)
    assert not checkin.code_is_valid(task, "in", out_code, START)


def test_two_tasks_have_different_codes(session, booked):
    task = booked[0]
    other = make_task(task.organisation_id, task.created_by_id)
    assert other.checkin_secret != task.checkin_secret and len(other.checkin_secret) == 32
    assert checkin.code_for(task, "in", START) != checkin.code_for(other, "in", START)


def test_seconds_left_counts_down_to_the_window_boundary():
    assert checkin.seconds_left(START) == 30
    assert checkin.seconds_left(START + timedelta(seconds=29, milliseconds=500)) == 1
    assert checkin.seconds_left(START + timedelta(seconds=31)) == 29


@pytest.mark.parametrize(("check_in_at", "check_out_at", "minutes"), [
    (START - timedelta(minutes=20), START + timedelta(hours=2, minutes=30), 120),  # clipped to the task
    (START + timedelta(minutes=2, seconds=10), START + timedelta(hours=2, minutes=1), 117),  # 08:02:10–10:00
    (START + timedelta(minutes=2), START + timedelta(hours=1, minutes=59, seconds=59), 117),  # rounded down
    (START + timedelta(hours=2, minutes=5), START + timedelta(hours=2, minutes=10), 0),  # never negative
])
def test_verified_minutes_count_only_the_time_inside_the_task(session, booked, check_in_at, check_out_at, minutes):
    assert checkin.verified_minutes(booked[0], check_in_at, check_out_at) == minutes


def test_checking_in_marks_attended_verified_and_awards_once_when_done_twice(session, booked):
    task, signup, rider, _ = booked
    at = START - timedelta(minutes=10)
    checkin.check_in(task=task, rider=rider, code=checkin.code_for(task, "in", at), now=at)
    session.commit()
    again = at + timedelta(seconds=20)
    with pytest.raises(AlreadyCheckedIn) as refused:
        checkin.check_in(task=task, rider=rider, code=checkin.code_for(task, "in", again), now=again)
    assert "07:50" in refused.value.message
    session.rollback()
    session.refresh(signup)
    assert (signup.status, signup.attendance_method, signup.checked_in_at) == ("attended", "verified", at)
    assert balance_of(rider.id) == 30 and awards_of(session, rider.id) == [30]


def test_a_coordinator_marking_by_hand_after_a_check_in_changes_nothing(session, booked):
    task, signup, rider, coordinator = booked
    at = START + timedelta(minutes=2)
    checkin.check_in(task=task, rider=rider, code=checkin.code_for(task, "in", at), now=at)
    attendance.mark_attendance(signup=signup, attended=True, actor=coordinator, now=at + timedelta(minutes=1))
    session.commit()
    assert (signup.status, signup.attendance_method) == ("attended", "verified")
    assert awards_of(session, rider.id) == [30]


def test_marking_by_hand_is_manual_and_a_later_check_in_verifies_it_without_a_second_award(session, booked):
    task, signup, rider, coordinator = booked
    attendance.mark_attendance(signup=signup, attended=True, actor=coordinator, now=START)
    session.commit()
    assert signup.attendance_method == "manual"
    at = START + timedelta(minutes=3)
    checkin.check_in(task=task, rider=rider, code=checkin.code_for(task, "in", at), now=at)
    session.commit()
    assert (signup.attendance_method, signup.checked_in_at) == ("verified", at)
    assert awards_of(session, rider.id) == [30]


def test_a_wrong_code_and_a_closed_window_are_refused_and_change_nothing(session, booked):
    task, signup, rider, _ = booked
    at = START
    wrong = f"{(int(checkin.code_for(task, 'in', at)) + 1) % 1_000_000:06d}"
    with pytest.raises(WrongCheckInCode):
        checkin.check_in(task=task, rider=rider, code=wrong, now=at)
    early = START - timedelta(hours=1, minutes=1)
    with pytest.raises(CheckInNotOpen) as refused:
        checkin.check_in(task=task, rider=rider, code=checkin.code_for(task, "in", early), now=early)
    assert refused.value.message == "签到于12月9日 07:00开放。"  # the default language: Chinese
    late = START + timedelta(hours=2, seconds=1)
    with pytest.raises(CheckInNotOpen) as refused:
        checkin.check_in(task=task, rider=rider, code=checkin.code_for(task, "in", late), now=late)
    assert refused.value.message == "签到已于12月9日 10:00结束。"
    session.rollback()
    session.refresh(signup)
    assert (signup.status, signup.checked_in_at, signup.attendance_method) == ("confirmed", None, None)


def test_a_rider_without_a_place_is_refused(session, booked):
    task = booked[0]
    stranger = make_user(name="路人")
    with pytest.raises(NoPlaceOnTask):
        checkin.check_in(task=task, rider=stranger, code=checkin.code_for(task, "in", START), now=START)


def test_checking_out_records_the_verified_minutes_once(session, booked):
    task, signup, rider, _ = booked
    came = START + timedelta(minutes=2, seconds=30)
    checkin.check_in(task=task, rider=rider, code=checkin.code_for(task, "in", came), now=came)
    left = START + timedelta(hours=2, minutes=1)
    with pytest.raises(WrongCheckInCode):  # the check-in code of the moment does not check out
        checkin.check_in(task=task, rider=rider, direction="out", code=checkin.code_for(task, "in", left), now=left)
    checkin.check_in(task=task, rider=rider, direction="out", code=checkin.code_for(task, "out", left), now=left)
    session.commit()
    assert (signup.checked_out_at, signup.verified_minutes) == (left, 117)
    with pytest.raises(AlreadyCheckedOut) as refused:
        checkin.check_in(task=task, rider=rider, direction="out", code=checkin.code_for(task, "out", left), now=left)
    assert "10:01" in refused.value.message


def test_check_out_needs_a_check_in_and_opens_15_minutes_before_the_end(session, booked):
    task, _, rider, _ = booked
    at = START + timedelta(hours=1, minutes=50)
    with pytest.raises(NotCheckedIn):
        checkin.check_in(task=task, rider=rider, direction="out", code=checkin.code_for(task, "out", at), now=at)
    early = START + timedelta(hours=1, minutes=44)
    with pytest.raises(CheckInNotOpen) as refused:
        checkin.check_in(task=task, rider=rider, direction="out", code=checkin.code_for(task, "out", early),
                         now=early)
    assert refused.value.message == "签退于12月9日 09:45开放。"
    assert checkin.is_open(task, "out", START + timedelta(hours=3))
    assert not checkin.is_open(task, "out", START + timedelta(hours=3, seconds=1))


def test_the_distance_from_the_task_is_stored_when_the_phone_shares_it(session, booked):
    task, signup, rider, _ = booked
    checkin.check_in(task=task, rider=rider, code=checkin.code_for(task, "in", START), now=START,
                     latitude=31.8844, longitude=120.5555)  # 0.009° north: about 1 km
    assert 990 <= signup.checkin_distance_m <= 1010


def test_distance_m_agrees_with_known_distances():
    assert distance_m(31.8754, 120.5555, 31.8754, 120.5555) == 0
    assert distance_m(0, 0, 1, 0) == pytest.approx(111_195, rel=1e-3)  # one degree of latitude
    assert distance_m(39.9042, 116.4074, 31.2304, 121.4737) == pytest.approx(1_067_000, rel=1e-2)  # Beijing–Shanghai


def test_a_proof_of_a_scan_is_honoured_for_ten_minutes_for_its_task_and_direction_only(session, booked, app):
    task, signup, rider, _ = booked
    scanned = START + timedelta(minutes=1)
    token = checkin.make_proof(task, "in", scanned)
    assert checkin.read_proof(token, task, "in", scanned + timedelta(minutes=10)) == scanned
    for args in ((token, task, "in", scanned + timedelta(minutes=10, seconds=1)), (token, task, "out", scanned),
                 (token + "x", task, "in", scanned), (None, task, "in", scanned)):
        with pytest.raises(CheckInLinkExpired):
            checkin.read_proof(*args)
    checkin.check_in(task=task, rider=rider, scanned_at=scanned, now=scanned + timedelta(minutes=4))
    assert (signup.status, signup.checked_in_at) == ("attended", scanned)


def test_checking_in_writes_one_inbox_notification_with_the_points_in_the_same_transaction(session, booked):
    from notifications.models import Notification

    task, _, rider, _ = booked
    checkin.check_in(task=task, rider=rider, code=checkin.code_for(task, "in", START), now=START)
    rows = session.execute(sa.select(Notification.kind, Notification.params, Notification.link)
                           .where(Notification.user_id == rider.id)).all()
    assert rows == [("attendance_recorded", f'{{"points": {task.points}, "title": "{task.title}"}}', "/wallet")]
    session.rollback()  # the check-in and its notification go together
    assert session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0


def test_checking_in_after_a_marking_by_hand_tells_the_rider_it_is_verified_without_a_second_award(session, booked):
    from notifications.models import Notification

    task, signup, rider, coordinator = booked
    attendance.mark_attendance(signup=signup, attended=True, actor=coordinator, now=START)
    checkin.check_in(task=task, rider=rider, code=checkin.code_for(task, "in", START), now=START)
    kinds = session.scalars(sa.select(Notification.kind).where(Notification.user_id == rider.id)
                            .order_by(Notification.id)).all()
    assert kinds == ["attendance_recorded", "checked_in"]
    assert awards_of(session, rider.id) == [task.points]
