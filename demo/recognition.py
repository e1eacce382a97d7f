"""Loading the demo's recognition history (called by :func:`demo.load.load_demo`): past training sessions, half a
year of weekly verified service, ratings, and the level changes they bring.

Everything goes through the services with a clock in the past: riders sign up, check in and out with the task's
code (:mod:`volunteer.checkin`, so the verified minutes are the app's own), training attendance is marked by the
coordinator, ratings are given (and one changed) through :mod:`volunteer.ratings`, and each check-out sends
``service_changed``, so :mod:`recognition.levels` records every level change with its date and tells the rider.
After loading, the README's rider (13800000001) has 2 stars, 13800000003 has 3, 13800000002 has 1.
"""

from datetime import datetime, timedelta

from accounts.models import Organisation, User
from core.errors import DomainError
from core.timeutil import at_local, local_today
from extensions import db
from volunteer import attendance, checkin, ratings
from volunteer import services as volunteer
from volunteer.models import TRAINING, Task

WEEKS = 30  # weekly service days, the oldest 30 weeks before loading
SERVICE = ("周末社区志愿服务日", "community", "杨舍镇党群服务中心广场", 31.8740, 120.5520)
TRAININGS = [  # title, place, days before loading
    ("新骑手志愿服务入门培训", "杨舍镇党群服务中心三楼", 75),
    ("道路交通安全与劝导技巧培训", "张家港市交警大队会议室", 52),
    ("应急救护与心肺复苏培训", "张家港市红十字会培训室", 33),
]
# rider index → weeks of service (from the oldest): 3 stars, 2 stars (the README's rider), 1 star, a few hours
ATTENDS = {2: range(WEEKS), 0: range(WEEKS - 18, WEEKS), 1: range(0, WEEKS, 3), 4: range(WEEKS - 4, WEEKS),
           5: range(WEEKS - 2, WEEKS)}
NOTES = {"good": ["准时到场,引导耐心", "主动帮忙搬运物资", ""], "fair": ["迟到十分钟", ""], "poor": ["中途离开未报备"]}


def _task(org: Organisation, coordinator: User, title: str, category: str, place: str, lat: float, lng: float,
          starts: datetime, hours: int, places: int, points: int) -> Task:
    task = Task(organisation_id=org.id, title=title, category=category, place=place, latitude=lat, longitude=lng,
                starts_at=starts, ends_at=starts + timedelta(hours=hours), places=places, points=points,
                created_by_id=coordinator.id, created_at=starts - timedelta(days=10),
                description=f"{place}集合。到场扫码签到,结束扫码签退,服务时长自动核实。")
    db.session.add(task)
    db.session.flush()
    return task


def _signed_up(task: Task, rider: User):
    try:
        with db.session.begin_nested():  # a rider booked at the same time elsewhere skips this one
            return volunteer.sign_up(task=task, rider=rider, now=task.starts_at - timedelta(days=2))
    except DomainError:
        return None


def load_recognition(organisations: list[Organisation], coordinators: list[User], riders: list[User],
                     now: datetime) -> dict[str, int]:
    """Create the past trainings, the weekly service with check-in and check-out, ratings and (through the
    services) level changes; return how many tasks and ratings were made. The caller commits."""
    made = {"training tasks": 0, "service tasks": 0, "ratings": 0}
    for n, (title, place, days) in enumerate(TRAININGS):
        org, coordinator = organisations[n % 3], coordinators[n % 3]
        task = _task(org, coordinator, title, TRAINING, place, 31.8740, 120.5520,
                     at_local(local_today(now) - timedelta(days=days), 14), 2, 20, 20)
        for rider in riders[: 12 + 3 * n]:
            signup = _signed_up(task, rider)
            if signup is not None:  # most come; the coordinator marks them by hand
                attendance.mark_attendance(signup=signup, attended=bool((rider.id + n) % 5), actor=coordinator,
                                           now=task.ends_at + timedelta(minutes=10))
        made["training tasks"] += 1
    for week in range(WEEKS):
        org, coordinator = organisations[week % 3], coordinators[week % 3]
        day = local_today(now) - timedelta(days=7 * (WEEKS - week) + 2)
        task = _task(org, coordinator, SERVICE[0], SERVICE[1], SERVICE[2], SERVICE[3], SERVICE[4],
                     at_local(day, 9), 4, 8, 15)
        made["service tasks"] += 1
        for index, weeks in ATTENDS.items():
            if week not in weeks or (signup := _signed_up(task, riders[index])) is None:
                continue
            late = timedelta(minutes=(week * 7 + index * 3) % 12)  # arrives within the first quarter hour
            checkin.check_in(task=task, rider=riders[index], direction="in", scanned_at=task.starts_at + late,
                             now=task.starts_at + late)
            out = task.ends_at + timedelta(minutes=5)
            checkin.check_in(task=task, rider=riders[index], direction="out", scanned_at=out, now=out)
            made["ratings"] += _rate(signup, coordinator, week, index, out + timedelta(hours=2))
    return made


def _rate(signup, coordinator: User, week: int, index: int, at: datetime) -> int:
    """Rate most verified days (mostly good); once a poor rating is changed to fair, as happens in practice."""
    if (week + index) % 4 == 3:
        return 0  # not every day gets rated
    rating = "fair" if (week + index) % 7 == 0 else "good"
    if week == 20 and index == 0:
        ratings.rate_service(signup=signup, rating="poor", note=NOTES["poor"][0], actor=coordinator, now=at)
        ratings.rate_service(signup=signup, rating="fair", note="已补报备,改为一般", actor=coordinator,
                             now=at + timedelta(hours=1))
        return 2
    notes = NOTES[rating]
    ratings.rate_service(signup=signup, rating=rating, note=notes[(week + index) % len(notes)], actor=coordinator,
                         now=at)
    return 1
