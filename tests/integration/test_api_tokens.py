"""API v1 tokens: hashed at rest, shown once, revocable, scoped; no cookie ever authenticates the API and no
API answer sets one; the admins' pages and the command line issue and revoke them."""

import re

import pytest
import sqlalchemy as sa

from accounts.models import User
from api.models import ApiToken
from tests.api_factories import api_cast, bearer

TILL = "/api/v1/till/vouchers/{code}"
TASKS = "/api/v1/platform/tasks"


@pytest.fixture
def cast(world, ctx):
    with ctx():
        return api_cast(world)


def test_the_database_holds_no_secret_only_its_hash_and_prefix(cast, ctx):
    with ctx() as session:
        rows = session.execute(sa.text("SELECT * FROM api_token")).mappings().all()
    stored = " ".join(str(value) for row in rows for value in row.values())
    for secret in (cast.till, cast.other_till, cast.platform):
        assert secret not in stored
        assert secret[:8] in stored  # the prefix an admin tells tokens apart by
    assert all(len(row["token_hash"]) == 64 for row in rows)


def test_a_missing_unknown_or_revoked_token_is_401_in_json(client, cast, ctx):
    from api.tokens import revoke_token

    missing = client.http.get(TASKS)
    unknown = client.http.get(TASKS, headers=bearer("nx_" + "a" * 43))
    with ctx() as session:
        revoke_token(token=session.get(ApiToken, cast.platform_id), actor=session.get(User, 1))
        session.commit()
    revoked = client.http.get(TASKS, headers=bearer(cast.platform))
    assert [r.status_code for r in (missing, unknown, revoked)] == [401, 401, 401]
    assert [r.get_json()["code"] for r in (missing, unknown, revoked)] == ["token_missing", "token_invalid",
                                                                           "token_invalid"]
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_token_of_the_other_scope_is_403(client, cast):
    till_on_platform = client.http.get(TASKS, headers=bearer(cast.till))
    platform_on_till = client.http.get(TILL.format(code=cast.code), headers=bearer(cast.platform))
    assert (till_on_platform.status_code, platform_on_till.status_code) == (403, 403)
    assert till_on_platform.get_json()["code"] == platform_on_till.get_json()["code"] == "wrong_scope"


def test_a_till_whose_staff_account_was_deactivated_is_403(client, cast, ctx, world):
    with ctx() as session:
        session.get(User, world.staff).active = False
        session.commit()
    response = client.http.get(TILL.format(code=cast.code), headers=bearer(cast.till))
    assert response.status_code == 403
    assert response.get_json()["code"] == "till_account_inactive"


def test_deactivating_the_staff_account_revokes_its_till_token_for_good(client, cast, ctx, world):
    """Found by trying to break it: reactivating the account used to bring its old till token back to life."""
    from accounts.services import set_active

    with ctx() as session:
        staff, admin = session.get(User, world.staff), session.get(User, world.admin)
        set_active(user=staff, active=False, actor=admin)
        session.commit()
        set_active(user=staff, active=True, actor=admin)
        session.commit()
        token = session.scalar(sa.select(ApiToken).where(ApiToken.staff_id == world.staff))
        assert token.revoked_at is not None
    response = client.http.get(TILL.format(code=cast.code), headers=bearer(cast.till))
    assert response.status_code == 401 and response.get_json()["code"] == "token_invalid"


def test_a_session_cookie_alone_is_401_and_no_api_answer_sets_a_cookie(make_client, cast, world):
    staff = make_client(world.staff)  # logged in at the web counter: the session cookie is sent
    assert staff.get("/merchant/").status_code == 200
    cookie_only = staff.get(TILL.format(code=cast.code))
    with_token = staff.get(TILL.format(code=cast.code), headers=bearer(cast.till))
    assert cookie_only.status_code == 401
    assert with_token.status_code == 200
    for response in (cookie_only, with_token, staff.get("/api/v1/openapi.json"), staff.get("/api/v1/nothing")):
        assert "Set-Cookie" not in response.headers


