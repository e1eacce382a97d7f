"""Bulk loader of the benchmark data set: ``python -m bench.load --db sqlite --db postgresql [--reload]``.

100,000 riders, 20,000 tasks (about 1.1 million sign-ups), exactly 1,000,000 ledger entries and 100,000
vouchers, plus organisations, coordinators, 50 merchants with offers and staff, and 10,000 rest stations with
weekly hours over a city-sized area (``bench.station_rows``). The schema comes from
the migrations (``flask --app app db upgrade``); rows go in with SQLAlchemy Core ``executemany`` in
batches (SQLite) or ``COPY`` (PostgreSQL, psycopg 3 ``cursor.copy``), never one ORM object at a time.

The data obeys the app's invariants, so ``flask points audit`` passes afterwards:

* ``points_account.balance`` is the sum of the rider's entries, and the running balance never drops
  below zero (a voucher is only issued to a rider whose awards before that moment cover every spend);
* ``task.taken`` is the number of sign-ups holding a place (confirmed, attended, no-show), ``<= places``;
  a task with a waitlist is full; waitlisted sign-ups queued after the place holders;
* one award per attended sign-up (``award:signup:<id>``, naming it in ``signup_id``), none for others; one
  spend per voucher (``spend:voucher:<id>``), one refund (``refund:voucher:<id>``, kind ``refund`` or
  ``expiry``) exactly for cancelled and expired vouchers, each naming it in ``voucher_id``; issued
  vouchers are unexpired; at most ``per_rider_limit`` vouchers of an offer per rider; unique 16-digit
  codes with the app's Luhn check digit.

Every database is a throwaway. The loaded data set is kept as a pristine snapshot (SQLite
``/tmp/nuanxin-bench/pristine.db``, PostgreSQL ``nuanxin_bench_template``) with ``meta-<db>.json``
beside it; each run migrates the snapshot to the current head (``flask db upgrade``, a no-op unless
someone added a migration) and serves a fresh copy of it (``/tmp/nuanxin-bench/nuanxin.db``, database
``nuanxin_bench`` made with ``CREATE DATABASE … TEMPLATE``), so the confirm POSTs of one run never leave
redeemed vouchers for the next. The snapshot is rebuilt with ``--reload``, or when it is older than
:data:`MAX_AGE` (the "upcoming" tasks and the open vouchers are relative to the load time).
"""

import argparse
import json
import sys
import time
from datetime import UTC, datetime

from bench.bulk import write_postgresql, write_sqlite
from bench.databases import audit, create_empty, drop_all, exists, fresh_copy, migrate, revision, table_counts
from bench.dataset import DataSet
from bench.settings import MAX_AGE, ROOT, database_url, logger, meta_path

log = logger("load")

def read_meta(db: str) -> dict:
    return json.loads(meta_path(db).read_text())


FORMAT_VERSION = 6  # 3: ledger entries name their sign-up (migration 0003); 4: 10,000 stations with hours;
# 5: tasks carry their check-in secret (migration 0011); 6: riders have accepted the privacy notice


def stale(db: str) -> str | None:
    """Why the snapshot cannot be reused, or ``None``."""
    if not exists(db):
        return "not loaded yet"
    meta = read_meta(db)
    if meta.get("version") != FORMAT_VERSION:
        return "made by an older loader"
    loaded = datetime.fromisoformat(meta["loaded_at"])
    if datetime.now(UTC) - loaded > MAX_AGE:
        return f"loaded {loaded:%Y-%m-%d}, older than {MAX_AGE.days} days"
    return None


def load(dbs: list[str], *, reload: bool = False, data: DataSet | None = None) -> dict[str, dict]:
    """Make sure each snapshot in ``dbs`` holds the data set at the current migration head, serve a fresh
    copy of it, and return each one's facts (``meta``)."""
    todo = []
    for db in dbs:
        why = "--reload given" if reload else stale(db)
        if why:
            log(f"{db}: loading ({why})")
            todo.append(db)
    if todo:
        data = data or DataSet().build()
    for db in todo:
        started = time.monotonic()
        create_empty(db)
        migrate(database_url(db, pristine=True))
        log(f"{db}: schema migrated in {time.monotonic() - started:.1f} s")
        (write_sqlite if db == "sqlite" else write_postgresql)(data)
        seconds = time.monotonic() - started
        counts = table_counts(db)
        code, output, audit_seconds = audit(database_url(db, pristine=True))
        log(f"{db}: loaded in {seconds:.1f} s; audit exit {code} in {audit_seconds:.1f} s: {output}")
        if code is None:
            log(f"{db}: WARNING: flask points audit did not finish; see docs/benchmarks.md (known shortfalls)")
        elif code != 0:
            raise SystemExit(f"{db}: flask points audit failed after loading:\n{output}")
        meta = {"version": FORMAT_VERSION, "loaded_at": datetime.now(UTC).isoformat(),
                "data_now": data.now.isoformat(), "load_seconds": round(seconds, 1), "counts": counts,
                "audit": {"exit": code, "output": output, "seconds": round(audit_seconds, 1),
                          "revision": revision(db)}, **data.facts}
        meta_path(db).write_text(json.dumps(meta, ensure_ascii=False))
    metas = {}
    for db in dbs:
        meta = read_meta(db)
        if db not in todo:
            upgraded = migrate(database_url(db, pristine=True))
            meta["migrated"] = upgraded
            log(f"{db}: reusing the snapshot loaded {meta['loaded_at'][:19]} UTC"
                + (f"; migrated it: {upgraded}" if upgraded else " (schema at the migration head)"))
        meta["revision"] = revision(db)
        seconds = fresh_copy(db)
        log(f"{db}: fresh copy of the snapshot in {seconds:.1f} s (revision {meta['revision']})")
        meta["database_url"] = database_url(db)
        metas[db] = meta
    return metas


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", action="append", choices=("sqlite", "postgresql"),
                        help="database to load (repeat; default both)")
    parser.add_argument("--reload", action="store_true", help="drop and load again even if cached")
    parser.add_argument("--drop", action="store_true", help="drop every benchmark database and stop")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    if args.drop:
        drop_all()
        log("dropped the benchmark databases")
        return
    load(args.db or ["sqlite", "postgresql"], reload=args.reload)



if __name__ == "__main__":
    main()
