"""Bulk loader of the benchmark data set: ``python -m bench.load --db sqlite --db postgresql [--reload]``.

100,000 riders, 20,000 tasks (about 1.1 million sign-ups), exactly 1,000,000 ledger entries and 100,000
vouchers, plus organisations, coordinators, 50 merchants with offers and staff. The schema comes from
the migrations (``flask --app app db upgrade``); rows go in with SQLAlchemy Core ``executemany`` in
batches (SQLite) or ``COPY`` (PostgreSQL, psycopg 3 ``cursor.copy``), never one ORM object at a time.

The data obeys the app's invariants, so ``flask points audit`` passes afterwards:

* ``points_account.balance`` is the sum of the rider's entries, and the running balance never drops
  below zero (a voucher is only issued to a rider whose awards before that moment cover every spend);
* ``task.taken`` is the number of sign-ups holding a place (confirmed, attended, no-show), ``<= places``;
  a task with a waitlist is full; waitlisted sign-ups queued after the place holders;
* one award per attended sign-up (``award:signup:<id>``, naming it in ``signup_id``), none for others; one
  spend per voucher (``spend:voucher:<id>``), one refund (``refund:voucher:<id>``, kind ``refund`` or
  ``expiry``) exactly for cancelled and expired vouchers, each naming it in ``voucher_id``; issued
  vouchers are unexpired; at most ``per_rider_limit`` vouchers of an offer per rider; unique 16-digit
  codes with the app's Luhn check digit.

Every database is a throwaway. The loaded data set is kept as a pristine snapshot (SQLite
``/tmp/nuanxin-bench/pristine.db``, PostgreSQL ``nuanxin_bench_template``) with ``meta-<db>.json``
beside it; each run migrates the snapshot to the current head (``flask db upgrade``, a no-op unless
someone added a migration) and serves a fresh copy of it (``/tmp/nuanxin-bench/nuanxin.db``, database
``nuanxin_bench`` made with ``CREATE DATABASE … TEMPLATE``), so the confirm POSTs of one run never leave
redeemed vouchers for the next. The snapshot is rebuilt with ``--reload``, or when it is older than
:data:`MAX_AGE` (the "upcoming" tasks and the open vouchers are relative to the load time).
"""

import argparse
import bisect
import json
import os
import random
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = Path(os.environ.get("NUANXIN_BENCH_DIR", "/tmp/nuanxin-bench"))
SQLITE_PATH = BENCH_DIR / "nuanxin.db"  # the copy that is served and measured
SQLITE_PRISTINE = BENCH_DIR / "pristine.db"  # the loaded data set, never served
PG_SERVER = os.environ.get("NUANXIN_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1")
PG_DATABASE = "nuanxin_bench"  # the copy that is served and measured
PG_PRISTINE = "nuanxin_bench_template"  # the loaded data set, never served; CREATE DATABASE … TEMPLATE
MAX_AGE = timedelta(days=7)
PASSWORD = "bench1234"  # noqa: S105 - every benchmark account; throwaway databases only
SEED = 2022

RIDERS = 100_000
TASKS = 20_000
UPCOMING_TASKS = 5_000
LEDGER_ENTRIES = 1_000_000
VOUCHERS = 100_000
MERCHANTS = 50
OFFERS_PER_MERCHANT = 3
ORGANISATIONS = 6
COORDINATORS_PER_ORG = 2
ADJUSTMENTS = 5_000
VOUCHER_MIX = {"issued": 35_000, "redeemed": 45_000, "expired": 10_000, "cancelled": 10_000}
BENCH_RIDER_AWARDS = 12  # the rider whose pages are measured: a typical history
POWER_RIDER_AWARDS = 260  # a rider whose wallet page is full (the history shows 200 entries)
BATCH = 50_000

TABLE_ORDER = ("organisation", "user", "merchant", "merchant_staff", "offer", "points_account", "task",
               "signup", "voucher", "ledger_entry")

SURNAMES = ("张王李赵刘陈杨黄周吴徐孙朱马胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘蒋蔡余杜叶程苏魏吕丁任沈"
            "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = ["佳楠", "松阳", "阳", "峰", "磊", "伟", "强", "军", "浩然", "子豪", "志远", "海涛", "明", "建华", "晓东",
         "文杰", "俊", "鹏", "超", "宇航", "思远", "凯", "欣怡", "雪", "晨", "亮", "斌", "涛", "成", "健", "永强",
         "国庆", "春生", "小龙", "大伟", "红梅", "丽娟", "建军", "海波", "志刚"]
