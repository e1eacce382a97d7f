"""Loading the demo's partner buildings of the Haitang pass (海棠通道), their staff and recent entries (called by
:func:`demo.load.load_demo`).

Five office buildings in the town centre of Zhangjiagang (杨舍), each run by one of the demo organisations and
created by its coordinator through :func:`stations.services.create_station` (checked and journalled), with
weekday and weekend hours, the fast lane and the e-bike parking kept for riders. Each has one building-staff
account (role ``building``, phones 13400000001–05, the demo password) linked by a ``building_staff`` row
(:class:`passes.models.BuildingStaff`). The first ten demo riders went in on some of the last seven days
(``pass_entry`` rows, :class:`passes.models.PassEntry`; never today, so checking a pass today records a new
entry). ``passes`` is on the same floor as ``demo`` (``tests/unit/test_layering.py``), so its two tables are
written through the shared metadata (:func:`_table`), not its models. Nothing here is random: the same demo
every time.
"""

from datetime import datetime, timedelta

import sqlalchemy as sa

from accounts.models import Organisation, User
from accounts.services import create_account
from core.timeutil import at_local, local_today
from demo.data import DEMO_PASSWORD
from extensions import db
from stations.models import Station, StationHours
from stations.services import create_station

WEEKDAYS, WEEKEND = ("07:00", "22:00"), ("09:00", "18:00")  # the lobbies' hours: Mon–Fri, Sat–Sun
AMENITIES = ("water", "toilet", "ebike_parking")
# name, address, WGS-84 latitude and longitude, fast lane, e-bike spots, where the parking is, staff phone and name
BUILDINGS = [
    ("张家港国际金融中心", "张家港市杨舍镇沙洲西路1号", 31.868412, 120.556203,
     "东门大堂左侧骑手专用通道，向保安出示通行码即可进入", 12, "地下一层B区", "13400000001", "顾建平"),
    ("华昌商务广场", "张家港市杨舍镇人民东路11号", 31.877305, 120.564781,
     "北门侧门（快递柜旁），扫码或报出通行码下方的短码", 20, "北广场东侧非机动车棚", "13400000002", "钱美琴"),
    ("沙洲湖科创园", "张家港市杨舍镇东二环路88号", 31.861027, 120.579512,
     "A栋一楼南门闸机右侧通道，出示通行码后保安放行", 30, "A栋与B栋之间地面车棚", "13400000003", "沈卫东"),
    ("新天地商务楼", "张家港市杨舍镇步行街东路18号", 31.875218, 120.551896,
     "西门大堂访客台，出示通行码，无需登记", 8, "西门外侧划线车位", "13400000004", "陆小红"),
    ("万达广场写字楼", "张家港市杨舍镇长安南路1号", 31.864533, 120.548127,
     "写字楼B座一楼货梯口骑手通道，出示通行码", 16, "地下一层C区电动车停放点", "13400000005", "蒋海峰"),
]
ENTRY_DAYS = 7  # the past days with demo entries


def _table(name: str) -> sa.Table:
    """A table of the schema by name (the app imports every model, so the metadata has them all)."""
    return db.metadata.tables[name]


def _hours(station: Station) -> None:
    db.session.add_all(StationHours(station_id=station.id, weekday=day, opens=opens, closes=closes)
                       for day in range(7) for opens, closes in [WEEKDAYS if day < 5 else WEEKEND])


def load_buildings(organisations: list[Organisation], coordinators: list[User], riders: list[User],
                   now: datetime) -> dict[str, int]:
    """Create the five partner buildings with hours, their staff accounts and links, and the entries of the
    first ten ``riders`` on past days; return ``{"partner buildings": 5, "building staff": 5, "pass entries": n}``.

    Flushes, never commits. Run once on an empty demo (the loader refuses a database that has accounts).
    """
    buildings, staff, links = [], [], []
    for n, (name, address, lat, lng, fast_lane, spots, parking, phone, staff_name) in enumerate(BUILDINGS):
        org_index = n % len(organisations)
        building = create_station(
            actor=coordinators[org_index], organisation_id=organisations[org_index].id, name=name, kind="building",
            address=address, latitude=lat, longitude=lng, entered_crs="wgs84", amenities=AMENITIES,
            phone=f"0512-5869{2000 + n * 41:04d}", fast_lane=fast_lane, ebike_spots=spots, parking_where=parking,
            now=now - timedelta(days=30 - n))
        building.holiday_rule = "closed_on_holidays"
        _hours(building)
        person = create_account(phone=phone, name=staff_name, password=DEMO_PASSWORD, role="building",
                                organisation_id=None, actor=coordinators[org_index],
                                journal_organisation_id=organisations[org_index].id)
        links.append({"user_id": person.id, "station_id": building.id, "created_by_id": coordinators[org_index].id,
                      "created_at": now - timedelta(days=29 - n)})
        buildings.append(building)
        staff.append(person)
    db.session.flush()
    db.session.execute(sa.insert(_table("building_staff")), links)
    today, entries = local_today(now), []
    for days_ago in range(1, ENTRY_DAYS + 1):
        day = today - timedelta(days=days_ago)
        for i, rider in enumerate(riders[:10]):
            if (i + days_ago) % 3 == 0 or (day.weekday() >= 5 and i % 2):  # not every rider every day
                continue
            b = (i + days_ago) % len(buildings)
            entries.append({"station_id": buildings[b].id, "rider_id": rider.id, "local_day": day,
                            "entered_at": at_local(day, 8 + i % 4, (i * 13 + days_ago * 7) % 60),
                            "checked_by_id": staff[b].id})
    db.session.execute(sa.insert(_table("pass_entry")), entries)
    return {"partner buildings": len(buildings), "building staff": len(staff), "pass entries": len(entries)}
