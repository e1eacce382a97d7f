"""The benchmark runner (``make bench``): load the data set, serve it with gunicorn, measure with wrk.

For each database (SQLite, then PostgreSQL) in one run:

1. make sure the data set is loaded (``bench.load``; cached between runs, ``--reload`` to redo it);
2. start gunicorn with the repo's ``gunicorn.conf.py`` on a free 127.0.0.1 port, serving
   ``bench.wsgi:create_app()`` (the app plus ``/bench/bare``), ``NUANXIN_ENV=production``, a fixed
   ``SECRET_KEY``, ``GUNICORN_WORKERS`` workers; its access log goes to a file;
3. log in over HTTP as the measured rider, a second rider with a full wallet, and the staff of every
   merchant (the confirm POST spreads over all 50 counters); check that each endpoint answers its real page;
4. for each endpoint: a warm-up, then the measured wrk run (``-t2 -c32 -d15s --latency``), then the
   status codes gunicorn logged during the measured run;
5. stop gunicorn (SIGTERM to its process group, SIGKILL if it lingers).

Then it profiles each request in-process (``bench.explain``: SQL statements, plans, Python vs SQL time)
and rewrites the results part of ``docs/benchmarks.md`` (between the ``results`` markers; the notes
around it are kept). ``--sweep`` instead compares worker counts and writes the ``sweep`` part.
"""

import argparse
import atexit
import contextlib
import dataclasses
import json
import os
import platform
import random
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import explain, load  # noqa: E402

BENCH = ROOT / "bench"
WORK = load.BENCH_DIR
DOCS = ROOT / "docs" / "benchmarks.md"
SECRET_KEY = "nuanxin-benchmark-fixed-secret-key-not-for-production-0123456789"  # noqa: S105
DB_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
TARGET_SHARE = 50.0  # % of the bare route's requests/s
TARGET_P99_MS = 50.0

ENDPOINTS = [  # key, label, counted against the target?
    ("bare", "bare route `/bench/bare` (base.html, static content)", False),
    ("task_list", "task list `GET /tasks`", True),
    ("task_page", "task page `GET /tasks/<id>` (1,000 upcoming tasks in turn)", True),
    ("wallet", "wallet `GET /wallet` (rider with 25 entries)", True),
    ("wallet_full", "wallet, full history (rider with 266 entries, 200 shown)", False),
    ("voucher_poll", "voucher status poll `GET /vouchers/<id>/status` (htmx, 204)", True),
    ("merchant_page", "merchant confirm page `GET /merchant/vouchers/<code>`", True),
    ("merchant_confirm", "merchant confirm `POST /merchant/vouchers/<code>/confirm` (htmx)", True),
]
LABELS = {key: label for key, label, _ in ENDPOINTS}
COUNTED = {key for key, _, counted in ENDPOINTS if counted}

_children: list[subprocess.Popen] = []


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --------------------------------------------------------------------------------------------------
# gunicorn
# --------------------------------------------------------------------------------------------------


def nice_prefix(priority: int) -> list[str]:
    """``nice -n -N`` for ``--priority N``: the benchmark's own processes ahead of other people's."""
    return ["nice", "-n", str(-priority)] if priority else []


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM the server's process group (master and workers), SIGKILL after 25 s."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=25)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _stop_all() -> None:
    for process in _children:
        _stop(process)


atexit.register(_stop_all)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


class Server:
    """gunicorn -c gunicorn.conf.py 'bench.wsgi:create_app()' on a free loopback port."""

    def __init__(self, db: str, *, workers: int, threads: int = 1, priority: int = 0,
                 max_requests: str | None = None):
        self.db, self.workers, self.threads = db, workers, threads
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = WORK / f"gunicorn-{db}.log"
        self.env = {"DATABASE_URL": load.database_url(db), "SECRET_KEY": SECRET_KEY, "NUANXIN_ENV": "production",
                    "GUNICORN_WORKERS": str(workers), "GUNICORN_BIND": f"127.0.0.1:{self.port}"}
        if threads > 1:
            self.env["GUNICORN_THREADS"] = str(threads)
        if max_requests is not None:
            self.env["GUNICORN_MAX_REQUESTS"] = max_requests
        self.argv = [*nice_prefix(priority), str(ROOT / ".venv/bin/gunicorn"), "-c", "gunicorn.conf.py",
                     "bench.wsgi:create_app()"]

    @property
    def command(self) -> str:
        env = " ".join(f"{k}={shlex.quote(v)}" for k, v in self.env.items() if k != "SECRET_KEY")
        return f"SECRET_KEY=… {env} .venv/bin/gunicorn -c gunicorn.conf.py 'bench.wsgi:create_app()'"

    def __enter__(self) -> "Server":
        self.log_file = self.log_path.open("w")
        self.process = subprocess.Popen(self.argv, cwd=ROOT, env={**os.environ, **self.env}, stdout=self.log_file,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        _children.append(self.process)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        else:
            raise RuntimeError(f"gunicorn did not answer /healthz within 60 s; see {self.log_path}")
        # Every worker imports the app on its own; wait until all have booted.
        while time.monotonic() < deadline and self.log_path.read_text().count("Booting worker") < self.workers:
            time.sleep(0.2)
        time.sleep(1.0)
        log(f"{self.db}: gunicorn up on {self.base} (pid {self.process.pid}, {self.workers} workers)")
        return self

    def __exit__(self, *exc) -> None:
        _stop(self.process)
        self.log_file.close()
        log(f"{self.db}: gunicorn stopped (exit {self.process.returncode})")

    def log_offset(self) -> int:
        time.sleep(0.5)  # let the workers write the last lines of the previous run
        return self.log_path.stat().st_size

    def statuses(self, start: int, end: int) -> Counter:
        """Status codes of the access-log lines written between two offsets."""
        with self.log_path.open("rb") as f:
            f.seek(start)
            chunk = f.read(end - start).decode("utf-8", "replace")
        return Counter(m.group(1) for m in re.finditer(r'^\S+ "[A-Z]+ \S+ HTTP/[\d.]+" (\d{3}) ', chunk, re.M))

    def restarts(self, start: int, end: int) -> int:
        with self.log_path.open("rb") as f:
            f.seek(start)
            chunk = f.read(end - start).decode("utf-8", "replace")
        return chunk.count("Booting worker")


# --------------------------------------------------------------------------------------------------
# The code under test (other people edit it while the benchmark runs; a worker recycled by max_requests
# imports whatever is on disk then)
# --------------------------------------------------------------------------------------------------

SOURCE_SKIP = {".git", ".venv", "bench", "docs", "tests", "instance", "node_modules", "__pycache__",
               ".pytest_cache", ".ruff_cache", ".hypothesis", "test-results"}


def code_fingerprint() -> str:
    """A hash of the app's source (Python, templates, catalogs, static files), bench/ and tests excluded."""
    import hashlib

    digest = hashlib.sha256()
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = sorted(d for d in dirs if d not in SOURCE_SKIP)
        for name in sorted(files):
            if name.endswith((".py", ".html", ".po", ".css", ".js", ".ini", ".mako")):
                path = Path(folder, name)
                digest.update(str(path.relative_to(ROOT)).encode())
                with contextlib.suppress(OSError):
                    digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def git_state() -> str:
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                          text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench", ":!docs"],
                           cwd=ROOT, capture_output=True, text=True).stdout.strip()
    return head + (" + uncommitted changes" if dirty else "")


