"""The account pages: privacy notice and consent, profile, password, own data, deletion, sessions."""

import json
import re

import pytest
import sqlalchemy as sa

from accounts.models import User
from tests.factories import PASSWORD
from tests.pages import registration_code

NEW_PASSWORD = "Lantern-quartz-91"


def test_the_privacy_notice_is_public_in_both_languages(client):
    assert "How to see or delete it" in client.get("/privacy").get_data(as_text=True)
    assert "如何查看或删除" in client.get("/privacy", lang="zh-CN").get_data(as_text=True)


def test_registration_requires_consent_and_records_the_version(client, ctx):
    data = {"phone": "139 1234 5678", "name": "赵佳楠", "password": "longenough1", "trade": "courier",
            "platform": "美团", "code": registration_code(client, "139 1234 5678")}
    refused = client.post("/register", data)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "tick the box" in page and 'value="赵佳楠"' in page
    assert client.post("/register", {**data, "privacy": "y"}).status_code == 303
    with ctx() as session:
        user = session.scalar(sa.select(User).where(User.phone == "13912345678"))
        assert user.privacy_version == 1 and user.privacy_accepted_at is not None


def test_a_newer_notice_asks_again_and_declining_logs_out(app, make_client, world):
    app.config["PRIVACY_VERSION"] = 2
    rider = make_client(world.rider)
    response = rider.get("/wallet")
    assert response.status_code == 303 and response.headers["Location"].startswith("/consent")
    htmx = rider.get("/wallet", htmx=True)
    assert htmx.headers["HX-Redirect"].startswith("/consent")
    page = rider.get("/consent?next=/wallet").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    rider._token = token
    assert rider.post("/consent", {"decision": "maybe"}).status_code == 422
    rider._token = token
    declined = rider.post("/consent", {"decision": "decline"})
    assert declined.headers["Location"] == "/login"
    assert rider.get("/wallet").status_code == 302  # logged out


def test_accepting_the_newer_notice_continues_to_the_page(app, make_client, world, ctx):
    app.config["PRIVACY_VERSION"] = 2
    rider = make_client(world.rider)
    page = rider.get("/consent?next=/wallet").get_data(as_text=True)
    rider._token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    accepted = rider.post("/consent?next=/wallet", {"decision": "accept"})
    assert accepted.headers["Location"] == "/wallet"
    assert rider.get("/wallet").status_code == 200
    with ctx() as session:
        assert session.get(User, world.rider).privacy_version == 2


def test_every_role_reaches_the_profile_from_the_header(make_client, world):
    for user_id in (world.rider, world.coordinator, world.staff, world.admin):
        page = make_client(user_id).get("/account").get_data(as_text=True)
        assert 'href="/account"' in page and 'href="/account/phone"' in page and "Log out everywhere" in page
    assert "Your trade" in make_client(world.rider).get("/account").get_data(as_text=True)
    assert "Your trade" not in make_client(world.coordinator).get("/account").get_data(as_text=True)


def test_a_rider_changes_name_trade_and_platform(make_client, world, ctx):
    rider = make_client(world.rider)
    refused = rider.post("/account", {"name": "", "trade": "courier", "platform": "顺丰速运"})
    assert refused.status_code == 422 and 'value="顺丰速运"' in refused.get_data(as_text=True)
    assert rider.post("/account", {"name": "钱多多", "trade": "courier", "platform": "顺丰"}).status_code == 303
    with ctx() as session:
        user = session.get(User, world.rider)
        assert (user.name, user.trade, user.platform) == ("钱多多", "courier", "顺丰")


@pytest.mark.parametrize("trade", [" ", "\t", "pilot"])
def test_a_trade_not_on_the_list_is_refused_not_a_500_and_the_old_one_kept(make_client, world, ctx, trade):
    """Found by the fuzzer on PostgreSQL: "Optional()" let a blank-looking trade skip the choice check, and the
    database's check constraint then refused the row (a 500)."""
    with ctx() as session:
        session.get(User, world.rider).trade = "courier"
        session.commit()
    refused = make_client(world.rider).post("/account", {"name": "钱多多", "trade": trade, "platform": "顺丰"})
    assert refused.status_code == 422 and 'value="钱多多"' in refused.get_data(as_text=True)
    with ctx() as session:
        assert session.get(User, world.rider).trade == "courier"


def test_a_coordinator_changes_only_the_name(make_client, world, ctx):
    coordinator = make_client(world.coordinator)
    assert coordinator.post("/account", {"name": "王主任", "trade": "courier", "platform": "x"}).status_code == 303
    with ctx() as session:
        user = session.get(User, world.coordinator)
        assert (user.name, user.trade, user.platform) == ("王主任", None, None)


