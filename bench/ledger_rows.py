"""The ledger of the benchmark data set: adjustments, vouchers and every ledger entry, in time order.

An award names its sign-up (``signup_id``, key ``award:signup:<id>``); a spend, refund or expiry names its
voucher (``voucher_id``); so the data set passes ``flask points audit``, which joins on those columns.
"""

import bisect
from collections import defaultdict
from datetime import datetime, timedelta

from bench.scale import ADJUSTMENT_REASONS, ADJUSTMENTS, LEDGER_ENTRIES, MERCHANTS, VOUCHER_MIX, VOUCHERS


def make_ledger(data) -> None:
    """Adjustments, vouchers (with their fates) and the ledger of ``data`` (a :class:`bench.dataset.DataSet`
    whose sign-ups are made): entry ids in time order, balances that never go negative."""
    from points.keys import award_key, refund_key, spend_key
    from rewards.codes import luhn_digit

    rng, now = data.rng, data.now
    # Everything that raises a balance, per rider, in time order (prefix sums for "earned before t").
    # (rider, amount, kind, reason, key, signup_id, voucher_id, created_by, created_at): an award names its
    # sign-up, a spend, refund or expiry its voucher (the books check joins on those columns).
    entries: list[tuple] = []
    gains: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    for rider, points, title, sid, coordinator, at in data.awards:
        entries.append((rider, points, "award", title, award_key(sid), sid, None, coordinator, at))
        gains[rider].append((at, points))
    for _ in range(ADJUSTMENTS):
        rider = rng.choice(data.riders)
        amount, at = rng.randint(5, 50), data._past(500, 1)
        entries.append((rider, amount, "adjustment", rng.choice(ADJUSTMENT_REASONS), None, None, None,
                        rng.choice(data.all_coordinators), at))
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
    offer_ids = list(data.offers)
    for status in plan:
        offer = data.offers[rng.choice(offer_ids)]
        validity = timedelta(days=offer[8])
        if status == "issued":  # still valid for at least ten more days
            issued = now - timedelta(seconds=rng.uniform(60, (validity - timedelta(days=10)).total_seconds()))
        elif status == "expired":
            issued = now - validity - timedelta(seconds=rng.uniform(3600, 300 * 86400))
        else:
            issued = data._past(400, 0.1)
        drafts.append((issued, status, offer))
    # The measured rider keeps two open vouchers (the status poll) and has used one.
    bench_offers = rng.sample(offer_ids, 3)
    for n, oid in enumerate(bench_offers):
        drafts.append((now - timedelta(days=n + 1, hours=3), "issued" if n < 2 else "redeemed",
                       data.offers[oid], data.bench_rider))
    # To keep exactly VOUCHERS vouchers, drop three random ordinary drafts of the same fates.
    for status in ("issued", "issued", "redeemed"):
        i = next(i for i in range(len(drafts)) if len(drafts[i]) == 3 and drafts[i][1] == status)
        drafts.pop(i)
    drafts.sort(key=lambda d: d[0])
    spent: dict[int, int] = defaultdict(int)
    held: dict[tuple[int, int], int] = defaultdict(int)
    codes: set[str] = set()
    vouchers = data.rows["voucher"]
    riders_with_points = list(gains)
    for vid, draft in enumerate(drafts, start=1):
        issued, status, offer = draft[:3]
        oid, merchant, title, cost, fen = offer[0], offer[1], offer[2], offer[4], offer[5]
        if len(draft) == 4:
            rider = draft[3]
        else:
            for _attempt in range(200):
                rider = rng.choice(riders_with_points)
                if rider in (data.bench_rider, data.power_rider):
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
            redeemed_by, closed = data.staff_of[merchant], redeemed_at
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
    ledger = data.rows["ledger_entry"]
    for eid, (rider, amount, kind, reason, key, sid, vid, by, at) in enumerate(entries, start=1):
        ledger.append((eid, rider, amount, kind, reason, key, sid, vid, by, at))
        balances[rider] += amount
        assert balances[rider] >= 0, f"rider {rider} would go negative at entry {eid}"
    data.rows["points_account"] = sorted(balances.items())
    bench_vouchers = [v for v in vouchers if v[4] == data.bench_rider and v[5] == "issued"]
    data.facts["bench_voucher_id"] = bench_vouchers[0][0]
    # Open vouchers by merchant (not the measured rider's: the status poll must keep answering 204).
    by_merchant: dict[int, list[str]] = defaultdict(list)
    for v in vouchers:
        if v[5] == "issued" and v[4] != data.bench_rider:
            by_merchant[v[3]].append(v[1])
    data.facts["issued_codes"] = {str(m): codes for m, codes in sorted(by_merchant.items())}
    data.facts["staff"] = {str(m): f"137{m:08d}" for m in range(1, MERCHANTS + 1)}
    data.facts["staff_user_ids"] = {str(m): uid for m, uid in data.staff_of.items()}
