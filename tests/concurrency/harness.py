"""Race harness: the app served by real gunicorn processes, browsers made of ``http.client``, a starting gun.

:class:`Gunicorn` runs ``gunicorn -c gunicorn.conf.py`` (``app:create_app()``) with 4 sync workers on a free
127.0.0.1 port against a test's database, through the process helper shared with the benchmark
(:mod:`bench.servers`: its own process group, so that stopping it reaches its workers); its log goes to
a file whose tracebacks :class:`Cluster` quotes in failure messages. The
``serve`` fixture (conftest) gives a test one instance on SQLite and two (two ports, one database) on
PostgreSQL.

:class:`Browser` is one user's browser: a cookie jar with the signed session and the CSRF token of that
session; ``log_in_all`` logs many users in over HTTP. ``fire(calls)`` runs zero-argument callables in as
many threads as there are calls, released together by a :class:`threading.Barrier`, and returns their
results in order (an exception becomes a :class:`Reply` with status 0, so a test reports it with the
rest instead of dying on the first one).
"""

import html
import http.client
import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

from bench.servers import GunicornProcess

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SECRET_KEY = "concurrency-tests-fixed-secret-key-0123456789abcdef"
WORKERS = 4
HTTP_TIMEOUT = 90  # seconds; a request waiting for SQLite's write lock may wait up to its 15 s busy timeout
READY_TIMEOUT = 40
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


# --------------------------------------------------------------------------------------------------------
# gunicorn
# --------------------------------------------------------------------------------------------------------

def app_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a production process of the app against ``database_url``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("GUNICORN_")}
    # Production settings, except that the session cookie may travel over the plain-HTTP loopback, and the
    # abuse-limit counts of a test server are kept apart from any other's (its own key prefix).
    env.update(DATABASE_URL=database_url, SECRET_KEY=SECRET_KEY, NUANXIN_ENV="production", SESSION_COOKIE_SECURE="0",
               FLASK_APP="app", PYTHONUNBUFFERED="1", RATELIMIT_KEY_PREFIX=f"test-{secrets.token_hex(6)}", **extra)
    return env


class Gunicorn(GunicornProcess):
    """One gunicorn master (``app:create_app()``) with :data:`WORKERS` sync workers against ``database_url``;
    stopped quickly (SIGINT). The process handling is :class:`bench.servers.GunicornProcess`."""

    def __init__(self, database_url: str, log_path: Path):
        super().__init__(env=app_env(database_url, GUNICORN_WORKERS=str(WORKERS), GUNICORN_ACCESSLOG="-"),
                         log_path=log_path, stop_signal=signal.SIGINT, stop_timeout=15)
        self.database_url = database_url

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> bool:
        return super().wait_ready(timeout)


def server_problems(log: str, limit: int = 3) -> list[str]:
    """Tracebacks and ERROR/CRITICAL lines of a gunicorn log (the first ``limit`` tracebacks in full)."""
    lines = log.splitlines()
    problems, tracebacks = [], 0
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("Traceback (most recent call last)"):
            block = [lines[i - 1]] if i and "Exception on" in lines[i - 1] else []
            j = i
            while j < len(lines):
                block.append(lines[j])
                if j > i and lines[j] and not lines[j].startswith((" ", "Traceback", "During handling",
                                                                   "The above exception")) \
                        and not lines[j].startswith("\t"):
                    break
                j += 1
            tracebacks += 1
            if tracebacks <= limit:
                problems.append("\n".join(block))
            i = j + 1
            continue
        if re.search(r"\[(ERROR|CRITICAL)\]", line) or "Exception on " in line:
            problems.append(line)
        i += 1
    if tracebacks > limit:
        problems.append(f"... and {tracebacks - limit} more traceback(s)")
    return problems


@dataclass
class Cluster:
    """The running gunicorn instances of a test; ``url(i)`` spreads request ``i`` across them.

    ``problems()`` and ``evidence()`` read each log from the last ``mark()`` on (the test's own part).
    """

    servers: list[Gunicorn]

    @property
    def urls(self) -> list[str]:
        return [s.url for s in self.servers]

    def url(self, i: int = 0) -> str:
        return self.servers[i % len(self.servers)].url

    def mark(self) -> None:
        for server in self.servers:
            server.mark()

    def problems(self) -> list[str]:
        found = []
        for server in self.servers:
            found += [f"[{server.url}] {p}" for p in server_problems(server.log())]
        return found

    def evidence(self) -> str:
        problems = self.problems()
        text = "\n".join(problems) if problems else "(no traceback or ERROR line in the gunicorn logs)"
        return f"gunicorn logs ({', '.join(str(s.log_path) for s in self.servers)}):\n{text}"

    def assert_clean_logs(self) -> None:
        problems = self.problems()
        assert not problems, "gunicorn logged errors:\n" + "\n".join(problems)


