"""Where abuse limits count, and what happens when that storage fails.

The default (no ``RATELIMIT_STORAGE_URI``) is an SQLite file shared by every process on the machine;
Redis when configured. When Redis is down (a closed port) or hangs (a socket that accepts and never
answers), log-in and the counter answer normally within the storage timeout, the limits count in the
process, one warning is logged, and ``/healthz`` says ``"limits": "degraded"`` with 200.
"""

import socket
import threading
import time

import pytest

from tests.factories import PASSWORD

WARNING = "Abuse limits: the storage"
# Seconds a page may take while Redis hangs: one wait of the storage timeout (0.5 s) plus the page's own work
# (a password hash) on a busy 2-core CI machine running two suites. An app without a socket timeout takes at
# least GIVE_UP (6 s) and fails; retries are excluded by the options test (no retries, bounded timeouts).
PROMPT = 4.0
GIVE_UP = 6.0  # seconds after which the hanging server drops a connection (bounds a regression)


def test_the_default_storage_is_an_sqlite_file_in_the_instance_folder(make_app, monkeypatch):
    from config import Config

    monkeypatch.setattr(Config, "RATELIMIT_STORAGE_URI", "")  # as without the environment variable
    app = make_app(RATELIMIT_STORAGE_URI=None)
    assert app.config["RATELIMIT_STORAGE_URI"].startswith("sqlite:///")
    assert app.config["RATELIMIT_STORAGE_URI"].endswith("/instance/ratelimits.db")


def test_two_app_processes_on_one_sqlite_file_share_the_counts(world, make_app, tmp_path):
    """Each app opens its own connection to the file, as each gunicorn worker does."""
    from tests.conftest import Client

    config = {"RATELIMIT_STORAGE_URI": f"sqlite:///{tmp_path / 'limits.db'}"}
    first, second = make_app(**config), make_app(**config)
    for n in range(5):
        app = (first, second)[n % 2]
        assert Client(app).post("/login", {"phone": world.rider_phone, "password": "wrong-guess"}).status_code == 422
    assert Client(second).post("/login", {"phone": world.rider_phone, "password": PASSWORD}).status_code == 429
    assert Client(first).post("/login", {"phone": world.rider_phone, "password": PASSWORD}).status_code == 429


# A Redis that is down, and one that hangs ---------------------------------------------------------------

@pytest.fixture
def closed_port():
    """A port with a bound socket that does not listen: every connection is refused at once."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    yield sock.getsockname()[1]
    sock.close()


@pytest.fixture
def hanging_port():
    """A server that accepts connections and never answers (a Redis that hangs).

    Each connection is dropped after ``GIVE_UP`` seconds, so that an app without socket timeouts fails
    these tests (slower than ``PROMPT``) instead of hanging them.
    """
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    timers: list[threading.Timer] = []

    def accept_forever():
        while True:
            try:
                conn, _ = server.accept()
            except OSError:  # closed at teardown
                return
            timer = threading.Timer(GIVE_UP, conn.close)
            timer.daemon = True
            timer.start()
            timers.append(timer)

    thread = threading.Thread(target=accept_forever, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    server.close()
    for timer in timers:
        timer.cancel()
        timer.function()
    thread.join(timeout=5)


@pytest.fixture(params=["down", "hang"])
def broken_redis(request):
    """``redis://`` URI of a Redis that is down (connection refused) or hangs (never answers)."""
    port = request.getfixturevalue("closed_port" if request.param == "down" else "hanging_port")
    return f"redis://127.0.0.1:{port}"


@pytest.fixture
def broken_app(make_app, broken_redis):
    return make_app(RATELIMIT_STORAGE_URI=broken_redis, UNKNOWN_CODES_PER_STAFF="3 per 10 minutes")


def timed(call):
    started = time.monotonic()
    response = call()
    elapsed = time.monotonic() - started
    assert elapsed < PROMPT, f"answered after {elapsed:.2f} s"
    return response


def warnings_in(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith(WARNING)]


def test_log_in_works_and_limits_count_in_the_process(broken_app, world, caplog):
    from tests.conftest import Client

    caplog.set_level("INFO")
    client = Client(broken_app)
    wrong = {"phone": world.rider_phone, "password": "wrong-guess"}
    for _ in range(5):
        assert timed(lambda: client.post("/login", wrong)).status_code == 422
    assert timed(lambda: client.post("/login", {"phone": world.rider_phone, "password": PASSWORD})).status_code == 429
    assert timed(lambda: Client(broken_app).post("/login", {"phone": "13900000001", "password": PASSWORD})
                 ).status_code == 422  # another number: not locked
    assert len(warnings_in(caplog)) == 1, warnings_in(caplog)
    assert "127.0.0.1" in warnings_in(caplog)[0]


def test_a_right_password_logs_in(broken_app, world, caplog):
    from tests.conftest import Client

    client = Client(broken_app)
    assert timed(lambda: client.post("/login", {"phone": world.rider_phone, "password": PASSWORD})).status_code == 303
    assert timed(lambda: client.get("/my/tasks")).status_code == 200


def test_the_counter_works(broken_app, world, ctx, caplog):
    from rewards.codes import luhn_digit
    from tests.conftest import Client
    from tests.integration.test_merchant import issue

    code = issue(ctx, world.offer, world.rider)
    staff = Client(broken_app).login(world.staff)
    assert timed(lambda: staff.get(f"/merchant/lookup?code={code}")).status_code == 303
    assert timed(lambda: staff.get(f"/merchant/vouchers/{code}")).status_code == 200
    unknown = [f"{n:015d}" for n in range(300000000000000, 300000000000004)]
    for body in unknown[:3]:
        assert timed(lambda b=body: staff.get(f"/merchant/vouchers/{b + luhn_digit(b)}")).status_code == 404
    assert timed(lambda: staff.get(f"/merchant/lookup?code={code}")).status_code == 429  # counted in the process
    assert timed(lambda: staff.get(f"/merchant/vouchers/{code}")).status_code == 200
    assert len(warnings_in(caplog)) == 1


def test_healthz_says_degraded_and_stays_200(broken_app, caplog):
    from tests.conftest import Client

    client = Client(broken_app)
    for _ in range(3):
        response = timed(lambda: client.get("/healthz"))
        assert response.status_code == 200
        assert response.get_json() == {"status": "ok", "limits": "degraded"}
    assert len(warnings_in(caplog)) == 1


def test_healthz_says_ok_with_a_working_redis(make_app, redis_url):
    from tests.conftest import Client

    response = Client(make_app(RATELIMIT_STORAGE_URI=redis_url)).get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok", "limits": "ok"}


@pytest.fixture
def redis_url():
    """The local Redis (skipped when there is none, except under CI)."""
    import os

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        if os.environ.get("CI"):
            raise
        pytest.skip("no Redis on 127.0.0.1:6379")
    return "redis://127.0.0.1:6379"
