""""Near me" over 10,000 stations, in-process: ``python -m bench.near_me [--db sqlite] [--db postgresql]``.

Issue 11 asks for "near me" over 10,000 stations in under 20 ms of server time on both databases. This
measures it without HTTP: a throwaway database per kind (SQLite ``$NUANXIN_BENCH_DIR/near-me.db``, PostgreSQL
``nuanxin_bench_near``), migrated to the head, filled with the benchmark's stations (:mod:`bench.station_rows`,
10,000 over a 27 × 38 km area, weekly hours from the demo's profiles, 1 in 50 inactive), then, in an app
context, :func:`stations.places.find_stations` and :func:`core.places.nearby_places` (every kind registered)
from ``--queries`` positions in the middle of the area (5 km radius, 20 places: the list's defaults), plus the
filters "open now" and an amenity. When the near-me page exists (``GET /stations/?lat=…&lng=…``) its whole
request is timed too through Flask's test client (wall clock and this process's CPU), with ``GET /login`` as the
request stack's floor; until then it says "page not built". Prints a Markdown table (median, p90, p99, max in
ms) for ``docs/benchmarks.md``, with the load average of the machine beside it.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.databases import _pg_admin, migrate  # noqa: E402
from bench.scale import ORG_KINDS, SEED, TOWNS  # noqa: E402
from bench.settings import BENCH_DIR, PG_SERVER, logger  # noqa: E402
from bench.station_rows import (  # noqa: E402
    STATION_COLUMNS,
    STATION_HOURS_COLUMNS,
    STATIONS,
    ask_points,
    station_rows,
)

log = logger("near-me")
PG_NEAR = "nuanxin_bench_near"
TARGET_MS = 20.0


def url_of(db: str) -> str:
    return f"sqlite:///{BENCH_DIR / 'near-me.db'}" if db == "sqlite" else f"{PG_SERVER}/{PG_NEAR}"


def fresh_database(db: str) -> str:
    """An empty database of kind ``db``, migrated to the head; return its URL."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    if db == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{BENCH_DIR / 'near-me.db'}{suffix}").unlink(missing_ok=True)
    else:
        admin = _pg_admin()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{PG_NEAR}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{PG_NEAR}"'))
        admin.dispose()
    migrate(url_of(db))
    return url_of(db)


def fill(count: int) -> None:
    """Insert the organisations and ``count`` stations with their hours (in an app context)."""
    from extensions import db
    from stations.models import Station, StationHours

    now = datetime.now(UTC).replace(microsecond=0)
    stations, hours = station_rows(random.Random(SEED), count=count, organisations=len(ORG_KINDS), towns=TOWNS,
                                   created=now)
    orgs = [{"id": i + 1, "name": f"{TOWNS[i]}测试组织", "kind": kind} for i, kind in enumerate(ORG_KINDS)]
    with db.engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO organisation (id, name, kind) VALUES (:id, :name, :kind)"), orgs)
        conn.execute(Station.__table__.insert(), [dict(zip(STATION_COLUMNS, row, strict=True)) for row in stations])
        conn.execute(StationHours.__table__.insert(),
                     [dict(zip(STATION_HOURS_COLUMNS, row, strict=True)) for row in hours])
        if conn.dialect.name == "postgresql":
            for table in ("organisation", "station", "station_hours"):
                conn.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                     f"(SELECT max(id) FROM {table}))"))
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("ANALYZE"))
    log(f"{len(stations):,} stations, {len(hours):,} weekly rows")


def _ms(samples: list[float]) -> dict:
    ordered = sorted(samples)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {"median": statistics.median(ordered), "p90": pick(0.90), "p99": pick(0.99), "max": ordered[-1]}


def with_place_pages(app) -> None:
    """``url_for("stations.detail")`` needs the station page; until it is built, give url_for its name."""
    if "stations.detail" not in app.view_functions:
        app.add_url_rule("/stations/<int:station_id>", endpoint="stations.detail", view_func=lambda **_: "")


