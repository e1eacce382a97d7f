"""Stations for tests: ``make_station(org_id, **overrides)`` with weekly hours and dated exceptions as text."""

import math

from extensions import db
from stations.models import Station, StationHours, StationHoursException

HERE = (31.8701, 120.5502)  # a rider on 人民中路, Zhangjiagang (WGS-84)
M_LAT = 1 / 111_195  # degrees of latitude in a metre (the sphere of core.geo.distance_m)


def north_of(point, metres):
    """The WGS-84 point ``metres`` north of ``point`` (a (lat, lng) pair)."""
    return point[0] + metres * M_LAT, point[1]


def east_of(point, metres):
    """The WGS-84 point ``metres`` east of ``point``."""
    return point[0], point[1] + metres * M_LAT / math.cos(math.radians(point[0]))


def make_station(organisation_id, *, name="暖新窝", at=HERE, hours="00:00-24:00", days=range(7), exceptions=(),
                 amenities="water,charging", **overrides) -> Station:
    """An active station at ``at`` (WGS-84) open ``hours`` (``"08:00-21:00"``, ``None`` for no hours) on ``days``
    (weekday numbers); ``exceptions`` are ``(date, "closed" or "HH:MM-HH:MM", note)``. Flushed, not committed."""
    values = {"address": f"张家港市{name}路1号", "phone": "0512-58000000", "kind": "community_centre", "active": True,
              **overrides}
    station = Station(organisation_id=organisation_id, name=name, latitude=at[0], longitude=at[1],
                      amenities=amenities, **values)
    db.session.add(station)
    db.session.flush()
    if hours:
        opens, closes = hours.split("-")
        db.session.add_all(StationHours(station_id=station.id, weekday=day, opens=opens, closes=closes) for day in days)
    for day, what, note in exceptions:
        if what == "closed":
            db.session.add(StationHoursException(station_id=station.id, day=day, closed=True, note=note))
        else:
            opens, closes = what.split("-")
            db.session.add(StationHoursException(station_id=station.id, day=day, closed=False, opens=opens,
                                                 closes=closes, note=note))
    db.session.flush()
    return station
