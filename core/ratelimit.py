"""Budgets of failures per person or address (log-ins, registrations, unknown voucher codes, check-in codes).

The counts live in one storage shared by every process of the app (``limits`` fixed windows):
Redis with ``RATELIMIT_STORAGE_URI=redis://…`` (several machines), otherwise an SQLite file in
``instance/`` (:mod:`core.limitstore`, every process on this machine); ``memory://`` counts in the
process only (tests). A view asks :meth:`Budget.blocked_until` before acting and calls
:meth:`Budget.spend` after a failure, so the screen can say *when* to try again instead of a bare 429.

When the storage fails (Redis down, or hanging past ``RATELIMIT_STORAGE_TIMEOUT``), the limits count in
the process for ``RATELIMIT_RETRY_SECONDS`` before the storage is tried again; the app logs one warning
per outage and ``/healthz`` says ``"limits": "degraded"``. Pages never fail because of the limits.
"""

import logging
import os
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from flask import Flask, current_app
from limits import parse
from limits.errors import StorageError
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter, RateLimiter

import core.limitstore  # noqa: F401 - registers the sqlite:// storage scheme

T = TypeVar("T")
EXTENSION = "nuanxin_limits"


def storage_options(uri: str, timeout: float) -> dict:
    """Options for ``storage_from_string(uri)`` that bound every call by ``timeout`` seconds.

    Redis: connect and read timeouts and no retries (redis-py retries three times by default, which
    would multiply a hang); SQLite: the busy timeout. Other storages take no options.
    """
    if uri.startswith(("redis", "rediss", "valkey")):
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        return {"socket_connect_timeout": timeout, "socket_timeout": timeout, "retry": Retry(NoBackoff(), 0)}
    if uri.startswith("sqlite"):
        return {"timeout": timeout}
    return {}


class Counts:
    """One app's limit counter: the shared storage, and an in-process fallback while it fails.

    ``uri`` is a ``limits`` storage URI; ``timeout`` bounds each storage call (seconds); after a
    failure the fallback counts for ``retry_after`` seconds before the storage is tried again; the
    warnings go to ``logger`` (the app's).
    """

    def __init__(self, uri: str, *, timeout: float, retry_after: float, logger: logging.Logger):
        self.uri = uri
        self.log = logger
        self.shared = FixedWindowRateLimiter(
            storage_from_string(uri, wrap_exceptions=True, **storage_options(uri, timeout)))
        self.local = FixedWindowRateLimiter(MemoryStorage())
        self.retry_after = retry_after
        self._down_until = 0.0
        self._degraded = False
        self._lock = threading.Lock()

    @property
    def degraded(self) -> bool:
        """True while the shared storage is failing and the limits count in this process."""
        return self._degraded

    def run(self, operation: Callable[[RateLimiter], T]) -> T:
        """Run ``operation(limiter)`` on the shared storage, or on the in-process one while it fails.

        Never raises for a storage failure: the first failure of an outage logs a warning, the
        recovery an info line.
        """
        if time.monotonic() < self._down_until:
            return operation(self.local)
        try:
            result = operation(self.shared)
        except (StorageError, OSError) as error:
            self._failed(error)
            return operation(self.local)
        if self._degraded:
            with self._lock:
                if self._degraded:
                    self._degraded = False
                    self.log.info("Abuse limits: the storage answers again; counting there (pid %s).", os.getpid())
        return result

    def check(self) -> bool:
        """Ask the shared storage whether it is healthy (bounded by the timeout); False while degraded."""
        if time.monotonic() < self._down_until:
            return False
        try:
            healthy = self.shared.storage.check()
        except (StorageError, OSError) as error:
            healthy, reason = False, error
        else:
            reason = "health check failed"
        if not healthy:
            self._failed(reason)
        return healthy

    def _failed(self, error) -> None:
        with self._lock:
            self._down_until = time.monotonic() + self.retry_after
            if self._degraded:
                return
            self._degraded = True
        self.log.warning("Abuse limits: the storage %s failed (%s); counting in this process (pid %s) until it "
                         "answers again, retried every %s s.", _safe(self.uri), error, os.getpid(), self.retry_after)


def _safe(uri: str) -> str:
    """``uri`` without a password (``redis://:secret@host`` -> ``redis://***@host``)."""
    scheme, _, rest = uri.partition("://")
    return f"{scheme}://***@{rest.rpartition('@')[2]}" if "@" in rest else uri


