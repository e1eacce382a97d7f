"""Checking a day pass under real concurrency (see :mod:`tests.concurrency.harness`): guards of one building
(two staff members, each tapping more than once, typing the code or pressing "Let in" on the scanned page)
and the guard of another building check the same pass at once. Each building records exactly one entry, and
every guard is told the rider may pass: "valid — entry recorded" by the guard whose check recorded it (a repeat
of that guard's own tap within a minute answers the same), "already checked in" to every other guard."""

from functools import partial

import pytest
import sqlalchemy as sa
from flask import Flask

from core.timeutil import local_today
from passes.models import PassEntry
from passes.tokens import pass_token, short_code
from tests import factories
from tests.concurrency.harness import SECRET_KEY, describe, fire, log_in_all, warm_up
from tests.pass_factories import make_building, make_building_staff

pytestmark = pytest.mark.concurrency

SIGNER = Flask("pass-signer")  # the servers sign with the harness's secret, so the test's passes must too
SIGNER.secret_key = SECRET_KEY


def pass_of(rider_id, day):
    with SIGNER.app_context():
        return pass_token(rider_id, day), short_code(rider_id, day)


def test_guards_checking_the_same_pass_at_once_record_one_entry_per_building(ctx, serve):
    with ctx() as session:
        org = factories.make_org()
        here = make_building(org.id)
        there = make_building(org.id, name="港城商务楼", at=(31.89, 120.56))
        guards = [make_building_staff(here.id, name="保安老李"), make_building_staff(here.id, name="保安老王"),
                  make_building_staff(there.id, name="保安小周")]
        riders = [factories.make_user(name="赵佳楠"), factories.make_user(name="张松阳")]
        session.commit()
        phones, guard_ids = [guard.phone for guard in guards], [guard.id for guard in guards]
        rider_ids, here_id, there_id, today = [r.id for r in riders], here.id, there.id, local_today()
    cluster = serve()
    browsers = log_in_all(cluster, phones, factories.PASSWORD)
    for browser in browsers:
        warm_up(cluster, browser, "/building/check")

    for rider_id in rider_ids:
        token, code = pass_of(rider_id, today)
        # Guard 0 and guard 1 (one building) three times each, guard 2 (the other building) twice; typed codes
        # and the scanned page's "Let in" button (the token) mixed.
        plan = [0, 1, 0, 1, 0, 1, 2, 2]
        calls = [partial(browsers[who].post, cluster.url(i), "/building/check",
                         {"token": token} if i % 2 else {"code": code}, keep_cookies=False)
                 for i, who in enumerate(plan)]
        replies = fire(calls)
        assert all(reply.status == 200 for reply in replies), describe(replies, cluster)
        valid = [i for i, reply in enumerate(replies) if "Valid — entry recorded at" in reply.plain]
        already = [i for i, reply in enumerate(replies) if "Already checked in today at" in reply.plain]
        assert sorted(valid + already) == list(range(len(plan))), describe(replies, cluster)
        recorders = {plan[i] for i in valid}  # one guard per building is told the entry was recorded
        assert 2 in recorders and len(recorders - {2}) == 1, describe(replies, cluster)

        with ctx() as session:
            rows = session.execute(sa.select(PassEntry.station_id, PassEntry.local_day, PassEntry.checked_by_id)
                                   .where(PassEntry.rider_id == rider_id)).all()
        here_recorder = (recorders - {2}).pop()
        assert sorted(rows) == sorted([(here_id, today, guard_ids[here_recorder]), (there_id, today, guard_ids[2])])
    cluster.assert_clean_logs()
