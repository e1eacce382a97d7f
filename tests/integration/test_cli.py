"""Command-line jobs: voucher expiry (cron), the demo loader and the demo reset."""

import random
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from accounts.models import User
from core.timeutil import utcnow
from demo.data import GAP_TASK, SOLD_OUT_OFFER, SOON_TASK
from demo.load import load_demo
from demo.recognition import TRAININGS, WEEKS
from points import ledger
from points.models import LedgerEntry
from points.queries import balance_of
from rewards import vouchers
from rewards.models import Offer, Voucher
from tests.factories import give_points
from volunteer.models import Signup, Task


def test_vouchers_expire_refunds_each_overdue_voucher_once(app, world, ctx):
    with ctx() as session:
        give_points(world.rider, 60)
        offer, rider = session.get(Offer, world.offer), session.get(User, world.rider)
        vouchers.redeem_offer(offer=offer, rider=rider, now=utcnow() - timedelta(days=8))
        vouchers.redeem_offer(offer=offer, rider=rider)
        session.commit()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["vouchers", "expire"])
    second = runner.invoke(args=["vouchers", "expire"])
    assert "expired and refunded 1 voucher(s)" in first.output
    assert "expired and refunded 0 voucher(s)" in second.output
    with ctx() as session:
        assert sorted(session.scalars(sa.select(Voucher.status))) == ["expired", "issued"]
        assert balance_of(world.rider) == 30
        assert session.scalar(sa.select(sa.func.count()).where(LedgerEntry.kind == "expiry")) == 1


RECOGNITION_TASKS = len(TRAININGS) + WEEKS  # the past trainings and weekly service days (demo/recognition.py)
ACTIVITIES = 2  # the birthday party and the health talk (demo/activities.py)


def demo_state(session, now: datetime) -> dict:
    """What the demo shows relative to ``now``: the soon task, full and waitlisted tasks, the sold-out offer."""
    soon = session.scalar(sa.select(Task).where(Task.title == SOON_TASK[0]))
    upcoming = session.scalars(sa.select(Task).where(Task.starts_at > now, Task.status == "open")).all()
    signups = lambda task: session.scalars(sa.select(Signup).where(Signup.task_id == task.id)).all()  # noqa: E731
    return {
        "soon_starts_in": soon.starts_at - now,
        "soon_statuses": sorted(s.status for s in signups(soon)),
        "soon_riders": {session.get(User, s.rider_id).phone for s in signups(soon) if s.status == "confirmed"},
        "soon_organisation_coordinators": set(session.scalars(sa.select(User.phone).where(
            User.organisation_id == soon.organisation_id, User.role == "coordinator"))),
        "past_unmarked": session.scalar(sa.select(sa.func.count()).select_from(Signup).join(Task).where(
            Task.ends_at < now, Task.status == "open", Signup.status == "confirmed")),
        "past_attended": session.scalar(sa.select(sa.func.count()).select_from(Signup).join(Task).where(
            Task.ends_at < now, Signup.status == "attended")),
        "upcoming_full_with_waitlist": sum(1 for t in upcoming if t.taken == t.places and t.starts_at > now
                                           + timedelta(hours=1) and any(s.status == "waitlisted" for s in signups(t))),
        "upcoming": len(upcoming),
        "sold_out_stock": session.scalar(sa.select(Offer.stock).where(Offer.title == SOLD_OUT_OFFER[0])),
        "gap_fits": [(t.title, t.starts_at - now <= timedelta(hours=2), t.ends_at - t.starts_at <= timedelta(hours=1),
                      t.taken < t.places) for t in upcoming if t.title == GAP_TASK[0]],
        "without_coordinates": [t.title for t in upcoming if t.latitude is None or t.longitude is None],
    }


def assert_fresh_demo(state: dict, slack: timedelta = timedelta(0)) -> None:
    """``state`` measured from when the load began; ``slack``: how long the load may have taken after that."""
    assert timedelta(minutes=20) <= state["soon_starts_in"] <= timedelta(minutes=30) + slack
    assert state["soon_statuses"] == ["confirmed"] * SOON_TASK[5] + ["waitlisted"]
    assert "13800000001" in state["soon_riders"]  # the README's rider
    assert "13900000001" in state["soon_organisation_coordinators"]  # the README's coordinator
    assert state["past_unmarked"] == 0 and state["past_attended"] > 20
    assert state["upcoming"] >= 10 and state["upcoming_full_with_waitlist"] >= 2
    assert state["sold_out_stock"] == 0
    assert state["gap_fits"] == [(GAP_TASK[0], True, True, True)]  # starts within 2 hours, lasts ≤ 1 hour, free places
    assert state["without_coordinates"] == []  # every demo task can be sorted by distance


def test_the_demo_is_relative_to_the_day_it_is_loaded(app, ctx):
    later = datetime(2031, 7, 14, 9, 3, tzinfo=UTC)  # a day long after the demo was written
    with ctx() as session:
        load_demo(random.Random(2022), now=later)
        session.commit()
        assert_fresh_demo(demo_state(session, later))


