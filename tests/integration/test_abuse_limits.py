"""Abuse limits: failed log-ins per phone and per address, registrations per address, unknown voucher
codes per merchant staff account. Each refusal says when to try again; limits are on in tests too."""

import re

import pytest

from tests.factories import PASSWORD
from tests.pages import registration_code

GOOD = {"name": "赵佳楠", "password": "longenough1", "trade": "food_delivery", "platform": "美团", "privacy": "y"}


def try_again_time(page: str) -> str:
    return re.search(r"Try again after (\d\d:\d\d)|locked until (\d\d:\d\d)", page).group(0)


def test_five_failed_log_ins_lock_the_phone_number_and_say_until_when(client, world):
    for _ in range(5):
        assert client.post("/login", {"phone": world.rider_phone, "password": "wrong-guess"}).status_code == 422
    locked = client.post("/login", {"phone": world.rider_phone, "password": PASSWORD})
    page = locked.get_data(as_text=True)
    assert locked.status_code == 429
    assert try_again_time(page) and world.rider_phone in page  # the number is kept
    assert client.get("/my/tasks").status_code == 302  # not logged in, even with the right password


def test_the_chinese_screen_says_when_too(client, world):
    for _ in range(5):
        client.post("/login", {"phone": world.rider_phone, "password": "wrong-guess"}, lang="zh-CN")
    page = client.post("/login", {"phone": world.rider_phone, "password": PASSWORD}, lang="zh-CN").get_data(
        as_text=True)
    assert "失败次数过多" in page


def test_other_phone_numbers_are_not_locked_by_one_numbers_failures(client, world, ctx):
    from accounts.models import User

    for _ in range(5):
        client.post("/login", {"phone": world.rider_phone, "password": "wrong-guess"})
    with ctx() as session:
        other_phone = session.get(User, world.rider2).phone
    assert client.post("/login", {"phone": other_phone, "password": PASSWORD}).status_code == 303


def test_one_address_trying_many_numbers_is_locked_too(app, client):
    app.config["LOGIN_FAILURES_PER_ADDRESS"] = "3 per 15 minutes"
    for n in range(3):
        client.post("/login", {"phone": f"1390000{n:04d}", "password": "wrong-guess"})
    assert client.post("/login", {"phone": "13900009999", "password": "whatever-1"}).status_code == 429


def test_successful_log_ins_do_not_count(client, world, make_client):
    for _ in range(8):
        fresh = make_client()
        assert fresh.post("/login", {"phone": world.rider_phone, "password": PASSWORD}).status_code == 303


def test_registrations_per_address_are_limited(app, client):
    app.config["REGISTRATIONS_PER_ADDRESS"] = "2 per hour"
    for n in range(2):
        fresh = client.__class__(app)
        code = registration_code(fresh, f"1391234000{n}")
        assert fresh.post("/register", {**GOOD, "phone": f"1391234000{n}", "code": code}).status_code == 303
    fresh = client.__class__(app)
    code = registration_code(fresh, "13912340009")
    refused = fresh.post("/register", {**GOOD, "phone": "13912340009", "code": code})
    assert refused.status_code == 429 and "Too many registrations" in refused.get_data(as_text=True)


@pytest.fixture
def staff(world, make_client):
    return make_client(world.staff)


def test_ten_unknown_codes_lock_look_ups_for_the_staff_account(staff, world, ctx, make_client):
    from rewards.codes import luhn_digit

    unknown = [f"{n:015d}" for n in range(100000000000000, 100000000000010)]
    for body in unknown:
        assert staff.get(f"/merchant/vouchers/{body + luhn_digit(body)}").status_code == 404
    locked = staff.get("/merchant/lookup?code=1234")
    page = locked.get_data(as_text=True)
    assert locked.status_code == 429 and "Look-ups are locked until" in page
    assert staff.get("/merchant/").status_code == 200  # the counter screen itself still opens
    # Another merchant's staff are not affected.
    assert make_client(world.other_staff).get("/merchant/lookup?code=1234").status_code == 422


def test_limits_can_be_switched_off_only_by_configuration(world, make_app):
    from tests.conftest import Client

    app = make_app(RATELIMIT_ENABLED=False)
    client = Client(app)
    for _ in range(7):
        assert client.post("/login", {"phone": world.rider_phone, "password": "wrong-guess"}).status_code == 422


def test_with_redis_storage_two_app_processes_share_the_counts(world, make_app):
    """Several processes (here two app instances) count failures together when the storage is Redis."""
    import os
    import secrets
    import socket

    from tests.conftest import Client

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        if os.environ.get("CI"):
            raise
        pytest.skip("no Redis on 127.0.0.1:6379")
    config = {"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379", "RATELIMIT_KEY_PREFIX": secrets.token_hex(6)}
    first = make_app(**config)
    for _ in range(5):
        assert Client(first).post("/login", {"phone": world.rider_phone, "password": "wrong-guess"}).status_code == 422
    # A new app has its own storage object: with memory:// it would start from zero (and this test
    # fail); with Redis it reads the counts the first one wrote.
    second = make_app(**config)
    assert Client(second).post("/login", {"phone": world.rider_phone, "password": PASSWORD}).status_code == 429
