"""The benchmark data set, generated in memory as rows: people, merchants, tasks and sign-ups.

Rows are tuples in table column order (:data:`bench.bulk.COLUMNS`) with naive UTC datetimes; the vouchers
and the ledger are made by :func:`bench.ledger_rows.make_ledger`. See :mod:`bench.load` for what the data
set holds and which invariants it keeps.
"""

import base64
import hashlib
import random
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from bench.ledger_rows import make_ledger
from bench.scale import (
    ADJUSTMENTS,
    BENCH_RIDER_AWARDS,
    COORDINATORS_PER_ORG,
    DISHES,
    GIVEN,
    LEDGER_ENTRIES,
    MERCHANTS,
    NEAR_ME_POSITIONS,
    OFFERS_PER_MERCHANT,
    ORG_KINDS,
    ORG_LABELS,
    ORGANISATIONS,
    PASSWORD,
    POWER_RIDER_AWARDS,
    RIDERS,
    SEED,
    SHOP_KINDS,
    SURNAMES,
    TABLE_ORDER,
    TASK_KINDS,
    TASKS,
    TOWNS,
    TRADES,
    UPCOMING_TASKS,
    VOUCHER_MIX,
    VOUCHERS,
)
from bench.settings import logger
from bench.station_rows import ask_points, station_rows


def checkin_secret(task_id: int) -> str:
    """A task's check-in secret (32 base-32 characters, as ``pyotp.random_base32``), derived from its id so the
    data set stays the same from run to run without drawing from the seeded random numbers."""
    return base64.b32encode(hashlib.sha256(f"bench-task-{task_id}".encode()).digest()).decode()[:32]

log = logger("load")

