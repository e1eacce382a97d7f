"""The first log-in of a rider imported from a street office's list: no password works until an SMS code proves
the phone; the log-in page points every failed log-in (whatever the number) to the code; the code confirms the
phone, sets the password, logs the rider in and asks for consent like a new registration."""

import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from accounts.journal import JournalEntry
from accounts.models import User
from accounts.rider_import import plan_import, read_table, save_import
from extensions import db
from tests.factories import PASSWORD
from tests.pages import input_value, shown_code, text_of

PHONE = "13812345678"
NEW_PASSWORD = "lantern-quartz-river-42"


@pytest.fixture
def imported_rider(world, ctx, app):
    with ctx(), app.test_request_context(headers={"Accept-Language": "en"}):
        coordinator = db.session.get(User, world.coordinator)
        plan = plan_import(*read_table("riders.csv", f"name,phone,trade\n孙晓东,{PHONE},外卖\n".encode()))
        save_import(plan, organisation_id=world.org, actor=coordinator, now=datetime(2026, 12, 1, tzinfo=UTC))
        db.session.commit()
        return db.session.scalar(sa.select(User.id).where(User.phone == PHONE))


def first_log_in(client, phone=PHONE, password=NEW_PASSWORD):
    code = shown_code(client.post("/password/forgot/code?first=1", {"phone": phone}))
    return client.post("/password/forgot?first=1", {"phone": phone, "code": code, "password": password})


def test_no_password_logs_in_an_unconfirmed_imported_rider(client, imported_rider):
    for password in (PASSWORD, "", "!imported:"):
        response = client.post("/login", {"phone": PHONE, "password": password or "x"})
        assert response.status_code == 422 and "Wrong mobile number or password." in text_of(response)


def test_a_failed_log_in_points_to_the_first_log_in_the_same_for_every_number(make_client, imported_rider, world):
    phones = (PHONE, "13912349999", world.rider_phone)  # imported, unknown, an ordinary rider's
    pages = [text_of(make_client().post("/login", {"phone": phone, "password": "wrong-password-1"}))
             for phone in phones]
    for phone, page in zip(phones, pages, strict=True):
        assert "is this your first log-in? You have no password yet" in page
        assert f"/password/forgot?first=1&phone={phone}" in page
    same = {re.sub(r'"[\w.-]{60,}"', '""', page.replace(phone, "N"))  # CSRF tokens differ by session
            for page, phone in zip(pages, phones, strict=True)}
    assert len(same) == 1  # nothing tells an imported number from any other


def test_the_first_log_in_page_has_its_heading_and_the_phone_filled_in(client):
    response = client.get(f"/password/forgot?first=1&phone={PHONE}")
    assert response.status_code == 200
    assert "First log-in: confirm your phone" in text_of(response)
    assert input_value(response, "phone") == PHONE
    assert client.get("/password/forgot?first=1&phone=<script>").status_code == 200  # junk: left empty


def test_the_first_log_in_page_speaks_chinese(client):
    page = text_of(client.get("/password/forgot?first=1", lang="zh"))
    assert "首次登录" in page


def test_the_code_confirms_the_phone_sets_the_password_and_logs_in_then_asks_for_consent(client, ctx,
                                                                                        imported_rider):
    response = first_log_in(client)
    assert response.status_code == 303 and response.headers["Location"] == "/"
    follow = client.get("/tasks")
    assert follow.status_code == 303 and "/consent" in follow.headers["Location"]  # like a new registration
    with ctx():
        rider = db.session.get(User, imported_rider)
        assert rider.phone_confirmed_at is not None and not rider.needs_phone_confirmation
        assert rider.check_password(NEW_PASSWORD) and rider.language == "en"
        actions = db.session.scalars(sa.select(JournalEntry.action).where(JournalEntry.rider_id == rider.id)).all()
        assert "account.phone_confirm" in actions


def test_after_the_first_log_in_the_password_works(make_client, imported_rider):
    first_log_in(make_client())
    response = make_client().post("/login", {"phone": PHONE, "password": NEW_PASSWORD})
    assert response.status_code == 303


def test_a_wrong_code_keeps_the_input_and_confirms_nothing(client, ctx, imported_rider):
    client.post("/password/forgot/code?first=1", {"phone": PHONE})
    response = client.post("/password/forgot?first=1", {"phone": PHONE, "code": "000000", "password": NEW_PASSWORD})
    assert response.status_code == 422 and input_value(response, "phone") == PHONE
    assert "First log-in: confirm your phone" in text_of(response)
    with ctx():
        assert db.session.get(User, imported_rider).needs_phone_confirmation


def test_an_ordinary_reset_still_ends_on_the_log_in_page(client, world, ctx):
    response = first_log_in(client, phone=world.rider_phone)
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    with ctx():
        rider = db.session.get(User, world.rider)
        assert rider.phone_confirmed_at is not None  # the code proved it all the same
        actions = db.session.scalars(sa.select(JournalEntry.action).where(JournalEntry.rider_id == rider.id)).all()
        assert "account.password_reset" in actions and "account.phone_confirm" not in actions


def test_a_deactivated_imported_rider_is_not_logged_in_by_the_code(client, ctx, imported_rider):
    with ctx():
        db.session.get(User, imported_rider).active = False
        db.session.commit()
    response = first_log_in(client)
    assert response.status_code == 303 and response.headers["Location"] == "/login"
