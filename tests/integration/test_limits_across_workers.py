"""A limit of N trips at exactly N + 1 attempts spread over several gunicorn workers.

The app is served as in production (``gunicorn -c gunicorn.conf.py``, 3 sync workers) with the default
limit storage (no ``RATELIMIT_STORAGE_URI``: the SQLite file) and with Redis. To spread attempts over
the workers without luck, a test-only middleware (:func:`build`) holds each request of a round at a
barrier until the whole round has arrived: a sync worker serves one request at a time, so the
requests of a round of ``k <= workers`` are necessarily in ``k`` different processes (each response
names its pid, and the test checks it). As a control, ``memory://`` counts per worker and does not trip.
"""

import contextlib
import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 3
LIMIT = 3
BARRIER_WAIT = 20.0  # seconds a request waits for the rest of its round before the round fails
READY_WAIT = 40.0


# The served app: the real one, plus a pid header and the round barrier ------------------------------------

def build():
    """``create_app()`` with ``X-Worker-Pid`` on every response and an ``X-Barrier: <dir>:<k>`` request header
    that holds the request until ``k`` requests have arrived in ``<dir>`` (503 after ``BARRIER_WAIT``)."""
    from app import create_app

    app = create_app()
    inner = app.wsgi_app

    def middleware(environ, start_response):
        pid = str(os.getpid())

        def start(status, headers, exc_info=None):
            return start_response(status, [*headers, ("X-Worker-Pid", pid)], exc_info)

        barrier = environ.get("HTTP_X_BARRIER")
        if barrier:
            directory, _, count = barrier.rpartition(":")
            Path(directory, f"{pid}-{secrets.token_hex(4)}").touch()
            deadline = time.monotonic() + BARRIER_WAIT
            while len(os.listdir(directory)) < int(count):
                if time.monotonic() > deadline:
                    start("503 Service Unavailable", [("Content-Type", "text/plain")])
                    return [b"barrier timeout: the round did not arrive"]
                time.sleep(0.005)
        return inner(environ, start)

    app.wsgi_app = middleware
    return app


