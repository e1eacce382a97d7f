"""Holds under real concurrency (gunicorn, 4 sync workers; two instances on PostgreSQL): a freed place is held
for exactly one rider, an Accept never wins together with an expiry or a Decline, and two expiry jobs at once
lapse each hold once. Each test prints its figures (timings, counts) with ``-s``."""

import re
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from functools import partial

import pytest
import sqlalchemy as sa

from core.timeutil import utcnow
from tests import factories
from tests.concurrency.harness import (
    LAUNCHER,
    ROOT,
    app_env,
    describe,
    fire,
    flask_commands_at_once,
    log_in_all,
    warm_up,
)
from volunteer.models import Signup, Task

pytestmark = pytest.mark.concurrency

OK = (200, 303)
HTMX = {"HX-Request": "true"}


def make_full_task(session, *, places: int, waiting: int, start_in=timedelta(hours=3)):
    """A task whose ``places`` are all confirmed, with ``waiting`` riders queued one second apart after them."""
    org = factories.make_org()
    coordinator = factories.make_user("coordinator", "陈丽华", org.id)
    now = utcnow()
    task = factories.make_task(org.id, coordinator.id, places=places, taken=places, starts_at=now + start_in,
                               ends_at=now + start_in + timedelta(hours=2))
    holders = [factories.make_user(name=f"在岗{i}") for i in range(places)]
    queue = [factories.make_user(name=f"候补{i}") for i in range(waiting)]
    for i, rider in enumerate(holders + queue):
        session.add(Signup(task_id=task.id, rider_id=rider.id, status="confirmed" if i < places else "waitlisted",
                           queued_at=now - timedelta(hours=1) + timedelta(seconds=i)))
    session.flush()
    return task, holders, queue


def statuses(session, task_id: int) -> dict[int, str]:
    return dict(session.execute(sa.select(Signup.rider_id, Signup.status).where(Signup.task_id == task_id)).all())


def test_5_cancellations_at_once_hold_5_places_for_the_first_5_eligible_waiting_riders(ctx, serve, database_url):
    places, waiting = 5, 8
    with ctx() as session:
        task, holders, queue = make_full_task(session, places=places, waiting=waiting)
        queue[1].active = False  # deactivated a moment ago: passed over, stays on the waitlist
        session.commit()
        task_id = task.id
        holder_ids, queue_ids = [r.id for r in holders], [r.id for r in queue]
        phones = [r.phone for r in holders]
    eligible = [queue_ids[0], *queue_ids[2:6]]
    cluster = serve()
    browsers = log_in_all(cluster, phones, factories.PASSWORD)
    warm_up(cluster, browsers[0], f"/tasks/{task_id}")

    started = time.perf_counter()
    replies = fire([partial(b.post, cluster.url(i), f"/tasks/{task_id}/cancel", keep_cookies=False,
                            headers=HTMX if i % 2 else None) for i, b in enumerate(browsers)])
    elapsed = time.perf_counter() - started
    assert all(r.status in OK for r in replies), describe(replies, cluster)

    with ctx() as session:
        after = statuses(session, task_id)
        task = session.get(Task, task_id)
        holds = session.execute(sa.select(Signup.rider_id, Signup.hold_until, Signup.offered_at)
                                .where(Signup.task_id == task_id, Signup.status == "offered")).all()
    counts = Counter(after.values())
    print(f"\n5 cancellations at once: {elapsed:.2f} s for all; statuses {dict(counts)}; taken {task.taken}/{places}")
    assert {r for r in holder_ids if after[r] == "cancelled"} == set(holder_ids)
    assert sorted(r for r, _, _ in holds) == sorted(eligible), f"expected the first 5 eligible {eligible}"
    assert [after[r] for r in queue_ids if r not in eligible] == ["waitlisted"] * 3  # nobody else changed
    assert counts == {"cancelled": 5, "offered": 5, "waitlisted": 3}
    assert task.taken == places
    assert all(until > offered_at for _, until, offered_at in holds)
    cluster.assert_clean_logs()


def test_accept_and_decline_from_two_devices_at_once_never_both_win(ctx, serve, database_url):
    with ctx() as session:
        task, holders, queue = make_full_task(session, places=1, waiting=2)
        now = utcnow()
        session.query(Signup).filter(Signup.rider_id == holders[0].id).update({"status": "cancelled"})
        session.query(Signup).filter(Signup.rider_id == queue[0].id).update(
            {"status": "offered", "hold_until": now + timedelta(minutes=10), "offered_at": now})
        session.commit()
        task_id, mine, next_id, phone = task.id, queue[0].id, queue[1].id, queue[0].phone
    cluster = serve()
    [browser] = log_in_all(cluster, [phone], factories.PASSWORD)
    warm_up(cluster, browser, f"/tasks/{task_id}")

    calls = [partial(browser.post, cluster.url(i), f"/tasks/{task_id}/{'accept' if i % 2 else 'decline'}",
                     keep_cookies=False, headers=HTMX) for i in range(10)]
    started = time.perf_counter()
    replies = fire(calls)
    elapsed = time.perf_counter() - started
    assert all(r.status in (200, 409) for r in replies), describe(replies, cluster)

    with ctx() as session:
        after = statuses(session, task_id)
        taken = session.get(Task, task_id).taken
    won = {("accept" if i % 2 else "decline") for i, r in enumerate(replies) if r.status == 200}
    print(f"\naccept x5 vs decline x5 at once: {elapsed:.2f} s; outcome {after[mine]}; "
          f"statuses {dict(Counter(r.status for r in replies))}")
    assert len(won) == 1, describe(replies, cluster)
    if won == {"accept"}:
        assert (after[mine], after[next_id]) == ("confirmed", "waitlisted")
    else:
        assert (after[mine], after[next_id]) == ("cancelled", "offered")
    assert taken == 1
    cluster.assert_clean_logs()


