"""What is measured: the endpoints, the personas that request them (logged in over HTTP), and how.

:func:`prepare` logs in the measured rider, a rider with a full wallet and the staff of every merchant,
writes wrk's data files (task paths, voucher codes, the confirm POSTs spread over all merchants) and checks
that each endpoint answers its real page before it is measured.
"""

import random
from typing import TYPE_CHECKING

from bench.browser import Browser, fetch
from bench.inbox_rows import ensure_inbox
from bench.settings import BENCH_DIR as WORK
from bench.settings import ROOT

if TYPE_CHECKING:  # for annotations only (it imports this module)
    from bench.measure import Server

BENCH = ROOT / "bench"

ENDPOINTS = [  # key, label, counted against the target?
    ("bare", "bare route `/bench/bare` (base.html, static content)", False),
    ("task_list", "task list `GET /tasks`", True),
    ("task_page", "task page `GET /tasks/<id>` (1,000 upcoming tasks in turn)", True),
    ("wallet", "wallet `GET /wallet` (rider with 25 entries)", True),
    ("wallet_full", "wallet, full history (rider with 266 entries, 200 shown)", False),
    ("voucher_poll", "voucher status poll `GET /vouchers/<id>/status` (htmx, 204)", True),
    ("merchant_page", "merchant confirm page `GET /merchant/vouchers/<code>`", True),
    ("merchant_confirm", "merchant confirm `POST /merchant/vouchers/<code>/confirm` (htmx)", True),
    ("near_me", "near me `GET /stations/?lat=…&lng=…` (10,000 stations, 200 positions in turn)", True),
    ("offers", "offers `GET /offers` (50 restaurants, 150 offers)", True),
    ("inbox", "inbox `GET /inbox`", True),
]
LUNCH = "lunch"  # the lunch-peak scenario (bench.lunch): measured after the endpoints when asked for
LUNCH_CODES = 3000  # open vouchers kept for the lunch peak's confirms (never in the wrk confirm files)
LOOKUP_CODES = 200  # open vouchers of merchant 1 kept for the lunch peak's look-ups (never confirmed)
NOT_BUILT = "page not built"  # what a plan says when its page answers 404 (it lands on another branch)
LABELS = {key: label for key, label, _ in ENDPOINTS}
COUNTED = {key for key, _, counted in ENDPOINTS if counted}


