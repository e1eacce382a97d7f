"""Registration, log-in and log-out."""

import pytest
import sqlalchemy as sa

from accounts.models import User
from tests.factories import PASSWORD
from tests.pages import registration_code

GOOD = {"phone": "139 1234 5678", "name": "赵佳楠", "password": "longenough1", "trade": "food_delivery",
        "platform": "美团", "privacy": "y"}


def test_a_rider_registers_and_lands_on_the_task_list(client, ctx):
    code = registration_code(client, GOOD["phone"])
    response = client.post("/register", {**GOOD, "code": code})
    assert response.status_code == 303 and response.headers["Location"] == "/tasks"
    with ctx() as session:
        user = session.scalar(sa.select(User).where(User.phone == "13912345678"))
        assert (user.role, user.trade, user.platform) == ("rider", "food_delivery", "美团")
        assert user.password_hash != "longenough1" and user.check_password("longenough1")
    assert "赵佳楠" in client.get("/tasks", follow_redirects=True).get_data(as_text=True)


def test_registration_refusals_keep_the_input(client):
    response = client.post("/register", {**GOOD, "phone": "1234", "password": "short"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "11-digit mainland mobile number" in page and "8 to 128 characters" in page
    assert 'value="1234"' in page and 'value="赵佳楠"' in page and 'value="美团"' in page


def test_registration_refusals_are_in_chinese_for_chinese_browsers(client):
    response = client.post("/register", {**GOOD, "name": ""}, lang="zh-CN")
    assert response.status_code == 422
    assert "请输入" in response.get_data(as_text=True)


def test_a_taken_phone_number_is_refused_before_a_code_is_sent(client, world):
    response = client.post("/register/code", {**GOOD, "phone": world.rider_phone})
    assert response.status_code == 422
    assert "already registered" in response.get_data(as_text=True) and 'id="dev-code"' not in response.get_data(
        as_text=True)


def test_an_over_long_name_is_refused(client):
    response = client.post("/register", {**GOOD, "name": "名" * 51})
    assert response.status_code == 422 and "At most 50 characters" in response.get_data(as_text=True)


def test_log_in_with_a_formatted_number_then_log_out(client, world):
    phone = world.rider_phone
    response = client.post("/login", {"phone": f"+86 {phone[:3]}-{phone[3:7]}-{phone[7:]}", "password": PASSWORD})
    assert response.status_code == 303
    assert client.get("/my/tasks").status_code == 200
    assert client.get("/logout").status_code == 405  # logging out is a POST
    assert client.post("/logout").status_code == 303
    assert client.get("/my/tasks").status_code == 302


def test_a_wrong_password_is_refused_with_the_number_kept(client, world):
    response = client.post("/login", {"phone": world.rider_phone, "password": "wrong-password"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Wrong mobile number or password" in page and world.rider_phone in page


def test_a_deactivated_account_cannot_log_in(client, world, ctx):
    with ctx() as session:
        session.get(User, world.rider).active = False
        session.commit()
    response = client.post("/login", {"phone": world.rider_phone, "password": PASSWORD})
    assert response.status_code == 422


def test_log_in_returns_to_a_local_next_page_only(client, world):
    ok = client.post("/login?next=/wallet", {"phone": world.rider_phone, "password": PASSWORD})
    assert ok.headers["Location"] == "/wallet"
    other = client.http.application.test_client()
    from tests.conftest import Client

    c = Client(client.app)
    c.http = other
    evil = c.post("/login?next=//evil.example/", {"phone": world.rider_phone, "password": PASSWORD})
    assert evil.headers["Location"] == "/"



@pytest.mark.parametrize("target", ["/\\evil.example/", "/\t/evil.example/", "/%5Cevil.example/"])
def test_log_in_never_redirects_to_another_site_with_a_backslash_or_tab(client, world, target):
    """Browsers read ``/\\host`` and ``/<tab>/host`` as ``//host``: another site."""
    from urllib.parse import quote

    response = client.post(f"/login?next={quote(target, safe='/%')}", {"phone": world.rider_phone,
                                                                      "password": PASSWORD})
    assert response.status_code in (302, 303)
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_an_expired_public_form_comes_back_as_typed_with_a_word_next_to_its_button(client, world, lang):
    """The session (and its CSRF secret) died while the form was open: nothing happens, the input stays,
    and a fresh token lets the rider send it again."""
    form = {"phone": "139 1234 5678", "name": "赵佳楠", "password": "longenough1", "trade": "courier",
            "platform": "美团", "code": "123456", "privacy": "y", "csrf_token": "stale-token"}
    response = client.post("/register", form, csrf=False, lang=lang)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="赵佳楠"' in page and 'value="139 1234 5678"' in page
    assert ("This page had expired" if lang == "en" else "页面已过期") in page
    assert page.index("role=\"alert\"") < page.index('type="submit" class="primary"')
    login = client.post("/login", {"phone": world.rider_phone, "password": PASSWORD, "csrf_token": "stale"},
                        csrf=False, lang=lang)
    assert login.status_code == 422 and client.get("/my/tasks").status_code == 302  # not logged in
