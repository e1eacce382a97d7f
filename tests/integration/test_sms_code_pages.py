"""The pages that send and take SMS codes: registration, "forgot password", change of number. Plain
forms and htmx, refusals with the input kept (422), limits, and provider failures (never a 500)."""

import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from accounts.codes import PhoneCode
from accounts.journal import JournalEntry
from accounts.models import User
from tests.factories import PASSWORD
from tests.pages import input_value, registration_code, shown_code, text_of

NEW = "13912345678"
GOOD = {"phone": NEW, "name": "赵佳楠", "password": "longenough1", "trade": "food_delivery", "platform": "美团",
        "privacy": "y"}


def age_codes(ctx, seconds=61):
    """Move every code's sending time back, as if ``seconds`` had passed."""
    with ctx() as session:
        for row in session.scalars(sa.select(PhoneCode)):
            row.sent_at -= timedelta(seconds=seconds)
            row.expires_at -= timedelta(seconds=seconds)
        session.commit()


# --- registration -----------------------------------------------------------------------------

def test_asking_for_a_code_keeps_everything_typed_and_says_when_to_ask_again(client):
    response = client.post("/register/code", {**GOOD, "phone": "139 1234 5678"})
    page = text_of(response)
    assert response.status_code == 200
    assert "A code is on its way to 139****5678" in page and "ask for a new code at" in page
    assert len(shown_code(response)) == 6  # development, console backend
    assert input_value(response, "phone") == "139 1234 5678" and input_value(response, "name") == "赵佳楠"
    assert input_value(response, "platform") == "美团"
    assert "register/code" not in page.split('id="resend"')[1].split("</div>")[0]  # no send button yet


def test_with_htmx_the_widget_comes_with_the_page_and_refreshes_itself_when_a_resend_is_allowed(client):
    response = client.post("/register/code", {"phone": NEW}, htmx=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="phone-code"' in page
    assert 'hx-trigger="load delay:60s"' in page or 'hx-trigger="load delay:59s"' in page
    again = client.get("/register", htmx=True)
    assert 'formaction="/register/code"' in again.get_data(as_text=True)  # after the wait: the button


def test_a_second_tap_within_the_minute_sends_nothing_new(client, ctx):
    first = registration_code(client, NEW)
    response = client.post("/register/code", {"phone": NEW})
    assert response.status_code == 200 and 'id="dev-code"' not in response.get_data(as_text=True)
    assert "ask for a new code at" in text_of(response)
    assert client.post("/register", {**GOOD, "code": first}).status_code == 303


def test_a_new_code_after_the_minute_replaces_the_old_one(client, ctx):
    first = registration_code(client, NEW)
    age_codes(ctx)
    second = registration_code(client, NEW)
    with ctx() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(PhoneCode)) == 1
    if first != second:
        assert client.post("/register", {**GOOD, "code": first}).status_code == 422
    assert client.post("/register", {**GOOD, "code": second}).status_code == 303


@pytest.mark.parametrize(("phone", "message"), [
    ("1234", "11-digit mainland mobile number"), ("+1 202 555 0123", "11-digit mainland mobile number"),
    ("", "Enter your mobile number"),
])
def test_a_bad_number_gets_no_code_and_a_message(client, ctx, phone, message):
    response = client.post("/register/code", {**GOOD, "phone": phone})
    assert response.status_code == 422 and message in text_of(response)
    assert input_value(response, "name") == "赵佳楠"
    with ctx() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(PhoneCode)) == 0


def test_a_wrong_code_is_refused_with_the_input_kept_and_the_try_counted(client, ctx):
    code = registration_code(client, NEW)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    response = client.post("/register", {**GOOD, "code": wrong})
    assert response.status_code == 422 and "Wrong code. Tries left: 4." in text_of(response)
    assert input_value(response, "code") == wrong and input_value(response, "name") == "赵佳楠"
    with ctx() as session:
        assert session.scalar(sa.select(PhoneCode.tries)) == 1
        assert session.scalar(sa.select(User).where(User.phone == NEW)) is None


def test_registration_without_a_code_is_refused(client):
    response = client.post("/register", GOOD)
    assert response.status_code == 422 and "Enter the 6-digit code" in text_of(response)


def test_a_code_for_another_number_does_not_register_this_one(client):
    code = registration_code(client, "13912345670")
    assert client.post("/register", {**GOOD, "code": code}).status_code == 422


def test_the_code_step_speaks_chinese(client):
    response = client.post("/register/code", {"phone": NEW}, lang="zh-CN")
    assert "验证码正在发往139****5678" in text_of(response)
    refused = client.post("/register", {**GOOD, "code": "00000"}, lang="zh-CN")
    assert refused.status_code == 422 and "验证码是6位数字" in text_of(refused)


# --- limits -----------------------------------------------------------------------------------