# --------------------------------------------------------------------------------------------------
# Other load on the machine (the benchmark shares its 2 CPUs with whatever else runs)
# --------------------------------------------------------------------------------------------------

HZ = os.sysconf("SC_CLK_TCK")
NCPU = os.cpu_count() or 1


def _busy_jiffies() -> int:
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return sum(fields) - fields[3] - fields[4]  # everything but idle and iowait


def _our_jiffies(server_pid: int | None) -> int:
    """CPU of the server (master, workers, and workers already reaped by the master) and of the
    PostgreSQL backends serving the benchmark database."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            raw = Path(f"/proc/{entry.name}/stat").read_text()
        except OSError:
            continue
        comm, fields = raw[raw.index("(") + 1:raw.rindex(")")], raw[raw.rindex(")") + 2:].split()
        pid, pgrp = int(entry.name), int(fields[2])
        if server_pid and pgrp == server_pid:
            total += int(fields[11]) + int(fields[12])
            if pid == server_pid:
                total += int(fields[13]) + int(fields[14])
        elif comm == "postgres":
            try:
                cmdline = Path(f"/proc/{entry.name}/cmdline").read_bytes()
            except OSError:
                continue
            if f" {load.PG_DATABASE} ".encode() in cmdline:
                total += int(fields[11]) + int(fields[12])
    return total


class CpuMeter:
    """Share of the machine's CPU used by processes that are not part of the benchmark during a window."""

    def __init__(self, server_pid: int | None = None):
        self.server_pid = server_pid

    def __enter__(self) -> "CpuMeter":
        times = os.times()
        self.start = (time.monotonic(), _busy_jiffies(), _our_jiffies(self.server_pid),
                      times.children_user + times.children_system)
        return self

    def __exit__(self, *exc) -> None:
        times = os.times()
        wall, busy, ours, children = (time.monotonic(), _busy_jiffies(), _our_jiffies(self.server_pid),
                                      times.children_user + times.children_system)
        wall -= self.start[0]
        ours_j = (ours - self.start[2]) + (children - self.start[3]) * HZ  # children: wrk
        busy_j = busy - self.start[1]
        self.busy_pct = 100 * busy_j / (wall * HZ * NCPU)
        self.ours_pct = 100 * ours_j / (wall * HZ * NCPU)
        self.foreign_pct = max(0.0, self.busy_pct - self.ours_pct)


def wait_quiet(server_pid: int | None, *, limit: float, max_wait: float, what: str) -> float:
    """Wait (up to ``max_wait`` s) until other processes use less than ``limit`` % of the CPUs for 2 s;
    return the share measured last."""
    deadline = time.monotonic() + max_wait
    announced = False
    while True:
        with CpuMeter(server_pid) as meter:
            time.sleep(2)
        if meter.foreign_pct < limit or time.monotonic() > deadline:
            if meter.foreign_pct >= limit:
                log(f"{what}: other processes still use {meter.foreign_pct:.0f}% of the CPUs; measuring anyway")
            return meter.foreign_pct
        if not announced:
            log(f"{what}: waiting for a quiet machine (other processes use {meter.foreign_pct:.0f}% of the CPUs)")
            announced = True


# --------------------------------------------------------------------------------------------------
# HTTP log-in (a real browser session: the login form, its CSRF token, the session cookie)
# --------------------------------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


