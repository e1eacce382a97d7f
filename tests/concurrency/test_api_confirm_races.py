"""Confirming one voucher through the API from two tills at once (gunicorn, 4 sync workers; two instances on
PostgreSQL), a retried request with the same Idempotency-Key among them: the voucher is redeemed once, the
retries of one key all get the same answer, every other request is told it was redeemed already (409), and no
server logs a traceback."""

import http.client
import json
import uuid
from functools import partial

import pytest
import sqlalchemy as sa

from accounts.journal import JournalEntry
from accounts.models import User
from api.tokens import issue_token
from rewards import vouchers
from rewards.models import Voucher
from tests import factories
from tests.concurrency.harness import HTTP_TIMEOUT, Reply, describe, fire

pytestmark = pytest.mark.concurrency


def post_json(base: str, path: str, body: dict, headers: dict) -> Reply:
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=HTTP_TIMEOUT)
    try:
        conn.request("POST", path, body=json.dumps(body), headers={"Content-Type": "application/json",
                                                                   "Connection": "close", **headers})
        response = conn.getresponse()
        return Reply(response.status, response.read().decode("utf-8", "replace"), "", base)
    finally:
        conn.close()


def test_two_tills_confirming_one_voucher_at_once_redeem_it_once(ctx, serve):
    with ctx() as session:
        merchant = factories.make_merchant()
        first_staff = factories.make_staff(merchant.id, "店员甲")
        second_staff = factories.make_staff(merchant.id, "店员乙")
        admin = factories.make_user("admin", "刘管理")
        rider = factories.make_user()
        factories.give_points(rider.id, 30)
        voucher = vouchers.redeem_offer(offer=factories.make_offer(merchant.id), rider=session.get(User, rider.id))
        _, first_till = issue_token(name="收银台1", scope="till", staff_id=first_staff.id, actor=admin)
        _, second_till = issue_token(name="收银台2", scope="till", staff_id=second_staff.id, actor=admin)
        session.commit()
        code, voucher_id = voucher.code, voucher.id
    cluster = serve()
    key = str(uuid.uuid4())
    send = partial(post_json, path="/api/v1/till/confirmations", body={"code": code})
    same_key = [partial(send, cluster.url(i), headers={"Authorization": f"Bearer {first_till}", "Idempotency-Key": key})
                for i in range(4)]
    others = [partial(send, cluster.url(i), headers={"Authorization": f"Bearer {till}",
                                                     "Idempotency-Key": str(uuid.uuid4())})
              for i, till in enumerate([first_till, second_till, second_till, second_till])]
    replies = fire(same_key + others)
    retried, independent = replies[:4], replies[4:]
    evidence = describe(replies, cluster)

    assert len({(r.status, r.text) for r in retried}) == 1, evidence  # one key: one answer, however often sent
    outcomes = [retried[0], *independent]  # five distinct requests
    assert [r.status for r in outcomes].count(200) == 1, evidence
    assert all(r.status == 409 and json.loads(r.text)["code"] == "voucher_redeemed"
               for r in outcomes if r.status != 200), evidence
    with ctx() as session:
        assert session.get(Voucher, voucher_id).status == "redeemed"
        assert session.scalar(sa.select(sa.func.count()).select_from(JournalEntry)
                              .where(JournalEntry.action == "voucher.confirm")) == 1
    cluster.assert_clean_logs()
