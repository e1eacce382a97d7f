"""Where the benchmark keeps its databases and files, and how it logs (shared by the loader and the runner).

``$NUANXIN_BENCH_DIR`` (default ``/tmp/nuanxin-bench``) holds the SQLite databases, ``meta-<db>.json``, the
gunicorn logs, wrk's data files and the results; ``$NUANXIN_BENCH_PG`` is the PostgreSQL server.
"""

import os
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = Path(os.environ.get("NUANXIN_BENCH_DIR", "/tmp/nuanxin-bench"))
SQLITE_PATH = BENCH_DIR / "nuanxin.db"  # the copy that is served and measured
SQLITE_PRISTINE = BENCH_DIR / "pristine.db"  # the loaded data set, never served
PG_SERVER = os.environ.get("NUANXIN_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1")
PG_DATABASE = "nuanxin_bench"  # the copy that is served and measured
PG_PRISTINE = "nuanxin_bench_template"  # the loaded data set, never served; CREATE DATABASE … TEMPLATE
MAX_AGE = timedelta(days=7)


def database_url(db: str, *, pristine: bool = False) -> str:
    if db == "sqlite":
        return f"sqlite:///{SQLITE_PRISTINE if pristine else SQLITE_PATH}"
    return f"{PG_SERVER}/{PG_PRISTINE if pristine else PG_DATABASE}"


def meta_path(db: str) -> Path:
    return BENCH_DIR / f"meta-{db}.json"


def logger(who: str):
    """A ``log(message)`` that prints ``[who HH:MM:SS] message`` at once."""

    def log(message: str) -> None:
        print(f"[{who} {time.strftime('%H:%M:%S')}] {message}", flush=True)

    return log