TRADES = {"food_delivery": ["美团", "饿了么"], "courier": ["顺丰", "中通", "京东物流", "韵达"],
          "ride_hailing": ["滴滴出行", "曹操出行"], "freight": ["货拉拉", "满帮"]}
TOWNS = ["杨舍镇", "塘桥镇", "金港镇", "锦丰镇", "乐余镇", "凤凰镇", "南丰镇", "大新镇", "常阴沙", "保税区"]
ORG_KINDS = ("street_office", "community", "trade_committee")
ORG_LABELS = {"street_office": "街道办事处", "community": "社区居委会", "trade_committee": "新业态行业党委"}
TASK_KINDS = [
    ("上学路口交通安全劝导", "traffic_safety"), ("小区夜间安全巡逻", "patrol"), ("为独居老人送餐上门", "elderly_care"),
    ("急救知识培训与值守", "first_aid"), ("电动车头盔佩戴劝导", "traffic_safety"), ("帮老人代买药品", "errands"),
    ("社区消防隐患排查", "patrol"), ("暖新窝卫生清扫", "community"), ("早高峰文明交通引导", "traffic_safety"),
    ("重阳节陪老人聊天", "elderly_care"), ("小区楼道杂物清理", "community"), ("急救值守(马拉松赛道)", "first_aid"),
    ("夜间电动车充电安全巡查", "patrol"), ("帮独居老人取快递", "errands"), ("学校门口护学岗", "traffic_safety"),
    ("社区义诊帮忙引导", "community"), ("外卖骑手交通安全宣讲", "traffic_safety"), ("台风前小区设施检查", "patrol"),
]
DISHES = [("暖心盒饭一份", 1500), ("热汤面一碗", 1000), ("饮料一瓶", 400), ("红汤爆鱼面", 1400), ("小馄饨", 800),
          ("两荤一素套餐", 1800), ("快餐套餐", 1500), ("肉包两只", 400), ("骑手午餐", 1200), ("豆浆油条", 350),
          ("鲜肉大馄饨", 900), ("葱油拌面", 700), ("猪肉白菜水饺一份", 1300), ("红烧肉盖饭", 1600), ("绿豆汤", 300)]
SHOP_KINDS = ["小厨", "面馆", "快餐", "骑手食堂", "馄饨铺", "饺子馆", "农家菜", "饭店"]
ADJUSTMENT_REASONS = ["补录纸质签到积分", "暴雨天额外奖励", "优秀志愿者表彰", "活动组织协助奖励", "系统迁移补发"]


def database_url(db: str, *, pristine: bool = False) -> str:
    if db == "sqlite":
        return f"sqlite:///{SQLITE_PRISTINE if pristine else SQLITE_PATH}"
    return f"{PG_SERVER}/{PG_PRISTINE if pristine else PG_DATABASE}"


def meta_path(db: str) -> Path:
    return BENCH_DIR / f"meta-{db}.json"