class DataSet:
    """All rows of the benchmark database plus the facts the runner needs (who to log in as, codes)."""

    def __init__(self, seed: int = SEED, now: datetime | None = None):
        from werkzeug.security import generate_password_hash

        self.rng = random.Random(seed)
        self.now = (now or datetime.now(UTC)).replace(tzinfo=None, microsecond=0)
        # One scrypt hash for every account: hashing 100,000 passwords would take an hour and prove nothing.
        self.password_hash = generate_password_hash(PASSWORD)
        self.rows: dict[str, list[tuple]] = {name: [] for name in TABLE_ORDER}
        self.facts: dict = {}

    # ---- people and places ---------------------------------------------------------------------

    def _name(self) -> str:
        return self.rng.choice(SURNAMES) + self.rng.choice(GIVEN)

    def _past(self, days_max: float, days_min: float = 0) -> datetime:
        return self.now - timedelta(seconds=self.rng.uniform(days_min * 86400, days_max * 86400))

    def make_accounts(self) -> None:
        rng, users = self.rng, self.rows["user"]
        for i in range(1, ORGANISATIONS + 1):
            town = TOWNS[(i - 1) % len(TOWNS)]
            kind = ORG_KINDS[(i - 1) % 3]
            label = ORG_LABELS[kind]
            self.rows["organisation"].append((i, f"{town}{label}{i}", kind))
        uid = 0
        self.coordinators: dict[int, list[int]] = defaultdict(list)
        for org in range(1, ORGANISATIONS + 1):
            for _ in range(COORDINATORS_PER_ORG):
                uid += 1
                users.append((uid, f"139{uid:08d}", self._name(), self.password_hash, "coordinator", None, None,
                              org, True, self._past(900, 700)))
                self.coordinators[org].append(uid)
        self.all_coordinators = [u for ids in self.coordinators.values() for u in ids]
        self.staff_of: dict[int, int] = {}
        for m in range(1, MERCHANTS + 1):
            uid += 1
            users.append((uid, f"137{m:08d}", self._name()[:1] + "店员", self.password_hash, "merchant", None, None,
                          None, True, self._past(700, 400)))
            self.rows["merchant_staff"].append((uid, m))
            self.staff_of[m] = uid
        self.first_rider = uid + 1
        trades = list(TRADES)
        for i in range(1, RIDERS + 1):
            uid += 1
            trade = trades[i % 4]
            users.append((uid, f"15{i:09d}", self._name(), self.password_hash, "rider", trade,
                          rng.choice(TRADES[trade]), None, True, self._past(720, 1)))
        self.riders = range(self.first_rider, uid + 1)
        # every rider accepted privacy notice 1 (the default PRIVACY_VERSION) when registering: no consent page
        users[:] = [(*user, 1, user[9]) if user[4] == "rider" else (*user, None, None) for user in users]
        self.bench_rider = self.first_rider + 1  # phone 15000000002
        self.power_rider = self.first_rider  # phone 15000000001
        self.facts.update(bench_rider={"id": self.bench_rider, "phone": f"15{2:09d}"},
                          power_rider={"id": self.power_rider, "phone": f"15{1:09d}"},
                          password=PASSWORD)

    def make_merchants(self) -> None:
        rng = self.rng
        self.offers: dict[int, tuple] = {}
        oid = 0
        for m in range(1, MERCHANTS + 1):
            town = rng.choice(TOWNS)
            name = f"{rng.choice(SURNAMES)}记{rng.choice(SHOP_KINDS)}({town}{m}号店)"
            self.rows["merchant"].append((m, name, f"{town}人民路{rng.randint(1, 300)}号",
                                          31.85 + rng.uniform(0, 0.12), 120.45 + rng.uniform(0, 0.27), True,
                                          self._past(700, 400)))
            for title, fen in rng.sample(DISHES, OFFERS_PER_MERCHANT):
                oid += 1
                cost = max(5, fen // 50)
                validity = rng.choice((14, 30, 30, 60))
                row = (oid, m, title, "凭券到店兑换,骑手小哥专享。", cost, fen, rng.randint(50, 500), 3, validity, True)
                self.rows["offer"].append(row)
                self.offers[oid] = row

    # ---- tasks, sign-ups, awards ---------------------------------------------------------------

    def make_tasks(self) -> None:
        rng, now = self.rng, self.now
        tasks, signups = self.rows["task"], self.rows["signup"]
        self.awards: list[tuple] = []  # (rider, points, title, signup_id, coordinator, created_at)
        past_count = TASKS - UPCOMING_TASKS
        past_cancelled = set(rng.sample(range(1, past_count + 1), past_count // 100))
        upcoming_cancelled = set(rng.sample(range(past_count + 1, TASKS + 1), UPCOMING_TASKS // 50))
        refunds = VOUCHER_MIX["expired"] + VOUCHER_MIX["cancelled"]
        award_total = LEDGER_ENTRIES - VOUCHERS - refunds - ADJUSTMENTS
        attended_counts = self._spread(award_total, past_count - len(past_cancelled), low=30, high=88)
        attended_iter = iter(attended_counts)
        # The two named riders attend some past tasks on top of the random crowd.
        open_past = [t for t in range(1, past_count + 1) if t not in past_cancelled]
        forced: dict[int, list[int]] = defaultdict(list)
        for t in rng.sample(open_past, POWER_RIDER_AWARDS):
            forced[t].append(self.power_rider)
        for t in rng.sample(open_past, BENCH_RIDER_AWARDS):
            forced[t].append(self.bench_rider)
        upcoming_ids = list(range(past_count + 1, TASKS + 1))
        bench_upcoming = set(rng.sample(upcoming_ids[:300], 8))
        sid = 0
        for tid in range(1, TASKS + 1):
            org = rng.randint(1, ORGANISATIONS)
            coordinator = rng.choice(self.coordinators[org])
            title, category = rng.choice(TASK_KINDS)
            town = rng.choice(TOWNS)
            place = f"{town}{rng.choice(('社区服务站', '小学东门路口', '党群服务中心', '老街', '敬老院', '暖新窝'))}"
            past = tid <= past_count
            local_start = self._past(540, 2) if past else now + timedelta(seconds=rng.uniform(7200, 180 * 86400))
            starts = local_start.replace(minute=0 if past else local_start.minute, second=0, microsecond=0)
            if not past and starts <= now:
                starts += timedelta(hours=1)
            ends = starts + timedelta(hours=rng.randint(1, 4))
            created = min(starts - timedelta(days=rng.randint(3, 14)), now - timedelta(hours=rng.randint(1, 72)))
            cancelled = tid in past_cancelled or tid in upcoming_cancelled
            cancelled_at = None
            if cancelled:
                cancelled_at = (min(starts - timedelta(hours=rng.randint(2, 48)), now - timedelta(minutes=30))
                                if past else now - timedelta(hours=rng.randint(1, 48)))
                cancelled_at = max(cancelled_at, created + timedelta(minutes=1))
            # Who signed up, in arrival order: place holders first, then the waitlist; cancellations anywhere.
            if past and not cancelled:
                attended = next(attended_iter)
                no_show = rng.randint(0, max(1, attended // 10))
                holders = attended + no_show
                full = rng.random() < 0.5
                places = holders if full else holders + rng.randint(1, 5)
            else:
                places = rng.randint(5, 60)
                holders = rng.randint(0, places)
                full = holders == places
                attended = no_show = 0
            waitlisted = rng.randint(0, 5) if full else 0
            cancelled_signups = rng.randint(0, 4)
            must = forced.get(tid, []) + ([self.bench_rider] if tid in bench_upcoming else [])
            if must and holders < len(must):  # the measured rider holds a place in a few upcoming tasks
                holders = len(must)
                places = max(places, holders)
                full = holders == places
                waitlisted = 0
            crowd = [r for r in rng.sample(self.riders, holders + waitlisted + cancelled_signups + len(must))
                     if r not in must]
            people = must + crowd
            holder_riders = people[:holders]
            rest = people[holders:holders + waitlisted + cancelled_signups]
            description = f"{place}集合,请提前10分钟到场。完成后由协调员确认出勤,积分自动到账。"
            tasks.append((tid, org, f"{title}·{town}", description, category, place,
                          31.85 + rng.uniform(0, 0.12), 120.45 + rng.uniform(0, 0.27),
                          starts, ends, places, rng.choice((10, 15, 20, 25, 30, 35, 40, 50)), len(holder_riders),
                          "cancelled" if cancelled else "open", coordinator, created, cancelled_at,
                          checkin_secret(tid)))
            points, task_title = tasks[-1][11], tasks[-1][2]
            window_end = min(starts, now, cancelled_at or starts) - timedelta(minutes=1)
            span = max((window_end - created).total_seconds(), 60)
            queue = sorted(created + timedelta(seconds=rng.uniform(0, span))
                           for _ in range(len(holder_riders) + len(rest)))
            marked = ends + timedelta(minutes=rng.randint(5, 90))
            statuses = []
            for n, _rider in enumerate(holder_riders):
                if past and not cancelled:
                    statuses.append("attended" if n < attended else "no_show")
                else:
                    statuses.append("confirmed")
            rng.shuffle(statuses)
            # The forced riders attend (their awards are the point of forcing them).
            for n, rider in enumerate(holder_riders):
                if rider in must and statuses[n] == "no_show":
                    swap = next(i for i, s in enumerate(statuses) if s == "attended" and holder_riders[i] not in must)
                    statuses[n], statuses[swap] = "attended", "no_show"
            rest_status = ["waitlisted"] * waitlisted + ["cancelled"] * cancelled_signups
            cancelled_slots = sorted(rng.sample(range(len(queue)), rest_status.count("cancelled")))
            # Arrival order: holders, then waitlisted; cancellations take random queue slots.
            order = [t for i, t in enumerate(queue) if i not in cancelled_slots]
            cancel_times = [queue[i] for i in cancelled_slots]
            waiting = [r for r, s in zip(rest, rest_status, strict=True) if s == "waitlisted"]
            leavers = [r for r, s in zip(rest, rest_status, strict=True) if s == "cancelled"]
            for rider, status, queued in zip(holder_riders + waiting, statuses + ["waitlisted"] * len(waiting),
                                             order, strict=True):
                sid += 1
                is_marked = status in ("attended", "no_show")
                signups.append((sid, tid, rider, status, queued, marked if is_marked else None,
                                coordinator if is_marked else None))
                if status == "attended":
                    self.awards.append((rider, points, task_title, sid, coordinator, marked))
            for rider, queued in zip(leavers, cancel_times, strict=True):
                sid += 1
                signups.append((sid, tid, rider, "cancelled", queued, None, None))
        assert next(attended_iter, None) is None
        assert len(self.awards) == award_total, (len(self.awards), award_total)
        upcoming_open = [t[0] for t in tasks if t[0] > past_count and t[13] == "open"]
        self.facts["upcoming_task_ids"] = upcoming_open[:1000]

    def _spread(self, total: int, n: int, *, low: int, high: int) -> list[int]:
        """``n`` random integers in ``[low, high]`` that add up to ``total`` exactly."""
        values = [self.rng.randint(low, high) for _ in range(n)]
        diff = total - sum(values)
        while diff:
            i = self.rng.randrange(n)
            step = 1 if diff > 0 else -1
            if low <= values[i] + step <= high:
                values[i] += step
                diff -= step
        return values

    def make_stations(self) -> None:
        """10,000 rest stations with weekly hours over the city (:mod:`bench.station_rows`), and the positions
        "near me" is asked from."""
        self.rows["station"], self.rows["station_hours"] = station_rows(
            self.rng, organisations=ORGANISATIONS, towns=TOWNS, created=self._past(300, 30))
        self.facts["near_me_points"] = ask_points(self.rng, NEAR_ME_POSITIONS)

    def build(self) -> "DataSet":
        started = time.monotonic()
        self.make_accounts()
        self.make_merchants()
        self.make_tasks()
        self.make_stations()
        make_ledger(self)
        self.check()
        log(f"generated {sum(len(r) for r in self.rows.values()):,} rows in {time.monotonic() - started:.1f} s: "
            + ", ".join(f"{name} {len(rows):,}" for name, rows in self.rows.items()))
        return self

    def check(self) -> None:
        """The invariants that the audit does not cover: capacity, waitlists, one sign-up per pair."""
        holders: dict[int, int] = defaultdict(int)
        waiting: set[int] = set()
        pairs = set()
        for _sid, tid, rider, status, *_ in self.rows["signup"]:
            assert (tid, rider) not in pairs
            pairs.add((tid, rider))
            if status in ("confirmed", "attended", "no_show"):
                holders[tid] += 1
            elif status == "waitlisted":
                waiting.add(tid)
        for task in self.rows["task"]:
            tid, places, taken = task[0], task[10], task[12]
            assert taken == holders[tid] <= places, task
            assert tid not in waiting or taken == places, task
        assert len({u[1] for u in self.rows["user"]}) == len(self.rows["user"])
        assert sum(1 for u in self.rows["user"] if u[4] == "rider") == RIDERS
