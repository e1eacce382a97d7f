"""Places and attendance under real concurrency: gunicorn with 4 sync workers (two instances on PostgreSQL,
requests spread across both), users logged in over HTTP, the racing requests released together by a barrier.

Each test builds its data in the test's fresh database and commits, starts the servers, fires, then checks
what the database holds and what every user was told, that no server logged a traceback, and that
``flask points audit`` finds the books balanced. Vouchers and the expiry job: ``test_voucher_races.py``.
"""

from collections import Counter
from datetime import timedelta
from functools import partial

import pytest
import sqlalchemy as sa

from core.timeutil import utcnow
from points.models import LedgerEntry
from points.queries import balance_of
from tests import factories
from tests.concurrency.harness import (
    assert_points_audit_clean,
    describe,
    fire,
    ledger_sum,
    log_in_all,
    warm_up,
)
from volunteer.models import Signup, Task

pytestmark = pytest.mark.concurrency

OK = (200, 303)
HTMX = {"HX-Request": "true"}


def all_ok(replies) -> bool:
    return all(r.status in OK for r in replies)


def statuses_of_signups(session, task_id: int) -> dict[int, str]:
    """The status of each rider's sign-up for the task, by rider id."""
    rows = session.execute(sa.select(Signup.rider_id, Signup.status).where(Signup.task_id == task_id))
    return dict(rows.all())



# --------------------------------------------------------------------------------------------------------
# 1. capacity and the waitlist
# --------------------------------------------------------------------------------------------------------

def test_200_riders_race_for_10_places_then_5_cancel_and_the_first_5_waiting_are_offered_them(ctx, serve,
                                                                                               database_url):
    riders_count, places = 200, 10
    with ctx() as session:
        org = factories.make_org()
        coordinator = factories.make_user("coordinator", "陈丽华", org.id)
        task = factories.make_task(org.id, coordinator.id, places=places)
        riders = [factories.make_user(name=f"骑手{i:03d}") for i in range(riders_count)]
        session.commit()
        task_id = task.id
        rider_ids = [r.id for r in riders]
        phones = [r.phone for r in riders]
    cluster = serve()
    browsers = log_in_all(cluster, phones, factories.PASSWORD)
    warm_up(cluster, browsers[0], f"/tasks/{task_id}")

    # Every rider taps "sign up" (join the waitlist if full) at the same moment; every second one uses htmx.
    signup_url = f"/tasks/{task_id}/signup"
    replies = fire([partial(b.post, cluster.url(i), signup_url, {"waitlist": "1"}, keep_cookies=False,
                            headers=HTMX if i % 2 else None) for i, b in enumerate(browsers)])
    assert all_ok(replies), describe(replies, cluster)

    with ctx() as session:
        status_of = statuses_of_signups(session, task_id)
        taken = session.get(Task, task_id).taken
        queue = list(session.scalars(sa.select(Signup.rider_id).where(Signup.task_id == task_id,
                                                                       Signup.status == "waitlisted")
                                     .order_by(Signup.queued_at, Signup.id)))
    assert Counter(status_of.values()) == {"confirmed": places, "waitlisted": riders_count - places}, describe(
        replies, cluster)
    assert len(status_of) == riders_count
    assert taken == places
    # What each htmx rider was shown matches what the database holds for them.
    for i in range(1, riders_count, 2):
        shown = "confirmed" if 'class="status status-ok"' in replies[i].text else (
            "waitlisted" if 'class="status status-wait"' in replies[i].text else "nothing")
        assert shown == status_of[rider_ids[i]], f"rider {i} was shown {shown}: {replies[i].text[:500]}"

    # Five confirmed riders cancel at once: their places are held for the first five of the waitlist (queued_at, id).
    confirmed = sorted(r for r, s in status_of.items() if s == "confirmed")
    cancelling = confirmed[:5]
    index_of = {rider_id: i for i, rider_id in enumerate(rider_ids)}
    cancel_url = f"/tasks/{task_id}/cancel"
    replies = fire([partial(browsers[index_of[r]].post, cluster.url(n), cancel_url, keep_cookies=False,
                            headers=HTMX if n % 2 else None) for n, r in enumerate(cancelling)])
    assert all_ok(replies), describe(replies, cluster)

    with ctx() as session:
        after = statuses_of_signups(session, task_id)
        taken = session.get(Task, task_id).taken
        queue_after = list(session.scalars(sa.select(Signup.rider_id).where(Signup.task_id == task_id,
                                                                             Signup.status == "waitlisted")
                                           .order_by(Signup.queued_at, Signup.id)))
    assert sorted(r for r, s in after.items() if s == "cancelled") == cancelling
    assert sorted(r for r, s in after.items() if s == "confirmed") == confirmed[5:]
    assert sorted(r for r, s in after.items() if s == "offered") == sorted(queue[:5]), (
        f"expected the places to be held for the first five of the waitlist {queue[:5]}")
    assert queue_after == queue[5:]
    assert taken == places
    cluster.assert_clean_logs()
    assert_points_audit_clean(database_url)


