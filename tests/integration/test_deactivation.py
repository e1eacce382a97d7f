"""Deactivating an account ends its sessions, releases its places in tasks that have not started (the
waitlist moves up in order) and keeps its history — in the same transaction as the deactivation."""

from datetime import timedelta

import sqlalchemy as sa

from accounts.journal import JournalEntry
from accounts.models import User
from core.timeutil import utcnow
from points.queries import balance_of
from tests.factories import make_task, make_user
from volunteer import attendance, services
from volunteer.models import Signup, Task


def sign(session, task, *riders, waitlist=True):
    return [services.sign_up(task=task, rider=session.get(User, r), join_waitlist=waitlist).id for r in riders]


def statuses(session, ids) -> list[str]:
    return [session.get(Signup, i).status for i in ids]


def test_deactivation_releases_future_places_and_offers_them_to_the_waitlist_in_order(world, ctx, make_client):
    with ctx() as session:
        full = make_task(world.org, world.coordinator, title="满员任务", places=1,
                         starts_at=utcnow() + timedelta(days=2), ends_at=utcnow() + timedelta(days=2, hours=2))
        queue = make_task(world.org, world.coordinator, title="排队任务", places=1,
                          starts_at=utcnow() + timedelta(days=3), ends_at=utcnow() + timedelta(days=3, hours=2))
        first, second = make_user(name="钱一"), make_user(name="孙二")
        held, waiting1, waiting2 = sign(session, full, world.rider, first.id, second.id)
        ahead, mine = sign(session, queue, world.rider2, world.rider)
        started = session.get(Task, world.task)  # starts in 30 minutes: give it a start in the past
        started_signup = sign(session, started, world.rider)[0]
        started.starts_at = utcnow() - timedelta(minutes=5)
        session.commit()
        full_id, queue_id = full.id, queue.id
    response = make_client(world.coordinator).post(f"/coordinate/accounts/{world.rider}/active", {"active": "0"})
    assert response.status_code == 303
    with ctx() as session:
        rider = session.get(User, world.rider)
        assert not rider.active and rider.session_version == 1
        assert statuses(session, [held, waiting1, waiting2]) == ["cancelled", "offered", "waitlisted"]
        assert session.get(Task, full_id).taken == 1
        assert statuses(session, [ahead, mine]) == ["confirmed", "cancelled"]
        assert session.get(Task, queue_id).taken == 1
        assert statuses(session, [started_signup]) == ["confirmed"]  # started: attendance is still to be marked
        released = session.scalars(sa.select(JournalEntry).where(JournalEntry.action == "signup.release")).all()
        assert sorted(e.subject for e in released) == [f"task:{full_id}", f"task:{queue_id}"]
        assert {e.organisation_id for e in released} == {world.org}


def test_deactivation_ends_the_riders_sessions(world, make_client):
    rider = make_client(world.rider)
    assert rider.get("/my/tasks").status_code == 200
    make_client(world.admin).post(f"/coordinate/accounts/{world.rider}/active", {"active": "0"})
    assert rider.get("/my/tasks").status_code == 302


def test_deactivation_keeps_history_and_reactivation_gives_nothing_back(world, ctx, make_client):
    with ctx() as session:
        task = session.get(Task, world.task)
        signup_id = sign(session, task, world.rider)[0]
        attendance.mark_attendance(signup=session.get(Signup, signup_id), attended=True,
                                 actor=session.get(User, world.coordinator))
        session.commit()
    admin = make_client(world.admin)
    admin.post(f"/coordinate/accounts/{world.rider}/active", {"active": "0"})
    admin.post(f"/coordinate/accounts/{world.rider}/active", {"active": "1"})
    with ctx() as session:
        assert session.get(Signup, signup_id).status == "attended"
        assert balance_of(world.rider) == 30
        assert session.get(User, world.rider).active
        actions = session.scalars(sa.select(JournalEntry.action).order_by(JournalEntry.id)).all()
        assert actions[-2:] == ["account.deactivate", "account.reactivate"]


def test_a_refused_deactivation_releases_nothing(world, ctx, make_client):
    with ctx() as session:
        signup_id = sign(session, session.get(Task, world.task), world.rider)[0]
        session.commit()
    assert make_client(world.other_coordinator).post(f"/coordinate/accounts/{world.rider}/active",
                                                     {"active": "0"}).status_code == 404
    with ctx() as session:
        assert session.get(Signup, signup_id).status == "confirmed" and session.get(User, world.rider).active
