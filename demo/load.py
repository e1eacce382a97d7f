"""Loading the demo: realistic demo data for Zhangjiagang, made through the real services.

Everything goes through the same use cases as the app (sign-ups, attendance, redemption,
confirmation, expiry) with a simulated clock, so the demo obeys every invariant. People, shops and
phone numbers are invented.
"""

import random
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from accounts.models import Organisation, User
from accounts.services import create_account, register_rider
from core.errors import DomainError
from core.timeutil import at_local, local_today, utcnow
from demo.activities import load_activities
from demo.buildings import load_buildings
from demo.data import (
    ADMIN,
    COORDINATORS,
    DEMO_PASSWORD,
    GAP_TASK,
    GIVEN,
    MERCHANTS,
    OFFER_RULES,
    ORGANISATIONS,
    SERVING_HOURS,
    SOLD_OUT_OFFER,
    SOON_TASK,
    SURNAMES,
    TASKS,
    TRADES,
)
from demo.recognition import load_recognition
from demo.reports import load_reports
from demo.settlement import load_settlement
from demo.stations import give_restaurants_hours, load_stations
from extensions import db
from rewards import merchants as merchant_services
from rewards import vouchers
from rewards.models import Offer, Voucher
from rewards.queries import due_for_expiry
from volunteer import attendance
from volunteer import services as volunteer
from volunteer.errors import OverlappingTask
from volunteer.models import Signup, Task
from volunteer.queries import signups_of


def _at(days: int, hour: int, now: datetime) -> datetime:
    """A time ``days`` from today (local) at local ``hour``, as aware UTC."""
    return at_local(local_today(now) + timedelta(days=days), hour)


def soon(now: datetime) -> datetime:
    """When the demo's soon task starts: the first whole ten minutes at least 20 minutes after ``now``
    (so 20 to 30 minutes later: within the hour, and attendance, which opens an hour before, is open)."""
    earliest = now + timedelta(minutes=20)
    start = earliest.replace(minute=earliest.minute - earliest.minute % 10, second=0, microsecond=0)
    return start if start >= earliest else start + timedelta(minutes=10)


