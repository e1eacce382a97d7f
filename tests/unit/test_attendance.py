"""Invariant 2 (awards): attendance awards the task's points exactly once."""

import pytest
import sqlalchemy as sa

from points.models import LedgerEntry
from points.queries import balance_of
from tests.factories import make_org, make_task, make_user
from volunteer import services
from volunteer.errors import AttendanceNotAllowed


@pytest.fixture
def signed_up(session):
    org = make_org()
    coordinator = make_user("coordinator", organisation_id=org.id)
    task = make_task(org.id, coordinator.id, places=1, points=40)
    rider, late = make_user(), make_user(name="候补骑手")
    signup = services.sign_up(task=task, rider=rider)
    waiting = services.sign_up(task=task, rider=late, join_waitlist=True)
    session.commit()
    return signup, waiting, coordinator, rider


def test_attending_awards_the_points_once_even_when_marked_twice(session, signed_up):
    signup, _, coordinator, rider = signed_up
    services.mark_attendance(signup=signup, attended=True, actor=coordinator)
    services.mark_attendance(signup=signup, attended=True, actor=coordinator)
    session.commit()
    assert balance_of(rider.id) == 40
    entries = session.scalars(sa.select(LedgerEntry).where(LedgerEntry.rider_id == rider.id)).all()
    assert [(e.kind, e.amount, e.key) for e in entries] == [("award", 40, f"award:signup:{signup.id}")]


def test_a_no_show_earns_nothing_and_can_be_corrected_to_attended(session, signed_up):
    signup, _, coordinator, rider = signed_up
    services.mark_attendance(signup=signup, attended=False, actor=coordinator)
    assert balance_of(rider.id) == 0
    services.mark_attendance(signup=signup, attended=True, actor=coordinator)
    session.commit()
    assert signup.status == "attended"
    assert balance_of(rider.id) == 40


def test_an_attended_rider_cannot_be_turned_into_a_no_show(session, signed_up):
    signup, _, coordinator, _ = signed_up
    services.mark_attendance(signup=signup, attended=True, actor=coordinator)
    with pytest.raises(AttendanceNotAllowed):
        services.mark_attendance(signup=signup, attended=False, actor=coordinator)


def test_waitlisted_riders_cannot_be_marked(session, signed_up):
    _, waiting, coordinator, _ = signed_up
    with pytest.raises(AttendanceNotAllowed):
        services.mark_attendance(signup=waiting, attended=True, actor=coordinator)


def test_mark_all_attended_marks_only_confirmed_riders(session, signed_up):
    signup, waiting, coordinator, rider = signed_up
    assert services.mark_all_attended(task=signup.task, actor=coordinator) == 1
    session.commit()
    session.refresh(waiting)
    assert waiting.status == "waitlisted"
    assert balance_of(rider.id) == 40
