"""Stations as places: their opening status and the "near me" finder registered with :mod:`core.places`.

Importing this module registers the finder of kind ``"station"`` (``app.py`` imports it).
"""

import functools
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

from core.geo import distance_m
from core.opening_hours import LOOK_AHEAD_DAYS, Status, describe, exceptions_from_rows, status_at, weekly_from_rows
from core.places import Place, PlaceRef, register_place_finder, register_place_lookup, url_maker
from core.timeutil import local_today, to_local
from extensions import db
from stations.models import AMENITIES, AMENITY_LABELS, BUILDING, Station, StationHours, StationHoursException
from stations.queries import METRES_PER_DEGREE, bounding_box


def station_status(station: Station, now: datetime) -> Status:
    """Open or closed at ``now`` (aware UTC), from the station's weekly rows, exceptions and holiday rule; the
    status's datetimes are local (Asia/Shanghai)."""
    return status_at(to_local(now), weekly_from_rows(station.hours), exceptions_from_rows(station.exceptions),
                     station.holiday_rule)


def has_hours(station: Station) -> bool:
    """Whether any weekly hours are entered (without them the status is not known, not "closed")."""
    return bool(station.hours)


CHUNK = 40  # stations whose hours are loaded at once while "open now" skips closed ones
FIRST = 200  # the nearest stations asked of the database at first; all of them only if these run out
SLACK = 1.02  # the flat-earth circle in SQL is 2 % wider than the radius: the exact distance decides


def _candidates(lat: float, lng: float, radius_m: float, amenities, first: int | None = None,
                only_kind: str | None = None) -> tuple[list[tuple[float, int, sa.Row]], bool]:
    """``(metres, id, row)`` of the active stations within ``radius_m`` offering every amenity in ``amenities``
    (and of kind ``only_kind`` when given: ``"building"`` for the partner buildings),
    nearest first (ties by id), at most ``first`` of them (all when ``None``), and whether that is all of them
    (nothing when an amenity code is unknown).

    The database does the heavy part on the index of latitude and longitude: the bounding box, then a
    flat-earth distance (degrees of longitude scaled by the cosine of the latitude; within 0.1 % of the
    great circle at a few kilometres) to keep a circle a little wider than the radius and to order by it,
    so only the nearest ``first`` rows (the columns a list shows, no ORM objects) come back. Python then takes the exact
    distance (:func:`core.geo.distance_m`) and sorts by it; the ``first`` rows carry a margin of 10 so a
    station the flat distance ranks just past the cut still gets its exact place. The statement is built
    once per set of amenities (:func:`_candidates_statement`); a search only binds its numbers.
    """
    codes = frozenset(amenities)
    if not codes <= _AMENITY_CODES:
        return [], True
    south, north, west, east = bounding_box(lat, lng, radius_m)
    params = {"lat": lat, "lng": lng, "scale": math.cos(math.radians(lat)), "south": south, "north": north,
              "west": west, "east": east, "reach": (radius_m * SLACK / METRES_PER_DEGREE) ** 2}
    if first is not None:
        params["first"] = first + 10
    found, rows = [], 0
    statement = _candidates_statement(codes, first is not None, only_kind)
    for row in db.session.connection().execute(statement, params).all():
        rows += 1
        metres = distance_m(lat, lng, row.latitude, row.longitude)
        if metres <= radius_m:
            found.append((metres, row.id, row))
    found.sort(key=lambda candidate: candidate[:2])
    if first is None:
        return found, True
    return found[:first], rows < first + 10


_AMENITY_CODES = frozenset(AMENITIES)
_COLUMNS = (Station.id, Station.name, Station.address, Station.latitude, Station.longitude, Station.amenities,
            Station.holiday_rule, Station.kind, Station.ebike_spots)  # in the order of _Found's fields


