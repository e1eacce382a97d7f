"""Positions on the Earth: distances between WGS-84 (GPS) points, reading a position, showing a distance.

Every function takes latitude first, then longitude, in decimal degrees (what a phone's GPS gives).
Chinese map apps use GCJ-02, about 470 m off WGS-84 around Zhangjiagang: never mix the two.
"""

import functools
import math

from flask_babel import format_decimal, get_locale
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


METRES_PER_DEGREE = EARTH_RADIUS_M * math.pi / 180  # along a meridian, on the sphere distance_m uses


def bounding_box(lat: float, lng: float, radius_m: float) -> tuple[float, float, float, float]:
    """``(south, north, west, east)`` in degrees: a box that holds every point within ``radius_m`` metres of
    (``lat``, ``lng``). A little larger than needed (the exact distance decides); latitudes clipped to ±90."""
    radius_m *= 1.001  # a millimetre per metre more, so rounding never drops a place on the circle itself
    d_lat = radius_m / METRES_PER_DEGREE
    cos_lat = math.cos(math.radians(min(abs(lat) + d_lat, 89.999)))  # the box's widest parallel from the pole side
    d_lng = min(radius_m / (METRES_PER_DEGREE * cos_lat), 180.0)
    return max(lat - d_lat, -90.0), min(lat + d_lat, 90.0), lng - d_lng, lng + d_lng


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
        return _distance_text(str(get_locale()), "m", round(metres / 10) * 10)
    km = metres / 1000
    if km < 9.95:
        return _distance_text(str(get_locale()), "km1", round(km, 1))
    return _distance_text(str(get_locale()), "km", round(km))


@functools.lru_cache(maxsize=2048)  # a list shows dozens of distances: Babel's number formatting is the slow part
def _distance_text(locale: str, unit: str, number: float) -> str:
    """The text of ``number`` in ``unit`` (``m``, ``km1`` = km with one decimal, ``km``) in the current language;
    ``locale`` (the current one) is only the cache's key."""
    if unit == "m":
        return _("%(num)s m", num=format_decimal(number))
    if unit == "km1":
        return _("%(num)s km", num=format_decimal(number, format="0.0"))
    return _("%(num)s km", num=format_decimal(number, format="#,##0"))


# --- GCJ-02, the system of Chinese map apps ---------------------------------------------------------------
# The published transform from WGS-84 to GCJ-02: an offset computed on the Krasovsky 1940 ellipsoid from
# a fixed polynomial and sine series of the position. Inside China's box only; elsewhere maps use WGS-84.
KRASOVSKY_A = 6378245.0  # semi-major axis, metres
KRASOVSKY_EE = 0.00669342162296594323  # first eccentricity squared
CHINA_BOX = (0.8293, 55.8271, 72.004, 137.8347)  # south, north, west, east (degrees) where GCJ-02 applies


def in_china(lat: float, lng: float) -> bool:
    """True inside the box where Chinese map apps shift coordinates (a box, so it includes some neighbours)."""
    south, north, west, east = CHINA_BOX
    return south <= lat <= north and west <= lng <= east


