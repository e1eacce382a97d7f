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
5. stop gunicorn (SIGTERM to the master, SIGKILL to its process group if it lingers).

Then it profiles each request in-process (``bench.explain``: SQL statements, plans, Python vs SQL time)
and rewrites the results part of ``docs/benchmarks.md`` (between the ``results`` markers; the notes
around it are kept). ``--sweep`` instead compares worker counts and writes the ``sweep`` part.

The parts: :mod:`bench.load` (the data set), :mod:`bench.servers` and :mod:`bench.measure` (gunicorn),
:mod:`bench.plans` (endpoints and personas), :mod:`bench.wrk` (the load generator), :mod:`bench.machine`
(other load on the machine), :mod:`bench.report` (``docs/benchmarks.md``).
"""

import argparse
import json
import os
import shlex
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import explain  # noqa: E402
from bench.databases import audit  # noqa: E402
from bench.load import load  # noqa: E402
from bench.machine import Quiet, machine_facts  # noqa: E402
from bench.measure import redeemed_by_run, run_database  # noqa: E402
from bench.plans import ENDPOINTS, LUNCH  # noqa: E402
from bench.report import results_markdown, sweep_markdown, write_docs  # noqa: E402
from bench.settings import BENCH_DIR as WORK  # noqa: E402
from bench.settings import database_url, logger  # noqa: E402
from bench.wrk import Wrk  # noqa: E402

log = logger("bench")
signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # atexit (bench.servers) then stops gunicorn

def default_workers() -> int:
    """The production default of ``gunicorn.conf.py`` (2 × cores + 1), unless ``BENCH_WORKERS`` says otherwise."""
    return int(os.environ.get("BENCH_WORKERS", os.cpu_count() * 2 + 1))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", action="append", choices=("sqlite", "postgresql"), help="default: both")
    parser.add_argument("--reload", action="store_true", help="load the data set again even if cached")
    parser.add_argument("--workers", type=int, default=default_workers(), help="gunicorn workers (2 × cores + 1)")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker (gthread if > 1)")
    parser.add_argument("--duration", type=int, default=15, help="measured seconds per endpoint")
    parser.add_argument("--warmup", type=int, default=3, help="warm-up seconds per endpoint")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--only", action="append", choices=[*(k for k, _, _ in ENDPOINTS), LUNCH],
                        help="measure only these endpoints (the bare route is always measured); "
                             "'lunch' is the lunch-peak step search (bench/lunch.py)")
    parser.add_argument("--no-lunch", action="store_true", help="leave out the lunch-peak step search")
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
    metas = load(dbs, reload=args.reload)
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
    if (not args.only or LUNCH in args.only) and not args.no_lunch:
        keys.append(LUNCH)
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
            code, output, seconds = audit(database_url(db))
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
