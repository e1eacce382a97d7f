"""Corrections and one booking at a time under real concurrency (gunicorn workers, a starting gun).

A rider tapping "sign up" on two overlapping tasks at once ends up confirmed on exactly one of them; two
coordinators tapping the same attendance correction at once take the points back exactly once. The
database decides in both (row locks on the task and the rider; unique ``reverses_id`` and key).
"""

from datetime import timedelta
from functools import partial

import pytest
import sqlalchemy as sa

from core.timeutil import utcnow
from points.models import LedgerEntry
from points.queries import balance_of
from tests import factories
from tests.concurrency.harness import assert_points_audit_clean, describe, fire, ledger_sum, log_in_all, warm_up
from volunteer.models import Signup

pytestmark = pytest.mark.concurrency

HTMX = {"HX-Request": "true"}


def test_a_rider_signing_up_for_two_overlapping_tasks_at_once_is_confirmed_on_one(ctx, serve, database_url):
    with ctx() as session:
        org = factories.make_org()
        coordinator = factories.make_user("coordinator", "陈丽华", org.id)
        starts = utcnow() + timedelta(days=1)
        first = factories.make_task(org.id, coordinator.id, title="早班", starts_at=starts,
                                    ends_at=starts + timedelta(hours=2))
        second = factories.make_task(org.id, coordinator.id, title="交叉班", starts_at=starts + timedelta(hours=1),
                                     ends_at=starts + timedelta(hours=3))
        rider = factories.make_user(name="连点骑手")
        session.commit()
        task_ids, rider_id, phone = (first.id, second.id), rider.id, rider.phone
    cluster = serve()
    [browser] = log_in_all(cluster, [phone], factories.PASSWORD)
    warm_up(cluster, browser, f"/tasks/{task_ids[0]}")

    replies = fire([partial(browser.post, cluster.url(i), f"/tasks/{task_ids[i % 2]}/signup", keep_cookies=False,
                            headers=HTMX if i % 3 else None) for i in range(10)])
    assert all(r.status in (200, 303, 409) for r in replies), describe(replies, cluster)

    with ctx() as session:
        rows = session.execute(sa.select(Signup.task_id, Signup.status).where(Signup.rider_id == rider_id)).all()
    assert [status for _, status in rows] == ["confirmed"], rows
    refused = [r for r in replies if r.status == 409]
    assert refused, describe(replies, cluster)
    for reply in refused:  # each refusal names the task the rider holds
        held = "早班" if rows[0][0] == task_ids[0] else "交叉班"
        assert held in reply.text, reply.text[:500]
    cluster.assert_clean_logs()


def test_two_coordinators_correcting_one_attendance_at_once_take_the_points_back_once(ctx, serve, database_url):
    with ctx() as session:
        org = factories.make_org()
        coordinators = [factories.make_user("coordinator", name, org.id) for name in ("陈丽华", "王建国")]
        started = utcnow() - timedelta(hours=3)
        task = factories.make_task(org.id, coordinators[0].id, starts_at=started, ends_at=started + timedelta(hours=2),
                                   places=2, points=40, taken=1)
        rider = factories.make_user()
        signup = Signup(task_id=task.id, rider_id=rider.id, status="confirmed", queued_at=started - timedelta(days=1))
        session.add(signup)
        session.flush()
        from volunteer.attendance import mark_attendance
        mark_attendance(signup=signup, attended=True, actor=coordinators[0])
        session.commit()
        signup_id, rider_id, task_id = signup.id, rider.id, task.id
        phones = [c.phone for c in coordinators]
    cluster = serve()
    browsers = log_in_all(cluster, phones, factories.PASSWORD)
    warm_up(cluster, browsers[0], f"/coordinate/tasks/{task_id}")

    url = f"/coordinate/signups/{signup_id}/attendance"
    replies = fire([partial(browsers[i % 2].post, cluster.url(i // 2), url, {"attended": "0", "reason": "未到场"},
                            keep_cookies=False, headers=HTMX if (i // 2) % 2 else None) for i in range(20)])
    assert all(r.status in (200, 303) for r in replies), describe(replies, cluster)

    with ctx() as session:
        entries = session.execute(sa.select(LedgerEntry.kind, LedgerEntry.amount)
                                  .where(LedgerEntry.rider_id == rider_id).order_by(LedgerEntry.id)).all()
        assert entries == [("award", 40), ("reversal", -40)]
        assert balance_of(rider_id) == 0 == ledger_sum(session, rider_id)
        assert session.get(Signup, signup_id).status == "no_show"
    cluster.assert_clean_logs()
    assert_points_audit_clean(database_url)
