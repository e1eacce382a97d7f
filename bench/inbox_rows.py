"""The measured rider's inbox: 45 notifications of the kinds riders get (3 pages of 20; the 5 newest unread).

The loaded data set has no notifications (they are written by events, not by the loader), so an inbox page
would measure an empty list. :func:`ensure_inbox` adds them to the served copy before the server starts
(idempotent: nothing is added when the rider already has them); each run serves a fresh copy anyway.
"""

import json
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from bench.settings import database_url

COUNT = 45
UNREAD = 5


def rows(rider_id: int, now: datetime) -> list[dict]:
    """``COUNT`` notification rows for ``rider_id``, newest ``UNREAD`` unread, one every 3 hours back."""
    made = []
    for n in range(COUNT):
        at = now - timedelta(hours=3 * n)
        starts = (at + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
        kind, params = [
            ("task_reminder", {"title": f"路口文明劝导 {n}", "starts_at": starts, "place": "杨舍镇人民路口"}),
            ("attendance_recorded", {"title": f"社区助老 {n}", "points": 10 + n % 5}),
            ("promoted", {"title": f"周末巡河 {n}", "starts_at": starts}),
            ("checked_in", {"title": f"急救值守 {n}"}),
        ][n % 4]
        stamp = at.replace(tzinfo=None)
        made.append({"user_id": rider_id, "kind": kind, "params": json.dumps(params, ensure_ascii=False),
                     "link": "/my/tasks", "created_at": stamp, "read_at": None if n < UNREAD else stamp})
    return made


def ensure_inbox(db: str, rider_id: int) -> int:
    """Give ``rider_id`` the inbox of :func:`rows` on the served copy of ``db``; return the rows added."""
    engine = sa.create_engine(database_url(db))
    table = sa.Table("notification", sa.MetaData(), autoload_with=engine)
    with engine.begin() as conn:
        have = conn.execute(sa.select(sa.func.count()).select_from(table).where(table.c.user_id == rider_id)).scalar()
        added = 0
        if have < COUNT:
            conn.execute(table.insert(), rows(rider_id, datetime.now(UTC)))
            added = COUNT
    engine.dispose()
    return added