@functools.lru_cache(maxsize=256)
def _candidates_statement(codes: frozenset, limited: bool, only_kind: str | None = None) -> sa.Select:
    """The query of :func:`_candidates` for the amenity ``codes`` (known ones) and, when given, stations of
    ``only_kind``, with bound parameters ``lat``,
    ``lng``, ``scale`` (cosine of the latitude), ``south``/``north``/``west``/``east`` (the box), ``reach``
    (squared degrees) and, when ``limited``, ``first`` (rows to return, nearest first)."""
    lat, lng = sa.bindparam("lat", type_=sa.Float), sa.bindparam("lng", type_=sa.Float)
    d_lat, d_lng = Station.latitude - lat, (Station.longitude - lng) * sa.bindparam("scale", type_=sa.Float)
    flat = d_lat * d_lat + d_lng * d_lng
    query = (sa.select(*_COLUMNS)
             .where(Station.active.is_(True),
                    Station.latitude.between(sa.bindparam("south", type_=sa.Float),
                                             sa.bindparam("north", type_=sa.Float)),
                    Station.longitude.between(sa.bindparam("west", type_=sa.Float),
                                              sa.bindparam("east", type_=sa.Float)),
                    flat <= sa.bindparam("reach", type_=sa.Float)))
    if only_kind is not None:
        query = query.where(Station.kind == only_kind)
    for code in sorted(codes):
        listed = sa.literal(",") + Station.amenities + sa.literal(",")
        query = query.where(listed.contains(f",{code},", autoescape=True))
    if limited:
        query = query.order_by(flat, Station.id).limit(sa.bindparam("first", type_=sa.Integer))
    return query


@dataclass
class _Found:
    """What a "near me" row needs of a station, read with plain column queries (no ORM objects); has the
    attributes :func:`station_status` reads (``hours``, ``exceptions``, ``holiday_rule``)."""

    id: int
    name: str
    address: str
    latitude: float
    longitude: float
    amenities: str
    holiday_rule: str
    kind: str
    ebike_spots: int | None
    hours: list = field(default_factory=list)
    exceptions: list = field(default_factory=list)


def _load(rows: list, today) -> dict[int, _Found]:
    """The stations of the candidate ``rows`` (:func:`_candidates`) with their weekly rows and the exceptions of
    the days that decide today's status: two column queries, whatever the number of stations (built once, see
    :data:`_LOAD`)."""
    connection = db.session.connection()
    hours, exceptions = _LOAD
    found = {row.id: _Found(*row) for row in rows}
    ids = list(found)
    for row in connection.execute(hours, {"ids": ids}).all():
        found[row.station_id].hours.append(row)
    for row in connection.execute(exceptions, {"ids": ids, "day_from": today - timedelta(days=1),
                                               "day_to": today + timedelta(days=LOOK_AHEAD_DAYS + 1)}).all():
        found[row.station_id].exceptions.append(row)
    return found


_IDS = sa.bindparam("ids", expanding=True)
_LOAD = (  # the two statements of _load, with bound parameters ids (a list) and day_from/day_to (dates)
    sa.select(StationHours.station_id, StationHours.weekday, StationHours.opens, StationHours.closes)
    .where(StationHours.station_id.in_(_IDS))
    .order_by(StationHours.station_id, StationHours.weekday, StationHours.opens),
    sa.select(StationHoursException.station_id, StationHoursException.day, StationHoursException.closed,
              StationHoursException.opens, StationHoursException.closes, StationHoursException.note)
    .where(StationHoursException.station_id.in_(_IDS),
           StationHoursException.day.between(sa.bindparam("day_from", type_=sa.Date),
                                             sa.bindparam("day_to", type_=sa.Date)))
    .order_by(StationHoursException.station_id, StationHoursException.day, StationHoursException.opens),
)


_ANSWERS: dict = {}  # (local minute, language) → {(holiday rule, weekly rows): (open now, text)}; a few minutes


def _answers_at(local_now: datetime) -> dict:
    """The answers of :func:`_status_text` already worked out in the minute of ``local_now`` (aware, local) in
    the current language, shared by the searches of that minute (only the last few minutes are kept).

    Exact, not an approximation: stored hours are whole minutes, so every moment of one minute has the same
    status, and :func:`core.opening_hours.describe` reads only the date of the moment."""
    slot = (local_now.replace(second=0, microsecond=0), str(get_locale()))
    answers = _ANSWERS.get(slot)
    if answers is None:
        if len(_ANSWERS) >= 4:
            _ANSWERS.clear()
        answers = _ANSWERS[slot] = {}
    return answers