class Browser:
    """A cookie-keeping HTTP client for the log-in (follows redirects itself).

    The session cookie is ``Secure`` in production (``NUANXIN_ENV=production``), as it should be behind
    HTTPS; this loopback benchmark speaks plain HTTP, so cookies are kept here by hand (a cookie jar would
    refuse to send a Secure cookie over HTTP), just as wrk sends them in a ``Cookie`` header.
    """

    def __init__(self, base: str):
        self.base = base
        self.cookies: dict[str, str] = {}
        self.token = None

    def open(self, path: str, *, data: dict | None = None) -> tuple[int, str]:
        for _hop in range(5):
            body = urllib.parse.urlencode(data).encode() if data is not None else None
            headers = {"Cookie": self.cookie} if self.cookies else {}
            request = urllib.request.Request(self.base + path, data=body, headers=headers)
            try:
                response = _OPENER.open(request, timeout=30)
            except urllib.error.HTTPError as error:
                response = error
            with response:
                for header in response.headers.get_all("Set-Cookie") or []:
                    name, _, value = header.split(";", 1)[0].partition("=")
                    self.cookies[name.strip()] = value.strip()
                text = response.read().decode()
                location = response.headers.get("Location")
                if response.status in (301, 302, 303, 307, 308) and location:
                    path, data = urllib.parse.urlsplit(location)._replace(scheme="", netloc="").geturl(), None
                    continue
                return response.status, text
        raise RuntimeError(f"too many redirects from {path}")

    def csrf(self, html: str) -> str:
        return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)

    def login(self, phone: str, password: str, landing: str) -> "Browser":
        status, page = self.open("/login")
        assert status == 200, status
        status, page = self.open("/login", data={"csrf_token": self.csrf(page), "phone": phone, "password": password})
        assert status == 200 and "/logout" in page, f"log-in as {phone} failed: {status}"
        status, page = self.open(landing)
        assert status == 200, (landing, status)
        self.token = self.csrf(page)
        return self

    @property
    def cookie(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())


