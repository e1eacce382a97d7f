"""Accounts a coordinator creates: merchant staff, who land on the counter screen, and other coordinators of
the same organisation."""

import pytest
import sqlalchemy as sa

from accounts.models import User
from rewards.models import MerchantStaff
from tests.integration.conftest import count
from tests.pages import input_value, text_of

# Merchant staff accounts


def staff_form(**overrides) -> dict:
    data = {"staff-phone": "139 1234 5678", "staff-name": "店员小李", "staff-password": "counter-pass-88"}
    data.update(overrides)
    return data


def test_a_new_staff_account_can_log_in_and_lands_on_the_counter_screen(world, coordinator, client, ctx):
    response = coordinator.post(f"/coordinate/merchants/{world.merchant}/staff", staff_form())
    assert response.status_code == 303
    assert response.headers["Location"] == f"/coordinate/merchants/{world.merchant}"
    with ctx() as session:
        user = session.scalar(sa.select(User).where(User.phone == "13912345678"))
        assert (user.role, user.name) == ("merchant", "店员小李")
        assert session.get(MerchantStaff, user.id).merchant_id == world.merchant
    page = text_of(coordinator.get(response.headers["Location"]))
    assert "Staff account created." in page and "店员小李" in page

    login = client.post("/login", {"phone": "13912345678", "password": "counter-pass-88"})
    assert login.status_code == 303
    landing = client.get(login.headers["Location"], follow_redirects=True)
    assert landing.request.path == "/merchant/"
    assert landing.status_code == 200
    assert "暖新小厨" in text_of(landing)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_it_refuses_a_staff_account_with_a_phone_that_is_taken(world, coordinator, ctx, lang):
    before = count(ctx, User)
    response = coordinator.post(f"/coordinate/merchants/{world.merchant}/staff",
                                staff_form(**{"staff-phone": world.rider_phone}), lang=lang)
    assert response.status_code == 422
    message = {"en": "This phone number is already registered. Log in instead.",
               "zh": "该手机号已注册，请直接登录。"}[lang]
    assert message in text_of(response)
    assert input_value(response, "staff-phone") == world.rider_phone
    assert input_value(response, "staff-name") == "店员小李"
    assert count(ctx, User) == before


def test_it_refuses_a_staff_account_with_a_short_password_or_bad_phone(world, coordinator, ctx):
    before = count(ctx, User)
    response = coordinator.post(f"/coordinate/merchants/{world.merchant}/staff",
                                staff_form(**{"staff-phone": "12345", "staff-password": "short"}))
    assert response.status_code == 422
    page = text_of(response)
    assert "Enter an 11-digit mainland mobile number starting with 1." in page
    assert "A password has 8 to 128 characters." in page
    assert input_value(response, "staff-phone") == "12345"
    assert count(ctx, User) == before


# Coordinator accounts


def coordinator_form(world, **overrides) -> dict:
    data = {"phone": "137-0000-1234", "name": "刘志强", "password": "street-office-1", "organisation_id":
            str(world.other_org)}
    data.update(overrides)
    return data


def test_the_new_coordinator_form_names_my_organisation_and_offers_no_other(world, coordinator):
    response = coordinator.get("/coordinate/accounts/new")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "塘市办事处" in page and "金港镇长江村" not in page and "<select" not in page


def test_creating_a_coordinator_account_for_my_organisation_only(world, coordinator, client, ctx):
    response = coordinator.post("/coordinate/accounts/new", coordinator_form(world))
    assert response.status_code == 303
    assert response.headers["Location"] == "/coordinate/accounts/?role=coordinator"
    with ctx() as session:
        user = session.scalar(sa.select(User).where(User.phone == "13700001234"))
        # the posted organisation_id of another organisation is ignored
        assert (user.role, user.name, user.organisation_id) == ("coordinator", "刘志强", world.org)
    page = text_of(coordinator.get(response.headers["Location"]))
    assert "Coordinator account created." in page and "刘志强" in page
    login = client.post("/login", {"phone": "13700001234", "password": "street-office-1"})
    assert login.status_code == 303
    assert client.get(login.headers["Location"], follow_redirects=True).request.path == "/coordinate/tasks"


@pytest.mark.parametrize(("overrides", "message", "kept_field"), [
    ({"phone": "{rider_phone}"}, "This phone number is already registered. Log in instead.", "phone"),
    ({"phone": "1234"}, "Enter an 11-digit mainland mobile number starting with 1.", "phone"),
    ({"name": ""}, "Enter a name.", "phone"),
    ({"password": "short"}, "A password has 8 to 128 characters.", "name"),
], ids=["phone-taken", "bad-phone", "no-name", "short-password"])
def test_it_refuses_an_invalid_coordinator_account(world, coordinator, ctx, overrides, message, kept_field):
    before = count(ctx, User)
    overrides = {k: v.format(rider_phone=world.rider_phone) for k, v in overrides.items()}
    data = coordinator_form(world, **overrides)
    response = coordinator.post("/coordinate/accounts/new", data)
    assert response.status_code == 422
    assert message in text_of(response)
    assert input_value(response, kept_field) == data[kept_field]
    assert count(ctx, User) == before


def test_only_coordinators_create_coordinator_accounts(world, make_client, ctx):
    before = count(ctx, User)
    response = make_client(world.rider).post("/coordinate/accounts/new", coordinator_form(world))
    assert response.status_code == 403
    assert count(ctx, User) == before


def test_the_accounts_filter_offers_the_admin_role_only_to_admins(world, coordinator, make_client):
    assert 'value="admin"' not in coordinator.get("/coordinate/accounts/").get_data(as_text=True)
    assert 'value="admin"' in make_client(world.admin).get("/coordinate/accounts/").get_data(as_text=True)