def log(message: str) -> None:
    print(f"[load {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --------------------------------------------------------------------------------------------------
# The data set, generated in memory as rows (tuples in table column order, naive UTC datetimes).
# --------------------------------------------------------------------------------------------------


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
                          "cancelled" if cancelled else "open", coordinator, created, cancelled_at))
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

    # ---- adjustments, vouchers, the ledger -----------------------------------------------------

    def make_ledger(self) -> None:
        from points.keys import award_key, refund_key, spend_key
        from rewards.codes import luhn_digit

        rng, now = self.rng, self.now
        # Everything that raises a balance, per rider, in time order (prefix sums for "earned before t").
        # (rider, amount, kind, reason, key, signup_id, voucher_id, created_by, created_at): an award names its
        # sign-up, a spend, refund or expiry its voucher (the books check joins on those columns).
        entries: list[tuple] = []
        gains: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
        for rider, points, title, sid, coordinator, at in self.awards:
            entries.append((rider, points, "award", title, award_key(sid), sid, None, coordinator, at))
            gains[rider].append((at, points))
        for _ in range(ADJUSTMENTS):
            rider = rng.choice(self.riders)
            amount, at = rng.randint(5, 50), self._past(500, 1)
            entries.append((rider, amount, "adjustment", rng.choice(ADJUSTMENT_REASONS), None, None, None,
                            rng.choice(self.all_coordinators), at))
            gains[rider].append((at, amount))
        times, sums = {}, {}
        for rider, items in gains.items():
            items.sort()
            times[rider] = [t for t, _ in items]
            running, acc = [], 0
            for _, amount in items:
                acc += amount
                running.append(acc)
            sums[rider] = running

        def earned_before(rider: int, at: datetime) -> int:
            i = bisect.bisect_left(times.get(rider, ()), at)
            return sums[rider][i - 1] if i else 0

        # The vouchers, oldest first: their fate decides when they were issued.
        plan = [status for status, n in VOUCHER_MIX.items() for _ in range(n)]
        rng.shuffle(plan)
        drafts = []
        offer_ids = list(self.offers)
        for status in plan:
            offer = self.offers[rng.choice(offer_ids)]
            validity = timedelta(days=offer[8])
            if status == "issued":  # still valid for at least ten more days
                issued = now - timedelta(seconds=rng.uniform(60, (validity - timedelta(days=10)).total_seconds()))
            elif status == "expired":
                issued = now - validity - timedelta(seconds=rng.uniform(3600, 300 * 86400))
            else:
                issued = self._past(400, 0.1)
            drafts.append((issued, status, offer))
        # The measured rider keeps two open vouchers (the status poll) and has used one.
        bench_offers = rng.sample(offer_ids, 3)
        for n, oid in enumerate(bench_offers):
            drafts.append((now - timedelta(days=n + 1, hours=3), "issued" if n < 2 else "redeemed",
                           self.offers[oid], self.bench_rider))
        # To keep exactly VOUCHERS vouchers, drop three random ordinary drafts of the same fates.
        for status in ("issued", "issued", "redeemed"):
            i = next(i for i in range(len(drafts)) if len(drafts[i]) == 3 and drafts[i][1] == status)
            drafts.pop(i)
        drafts.sort(key=lambda d: d[0])
        spent: dict[int, int] = defaultdict(int)
        held: dict[tuple[int, int], int] = defaultdict(int)
        codes: set[str] = set()
        vouchers = self.rows["voucher"]
        riders_with_points = list(gains)
        for vid, draft in enumerate(drafts, start=1):
            issued, status, offer = draft[:3]
            oid, merchant, title, cost, fen = offer[0], offer[1], offer[2], offer[4], offer[5]
            if len(draft) == 4:
                rider = draft[3]
            else:
                for _attempt in range(200):
                    rider = rng.choice(riders_with_points)
                    if rider in (self.bench_rider, self.power_rider):
                        continue
                    if held[rider, oid] < offer[7] and earned_before(rider, issued) - spent[rider] >= cost:
                        break
                else:
                    raise RuntimeError("no rider can afford a voucher; the data set is too thin")
            assert earned_before(rider, issued) - spent[rider] >= cost
            spent[rider] += cost
            held[rider, oid] += 1
            code = None
            while code is None or code in codes:
                body = f"{rng.randrange(10 ** 15):015d}"
                code = body + luhn_digit(body)
            codes.add(code)
            expires = issued + timedelta(days=offer[8])
            redeemed_at = redeemed_by = closed = None
            if status == "redeemed":
                redeemed_at = min(issued + timedelta(seconds=rng.uniform(300, 2 * 86400)), now - timedelta(seconds=30),
                                  expires - timedelta(seconds=1))
                redeemed_by, closed = self.staff_of[merchant], redeemed_at
            elif status == "cancelled":
                closed = min(issued + timedelta(seconds=rng.uniform(300, 86400)), now - timedelta(seconds=30),
                             expires - timedelta(seconds=1))
            elif status == "expired":
                closed = expires + timedelta(seconds=rng.uniform(1, 600))
            vouchers.append((vid, code, oid, merchant, rider, status, cost, fen, issued, expires, redeemed_at,
                             redeemed_by, closed))
            entries.append((rider, -cost, "spend", title, spend_key(vid), None, vid, rider, issued))
            if status in ("cancelled", "expired"):
                kind = "refund" if status == "cancelled" else "expiry"
                entries.append((rider, cost, kind, title, refund_key(vid), None, vid,
                                rider if kind == "refund" else None, closed))
        assert len(vouchers) == VOUCHERS and len(entries) == LEDGER_ENTRIES, (len(vouchers), len(entries))
        # Entry ids in time order, as the app would have written them.
        entries.sort(key=lambda e: e[8])
        balances: dict[int, int] = defaultdict(int)
        ledger = self.rows["ledger_entry"]
        for eid, (rider, amount, kind, reason, key, sid, vid, by, at) in enumerate(entries, start=1):
            ledger.append((eid, rider, amount, kind, reason, key, sid, vid, by, at))
            balances[rider] += amount
            assert balances[rider] >= 0, f"rider {rider} would go negative at entry {eid}"
        self.rows["points_account"] = sorted(balances.items())
        bench_vouchers = [v for v in vouchers if v[4] == self.bench_rider and v[5] == "issued"]
        self.facts["bench_voucher_id"] = bench_vouchers[0][0]
        # Open vouchers by merchant (not the measured rider's: the status poll must keep answering 204).
        by_merchant: dict[int, list[str]] = defaultdict(list)
        for v in vouchers:
            if v[5] == "issued" and v[4] != self.bench_rider:
                by_merchant[v[3]].append(v[1])
        self.facts["issued_codes"] = {str(m): codes for m, codes in sorted(by_merchant.items())}
        self.facts["staff"] = {str(m): f"137{m:08d}" for m in range(1, MERCHANTS + 1)}
        self.facts["staff_user_ids"] = {str(m): uid for m, uid in self.staff_of.items()}

    def build(self) -> "DataSet":
        started = time.monotonic()
        self.make_accounts()
        self.make_merchants()
        self.make_tasks()
        self.make_ledger()
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


