"""Plain factory functions for tests: ``make_task(org_id=..., **overrides)``. They flush, never commit
(except ``make_world``, which commits the cast). Call them inside an app context."""

import itertools
from datetime import timedelta
from functools import cache
from types import SimpleNamespace

from werkzeug.security import generate_password_hash

from accounts.models import Organisation, User
from core.timeutil import utcnow
from extensions import db
from points import ledger
from rewards.models import Merchant, MerchantStaff, Offer
from volunteer.models import Signup, Task

PASSWORD = "correct-horse-42"
_phones = itertools.count(1)


@cache
def _password_hash() -> str:
    return generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")  # fast for tests


def make_org(name=None, **overrides) -> Organisation:
    org = Organisation(name=name or f"杨舍镇测试社区{next(_phones)}", kind="community", **overrides)
    db.session.add(org)
    db.session.flush()
    return org


def make_user(role="rider", name="赵佳楠", organisation_id=None, **overrides) -> User:
    fields = {"phone": f"13{next(_phones):09d}", "name": name, "role": role, "organisation_id": organisation_id,
              "password_hash": _password_hash()}
    if role == "rider":
        fields.update(trade="food_delivery", platform="美团", privacy_version=1)  # accepted the notice in force
    fields.update(overrides)
    user = User(**fields)
    db.session.add(user)
    db.session.flush()
    return user


def make_task(organisation_id, created_by_id, **overrides) -> Task:
    starts = utcnow() + timedelta(minutes=30)  # sign-ups still open, check-in already open
    fields = {"title": "路口交通安全劝导", "description": "请提前到场", "category": "traffic_safety",
              "place": "杨舍镇步行街北口", "starts_at": starts, "ends_at": starts + timedelta(hours=2),
              "places": 3, "points": 30}
    fields.update(overrides)
    task = Task(organisation_id=organisation_id, created_by_id=created_by_id, **fields)
    db.session.add(task)
    db.session.flush()
    return task


def make_merchant(name="暖新小厨", **overrides) -> Merchant:
    merchant = Merchant(name=name, address=overrides.pop("address", "杨舍镇步行街68号"), **overrides)
    db.session.add(merchant)
    db.session.flush()
    return merchant


def make_staff(merchant_id, name="店员小王") -> User:
    user = make_user(role="merchant", name=name)
    db.session.add(MerchantStaff(user_id=user.id, merchant_id=merchant_id))
    db.session.flush()
    return user


def make_offer(merchant_id, **overrides) -> Offer:
    fields = {"title": "暖心盒饭一份", "points_cost": 30, "face_value_fen": 1500, "stock": 10,
              "per_rider_limit": 2, "validity_days": 7, "active": True,
              "limit_period": "ever"}
    fields.update(overrides)
    offer = Offer(merchant_id=merchant_id, **fields)
    db.session.add(offer)
    db.session.flush()
    return offer


def give_points(rider_id: int, amount: int, reason="测试积分") -> None:
    ledger.post_entry(rider_id=rider_id, amount=amount, kind="adjustment", reason=reason)


def link_rider(rider_id: int, organisation_id: int, created_by_id: int) -> Signup:
    """Put a rider in an organisation's scope: a cancelled sign-up for a task of it that ended last week
    (no place held, no points)."""
    starts = utcnow() - timedelta(days=7)
    task = make_task(organisation_id, created_by_id, title="往期社区服务", category="community",
                     starts_at=starts, ends_at=starts + timedelta(hours=2))
    signup = Signup(task_id=task.id, rider_id=rider_id, status="cancelled", queued_at=starts - timedelta(days=1))
    db.session.add(signup)
    db.session.flush()
    return signup


def make_world() -> SimpleNamespace:
    """The personas of the integration tests, committed; returns their ids and phones.

    The merchant (with ``staff`` and the offer) belongs to ``org``, the other merchant to ``other_org``;
    both riders once signed up for a past task of ``org`` (see :func:`link_rider`), so they are in the
    scope of ``org``'s coordinator and not of the other's. ``admin`` runs the programme.
    """
    org, other_org = make_org("塘市办事处"), make_org("金港镇长江村")
    coordinator = make_user("coordinator", "陈丽华", org.id)
    other_coordinator = make_user("coordinator", "王建国", other_org.id)
    admin = make_user("admin", "刘管理")
    rider, rider2 = make_user(name="赵佳楠"), make_user(name="张松阳", trade="courier", platform="顺丰")
    merchant = make_merchant(organisation_id=org.id)
    other_merchant = make_merchant("港城面馆", address="人民中路122号", organisation_id=other_org.id)
    staff, other_staff = make_staff(merchant.id), make_staff(other_merchant.id, "面馆店员")
    offer = make_offer(merchant.id)
    task = make_task(org.id, coordinator.id)
    link_rider(rider.id, org.id, coordinator.id)
    link_rider(rider2.id, org.id, coordinator.id)
    db.session.commit()
    return SimpleNamespace(
        org=org.id, other_org=other_org.id, coordinator=coordinator.id, other_coordinator=other_coordinator.id,
        admin=admin.id, rider=rider.id, rider2=rider2.id, rider_phone=rider.phone, merchant=merchant.id,
        other_merchant=other_merchant.id, staff=staff.id, other_staff=other_staff.id, offer=offer.id, task=task.id,
    )


def make_held_place(world) -> SimpleNamespace:
    """A one-place task in 3 hours of ``world``'s organisation: rider2 took the place and cancelled, so it is
    held for the world's rider, and a third rider waits behind them. Commits; returns the ids (``task``,
    ``mine``: the rider's sign-up, ``theirs``: the third rider's, ``third``: that rider)."""
    from volunteer import services

    now = utcnow()
    task = make_task(world.org, world.coordinator, title="暴雨天路口值守", places=1,
                     starts_at=now + timedelta(hours=3), ends_at=now + timedelta(hours=5))
    third = make_user(name="第三位")
    holder, mine, theirs = (services.sign_up(task=task, rider=db.session.get(User, r), join_waitlist=True,
                                             now=now + timedelta(seconds=i))
                            for i, r in enumerate((world.rider2, world.rider, third.id)))
    services.cancel_signup(signup=holder, rider=db.session.get(User, world.rider2))
    db.session.commit()
    return SimpleNamespace(task=task.id, mine=mine.id, theirs=theirs.id, third=third.id)


def make_station_and_exceptions(world):
    """A station of ``world``'s organisation, a dated exception (closed) of its hours and one of the world's
    merchant's, flushed; returns the three."""
    from datetime import date

    from rewards.models import MerchantHoursException
    from stations.models import Station, StationHoursException

    station = Station(organisation_id=world.org, name="塘市暖新驿站", address="长兴路8号", latitude=31.87,
                      longitude=120.55)
    db.session.add(station)
    db.session.flush()
    station_exception = StationHoursException(station_id=station.id, day=date(2026, 10, 1), closed=True)
    merchant_exception = MerchantHoursException(merchant_id=world.merchant, day=date(2026, 10, 1), closed=True)
    db.session.add_all([station_exception, merchant_exception])
    db.session.flush()
    return station, station_exception, merchant_exception