def test_changing_the_password_needs_the_current_one_and_ends_other_sessions(make_client, world, ctx):
    rider, other_device = make_client(world.rider), make_client(world.rider)
    wrong = rider.post("/account/password", {"pw-current": "nope", "pw-password": NEW_PASSWORD})
    assert wrong.status_code == 422 and "not your current password" in wrong.get_data(as_text=True)
    weak = rider.post("/account/password", {"pw-current": PASSWORD, "pw-password": "password"})
    assert weak.status_code == 422
    ok = rider.post("/account/password", {"pw-current": PASSWORD, "pw-password": NEW_PASSWORD})
    assert ok.status_code == 303
    assert rider.get("/wallet").status_code == 200  # this session continues
    assert other_device.get("/wallet").status_code == 302
    with ctx() as session:
        assert session.get(User, world.rider).check_password(NEW_PASSWORD)


def test_the_rider_downloads_their_own_data(make_client, world):
    response = make_client(world.rider).get("/account/data.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["profile"]["phone"] == world.rider_phone
    assert {"signups", "ledger", "vouchers", "consent"} <= set(data)
    assert data["consent"]["privacy_version"] == 1


def test_vouchers_in_the_download_are_masked(ids_with_voucher):
    client, code = ids_with_voucher
    body = client.get("/account/data.json").get_data(as_text=True)
    assert code not in body and f"{code[:4]} **** **** {code[-4:]}" in body


def test_log_out_everywhere_ends_this_session_too(make_client, world):
    rider, other_device = make_client(world.rider), make_client(world.rider)
    response = rider.post("/account/logout-everywhere", htmx=True)
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert rider.get("/wallet").status_code == 302 and other_device.get("/wallet").status_code == 302


def test_deleting_the_account_needs_the_password_and_logs_out(make_client, world, ctx, client):
    rider = make_client(world.rider)
    assert "Delete my account for good" in rider.get("/account/delete").get_data(as_text=True)
    wrong = rider.post("/account/delete", {"password": "nope"})
    assert wrong.status_code == 422 and "not your current password" in wrong.get_data(as_text=True)
    done = rider.post("/account/delete", {"password": PASSWORD})
    assert done.status_code == 303 and done.headers["Location"] == "/login"
    assert rider.get("/wallet").status_code == 302
    with ctx() as session:
        user = session.get(User, world.rider)
        assert user.name == "已注销用户" and not user.active
    # A deleted account is not "suspended": the log-in answers as for any wrong number.
    again = client.post("/login", {"phone": world.rider_phone, "password": PASSWORD})
    assert again.status_code == 422 and "Wrong mobile number or password" in again.get_data(as_text=True)


def test_a_suspended_account_is_told_whom_to_contact(client, world, ctx):
    with ctx() as session:
        session.get(User, world.coordinator).active = False
        session.commit()
        org_name = session.get(User, world.coordinator).organisation.name
        phone = session.get(User, world.coordinator).phone
    wrong = client.post("/login", {"phone": phone, "password": "not-it-at-all"})
    assert "Wrong mobile number or password" in wrong.get_data(as_text=True)
    right = client.post("/login", {"phone": phone, "password": PASSWORD})
    page = right.get_data(as_text=True)
    assert right.status_code == 422 and f"This account is suspended; contact {org_name}." in page
    assert "Wrong mobile number" not in page


def test_a_csrf_token_from_before_log_in_is_refused_after_it(client, world):
    before = client.token()
    assert client.post("/login", {"phone": world.rider_phone, "password": PASSWORD}).status_code == 303
    stale = client.http.post("/account", data={"name": "钱多多", "csrf_token": before},
                             headers={"Accept-Language": "en"})
    assert stale.status_code == 400
    fresh = client.post("/account", {"name": "钱多多"})  # the token of a page after log-in works
    assert fresh.status_code == 303


def test_log_out_clears_the_session(client, world):
    client.post("/login", {"phone": world.rider_phone, "password": PASSWORD})
    token = client.token()
    client.post("/logout")
    client._token = token
    refused = client.post("/login", {"phone": world.rider_phone, "password": PASSWORD})
    assert refused.status_code == 422 and "This page had expired" in refused.get_data(as_text=True)
    assert client.get("/my/tasks").status_code == 302  # the old token logged no one in


@pytest.fixture
def ids_with_voucher(world, ctx, make_client):
    from rewards import vouchers
    from rewards.models import Offer
    from tests.factories import give_points

    with ctx() as session:
        give_points(world.rider, 100)
        voucher = vouchers.redeem_offer(offer=session.get(Offer, world.offer), rider=session.get(User, world.rider))
        session.commit()
        code = voucher.code
    return make_client(world.rider), code
