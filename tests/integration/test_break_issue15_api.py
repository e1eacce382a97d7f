"""Issue 15 broken on purpose: API v1 answers junk with a JSON refusal that its OpenAPI document lists, never a
500 and never HTML (a body nested too deep, an integer too long, Flask's own OPTIONS answer, werkzeug's
redirect of a doubled slash, days Python reads but OpenAPI's ``format: date`` does not)."""

import pytest

from tests.api_factories import api_cast, bearer

CONFIRM = "/api/v1/till/confirmations"
FIGURES = "/api/v1/platform/reports/figures"


@pytest.fixture
def cast(world, ctx):
    with ctx():
        return api_cast(world)


@pytest.mark.parametrize("body", ["[" * 5000 + "]" * 5000, '{"a":' * 5000 + "1" + "}" * 5000,
                                  '{"code": ' + "1" * 5000 + "}"], ids=["deep array", "deep object", "long integer"])
def test_a_body_the_json_reader_cannot_read_is_a_json_400(client, cast, body):
    response = client.http.post(CONFIRM, data=body, content_type="application/json", headers=bearer(cast.till))
    assert response.status_code == 400
    assert response.get_json()["code"] == "bad_request"


def test_options_is_answered_without_a_body_or_html(client, cast):
    response = client.http.open(f"/api/v1/till/vouchers/{cast.code}", method="OPTIONS", headers=bearer(cast.till))
    assert response.status_code == 204
    assert "Content-Type" not in response.headers and {"GET", "HEAD"} <= set(response.headers["Allow"].split(", "))


def test_a_doubled_slash_is_redirected_in_json(client, cast):
    response = client.http.get("/api/v1//platform/tasks", headers=bearer(cast.platform))
    assert response.status_code == 308 and response.mimetype == "application/json"
    assert response.get_json()["code"] == "moved_permanently"
    assert response.headers["Location"].endswith("/api/v1/platform/tasks")


@pytest.mark.parametrize("query", ["start=2026-W01", "start=20260101", "end=２０２６-０１-０１", "start=2026-1-1"])
def test_a_day_not_written_yyyy_mm_dd_is_refused(client, cast, query):
    response = client.http.get(f"{FIGURES}?{query}", headers=bearer(cast.platform))
    assert response.status_code == 422 and response.get_json()["code"] == "invalid_request"


def test_a_start_after_today_without_an_end_is_refused_not_moved_to_today(client, cast):
    response = client.http.get(f"{FIGURES}?start=2100-12-31", headers=bearer(cast.platform))
    assert response.status_code == 422 and "start" in response.get_json()["errors"]
