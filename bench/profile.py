"""Where a page's time goes, in process: ``python -m bench.profile --db sqlite --page task_list -n 200``.

Runs ``n`` requests of one measured page (or each of them) through Flask's test client against the
benchmark database (``bench.load`` first), the same app gunicorn serves in ``make bench``, under
pyinstrument's statistical profiler, and prints the call tree (``--html`` also saves
``$NUANXIN_BENCH_DIR/profile-<db>-<page>.html``). No HTTP, no gunicorn: the numbers are the Python and
SQL work of the request itself, comparable before and after a change on the same machine and load.

The pages are :func:`bench.explain.requests_of` (the rider, the rider with a full history, a merchant's
staff) plus the inbox badge's poll; ``merchant_confirm`` is left out (a code confirms once).
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def pages(meta: dict) -> list[dict]:
    """The measured GET requests (name, user phone or None, path, headers, expected status)."""
    from bench.explain import requests_of

    items = [item for item in requests_of(meta, None) if item.get("method", "GET") == "GET"]
    items.append({"name": "inbox_unread", "user": meta["bench_rider"]["phone"], "path": "/inbox/unread",
                  "expect": 200, "headers": {"HX-Request": "true"}})
    return items


def best_batch(values: list[float], size: int = 20) -> float:
    """The lowest mean of consecutive batches of ``size`` values: on a machine shared with other work, the
    batch least disturbed by it (the whole list's mean when it is shorter than one batch)."""
    batches = [values[i:i + size] for i in range(0, len(values) - size + 1, size)] or [values]
    return min(statistics.mean(batch) for batch in batches)


def logged_in_client(app, phone: str | None, password: str):
    """A test client with a session of ``phone`` (through the real log-in form), or anonymous."""
    from bench.explain import csrf_token

    client = app.test_client()
    if phone:
        page = client.get("/login").get_data(as_text=True)
        response = client.post("/login", data={"csrf_token": csrf_token(page), "phone": phone, "password": password},
                               follow_redirects=True)
        if response.status_code != 200 or "/logout" not in response.get_data(as_text=True):
            raise RuntimeError(f"log-in as {phone} failed: {response.status_code}")
    return client


def run(db: str, names: list[str] | None, n: int, html: bool, show_all: bool = False) -> list[dict]:
    """Profile ``n`` requests of each page in ``names`` (all when ``None``); print each tree; return timings.

    Each row: ``name``, ``median_ms`` and ``mean_ms`` of the request without the profiler (a second pass of
    ``n`` requests), ``cpu_ms`` (this process's CPU time per request: on a shared machine steadier than the
    wall clock; on PostgreSQL the server's work is not in it), ``best_ms`` (:func:`best_batch` of the CPU
    times), ``status``. Raises ``RuntimeError`` when a page answers another status than expected.
    """
    sys.path.insert(0, str(ROOT))
    from pyinstrument import Profiler

    from bench import load
    from bench.inbox_rows import ensure_inbox
    from bench.settings import BENCH_DIR
    from bench.wsgi import create_app

    meta = {**load.read_meta(db), "database_url": load.database_url(db)}
    ensure_inbox(db, meta["bench_rider"]["id"])
    app = create_app({"SQLALCHEMY_DATABASE_URI": meta["database_url"]})
    rows = []
    for item in pages(meta):
        if names and item["name"] not in names:
            continue
        client = logged_in_client(app, item["user"], meta["password"])
        headers = item.get("headers", {})
        response = client.get(item["path"], headers=headers)  # warm: templates compiled, caches filled
        if response.status_code != item["expect"]:
            if response.status_code == 404 and item.get("may_be_missing"):
                continue
            raise RuntimeError(f"{item['name']}: {item['path']} answered {response.status_code}")
        times, cpu = [], []
        for _ in range(n):
            started, started_cpu = time.perf_counter(), time.process_time()
            client.get(item["path"], headers=headers)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(n):
            client.get(item["path"], headers=headers)
        profiler.stop()
        print(f"\n=== {db} {item['name']} GET {item['path']}: median {statistics.median(times):.2f} ms, "
              f"mean {statistics.mean(times):.2f} ms, CPU of this process {statistics.mean(cpu):.2f} ms a request "
              f"(best batch of 20: {best_batch(cpu):.2f} ms), "
              f"over {n} requests (without the profiler) ===")
        print(profiler.output_text(unicode=True, color=False, show_all=show_all))
        if html:
            out = BENCH_DIR / f"profile-{db}-{item['name']}.html"
            out.write_text(profiler.output_html())
            print(f"saved {out}")
        rows.append({"name": item["name"], "median_ms": round(statistics.median(times), 2),
                     "mean_ms": round(statistics.mean(times), 2),
                     "cpu_ms": round(statistics.mean(cpu), 2), "best_ms": round(best_batch(cpu), 2),
                     "status": response.status_code})
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--page", action="append", help="a page name (default: every page)")
    parser.add_argument("-n", type=int, default=100, help="requests per page (default 100)")
    parser.add_argument("--html", action="store_true", help="also save an HTML profile per page")
    parser.add_argument("--all", action="store_true", help="show library frames too (a long tree)")
    args = parser.parse_args(argv)
    rows = run(args.db, args.page, args.n, args.html, args.all)
    print("\n| page | median ms | mean ms | CPU ms (mean) | CPU ms (best batch of 20) |\n"
          "| --- | ---: | ---: | ---: | ---: |")
    for row in rows:
        print(f"| {row['name']} | {row['median_ms']:.2f} | {row['mean_ms']:.2f} | {row['cpu_ms']:.2f} "
              f"| {row['best_ms']:.2f} |")


if __name__ == "__main__":
    main()
