"""Two coordinators rating one rider's service at once, then changing it at once (gunicorn workers, a starting
gun): one first rating and at most one change of it survive; every loser gets an answer (the row, a 409 saying
someone changed it a moment ago, or the redirect), never a 500. The database decides (a partial unique index on
the first rating, unique ``replaces_id``)."""

from datetime import timedelta
from functools import partial

import pytest
import sqlalchemy as sa

from core.timeutil import utcnow
from tests import factories
from tests.concurrency.harness import describe, fire, log_in_all, warm_up
from volunteer.models import Signup
from volunteer.rating_models import ServiceRating

pytestmark = pytest.mark.concurrency

HTMX = {"HX-Request": "true"}


def ratings_of(ctx, signup_id):
    with ctx() as session:
        return session.execute(sa.select(ServiceRating.id, ServiceRating.rating, ServiceRating.replaces_id)
                               .where(ServiceRating.signup_id == signup_id).order_by(ServiceRating.id)).all()


def test_two_coordinators_rating_and_changing_at_once_keep_one_of_each(ctx, serve, database_url):
    with ctx() as session:
        org = factories.make_org()
        coordinators = [factories.make_user("coordinator", name, org.id) for name in ("陈丽华", "王建国")]
        started = utcnow() - timedelta(hours=3)
        task = factories.make_task(org.id, coordinators[0].id, starts_at=started, ends_at=started + timedelta(hours=2))
        rider = factories.make_user()
        signup = Signup(task_id=task.id, rider_id=rider.id, status="confirmed", queued_at=started - timedelta(days=1))
        session.add(signup)
        session.flush()
        from volunteer.attendance import mark_attendance
        mark_attendance(signup=signup, attended=True, actor=coordinators[0])
        session.commit()
        signup_id, task_id = signup.id, task.id
        phones = [c.phone for c in coordinators]
    cluster = serve()
    browsers = log_in_all(cluster, phones, factories.PASSWORD)
    warm_up(cluster, browsers[0], f"/coordinate/tasks/{task_id}")
    url = f"/coordinate/signups/{signup_id}/rating"

    # both see no rating yet; one taps "good", the other "poor", each several times
    replies = fire([partial(browsers[i % 2].post, cluster.url(i // 2), url,
                            {"rating": ("good", "poor")[i % 2], "seen": ""}, keep_cookies=False,
                            headers=HTMX if (i // 2) % 2 else None) for i in range(12)])
    assert all(r.status in (200, 303, 409) for r in replies), describe(replies, cluster)
    [(first_id, first, replaces)] = ratings_of(ctx, signup_id)
    assert replaces is None
    losers = [r for r in replies if r.status == 409]
    assert losers and all("Someone changed this rating a moment ago" in r.text or "有人修改了这条评价" in r.text
                          for r in losers), describe(replies, cluster)

    # both change the rating they saw, to different values, at once
    changes = [("fair", "poor"), ("fair", "good")][first == "poor"]
    replies = fire([partial(browsers[i % 2].post, cluster.url(i // 2), url,
                            {"rating": changes[i % 2], "seen": str(first_id)}, keep_cookies=False,
                            headers=HTMX if (i // 2) % 2 else None) for i in range(12)])
    assert all(r.status in (200, 303, 409) for r in replies), describe(replies, cluster)
    rows = ratings_of(ctx, signup_id)
    assert len(rows) == 2 and rows[1][2] == first_id and rows[1][1] in changes, rows
    assert any(r.status == 409 for r in replies), describe(replies, cluster)
    cluster.assert_clean_logs()
