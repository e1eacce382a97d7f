"""Measuring one database: serve it with gunicorn, log in, check, run wrk per endpoint, read the access log.

:class:`Server` is the benchmark's gunicorn (``bench.wsgi:create_app()``, production settings, a fixed
``SECRET_KEY``) on top of :class:`bench.servers.GunicornProcess`; :func:`run_database` measures the
endpoints on it and starts again on a fresh copy if the app's code changed meanwhile.
"""

import os
import random
import re
import shlex
import signal
import subprocess
import time
from collections import Counter
from datetime import datetime

import sqlalchemy as sa

from bench import lunch
from bench.databases import fresh_copy
from bench.machine import CpuMeter, Quiet, code_fingerprint, git_state, wait_quiet
from bench.plans import LUNCH, prepare
from bench.servers import GunicornProcess, ServerError, free_port, nice_prefix
from bench.settings import BENCH_DIR as WORK
from bench.settings import database_url, logger
from bench.wrk import Wrk, parse_wrk, shown

log = logger("bench")

SECRET_KEY = "nuanxin-benchmark-fixed-secret-key-not-for-production-0123456789"  # noqa: S105


class Server:
    """gunicorn -c gunicorn.conf.py 'bench.wsgi:create_app()' on a free loopback port (a context manager)."""

    def __init__(self, db: str, *, workers: int, threads: int = 1, priority: int = 0,
                 max_requests: str | None = None):
        self.db, self.workers, self.threads = db, workers, threads
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = WORK / f"gunicorn-{db}.log"
        self.env = {"DATABASE_URL": database_url(db), "SECRET_KEY": SECRET_KEY, "NUANXIN_ENV": "production",
                    "GUNICORN_WORKERS": str(workers), "GUNICORN_BIND": f"127.0.0.1:{self.port}"}
        if threads > 1:
            self.env["GUNICORN_THREADS"] = str(threads)
        if max_requests is not None:
            self.env["GUNICORN_MAX_REQUESTS"] = max_requests
        # SIGTERM: a graceful stop (SIGKILL to the process group after 25 s).
        self.gunicorn = GunicornProcess(env={**os.environ, **self.env}, log_path=self.log_path,
                                        app="bench.wsgi:create_app()", prefix=nice_prefix(priority),
                                        stop_signal=signal.SIGTERM, stop_timeout=25, truncate_log=True)

    @property
    def process(self) -> subprocess.Popen:
        return self.gunicorn.proc

    @property
    def command(self) -> str:
        env = " ".join(f"{k}={shlex.quote(v)}" for k, v in self.env.items() if k != "SECRET_KEY")
        return f"SECRET_KEY=… {env} .venv/bin/gunicorn -c gunicorn.conf.py 'bench.wsgi:create_app()'"

    def __enter__(self) -> "Server":
        self.gunicorn.start(self.port)
        try:
            if not self.gunicorn.wait_ready(60):
                raise ServerError(f"gunicorn exited with {self.process.returncode}; see {self.log_path}")
            self.gunicorn.wait_booted(self.workers)  # every worker imports the app on its own
        except BaseException:
            self.gunicorn.stop()
            raise
        time.sleep(1.0)
        log(f"{self.db}: gunicorn up on {self.base} (pid {self.process.pid}, {self.workers} workers)")
        return self

    def __exit__(self, *exc) -> None:
        self.gunicorn.stop()
        log(f"{self.db}: gunicorn stopped (exit {self.process.returncode})")

    def log_offset(self) -> int:
        time.sleep(0.5)  # let the workers write the last lines of the previous run
        return self.gunicorn.log_size()

    def statuses(self, start: int, end: int) -> Counter:
        """Status codes of the access-log lines written between two offsets."""
        chunk = self.gunicorn.log_between(start, end)
        return Counter(m.group(1) for m in re.finditer(r'^\S+ "[A-Z]+ \S+ HTTP/[\d.]+" (\d{3}) ', chunk, re.M))

    def server_times(self, start: int, end: int) -> list[float]:
        """gunicorn's own time per request (ms, the access log's ``%(M)s``: from the parsed request to the last
        byte written) of the lines written between two offsets; the wait for a free worker is not in it."""
        chunk = self.gunicorn.log_between(start, end)
        return [float(m.group(1)) for m in re.finditer(r'^\S+ "[A-Z]+ \S+ HTTP/[\d.]+" \d{3} .* (\d+)ms$', chunk,
                                                          re.M)]

    def restarts(self, start: int, end: int) -> int:
        return self.gunicorn.log_between(start, end).count("Booting worker")


def measure(server: Server, wrk: Wrk, plans: dict, secrets: dict, keys: list[str], quiet: Quiet) -> dict:
    results = {}
    for key in keys:
        item = plans[key]
        if item.get("missing"):  # its page is not built yet: reported, not measured
            log(f"{server.db}: {key}: {item['missing']}")
            results[key] = {"missing": item["missing"], "check": item["check_result"]}
            continue
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


def measure_lunch(server: Server, meta: dict, prepared: dict, quiet: Quiet, priority: int = 0) -> dict:
    """The lunch peak's step search (:mod:`bench.lunch`) on the running server."""
    lunch.write_plan(server, meta, prepared["rider_cookie"], prepared["lookups"], server.db)
    wait_quiet(server.process.pid, limit=quiet.limit, max_wait=min(quiet.max_wait, quiet.left()),
               what=f"{server.db} lunch")
    return lunch.search(server, server.db, list(prepared["codes"]), priority=priority)


def run_database(db: str, meta: dict, wrk: Wrk, *, workers: int, threads: int, keys: list[str],
                 quiet: Quiet, reruns: int = 1, max_requests: str | None = None) -> dict:
    """Measure ``keys`` on one database; start again (on a fresh copy) if the code changed meanwhile."""
    for attempt in range(reruns + 1):
        rng = random.Random(7)
        before = code_fingerprint()
        with Server(db, workers=workers, threads=threads, priority=wrk.priority, max_requests=max_requests) as server:
            prepared = prepare(server, meta, rng, keys)
            results = measure(server, wrk, prepared["plans"], prepared["secrets"], [k for k in keys if k != LUNCH],
                              quiet)
            if LUNCH in keys:
                results[LUNCH] = measure_lunch(server, meta, prepared["lunch"], quiet, wrk.priority)
            server_command = server.command
        after = code_fingerprint()
        if before == after:
            break
        log(f"{db}: WARNING: the app's code changed during the run ({before} -> {after})"
            + ("; measuring again on a fresh copy" if attempt < reruns else "; the results mix two versions"))
        if attempt < reruns:
            fresh_copy(db)
    return {"results": results, "server": server_command, "spare": prepared["spare"],
            "code": {"before": before, "after": after, "git": git_state()}}


def redeemed_by_run(db: str, meta: dict) -> int:
    """Vouchers redeemed on the served copy after the data set was made: the confirm POSTs of this run."""

    engine = sa.create_engine(database_url(db))
    made = datetime.fromisoformat(meta["data_now"])
    with engine.connect() as conn:
        stamp = made.strftime("%Y-%m-%d %H:%M:%S.%f") if db == "sqlite" else made
        n = conn.execute(sa.text("SELECT count(*) FROM voucher WHERE status = 'redeemed' AND redeemed_at > :t"),
                         {"t": stamp}).scalar()
    engine.dispose()
    return n