def test_accept_racing_the_end_of_the_hold_and_the_expiry_job_never_both_win(ctx, serve, database_url):
    with ctx() as session:
        task, holders, queue = make_full_task(session, places=1, waiting=2)
        session.query(Signup).filter(Signup.rider_id == holders[0].id).update({"status": "cancelled"})
        session.commit()
        task_id, signup_id = task.id, session.scalar(sa.select(Signup.id).where(Signup.rider_id == queue[0].id))
        mine, next_id, phone = queue[0].id, queue[1].id, queue[0].phone
    cluster = serve()
    [browser] = log_in_all(cluster, [phone], factories.PASSWORD)
    warm_up(cluster, browser, f"/tasks/{task_id}")
    with ctx() as session:  # the hold ends 1.5 s from now; accepts and expiry jobs straddle that moment
        now = utcnow()
        hold_until = now + timedelta(seconds=1.5)
        session.execute(sa.update(Signup).where(Signup.id == signup_id)
                        .values(status="offered", hold_until=hold_until, offered_at=now))
        session.commit()

    def accept_at(delay: float):
        time.sleep(delay)
        return browser.post(cluster.url(int(delay * 10)), f"/tasks/{task_id}/accept", keep_cookies=False,
                            headers=HTMX)

    def expire_at(delay: float):
        time.sleep(delay)
        return subprocess.run([sys.executable, "-c", LAUNCHER, "--app", "app", "signups", "expire-holds"],
                              cwd=ROOT, env=app_env(database_url), input="go\n",
                              capture_output=True, text=True, timeout=120, check=False)

    # Taps every 12 ms from 30 ms before the end of the hold to 90 ms after it (a request takes some 20-40 ms
    # to reach the database: the first tap arrives about when the hold ends, and either wins the place or is
    # refused); three expiry jobs (about a second to start) land around the same moment.
    delays = [1.47 + 0.012 * i for i in range(11)]
    results = fire([partial(accept_at, d) for d in delays] + [partial(expire_at, d) for d in (0.4, 0.5, 0.6)])
    replies, jobs = results[:len(delays)], results[len(delays):]
    assert all(getattr(job, "returncode", 1) == 0 for job in jobs), [getattr(j, "stderr", j) for j in jobs]
    lapsed = sum(int(re.search(r"(\d+) hold\(s\) lapsed", job.stdout).group(1)) for job in jobs)

    with ctx() as session:
        after = statuses(session, task_id)
        taken = session.get(Task, task_id).taken
    accepted = [r for r in replies if r.status == 200]
    print(f"\naccept x{len(delays)} vs the hold ending (+ 3 expiry jobs): accepted {len(accepted)}, refused "
          f"{sum(r.status == 409 for r in replies)}, lapsed {lapsed}; outcome {after[mine]} / next {after[next_id]}")
    assert all(r.status in (200, 409) for r in replies), describe(replies, cluster)
    if after[mine] == "confirmed":
        assert accepted and lapsed == 0 and after[next_id] == "waitlisted"
        assert all(r.status == 200 or "no longer" not in r.plain for r in replies)
    else:
        assert not accepted and lapsed <= 1, describe(replies, cluster)
        assert (after[mine], after[next_id]) == ("waitlisted", "offered")
        assert all("no longer" in r.plain for r in replies)
    assert taken == 1
    cluster.assert_clean_logs()


def test_two_expire_holds_jobs_at_once_lapse_each_hold_once(ctx, database_url):
    tasks_count = 6
    with ctx() as session:
        expected = {}
        for _ in range(tasks_count):
            task, holders, queue = make_full_task(session, places=1, waiting=2)
            session.query(Signup).filter(Signup.rider_id == holders[0].id).update({"status": "cancelled"})
            session.query(Signup).filter(Signup.rider_id == queue[0].id).update(
                {"status": "offered", "hold_until": utcnow() - timedelta(minutes=1),
                 "offered_at": utcnow() - timedelta(minutes=16)})
            expected[task.id] = (queue[0].id, queue[1].id)
        session.commit()

    outcomes, elapsed, report = flask_commands_at_once(database_url, "signups", "expire-holds", timeout=120)
    assert all(code == 0 for code, _out, _err in outcomes), report
    counts = [tuple(map(int, re.search(r"(\d+) hold\(s\) lapsed, (\d+) new offer", out).groups()))
              for _code, out, _err in outcomes]
    print(f"\ntwo expire-holds jobs at once: {elapsed:.2f} s; (lapsed, offered) per job {counts}")
    assert sum(c[0] for c in counts) == tasks_count and sum(c[1] for c in counts) == tasks_count, report
    with ctx() as session:
        for task_id, (lapsed, following) in expected.items():
            after = statuses(session, task_id)
            assert (after[lapsed], after[following]) == ("waitlisted", "offered")
            assert session.get(Task, task_id).taken == 1
