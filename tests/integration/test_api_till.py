"""The till's API: a voucher of its own restaurant by code, an idempotent confirm through the same service as
the web counter, errors as JSON with a stable code in the caller's language, limits per token."""

import uuid

import pytest
import sqlalchemy as sa

from accounts.journal import JournalEntry
from accounts.models import User
from points.models import LedgerEntry
from rewards import vouchers
from rewards.codes import luhn_digit
from rewards.models import Voucher
from tests.api_factories import api_cast, bearer

CONFIRM = "/api/v1/till/confirmations"


@pytest.fixture
def cast(world, ctx):
    with ctx():
        return api_cast(world)


def look_up(client, secret, code, **headers):
    return client.http.get(f"/api/v1/till/vouchers/{code}", headers=bearer(secret, **headers))


def confirm(client, secret, code, key=None, **headers):
    sent = bearer(secret, **headers, **({"Idempotency-Key": key} if key else {}))
    return client.http.post(CONFIRM, json={"code": code}, headers=sent)


def test_a_till_sees_its_voucher_with_offer_worth_expiry_and_masked_rider(client, cast):
    response = look_up(client, cast.till, cast.code)
    body = response.get_json()
    assert response.status_code == 200
    assert body["code"] == cast.code and body["status"] == "issued" and body["confirmable"] is True
    assert body["offer"]["title"] == "暖心盒饭一份" and body["face_value_fen"] == 1500 and body["points"] == 30
    assert body["rider_name"] == "赵**" and body["refusal"] is None and body["redeemed_at"] is None
    assert body["expires_at"].endswith("Z") and body["expires_at"] > body["issued_at"]


def test_a_code_typed_with_spaces_and_full_width_digits_is_found(client, cast):
    typed = " ".join(cast.code[i:i + 4] for i in range(0, 16, 4)).translate(
        {ord(d): chr(0xFF10 + int(d)) for d in "0123456789"})
    assert look_up(client, cast.till, typed).get_json()["code"] == cast.code


def test_another_restaurants_voucher_answers_exactly_as_an_unknown_code(client, cast):
    other = look_up(client, cast.till, cast.other_code)
    digits = cast.code[:-1] + str((int(cast.code[-1]) + 1) % 10)  # a typo: fails the check digit
    unknown = look_up(client, cast.till, "123456789012345" + luhn_digit("123456789012345"))
    assert other.status_code == unknown.status_code == 404
    assert other.get_json() == unknown.get_json()
    assert other.get_json()["code"] == "voucher_not_found"
    assert confirm(client, cast.till, cast.other_code).status_code == 404
    assert look_up(client, cast.till, digits).get_json()["code"] == "invalid_code"


def test_confirming_redeems_once_and_a_retry_with_the_same_key_gets_the_first_answer(client, cast, ctx, world):
    key = str(uuid.uuid4())
    first = confirm(client, cast.till, cast.code, key)
    retry = confirm(client, cast.till, cast.code, key)
    assert first.status_code == retry.status_code == 200
    assert first.get_json() == retry.get_json()
    assert first.get_json()["status"] == "redeemed" and first.get_json()["confirmable"] is False
    assert "Idempotent-Replayed" not in first.headers and retry.headers["Idempotent-Replayed"] == "true"
    assert first.headers["Cache-Control"] == "no-store"
    with ctx() as session:
        voucher = session.get(Voucher, cast.voucher)
        assert (voucher.status, voucher.redeemed_by_id) == ("redeemed", world.staff)
        confirms = session.scalar(sa.select(sa.func.count()).select_from(JournalEntry)
                                  .where(JournalEntry.action == "voucher.confirm"))
        entries = session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry)
                                 .where(LedgerEntry.voucher_id == cast.voucher))
    assert (confirms, entries) == (1, 1)  # one confirmation; the one spend entry of redeeming, nothing more


def test_a_new_key_for_a_redeemed_voucher_is_409_and_the_same_key_with_another_code_is_422(client, cast):
    key = str(uuid.uuid4())
    assert confirm(client, cast.till, cast.code, key).status_code == 200
    again = confirm(client, cast.till, cast.code, str(uuid.uuid4()))
    reused = confirm(client, cast.till, cast.other_code, key)
    assert again.status_code == 409 and again.get_json()["code"] == "voucher_redeemed"
    assert reused.status_code == 422 and reused.get_json()["code"] == "idempotency_key_reused"


def test_a_refusal_is_stored_and_replayed_under_its_key_too(client, cast, ctx, world):
    with ctx() as session:
        vouchers.confirm_voucher(code=cast.code, staff=session.get(User, world.staff))  # at the web counter
        session.commit()
    key = str(uuid.uuid4())
    first = confirm(client, cast.till, cast.code, key)
    retry = confirm(client, cast.till, cast.code, key)
    assert first.status_code == retry.status_code == 409
    assert first.get_json() == retry.get_json() and first.get_json()["code"] == "voucher_redeemed"


