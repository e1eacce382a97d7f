"""Invariant 2 (awards) and 7 (corrections): attendance awards once; a correction is one linked entry."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from accounts.journal import JournalEntry
from core.timeutil import localtime, utcnow
from oversight.books import run_audit
from points import ledger
from points.errors import DuplicateEntry
from points.models import LedgerEntry
from points.queries import balance_of
from tests.factories import make_org, make_task, make_user
from volunteer import attendance, services
from volunteer.errors import AttendanceNotAllowed, CorrectionNeedsReason, ReasonRequired, SignupsChanged


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


def entries_of(session, rider_id):
    return session.scalars(sa.select(LedgerEntry).where(LedgerEntry.rider_id == rider_id)
                           .order_by(LedgerEntry.id)).all()


def test_attending_awards_the_points_once_even_when_marked_twice(session, signed_up):
    signup, _, coordinator, rider = signed_up
    attendance.mark_attendance(signup=signup, attended=True, actor=coordinator)
    attendance.mark_attendance(signup=signup, attended=True, actor=coordinator)
    session.commit()
    assert balance_of(rider.id) == 40
    assert [(e.kind, e.amount, e.key) for e in entries_of(session, rider.id)] == [
        ("award", 40, f"award:signup:{signup.id}")]


def test_a_no_show_is_corrected_to_attended_only_with_a_reason(session, signed_up):
    signup, _, coordinator, rider = signed_up
    attendance.mark_attendance(signup=signup, attended=False, actor=coordinator)
    assert balance_of(rider.id) == 0
    with pytest.raises(CorrectionNeedsReason):
        attendance.mark_attendance(signup=signup, attended=True, actor=coordinator, reason="  ")
    attendance.mark_attendance(signup=signup, attended=True, actor=coordinator, reason="签到表漏记")
    session.commit()
    assert signup.status == "attended"
    assert balance_of(rider.id) == 40
    [entry] = entries_of(session, rider.id)
    assert (entry.kind, entry.amount, entry.reason) == ("award", 40, "路口交通安全劝导 · 签到表漏记")


def test_attended_corrected_to_no_show_is_one_reversal_that_names_the_award(session, signed_up):
    signup, _, coordinator, rider = signed_up
    attendance.mark_attendance(signup=signup, attended=True, actor=coordinator)
    with pytest.raises(CorrectionNeedsReason):
        attendance.mark_attendance(signup=signup, attended=False, actor=coordinator)
    for _ in range(2):  # a double tap takes the points back once
        attendance.mark_attendance(signup=signup, attended=False, actor=coordinator, reason="本人未到场")
    session.commit()
    award, reversal = entries_of(session, rider.id)
    assert (reversal.kind, reversal.amount, reversal.reverses_id, reversal.signup_id) == (
        "reversal", -40, award.id, signup.id)
    assert reversal.reason == "路口交通安全劝导 · 本人未到场"
    assert signup.status == "no_show" and balance_of(rider.id) == 0
    assert run_audit() == []
    journal = session.scalars(sa.select(JournalEntry).where(JournalEntry.action == "attendance.correct")).all()
    assert len(journal) == 1 and '"reason": "本人未到场"' in journal[0].details


def test_back_and_forth_corrections_chain_new_entries_and_keep_the_books(session, signed_up):
    signup, _, coordinator, rider = signed_up
    attendance.mark_attendance(signup=signup, attended=True, actor=coordinator)
    for attended in (False, True, False, True):
        attendance.mark_attendance(signup=signup, attended=attended, actor=coordinator, reason="更正")
    session.commit()
    entries = entries_of(session, rider.id)
    assert [(e.kind, e.amount) for e in entries] == [("award", 40), ("reversal", -40), ("award", 40),
                                                     ("reversal", -40), ("award", 40)]
    assert [e.reverses_id for e in entries] == [None] + [e.id for e in entries[:-1]]
    assert balance_of(rider.id) == 40 and run_audit() == []


def test_an_award_is_reversed_at_most_once_by_the_database(session, signed_up):
    signup, _, coordinator, rider = signed_up
    attendance.mark_attendance(signup=signup, attended=True, actor=coordinator)
    award = entries_of(session, rider.id)[0]
    ledger.post_entry(rider_id=rider.id, amount=-40, kind="reversal", reason="x", key="manual-1",
                      signup_id=signup.id, reverses_id=award.id)
    with pytest.raises(DuplicateEntry):  # another key, same reverses_id: the unique column refuses it
        ledger.post_entry(rider_id=rider.id, amount=-40, kind="reversal", reason="x", key="manual-2",
                          signup_id=signup.id, reverses_id=award.id)


def test_points_already_spent_cannot_be_taken_back(session, signed_up):
    signup, _, coordinator, rider = signed_up
    attendance.mark_attendance(signup=signup, attended=True, actor=coordinator)
    ledger.post_entry(rider_id=rider.id, amount=-30, kind="adjustment", reason="兑换")
    session.commit()
    with pytest.raises(AttendanceNotAllowed) as refused:
        attendance.mark_attendance(signup=signup, attended=False, actor=coordinator, reason="未到场")
    assert refused.value.message.startswith("骑手已用掉这些积分")
    session.rollback()
    session.refresh(signup)
    assert signup.status == "attended" and balance_of(rider.id) == 10


def test_corrections_close_when_the_window_after_the_end_has_passed(app, session, signed_up):
    signup, _, coordinator, rider = signed_up
    task = signup.task
    attendance.mark_attendance(signup=signup, attended=True, actor=coordinator)
    late = task.ends_at + timedelta(days=7, minutes=1)
    with pytest.raises(AttendanceNotAllowed) as refused:
        attendance.mark_attendance(signup=signup, attended=False, actor=coordinator, reason="x", now=late)
    assert localtime(attendance.attendance_closes_at(task), "short") in refused.value.message
    app.config["ATTENDANCE_CORRECTION_WINDOW"] = timedelta(days=10)
    try:
        attendance.mark_attendance(signup=signup, attended=False, actor=coordinator, reason="x", now=late)
    finally:
        app.config["ATTENDANCE_CORRECTION_WINDOW"] = timedelta(days=7)
    assert signup.status == "no_show" and balance_of(rider.id) == 0


def test_attendance_is_refused_before_it_opens_and_says_when(session):
    org = make_org()
    coordinator = make_user("coordinator", organisation_id=org.id)
    task = make_task(org.id, coordinator.id, starts_at=utcnow() + timedelta(days=2),
                     ends_at=utcnow() + timedelta(days=2, hours=1))
    signup = services.sign_up(task=task, rider=make_user())
    assert not attendance.attendance_open(task)
    with pytest.raises(AttendanceNotAllowed) as refused:
        attendance.mark_attendance(signup=signup, attended=True, actor=coordinator)
    assert localtime(attendance.attendance_opens_at(task), "short") in refused.value.message


def test_a_too_long_reason_is_refused(session, signed_up):
    signup, _, coordinator, _ = signed_up
    attendance.mark_attendance(signup=signup, attended=True, actor=coordinator)
    with pytest.raises(ReasonRequired):
        attendance.mark_attendance(signup=signup, attended=False, actor=coordinator, reason="长" * 91)


def test_waitlisted_riders_cannot_be_marked(session, signed_up):
    _, waiting, coordinator, _ = signed_up
    with pytest.raises(AttendanceNotAllowed):
        attendance.mark_attendance(signup=waiting, attended=True, actor=coordinator)


def test_mark_all_attended_marks_only_confirmed_riders(session, signed_up):
    signup, waiting, coordinator, rider = signed_up
    assert attendance.mark_all_attended(task=signup.task, actor=coordinator, expected={signup.id}) == 1
    session.commit()
    session.refresh(waiting)
    assert waiting.status == "waitlisted"
    assert balance_of(rider.id) == 40


def test_mark_all_attended_refuses_when_the_confirmed_riders_changed(session, signed_up):
    signup, _, coordinator, rider = signed_up
    with pytest.raises(SignupsChanged):
        attendance.mark_all_attended(task=signup.task, actor=coordinator, expected={signup.id, 999})
    session.rollback()
    session.refresh(signup)
    assert signup.status == "confirmed" and balance_of(rider.id) == 0