def test_codes_per_address_are_limited_and_the_page_says_until_when(app, client):
    app.config["SMS_CODES_PER_ADDRESS"] = "2 per hour"
    for n in range(2):
        assert client.post("/register/code", {"phone": f"1391234500{n}"}).status_code == 200
    refused = client.post("/register/code", {"phone": "13912345009"})
    assert refused.status_code == 429 and "Too many codes were asked for. Try again after" in text_of(refused)


def test_refusals_of_registered_numbers_count_towards_the_address_limit(app, client, world):
    """"Already registered" tells that a number has an account: it must not be a free, unlimited oracle."""
    app.config["SMS_CODES_PER_ADDRESS"] = "2 per hour"
    for _ in range(2):
        assert client.post("/register/code", {"phone": world.rider_phone}).status_code == 422
    refused = client.post("/register/code", {"phone": world.rider_phone})
    assert refused.status_code == 429 and "already registered" not in text_of(refused)
    assert "Too many codes were asked for" in text_of(refused)


def test_codes_per_phone_are_limited(app, client, make_client, ctx):
    app.config["SMS_CODES_PER_PHONE"] = "2 per hour"
    for _ in range(2):
        assert make_client().post("/password/forgot/code", {"phone": NEW}).status_code == 200
        age_codes(ctx)
    assert make_client().post("/password/forgot/code", {"phone": NEW}).status_code == 429


# --- provider failures ------------------------------------------------------------------------

@pytest.fixture
def failing_provider(app, monkeypatch):
    from accounts import sms

    def fail(**_):
        raise sms.SmsNotSent("provider down")

    monkeypatch.setitem(sms.BACKENDS, "console", fail)
    return app


def test_a_provider_failure_on_registration_is_a_message_and_the_number_may_ask_again(failing_provider, client):
    response = client.post("/register/code", {**GOOD})
    assert response.status_code == 503 and "could not send the text message" in text_of(response)
    assert input_value(response, "name") == "赵佳楠"
    assert 'formaction="/register/code"' in response.get_data(as_text=True)  # try again now


# --- forgot password --------------------------------------------------------------------------

def test_the_log_in_page_links_to_forgot_password(client):
    assert 'href="/password/forgot"' in client.get("/login").get_data(as_text=True)
    assert "忘记密码" in text_of(client.get("/login", lang="zh-CN"))


def forgot_page_for(app, phone: str) -> str:
    from tests.conftest import Client

    page = text_of(Client(app).post("/password/forgot/code", {"phone": phone}))
    return page.replace(f"{phone[:3]}****{phone[-4:]}", "PHONE").replace(phone, "PHONE")


def test_known_and_unknown_numbers_get_the_same_answer(app, world, ctx, failing_provider):
    """In production (no code on the page), even while the provider fails, nothing tells them apart."""
    app.config["ENV_NAME"] = "production"
    strip = lambda page: re.sub(r"\d\d:\d\d:\d\d", "TIME", re.sub(r'[\w-]+\.[\w-]{6}\.[\w-]{27}', "TOKEN", page))  # noqa: E731
    known, unknown = forgot_page_for(app, world.rider_phone), forgot_page_for(app, "13912349999")
    assert "If PHONE has an account, a code is on its way" in known
    assert strip(known) == strip(unknown)
    with ctx() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(PhoneCode)) == 2  # the same waits follow


def test_no_code_is_sent_to_an_unknown_number(client, monkeypatch):
    from accounts import sms

    sent = []
    monkeypatch.setitem(sms.BACKENDS, "console", lambda **message: sent.append(message))
    assert client.post("/password/forgot/code", {"phone": "13912349999"}).status_code == 200
    assert sent == []


def test_a_rider_resets_the_password_and_every_session_ends(client, make_client, world, ctx):
    elsewhere = make_client(world.rider)
    assert elsewhere.get("/my/tasks").status_code == 200
    code = shown_code(client.post("/password/forgot/code", {"phone": world.rider_phone}))
    response = client.post("/password/forgot", {"phone": world.rider_phone, "code": code,
                                                "password": "a-brand-new-secret-7"})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert "every device was logged out" in text_of(client.get("/login"))
    assert elsewhere.get("/my/tasks").status_code == 302
    assert client.post("/login", {"phone": world.rider_phone, "password": PASSWORD}).status_code == 422
    assert client.post("/login", {"phone": world.rider_phone, "password": "a-brand-new-secret-7"}).status_code == 303
    with ctx() as session:
        entry = session.scalar(sa.select(JournalEntry).where(JournalEntry.action == "account.password_reset"))
        assert entry.actor_id == world.rider and entry.rider_id == world.rider
        assert str(entry.label) in ("Password reset with an SMS code", "通过短信验证码重设密码")
        assert "a-brand-new" not in entry.details