def prepare(server: "Server", meta: dict, rng: random.Random, keys: list[str]) -> dict:
    """Log in, write the wrk data files, check every endpoint once; return the endpoint plans."""
    db, base = server.db, server.base
    password = meta["password"]
    ensure_inbox(db, meta["bench_rider"]["id"])  # notifications come from events, not from the loader
    rider = Browser(base).login(meta["bench_rider"]["phone"], password, "/tasks")
    power = Browser(base).login(meta["power_rider"]["phone"], password, "/tasks")
    staff = {m: Browser(base).login(phone, password, "/merchant/") for m, phone in meta["staff"].items()}
    secrets = {rider.cookie: "$RIDER_COOKIE", power.cookie: "$FULL_WALLET_RIDER_COOKIE",
               staff["1"].cookie: "$STAFF_COOKIE"}

    task_paths = WORK / f"task-paths-{db}.txt"
    task_paths.write_text("".join(f"/tasks/{t}\n" for t in meta["upcoming_task_ids"]))
    codes_1 = meta["issued_codes"]["1"]
    code_paths = WORK / f"merchant-paths-{db}.txt"
    code_paths.write_text("".join(f"/merchant/vouchers/{c}\n" for c in codes_1))
    # The confirm POST: every open voucher of every merchant, merchants interleaved, each with its staff's
    # session. Three codes are kept aside: one to check the endpoint, two for the in-process profile.
    # The lunch peak's counter look-ups read 200 open vouchers of merchant 1 that nothing confirms.
    lookup_codes = codes_1[-LOOKUP_CODES:]
    kept = set(lookup_codes)
    queues = {m: [c for c in codes if m != "1" or c not in kept]
              for m, codes in meta["issued_codes"].items()}
    for codes in queues.values():
        rng.shuffle(codes)
    lines = []
    while any(queues.values()):
        for m, codes in queues.items():
            if codes:
                code = codes.pop()
                lines.append((code, m))
    check_code, spare = lines.pop(), {"merchant_confirm": lines.pop(), "merchant_page": lines.pop()}
    lunch_lines, lines = lines[-LUNCH_CODES:], lines[:-LUNCH_CODES]
    warm_lines, run_lines = lines[:4000], lines[4000:]
    for name, chunk in (("warmup", warm_lines), ("run", run_lines)):
        (WORK / f"confirm-{name}-{db}.txt").write_text(
            "".join(f"{code} {staff[m].cookie.replace(' ', '')} {staff[m].token}\n" for code, m in chunk))

    near_paths = WORK / f"near-paths-{db}.txt"
    points = meta.get("near_me_points") or [(31.9, 120.6)]
    near_paths.write_text("".join(f"/stations/?lat={lat}&lng={lng}\n" for lat, lng in points))
    hx = {"HX-Request": "true"}
    plans = {
        "bare": {"path": "/bench/bare", "headers": {}, "expect": (200, 'id="bench-bare"')},
        "task_list": {"path": "/tasks", "headers": {"Cookie": rider.cookie}, "expect": (200, 'id="task-rows"')},
        "task_page": {"path": "/", "headers": {"Cookie": rider.cookie}, "script": BENCH / "paths.lua",
                      "args": (task_paths,), "check": f"/tasks/{meta['upcoming_task_ids'][0]}",
                      "expect": (200, "signup-widget")},
        "wallet": {"path": "/wallet", "headers": {"Cookie": rider.cookie}, "expect": (200, 'id="wallet-balance"')},
        "wallet_full": {"path": "/wallet", "headers": {"Cookie": power.cookie},
                        "expect": (200, 'id="wallet-balance"')},
        "voucher_poll": {"path": f"/vouchers/{meta['bench_voucher_id']}/status",
                         "headers": {"Cookie": rider.cookie, **hx}, "expect": (204, "")},
        "merchant_page": {"path": "/", "headers": {"Cookie": staff["1"].cookie}, "script": BENCH / "paths.lua",
                          "args": (code_paths,), "check": f"/merchant/vouchers/{codes_1[0]}",
                          "expect": (200, "/confirm")},
        "merchant_confirm": {"path": "/", "headers": {}, "script": BENCH / "confirm.lua",
                             "args": (WORK / f"confirm-run-{db}.txt",),
                             "warmup_args": (WORK / f"confirm-warmup-{db}.txt",),
                             "codes": len(run_lines), "expect": (200, "merchant-voucher ok")},
        # near me is public: measured as a visitor (no session, so no consent page in the way)
        "near_me": {"path": "/", "headers": {}, "script": BENCH / "paths.lua",
                    "args": (near_paths,), "check": f"/stations/?lat={points[0][0]}&lng={points[0][1]}",
                    "expect": (200, "place-station"), "may_be_missing": True},
        "offers": {"path": "/offers", "headers": {"Cookie": rider.cookie}, "expect": (200, 'class="merchant"')},
        "inbox": {"path": "/inbox", "headers": {"Cookie": rider.cookie}, "expect": (200, 'id="inbox"')},
    }
    # Check that each endpoint answers its real page before measuring it.
    for key, item in plans.items():
        if key not in keys:
            continue
        path = item.get("check", item["path"])
        method, body, headers = "GET", None, dict(item["headers"])
        if key == "merchant_confirm":
            code, m = check_code
            path, method, body = f"/merchant/vouchers/{code}/confirm", "POST", f"csrf_token={staff[m].token}"
            headers = {"Cookie": staff[m].cookie, "X-CSRFToken": staff[m].token, **hx,
                       "Content-Type": "application/x-www-form-urlencoded"}
        status, text = fetch(base, path, headers, method, body)
        if status == 404 and item.get("may_be_missing"):
            item["missing"] = NOT_BUILT
            item["check_result"] = f"{method} {path} → 404: {NOT_BUILT}"
            continue
        want_status, marker = item["expect"]
        if status != want_status or marker not in text:
            raise RuntimeError(f"{db} {key}: {method} {path} answered {status} without {marker!r}:\n{text[:500]}")
        item["check_result"] = f"{method} {path} → {status}, {len(text.encode())} bytes"
        if key == "task_list":
            item["check_result"] += f", {text.count('task-card')} task cards"
        if key.startswith("wallet"):
            rows = text.count('class="amount')
            item["check_result"] += f", {rows} ledger rows"
    lunch = {"rider_cookie": rider.cookie,
             "codes": [f"{code} {staff[m].cookie.replace(' ', '')} {staff[m].token}" for code, m in lunch_lines],
             "lookups": [{"path": f"/merchant/vouchers/{c}", "cookie": staff["1"].cookie} for c in lookup_codes]}
    return {"plans": plans, "secrets": secrets, "spare": spare, "lunch": lunch}