def _status_text(station: _Found, now: datetime, local_now: datetime, known: dict) -> tuple[bool | None, str]:
    """``(open now, "open · closes 21:00")`` of ``station``; stations with the same weekly rows, holiday rule
    and no exceptions share one answer (``known`` remembers it: :func:`_answers_at`)."""
    if not station.hours:
        return None, ""
    key = None
    if not station.exceptions:
        key = (station.holiday_rule, tuple(r[1:] for r in station.hours))  # (weekday, opens, closes) of each row
        if key in known:
            return known[key]
    status = station_status(station, now)
    answer = status.open_now, describe(status, local_now)
    if key is not None:
        known[key] = answer
    return answer


def building_features(ebike_spots: int | None) -> tuple[tuple[str, str], ...]:
    """The features a partner building's row shows first: the Haitang pass, and its e-bike spots when known
    (``("ebike_spots", "12 e-bike spots")``)."""
    features = (("haitang", _("Haitang pass fast lane")),)
    if ebike_spots is not None:
        features += (("ebike_spots", ngettext("%(num)d e-bike spot", "%(num)d e-bike spots", ebike_spots)),)
    return features


def find_stations(lat: float, lng: float, *, radius_m: float = 5000, limit: int = 20, now: datetime,
                  amenities=(), open_now: bool = False, only_kind: str | None = None) -> list[Place]:
    """Active stations within ``radius_m`` metres of the WGS-84 point as :class:`core.places.Place`, nearest
    first, at most ``limit``; each offering every amenity code in ``amenities`` (an unknown code matches
    nothing) and, with ``open_now``, open at ``now`` (aware UTC); with ``only_kind`` (``"building"``) only
    stations of that kind. A partner building's row starts with :func:`building_features`.

    Fast at city scale (10,000 stations, see ``docs/benchmarks.md``): the database returns the positions of
    the nearest ``limit`` (:func:`_candidates`; with ``open_now`` the nearest :data:`FIRST`), and the hours
    (and exceptions) are loaded only for the nearest ``limit`` of them — with ``open_now``, in further chunks
    of :data:`CHUNK` until ``limit`` open ones are found (past the first :data:`FIRST`, every station in the
    circle is read). Each row's status is worked out once per weekly pattern and minute (:func:`_answers_at`)."""
    first = max(FIRST, limit) if open_now else limit  # without "open now" the nearest ``limit`` are the answer
    candidates, complete = _candidates(lat, lng, radius_m, amenities, first=first, only_kind=only_kind)
    if not candidates:
        return []
    today, local_now = local_today(now), to_local(now)
    known = _answers_at(local_now)
    url = url_maker("stations.detail", "station_id")
    labels = {code: str(label) for code, label in AMENITY_LABELS.items()}  # translated once, not once per row
    found: list[Place] = []
    start = 0
    while len(found) < limit:
        if start >= len(candidates):
            if complete:
                break
            seen = {station_id for _metres, station_id, _row in candidates}  # "open now" ran through the first ones
            candidates += [c for c in _candidates(lat, lng, radius_m, amenities, only_kind=only_kind)[0]
                           if c[1] not in seen]
            complete = True
            continue
        size = limit if not open_now else max(CHUNK, limit)
        chunk = candidates[start:start + size]
        start += size
        stations = _load([row for _metres, _station_id, row in chunk], today)
        for metres, station_id, _row in chunk:
            station = stations[station_id]
            is_open, text = _status_text(station, now, local_now, known)
            if open_now and not is_open:
                continue
            found.append(Place(kind="station", id=station.id, name=station.name, address=station.address,
                               latitude=station.latitude, longitude=station.longitude, distance_m=metres,
                               url=url(station.id), open_now=is_open,
                               status_text=text,
                               features=(building_features(station.ebike_spots)
                                         if station.kind == BUILDING else ())
                               + tuple((code, labels[code]) for code in (station.amenities or "").split(",")
                                       if code in labels)))
            if len(found) >= limit:
                break
    return found


register_place_finder("station", find_stations)


def station_ref(station_id: int) -> PlaceRef | None:
    """The active station ``station_id`` as a :class:`core.places.PlaceRef` (registered as kind ``"station"``)."""
    station = db.session.get(Station, station_id)
    if station is None or not station.active:
        return None
    return PlaceRef("station", station.id, station.name, station.address, station.latitude, station.longitude,
                    station.organisation_id)


register_place_lookup("station", station_ref)