def fetch(base: str, path: str, headers: dict, method: str = "GET", body: str | None = None) -> tuple[int, str]:
    """One request exactly as wrk sends it (no cookie jar, no redirects followed)."""
    request = urllib.request.Request(base + path, data=body.encode() if body else None, headers=headers,
                                     method=method)
    try:
        with _OPENER.open(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


# --------------------------------------------------------------------------------------------------
# wrk
# --------------------------------------------------------------------------------------------------


def wrk_version() -> str:
    result = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
    return (result.stdout + result.stderr).splitlines()[0].split(" Copyright")[0].strip()


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse_wrk(output: str) -> dict:
    result = {"raw": output}
    m = re.search(r"Requests/sec:\s+([\d.]+)", output)
    result["rps"] = float(m.group(1)) if m else 0.0
    m = re.search(r"(\d+) requests in ([\d.]+)(\w+)", output)
    result["requests"] = int(m.group(1)) if m else 0
    for pct in ("50", "75", "90", "99"):
        m = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
        result[f"p{pct}"] = _ms(*m.groups()) if m else None
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    result["non2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    result["socket_errors"] = dict(zip(("connect", "read", "write", "timeout"), map(int, m.groups()), strict=True)) \
        if m else {}
    return result


class Wrk:
    def __init__(self, *, connections: int, threads: int, duration: int, warmup: int, priority: int = 0):
        self.connections, self.threads, self.duration, self.warmup = connections, threads, duration, warmup
        self.priority = priority

    def argv(self, url: str, *, seconds: int, headers: dict | None = None, script: Path | None = None,
             script_args: tuple = ()) -> list[str]:
        argv = ["wrk", f"-t{self.threads}", f"-c{self.connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
        for name, value in (headers or {}).items():
            argv += ["-H", f"{name}: {value}"]
        if script:
            argv += ["-s", str(script)]
        argv.append(url)
        if script_args:
            argv += ["--", *map(str, script_args)]
        return argv

    def run(self, argv: list[str], seconds: int) -> str:
        result = subprocess.run([*nice_prefix(self.priority), *argv], capture_output=True, text=True,
                                timeout=seconds + 60)
        if result.returncode != 0:
            raise RuntimeError(f"wrk failed ({result.returncode}): {result.stderr or result.stdout}")
        return result.stdout


def shown(argv: list[str], secrets: dict[str, str]) -> str:
    """A wrk command line for the docs: cookies and tokens replaced by names, paths relative."""
    text = shlex.join(argv)
    for value, name in secrets.items():
        text = text.replace(f"'Cookie: {value}'", f'"Cookie: {name}"')
    text = re.sub(r"http://127\.0\.0\.1:\d+/", "http://127.0.0.1:$PORT/", text)
    return text.replace(str(ROOT) + "/", "").replace(str(WORK), "$WORK")


# --------------------------------------------------------------------------------------------------
# One database: serve it, log in, check, measure
# --------------------------------------------------------------------------------------------------


def prepare(server: Server, meta: dict, rng: random.Random, keys: list[str]) -> dict:
    """Log in, write the wrk data files, check every endpoint once; return the endpoint plans."""
    db, base = server.db, server.base
    password = meta["password"]
    rider = Browser(base).login(meta["bench_rider"]["phone"], password, "/tasks")
    power = Browser(base).login(meta["power_rider"]["phone"], password, "/tasks")
    staff = {m: Browser(base).login(phone, password, "/merchant/") for m, phone in meta["staff"].items()}
    secrets = {rider.cookie: "$RIDER_COOKIE", power.cookie: "$FULL_WALLET_RIDER_COOKIE",
               staff["1"].cookie: "$STAFF_COOKIE"}

    task_paths = WORK / f"task-paths-{db}.txt"
    task_paths.write_text("".join(f"/tasks/{t}\n" for t in meta["upcoming_task_ids"]))
    codes_1 = meta["issued_codes"]["1"]
    code_paths = WORK / f"merchant-paths-{db}.txt"
    code_paths.write_text("".join(f"/merchant/vouchers/{c}\n" for c in codes_1))
    # The confirm POST: every open voucher of every merchant, merchants interleaved, each with its staff's
    # session. Three codes are kept aside: one to check the endpoint, two for the in-process profile.
    queues = {m: list(codes) for m, codes in meta["issued_codes"].items()}
    for codes in queues.values():
        rng.shuffle(codes)
    lines = []
    while any(queues.values()):
        for m, codes in queues.items():
            if codes:
                code = codes.pop()
                lines.append((code, m))
    check_code, spare = lines.pop(), {"merchant_confirm": lines.pop(), "merchant_page": lines.pop()}
    warm_lines, run_lines = lines[:4000], lines[4000:]
    for name, chunk in (("warmup", warm_lines), ("run", run_lines)):
        (WORK / f"confirm-{name}-{db}.txt").write_text(
            "".join(f"{code} {staff[m].cookie.replace(' ', '')} {staff[m].token}\n" for code, m in chunk))

    hx = {"HX-Request": "true"}
    plans = {
        "bare": {"path": "/bench/bare", "headers": {}, "expect": (200, 'id="bench-bare"')},
        "task_list": {"path": "/tasks", "headers": {"Cookie": rider.cookie}, "expect": (200, 'id="task-rows"')},
        "task_page": {"path": "/", "headers": {"Cookie": rider.cookie}, "script": BENCH / "paths.lua",
                      "args": (task_paths,), "check": f"/tasks/{meta['upcoming_task_ids'][0]}",
                      "expect": (200, "signup-widget")},
        "wallet": {"path": "/wallet", "headers": {"Cookie": rider.cookie}, "expect": (200, 'id="wallet-balance"')},
        "wallet_full": {"path": "/wallet", "headers": {"Cookie": power.cookie},
                        "expect": (200, 'id="wallet-balance"')},
        "voucher_poll": {"path": f"/vouchers/{meta['bench_voucher_id']}/status",
                         "headers": {"Cookie": rider.cookie, **hx}, "expect": (204, "")},
        "merchant_page": {"path": "/", "headers": {"Cookie": staff["1"].cookie}, "script": BENCH / "paths.lua",
                          "args": (code_paths,), "check": f"/merchant/vouchers/{codes_1[0]}",
                          "expect": (200, "/confirm")},
        "merchant_confirm": {"path": "/", "headers": {}, "script": BENCH / "confirm.lua",
                             "args": (WORK / f"confirm-run-{db}.txt",),
                             "warmup_args": (WORK / f"confirm-warmup-{db}.txt",),
                             "codes": len(run_lines), "expect": (200, "merchant-voucher ok")},
    }
    # Check that each endpoint answers its real page before measuring it.
    for key, item in plans.items():
        if key not in keys:
            continue
        path = item.get("check", item["path"])
        method, body, headers = "GET", None, dict(item["headers"])
        if key == "merchant_confirm":
            code, m = check_code
            path, method, body = f"/merchant/vouchers/{code}/confirm", "POST", f"csrf_token={staff[m].token}"
            headers = {"Cookie": staff[m].cookie, "X-CSRFToken": staff[m].token, **hx,
                       "Content-Type": "application/x-www-form-urlencoded"}
        status, text = fetch(base, path, headers, method, body)
        want_status, marker = item["expect"]
        if status != want_status or marker not in text:
            raise RuntimeError(f"{db} {key}: {method} {path} answered {status} without {marker!r}:\n{text[:500]}")
        item["check_result"] = f"{method} {path} → {status}, {len(text.encode())} bytes"
        if key == "task_list":
            item["check_result"] += f", {text.count('task-card')} task cards"
        if key.startswith("wallet"):
            rows = text.count('class="amount')
            item["check_result"] += f", {rows} ledger rows"
    return {"plans": plans, "secrets": secrets, "spare": spare}


@dataclasses.dataclass
class Quiet:
    """How hard to insist on a quiet machine: other processes' CPU share allowed, waits and retries."""

    limit: float = 10.0
    max_wait: float = 300.0  # per measured run
    retries: int = 2
    budget: float = 1200.0  # waiting and repeating in all, per database; then measure as the machine is
    spent: float = 0.0

    def left(self) -> float:
        return max(0.0, self.budget - self.spent)


def measure(server: Server, wrk: Wrk, plans: dict, secrets: dict, keys: list[str], quiet: Quiet) -> dict:
    results = {}
    for key in keys:
        item = plans[key]
        url = server.base + item["path"]
        script, args = item.get("script"), (*item.get("args", ()), wrk.threads) if item.get("script") else ()
        warm_args = (*item.get("warmup_args", item.get("args", ())), wrk.threads) if script else ()
        attempts = []
        for attempt in range(quiet.retries + 1):
            if attempt and (key == "merchant_confirm" or not quiet.left()):
                break  # the confirm run used up its open vouchers; or no time is left for repeats
            waited = time.monotonic()
            before = wait_quiet(server.process.pid, limit=quiet.limit, max_wait=min(quiet.max_wait, quiet.left()),
                                what=f"{server.db} {key}")
            quiet.spent += time.monotonic() - waited + (wrk.duration + wrk.warmup if attempt else 0)
            if wrk.warmup:
                wrk.run(wrk.argv(url, seconds=wrk.warmup, headers=item["headers"], script=script,
                                 script_args=warm_args), wrk.warmup)
            start = server.log_offset()
            argv = wrk.argv(url, seconds=wrk.duration, headers=item["headers"], script=script, script_args=args)
            with CpuMeter(server.process.pid) as meter:
                output = wrk.run(argv, wrk.duration)
            result = parse_wrk(output)
            end = server.log_offset()
            result.update(statuses=dict(sorted(server.statuses(start, end).items())),
                          worker_restarts=server.restarts(start, end), command=shown(argv, secrets),
                          check=item.get("check_result", ""), foreign_cpu_pct=round(meter.foreign_pct, 1),
                          busy_cpu_pct=round(meter.busy_pct, 1), foreign_before_pct=round(before, 1),
                          attempt=attempt + 1)
            if "codes" in item:
                result["codes_available"] = item["codes"]
            attempts.append(result)
            p99 = f"{result['p99']:.1f}" if result["p99"] is not None else "?"
            log(f"{server.db}: {key}: {result['rps']:.0f} req/s, p50 {result['p50']:.1f} ms, p99 {p99} ms, "
                f"statuses {result['statuses']}, non-2xx/3xx {result['non2xx']}, "
                f"restarts {result['worker_restarts']}, CPU busy {meter.busy_pct:.0f}% "
                f"(others {meter.foreign_pct:.0f}%)")
            if meter.foreign_pct < quiet.limit:
                break
        best = min(attempts, key=lambda r: r["foreign_cpu_pct"])
        best["attempts"] = len(attempts)
        results[key] = best
    return results


def run_database(db: str, meta: dict, wrk: Wrk, *, workers: int, threads: int, keys: list[str],
                 quiet: Quiet, reruns: int = 1, max_requests: str | None = None) -> dict:
    """Measure ``keys`` on one database; start again (on a fresh copy) if the code changed meanwhile."""
    for attempt in range(reruns + 1):
        rng = random.Random(7)
        before = code_fingerprint()
        with Server(db, workers=workers, threads=threads, priority=wrk.priority, max_requests=max_requests) as server:
            prepared = prepare(server, meta, rng, keys)
            results = measure(server, wrk, prepared["plans"], prepared["secrets"], keys, quiet)
            server_command = server.command
        after = code_fingerprint()
        if before == after:
            break
        log(f"{db}: WARNING: the app's code changed during the run ({before} -> {after})"
            + ("; measuring again on a fresh copy" if attempt < reruns else "; the results mix two versions"))
        if attempt < reruns:
            load.fresh_copy(db)
    return {"results": results, "server": server_command, "spare": prepared["spare"],
            "code": {"before": before, "after": after, "git": git_state()}}


def redeemed_by_run(db: str, meta: dict) -> int:
    """Vouchers redeemed on the served copy after the data set was made: the confirm POSTs of this run."""
    import sqlalchemy as sa

    engine = sa.create_engine(load.database_url(db))
    made = datetime.fromisoformat(meta["data_now"])
    with engine.connect() as conn:
        stamp = made.strftime("%Y-%m-%d %H:%M:%S.%f") if db == "sqlite" else made
        n = conn.execute(sa.text("SELECT count(*) FROM voucher WHERE status = 'redeemed' AND redeemed_at > :t"),
                         {"t": stamp}).scalar()
    engine.dispose()
    return n


# --------------------------------------------------------------------------------------------------
# Facts and the report
# --------------------------------------------------------------------------------------------------


def machine_facts() -> dict:
    meminfo = Path("/proc/meminfo").read_text()
    mem_kb = int(re.search(r"MemTotal:\s+(\d+)", meminfo).group(1))
    cpu = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
    import sqlite3

    import gunicorn
    import sqlalchemy

    pg = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-Atc", "SHOW server_version"],
                        capture_output=True, text=True).stdout.strip()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    return {"nproc": os.cpu_count(), "cpu": cpu.group(1).strip() if cpu else "?",
            "memory_gib": round(mem_kb / 1024 / 1024, 1), "kernel": platform.release(),
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version, "postgresql": pg or "?",
            "sqlalchemy": sqlalchemy.__version__, "gunicorn": gunicorn.__version__, "wrk": wrk_version(),
            "commit": commit}


def _exit(audit: dict) -> str:
    return "**did not finish**" if audit["exit"] is None else f"exit **{audit['exit']}**"


def _f(value, digits=1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def verdict(result: dict, bare_rps: float) -> tuple[str, str]:
    share = 100 * result["rps"] / bare_rps if bare_rps else 0
    ok_share, ok_p99 = share >= TARGET_SHARE, result["p99"] is not None and result["p99"] < TARGET_P99_MS
    bad_status = result["non2xx"] or result["socket_errors"].get("timeout")
    if ok_share and ok_p99 and not bad_status:
        text = "yes"
    else:
        misses = ([] if ok_share else [f"< {TARGET_SHARE:.0f}%"]) + ([] if ok_p99 else ["p99"]) + \
                 (["errors"] if bad_status else [])
        text = "**no** (" + ", ".join(misses) + ")"
    return f"{share:.0f}%", text


def results_markdown(run: dict) -> str:
    dbs = list(run["databases"])
    facts = run["facts"]
    out = [f"_Run {run['started']} (UTC), {run['seconds'] / 60:.1f} min in all; generated by `bench/run.py`, "
           "do not edit by hand._", ""]
    for db in dbs:
        code = run["databases"][db]["code"]
        changed = code["before"] != code["after"]
        out.append(f"- {DB_LABELS[db]} measured on `{code['git']}` (source fingerprint `{code['after']}`)"
                   + (f" — **the code changed during this database's run** (`{code['before']}` → "
                      f"`{code['after']}`): its rows mix two versions" if changed else "") + ".")
    out.append("")
    out += ["### Machine", "",
            f"{facts['nproc']} CPUs ({facts['cpu']}), {facts['memory_gib']} GiB memory, Linux {facts['kernel']}; "
            f"Python {facts['python']}, SQLite {facts['sqlite']}, PostgreSQL {facts['postgresql']} "
            f"(same machine, stock configuration), SQLAlchemy {facts['sqlalchemy']}, gunicorn {facts['gunicorn']}, "
            f"{facts['wrk']}. wrk, gunicorn and PostgreSQL share the same {facts['nproc']} CPUs.", ""]
    cfg = run["config"]
    out += ["### Set-up", "",
            f"gunicorn `{cfg['worker_class']}` workers: **{cfg['workers']}**, `max_requests` "
            f"{cfg.get('max_requests', '5000')} (± 500)"
            + (f" × {cfg['threads']} threads" if cfg["threads"] > 1 else "")
            + f"; wrk `-t{cfg['threads_wrk']} -c{cfg['connections']}`, {cfg['warmup']} s warm-up then "
              f"{cfg['duration']} s measured per endpoint, `--latency` (p50/p99 of wrk's latency histogram); "
              "the access log stays on (as in production) and gives the status codes of each measured run."
            + (f" gunicorn and wrk ran under `nice -n -{cfg['priority']}`, ahead of other processes on the "
               "machine (the PostgreSQL server did not)." if cfg.get("priority") else ""), ""]
    out += ["### Results", "",
            "Target: at least 50% of the bare route's requests/s **and** p99 under 50 ms, at 32 concurrent "
            "connections. \"% of bare\" compares with the bare route on the same server and database.", ""]
    head = "| endpoint |"
    rule = "| --- |"
    for db in dbs:
        label = DB_LABELS[db]
        head += f" {label} req/s | p50 ms | p99 ms | % of bare | target met? |"
        rule += " ---: | ---: | ---: | ---: | --- |"
    out += [head, rule]
    for key, label, counted in ENDPOINTS:
        if not all(key in run["databases"][db]["results"] for db in dbs):
            continue
        row = f"| {label}{'' if counted or key == 'bare' else ' (extra)'} |"
        for db in dbs:
            results = run["databases"][db]["results"]
            r, bare = results[key], results["bare"]["rps"]
            share, met = verdict(r, bare)
            if key == "bare":
                share, met = "100%", "(ceiling)"
            elif not counted:
                met = "not a target: " + met.replace("**", "")
            row += f" {_f(r['rps'], 0)} | {_f(r['p50'])} | {_f(r['p99'])} | {share} | {met} |"
        out.append(row)
    out += ["", "What each measured run answered and what else ran: status codes from gunicorn's access log "
            "(wrk counts everything but 2xx/3xx as errors, plus socket errors); restarts = workers recycled by "
            "`max_requests` during the run; CPU = share of the machine's CPUs busy during the run, and in "
            "brackets the share used by processes outside the benchmark (other people's tests: a run with more "
            f"than {cfg['quiet_limit']:.0f}% is repeated, up to {cfg.get('retries', 2)} times, and the quietest "
            "attempt is kept).", ""]
    head, rule = "| endpoint |", "| --- |"
    for db in dbs:
        head += f" {DB_LABELS[db]} responses | errors | restarts | CPU (others) |"
        rule += " --- | ---: | ---: | ---: |"
    out += [head, rule]
    for key, _label, _counted in ENDPOINTS:
        if not all(key in run["databases"][db]["results"] for db in dbs):
            continue
        row = f"| {key} |"
        for db in dbs:
            r = run["databases"][db]["results"][key]
            codes = ", ".join(f"{n:,}× {s}" for s, n in r["statuses"].items())
            errors = r["non2xx"] + sum(r["socket_errors"].values())
            row += (f" {codes} | {errors} | {r['worker_restarts']} | {r['busy_cpu_pct']:.0f}% "
                    f"({r['foreign_cpu_pct']:.0f}%) |")
        out.append(row)
    out += ["", "Checked before measuring (one request exactly as wrk sends it; the run stops if the status or "
            "the page's marker is wrong):", ""]
    for db in dbs:
        checks = "; ".join(f"{key}: {r['check']}" for key, r in run["databases"][db]["results"].items()
                           if r.get("check"))
        out.append(f"- {DB_LABELS[db]}: {checks}.")
    for db in dbs:
        info = run["databases"][db]
        if "merchant_confirm" in info["results"]:
            r = info["results"]["merchant_confirm"]
            out += ["", f"{DB_LABELS[db]} confirm POST: {r['requests']:,} requests from a file of "
                    f"{r['codes_available']:,} distinct open vouchers (of 50 merchants, each request with its "
                    f"merchant's staff session and CSRF token); {info['redeemed']:,} vouchers were redeemed by "
                    "the run (warm-up included), so every measured request confirmed a fresh voucher unless the "
                    "table above shows 409s."]
    out += ["", "### Where the time goes (one request in-process, `bench/explain.py`)", "",
            "Median of 30 requests through Flask's test client on the same database (no HTTP, no gunicorn): "
            "SQL statements per request, time in SQL, and the rest (Python: routing, session, templates).", ""]
    head, rule = "| endpoint |", "| --- |"
    for db in dbs:
        head += f" {DB_LABELS[db]} statements | SQL ms | Python ms | bytes |"
        rule += " ---: | ---: | ---: | ---: |"
    out += [head, rule]
    names = [row["name"] for row in run["databases"][dbs[0]].get("profile", [])]
    for name in names:
        row = f"| {name} |"
        for db in dbs:
            prof = {p["name"]: p for p in run["databases"][db].get("profile", [])}
            p = prof.get(name)
            if p is None:
                row += " – | – | – | – |"
                continue
            row += (f" {p['queries']} | {p['sql_ms']:.2f} | {p['request_ms'] - p['sql_ms']:.2f} | "
                    f"{p['bytes']:,} |")
        out.append(row)
    out += ["", "Full statement lists with plans: `$WORK/explain-sqlite.txt`, `$WORK/explain-postgresql.txt` "
            "(`$WORK` = `/tmp/nuanxin-bench`).", ""]
    out += ["### Data set", ""]
    head, rule = "| table |", "| --- |"
    for db in dbs:
        head += f" {DB_LABELS[db]} rows |"
        rule += " ---: |"
    out += [head, rule]
    for table in (*load.TABLE_ORDER, "riders"):
        row = f"| {table if table != 'riders' else 'of which riders (user.role)'} |"
        for db in dbs:
            row += f" {run['databases'][db]['meta']['counts'][table]:,} |"
        out.append(row)
    out.append("")
    for db in dbs:
        meta = run["databases"][db]["meta"]
        audit = meta["audit"]
        size = meta["counts"]["database_bytes"] / 1024 / 1024
        out.append(f"- {DB_LABELS[db]}: {size:,.0f} MiB, loaded {meta['loaded_at'][:19]} UTC in "
                   f"{meta['load_seconds']:.0f} s (schema by migrations to `{audit.get('revision', '?')}`, then "
                   f"bulk insert); `flask --app app points audit` right after loading: {_exit(audit)} "
                   f"in {audit['seconds']:.0f} s: “{audit['output']}”. Served at migration `{meta['revision']}`"
                   + (f" (migrated since: {meta['migrated']})" if meta.get("migrated") else "") + ".")
        after = run["databases"][db].get("after_audit")
        if after:
            out.append(f"  `flask --app app points audit` (the code of this run) on the served copy after the run, "
                       f"confirm POSTs included: {_exit(after)} in {after['seconds']:.0f} s: “{after['output']}”.")
    out += ["", "### Exact commands", "", "```sh", "make bench            # = setup, wrk if missing, then:",
            f"{run['command']}", "```", "",
            "Servers (one at a time; `$PORT` a free loopback port, stopped with SIGTERM afterwards):", "", "```sh"]
    for db in dbs:
        out.append(re.sub(r"GUNICORN_BIND=127\.0\.0\.1:\d+", "GUNICORN_BIND=127.0.0.1:$PORT",
                          run["databases"][db]["server"]))
    out += ["```", "", "wrk, per endpoint (the warm-up is the same command with `-d"
            f"{cfg['warmup']}s`; the confirm warm-up reads its own file of codes). Cookies are real "
            "session cookies from logging in over HTTP (`POST /login`); `$WORK` is /tmp/nuanxin-bench:", "",
            "```sh"]
    for db in dbs:
        out.append(f"# {DB_LABELS[db]}")
        for r in run["databases"][db]["results"].values():
            out.append(r["command"])
    out += ["```", ""]
    return "\n".join(out)


def sweep_markdown(sweep: dict) -> str:
    out = [f"_Worker sweep {sweep['started']} (UTC), {sweep['duration']} s per endpoint after a "
           f"{sweep['warmup']} s warm-up, wrk `-t2 -c32`; `{sweep['command']}`; generated, do not edit by hand._",
           "", "Each cell: requests/s, p99 in ms, and how many workers `max_requests` recycled during the run "
           "(↻). Other processes' CPU share stayed below "
           f"{max(r['results'][k]['foreign_cpu_pct'] for r in sweep['rows'] for k in sweep['keys']):.0f}% "
           "in every run kept.", "",
           "| database | gunicorn | " + " | ".join(f"{k}" for k in sweep["keys"]) + " |",
           "| --- | --- | " + " | ".join("---:" for _ in sweep["keys"]) + " |"]
    for row in sweep["rows"]:
        cells = " | ".join(f"{row['results'][k]['rps']:,.0f} req/s, p99 {_f(row['results'][k]['p99'])}, "
                           f"↻{row['results'][k]['worker_restarts']}" for k in sweep["keys"])
        out.append(f"| {DB_LABELS[row['db']]} | {row['label']} | {cells} |")
    out.append("")
    return "\n".join(out)


def write_docs(section: str, markdown: str) -> None:
    start, end = f"<!-- {section}:start -->", f"<!-- {section}:end -->"
    text = DOCS.read_text() if DOCS.exists() else f"# Benchmarks\n\n{start}\n{end}\n"
    if start not in text:
        text += f"\n{start}\n{end}\n"
    before, rest = text.split(start, 1)
    after = rest.split(end, 1)[1]
    DOCS.write_text(f"{before}{start}\n{markdown}\n{end}{after}")
    log(f"wrote the {section} section of {DOCS.relative_to(ROOT)}")


# --------------------------------------------------------------------------------------------------


def default_workers() -> int:
    return int(os.environ.get("BENCH_WORKERS", "3"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", action="append", choices=("sqlite", "postgresql"), help="default: both")
    parser.add_argument("--reload", action="store_true", help="load the data set again even if cached")
    parser.add_argument("--workers", type=int, default=default_workers(), help="gunicorn workers (default 3)")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker (gthread if > 1)")
    parser.add_argument("--duration", type=int, default=15, help="measured seconds per endpoint")
    parser.add_argument("--warmup", type=int, default=3, help="warm-up seconds per endpoint")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--only", action="append", choices=[k for k, _, _ in ENDPOINTS],
                        help="measure only these endpoints (the bare route is always measured)")
    parser.add_argument("--quiet-limit", type=float, default=10.0,
                        help="%% of the CPUs other processes may use before a run waits / is repeated")
    parser.add_argument("--quiet-wait", type=float, default=300.0, help="seconds to wait for a quiet machine")
    parser.add_argument("--retries", type=int, default=2, help="repeats of a run disturbed by other processes")
    parser.add_argument("--quiet-budget", type=float, default=1200.0,
                        help="seconds of waiting and repeating per database, in all")
    parser.add_argument("--audit-sqlite", action="store_true",
                        help="also audit the SQLite copy after the run (slow: see docs/benchmarks.md)")
    parser.add_argument("--priority", type=int, default=0, metavar="N",
                        help="run gunicorn and wrk under nice -n -N (ahead of other people's processes)")
    parser.add_argument("--sweep", default=None, metavar="W[xT],...",
                        help="compare worker counts instead, e.g. 2,3,5,2x4,3:0 (workers x threads : max_requests)")
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite docs/benchmarks.md")
    args = parser.parse_args(argv)
    if subprocess.run(["which", "wrk"], capture_output=True).returncode != 0:
        raise SystemExit("wrk is not installed: apt-get install -y wrk (make bench does it)")
    dbs = args.db or ["sqlite", "postgresql"]
    started, t0 = datetime.now(UTC), time.monotonic()
    metas = load.load(dbs, reload=args.reload)
    wrk = Wrk(connections=args.connections, threads=args.wrk_threads, duration=args.duration, warmup=args.warmup,
              priority=args.priority)
    def quiet() -> Quiet:
        return Quiet(limit=args.quiet_limit, max_wait=args.quiet_wait, retries=args.retries,
                     budget=args.quiet_budget)


    if args.sweep:
        keys = args.only or ["bare", "task_list", "wallet", "merchant_page"]
        keys = ["bare", *[k for k in keys if k != "bare" and k != "merchant_confirm"]]
        rows = []
        for db in dbs:
            for spec in args.sweep.split(","):
                spec, _, max_requests = spec.partition(":")
                workers, _, threads = spec.partition("x")
                threads = int(threads or 1)
                out = run_database(db, metas[db], wrk, workers=int(workers), threads=threads, keys=keys,
                                   quiet=quiet(), max_requests=max_requests or None)
                label = f"{workers} sync" if threads == 1 else f"{workers} × {threads} gthread"
                if max_requests:
                    label += f", max_requests {max_requests}"
                rows.append({"db": db, "label": label, "results": out["results"]})
        sweep = {"started": started.strftime("%Y-%m-%d %H:%M"), "duration": args.duration, "warmup": args.warmup,
                 "keys": keys, "rows": rows,
                 "command": "python -m bench.run " + shlex.join(argv if argv is not None else sys.argv[1:])}
        (WORK / "sweep.json").write_text(json.dumps(sweep, indent=1, default=str))
        if not args.no_docs:
            write_docs("sweep", sweep_markdown(sweep))
        print(sweep_markdown(sweep))
        return

    keys = [k for k, _, _ in ENDPOINTS if not args.only or k in args.only or k == "bare"]
    run = {"started": started.strftime("%Y-%m-%d %H:%M"), "facts": machine_facts(), "databases": {},
           "command": ".venv/bin/python -m bench.run " + shlex.join(argv if argv is not None else sys.argv[1:]),
           "config": {"workers": args.workers, "threads": args.threads,
                      "worker_class": "gthread" if args.threads > 1 else "sync", "duration": args.duration,
                      "warmup": args.warmup, "connections": args.connections, "threads_wrk": args.wrk_threads,
                      "quiet_limit": args.quiet_limit, "retries": args.retries, "priority": args.priority,
                      "max_requests": os.environ.get("GUNICORN_MAX_REQUESTS", "5000")}}
    for db in dbs:
        out = run_database(db, metas[db], wrk, workers=args.workers, threads=args.threads, keys=keys,
                           quiet=quiet())
        info = {**out, "meta": {k: metas[db].get(k) for k in ("loaded_at", "load_seconds", "counts", "audit",
                                                               "revision", "migrated")}}
        info["redeemed"] = redeemed_by_run(db, metas[db])
        log(f"{db}: profiling each request in-process")
        profile, report = explain.profile(db, metas[db], out["spare"])
        (WORK / f"explain-{db}.txt").write_text(report)
        info["profile"] = profile
        if db == "postgresql" or args.audit_sqlite:
            log(f"{db}: flask points audit on the served copy")
            code, output, seconds = load.audit(load.database_url(db))
            info["after_audit"] = {"exit": code, "output": output, "seconds": round(seconds, 1)}
            log(f"{db}: audit of the served copy after the run: exit {code} in {seconds:.0f} s: {output}")
        run["databases"][db] = info
    run["seconds"] = time.monotonic() - t0
    (WORK / "results.json").write_text(json.dumps(run, indent=1, default=str, ensure_ascii=False))
    markdown = results_markdown(run)
    if not args.no_docs:
        write_docs("results", markdown)
    print(markdown)


if __name__ == "__main__":
    main()
