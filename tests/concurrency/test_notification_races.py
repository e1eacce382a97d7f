"""The SMS outbox under real concurrency: two ``flask notify send`` processes started together on one
database (as cron on two machines would) send every message exactly once between them: each claim is a
conditional UPDATE committed before the provider is called. Runs on SQLite and on PostgreSQL."""

import re
from collections import Counter
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from notifications.models import SmsMessage
from notifications.services import notify
from tests import factories
from tests.concurrency.harness import app_env, flask_commands_at_once

pytestmark = pytest.mark.concurrency

STARTS = datetime(2026, 12, 9, 1, 30, tzinfo=UTC)
SENT_LINE = re.compile(r"SMS (\d+) to \d{3}\*{4}\d{4} \(task_cancelled\) sent")


def test_two_senders_at_once_send_each_message_exactly_once(ctx, database_url):
    riders_count, per_rider = 30, 8
    with ctx() as session:
        for i in range(riders_count):
            rider = factories.make_user(name=f"骑手{i:02d}", language="zh" if i % 2 else "en")
            for n in range(per_rider):
                notify(user_id=rider.id, kind="task_cancelled", params={"title": f"任务{i}-{n}", "starts_at": STARTS})
        session.commit()
        queued = set(session.scalars(sa.select(SmsMessage.id)))
    assert len(queued) == riders_count * per_rider

    env = app_env(database_url, NOTIFY_QUIET_HOURS="", NOTIFY_SMS_DAILY_CAP="1000", SMS_BACKEND="console")
    outcomes, _seconds, report = flask_commands_at_once(database_url, "notify", "send", env=env)
    assert all(code == 0 for code, _out, _err in outcomes), report

    sends = Counter(int(m) for _code, _out, err in outcomes for m in SENT_LINE.findall(err))
    assert set(sends) == queued, report[-3000:]
    assert set(sends.values()) == {1}, [i for i, n in sends.items() if n > 1]
    totals = [int(re.search(r"sent (\d+),", out).group(1)) for _code, out, _err in outcomes]
    assert sum(totals) == len(queued), report[-3000:]
    with ctx() as session:
        assert Counter(session.scalars(sa.select(SmsMessage.status))) == {"sent": len(queued)}
        assert set(session.scalars(sa.select(SmsMessage.attempts))) == {1}
