"""Two taps on "mark as pioneer" at once, in two transactions (PostgreSQL, where the app runs as several
processes): the second waits on the rider's row lock, then its conditional INSERT sees the first mark and writes
nothing. SQLite lets one writer at a time, so the race cannot happen there."""

import threading
import time

import pytest
import sqlalchemy as sa

from accounts.models import User
from extensions import db
from recognition import pioneers
from recognition.models import PioneerMark


def test_two_marks_at_once_make_one(app, world, database):
    if database[0] != "postgresql":
        pytest.skip("the race needs two concurrent writers (PostgreSQL)")
    outcome = {}

    def second_tap():
        with app.app_context():
            try:
                pioneers.mark_pioneer(rider=db.session.get(User, world.rider), reason="第二下",
                                      actor=db.session.get(User, world.coordinator))
                db.session.commit()
                outcome["second"] = "marked"
            except pioneers.AlreadyPioneer:
                db.session.rollback()
                outcome["second"] = "refused"
            finally:
                db.session.remove()

    with app.app_context():
        pioneers.mark_pioneer(rider=db.session.get(User, world.rider), reason="第一下",
                              actor=db.session.get(User, world.coordinator))
        thread = threading.Thread(target=second_tap)
        thread.start()
        # Wait until the second tap waits on the lock (not a fixed sleep). On a loaded machine the thread can take
        # seconds to get there, so allow a minute; it cannot finish before we commit (it waits on our lock).
        deadline = time.monotonic() + 60
        # AUTOCOMMIT: PostgreSQL keeps one snapshot of pg_stat_activity per transaction, so polls inside one
        # transaction would never see a wait that began after the first (the CI failure of this test).
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as watcher:
            while True:
                waiting = watcher.scalar(sa.text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = "
                                                 "'Lock' AND datname = current_database()"))
                if waiting or not thread.is_alive() or time.monotonic() > deadline:
                    break
                time.sleep(0.05)
        assert waiting, "the second tap never waited for the first"
        db.session.commit()
        thread.join(30)
        reasons = list(db.session.scalars(sa.select(PioneerMark.reason)))
        db.session.remove()
    assert outcome == {"second": "refused"}
    assert reasons == ["第一下"]
