"""The demo's welfare activities (called by :func:`demo.load.load_demo`): riders' birth months, a collective
birthday party for the riders born in its month and a health talk, both of the first organisation.

Made through the services (:func:`accounts.privacy.update_profile`, :func:`volunteer.services.create_task`).
Loading again adds nothing: a birth month already set stays, an activity already posted (same organisation and
title) is not posted twice. The README's rider (13800000001) is born in the party's month, so the party is in
their activities tab.
"""

import calendar
from datetime import datetime, timedelta

import sqlalchemy as sa

from accounts import privacy
from accounts.models import Organisation, User
from core.timeutil import at_local, local_today
from extensions import db
from stations.models import Station
from volunteer import services as volunteer
from volunteer.models import ACTIVITY, Task

PARTY = ("骑手集体生日会", "celebration", 30)  # title, category, places
PARTY_TEXT = "本月过生日的骑手小哥小姐姐们,来驿站一起吹蜡烛、吃蛋糕!活动不计积分,名额有限,先到先得。"
TALK = ("骑手健康讲座:颈椎腰椎保护与夏季防暑", "health", "杨舍镇社区卫生服务中心二楼会议室", 31.8712, 120.5491, 40)
TALK_TEXT = "社区医生讲解久坐骑行的颈腰椎保护和防暑常识,现场提供免费血压测量。参加可得2积分。"
TALK_POINTS = 2


def party_day(now: datetime):
    """The party's local date: about 10 days from today, but inside this month (it is for this month's
    birthdays); on the month's last days (nothing left to book) 10 days from today, in the next month."""
    today = local_today(now)
    last = today.replace(day=calendar.monthrange(today.year, today.month)[1])
    day = min(today + timedelta(days=10), last)
    return day if at_local(day, 19) > now + timedelta(hours=2) else today + timedelta(days=10)


def _birth_months(riders: list[User], month: int) -> None:
    """Every third rider (the README's rider first) is born in ``month``; the others spread over the year."""
    for i, rider in enumerate(riders):
        if rider.birth_month is not None:
            continue
        born = month if i % 3 == 0 else (month + i) % 12 + 1
        if i % 7 == 5:  # a few riders never said: they are asked to add it
            continue
        privacy.update_profile(user=rider, name=rider.name, trade=rider.trade, platform=rider.platform,
                               birth_month=born)


def _posted(org: Organisation, title: str) -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Task)
                             .where(Task.organisation_id == org.id, Task.title == title)) > 0


def load_activities(organisations: list[Organisation], coordinators: list[User], riders: list[User],
                    now: datetime) -> dict[str, int]:
    """Set the riders' birth months and post the party and the talk; return how many activities were posted."""
    org, coordinator = organisations[0], coordinators[0]
    day = party_day(now)
    _birth_months(riders, day.month)
    posted = 0
    title, category, places = PARTY
    if not _posted(org, title):
        station = db.session.scalar(sa.select(Station).where(Station.organisation_id == org.id)
                                    .order_by(Station.id).limit(1))
        place, lat, lng = ((station.name, station.latitude, station.longitude) if station is not None
                           else ("杨舍镇暖新驿站", 31.8745, 120.5530))
        starts = at_local(day, 19)
        volunteer.create_task(actor=coordinator, title=title, category=category, place=place, latitude=lat,
                              longitude=lng, starts_at=starts, ends_at=starts + timedelta(hours=2), places=places,
                              points=0, description=PARTY_TEXT, kind=ACTIVITY, rule_birth_month=True,
                              now=now - timedelta(days=1))
        posted += 1
    title, category, place, lat, lng, places = TALK
    if not _posted(org, title):
        starts = at_local(local_today(now) + timedelta(days=7), 15)
        volunteer.create_task(actor=coordinator, title=title, category=category, place=place, latitude=lat,
                              longitude=lng, starts_at=starts, ends_at=starts + timedelta(minutes=90), places=places,
                              points=TALK_POINTS, description=TALK_TEXT, kind=ACTIVITY, now=now - timedelta(days=1))
        posted += 1
    db.session.flush()
    return {"activities": posted}