def measure(db: str, *, count: int, queries: int) -> list[dict]:
    """Fill a fresh database of kind ``db`` and time the finder; return one row per case."""
    from bench.wsgi import create_app
    from core.places import nearby_places
    from extensions import db as database
    from stations.places import find_stations

    url = fresh_database(db)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_STORAGE_URI": "memory://", "MAP_TILE_URL": ""})
    with app.app_context():
        fill(count)
    page_built = "stations.near_me" in app.view_functions
    with_place_pages(app)
    points = ask_points(random.Random(7), queries)
    now = datetime.now(UTC)
    cases = [
        ("find_stations", lambda lat, lng: find_stations(lat, lng, now=now)),
        ("find_stations, open now", lambda lat, lng: find_stations(lat, lng, now=now, open_now=True)),
        ("find_stations, hot meal", lambda lat, lng: find_stations(lat, lng, now=now, amenities=("hot_meal",))),
        ("nearby_places (every kind)", lambda lat, lng: nearby_places(lat, lng, now=now)),
    ]
    rows = []
    for name, call in cases:
        samples, cpu, found = [], [], []
        with app.test_request_context():
            for lat, lng in points[:5]:  # warm-up: connections, statement caches
                call(lat, lng)
            for lat, lng in points:
                started, cpu_started = time.perf_counter(), time.process_time()
                places = call(lat, lng)
                samples.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - cpu_started) * 1000)
                found.append(len(places))
                database.session.remove()
        rows.append({"db": db, "case": name, **_ms(samples), "cpu": statistics.median(cpu),
                     "found": statistics.median(found)})
        log(f"{db}: {name}: median {rows[-1]['median']:.1f} ms, p99 {rows[-1]['p99']:.1f} ms")
    client = app.test_client()
    first = client.get(f"/stations/?lat={points[0][0]}&lng={points[0][1]}")
    if not page_built or first.status_code == 404:
        rows.append({"db": db, "case": "GET /stations/?lat=…&lng=…", "missing": "page not built"})
    else:
        for case, path in (("GET /stations/?lat=…&lng=… (whole request)", "/stations/?lat={lat}&lng={lng}"),
                           ("GET /login (the request stack's floor)", "/login")):
            samples, cpu = [], []
            for lat, lng in points:
                started, cpu_started = time.perf_counter(), time.process_time()
                response = client.get(path.format(lat=lat, lng=lng))
                samples.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - cpu_started) * 1000)
                assert response.status_code == 200, response.status_code
            rows.append({"db": db, "case": case, **_ms(samples), "cpu": statistics.median(cpu), "found": None})
            log(f"{db}: {case}: median {rows[-1]['median']:.1f} ms, p99 {rows[-1]['p99']:.1f} ms")
    with app.app_context():
        station_count = database.session.scalar(sa.text("SELECT count(*) FROM station"))
        database.engine.dispose()
    log(f"{db}: {station_count:,} stations in the database")
    return rows


def markdown(rows: list[dict], command: str, queries: int) -> str:
    labels = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    out = ["| database | case | median ms | p90 ms | p99 ms | max ms | CPU of this process, median ms "
           f"| places found (median) | p99 under {TARGET_MS:.0f} ms? |",
           "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for row in rows:
        if "missing" in row:
            out.append(f"| {labels[row['db']]} | {row['case']} | {row['missing']} | | | | | | |")
            continue
        found = "–" if row["found"] is None else f"{row['found']:.0f}"
        cpu = "–" if row["cpu"] is None else f"{row['cpu']:.1f}"
        met = "yes" if row["p99"] < TARGET_MS else ("median only" if row["median"] < TARGET_MS else "**no**")
        out.append(f"| {labels[row['db']]} | {row['case']} | {row['median']:.1f} | {row['p90']:.1f} | "
                   f"{row['p99']:.1f} | {row['max']:.1f} | {cpu} | {found} | {met} |")
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    out += ["", f"{queries} positions per case, each a fresh session (no identity-map reuse); `{command}`; "
            f"load average {load} (1, 5, 15 min) at the end on {os.cpu_count()} CPUs. "
            "CPU: `time.process_time()` of the Python process (on SQLite that includes the database's work; "
            "PostgreSQL's server process is not counted)."]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", action="append", choices=("sqlite", "postgresql"), help="default: both")
    parser.add_argument("--stations", type=int, default=STATIONS)
    parser.add_argument("--queries", type=int, default=200, help="positions timed per case")
    args = parser.parse_args(argv)
    rows = []
    for db in args.db or ["sqlite", "postgresql"]:
        rows += measure(db, count=args.stations, queries=args.queries)
    command = ".venv/bin/python -m bench.near_me " + " ".join(argv if argv is not None else sys.argv[1:])
    print(markdown(rows, command.strip(), args.queries))


if __name__ == "__main__":
    main()
