"""Writing the data set in bulk: SQLAlchemy Core ``executemany`` in batches (SQLite), ``COPY`` (PostgreSQL)."""

import time
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa

from bench.scale import TABLE_ORDER
from bench.settings import database_url, logger
from bench.station_rows import STATION_COLUMNS, STATION_HOURS_COLUMNS

if TYPE_CHECKING:  # for annotations only
    from bench.dataset import DataSet

log = logger("load")
BATCH = 50_000

# The order of the values in each generated row (written out, so a column added by a later migration
# with a default does not shift the values).
COLUMNS = {
    "organisation": ("id", "name", "kind"),
    "user": ("id", "phone", "name", "password_hash", "role", "trade", "platform", "organisation_id", "active",
             "created_at", "privacy_version", "privacy_accepted_at"),
    "merchant": ("id", "name", "address", "latitude", "longitude", "active", "created_at"),
    "merchant_staff": ("user_id", "merchant_id"),
    "offer": ("id", "merchant_id", "title", "description", "points_cost", "face_value_fen", "stock",
              "per_rider_limit", "validity_days", "active"),
    "points_account": ("user_id", "balance"),
    "task": ("id", "organisation_id", "title", "description", "category", "place", "latitude", "longitude",
             "starts_at", "ends_at", "places", "points", "taken", "status", "created_by_id", "created_at",
             "cancelled_at", "checkin_secret"),
    "signup": ("id", "task_id", "rider_id", "status", "queued_at", "marked_at", "marked_by_id"),
    "voucher": ("id", "code", "offer_id", "merchant_id", "rider_id", "status", "points_cost", "face_value_fen",
                "issued_at", "expires_at", "redeemed_at", "redeemed_by_id", "closed_at"),
    "ledger_entry": ("id", "rider_id", "amount", "kind", "reason", "key", "signup_id", "voucher_id",
                     "created_by_id", "created_at"),
    "station": STATION_COLUMNS,
    "station_hours": STATION_HOURS_COLUMNS,
}


def columns(table: str) -> tuple[str, ...]:
    return COLUMNS[table]


def _sqlite_value(value):
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")  # SQLAlchemy's storage format for DateTime on SQLite
    if isinstance(value, bool):
        return int(value)
    return value


def write_sqlite(data: "DataSet") -> None:
    engine = sa.create_engine(database_url("sqlite", pristine=True))
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=ON")
        conn.exec_driver_sql("PRAGMA synchronous=OFF")
        conn.exec_driver_sql("PRAGMA cache_size=-200000")
        for table in TABLE_ORDER:
            cols = columns(table)
            sql = f'INSERT INTO "{table}" ({", ".join(cols)}) VALUES ({", ".join("?" * len(cols))})'
            rows = data.rows[table]
            started = time.monotonic()
            for start in range(0, len(rows), BATCH):
                batch = [tuple(_sqlite_value(v) for v in row) for row in rows[start:start + BATCH]]
                conn.exec_driver_sql(sql, batch)
            conn.commit()
            log(f"sqlite: {table}: {len(rows):,} rows in {time.monotonic() - started:.1f} s")
        broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        assert not broken, broken[:5]
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()


def write_postgresql(data: "DataSet") -> None:
    engine = sa.create_engine(database_url("postgresql", pristine=True))
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for table in TABLE_ORDER:
            cols = columns(table)
            started = time.monotonic()
            with cursor.copy(f'COPY "{table}" ({", ".join(cols)}) FROM STDIN') as copy:
                for row in data.rows[table]:
                    copy.write_row(row)
            log(f"postgresql: {table}: {len(data.rows[table]):,} rows in {time.monotonic() - started:.1f} s")
        for table in ("organisation", "user", "merchant", "offer", "task", "signup", "voucher", "ledger_entry",
                      "station", "station_hours"):
            cursor.execute(f"""SELECT setval(pg_get_serial_sequence('"{table}"', 'id'),
                                              (SELECT max(id) FROM "{table}"))""")
        raw.commit()
    finally:
        raw.close()
    # What autovacuum would soon do on a real server: planner statistics and the visibility map.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        started = time.monotonic()
        conn.exec_driver_sql("VACUUM ANALYZE")
        log(f"postgresql: VACUUM ANALYZE in {time.monotonic() - started:.1f} s")
    engine.dispose()