# --------------------------------------------------------------------------------------------------
# Writing it: migrations for the schema, then bulk inserts.
# --------------------------------------------------------------------------------------------------


def flask_env(url: str) -> dict:
    return {**os.environ, "DATABASE_URL": url, "FLASK_APP": "app"}


def migrate(url: str) -> str:
    """``flask --app app db upgrade`` on ``url``; return what it printed."""
    result = subprocess.run([str(ROOT / ".venv/bin/flask"), "--app", "app", "db", "upgrade"], cwd=ROOT,
                            env=flask_env(url), capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"flask db upgrade failed on {url}:\n{result.stderr[-3000:]}")
    return " ".join(line.split("Running upgrade ", 1)[1] for line in result.stderr.splitlines()
                    if "Running upgrade " in line)


def _pg_admin():
    return sa.create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")


def create_empty(db: str) -> None:
    """Drop the pristine snapshot if it exists and create it empty (the schema comes from migrations)."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    meta_path(db).unlink(missing_ok=True)
    if db == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_PRISTINE}{suffix}").unlink(missing_ok=True)
        return
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{PG_PRISTINE}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{PG_PRISTINE}"'))
    admin.dispose()


def fresh_copy(db: str) -> float:
    """Replace the served database with a copy of the pristine snapshot; return the seconds it took."""
    started = time.monotonic()
    if db == "sqlite":
        engine = sa.create_engine(database_url(db, pristine=True))
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(SQLITE_PRISTINE, SQLITE_PATH)
    else:
        admin = _pg_admin()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{PG_DATABASE}" TEMPLATE "{PG_PRISTINE}"'))
        admin.dispose()
    return time.monotonic() - started


def drop_all() -> None:
    """Remove every benchmark database (``python -m bench.load --drop``)."""
    admin = _pg_admin()
    with admin.connect() as conn:
        for name in (PG_DATABASE, PG_PRISTINE):
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
    for path in (SQLITE_PATH, SQLITE_PRISTINE):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    for db in ("sqlite", "postgresql"):
        meta_path(db).unlink(missing_ok=True)


# The order of the values in each generated row (written out, so a column added by a later migration
# with a default does not shift the values).
COLUMNS = {
    "organisation": ("id", "name", "kind"),
    "user": ("id", "phone", "name", "password_hash", "role", "trade", "platform", "organisation_id", "active",
             "created_at"),
    "merchant": ("id", "name", "address", "latitude", "longitude", "active", "created_at"),
    "merchant_staff": ("user_id", "merchant_id"),
    "offer": ("id", "merchant_id", "title", "description", "points_cost", "face_value_fen", "stock",
              "per_rider_limit", "validity_days", "active"),
    "points_account": ("user_id", "balance"),
    "task": ("id", "organisation_id", "title", "description", "category", "place", "latitude", "longitude",
             "starts_at", "ends_at", "places", "points", "taken", "status", "created_by_id", "created_at",
             "cancelled_at"),
    "signup": ("id", "task_id", "rider_id", "status", "queued_at", "marked_at", "marked_by_id"),
    "voucher": ("id", "code", "offer_id", "merchant_id", "rider_id", "status", "points_cost", "face_value_fen",
                "issued_at", "expires_at", "redeemed_at", "redeemed_by_id", "closed_at"),
    "ledger_entry": ("id", "rider_id", "amount", "kind", "reason", "key", "signup_id", "voucher_id",
                     "created_by_id", "created_at"),
}


def columns(table: str) -> tuple[str, ...]:
    return COLUMNS[table]


def _sqlite_value(value):
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")  # SQLAlchemy's storage format for DateTime on SQLite
    if isinstance(value, bool):
        return int(value)
    return value


def write_sqlite(data: DataSet) -> None:
    engine = sa.create_engine(database_url("sqlite", pristine=True))
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=ON")
        conn.exec_driver_sql("PRAGMA synchronous=OFF")
        conn.exec_driver_sql("PRAGMA cache_size=-200000")
        for table in TABLE_ORDER:
            cols = columns(table)
            sql = f'INSERT INTO "{table}" ({", ".join(cols)}) VALUES ({", ".join("?" * len(cols))})'
            rows = data.rows[table]
            started = time.monotonic()
            for start in range(0, len(rows), BATCH):
                batch = [tuple(_sqlite_value(v) for v in row) for row in rows[start:start + BATCH]]
                conn.exec_driver_sql(sql, batch)
            conn.commit()
            log(f"sqlite: {table}: {len(rows):,} rows in {time.monotonic() - started:.1f} s")
        broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        assert not broken, broken[:5]
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()


def write_postgresql(data: DataSet) -> None:
    engine = sa.create_engine(database_url("postgresql", pristine=True))
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for table in TABLE_ORDER:
            cols = columns(table)
            started = time.monotonic()
            with cursor.copy(f'COPY "{table}" ({", ".join(cols)}) FROM STDIN') as copy:
                for row in data.rows[table]:
                    copy.write_row(row)
            log(f"postgresql: {table}: {len(data.rows[table]):,} rows in {time.monotonic() - started:.1f} s")
        for table in ("organisation", "user", "merchant", "offer", "task", "signup", "voucher", "ledger_entry"):
            cursor.execute(f"""SELECT setval(pg_get_serial_sequence('"{table}"', 'id'),
                                              (SELECT max(id) FROM "{table}"))""")
        raw.commit()
    finally:
        raw.close()
    # What autovacuum would soon do on a real server: planner statistics and the visibility map.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        started = time.monotonic()
        conn.exec_driver_sql("VACUUM ANALYZE")
        log(f"postgresql: VACUUM ANALYZE in {time.monotonic() - started:.1f} s")
    engine.dispose()


def table_counts(db: str) -> dict[str, int]:
    engine = sa.create_engine(database_url(db, pristine=True))
    with engine.connect() as conn:
        counts = {t: conn.execute(sa.text(f'SELECT count(*) FROM "{t}"')).scalar() for t in TABLE_ORDER}
        counts["riders"] = conn.execute(sa.text("SELECT count(*) FROM \"user\" WHERE role = 'rider'")).scalar()
        counts["database_bytes"] = (SQLITE_PRISTINE.stat().st_size if db == "sqlite" else
                                    conn.execute(sa.text("SELECT pg_database_size(current_database())")).scalar())
    engine.dispose()
    return counts


def revision(db: str) -> str:
    engine = sa.create_engine(database_url(db, pristine=True))
    with engine.connect() as conn:
        value = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    engine.dispose()
    return value


AUDIT_TIMEOUT = int(os.environ.get("BENCH_AUDIT_TIMEOUT", "1200"))


def audit(url: str, timeout: int = AUDIT_TIMEOUT) -> tuple[int | None, str, float]:
    """Run ``flask --app app points audit`` against ``url``; return (exit code, output, seconds).

    The exit code is ``None`` when the audit did not finish within ``timeout`` seconds (it is then killed:
    it only reads, so that is harmless).
    """
    started = time.monotonic()
    try:
        result = subprocess.run([str(ROOT / ".venv/bin/flask"), "--app", "app", "points", "audit"], cwd=ROOT,
                                env=flask_env(url), capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"did not finish within {timeout} s (killed)", time.monotonic() - started
    output = (result.stdout + result.stderr).strip()
    lines = output.splitlines()
    if len(lines) > 12:
        output = "\n".join([*lines[:5], f"… {len(lines) - 10} more lines …", *lines[-5:]])
    return result.returncode, output, time.monotonic() - started


def exists(db: str) -> bool:
    """True when a loaded snapshot and its facts are there."""
    if not meta_path(db).exists():
        return False
    if db == "sqlite":
        return SQLITE_PRISTINE.exists()
    admin = _pg_admin()
    try:
        with admin.connect() as conn:
            return bool(conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                     {"n": PG_PRISTINE}).scalar())
    finally:
        admin.dispose()


def read_meta(db: str) -> dict:
    return json.loads(meta_path(db).read_text())


FORMAT_VERSION = 3  # 3: ledger entries name their sign-up (migration 0003)


def stale(db: str) -> str | None:
    """Why the snapshot cannot be reused, or ``None``."""
    if not exists(db):
        return "not loaded yet"
    meta = read_meta(db)
    if meta.get("version") != FORMAT_VERSION:
        return "made by an older loader"
    loaded = datetime.fromisoformat(meta["loaded_at"])
    if datetime.now(UTC) - loaded > MAX_AGE:
        return f"loaded {loaded:%Y-%m-%d}, older than {MAX_AGE.days} days"
    return None


def load(dbs: list[str], *, reload: bool = False, data: DataSet | None = None) -> dict[str, dict]:
    """Make sure each snapshot in ``dbs`` holds the data set at the current migration head, serve a fresh
    copy of it, and return each one's facts (``meta``)."""
    todo = []
    for db in dbs:
        why = "--reload given" if reload else stale(db)
        if why:
            log(f"{db}: loading ({why})")
            todo.append(db)
    if todo:
        data = data or DataSet().build()
    for db in todo:
        started = time.monotonic()
        create_empty(db)
        migrate(database_url(db, pristine=True))
        log(f"{db}: schema migrated in {time.monotonic() - started:.1f} s")
        (write_sqlite if db == "sqlite" else write_postgresql)(data)
        seconds = time.monotonic() - started
        counts = table_counts(db)
        code, output, audit_seconds = audit(database_url(db, pristine=True))
        log(f"{db}: loaded in {seconds:.1f} s; audit exit {code} in {audit_seconds:.1f} s: {output}")
        if code is None:
            log(f"{db}: WARNING: flask points audit did not finish; see docs/benchmarks.md (known shortfalls)")
        elif code != 0:
            raise SystemExit(f"{db}: flask points audit failed after loading:\n{output}")
        meta = {"version": FORMAT_VERSION, "loaded_at": datetime.now(UTC).isoformat(),
                "data_now": data.now.isoformat(), "load_seconds": round(seconds, 1), "counts": counts,
                "audit": {"exit": code, "output": output, "seconds": round(audit_seconds, 1),
                          "revision": revision(db)}, **data.facts}
        meta_path(db).write_text(json.dumps(meta, ensure_ascii=False))
    metas = {}
    for db in dbs:
        meta = read_meta(db)
        if db not in todo:
            upgraded = migrate(database_url(db, pristine=True))
            meta["migrated"] = upgraded
            log(f"{db}: reusing the snapshot loaded {meta['loaded_at'][:19]} UTC"
                + (f"; migrated it: {upgraded}" if upgraded else " (schema at the migration head)"))
        meta["revision"] = revision(db)
        seconds = fresh_copy(db)
        log(f"{db}: fresh copy of the snapshot in {seconds:.1f} s (revision {meta['revision']})")
        meta["database_url"] = database_url(db)
        metas[db] = meta
    return metas


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", action="append", choices=("sqlite", "postgresql"),
                        help="database to load (repeat; default both)")
    parser.add_argument("--reload", action="store_true", help="drop and load again even if cached")
    parser.add_argument("--drop", action="store_true", help="drop every benchmark database and stop")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    if args.drop:
        drop_all()
        log("dropped the benchmark databases")
        return
    load(args.db or ["sqlite", "postgresql"], reload=args.reload)


if __name__ == "__main__":
    main()
