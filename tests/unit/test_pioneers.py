"""Pioneer marks: only in the coordinator's organisation, a reason required, once while in force, withdrawn once;
both journalled, marking notified. And the admin's weights service (journalled with before and after)."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from accounts.journal import JournalEntry
from accounts.models import User
from extensions import db
from notifications.models import Notification
from recognition import pioneers, score
from recognition.models import PioneerMark, ScorePart
from tests.factories import link_rider, make_org, make_user

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def cast(session):
    org, other_org = make_org("塘市办事处"), make_org("金港镇长江村")
    coordinator = make_user("coordinator", "陈丽华", org.id)
    other_coordinator = make_user("coordinator", "王建国", other_org.id)
    rider, stranger = make_user(name="赵佳楠"), make_user(name="张松阳")
    link_rider(rider.id, org.id, coordinator.id)
    link_rider(stranger.id, other_org.id, other_coordinator.id)
    admin = make_user("admin", "刘管理")
    session.flush()
    return coordinator, other_coordinator, rider, stranger, admin


def rows(rider_id):
    return [(m.kind, m.reason, m.withdraws_id is not None) for m in
            db.session.scalars(sa.select(PioneerMark).where(PioneerMark.rider_id == rider_id).order_by(PioneerMark.id))]


def actions():
    return [e.action for e in db.session.scalars(sa.select(JournalEntry).order_by(JournalEntry.id))]


def test_a_coordinator_marks_a_rider_of_their_organisation_with_a_reason(cast):
    coordinator, _other, rider, _stranger, _admin = cast
    mark = pioneers.mark_pioneer(rider=rider, reason=" 暴雨夜坚守路口 ", actor=coordinator, now=NOW)
    assert (mark.kind, mark.reason, mark.organisation_id) == ("mark", "暴雨夜坚守路口", coordinator.organisation_id)
    assert "pioneer.mark" in actions()
    note = db.session.scalar(sa.select(Notification).where(Notification.user_id == rider.id,
                                                           Notification.kind == "pioneer_marked"))
    assert note is not None and "暴雨夜坚守路口" in note.params
    assert list(pioneers.marks_in_force([rider.id])) == [rider.id]


@pytest.mark.parametrize("reason", ["", "   ", "x" * 201])
def test_a_mark_needs_a_reason(cast, reason):
    coordinator, _other, rider, _stranger, _admin = cast
    with pytest.raises(pioneers.ReasonRequired):
        pioneers.mark_pioneer(rider=rider, reason=reason, actor=coordinator, now=NOW)
    assert rows(rider.id) == []


def test_a_rider_outside_the_organisation_cannot_be_marked(cast):
    coordinator, other_coordinator, rider, stranger, admin = cast
    with pytest.raises(pioneers.OutsideOrganisation):
        pioneers.mark_pioneer(rider=stranger, reason="好", actor=coordinator, now=NOW)
    with pytest.raises(pioneers.OutsideOrganisation):
        pioneers.mark_pioneer(rider=rider, reason="好", actor=other_coordinator, now=NOW)
    with pytest.raises(pioneers.OutsideOrganisation):
        pioneers.mark_pioneer(rider=rider, reason="好", actor=admin, now=NOW)
    with pytest.raises(pioneers.OutsideOrganisation):  # a coordinator is not a rider
        pioneers.mark_pioneer(rider=db.session.get(User, other_coordinator.id), reason="好", actor=coordinator)
    assert rows(rider.id) == [] and rows(stranger.id) == []


def test_a_second_mark_while_one_is_in_force_writes_nothing(cast):
    coordinator, _other, rider, _stranger, _admin = cast
    pioneers.mark_pioneer(rider=rider, reason="第一次", actor=coordinator, now=NOW)
    with pytest.raises(pioneers.AlreadyPioneer):
        pioneers.mark_pioneer(rider=rider, reason="第二次", actor=coordinator, now=NOW + timedelta(seconds=1))
    assert rows(rider.id) == [("mark", "第一次", False)]
    assert actions().count("pioneer.mark") == 1


def test_a_withdrawal_names_the_mark_once_and_a_new_mark_may_follow(cast):
    coordinator, _other, rider, _stranger, _admin = cast
    mark = pioneers.mark_pioneer(rider=rider, reason="带头劝导", actor=coordinator, now=NOW)
    withdrawal = pioneers.withdraw_pioneer(rider=rider, reason="已离开本区", actor=coordinator,
                                           now=NOW + timedelta(days=1))
    assert withdrawal.withdraws_id == mark.id and withdrawal.kind == "withdraw"
    with pytest.raises(pioneers.NotPioneer):
        pioneers.withdraw_pioneer(rider=rider, reason="再次撤销", actor=coordinator, now=NOW + timedelta(days=2))
    assert pioneers.marks_in_force([rider.id]) == {}
    again = pioneers.mark_pioneer(rider=rider, reason="回来了", actor=coordinator, now=NOW + timedelta(days=3))
    assert pioneers.marks_in_force([rider.id])[rider.id] == [again]
    assert actions().count("pioneer.withdraw") == 1


def test_the_same_mark_cannot_be_withdrawn_twice_by_the_database(cast):
    coordinator, _other, rider, _stranger, _admin = cast
    mark = pioneers.mark_pioneer(rider=rider, reason="带头劝导", actor=coordinator, now=NOW)
    pioneers.withdraw_pioneer(rider=rider, reason="撤销", actor=coordinator, now=NOW)
    from core.db import insert_ignoring_conflicts
    assert insert_ignoring_conflicts(PioneerMark.__table__, rider_id=rider.id, organisation_id=mark.organisation_id,
                                     kind="withdraw", reason="又一次", actor_id=coordinator.id, created_at=NOW,
                                     withdraws_id=mark.id) is None


def test_a_withdrawal_needs_a_mark_in_the_organisation_and_a_reason(cast):
    coordinator, _other, rider, _stranger, _admin = cast
    with pytest.raises(pioneers.NotPioneer):
        pioneers.withdraw_pioneer(rider=rider, reason="撤销", actor=coordinator, now=NOW)
    pioneers.mark_pioneer(rider=rider, reason="带头劝导", actor=coordinator, now=NOW)
    with pytest.raises(pioneers.ReasonRequired):
        pioneers.withdraw_pioneer(rider=rider, reason="", actor=coordinator, now=NOW)
    assert [kind for kind, *_ in rows(rider.id)] == ["mark"]


def test_saving_weights_updates_and_inserts_rows_and_journals_before_and_after(cast):
    *_rest, admin = cast
    db.session.execute(sa.delete(ScorePart).where(ScorePart.code == "ratings"))
    db.session.execute(sa.update(ScorePart).values(max_points=20, points_per_unit=5)
                       .where(ScorePart.code == "training"))
    values = {"training": (30, 10), "hours": (40, 3), "reports": (20, 5), "ratings": (10, 20)}
    assert score.save_weights(values, actor=admin, now=NOW) is True
    saved = {w.code: (w.max_points, w.points_per_unit) for w in score.weights().values()}
    assert saved == values
    assert db.session.get(ScorePart, "ratings").updated_by_id == admin.id
    entry = db.session.scalar(sa.select(JournalEntry).where(JournalEntry.action == "score.weights"))
    assert '"training": [20, 5]' in entry.details and '"training": [30, 10]' in entry.details
    assert score.save_weights(values, actor=admin, now=NOW) is False  # nothing changed: nothing journalled
    assert actions().count("score.weights") == 1
