"""Stations as places: their opening status and the "near me" finder registered with :mod:`core.places`.

Importing this module registers the finder of kind ``"station"`` (``app.py`` imports it).
"""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import selectinload, with_loader_criteria

from core.geo import distance_m
from core.opening_hours import LOOK_AHEAD_DAYS, Status, describe, exceptions_from_rows, status_at, weekly_from_rows
from core.places import Place, register_place_finder
from core.timeutil import local_today, to_local
from extensions import db
from stations.models import AMENITIES, AMENITY_LABELS, Station, StationHoursException
from stations.queries import bounding_box


def station_status(station: Station, now: datetime) -> Status:
    """Open or closed at ``now`` (aware UTC), from the station's weekly rows, exceptions and holiday rule; the
    status's datetimes are local (Asia/Shanghai)."""
    return status_at(to_local(now), weekly_from_rows(station.hours), exceptions_from_rows(station.exceptions),
                     station.holiday_rule)


def has_hours(station: Station) -> bool:
    """Whether any weekly hours are entered (without them the status is not known, not "closed")."""
    return bool(station.hours)


def find_stations(lat: float, lng: float, *, radius_m: float = 5000, limit: int = 20, now: datetime,
                  amenities=(), open_now: bool = False) -> list[Place]:
    """Active stations within ``radius_m`` metres of the WGS-84 point as :class:`core.places.Place`, nearest
    first, at most ``limit``; each offering every amenity code in ``amenities`` (an unknown code matches
    nothing) and, with ``open_now``, open at ``now`` (aware UTC). Hours and the exceptions of the days that
    decide today's status are loaded in two more queries, not one per station."""
    south, north, west, east = bounding_box(lat, lng, radius_m)
    today = local_today(now)
    query = (sa.select(Station)
             .where(Station.active.is_(True), Station.latitude.between(south, north),
                    Station.longitude.between(west, east))
             .options(selectinload(Station.hours), selectinload(Station.exceptions),
                      with_loader_criteria(StationHoursException, StationHoursException.day.between(
                          today - timedelta(days=1), today + timedelta(days=LOOK_AHEAD_DAYS + 1)))))
    for code in set(amenities):
        if code not in AMENITIES:
            return []
        listed = sa.literal(",") + Station.amenities + sa.literal(",")
        query = query.where(listed.contains(f",{code},", autoescape=True))
    candidates = []
    for station in db.session.scalars(query):
        metres = distance_m(lat, lng, station.latitude, station.longitude)
        if metres <= radius_m:
            candidates.append((metres, station.id, station))
    candidates.sort(key=lambda item: item[:2])
    found = []
    local_now = to_local(now)
    for metres, _id, station in candidates:
        if has_hours(station):
            status = station_status(station, now)
            is_open, text = status.open_now, describe(status, local_now)
        else:
            is_open, text = None, ""
        if open_now and not is_open:
            continue
        found.append(Place(kind="station", id=station.id, name=station.name, address=station.address,
                           latitude=station.latitude, longitude=station.longitude, distance_m=metres,
                           url=url_for("stations.detail", station_id=station.id), open_now=is_open,
                           status_text=text,
                           features=tuple((code, AMENITY_LABELS[code]) for code in station.amenity_codes
                                          if code in AMENITY_LABELS)))
        if len(found) >= limit:
            break
    return found


register_place_finder("station", find_stations)
