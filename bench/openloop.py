"""An open-loop load generator for the lunch peak: requests leave on a fixed schedule, whatever the answers.

Request ``i`` is due at ``start + i / rate``. A pool of threads takes the requests in order, each waiting for
its due time, and every latency is counted **from the due time** to the last byte of the answer (the method of
wrk2, which corrects for coordinated omission): when the server falls behind and every thread is waiting on
it, the requests that leave late are charged with the time they waited to leave, as a rider's phone would
be. Each request opens its own connection (gunicorn's sync workers close every connection after the answer).

Why not locust (tried first, 2.47): on this 2-CPU machine its gevent client added its own latency, growing
with the number of simulated users — the bare route at 58 requests/s measured p50 64–140 ms under locust
(``FastHttpUser`` or ``HttpUser``, with or without evenly spread start times) against 5 ms from these threads,
while gunicorn's access log gave the server 8 ms. A load generator whose own delay is 10–30 times the app's
cannot say where the app's limit is. No wrk2 build or vegeta is packaged for Debian 12 here.
"""

import http.client
import math
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Call:
    """One request: its kind (for the statistics), method, path, headers, body and the statuses that mean
    success."""

    kind: str
    method: str
    path: str
    headers: dict
    body: str | None = None
    ok: tuple[int, ...] = (200,)


@dataclass
class Outcome:
    kind: str
    due: float
    latency_ms: float
    error: str  # "" when the answer had an expected status


def run(*, port: int, rate: float, seconds: float, warmup: float, draw: Callable[[random.Random], Call],
        seed: int = 11, threads: int | None = None, timeout: float = 10.0) -> list[Outcome]:
    """Send ``rate`` requests a second to ``127.0.0.1:port`` for ``warmup + seconds`` seconds, each made by
    ``draw(rng)`` (one seeded ``random.Random``; drawn in order, so a run is repeatable), and return the
    outcomes of the requests due after the warm-up (latency in ms from the due time, see the module)."""
    total = int(rate * (warmup + seconds))
    rng = random.Random(seed)
    calls = [draw(rng) for _ in range(total)]
    pool = threads or int(min(512, max(32, rate * 0.6)))  # enough to keep 0.6 s of answers in flight
    outcomes: list[Outcome] = []
    lock = threading.Lock()
    next_index = iter(range(total))
    start = time.monotonic() + 0.2

    def worker() -> None:
        while True:
            with lock:
                index = next(next_index, None)
            if index is None:
                return
            due = start + index / rate
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            call = calls[index]
            error = ""
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
                try:
                    connection.request(call.method, call.path, body=call.body, headers=call.headers)
                    answer = connection.getresponse()
                    answer.read()
                    if answer.status not in call.ok:
                        error = f"status {answer.status}"
                finally:
                    connection.close()
            except OSError as failure:
                error = f"no answer: {type(failure).__name__}"
            latency = (time.monotonic() - due) * 1000
            if index / rate >= warmup:
                with lock:
                    outcomes.append(Outcome(call.kind, due, latency, error))

    workers = [threading.Thread(target=worker, daemon=True) for _ in range(pool)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=warmup + seconds + timeout + 30)
    return outcomes


def percentile(values: list[float], share: float) -> float | None:
    """The nearest-rank percentile of ``values`` (sorted or not); ``None`` when empty."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def summary(outcomes: list[Outcome], seconds: float) -> dict[str, dict]:
    """Per kind and ``"Aggregated"``: count, failures, requests/s over ``seconds``, p50, p99 and max (ms)."""
    groups: dict[str, list[Outcome]] = {"Aggregated": outcomes}
    for outcome in outcomes:
        groups.setdefault(outcome.kind, []).append(outcome)
    table = {}
    for name, group in groups.items():
        latencies = [o.latency_ms for o in group]
        table[name] = {"count": len(group), "failures": sum(1 for o in group if o.error),
                       "rps": len(group) / seconds, "p50": _round(percentile(latencies, 0.50)),
                       "p99": _round(percentile(latencies, 0.99)), "max": _round(max(latencies, default=None))}
    return table


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