def load_demo(rng: random.Random, now: datetime | None = None) -> dict[str, int]:
    """Create the demo through the services; return what was made. The caller commits.

    Every time is relative to ``now`` (aware UTC, default the current time): past tasks with attendance,
    upcoming ones, one that starts within the hour, vouchers issued in the last days.
    """
    now = now or utcnow()
    organisations = []
    for name, kind in ORGANISATIONS:
        org = Organisation(name=name, kind=kind)
        db.session.add(org)
        organisations.append(org)
    db.session.flush()
    create_account(phone=ADMIN[0], name=ADMIN[1], password=DEMO_PASSWORD, role="admin")
    coordinators = [create_account(phone=phone, name=name, password=DEMO_PASSWORD, role="coordinator",
                                   organisation_id=org.id)
                    for (phone, name), org in zip(COORDINATORS, organisations, strict=True)]
    riders = []
    trades = list(TRADES)
    for i in range(30):
        trade = trades[i % 4]
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)]
        riders.append(register_rider(phone=f"138000000{i + 1:02d}", name=name, password=DEMO_PASSWORD, trade=trade,
                                     platform=rng.choice(TRADES[trade]),
                                     privacy_version=current_app.config["PRIVACY_VERSION"], now=now))
    shops = []
    for i, (name, address, lat, lng, offers) in enumerate(MERCHANTS):
        recruiter = coordinators[i % 3]  # each organisation recruited some restaurants and manages them
        merchant = merchant_services.save_merchant(merchant=None, name=name, address=address, latitude=lat,
                                                   longitude=lng, active=True, actor=recruiter)
        merchant_services.add_staff(merchant=merchant, phone=f"137000000{i + 1:02d}", name=f"{name[:2]}店员",
                                    password=DEMO_PASSWORD, actor=recruiter)
        for title, cost, fen in offers:
            stock = SOLD_OUT_OFFER[1] if title == SOLD_OUT_OFFER[0] else rng.randint(20, 60)
            merchant_services.save_offer(offer=None, merchant=merchant, actor=recruiter, title=title,
                                         description="凭券到店兑换,骑手小哥专享。", points_cost=cost,
                                         face_value_fen=fen, stock=stock, per_rider_limit=2,
                                         validity_days=7 if i % 3 == 0 else 30, active=True,
                                         **OFFER_RULES.get(title, {}))
        shops.append(merchant)
    db.session.flush()

    tasks = []
    for n, (title, category, place, lat, lng, places, points, days, hour, length) in enumerate(TASKS):
        starts = _at(days, hour, now)
        org = organisations[n % 3]
        task = Task(organisation_id=org.id, title=title, category=category, place=place, latitude=lat,
                    longitude=lng, starts_at=starts, ends_at=starts + timedelta(hours=length), places=places,
                    points=points, created_by_id=coordinators[n % 3].id, created_at=starts - timedelta(days=7),
                    description=f"{place}集合,请提前10分钟到场,穿好工作服。完成后由协调员确认出勤,积分自动到账。")
        db.session.add(task)
        tasks.append(task)
    db.session.flush()

    for n, task in enumerate(tasks):
        signup_time = task.starts_at - timedelta(days=3)
        past = task.starts_at < now
        wanted = task.places + 2 if n % 4 == 0 else task.places if past else rng.randint(2, task.places)
        chosen = rng.sample(riders[1:], min(wanted, len(riders)) - 1)
        if task.starts_at < now or n % 3 == 0:  # the README's demo rider has a history and a few plans
            chosen.insert(0, riders[0])
        for rider in chosen:
            try:
                with db.session.begin_nested():  # a rider booked at the same time elsewhere skips this one
                    volunteer.sign_up(task=task, rider=rider, join_waitlist=True, now=signup_time)
            except OverlappingTask:
                pass
            signup_time += timedelta(minutes=rng.randint(3, 90))
        if task.starts_at < now:
            for signup in signups_of(task):
                if signup.status == "confirmed":
                    attendance.mark_attendance(signup=signup, attended=signup.rider_id == riders[0].id
                                               or rng.random() > 0.15,
                                               actor=coordinators[n % 3], now=task.ends_at + timedelta(minutes=20))
    volunteer.cancel_task(task=tasks[-3], actor=coordinators[tasks[-3].organisation_id % 3],
                          now=now - timedelta(hours=5))
    tasks.append(_soon_task(organisations[0], coordinators[0], riders, rng, now))
    tasks.append(_gap_task(coordinators[1], now))  # of the second organisation
    _hold_a_place(tasks, riders, now)

    offers = db.session.scalars(sa.select(Offer).order_by(Offer.id)).all()
    made = {"issued": 0, "redeemed": 0, "expired": 0, "cancelled": 0}
    staff_of = {shop.id: db.session.scalar(sa.text(
        "SELECT user_id FROM merchant_staff WHERE merchant_id = :m"), {"m": shop.id}) for shop in shops}
    for i, rider in enumerate(riders):
        for j in range(3):
            offer = offers[(i * 3 + j) % len(offers)]
            fate = (i + j) % 5
            issued = now - timedelta(days=rng.randint(0, 12), hours=rng.randint(1, 8))
            if fate == 2:  # issued so long ago that it has expired
                issued = now - timedelta(days=offer.validity_days, hours=rng.randint(2, 30))
            try:
                with db.session.begin_nested():
                    voucher = vouchers.redeem_offer(offer=offer, rider=rider, now=issued)
            except DomainError:  # not enough points, limit reached: a realistic miss, skip it
                continue
            if fate in (0, 1):
                staff = db.session.get(User, staff_of[offer.merchant_id])
                vouchers.confirm_voucher(code=voucher.code, staff=staff,
                                         now=min(issued + timedelta(hours=rng.randint(1, 30)), now))
            elif fate == 3:
                vouchers.cancel_voucher(voucher=voucher, rider=rider, now=issued + timedelta(minutes=30))
    for voucher in due_for_expiry(now=now):
        vouchers.expire_voucher(voucher, now=now)
    _sell_out(offers, riders, now)
    for shop in shops:
        if shop.name in SERVING_HOURS:
            merchant_services.save_merchant(merchant=shop, name=shop.name, address=shop.address,
                                            latitude=shop.latitude, longitude=shop.longitude, active=True,
                                            actor=coordinators[shops.index(shop) % 3],
                                            serving_hours=SERVING_HOURS[shop.name])
    stations = load_stations(organisations, coordinators, now)
    give_restaurants_hours(shops)
    problems = load_reports(riders, coordinators, stations, now)
    load_settlement(shops, riders, coordinators[0], now)  # last month's statement, drawn, issued and paid
    buildings = load_buildings(organisations, coordinators, riders, now)  # Haitang pass: buildings, staff, entries
    for status, in db.session.execute(sa.select(Voucher.status)):
        made[status] += 1
    return {"organisations": len(organisations), "admins": 1, "coordinators": len(coordinators), "riders": len(riders),
            "merchants": len(shops), "offers": len(offers), "tasks": len(tasks), "stations": len(stations),
            **problems, **load_recognition(organisations, coordinators, riders, now), **buildings,
            **load_activities(organisations, coordinators, riders, now),
            **{f"{status} vouchers": n for status, n in made.items()}}


