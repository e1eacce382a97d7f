"""Reads of stations that pages, the API and the dashboards share.

"Near me" is two steps: a bounding box around the rider in SQL (on the index of latitude and longitude),
then the exact great-circle distance (:func:`core.geo.distance_m`) of each candidate in Python, sorted.
The box is a plain latitude/longitude range: fine for China (and anywhere away from the poles and the 180th
meridian, where a box would have to wrap; no station of the programme is near either).
"""

from collections.abc import Iterable

import sqlalchemy as sa

from core.geo import METRES_PER_DEGREE, bounding_box, distance_m  # noqa: F401 - re-exported
from extensions import db
from stations.models import AMENITIES, Station


def nearby(lat: float, lng: float, *, radius_m: float = 5000, limit: int = 20, amenities: Iterable[str] = (),
           active_only: bool = True) -> list[tuple[Station, float]]:
    """The stations within ``radius_m`` metres of (``lat``, ``lng``) (WGS-84 degrees), nearest first, as
    ``(station, distance in metres)`` pairs, at most ``limit`` of them.

    ``amenities``: codes every station listed must offer (unknown codes match nothing). ``active_only``:
    leave out deactivated stations. Ties in distance are ordered by id, so the list is stable.
    """
    south, north, west, east = bounding_box(lat, lng, radius_m)
    query = sa.select(Station).where(Station.latitude.between(south, north), Station.longitude.between(west, east))
    if active_only:
        query = query.where(Station.active.is_(True))
    for code in set(amenities):
        if code not in AMENITIES:
            return []
        listed = sa.literal(",") + Station.amenities + sa.literal(",")  # ",water,toilet,"
        query = query.where(listed.contains(f",{code},", autoescape=True))
    found = []
    for station in db.session.scalars(query):
        metres = distance_m(lat, lng, station.latitude, station.longitude)
        if metres <= radius_m:
            found.append((station, metres))
    found.sort(key=lambda pair: (pair[1], pair[0].id))
    return found[:limit]
