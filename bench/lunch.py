"""The lunch peak: the real mix of requests at a fixed arrival rate (open loop), stepped up to the highest rate
at which p99 stays under 200 ms with no errors (``make bench``; ``python -m bench.run --only lunch``).

**The city.** 100,000 riders at lunch, 10 % active (10,000), each opening about 3 pages a minute: 30,000
requests a minute, **500 requests/s**. :data:`MIX` splits them (per 100 requests):

* **voucher poll, 30** — every open voucher screen asks every 2 s (``/vouchers/<id>/status``, 204 until
  the counter confirms). With 5 redemptions a second (300 a minute, 18,000 in the lunch hour: about one
  rider in six spends a voucher on lunch, what the vouchers are for) and a screen open for about a minute
  (order, wait, show the code), 300 screens are open at once: 150 polls/s, the largest single share.
* **counter look-up, 1, and confirm, 1** — the 5 redemptions a second: staff open the voucher's page from
  the code (``/merchant/vouchers/<code>``) and tap confirm (the htmx POST), once each per voucher.
* **task list, 22; task page, 16; sign-up, 3** — the rest are page views between orders: the list is the
  app's home for riders (110/s), a task is opened from it (80/s), and about one opening in five leads to
  a sign-up tap (15/s; a full task puts the rider on its waitlist, an overlapping one is refused with 409
  and says why: both real answers).
* **wallet, 13; offers, 14** — at lunch riders check their points (65/s) and browse offers before going
  to a restaurant (70/s; more than the 5 redemptions a second, as most look without spending).

The inbox badge (``/inbox/unread``, every 30 s on an open page) is left out: a page view lasts about
20 s here, so most pages are gone before their first badge poll.

**The load.** :mod:`bench.openloop` (threads in this process): request ``i`` of a step is due at
``i / rate`` seconds, whatever the server answers, and its latency counts from that due time (the wrk2 way:
a request that left late because every thread was waiting on the server is charged with that wait), so the
queue in front of the workers shows. locust was tried first and dropped: its own latency dwarfed the app's
(see that module). Requests ask for gzip, as phones do. Each step: :data:`WARMUP_SECONDS` sent and not
counted, then :data:`STEP_SECONDS` measured. A step passes with p99 < 200 ms over all requests, no failed
request (a status other than the expected one, or no answer), and at least 95 % of the rate achieved.
Rates go up by 100 from 100 until a step fails, then two halvings between the last pass and the fail (if
100/s already fails: halving down, to 10/s at least, until a step passes).
"""

import json
import math
import random
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from bench import openloop
from bench.browser import Browser
from bench.machine import CpuMeter
from bench.openloop import Call
from bench.settings import BENCH_DIR as WORK
from bench.settings import logger

if TYPE_CHECKING:
    from bench.measure import Server

log = logger("lunch")

MIX = {"voucher_poll": 30, "task_list": 22, "task_page": 16, "signup": 3, "wallet": 13, "offers": 14,
       "counter_lookup": 1, "counter_confirm": 1}
WARMUP_SECONDS = 2  # sent, not counted: the first requests of a step
STEP_SECONDS = 15
P99_LIMIT_MS = 200.0
ACHIEVED_SHARE = 0.95
SIGNUP_RIDERS = 20  # riders whose sessions tap "sign up" (phones 15000000003 …)
assert sum(MIX.values()) == 100


def write_plan(server: "Server", meta: dict, rider_cookie: str, lookups: list[dict], db: str) -> dict:
    """Log in the sign-up riders and write the plan the locustfile reads; return it."""
    password = meta["password"]
    riders = []
    for n in range(3, 3 + SIGNUP_RIDERS):
        browser = Browser(server.base).login(f"15{n:09d}", password, "/tasks")
        riders.append({"cookie": browser.cookie, "token": browser.token})
    plan = {"weights": MIX, "rider_cookie": rider_cookie, "poll_path": f"/vouchers/{meta['bench_voucher_id']}/status",
            "task_paths": [f"/tasks/{t}" for t in meta["upcoming_task_ids"]], "signup_riders": riders,
            "lookups": lookups, "confirm_file": str(WORK / f"confirm-lunch-step-{db}.txt")}
    (WORK / f"lunch-plan-{db}.json").write_text(json.dumps(plan))
    return plan


def _percentile(values: list[float], share: float) -> float | None:
    """The nearest-rank percentile of sorted ``values`` (``None`` when empty)."""
    return values[min(len(values) - 1, max(0, math.ceil(share * len(values)) - 1))] if values else None