def _soon_task(org: Organisation, coordinator: User, riders: list[User], rng: random.Random,
               now: datetime) -> Task:
    """The task that starts within the hour: full (the README's rider among its riders), one waiting; its
    check-in is open as soon as the demo is loaded."""
    title, category, place, lat, lng, places, points, minutes = SOON_TASK
    starts = soon(now)
    task = volunteer.create_task(actor=coordinator, title=title, category=category, place=place,
                                 latitude=lat, longitude=lng, starts_at=starts,
                                 ends_at=starts + timedelta(minutes=minutes), places=places, points=points,
                                 description=f"{place}集合,引导骑手把电动车停进划线车位。到场后扫协调员手机上的二维码签到,结束时扫码签退。",
                                 now=now - timedelta(days=2))
    signup_time = now - timedelta(days=1)
    for rider in [riders[0], *rng.sample(riders[1:], places)]:
        volunteer.sign_up(task=task, rider=rider, join_waitlist=True, now=signup_time)
        signup_time += timedelta(minutes=rng.randint(5, 60))
    return task


def _hold_a_place(tasks: list[Task], riders: list[User], now: datetime) -> Signup | None:
    """Give the second demo rider (13800000002) a held place: on the first full upcoming task where she is free,
    she waits first in line and a confirmed rider cancels at ``now``, so the place is held for her for the
    hold time (``SIGNUP_HOLD_MINUTES``) after loading. Returns her sign-up, or ``None`` if no task fits."""
    her = riders[1]
    for task in tasks:
        if task.is_cancelled or task.starts_at < now + timedelta(hours=3) or not task.is_full:
            continue
        waiting = [s for s in signups_of(task) if s.status == "waitlisted"]
        leaving = next((s for s in signups_of(task) if s.status == "confirmed"
                        and s.rider_id not in (riders[0].id, her.id)), None)
        if not waiting or leaving is None or any(s.rider_id == her.id for s in signups_of(task)):
            continue
        try:
            with db.session.begin_nested():
                mine = volunteer.sign_up(task=task, rider=her, join_waitlist=True,
                                         now=min(s.queued_at for s in waiting) - timedelta(minutes=1))
        except DomainError:  # booked at the same time elsewhere: try the next task
            continue
        volunteer.cancel_signup(signup=leaving, rider=leaving.rider, now=now)
        db.session.refresh(mine)
        return mine
    return None


def _gap_task(coordinator: User, now: datetime) -> Task:
    """The short task that fits a gap in a shift: it starts 40 minutes after the soon task (60 to 70 minutes
    after loading) and lasts 45 minutes, with every place free."""
    title, category, place, lat, lng, places, points, minutes = GAP_TASK
    starts = soon(now) + timedelta(minutes=40)
    return volunteer.create_task(actor=coordinator, title=title, category=category, place=place,
                                 latitude=lat, longitude=lng, starts_at=starts,
                                 ends_at=starts + timedelta(minutes=minutes), places=places, points=points,
                                 description=f"{place}门口,陪老人安全走过斑马线。四十五分钟,送完一单正好来。",
                                 now=now - timedelta(days=1))


def _sell_out(offers: list[Offer], riders: list[User], now: datetime) -> None:
    """Redeem the sold-out offer until its stock is gone (riders with points, up to their limit)."""
    offer = next(o for o in offers if o.title == SOLD_OUT_OFFER[0])
    for rider in riders:
        db.session.refresh(offer)
        if offer.stock == 0:
            return
        try:
            with db.session.begin_nested():
                vouchers.redeem_offer(offer=offer, rider=rider, now=now - timedelta(hours=2))
        except DomainError:  # not enough points or the limit reached: the next rider
            continue