# --------------------------------------------------------------------------------------------------------
# browsers
# --------------------------------------------------------------------------------------------------------

@dataclass
class Reply:
    status: int
    text: str = ""
    location: str = ""
    server: str = ""

    @property
    def plain(self) -> str:
        """The body with HTML entities decoded (what a user reads, tags included)."""
        return html.unescape(self.text)

    def alert(self) -> str:
        """The text of the page's ``role="alert"`` messages (the refusal a user sees)."""
        return " | ".join(html.unescape(m).strip() for m in re.findall(r'role="alert"[^>]*>(.*?)</', self.text, re.S))

    def __repr__(self) -> str:
        return f"<Reply {self.status} from {self.server}>"


@dataclass
class Browser:
    """One user's browser: a cookie jar (the signed Flask session) and the CSRF token bound to that session."""

    name: str = ""
    cookies: dict[str, str] = field(default_factory=dict)
    csrf: str | None = None

    def request(self, base: str, method: str, path: str, form: dict | None = None, *,
                keep_cookies: bool = True, headers: dict | None = None) -> Reply:
        host, port = base.removeprefix("http://").split(":")
        sent = {"Accept-Language": "en", "Connection": "close", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            form = dict(form)
            if self.csrf:
                form.setdefault("csrf_token", self.csrf)
            body = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection(host, int(port), timeout=HTTP_TIMEOUT)
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            if keep_cookies:
                for header in response.headers.get_all("Set-Cookie") or ():
                    jar = SimpleCookie()
                    jar.load(header)
                    for name, morsel in jar.items():
                        if morsel.value and morsel["max-age"] != "0":
                            self.cookies[name] = morsel.value
                        else:
                            self.cookies.pop(name, None)
            return Reply(response.status, text, response.getheader("Location") or "", base)
        finally:
            conn.close()

    def get(self, base: str, path: str, **kwargs) -> Reply:
        return self.request(base, "GET", path, **kwargs)

    def post(self, base: str, path: str, form: dict | None = None, **kwargs) -> Reply:
        return self.request(base, "POST", path, form or {}, **kwargs)

    def login(self, base: str, phone: str, password: str) -> "Browser":
        """Log in over HTTP like a person: GET /login (session cookie + token), POST the form, then open the
        page it leads to and take its token (log-in renews the CSRF secret, so the old token is void)."""
        self.csrf = self._token_of(self.get(base, "/login"))
        reply = self.post(base, "/login", {"phone": phone, "password": password})
        assert reply.status == 303, f"log-in of {phone} gave {reply.status}: {reply.alert() or reply.text[:300]}"
        landing = self.get(base, urlsplit(reply.location).path or "/")
        while landing.status in (301, 302, 303) and landing.location:
            landing = self.get(base, urlsplit(landing.location).path)
        self.csrf = self._token_of(landing)
        return self

    @staticmethod
    def _token_of(page: Reply) -> str:
        match = CSRF_META.search(page.text)
        assert page.status == 200 and match, f"GET gave {page.status}: {page.text[:300]}"
        return match.group(1)


def log_in_all(cluster: Cluster, phones: list[str], password: str, threads: int = 24) -> list[Browser]:
    """Log every phone in over HTTP (spread across the cluster), a few at a time; one Browser each, in order."""

    def one(i: int) -> Browser:
        return Browser(phones[i]).login(cluster.url(i), phones[i], password)

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(one, range(len(phones))))


def warm_up(cluster: Cluster, browser: Browser, path: str) -> None:
    """GET ``path`` a few times per worker at once, so every worker has compiled its templates and opened its
    database connection before a race: the racing requests then take the same time and really overlap."""
    calls = [partial(browser.get, cluster.url(i), path, keep_cookies=False)
             for i in range(2 * WORKERS * len(cluster.servers))]
    replies = fire(calls)
    assert all(r.status == 200 for r in replies), describe(replies, cluster)


