"""Where a measured page spends its time: ``python -m bench.explain --db sqlite`` (after ``bench.load``).

Runs each measured request in-process (Flask's test client, the same app as gunicorn serves) against the
benchmark database, a few times, and reports the SQL statements of one request with their time, the
median time of the whole request and of its SQL, and the plan of every statement (``EXPLAIN QUERY PLAN``
on SQLite, ``EXPLAIN (ANALYZE, BUFFERS)`` for SELECTs and plain ``EXPLAIN`` for writes on PostgreSQL).
This explains the wrk numbers: how many round trips, which plan, and how much is Python (routing,
templates) rather than the database.
"""

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
REPEAT = 30


class StatementLog:
    """Collects (statement, parameters, seconds) of every cursor execution while ``active``."""

    def __init__(self, engine):
        self.active = False
        self.items: list[tuple[str, object, float]] = []
        sa.event.listen(engine, "before_cursor_execute", self._before)
        sa.event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_started"] = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        if self.active:
            self.items.append((statement, parameters, time.perf_counter() - conn.info.pop("bench_started")))


def requests_of(meta: dict, spare: dict[str, tuple[str, str]] | None) -> list[dict]:
    """The measured requests: name, persona (phone or None), method, path, headers, expected status.

    ``spare`` holds open vouchers the benchmark run did not touch, ``(code, merchant)`` for
    ``"merchant_page"`` and ``"merchant_confirm"`` (the run confirms thousands of vouchers before this).
    """
    rider, power = meta["bench_rider"]["phone"], meta["power_rider"]["phone"]
    spare = spare or {}
    code, merchant = spare.get("merchant_page", (meta["issued_codes"]["1"][0], "1"))
    task_id = meta["upcoming_task_ids"][0]
    items = [
        {"name": "bare", "user": None, "path": "/bench/bare"},
        {"name": "task_list", "user": rider, "path": "/tasks"},
        {"name": "task_page", "user": rider, "path": f"/tasks/{task_id}"},
        {"name": "wallet", "user": rider, "path": "/wallet"},
        {"name": "wallet_full", "user": power, "path": "/wallet"},
        {"name": "voucher_poll", "user": rider, "path": f"/vouchers/{meta['bench_voucher_id']}/status",
         "headers": {"HX-Request": "true"}},
        {"name": "merchant_page", "user": meta["staff"][str(merchant)], "path": f"/merchant/vouchers/{code}"},
    ]
    items += [{"name": "offers", "user": rider, "path": "/offers"}, {"name": "inbox", "user": rider, "path": "/inbox"}]
    lat, lng = (meta.get("near_me_points") or [(31.9, 120.6)])[0]
    items.append({"name": "near_me", "user": rider, "path": f"/stations/?lat={lat}&lng={lng}",
                  "may_be_missing": True})
    if "merchant_confirm" in spare:
        code, merchant = spare["merchant_confirm"]
        items.append({"name": "merchant_confirm", "user": meta["staff"][str(merchant)], "method": "POST",
                      "path": f"/merchant/vouchers/{code}/confirm", "once": True,
                      "headers": {"HX-Request": "true", "HX-Target": "merchant-voucher"}})
    for item in items:
        item["expect"] = 204 if item["name"] == "voucher_poll" else 200
    return items


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def plan(conn, dialect: str, statement: str, parameters) -> str:
    """The plan of one captured statement, as text."""
    if dialect == "sqlite":
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).fetchall()
        return "\n".join(f"  {row[3]}" for row in rows)
    is_select = statement.lstrip().upper().startswith("SELECT")
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if is_select else "EXPLAIN "
    rows = conn.exec_driver_sql(prefix + statement, parameters).fetchall()
    return "\n".join(f"  {row[0]}" for row in rows)


def profile(db: str, meta: dict, spare: dict[str, tuple[str, str]] | None = None) -> tuple[list[dict], str]:
    """Profile every measured request on ``db``; return (summary rows, full text report)."""
    sys.path.insert(0, str(ROOT))
    from bench.wsgi import create_app
    from extensions import db as flask_db

    app = create_app({"SQLALCHEMY_DATABASE_URI": meta["database_url"]})
    summary, report = [], [f"# Statements and plans per measured request ({db})\n"]
    with app.app_context():
        log = StatementLog(flask_db.engine)
        dialect = flask_db.engine.dialect.name
    for item in requests_of(meta, spare):
        client = app.test_client()
        token = None
        if item["user"]:  # log in through the real form, as the benchmark does over HTTP
            page = client.get("/login").get_data(as_text=True)
            response = client.post("/login", data={"csrf_token": csrf_token(page), "phone": item["user"],
                                                   "password": meta["password"]}, follow_redirects=True)
            assert response.status_code == 200 and "/logout" in response.get_data(as_text=True), item
            token = csrf_token(response.get_data(as_text=True))
        headers = dict(item.get("headers", {}))
        method = item.get("method", "GET")
        if method == "POST":
            headers["X-CSRFToken"] = token
        times, sql_times = [], []
        for _ in range(1 if item.get("once") else REPEAT):
            log.items = []
            log.active = True
            started = time.perf_counter()
            response = client.open(item["path"], method=method, headers=headers)
            elapsed = time.perf_counter() - started
            log.active = False
            times.append(elapsed)
            sql_times.append(sum(s for _, _, s in log.items))
        statements = list(log.items)
        if response.status_code == 404 and item.get("may_be_missing"):  # its page lands on another branch
            summary.append({"name": item["name"], "path": item["path"], "missing": "page not built"})
            report.append(f"## {item['name']}: {method} {item['path']} -> 404: page not built\n")
            continue
        if response.status_code != item["expect"]:
            raise RuntimeError(f"{db} {item['name']}: {item['path']} answered {response.status_code}, "
                               f"not {item['expect']}, in the in-process profile")
        row = {"name": item["name"], "path": item["path"], "status": response.status_code,
               "bytes": len(response.data), "queries": len(statements),
               "request_ms": statistics.median(times) * 1000, "sql_ms": statistics.median(sql_times) * 1000}
        summary.append(row)
        report.append(f"## {item['name']}: {method} {item['path']} -> {response.status_code}, {row['bytes']} bytes, "
                      f"{row['queries']} statements, request {row['request_ms']:.2f} ms "
                      f"(median of {len(times)}), SQL {row['sql_ms']:.2f} ms\n")
        with app.app_context(), flask_db.engine.connect() as conn:
            for n, (statement, parameters, seconds) in enumerate(statements, start=1):
                flat = " ".join(statement.split())
                report.append(f"{n}. ({seconds * 1000:.2f} ms) {flat}\n   params: {parameters}")
                if flat.upper().startswith(("SELECT", "UPDATE", "INSERT", "DELETE")) and item["name"] != "bare":
                    try:
                        report.append(plan(conn, dialect, statement, parameters))
                    except Exception as error:  # noqa: BLE001 - a plan we cannot show is reported, not fatal
                        report.append(f"  (no plan: {error})")
                    conn.rollback()
                report.append("")
    with app.app_context():
        flask_db.engine.dispose()
    return summary, "\n".join(report)


def main(argv: list[str] | None = None) -> None:
    from bench import load

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args(argv)
    meta = {**load.read_meta(args.db), "database_url": load.database_url(args.db)}  # the served copy
    summary, report = profile(args.db, meta)
    print(report)
    for row in summary:
        print(row)


if __name__ == "__main__":
    main()
