"""Check-in under real concurrency (see :mod:`tests.concurrency.harness`): one rider's check-in sent six
times at once, across the servers, awards once and records one check-in time."""

from functools import partial

import pytest
import sqlalchemy as sa

from points.models import LedgerEntry
from points.queries import balance_of
from tests import factories
from tests.concurrency.harness import assert_points_audit_clean, describe, fire, ledger_sum, log_in_all, warm_up
from volunteer import checkin, services
from volunteer.models import Signup, Task

pytestmark = pytest.mark.concurrency

HTMX = {"HX-Request": "true"}


def test_the_same_rider_checking_in_six_times_at_once_is_awarded_once(ctx, serve, database_url):
    with ctx() as session:
        org = factories.make_org()
        coordinator = factories.make_user("coordinator", "陈丽华", org.id)
        task = factories.make_task(org.id, coordinator.id, points=40)  # starts in 30 minutes: check-in open
        rider = factories.make_user(name="连点骑手")
        signup = services.sign_up(task=task, rider=rider)
        session.commit()
        task_id, signup_id, rider_id, phone = task.id, signup.id, rider.id, rider.phone
    cluster = serve()
    [browser] = log_in_all(cluster, [phone], factories.PASSWORD)
    warm_up(cluster, browser, f"/tasks/{task_id}")
    with ctx() as session:
        code = checkin.code_for(session.get(Task, task_id), "in")  # accepted for 30 to 60 seconds

    replies = fire([partial(browser.post, cluster.url(i), f"/tasks/{task_id}/check-in", {"code": code},
                            keep_cookies=False, headers=HTMX if i % 2 else None) for i in range(6)])
    statuses = sorted(reply.status for reply in replies)
    assert statuses in ([200, 409, 409, 409, 409, 409], [303, 409, 409, 409, 409, 409]), describe(replies, cluster)
    assert all("You already checked in at" in reply.plain for reply in replies if reply.status == 409), \
        describe(replies, cluster)

    with ctx() as session:
        awards = session.execute(sa.select(LedgerEntry.key, LedgerEntry.amount)
                                 .where(LedgerEntry.rider_id == rider_id)).all()
        assert awards == [(f"award:signup:{signup_id}", 40)]
        assert balance_of(rider_id) == 40 == ledger_sum(session, rider_id)
        row = session.get(Signup, signup_id)
        assert (row.status, row.attendance_method) == ("attended", "verified") and row.checked_in_at is not None
    cluster.assert_clean_logs()
    assert_points_audit_clean(database_url)