def test_a_voucher_confirmed_by_the_api_cannot_be_confirmed_at_the_web_counter(client, cast, make_client, world, ctx):
    assert confirm(client, cast.till, cast.code).status_code == 200
    counter = make_client(world.staff).post(f"/merchant/vouchers/{cast.code}/confirm")
    assert counter.status_code == 409
    with ctx() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(JournalEntry)
                              .where(JournalEntry.action == "voucher.confirm")) == 1


def test_errors_are_json_with_a_stable_code_in_the_callers_language(client, cast):
    assert confirm(client, cast.till, cast.code).status_code == 200
    english = confirm(client, cast.till, cast.code, **{"Accept-Language": "en"})
    chinese = confirm(client, cast.till, cast.code, **{"Accept-Language": "zh-CN,zh;q=0.9"})
    assert english.get_json()["code"] == chinese.get_json()["code"] == "voucher_redeemed"
    assert english.get_json()["message"].startswith("Already redeemed at 暖新小厨")
    assert any("\u4e00" <= char <= "\u9fff" for char in chinese.get_json()["message"])
    missing = client.http.post(CONFIRM, json={}, headers=bearer(cast.till))
    not_json = client.http.post(CONFIRM, data="{", headers=bearer(cast.till, **{"Content-Type": "application/json"}))
    wrong_method = client.http.delete(CONFIRM, headers=bearer(cast.till))
    nowhere = client.http.get("/api/v1/till/nothing", headers=bearer(cast.till))
    assert (missing.status_code, missing.get_json()["code"]) == (422, "invalid_request")
    assert "code" in missing.get_json()["errors"]
    assert (not_json.status_code, not_json.get_json()["code"]) == (400, "bad_request")
    assert (wrong_method.status_code, wrong_method.get_json()["code"]) == (405, "method_not_allowed")
    assert (nowhere.status_code, nowhere.get_json()["code"]) == (404, "not_found")


def test_the_web_pages_keep_their_html_errors(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and response.mimetype == "text/html"


@pytest.fixture
def tight(make_app, world):
    """An app allowing a token 3 requests and 1 confirmation a minute."""
    application = make_app(RATELIMIT_ENABLED=True, API_REQUESTS_PER_TOKEN="3 per minute",
                           API_CONFIRMS_PER_TOKEN="1 per minute")
    with application.app_context():
        cast = api_cast(world)
    return application.test_client(), cast


def test_a_token_past_its_budget_gets_429_json_with_retry_after(tight):
    http, cast = tight
    answers = [http.get(f"/api/v1/till/vouchers/{cast.code}", headers=bearer(cast.till)) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[-1].get_json()["code"] == "rate_limited"
    assert 1 <= int(answers[-1].headers["Retry-After"]) <= 60
    other = http.get(f"/api/v1/till/vouchers/{cast.other_code}", headers=bearer(cast.other_till))
    assert other.status_code == 200  # another token has its own budget


def test_confirmations_have_their_own_smaller_budget(tight):
    http, cast = tight
    first = http.post(CONFIRM, json={"code": cast.code}, headers=bearer(cast.till))
    second = http.post(CONFIRM, json={"code": cast.code}, headers=bearer(cast.till))
    assert (first.status_code, second.status_code) == (200, 429)
    assert second.headers["Retry-After"]


def test_stored_answers_older_than_a_week_are_pruned_and_the_key_is_new_again(client, cast, app, ctx):
    from datetime import timedelta

    from api.models import IdempotentAnswer
    from core.timeutil import utcnow

    assert confirm(client, cast.till, "123456789012345" + luhn_digit("123456789012345"), "k-old").status_code == 404
    with ctx() as session:
        session.execute(sa.update(IdempotentAnswer).values(created_at=utcnow() - timedelta(days=8)))
        session.commit()
    result = app.test_cli_runner().invoke(args=["api", "prune-idempotency"])
    assert result.exit_code == 0 and "1 stored answer(s) deleted" in result.output
    assert confirm(client, cast.till, cast.code, "k-old").status_code == 200  # a new request under the old key


def test_a_form_post_instead_of_json_is_422_and_a_huge_body_413(client, cast, app):
    form = client.http.post(CONFIRM, data={"code": cast.code}, headers=bearer(cast.till))
    assert form.status_code == 422 and form.get_json()["code"] == "invalid_request"
    app.config["MAX_CONTENT_LENGTH"] = 1000
    huge = client.http.post(CONFIRM, json={"code": "1" * 5000}, headers=bearer(cast.till))
    assert huge.status_code == 413 and huge.get_json()["code"] == "too_large"


def test_a_database_outage_is_a_json_503_with_retry_after(client, cast, monkeypatch):
    from api import platform

    def fail(**kwargs):
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    monkeypatch.setattr(platform, "upcoming_tasks", fail)
    response = client.http.get("/api/v1/platform/tasks", headers=bearer(cast.platform))
    assert response.status_code == 503 and response.get_json()["code"] == "unavailable"
    assert response.headers["Retry-After"] == "30"