def call_maker(plan: dict, confirms: list[list[str]]) -> Callable[[random.Random], Call]:
    """``draw(rng)``: the next request of the mix (:data:`MIX`), as the plan's sessions send it; ``confirms``
    (``[code, cookie, token]`` never sent before) is used up from the end by the counter confirms."""
    kinds = list(plan["weights"])
    weights = [plan["weights"][kind] for kind in kinds]
    gzip = {"Accept-Encoding": "gzip"}  # as a phone's browser asks (br over HTTPS; gzip here, plain HTTP)
    rider = {**gzip, "Cookie": plan["rider_cookie"]}

    def draw(rng: random.Random) -> Call:
        kind = rng.choices(kinds, weights)[0]
        label = LABELS[kind]
        if kind == "voucher_poll":
            return Call(label, "GET", plan["poll_path"], {**rider, "HX-Request": "true"}, ok=(204,))
        if kind == "task_list":
            return Call(label, "GET", "/tasks", rider)
        if kind == "task_page":
            return Call(label, "GET", rng.choice(plan["task_paths"]), rider)
        if kind == "signup":
            # a full task puts the rider on its waitlist; an overlapping one is refused with 409 and says why
            who = rng.choice(plan["signup_riders"])
            return Call(label, "POST", rng.choice(plan["task_paths"]) + "/signup", _post_headers(who["cookie"],
                        who["token"]), f"csrf_token={who['token']}&waitlist=1", ok=(200, 409))
        if kind == "wallet":
            return Call(label, "GET", "/wallet", rider)
        if kind == "offers":
            return Call(label, "GET", "/offers", rider)
        if kind == "counter_lookup":
            staff = rng.choice(plan["lookups"])
            return Call(label, "GET", staff["path"], {**gzip, "Cookie": staff["cookie"]})
        code, cookie, token = confirms.pop()
        return Call(label, "POST", f"/merchant/vouchers/{code}/confirm",
                    {**_post_headers(cookie, token), "HX-Target": "merchant-voucher"}, f"csrf_token={token}")

    return draw


def _post_headers(cookie: str, token: str) -> dict:
    return {"Accept-Encoding": "gzip", "Cookie": cookie, "X-CSRFToken": token, "HX-Request": "true",
            "Content-Type": "application/x-www-form-urlencoded"}


def run_step(server: "Server", db: str, rate: int, codes: list[str], priority: int = 0) -> dict:
    """One step at ``rate`` requests/s; ``codes`` are confirm lines (``code cookie token``) never sent before.
    ``priority`` is kept for the runner's signature (the generator runs in this process)."""
    confirms = math.ceil(rate * (STEP_SECONDS + WARMUP_SECONDS) * MIX["counter_confirm"] / 100 * 1.5) + 20
    if len(codes) < confirms:
        raise RuntimeError(f"lunch: {len(codes)} open vouchers left, a step at {rate}/s needs {confirms}")
    step_codes, codes[:] = codes[:confirms], codes[confirms:]
    plan = json.loads((WORK / f"lunch-plan-{db}.json").read_text())
    draw = call_maker(plan, [line.split() for line in step_codes])
    port = int(server.base.rsplit(":", 1)[1])
    start = server.log_offset()
    with CpuMeter(server.process.pid) as meter:
        outcomes = openloop.run(port=port, rate=rate, seconds=STEP_SECONDS, warmup=WARMUP_SECONDS, draw=draw)
    end = server.log_offset()
    stats = openloop.summary(outcomes, STEP_SECONDS)
    served = sorted(server.server_times(start, end))
    total = stats["Aggregated"]
    achieved = total["count"] / STEP_SECONDS
    reasons = []
    if total["p99"] is None or total["p99"] >= P99_LIMIT_MS:
        reasons.append("p99")
    if total["failures"]:
        reasons.append("errors")
    if achieved < ACHIEVED_SHARE * rate:
        reasons.append("rate not reached")
    step = {"rate": rate, "achieved": round(achieved, 1), "p50": total["p50"], "p99": total["p99"],
            "max": total["max"], "requests": total["count"], "failures": total["failures"],
            "failure_list": sorted({f"{o.kind}: {o.error}" for o in outcomes if o.error})[:5],
            "passed": not reasons, "reasons": reasons,
            "kinds": {k: v for k, v in stats.items() if k != "Aggregated"},
            "statuses": dict(sorted(server.statuses(start, end).items())), "busy_cpu_pct": round(meter.busy_pct, 1),
            "server_p50": _percentile(served, 0.50), "server_p99": _percentile(served, 0.99),
            "foreign_cpu_pct": round(meter.foreign_pct, 1),
            "command": f"python -m bench.run --only lunch (openloop.run(rate={rate}, seconds={STEP_SECONDS}, "
                       f"warmup={WARMUP_SECONDS}))"}
    log(f"{db}: {rate}/s → {achieved:.0f}/s achieved, p50 {total['p50']} ms, p99 {total['p99']} ms, "
        f"{total['failures']} failed, CPU busy {meter.busy_pct:.0f}% (others {meter.foreign_pct:.0f}%): "
        + ("pass" if not reasons else "FAIL (" + ", ".join(reasons) + ")"))
    return step


