"""A ``sqlite:///path`` storage for the ``limits`` library: counts shared by every process on one machine.

The default storage of the abuse limits when no Redis is configured (``RATELIMIT_STORAGE_URI`` empty):
``flask run`` and every gunicorn worker open the same small file (``instance/ratelimits.db``), so a limit
counts the same whichever process answers. It supports the fixed-window strategy (the one
:mod:`core.ratelimit` uses): one row per key, incremented by a single atomic ``INSERT … ON CONFLICT DO
UPDATE … RETURNING`` statement, in WAL mode with a short busy timeout. It is separate from the app's
database on purpose: no migration, nothing to clean up in backups, and the app's PostgreSQL is not
written on every failed log-in. Several machines need Redis (see the README).

Importing this module registers the ``sqlite`` scheme with ``limits.storage.storage_from_string``.
"""

import os
import sqlite3
import threading
import time

from limits.storage import Storage

SCHEMA = ("CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, count INTEGER NOT NULL, "
          "expires_at REAL NOT NULL)")
INCREMENT = """
INSERT INTO counters (key, count, expires_at) VALUES (:key, :amount, :expires_at)
ON CONFLICT (key) DO UPDATE SET
    count = CASE WHEN counters.expires_at <= :now THEN excluded.count ELSE counters.count + excluded.count END,
    expires_at = CASE WHEN counters.expires_at <= :now THEN excluded.expires_at ELSE counters.expires_at END
RETURNING count
"""
PURGE_EVERY = 60.0  # seconds between deletions of expired rows, per process


class SQLiteStorage(Storage):
    """Fixed-window counters in an SQLite file, e.g. ``sqlite:////srv/nuanxin/instance/ratelimits.db``.

    ``timeout`` (seconds, default 1) bounds the wait for another process's write lock; a longer wait
    raises ``sqlite3.OperationalError`` (``limits.errors.StorageError`` with ``wrap_exceptions=True``).
    One connection per thread and process (a forked worker never reuses its parent's).
    """

    STORAGE_SCHEME = ["sqlite"]  # noqa: RUF012 - the registry of ``limits`` reads this class attribute

    def __init__(self, uri: str, wrap_exceptions: bool = False, timeout: float = 1.0, **_options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        self.path = uri.removeprefix("sqlite:///")
        if not self.path or self.path == uri:
            raise ValueError(f"expected sqlite:///path/to/file.db, got {uri!r}")
        self.timeout = float(timeout)
        self._local = threading.local()
        self._purged_at = 0.0

    @property
    def base_exceptions(self) -> type[Exception]:
        """What a failing storage raises (``limits`` wraps these when asked to)."""
        return sqlite3.Error

    def _db(self) -> sqlite3.Connection:
        conn, pid = getattr(self._local, "conn", None), getattr(self._local, "pid", None)
        if conn is not None and pid == os.getpid():
            return conn
        directory = os.path.dirname(self.path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute(SCHEMA)
        self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add ``amount`` to ``key`` (a fresh window of ``expiry`` seconds if it expired); the new count."""
        now = time.time()
        db = self._db()
        count = db.execute(INCREMENT, {"key": key, "amount": amount, "expires_at": now + expiry,
                                       "now": now}).fetchone()[0]
        if now - self._purged_at > PURGE_EVERY:
            self._purged_at = now
            db.execute("DELETE FROM counters WHERE expires_at <= ?", (now,))
        return int(count)

    def get(self, key: str) -> int:
        """The count of ``key`` in its current window (0 when absent or expired)."""
        row = self._db().execute("SELECT count FROM counters WHERE key = ? AND expires_at > ?",
                                 (key, time.time())).fetchone()
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        """When the window of ``key`` ends (epoch seconds); now when there is none."""
        now = time.time()
        row = self._db().execute("SELECT expires_at FROM counters WHERE key = ? AND expires_at > ?",
                                 (key, now)).fetchone()
        return float(row[0]) if row else now

    def check(self) -> bool:
        """True when the file can be opened and read."""
        try:
            self._db().execute("SELECT 1 FROM counters LIMIT 1").fetchall()
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int:
        """Forget every count; returns how many keys there were."""
        return self._db().execute("DELETE FROM counters").rowcount

    def clear(self, key: str) -> None:
        """Forget the count of ``key``."""
        self._db().execute("DELETE FROM counters WHERE key = ?", (key,))
