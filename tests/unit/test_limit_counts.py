"""The SQLite limit storage (shared by processes) and the in-process fallback of core.ratelimit.Counts."""

import logging
from types import SimpleNamespace

import pytest
from limits import parse
from limits.errors import StorageError
from limits.storage import storage_from_string

from core.limitstore import SQLiteStorage
from core.ratelimit import Counts, _safe


@pytest.fixture
def uri(tmp_path):
    return f"sqlite:///{tmp_path / 'sub' / 'limits.db'}"


def test_sqlite_scheme_is_registered_and_counts_are_shared_between_connections(uri):
    first, second = storage_from_string(uri), storage_from_string(uri)
    assert isinstance(first, SQLiteStorage)
    assert [first.incr("k", 60), second.incr("k", 60), first.incr("k", 60, amount=2)] == [1, 2, 4]
    assert second.get("k") == 4 and first.get("other") == 0
    assert second.get_expiry("k") > 0 and first.check()
    second.clear("k")
    assert first.get("k") == 0


def test_an_expired_window_starts_again_from_the_amount(uri, monkeypatch):
    import core.limitstore

    storage = storage_from_string(uri)
    now = [1_000_000.0]
    monkeypatch.setattr(core.limitstore.time, "time", lambda: now[0])
    assert storage.incr("k", 10) == 1 and storage.incr("k", 10) == 2
    assert storage.get_expiry("k") == 1_000_010.0
    now[0] += 10
    assert storage.get("k") == 0
    assert storage.incr("k", 10) == 1 and storage.get_expiry("k") == 1_000_020.0
    assert storage.reset() == 1


def test_a_bad_uri_is_refused():
    with pytest.raises(ValueError, match="sqlite:///"):
        SQLiteStorage("sqlite://")


def test_an_outage_warns_once_counts_in_the_process_and_recovery_goes_back(uri, caplog):
    counts = Counts(uri, timeout=0.5, retry_after=0, logger=logging.getLogger("test.limits"))
    limit = parse("2 per hour")
    flaky = SimpleNamespace(down=False)  # the shared storage fails while down

    def hit(limiter):
        if flaky.down and limiter is counts.shared:
            raise StorageError(ConnectionError("refused"))
        return limiter.hit(limit, "k")

    caplog.set_level("INFO", logger="test.limits")
    assert counts.run(hit) is True
    flaky.down = True
    assert counts.run(hit) is True and counts.degraded  # the in-process count: 1 of 2
    assert counts.run(hit) is True  # 2 of 2
    assert counts.run(hit) is False  # the in-process limit holds
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1 and "refused" in warnings[0].getMessage()
    flaky.down = False
    assert counts.run(hit) is True  # back on the shared storage (its count was 1)
    assert not counts.degraded and "answers again" in caplog.records[-1].getMessage()
    assert counts.run(hit) is False
    flaky.down = True
    counts.run(hit)
    assert len([r for r in caplog.records if r.levelname == "WARNING"]) == 2  # a new outage warns again


def test_the_storage_is_not_retried_until_the_retry_time(uri):
    counts = Counts(uri, timeout=0.5, retry_after=3600, logger=logging.getLogger("test.limits"))
    calls = []

    def op(limiter):
        calls.append(limiter is counts.shared)
        if limiter is counts.shared:
            raise StorageError(TimeoutError("hang"))
        return "local"

    assert [counts.run(op) for _ in range(3)] == ["local"] * 3
    assert calls == [True, False, False, False]  # one try on the shared storage, then in the process
    assert counts.check() is False


def test_passwords_stay_out_of_the_log():
    assert _safe("redis://:s3cret@redis-host:6379/0") == "redis://***@redis-host:6379/0"
    assert _safe("redis://redis-host:6379") == "redis://redis-host:6379"


def test_redis_calls_are_bounded_by_the_timeout_and_never_retried():
    from core.ratelimit import storage_options

    options = storage_options("redis://127.0.0.1:6379", 0.5)
    assert (options["socket_connect_timeout"], options["socket_timeout"]) == (0.5, 0.5)
    assert options["retry"].get_retries() == 0  # redis-py's default of 3 retries would multiply a hang
