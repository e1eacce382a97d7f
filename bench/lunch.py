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

**The load.** locust (``bench/lunch_locustfile.py``, its own process: it monkeypatches with gevent), each
simulated user sending one request every :data:`PACING` seconds (``constant_pacing``), so the arrival
rate is fixed at users ÷ pacing whatever the server answers, as long as each answer comes within the
pacing time; a step whose achieved rate falls short (the server queued past 2 s) fails. Requests ask for
gzip, as phones do. Each step: ``PACING`` s of ramp (users started evenly), then :data:`STEP_SECONDS`
measured (statistics reset after the ramp). A step passes with p99 < 200 ms over all requests, no failed
request (a status other than the expected one, or no answer), and at least 95 % of the rate achieved.
Rates go up by 100 from 100 until a step fails, then two halvings between the last pass and the fail (if
100/s already fails: halving down, to 10/s at least, until a step passes).
"""

import csv
import json
import math
import os
import shlex
import subprocess
import time
from typing import TYPE_CHECKING

from bench.browser import Browser
from bench.machine import CpuMeter
from bench.servers import nice_prefix
from bench.settings import BENCH_DIR as WORK
from bench.settings import ROOT, logger

if TYPE_CHECKING:
    from bench.measure import Server

log = logger("lunch")

MIX = {"voucher_poll": 30, "task_list": 22, "task_page": 16, "signup": 3, "wallet": 13, "offers": 14,
       "counter_lookup": 1, "counter_confirm": 1}
PACING = 2.0  # seconds between one simulated user's requests
STEP_SECONDS = 15
P99_LIMIT_MS = 200.0
ACHIEVED_SHARE = 0.95
SIGNUP_RIDERS = 20  # riders whose sessions tap "sign up" (phones 15000000003 …)
LOCUSTFILE = ROOT / "bench" / "lunch_locustfile.py"
assert sum(MIX.values()) == 100


def locust_executable() -> str:
    path = ROOT / ".venv" / "bin" / "locust"
    return str(path) if path.exists() else "locust"


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


def read_stats(prefix: str) -> dict:
    """locust's ``<prefix>_stats.csv``: the aggregated row and each request kind's count, failures, p50, p99."""
    rows = {}
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rows[row["Name"]] = {"count": int(row["Request Count"]), "failures": int(row["Failure Count"]),
                                 "rps": float(row["Requests/s"]), "p50": _ms(row["50%"]), "p99": _ms(row["99%"]),
                                 "max": _ms(row["Max Response Time"])}
    return rows


def _percentile(values: list[float], share: float) -> float | None:
    """The nearest-rank percentile of sorted ``values`` (``None`` when empty)."""
    return values[min(len(values) - 1, max(0, math.ceil(share * len(values)) - 1))] if values else None


def _ms(text: str) -> float | None:
    return None if text in ("", "N/A") else float(text)


def failures(prefix: str) -> list[str]:
    try:
        with open(f"{prefix}_failures.csv", encoding="utf-8") as handle:
            return [f"{r['Name']}: {r['Error']} × {r['Occurrences']}" for r in csv.DictReader(handle)]
    except FileNotFoundError:
        return []


def run_step(server: "Server", db: str, rate: int, codes: list[str], priority: int = 0) -> dict:
    """One step at ``rate`` requests/s; ``codes`` are confirm lines (``code cookie token``) never sent before."""
    users = max(1, round(rate * PACING))
    confirms = math.ceil(rate * (STEP_SECONDS + PACING + 5) * MIX["counter_confirm"] / 100 * 1.5) + 20
    if len(codes) < confirms:
        raise RuntimeError(f"lunch: {len(codes)} open vouchers left, a step at {rate}/s needs {confirms}")
    step_codes, codes[:] = codes[:confirms], codes[confirms:]
    (WORK / f"confirm-lunch-step-{db}.txt").write_text("".join(line + "\n" for line in step_codes))
    prefix = str(WORK / f"lunch-{db}-{rate}")
    argv = [locust_executable(), "-f", str(LOCUSTFILE), "--headless", "--host", server.base, "-u", str(users),
            "-r", str(max(1, math.ceil(users / PACING))), "-t", f"{int(PACING + STEP_SECONDS)}s", "--reset-stats",
            "--csv", prefix, "--only-summary", "--loglevel", "ERROR", "--stop-timeout", "5"]
    env = {**os.environ, "LUNCH_PLAN": str(WORK / f"lunch-plan-{db}.json"), "LUNCH_PACING": str(PACING)}
    start = server.log_offset()
    with CpuMeter(server.process.pid) as meter:
        result = subprocess.run([*nice_prefix(priority), *argv], env=env, capture_output=True, text=True,
                                timeout=PACING + STEP_SECONDS + 120)
    end = server.log_offset()
    if not os.path.exists(f"{prefix}_stats.csv"):
        raise RuntimeError(f"locust failed ({result.returncode}): {result.stderr[-2000:]}")
    stats = read_stats(prefix)
    served = sorted(server.server_times(start, end))
    total = stats.get("Aggregated", {"count": 0, "failures": 0, "rps": 0.0, "p50": None, "p99": None, "max": None})
    achieved = total["count"] / STEP_SECONDS
    reasons = []
    if total["p99"] is None or total["p99"] >= P99_LIMIT_MS:
        reasons.append("p99")
    if total["failures"]:
        reasons.append("errors")
    if achieved < ACHIEVED_SHARE * rate:
        reasons.append("rate not reached")
    step = {"rate": rate, "users": users, "achieved": round(achieved, 1), "p50": total["p50"], "p99": total["p99"],
            "max": total["max"], "requests": total["count"], "failures": total["failures"],
            "failure_list": failures(prefix)[:5], "passed": not reasons, "reasons": reasons,
            "kinds": {k: v for k, v in stats.items() if k != "Aggregated"},
            "statuses": dict(sorted(server.statuses(start, end).items())), "busy_cpu_pct": round(meter.busy_pct, 1),
            "server_p50": _percentile(served, 0.50), "server_p99": _percentile(served, 0.99),
            "foreign_cpu_pct": round(meter.foreign_pct, 1),
            "command": " ".join(shlex.quote(a) for a in argv).replace(server.base, "http://127.0.0.1:$PORT")
            .replace(str(ROOT) + "/", "").replace(str(WORK), "$WORK")}
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
    return {"steps": steps, "best": best, "first_fail": worst, "mix": MIX, "pacing": PACING,
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
           f"The real mix at a fixed arrival rate (locust, each user one request every {first['pacing']:g} s; "
           f"{first['step_seconds']} s measured per step after the ramp; requests ask for gzip). Mix per 100 "
           f"requests: {mix} (why: `bench/lunch.py`). A step passes with p99 under {P99_LIMIT_MS:.0f} ms, no "
           f"failed request and at least {ACHIEVED_SHARE:.0%} of the rate achieved. Goal: 500 requests/s.", ""]
    for db, result in results.items():
        best = result["best"]
        out.append(f"**{db_labels[db]}: highest passing rate {best:,} requests/s**"
                   + (f" (first failing step {result['first_fail']:,}/s)." if result["first_fail"] else "."))
    out += ["", "p50/p99/max: as locust saw them (from sending to the last byte). Server p50/p99: gunicorn's own time "
            "per request (access log, `%(M)s`), without the wait for a free worker.", "",
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
    commands = [s["command"] for r in results.values() for s in r["steps"]][:1]
    out += ["", "One step's command (the runner logs in, writes `$WORK/lunch-plan-<db>.json` and a fresh file of "
            "open vouchers per step):", "", "```sh", *(f"LUNCH_PLAN=$WORK/lunch-plan-<db>.json {c}" for c in commands),
            "```"]
    return out
