"""Positions on the Earth: distances between WGS-84 (GPS) points, reading a position, showing a distance.

Every function takes latitude first, then longitude, in decimal degrees (what a phone's GPS gives).
Chinese map apps use GCJ-02, about 470 m off WGS-84 around Zhangjiagang: never mix the two.
"""

import math

from flask_babel import format_decimal
from flask_babel import gettext as _

EARTH_RADIUS_M = 6_371_008.8  # the mean radius (IUGG), in metres


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """The great-circle distance in metres between two points (haversine formula).

    Latitudes and longitudes in decimal degrees; the result is within 0.5 % of the distance on the
    WGS-84 ellipsoid, far finer than a phone's fix in town.
    """
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lng2 - lng1)
    h = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def read_position(lat: str | None, lng: str | None, places: int = 3) -> tuple[float, float] | None:
    """A position typed or sent as text (``"31.875"``, ``"120.553"``), rounded to ``places`` decimals.

    Three decimals are about 110 m north–south (and less east–west): close enough to sort by distance,
    too coarse to pin a rider's home. Returns ``None`` when both are empty; raises ``ValueError`` when
    either is missing, not a finite number, or out of range (latitude -90..90, longitude -180..180).
    """
    if not (lat or "").strip() and not (lng or "").strip():
        return None
    try:
        latitude, longitude = float((lat or "").strip()), float((lng or "").strip())
    except ValueError:
        raise ValueError("not a number") from None
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        raise ValueError("not a finite number")
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ValueError("out of range")
    return round(latitude, places) + 0.0, round(longitude, places) + 0.0  # + 0.0: never "-0.0" in a link


def format_distance(metres: float) -> str:
    """A distance as a person reads it, in the user's language: ``850 m`` / ``850米`` to the nearest 10 m
    below 1 km, ``2.3 km`` / ``2.3公里`` with one decimal below 10 km, whole kilometres beyond."""
    if metres < 995:
        return _("%(num)s m", num=format_decimal(round(metres / 10) * 10))
    km = metres / 1000
    if km < 9.95:
        return _("%(num)s km", num=format_decimal(round(km, 1), format="0.0"))
    return _("%(num)s km", num=format_decimal(round(km), format="#,##0"))
