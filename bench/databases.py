"""The benchmark databases' life: migrate, create empty, copy the pristine snapshot, drop, count, audit."""

import os
import shutil
import subprocess
import time
from pathlib import Path

import sqlalchemy as sa

from bench.scale import TABLE_ORDER
from bench.settings import (
    BENCH_DIR,
    PG_DATABASE,
    PG_PRISTINE,
    PG_SERVER,
    ROOT,
    SQLITE_PATH,
    SQLITE_PRISTINE,
    database_url,
    meta_path,
)


def flask_env(url: str) -> dict:
    return {**os.environ, "DATABASE_URL": url, "FLASK_APP": "app"}


def migrate(url: str) -> str:
    """``flask --app app db upgrade`` on ``url``; return what it printed."""
    result = subprocess.run([str(ROOT / ".venv/bin/flask"), "--app", "app", "db", "upgrade"], cwd=ROOT,
                            env=flask_env(url), capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"flask db upgrade failed on {url}:\n{result.stderr[-3000:]}")
    return " ".join(line.split("Running upgrade ", 1)[1] for line in result.stderr.splitlines()
                    if "Running upgrade " in line)


def _pg_admin():
    return sa.create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")


def create_empty(db: str) -> None:
    """Drop the pristine snapshot if it exists and create it empty (the schema comes from migrations)."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    meta_path(db).unlink(missing_ok=True)
    if db == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_PRISTINE}{suffix}").unlink(missing_ok=True)
        return
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{PG_PRISTINE}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{PG_PRISTINE}"'))
    admin.dispose()


def fresh_copy(db: str) -> float:
    """Replace the served database with a copy of the pristine snapshot; return the seconds it took."""
    started = time.monotonic()
    if db == "sqlite":
        engine = sa.create_engine(database_url(db, pristine=True))
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(SQLITE_PRISTINE, SQLITE_PATH)
    else:
        admin = _pg_admin()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{PG_DATABASE}" TEMPLATE "{PG_PRISTINE}"'))
        admin.dispose()
    return time.monotonic() - started


def drop_all() -> None:
    """Remove every benchmark database (``python -m bench.load --drop``)."""
    admin = _pg_admin()
    with admin.connect() as conn:
        for name in (PG_DATABASE, PG_PRISTINE):
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
    for path in (SQLITE_PATH, SQLITE_PRISTINE):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    for db in ("sqlite", "postgresql"):
        meta_path(db).unlink(missing_ok=True)


def table_counts(db: str) -> dict[str, int]:
    engine = sa.create_engine(database_url(db, pristine=True))
    with engine.connect() as conn:
        counts = {t: conn.execute(sa.text(f'SELECT count(*) FROM "{t}"')).scalar() for t in TABLE_ORDER}
        counts["riders"] = conn.execute(sa.text("SELECT count(*) FROM \"user\" WHERE role = 'rider'")).scalar()
        counts["database_bytes"] = (SQLITE_PRISTINE.stat().st_size if db == "sqlite" else
                                    conn.execute(sa.text("SELECT pg_database_size(current_database())")).scalar())
    engine.dispose()
    return counts


def revision(db: str) -> str:
    engine = sa.create_engine(database_url(db, pristine=True))
    with engine.connect() as conn:
        value = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    engine.dispose()
    return value


AUDIT_TIMEOUT = int(os.environ.get("BENCH_AUDIT_TIMEOUT", "1200"))


def audit(url: str, timeout: int = AUDIT_TIMEOUT) -> tuple[int | None, str, float]:
    """Run ``flask --app app points audit`` against ``url``; return (exit code, output, seconds).

    The exit code is ``None`` when the audit did not finish within ``timeout`` seconds (it is then killed:
    it only reads, so that is harmless).
    """
    started = time.monotonic()
    try:
        result = subprocess.run([str(ROOT / ".venv/bin/flask"), "--app", "app", "points", "audit"], cwd=ROOT,
                                env=flask_env(url), capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"did not finish within {timeout} s (killed)", time.monotonic() - started
    output = (result.stdout + result.stderr).strip()
    lines = output.splitlines()
    if len(lines) > 12:
        output = "\n".join([*lines[:5], f"… {len(lines) - 10} more lines …", *lines[-5:]])
    return result.returncode, output, time.monotonic() - started


def exists(db: str) -> bool:
    """True when a loaded snapshot and its facts are there."""
    if not meta_path(db).exists():
        return False
    if db == "sqlite":
        return SQLITE_PRISTINE.exists()
    admin = _pg_admin()
    try:
        with admin.connect() as conn:
            return bool(conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                     {"n": PG_PRISTINE}).scalar())
    finally:
        admin.dispose()
