"""The lunch peak's riders and counters for locust (``bench.lunch`` starts it; never imported by the app or tests).

locust monkeypatches the standard library with gevent when it starts, so this file runs only inside its own
``locust`` process. It reads the plan ``bench.lunch`` wrote (``$LUNCH_PLAN``, JSON: session cookies, CSRF
tokens, paths, and a file of open vouchers for the counters' confirm POSTs) and sends the mix of
:data:`bench.lunch.MIX` at a fixed pace: each simulated user sends one request every ``$LUNCH_PACING``
seconds whatever the answers (``constant_pacing``), so the arrival rate is users ÷ pacing and does not
slow down while the server queues (as long as answers come within the pacing time; ``bench.lunch``
checks the achieved rate).
"""

import json
import os
import random

from locust import FastHttpUser, constant_pacing, task

PLAN = json.loads(open(os.environ["LUNCH_PLAN"], encoding="utf-8").read())  # noqa: SIM115
PACING = float(os.environ.get("LUNCH_PACING", "2"))
WEIGHTS = PLAN["weights"]
RNG = random.Random(11)
CONFIRMS = [line.split() for line in open(PLAN["confirm_file"], encoding="utf-8")]  # noqa: SIM115
GZIP = {"Accept-Encoding": "gzip"}  # as a phone's browser asks (br over HTTPS; gzip here, plain HTTP)


class LunchUser(FastHttpUser):
    """One request every ``PACING`` seconds, the kind drawn by the mix's weights."""

    wait_time = constant_pacing(PACING)

    def _get(self, path: str, cookie: str, name: str, *, htmx: bool = False, ok=(200,)):
        headers = {**GZIP, "Cookie": cookie}
        if htmx:
            headers["HX-Request"] = "true"
        with self.client.get(path, headers=headers, name=name, catch_response=True) as response:
            if response.status_code not in ok:
                response.failure(f"status {response.status_code}")
            else:
                response.success()

    def _post(self, path: str, cookie: str, token: str, name: str, data: str, ok=(200,), target: str = ""):
        headers = {**GZIP, "Cookie": cookie, "X-CSRFToken": token, "HX-Request": "true",
                   "Content-Type": "application/x-www-form-urlencoded"}
        if target:
            headers["HX-Target"] = target
        with self.client.post(path, data=data, headers=headers, name=name, catch_response=True) as response:
            if response.status_code not in ok:
                response.failure(f"status {response.status_code}")
            else:
                response.success()

    @task(WEIGHTS["voucher_poll"])
    def voucher_poll(self):
        self._get(PLAN["poll_path"], PLAN["rider_cookie"], "voucher poll", htmx=True, ok=(204,))

    @task(WEIGHTS["task_list"])
    def task_list(self):
        self._get("/tasks", PLAN["rider_cookie"], "task list")

    @task(WEIGHTS["task_page"])
    def task_page(self):
        self._get(RNG.choice(PLAN["task_paths"]), PLAN["rider_cookie"], "task page")

    @task(WEIGHTS["signup"])
    def signup(self):
        # A rider signs up for a task (or joins its waitlist when it is full); an overlapping task or one
        # whose rules the rider does not meet is refused with 409 and the widget saying why: real answers.
        rider = RNG.choice(PLAN["signup_riders"])
        path = RNG.choice(PLAN["task_paths"]) + "/signup"
        self._post(path, rider["cookie"], rider["token"], "sign-up",
                   f"csrf_token={rider['token']}&waitlist=1", ok=(200, 409))

    @task(WEIGHTS["wallet"])
    def wallet(self):
        self._get("/wallet", PLAN["rider_cookie"], "wallet")

    @task(WEIGHTS["offers"])
    def offers(self):
        self._get("/offers", PLAN["rider_cookie"], "offers")

    @task(WEIGHTS["counter_lookup"])
    def counter_lookup(self):
        staff = RNG.choice(PLAN["lookups"])
        self._get(staff["path"], staff["cookie"], "counter look-up")

    @task(WEIGHTS["counter_confirm"])
    def counter_confirm(self):
        if not CONFIRMS:  # the file holds more open vouchers than a step sends; never reached
            return
        code, cookie, token = CONFIRMS.pop()
        self._post(f"/merchant/vouchers/{code}/confirm", cookie, token, "counter confirm", f"csrf_token={token}",
                   target="merchant-voucher")
