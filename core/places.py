"""Places a rider can go to — rest stations, partner restaurants — found the same way, from any package.

Packages on floor 4 cannot import one another, yet "near me" lists stations and restaurants together and a
station's page links to the restaurants beside it. So each package registers a *finder* here at import
(``register_place_finder("station", fn)``), as reminders are registered with notifications, and pages ask
:func:`nearby_places` for every kind at once.

A finder is ``fn(lat, lng, *, radius_m, limit, now, amenities, open_now) -> list[Place]``: the places of its
kind within ``radius_m`` metres of the WGS-84 point, nearest first, at most ``limit``; ``now`` (aware UTC) is the
moment their opening status is taken at; ``amenities`` (codes) each place must offer (a kind without amenities
returns nothing when some are asked for); ``open_now`` keeps only places open at ``now``.

:func:`navigation_links` builds the one-tap links of a place's page: Amap and Baidu web links (they open the
app when it is installed and a web map otherwise, which is what works inside WeChat, where app schemes are
blocked), each in the coordinate system it expects, and a ``geo:`` link (RFC 5870, WGS-84) for other apps.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import quote, urlencode

from flask import url_for

from core.geo import wgs84_to_gcj02

APP_SOURCE = "nuanxin"  # the ``src`` Amap and Baidu ask a calling web page to name itself with


@dataclass(frozen=True)
class Place:
    """One place in a "near me" list.

    ``kind`` is the registered kind (``"station"``, ``"restaurant"``); ``latitude``/``longitude`` WGS-84
    degrees; ``distance_m`` metres from the point asked about; ``url`` its page; ``open_now`` / ``status_text``
    its opening status at the time asked (``open_now`` ``None`` when the hours are not known);
    ``features`` ``(code, label)`` pairs shown as icons with text (amenities; "offers" for a restaurant).
    """

    kind: str
    id: int
    name: str
    address: str
    latitude: float
    longitude: float
    distance_m: float
    url: str
    open_now: bool | None = None
    status_text: str = ""
    features: tuple = field(default_factory=tuple)
    has_offers: bool = False


PlaceFinder = Callable[..., list[Place]]
FINDERS: dict[str, PlaceFinder] = {}


def register_place_finder(kind: str, fn: PlaceFinder) -> PlaceFinder:
    """Register ``fn`` as the finder of places of ``kind`` (again under the same kind replaces it); return it."""
    FINDERS[kind] = fn
    return fn


def nearby_places(lat: float, lng: float, *, kinds: Iterable[str] | None = None, radius_m: float = 5000,
                  limit: int = 20, now: datetime, amenities: Iterable[str] = (), open_now: bool = False) -> list[Place]:
    """Places of ``kinds`` (every registered kind when ``None``; unknown kinds give nothing) within ``radius_m``
    metres of (``lat``, ``lng``) (WGS-84 degrees), nearest first (ties by kind, then id), at most ``limit``;
    ``amenities`` and ``open_now`` filter as the module's docstring says."""
    amenities = tuple(amenities)
    wanted = FINDERS if kinds is None else {kind: FINDERS[kind] for kind in kinds if kind in FINDERS}
    found: list[Place] = []
    for finder in wanted.values():
        found.extend(finder(lat, lng, radius_m=radius_m, limit=limit, now=now, amenities=amenities,
                           open_now=open_now))
    found.sort(key=lambda place: (place.distance_m, place.kind, place.id))
    return found[:limit]


def url_maker(endpoint: str, key: str) -> Callable[[int], str]:
    """``fn(value)`` giving ``url_for(endpoint, **{key: value})`` for an integer ``value`` (an id), for lists:
    the URL is built once (needs an app or request context, as ``url_for``) and each row only puts its id
    in. Falls back to ``url_for`` on each call when the id does not appear exactly once in the built URL."""
    marker = "7315937531"
    built = url_for(endpoint, **{key: int(marker)})
    head, found, tail = built.partition(marker)
    if not found or marker in tail or marker in head:
        return lambda value: url_for(endpoint, **{key: value})
    return lambda value: f"{head}{int(value)}{tail}"


@dataclass(frozen=True)
class NavigationLinks:
    """Where "get there" links go: ``amap`` and ``baidu`` (https web links, GCJ-02 coordinates), ``geo``
    (``geo:LAT,LNG`` in WGS-84), and the GCJ-02 position they were built from (``gcj_lat``, ``gcj_lng``)."""

    amap: str
    baidu: str
    geo: str
    gcj_lat: float
    gcj_lng: float


def navigation_links(lat: float, lng: float, name: str) -> NavigationLinks:
    """One-tap navigation to a WGS-84 point (degrees) called ``name``.

    Amap's URI API (``uri.amap.com/navigation``, longitude first, ``coordinate=gaode`` = GCJ-02, riding
    directions, ``callnative=1`` to hand over to the installed app) and Baidu's (``api.map.baidu.com/marker``
    with ``coord_type=gcj02``: Baidu converts it to its own BD-09) both take GCJ-02, converted here; the
    ``geo:`` URI keeps WGS-84 with the name as its query. Coordinates are written with 6 decimals (~0.1 m).
    """
    gcj_lat, gcj_lng = wgs84_to_gcj02(lat, lng)
    amap = "https://uri.amap.com/navigation?" + urlencode({
        "to": f"{gcj_lng:.6f},{gcj_lat:.6f},{name}", "mode": "ride", "coordinate": "gaode",
        "callnative": "1", "src": APP_SOURCE})
    baidu = "https://api.map.baidu.com/marker?" + urlencode({
        "location": f"{gcj_lat:.6f},{gcj_lng:.6f}", "title": name, "content": name, "coord_type": "gcj02",
        "output": "html", "src": f"webapp.{APP_SOURCE}"})
    geo = f"geo:{lat:.6f},{lng:.6f}?q={lat:.6f},{lng:.6f}({quote(name)})"
    return NavigationLinks(amap=amap, baidu=baidu, geo=geo, gcj_lat=gcj_lat, gcj_lng=gcj_lng)


@dataclass(frozen=True)
class PlaceRef:
    """One place named by kind and id, for a package that only links to it (a report about a station): its
    ``name``, ``address``, WGS-84 position, the ``organisation_id`` that runs or recruited it (``None``:
    programme-wide) and its page ``url``."""

    kind: str
    id: int
    name: str
    address: str
    latitude: float
    longitude: float
    organisation_id: int | None
    url: str = ""


LOOKUPS: dict[str, Callable[[int], PlaceRef | None]] = {}


def register_place_lookup(kind: str, fn: Callable[[int], PlaceRef | None]) -> Callable[[int], PlaceRef | None]:
    """Register ``fn(id) -> PlaceRef | None`` (``None``: no such active place) for ``kind``; return it."""
    LOOKUPS[kind] = fn
    return fn


def place_ref(kind: str, place_id: int) -> PlaceRef | None:
    """The :class:`PlaceRef` of place ``place_id`` of ``kind``, or ``None`` (unknown kind, id or inactive)."""
    lookup = LOOKUPS.get(kind)
    return lookup(place_id) if lookup is not None else None