def search(server: "Server", db: str, codes: list[str], *, start: int = 100, step: int = 100, top: int = 1200,
           halvings: int = 2, floor: int = 10, priority: int = 0) -> dict:
    """The step search: up by ``step`` from ``start`` until a step fails (or ``top``), then ``halvings``
    bisections between the highest pass and the lowest fail; when even ``start`` fails, halving down to
    ``floor`` until a step passes. Returns the steps and the highest passing rate (0: none passed)."""
    steps, best, worst = [], 0, None
    rate = start
    while rate <= top:
        outcome = run_step(server, db, rate, codes, priority)
        steps.append(outcome)
        if not outcome["passed"]:
            worst = rate
            break
        best = rate
        rate += step
        time.sleep(2)
    while worst is not None and best == 0 and worst // 2 >= floor:  # even the first step failed: go down
        time.sleep(2)
        outcome = run_step(server, db, worst // 2, codes, priority)
        steps.append(outcome)
        if outcome["passed"]:
            best = worst // 2
        else:
            worst //= 2
    for _ in range(halvings if worst and best else 0):
        middle = (best + worst) // 2
        if middle in (best, worst):
            break
        time.sleep(2)
        outcome = run_step(server, db, middle, codes, priority)
        steps.append(outcome)
        if outcome["passed"]:
            best = middle
        else:
            worst = middle
    return {"steps": steps, "best": best, "first_fail": worst, "mix": MIX, "warmup": WARMUP_SECONDS,
            "step_seconds": STEP_SECONDS}


LABELS = {"voucher_poll": "voucher poll", "task_list": "task list", "task_page": "task page", "signup": "sign-up",
          "wallet": "wallet", "offers": "offers", "counter_lookup": "counter look-up",
          "counter_confirm": "counter confirm"}


def _n(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


def lunch_markdown(results: dict[str, dict], db_labels: dict[str, str]) -> list[str]:
    """The lunch peak's part of the results: the mix, every step per database, the highest passing rate."""
    first = next(iter(results.values()))
    mix = ", ".join(f"{LABELS[k]} {v}" for k, v in first["mix"].items())
    out = ["", "### The lunch peak (open loop, `bench/lunch.py`)", "",
           f"The real mix at a fixed arrival rate (`bench/openloop.py`: requests leave on a fixed schedule, latency "
           f"counted from each one's due time; {first['step_seconds']} s measured per step after "
           f"{first['warmup']} s of warm-up; requests ask for gzip). Mix per 100 "
           f"requests: {mix} (why: `bench/lunch.py`). A step passes with p99 under {P99_LIMIT_MS:.0f} ms, no "
           f"failed request and at least {ACHIEVED_SHARE:.0%} of the rate achieved. Goal: 500 requests/s.", ""]
    for db, result in results.items():
        best = result["best"]
        out.append(f"**{db_labels[db]}: highest passing rate {best:,} requests/s**"
                   + (f" (first failing step {result['first_fail']:,}/s)." if result["first_fail"] else "."))
    out += ["", "p50/p99/max: as the client saw them (from the due time to the last byte). Server p50/p99: "
            "gunicorn's own time per request (access log, `%(M)s`), without the wait for a free worker.", "",
            "| database | rate asked /s | achieved /s | p50 ms | p99 ms | max ms | server p50 / p99 ms | failed "
            "| CPU busy (others) | statuses (access log) | verdict |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |"]
    for db, result in results.items():
        for s in sorted(result["steps"], key=lambda s: s["rate"]):
            statuses = ", ".join(f"{n:,}× {code}" for code, n in s["statuses"].items())
            verdict = "pass" if s["passed"] else "**fail** (" + ", ".join(s["reasons"]) + ")"
            served = f"{_n(s.get('server_p50'))} / {_n(s.get('server_p99'))}"
            out.append(f"| {db_labels[db]} | {s['rate']:,} | {s['achieved']:,.0f} | {_n(s['p50'])} | {_n(s['p99'])} | "
                       f"{_n(s['max'])} | {served} | {s['failures']} | "
                       f"{s['busy_cpu_pct']:.0f}% ({s['foreign_cpu_pct']:.0f}%) | "
                       f"{statuses} | {verdict} |")
    out += ["", "p50/p99 per kind of request at the highest passing step:", "",
            "| database | kind | requests | p50 ms | p99 ms |", "| --- | --- | ---: | ---: | ---: |"]
    for db, result in results.items():
        passed = [s for s in result["steps"] if s["rate"] == result["best"]]
        for name, k in sorted(passed[0]["kinds"].items()) if passed else []:
            out.append(f"| {db_labels[db]} | {name} | {k['count']:,} | {k['p50']} | {k['p99']} |")
    out += ["", "Each step runs inside `make bench` (`python -m bench.run --only lunch` alone): the runner logs in "
            "the sessions, writes `$WORK/lunch-plan-<db>.json` and takes fresh open vouchers for the confirms."]
    return out
