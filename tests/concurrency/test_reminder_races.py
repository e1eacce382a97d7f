"""Reminders under real concurrency: two ``flask notify remind`` processes started together on one database
(cron on two machines) write each task reminder and each "voucher expiring" reminder exactly once between
them: the dedupe key is a unique column and the insert ignores a conflict. Runs on SQLite and PostgreSQL."""

import re
from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa

from core.timeutil import utcnow
from notifications.models import Notification
from rewards import vouchers
from tests import factories
from tests.concurrency.harness import flask_commands_at_once
from volunteer import services
from volunteer.reminders import reminder_key

pytestmark = pytest.mark.concurrency


def test_two_reminder_jobs_at_once_write_each_reminder_exactly_once(ctx, database_url):
    riders_count, tasks_count = 30, 4
    with ctx() as session:
        org = factories.make_org()
        coordinator = factories.make_user("coordinator", "陈丽华", org.id)
        merchant = factories.make_merchant()
        offer = factories.make_offer(merchant.id, points_cost=10, stock=100, per_rider_limit=3, validity_days=1)
        riders = [factories.make_user(name=f"骑手{i:02d}", language="zh" if i % 2 else "en")
                  for i in range(riders_count)]
        signups, expiring = [], []
        for t in range(tasks_count):  # one task after another, all within the two hours before the start
            starts = utcnow() + timedelta(minutes=20 + 25 * t)
            task = factories.make_task(org.id, coordinator.id, title=f"任务{t}", starts_at=starts,
                                       ends_at=starts + timedelta(minutes=20), places=riders_count)
            signups += [reminder_key(services.sign_up(task=task, rider=rider).id, task)
                        for rider in riders[t::tasks_count]]
        for rider in riders:
            factories.give_points(rider.id, 10)
            expiring.append(vouchers.redeem_offer(offer=offer, rider=rider, now=utcnow() - timedelta(hours=12)).id)
        session.commit()
    expected = set(signups) | {f"expiring:{i}" for i in expiring}
    assert len(expected) == 2 * riders_count

    outcomes, _seconds, report = flask_commands_at_once(database_url, "notify", "remind")
    assert all(code == 0 for code, _out, _err in outcomes), report

    with ctx() as session:
        keys = Counter(session.scalars(sa.select(Notification.dedupe_key)))
        kinds = Counter(session.scalars(sa.select(Notification.kind)))
    assert set(keys) == expected and set(keys.values()) == {1}, report[-3000:]
    assert kinds == {"task_reminder": riders_count, "voucher_expiring": riders_count}
    written = sum(int(re.search(r"reminders written: (\d+)", out).group(1)) for _code, out, _err in outcomes)
    assert written == 2 * riders_count, report[-3000:]  # between them, each reminder counted once