def test_demo_load_fills_an_empty_database_once_and_the_readme_attendance_walk_works_at_once(
        app, ctx, make_client):
    runner = app.test_cli_runner()
    began = utcnow()
    result = runner.invoke(args=["demo", "load"])
    took = utcnow() - began
    assert "demo data loaded" in result.output, result.output
    with ctx() as session:
        count = lambda q: session.scalar(sa.select(sa.func.count()).select_from(q))  # noqa: E731
        assert count(User.__table__.select().where(User.role == "rider").subquery()) == 30
        assert count(User.__table__.select().where(User.role == "coordinator").subquery()) == 3
        assert count(Task) == 22 + RECOGNITION_TASKS + ACTIVITIES
        assert set(session.scalars(sa.select(Voucher.status).distinct())) == {"issued", "redeemed", "expired",
                                                                              "cancelled"}
        assert {"attended", "confirmed", "waitlisted"} <= set(session.scalars(sa.select(Signup.status).distinct()))
        for user_id, balance in session.execute(sa.text("SELECT user_id, balance FROM points_account")):
            assert balance == session.scalar(sa.select(sa.func.sum(LedgerEntry.amount))
                                             .where(LedgerEntry.rider_id == user_id))
        assert "锦丰" in " ".join(session.scalars(sa.text("SELECT address FROM merchant")))
        second = session.scalar(sa.select(User).where(User.phone == "13800000002"))
        held = session.scalar(sa.select(Signup).where(Signup.rider_id == second.id, Signup.status == "offered"))
        assert held is not None and held.hold_until > utcnow()  # the README's held place, waiting for a tap
        assert session.scalar(sa.select(sa.func.count()).select_from(Signup).where(
            Signup.task_id == held.task_id, Signup.status.in_(("confirmed", "offered")))) == held.task.places
    assert "already has accounts" in runner.invoke(args=["demo", "load"]).output
    with ctx() as session:
        assert_fresh_demo(demo_state(session, began), slack=took)
        soon = session.scalar(sa.select(Task).where(Task.title == SOON_TASK[0]))
        rider = session.scalar(sa.select(User).where(User.phone == "13800000001"))
        coordinator = session.scalar(sa.select(User).where(User.phone == "13900000001"))
        signup = session.scalar(sa.select(Signup).where(Signup.task_id == soon.id, Signup.rider_id == rider.id))
        before, task_id, signup_id = balance_of(rider.id), soon.id, signup.id
        coordinator_id, rider_id, points = coordinator.id, rider.id, soon.points
    browser = make_client(coordinator_id)
    page = browser.get(f"/coordinate/tasks/{task_id}").get_data(as_text=True)
    assert f"/coordinate/signups/{signup_id}/attendance" in page  # attendance is open: the buttons show
    response = browser.post(f"/coordinate/signups/{signup_id}/attendance", {"attended": "1"})
    assert response.status_code in (200, 303), response.status_code
    with ctx() as session:
        assert session.get(Signup, signup_id).status == "attended"
        assert balance_of(rider_id) == before + points


def test_demo_reset_asks_first_then_wipes_and_loads_the_demo_again(app, world, ctx, signed_up):
    with ctx() as session:  # history a downgrade would refuse to drop: an award and its reversal
        ledger.award_for_signup(rider_id=world.rider, signup_id=signed_up, points=5, reason="t", actor=None)
        ledger.reverse_award(signup_id=signed_up, reason="mistyped", actor=None)
        session.commit()
    runner = app.test_cli_runner()
    declined = runner.invoke(args=["demo", "reset"], input="n\n")
    assert "deletes EVERY account" in declined.output and declined.exit_code != 0
    with ctx() as session:
        assert session.get(User, world.rider) is not None and session.get(User, world.rider).name == "赵佳楠"
    began = utcnow()
    done = runner.invoke(args=["demo", "reset", "--yes"])
    took = utcnow() - began
    assert "demo data loaded" in done.output, done.output
    with ctx() as session:
        phones = set(session.scalars(sa.select(User.phone)))
        assert world.rider_phone not in phones and {"13600000001", "13800000001", "13900000001"} <= phones
        assert session.scalar(sa.select(sa.func.count()).select_from(Task)) == 22 + RECOGNITION_TASKS + ACTIVITIES
        assert_fresh_demo(demo_state(session, began), slack=took)
        with_guard = sa.text("UPDATE ledger_entry SET amount = 0")
        try:  # the append-only guards came back with the schema
            session.execute(with_guard)
            session.flush()
            raise AssertionError("the ledger accepted an UPDATE after the reset")
        except sa.exc.DBAPIError:
            session.rollback()


def test_demo_reset_is_refused_in_production(make_app, world, ctx):
    with ctx() as session:
        tasks = session.scalar(sa.select(sa.func.count()).select_from(Task))
    production = make_app(ENV_NAME="production")
    result = production.test_cli_runner().invoke(args=["demo", "reset", "--yes"])
    assert result.exit_code != 0 and "NUANXIN_ENV=production" in result.output
    with ctx() as session:
        assert session.get(User, world.rider) is not None
        assert session.scalar(sa.select(sa.func.count()).select_from(Task)) == tasks


def test_the_soon_task_starts_20_to_30_minutes_after_loading_whatever_the_second():
    from demo.load import soon

    for second in (0, 1, 30, 59):
        for minute in (0, 9, 10, 41, 59):
            now = datetime(2031, 7, 14, 9, minute, second, 500, tzinfo=UTC)
            starts = soon(now)
            assert timedelta(minutes=20) <= starts - now <= timedelta(minutes=30)
            assert starts.minute % 10 == 0 and starts.second == 0