def test_a_reset_password_works_at_once_even_after_the_failed_log_ins_that_made_the_rider_reset_it(client, world):
    """The usual story: a few wrong guesses lock the number, then "forgot password" — the page says to log
    in with the new password, so the lock of the (now proven) phone must not refuse it."""
    for _ in range(5):
        client.post("/login", {"phone": world.rider_phone, "password": "wrong-guess"})
    assert client.post("/login", {"phone": world.rider_phone, "password": PASSWORD}).status_code == 429
    code = shown_code(client.post("/password/forgot/code", {"phone": world.rider_phone}))
    assert client.post("/password/forgot", {"phone": world.rider_phone, "code": code,
                                            "password": "a-brand-new-secret-7"}).status_code == 303
    assert client.post("/login", {"phone": world.rider_phone, "password": "a-brand-new-secret-7"}).status_code == 303


def test_a_used_code_does_not_reset_twice(client, world):
    code = shown_code(client.post("/password/forgot/code", {"phone": world.rider_phone}))
    data = {"phone": world.rider_phone, "code": code, "password": "a-brand-new-secret-7"}
    assert client.post("/password/forgot", data).status_code == 303
    again = client.post("/password/forgot", {**data, "password": "another-new-secret-8"})
    assert again.status_code == 422 and "used already" in text_of(again)


@pytest.mark.parametrize("htmx", [False, True])
def test_reset_refusals_keep_the_input(client, world, htmx):
    code = shown_code(client.post("/password/forgot/code", {"phone": world.rider_phone}))
    weak = client.post("/password/forgot", {"phone": world.rider_phone, "code": code, "password": "12345678"},
                       htmx=htmx)
    assert weak.status_code == 422 and "too common" in text_of(weak)
    assert input_value(weak, "phone") == world.rider_phone and input_value(weak, "code") == code
    wrong = client.post("/password/forgot", {"phone": world.rider_phone, "code": "１２３",
                                             "password": "a-brand-new-secret-7"}, htmx=htmx)
    assert wrong.status_code == 422 and "The code has 6 digits." in text_of(wrong)
    assert input_value(wrong, "code") == "１２３"


def test_an_unknown_number_cannot_reset_anything(client, ctx):
    client.post("/password/forgot/code", {"phone": "13912349999"})
    response = client.post("/password/forgot", {"phone": "13912349999", "code": "123456",
                                                "password": "a-brand-new-secret-7"})
    assert response.status_code == 422 and ("Wrong code" in text_of(response) or "No code" in text_of(response))


def test_five_wrong_codes_need_a_new_code(client, world):
    code = shown_code(client.post("/password/forgot/code", {"phone": world.rider_phone}))
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    data = {"phone": world.rider_phone, "password": "a-brand-new-secret-7"}
    for _ in range(5):
        client.post("/password/forgot", {**data, "code": wrong})
    response = client.post("/password/forgot", {**data, "code": code})
    assert response.status_code == 422 and "typed wrong too often" in text_of(response)


# --- change of number -------------------------------------------------------------------------

def test_a_rider_changes_the_number_with_a_code_and_the_password(make_client, world, ctx):
    rider = make_client(world.rider)
    page = rider.get("/account/phone")
    assert page.status_code == 200 and 'type="tel"' in page.get_data(as_text=True)
    code = shown_code(rider.post("/account/phone/code", {"phone": "+86 139 1234 5678"}, htmx=True))
    response = rider.post("/account/phone", {"phone": "139-1234-5678", "code": code, "password": PASSWORD})
    assert response.status_code == 303
    with ctx() as session:
        assert session.get(User, world.rider).phone == NEW
        entry = session.scalar(sa.select(JournalEntry).where(JournalEntry.action == "account.phone_change"))
        assert json.loads(entry.details) == {"old_phone": f"{world.rider_phone[:3]}****{world.rider_phone[-4:]}",
                                             "new_phone": "139****5678"}
    assert rider.get("/my/tasks").status_code == 200  # still logged in
    assert make_client().post("/login", {"phone": NEW, "password": PASSWORD}).status_code == 303


def test_changing_the_number_refuses_a_taken_or_the_same_number_before_sending(make_client, world, ctx):
    rider = make_client(world.rider)
    with ctx() as session:
        other = session.get(User, world.rider2).phone
    taken = rider.post("/account/phone/code", {"phone": other})
    assert taken.status_code == 422 and "already registered" in text_of(taken)
    same = rider.post("/account/phone/code", {"phone": world.rider_phone})
    assert same.status_code == 422 and "already your number" in text_of(same)


def test_a_wrong_password_keeps_the_number_and_the_code_usable(make_client, world, ctx):
    rider = make_client(world.rider)
    code = shown_code(rider.post("/account/phone/code", {"phone": NEW}))
    refused = rider.post("/account/phone", {"phone": NEW, "code": code, "password": "not-my-password"})
    assert refused.status_code == 422 and "not your current password" in text_of(refused)
    assert input_value(refused, "phone") == NEW and input_value(refused, "code") == code
    assert rider.post("/account/phone", {"phone": NEW, "code": code, "password": PASSWORD}).status_code == 303