def test_a_rider_tapping_sign_up_5_times_at_once_gets_one_sign_up(ctx, serve, database_url):
    with ctx() as session:
        org = factories.make_org()
        coordinator = factories.make_user("coordinator", "陈丽华", org.id)
        open_task = factories.make_task(org.id, coordinator.id, places=3)
        later = open_task.ends_at + timedelta(hours=1)  # not at the same time: an overlap would be refused
        full_task = factories.make_task(org.id, coordinator.id, places=1, taken=1, starts_at=later,
                                        ends_at=later + timedelta(hours=2))
        holder = factories.make_user(name="占位骑手")
        session.add(Signup(task_id=full_task.id, rider_id=holder.id, status="confirmed", queued_at=utcnow()))
        tapper = factories.make_user(name="连点骑手")
        session.commit()
        open_id, full_id, tapper_id, phone = open_task.id, full_task.id, tapper.id, tapper.phone
    cluster = serve()
    [browser] = log_in_all(cluster, [phone], factories.PASSWORD)
    warm_up(cluster, browser, f"/tasks/{open_id}")

    # The same session taps five times on a task with places and five times "join the waitlist" on a full one.
    replies = fire([partial(browser.post, cluster.url(i), f"/tasks/{open_id}/signup", keep_cookies=False)
                    for i in range(5)]
                   + [partial(browser.post, cluster.url(i), f"/tasks/{full_id}/signup", {"waitlist": "1"},
                              keep_cookies=False, headers=HTMX if i % 2 else None) for i in range(5)])
    assert all_ok(replies), describe(replies, cluster)

    with ctx() as session:
        mine = session.execute(sa.select(Signup.task_id, Signup.status).where(Signup.rider_id == tapper_id)).all()
        assert sorted(mine) == sorted([(open_id, "confirmed"), (full_id, "waitlisted")])
        assert session.get(Task, open_id).taken == 1
        assert session.get(Task, full_id).taken == 1
    cluster.assert_clean_logs()
    assert_points_audit_clean(database_url)


# --------------------------------------------------------------------------------------------------------
# 4. attendance from two coordinators at once
# --------------------------------------------------------------------------------------------------------

def test_two_coordinators_marking_one_attendance_10_times_each_award_once(ctx, serve, database_url):
    with ctx() as session:
        org = factories.make_org()
        coordinators = [factories.make_user("coordinator", name, org.id) for name in ("陈丽华", "王建国")]
        started = utcnow() - timedelta(hours=3)
        task = factories.make_task(org.id, coordinators[0].id, starts_at=started, ends_at=started + timedelta(hours=2),
                                   places=2, points=40, taken=1)
        rider = factories.make_user()
        signup = Signup(task_id=task.id, rider_id=rider.id, status="confirmed", queued_at=started - timedelta(days=1))
        session.add(signup)
        session.commit()
        signup_id, rider_id, points, task_id = signup.id, rider.id, task.points, task.id
        coordinator_ids = {c.id for c in coordinators}
        phones = [c.phone for c in coordinators]
    cluster = serve()
    browsers = log_in_all(cluster, phones, factories.PASSWORD)
    warm_up(cluster, browsers[0], f"/coordinate/tasks/{task_id}")

    url = f"/coordinate/signups/{signup_id}/attendance"
    replies = fire([partial(browsers[i % 2].post, cluster.url(i // 2), url, {"attended": "1"}, keep_cookies=False,
                            headers=HTMX if (i // 2) % 2 else None) for i in range(20)])
    assert all_ok(replies), describe(replies, cluster)

    with ctx() as session:
        awards = session.execute(sa.select(LedgerEntry.key, LedgerEntry.amount)
                                 .where(LedgerEntry.rider_id == rider_id)).all()
        assert awards == [(f"award:signup:{signup_id}", points)]
        assert balance_of(rider_id) == points == ledger_sum(session, rider_id)
        row = session.get(Signup, signup_id)
        assert row.status == "attended"
        assert row.marked_by_id in coordinator_ids
    cluster.assert_clean_logs()
    assert_points_audit_clean(database_url)