def _gcj_offset(lat: float, lng: float) -> tuple[float, float]:
    """The GCJ-02 shift (degrees of latitude, degrees of longitude) at a WGS-84 position inside China."""
    x, y = lng - 105.0, lat - 35.0
    waves = (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    d_lat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x)) + waves
             + (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
             + (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0)
    d_lng = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x)) + waves
             + (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
             + (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0)
    phi = math.radians(lat)
    w = 1.0 - KRASOVSKY_EE * math.sin(phi) ** 2
    metres_per_lat = KRASOVSKY_A * (1.0 - KRASOVSKY_EE) / (w * math.sqrt(w)) * math.pi / 180.0
    metres_per_lng = KRASOVSKY_A / math.sqrt(w) * math.cos(phi) * math.pi / 180.0
    return d_lat / metres_per_lat, d_lng / metres_per_lng


def wgs84_to_gcj02(lat: float, lng: float) -> tuple[float, float]:
    """A GPS (WGS-84) position as Amap or Tencent maps expect it (GCJ-02), latitude first, in degrees.

    Outside China (:func:`in_china`) the position is returned unchanged.
    """
    if not in_china(lat, lng):
        return lat, lng
    d_lat, d_lng = _gcj_offset(lat, lng)
    return lat + d_lat, lng + d_lng


def gcj02_to_wgs84(lat: float, lng: float) -> tuple[float, float]:
    """A position read on a Chinese map app (GCJ-02) as GPS (WGS-84), latitude first, in degrees.

    The transform has no closed inverse: starting from the GCJ-02 position, each step corrects the guess by
    how far its forward transform misses, until the miss is below 1e-9 degrees (about 0.1 mm; three or four
    steps). Accurate to far below 0.5 m. Outside China the position is returned unchanged.
    """
    if not in_china(lat, lng):
        return lat, lng
    guess_lat, guess_lng = lat, lng
    for _step in range(30):
        shifted_lat, shifted_lng = wgs84_to_gcj02(guess_lat, guess_lng)
        miss_lat, miss_lng = shifted_lat - lat, shifted_lng - lng
        guess_lat, guess_lng = guess_lat - miss_lat, guess_lng - miss_lng
        if abs(miss_lat) < 1e-9 and abs(miss_lng) < 1e-9:
            break
    return guess_lat, guess_lng


# --- positions pasted from map apps -----------------------------------------------------------------------
CHINA_LATITUDES = (18.0, 54.0)  # plain "a,b" text is read as a position in China: latitude 18–54 N …
CHINA_LONGITUDES = (73.0, 135.0)  # … longitude 73–135 E; the two ranges do not overlap, so the order is clear
_NUMBER = r"[-+]?\d{1,3}(?:\.\d+)?"


def _in_china_ranges(lat: float, lng: float) -> bool:
    return (CHINA_LATITUDES[0] <= lat <= CHINA_LATITUDES[1]) and (CHINA_LONGITUDES[0] <= lng <= CHINA_LONGITUDES[1])


def _pair(first: str, second: str) -> tuple[float, float] | None:
    try:
        a, b = float(first), float(second)
    except (TypeError, ValueError):
        return None
    return (a, b) if math.isfinite(a) and math.isfinite(b) else None


def parse_map_link(text: str | None, plain_crs: str = "gcj02") -> tuple[float, float, str] | None:
    """Read a position pasted by a coordinator: ``(latitude, longitude, crs)`` with ``crs`` ``"wgs84"`` or
    ``"gcj02"`` (the system the numbers are in; convert with :func:`gcj02_to_wgs84`), or ``None``.

    Understood (positions in China only; anything else, junk included, gives ``None``, never an error):

    - an Amap share link ``https://uri.amap.com/marker?position=LNG,LAT…`` (longitude first; GCJ-02 unless it
      says ``coordinate=wgs84``);
    - an Amap web link with ``?p=POI_ID,LAT,LNG,…`` (latitude first, GCJ-02);
    - a ``geo:LAT,LNG`` link (WGS-84, by its definition in RFC 5870);
    - plain text of two numbers, ``"31.87,120.55"`` or ``"120.55, 31.87"`` (a comma, a Chinese comma or spaces
      between them): the order is decided by the ranges of China (latitude 18–54, longitude 73–135) and the
      system is ``plain_crs`` (GCJ-02 by default: what "copy coordinates" in Amap or Tencent maps gives).

    Baidu links (BD-09, a third system) are not read.
    """
    import re
    from urllib.parse import parse_qs, urlsplit

    if not isinstance(text, str):
        return None
    text = text.strip()[:2000]
    if not text:
        return None
    found: tuple[float, float] | None = None
    crs = plain_crs
    if "amap.com" in text.lower():
        url = re.search(r"\S*amap\.com\S*", text, re.IGNORECASE).group(0)
        try:
            query = {key.lower(): values[0] for key, values in parse_qs(urlsplit(url).query).items()}
        except ValueError:
            return None
        if "position" in query:
            parts = query["position"].split(",")
            if len(parts) == 2 and (pair := _pair(parts[1], parts[0])):
                found = pair
            crs = "wgs84" if query.get("coordinate", "").lower() == "wgs84" else "gcj02"
        elif "p" in query:
            parts = query["p"].split(",")
            if len(parts) >= 3 and (pair := _pair(parts[1], parts[2])):
                found = pair
            crs = "gcj02"
    elif match := re.match(rf"geo:\s*({_NUMBER})\s*,\s*({_NUMBER})(?![\d.])", text, re.IGNORECASE):
        found, crs = _pair(match.group(1), match.group(2)), "wgs84"
    elif match := re.fullmatch(rf"({_NUMBER})\s*(?:[,，]\s*|\s+)({_NUMBER})", text):
        pair = _pair(match.group(1), match.group(2))
        if pair and not _in_china_ranges(*pair):
            pair = (pair[1], pair[0])  # longitude first, as Amap writes it
        found = pair
    if found is None or not _in_china_ranges(*found):
        return None
    return found[0], found[1], crs


def in_service_area(lat: float, lng: float, area: str) -> bool:
    """Whether the WGS-84 point lies in ``area``, a box written ``"south,west,north,east"`` in degrees
    (``SERVICE_AREA``); an empty or unreadable ``area`` allows everywhere."""
    try:
        south, west, north, east = (float(part) for part in area.split(","))
    except (AttributeError, ValueError):
        return True
    return south <= lat <= north and west <= lng <= east