def fire(calls, *, timeout: float = 120) -> list:
    """Run every callable in its own thread, all released at the same moment; return results in order."""
    barrier = threading.Barrier(len(calls), timeout=60)

    def run(call):
        barrier.wait()
        try:
            return call()
        except Exception as error:  # noqa: BLE001 - reported with the other outcomes
            return Reply(0, f"{type(error).__name__}: {error}")

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(run, call) for call in calls]
        return [f.result(timeout=timeout) for f in futures]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def statuses(replies: list[Reply]) -> Counter:
    return Counter(r.status for r in replies)


def describe(replies: list[Reply], cluster: Cluster | None = None) -> str:
    """Evidence for a failure message: status counts, a sample of each odd answer, the servers' tracebacks."""
    lines = [f"statuses: {dict(sorted(statuses(replies).items()))}"]
    seen = set()
    for reply in replies:
        if reply.status not in (200, 303) and reply.status not in seen:
            seen.add(reply.status)
            lines.append(f"  e.g. {reply.status} from {reply.server}: "
                         f"{reply.alert() or squeeze(reply.text)[:400]}")
    if cluster is not None:
        lines.append(cluster.evidence())
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------------
# the flask command line
# --------------------------------------------------------------------------------------------------------

def flask_command(database_url: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``flask --app app <args>`` in a subprocess against ``database_url``."""
    flask = BIN / "flask"
    return subprocess.run([str(flask if flask.exists() else "flask"), "--app", "app", *args], cwd=ROOT,
                          env=app_env(database_url), capture_output=True, text=True, timeout=timeout, check=False)


# The `flask` console script is `flask.cli:main`. This launcher imports it and the app first, says "ready",
# and runs the command only when told: processes started with it then really start together.
LAUNCHER = """
import sys
from flask.cli import main
import app  # noqa: F401 - imported before the start signal, so start-up time does not separate the runs
print("ready", flush=True)
sys.stdin.readline()
sys.argv = ["flask", *sys.argv[1:]]
main()
"""


def flask_commands_at_once(database_url: str, *args: str, runs: int = 2, env: dict[str, str] | None = None,
                           timeout: float = 180) -> tuple[list[tuple[int, str, str]], float, str]:
    """Run ``flask --app app <args>`` ``runs`` times at once (as cron on several machines would), each in its
    own process against ``database_url`` (``env``: the environment, default :func:`app_env`).

    Every process imports the app first and starts the command on one signal. Returns ``(outcomes, seconds,
    report)``: each run's ``(exit code, stdout, stderr)``, the seconds from the signal until all ended, and a
    readable report of every run for assertion messages. Fails the test when a process does not start.
    """
    jobs = [subprocess.Popen([sys.executable, "-c", LAUNCHER, "--app", "app", *args], cwd=ROOT,
                             env=env or app_env(database_url), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(runs)]
    try:
        for job in jobs:
            line = job.stdout.readline().strip()
            if line != "ready":
                job.kill()
                pytest.fail(f"flask {' '.join(args)} did not start ({line!r}):\n{job.communicate()[1][-3000:]}")
        started = time.perf_counter()
        for job in jobs:
            job.stdin.write("go\n")
            job.stdin.flush()
        ended = [job.communicate(timeout=timeout) for job in jobs]
        seconds = time.perf_counter() - started
    finally:
        for job in jobs:
            if job.poll() is None:
                job.kill()
                job.wait()
    outcomes = [(job.returncode, out, err) for job, (out, err) in zip(jobs, ended, strict=True)]
    report = "\n".join(f"run {n}: exit {code}\n{out}{err[-2000:]}" for n, (code, out, err) in enumerate(outcomes))
    return outcomes, seconds, report


def assert_points_audit_clean(database_url: str) -> None:
    result = flask_command(database_url, "points", "audit")
    assert result.returncode == 0, f"flask points audit exited {result.returncode}:\n{result.stdout}\n{result.stderr}"


# --------------------------------------------------------------------------------------------------------
# the database
# --------------------------------------------------------------------------------------------------------

def ledger_sum(session, rider_id: int) -> int:
    """The sum of the rider's ledger entries (what their balance must be)."""
    import sqlalchemy as sa

    from points.models import LedgerEntry

    return session.scalar(sa.select(sa.func.coalesce(sa.func.sum(LedgerEntry.amount), 0))
                          .where(LedgerEntry.rider_id == rider_id))