def test_a_post_needs_no_csrf_token_but_a_bearer_token(client, cast):
    no_token = client.http.post("/api/v1/till/confirmations", json={"code": cast.code})
    with_token = client.http.post("/api/v1/till/confirmations", json={"code": cast.code}, headers=bearer(cast.till))
    assert (no_token.status_code, with_token.status_code) == (401, 200)


def test_last_use_is_recorded(client, cast, ctx):
    client.http.get(TASKS, headers=bearer(cast.platform))
    with ctx() as session:
        assert session.get(ApiToken, cast.platform_id).last_used_at is not None
        assert session.get(ApiToken, cast.till_id).last_used_at is None


def test_an_admin_issues_a_till_token_sees_it_once_and_revokes_it(make_client, world, ctx):
    admin = make_client(world.admin)
    page = admin.get("/admin/api/tokens/")
    assert page.status_code == 200 and "暖新小厨 · 店员小王" in page.get_data(as_text=True)
    issued = admin.post("/admin/api/tokens/", {"name": "步行街店收银台", "scope": "till", "staff": world.staff})
    assert issued.status_code == 200 and issued.headers["Cache-Control"] == "no-store"
    secret = re.search(r'id="raw-token"[^>]*>(nx_[^<]+)<', issued.get_data(as_text=True)).group(1)
    again = admin.get("/admin/api/tokens/").get_data(as_text=True)
    assert secret[:8] in again and secret not in again  # listed by its prefix, never shown again
    with ctx() as session:
        token = session.scalar(sa.select(ApiToken).where(ApiToken.name == "步行街店收银台"))
        assert (token.scope, token.merchant_id, token.staff_id, token.created_by_id) == \
            ("till", world.merchant, world.staff, world.admin)
        token_id = token.id
    assert make_client().http.get(TASKS.replace("platform/tasks", "till/vouchers/1"),
                                  headers=bearer(secret)).status_code == 422  # a usable token: only the code is bad
    assert admin.post(f"/admin/api/tokens/{token_id}/revoke").status_code == 303
    assert make_client().http.get("/api/v1/till/vouchers/1", headers=bearer(secret)).status_code == 401


def test_a_till_token_needs_a_staff_account_and_a_name(make_client, world, ctx):
    admin = make_client(world.admin)
    no_staff = admin.post("/admin/api/tokens/", {"name": "收银台", "scope": "till", "staff": ""})
    no_name = admin.post("/admin/api/tokens/", {"name": " ", "scope": "platform"})
    a_rider = admin.post("/admin/api/tokens/", {"name": "收银台", "scope": "till", "staff": world.rider})
    assert [r.status_code for r in (no_staff, no_name, a_rider)] == [422, 422, 422]
    assert "Choose the staff account" in no_staff.get_data(as_text=True)
    with ctx() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


@pytest.mark.parametrize("persona", ["rider", "coordinator", "staff"])
def test_only_admins_manage_tokens(make_client, world, persona):
    assert make_client(getattr(world, persona)).get("/admin/api/tokens/").status_code == 403


def test_the_command_line_issues_and_revokes_a_platform_token(app, world, ctx):
    with ctx() as session:
        admin_phone = session.get(User, world.admin).phone
    runner = app.test_cli_runner()
    issued = runner.invoke(args=["api", "issue-token", "--name", "城市平台", "--scope", "platform",
                                 "--by", admin_phone])
    assert issued.exit_code == 0, issued.output
    secret = issued.output.strip().splitlines()[-1]
    assert app.test_client().get(TASKS, headers=bearer(secret)).status_code == 200
    revoked = runner.invoke(args=["api", "revoke-token", "--prefix", secret[:8], "--by", admin_phone])
    assert revoked.exit_code == 0, revoked.output
    assert app.test_client().get(TASKS, headers=bearer(secret)).status_code == 401


def test_the_refusal_speaks_the_callers_language(client):
    chinese = client.http.get(TASKS, headers={"Accept-Language": "zh-CN"}).get_json()
    english = client.http.get(TASKS, headers={"Accept-Language": "en"}).get_json()
    assert chinese["code"] == english["code"] == "token_missing"
    assert english["message"] == "Send an API token: Authorization: Bearer <token>."
    assert any("\u4e00" <= char <= "\u9fff" for char in chinese["message"])