def default_storage_uri(app: Flask) -> str:
    """The SQLite file shared by the processes on this machine: ``instance/ratelimits.db``."""
    return "sqlite:///" + os.path.join(app.instance_path, "ratelimits.db")


def init_app(app: Flask) -> None:
    """Give ``app`` its counter from ``RATELIMIT_STORAGE_URI`` (empty: :func:`default_storage_uri`).

    Raises ``limits.errors.ConfigurationError`` for an unknown scheme. Opens no connection.
    """
    uri = app.config.get("RATELIMIT_STORAGE_URI") or default_storage_uri(app)
    app.config["RATELIMIT_STORAGE_URI"] = uri
    app.extensions[EXTENSION] = Counts(uri, timeout=float(app.config["RATELIMIT_STORAGE_TIMEOUT"]),
                                       retry_after=float(app.config["RATELIMIT_RETRY_SECONDS"]), logger=app.logger)


def health() -> str:
    """``"ok"`` when the limits count in their shared storage, ``"degraded"`` while they count in the
    process, ``"off"`` when switched off. Takes at most the storage timeout."""
    if not current_app.config["RATELIMIT_ENABLED"]:
        return "off"
    return "ok" if current_app.extensions[EXTENSION].check() else "degraded"


class Budget:
    """A named allowance, e.g. ``Budget("login-phone", "LOGIN_FAILURES_PER_PHONE")``.

    ``setting`` names the config key holding a limit string such as ``"5 per 15 minutes"``.
    """

    def __init__(self, name: str, setting: str):
        self.name = name
        self.setting = setting

    def _limit(self):
        return parse(current_app.config[self.setting])

    def _key(self) -> str:
        """The storage key namespace: ``RATELIMIT_KEY_PREFIX`` keeps apps sharing one storage apart."""
        return f"{current_app.config.get('RATELIMIT_KEY_PREFIX') or 'nuanxin'}:{self.name}"

    def _active(self, identifiers) -> bool:
        return bool(current_app.config["RATELIMIT_ENABLED"]) and all(identifiers)

    def blocked_until(self, *identifiers) -> datetime | None:
        """When the budget of ``identifiers`` refills (aware UTC) if it is used up now, else ``None``.

        ``None`` also when limits are off or an identifier is empty. Never raises for a storage failure.
        """
        if not self._active(identifiers):
            return None
        limit, key = self._limit(), self._key()

        def ask(limiter: RateLimiter) -> float | None:
            if limiter.test(limit, key, *identifiers):
                return None
            return limiter.get_window_stats(limit, key, *identifiers).reset_time

        reset = current_app.extensions[EXTENSION].run(ask)
        return None if reset is None else datetime.fromtimestamp(reset, UTC)

    def spend(self, *identifiers) -> None:
        """Count one failure (or one use) against ``identifiers``. Never raises for a storage failure."""
        if self._active(identifiers):
            limit, key = self._limit(), self._key()
            current_app.extensions[EXTENSION].run(lambda limiter: limiter.hit(limit, key, *identifiers))

    def clear(self, *identifiers) -> None:
        """Forget what ``identifiers`` spent (e.g. a phone proven by an SMS code). Never raises for a storage
        failure."""
        if self._active(identifiers):
            limit, key = self._limit(), self._key()
            current_app.extensions[EXTENSION].run(lambda limiter: limiter.clear(limit, key, *identifiers))


def latest(*moments: datetime | None) -> datetime | None:
    """The latest of the given reset times, ignoring ``None``."""
    present = [m for m in moments if m is not None]
    return max(present) if present else None


LOGIN_BY_PHONE = Budget("login-phone", "LOGIN_FAILURES_PER_PHONE")
LOGIN_BY_ADDRESS = Budget("login-address", "LOGIN_FAILURES_PER_ADDRESS")
REGISTRATION_BY_ADDRESS = Budget("register-address", "REGISTRATIONS_PER_ADDRESS")
UNKNOWN_CODES_BY_STAFF = Budget("unknown-code-staff", "UNKNOWN_CODES_PER_STAFF")
WRONG_CHECKIN_CODES = Budget("wrong-checkin-code", "WRONG_CHECKIN_CODES_PER_RIDER")  # by rider, or address
