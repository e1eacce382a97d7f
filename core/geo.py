"""Distances on the Earth between WGS-84 points (what a phone's GPS gives)."""

import math

EARTH_RADIUS_M = 6_371_008.8  # the mean radius (IUGG), metres


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """The great-circle (haversine) distance in metres between two points given in decimal degrees.

    Latitudes are -90..90 and longitudes -180..180; the result is accurate to about 0.5 % (the Earth is
    taken as a sphere), which is plenty for "is the rider at the task's place".
    """
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lng2 - lng1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))