# A small gunicorn runner ----------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(database_url: str, log_path: Path, **env_extra: str):
    """Serve :func:`build` with gunicorn.conf.py and ``WORKERS`` sync workers; yields the port."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GUNICORN_", "RATELIMIT_", "LOGIN_"))}
    env.update(DATABASE_URL=database_url, SECRET_KEY="workers-test-secret-key-0123456789abcdef",
               NUANXIN_ENV="production", SESSION_COOKIE_SECURE="0", PYTHONUNBUFFERED="1",
               GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS=str(WORKERS), GUNICORN_ACCESSLOG="-",
               LOGIN_FAILURES_PER_PHONE=f"{LIMIT} per hour", RATELIMIT_KEY_PREFIX=secrets.token_hex(6),
               **env_extra)
    with log_path.open("ab") as log:
        proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py", "--no-control-socket",
             f"{__name__}:build()"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)
    try:
        deadline = time.monotonic() + READY_WAIT
        while not _ready(port):
            assert proc.poll() is None, log_path.read_text()[-3000:]
            assert time.monotonic() < deadline, f"gunicorn not ready:\n{log_path.read_text()[-3000:]}"
            time.sleep(0.1)
        yield port
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=15)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def _ready(port: int) -> bool:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=READY_WAIT)
        conn.request("GET", "/healthz")
        ok = conn.getresponse().status == 200
        conn.close()
        return ok
    except OSError:
        return False


# A browser with one session ---------------------------------------------------------------------------------

class Browser:
    """A session cookie and its CSRF token; every request goes over a new connection (any worker)."""

    def __init__(self, port: int):
        self.port = port
        status, headers, page = self.request("GET", "/login")
        assert status == 200, page
        self.cookie = headers["Set-Cookie"].split(";", 1)[0]
        self.token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)

    def request(self, method: str, path: str, body: str | None = None, headers: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=BARRIER_WAIT + 30)
        try:
            conn.request(method, path, body=body, headers={"Connection": "close", **(headers or {})})
            response = conn.getresponse()
            return response.status, response.headers, response.read().decode()
        finally:
            conn.close()

    def log_in(self, phone: str, password: str, barrier: str | None = None) -> tuple[int, str]:
        """POST the log-in form; returns (status, pid of the worker that answered)."""
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": self.cookie,
                   "Accept-Language": "en", **({"X-Barrier": barrier} if barrier else {})}
        body = urlencode({"csrf_token": self.token, "phone": phone, "password": password})
        status, response_headers, _page = self.request("POST", "/login", body, headers)
        return status, response_headers["X-Worker-Pid"]


def in_one_round(tmp_path: Path, name: str, calls: list) -> list:
    """Run ``calls`` at once, held at a barrier until all of them are inside a worker; their results."""
    directory = tmp_path / name
    directory.mkdir()
    barrier = f"{directory}:{len(calls)}"
    results: list = [None] * len(calls)

    def run(i: int) -> None:
        results[i] = calls[i](barrier)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=BARRIER_WAIT + 40)
    assert all(r is not None for r in results), f"a request of round {name} did not come back"
    return results


def attempts_over_workers(port: int, phone: str, tmp_path: Path) -> tuple[list, tuple, list]:
    """N failed log-ins in one round over N workers, then attempt N + 1, then one attempt per worker."""
    browsers = [Browser(port) for _ in range(WORKERS)]
    failures = in_one_round(tmp_path, "failures", [
        lambda barrier, b=b: b.log_in(phone, "wrong-guess", barrier) for b in browsers[:LIMIT]])
    next_attempt = Browser(port).log_in(phone, PASSWORD)
    everyone = in_one_round(tmp_path, "after", [lambda barrier, b=b: b.log_in(phone, PASSWORD, barrier)
                                                for b in browsers])
    return failures, next_attempt, everyone


def redis_available() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        if os.environ.get("CI"):
            raise
        return False
    return True


@pytest.mark.parametrize("storage", ["default", "redis"])
def test_a_limit_of_n_trips_at_n_plus_one_attempts_over_several_workers(storage, world, database_url, tmp_path):
    assert LIMIT <= WORKERS
    extra = {}
    if storage == "redis":
        if not redis_available():
            pytest.skip("no Redis on 127.0.0.1:6379")
        extra["RATELIMIT_STORAGE_URI"] = "redis://127.0.0.1:6379"
    with gunicorn(database_url, tmp_path / "gunicorn.log", **extra) as port:
        failures, next_attempt, everyone = attempts_over_workers(port, world.rider_phone, tmp_path)
        log = (tmp_path / "gunicorn.log").read_text()  # before the shutdown, which logs its own noise
    assert [status for status, _ in failures] == [422] * LIMIT, log[-3000:]
    assert len({pid for _, pid in failures}) == LIMIT  # N failures, each in another worker
    assert next_attempt[0] == 429, f"attempt {LIMIT + 1} was answered {next_attempt[0]}"
    assert [status for status, _ in everyone] == [429] * WORKERS  # every worker sees the lock
    assert len({pid for _, pid in everyone}) == WORKERS
    assert "Traceback" not in log


def test_control_memory_counts_per_worker_and_does_not_trip(world, database_url, tmp_path):
    """Proof that the test above can fail: with ``memory://`` each worker counts only its own failures."""
    with gunicorn(database_url, tmp_path / "gunicorn.log", RATELIMIT_STORAGE_URI="memory://") as port:
        failures, next_attempt, _everyone = attempts_over_workers(port, world.rider_phone, tmp_path)
    assert [status for status, _ in failures] == [422] * LIMIT
    assert next_attempt[0] == 303  # logged in: no worker had seen N failures
