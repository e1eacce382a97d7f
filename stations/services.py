"""Use cases of rest stations: create, change, deactivate and reactivate a station; set its opening hours.

Functions take keyword arguments and the acting user (a coordinator of the station's organisation, or an
admin), flush but never commit, and raise a :class:`core.errors.DomainError` from :mod:`stations.errors`
(after which the caller rolls back). Each change is journalled in the same transaction.

Positions come in the system they were entered in (``entered_crs``: ``"wgs84"`` from a phone's GPS,
``"gcj02"`` from a Chinese map app) and are stored in WGS-84, rounded to 6 decimals (about 0.1 m).
"""

import math
import re
from collections.abc import Iterable
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from accounts import journal
from accounts.models import User
from core.geo import gcj02_to_wgs84, in_china
from core.hours_form import HoursRefused, check_exception, check_weekly
from core.opening_hours import HOLIDAY_RULES
from core.timeutil import utcnow
from extensions import db
from stations.errors import (
    BadCoordinates,
    InvalidStation,
    NotYourStation,
    OutsideChina,
    UnknownCoordinateSystem,
)
from stations.models import AMENITIES, BUILDING, CRS, KINDS, Station, StationHours, StationHoursException, amenity_text

NAME_MAX, ADDRESS_MAX, PHONE_MAX = 100, 200, 20  # characters, as the columns hold
PHONE_PATTERN = re.compile(r"[0-9+\-() ]{3,20}")  # a landline with its area code, a mobile, an extension
journal.describe({"station.create": _l("Station added"), "station.update": _l("Station changed"),
                  "station.deactivate": _l("Station deactivated"), "station.reactivate": _l("Station reactivated"),
                  "station.hours": _l("Station hours set"), "station.hours_exception_add": _l("Hours exception added"),
                  "station.hours_exception_remove": _l("Hours exception deleted")},
                 name=_l("Name"), kind=_l("Kind"), address=_l("Address"), latitude=_l("Latitude"),
                 longitude=_l("Longitude"), entered_crs=_l("Coordinates entered as"), amenities=_l("Amenities"),
                 phone=_l("Phone"), active=_l("Active"), hours=_l("Weekly hours"), holiday_rule=_l("Holiday rule"),
                 day=_l("Date"), closed=_l("Closed"), opens=_l("Opens"), closes=_l("Closes"), note=_l("Note"),
                 changed=_l("Changes"), organisation_id=_l("Organisation"), fast_lane=_l("Fast lane"),
                 ebike_spots=_l("E-bike spots"), parking_where=_l("Where the parking is"))
BUILDING_TEXT_MAX, EBIKE_SPOTS_MAX = 200, 10_000  # characters of the fast lane and parking texts; spots at most


def _check_manager(actor: User, organisation_id: int | None) -> None:
    """Raise :class:`NotYourStation` unless ``actor`` is an admin or a coordinator of ``organisation_id``."""
    if actor.is_admin or (actor.is_coordinator and organisation_id is not None
                          and actor.organisation_id == organisation_id):
        return
    raise NotYourStation()


def wgs84_position(latitude: float, longitude: float, entered_crs: str) -> tuple[float, float]:
    """The WGS-84 position (degrees, 6 decimals) of a position entered in ``entered_crs``.

    Raises :class:`UnknownCoordinateSystem`, :class:`BadCoordinates` (not finite numbers, out of range) or
    :class:`OutsideChina` (a GCJ-02 position outside China, where that system does not exist).
    """
    if entered_crs not in CRS:
        raise UnknownCoordinateSystem()
    try:
        latitude, longitude = float(latitude), float(longitude)
    except (TypeError, ValueError):
        raise BadCoordinates() from None
    if not (math.isfinite(latitude) and math.isfinite(longitude)
            and -90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise BadCoordinates()
    if entered_crs == "gcj02":
        if not in_china(latitude, longitude):
            raise OutsideChina()
        latitude, longitude = gcj02_to_wgs84(latitude, longitude)
    return round(latitude, 6) + 0.0, round(longitude, 6) + 0.0


FULL_WIDTH_DIGITS = {0xFF10 + n: 0x30 + n for n in range(10)}  # "０".."９" → "0".."9"


def read_spots(value) -> int | None:
    """The number of e-bike spots of a partner building: an int 0–10,000 or ``None`` (nothing given), from an int
    or text as typed (``" 12 "``, or full-width ``"１２"`` from a Chinese keyboard). Raises :class:`InvalidStation`
    (field ``ebike_spots``) for anything else."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip().translate(FULL_WIDTH_DIGITS)
    if not text.isascii() or not text.isdigit() or int(text) > EBIKE_SPOTS_MAX:
        raise InvalidStation(_l("Give the e-bike spots as a whole number from 0 to %(max)d.", max=EBIKE_SPOTS_MAX),
                             "ebike_spots")
    return int(text)


def building_details(kind: str, fast_lane: str | None, ebike_spots, parking_where: str | None) -> dict:
    """The stored fast-lane and parking details: checked for a partner building (kind ``building``), all ``None``
    for any other kind. Raises :class:`InvalidStation` naming the bad field."""
    if kind != BUILDING:
        return {"fast_lane": None, "ebike_spots": None, "parking_where": None}
    fast_lane, parking_where = (fast_lane or "").strip() or None, (parking_where or "").strip() or None
    if fast_lane is not None and len(fast_lane) > BUILDING_TEXT_MAX:
        raise InvalidStation(_l("Describe the fast lane in at most %(max)d characters.", max=BUILDING_TEXT_MAX),
                             "fast_lane")
    if parking_where is not None and len(parking_where) > BUILDING_TEXT_MAX:
        raise InvalidStation(_l("Say where the parking is in at most %(max)d characters.", max=BUILDING_TEXT_MAX),
                             "parking_where")
    return {"fast_lane": fast_lane, "ebike_spots": read_spots(ebike_spots), "parking_where": parking_where}


def _clean(*, name: str, kind: str, address: str, latitude: float, longitude: float, entered_crs: str,
           amenities: Iterable[str], phone: str | None, fast_lane: str | None = None, ebike_spots=None,
           parking_where: str | None = None) -> dict:
    """The stored values of a station's fields, or an :class:`InvalidStation` naming the first bad field."""
    name, address, phone = (name or "").strip(), (address or "").strip(), (phone or "").strip() or None
    if not name or len(name) > NAME_MAX:
        raise InvalidStation(_l("Give the station a name of at most %(max)d characters.", max=NAME_MAX), "name")
    if kind not in KINDS:
        raise InvalidStation(_l("Choose what kind of place the station is."), "kind")
    if not address or len(address) > ADDRESS_MAX:
        raise InvalidStation(_l("Give an address of at most %(max)d characters.", max=ADDRESS_MAX), "address")
    codes = set(amenities or ())
    if codes - set(AMENITIES):
        raise InvalidStation(_l("Choose amenities from the list."), "amenities")
    if phone is not None and not PHONE_PATTERN.fullmatch(phone):
        raise InvalidStation(_l("Give a phone number of digits (with + - ( ) or spaces), at most %(max)d "
                                "characters.", max=PHONE_MAX), "phone")
    details = building_details(kind, fast_lane, ebike_spots, parking_where)
    lat, lng = wgs84_position(latitude, longitude, entered_crs)
    return {"name": name, "kind": kind, "address": address, "latitude": lat, "longitude": lng,
            "entered_crs": entered_crs, "amenities": amenity_text(codes), "phone": phone, **details}


def create_station(*, actor: User, name: str, address: str, latitude: float, longitude: float,
                   entered_crs: str = "wgs84", kind: str = "community_centre", amenities: Iterable[str] = (),
                   phone: str | None = None, organisation_id: int | None = None, fast_lane: str | None = None,
                   ebike_spots: int | str | None = None, parking_where: str | None = None,
                   now: datetime | None = None) -> Station:
    """Add an active station and return it. A coordinator's station belongs to their organisation
    (``organisation_id`` may be left out or must be theirs); an admin names the organisation.

    ``latitude``/``longitude`` are degrees in ``entered_crs`` (``"wgs84"`` or ``"gcj02"``), stored as WGS-84;
    ``amenities`` are codes of :data:`stations.models.AMENITIES`. A partner building (kind ``building``) keeps
    ``fast_lane``, ``ebike_spots`` (0–10,000; text as typed is read) and ``parking_where``; other kinds store
    none of them. Raises :class:`NotYourStation` or an :class:`InvalidStation` (bad name, kind, address,
    amenities, phone, building details or position).
    """
    if organisation_id is None and actor.is_coordinator:
        organisation_id = actor.organisation_id
    _check_manager(actor, organisation_id)
    if organisation_id is None:
        raise InvalidStation(_l("Choose the organisation that runs the station."), "organisation_id")
    values = _clean(name=name, kind=kind, address=address, latitude=latitude, longitude=longitude,
                    entered_crs=entered_crs, amenities=amenities, phone=phone, fast_lane=fast_lane,
                    ebike_spots=ebike_spots, parking_where=parking_where)
    now = now or utcnow()
    station = Station(organisation_id=organisation_id, active=True, created_at=now, updated_at=now, **values)
    db.session.add(station)
    db.session.flush()
    journal.record("station.create", actor=actor, subject=f"station:{station.id}", now=now,
                   organisation_id=organisation_id, name=station.name, address=station.address,
                   latitude=station.latitude, longitude=station.longitude, entered_crs=entered_crs)
    return station


def update_station(*, station: Station, actor: User, name: str, address: str, latitude: float, longitude: float,
                   entered_crs: str, kind: str, amenities: Iterable[str] = (), phone: str | None = None,
                   fast_lane: str | None = None, ebike_spots: int | str | None = None,
                   parking_where: str | None = None, now: datetime | None = None) -> Station:
    """Change a station's details (every field, as a form sends them; the position as in :func:`create_station`)
    and return it. Journalled only when something changed.

    Raises :class:`NotYourStation` or an :class:`InvalidStation`.
    """
    _check_manager(actor, station.organisation_id)
    values = _clean(name=name, kind=kind, address=address, latitude=latitude, longitude=longitude,
                    entered_crs=entered_crs, amenities=amenities, phone=phone, fast_lane=fast_lane,
                    ebike_spots=ebike_spots, parking_where=parking_where)
    changed = journal.changes(station, values)
    if changed:
        now = now or utcnow()
        for field, value in values.items():
            setattr(station, field, value)
        station.updated_at = now
        db.session.flush()
        journal.record("station.update", actor=actor, subject=f"station:{station.id}", now=now,
                       organisation_id=station.organisation_id, name=station.name, changed=changed)
    return station


def deactivate_station(*, station: Station, actor: User, now: datetime | None = None) -> Station:
    """Take a station out of "near me" (it is kept, with its hours). Deactivating twice changes nothing.

    Raises :class:`NotYourStation`.
    """
    _check_manager(actor, station.organisation_id)
    if station.active:
        now = now or utcnow()
        station.active, station.updated_at = False, now
        db.session.flush()
        journal.record("station.deactivate", actor=actor, subject=f"station:{station.id}", now=now,
                       organisation_id=station.organisation_id, name=station.name)
    return station


def reactivate_station(*, station: Station, actor: User, now: datetime | None = None) -> Station:
    """Put a deactivated station back into "near me". Reactivating an active station changes nothing.

    Raises :class:`NotYourStation`.
    """
    _check_manager(actor, station.organisation_id)
    if not station.active:
        now = now or utcnow()
        station.active, station.updated_at = True, now
        db.session.flush()
        journal.record("station.reactivate", actor=actor, subject=f"station:{station.id}", now=now,
                       organisation_id=station.organisation_id, name=station.name)
    return station


def hours_text(rows) -> str:
    """The weekly rows as one line for the journal: ``"0 08:00-21:00; 6 00:00-24:00"`` (weekday 0 = Monday)."""
    return "; ".join(f"{weekday} {opens}-{closes}" for weekday, opens, closes in rows)


def set_weekly_hours(*, station: Station, actor: User, rows, holiday_rule: str,
                     now: datetime | None = None) -> Station:
    """Replace the station's weekly hours by ``rows`` — ``(weekday, opens, closes)`` with weekday 0 = Monday and
    ``"HH:MM"`` times (``closes`` earlier than ``opens`` runs past midnight; ``"24:00"`` is midnight) — and set
    its ``holiday_rule`` (:data:`core.opening_hours.HOLIDAY_RULES`), in one transaction. Journalled when
    something changed.

    Raises :class:`NotYourStation`, or :class:`core.hours_form.HoursRefused` (a time that is not one, spans of a
    day that overlap, an unknown holiday rule).
    """
    _check_manager(actor, station.organisation_id)
    if holiday_rule not in HOLIDAY_RULES:
        raise HoursRefused(_l("Choose what happens on public holidays."), "holiday_rule")
    checked = check_weekly(list(rows))
    before = hours_text((row.weekday, row.opens, row.closes) for row in station.hours)
    changed = journal.changes({"hours": before, "holiday_rule": station.holiday_rule},
                              {"hours": hours_text(checked), "holiday_rule": holiday_rule})
    if not changed:
        return station
    now = now or utcnow()
    db.session.execute(sa.delete(StationHours).where(StationHours.station_id == station.id))
    db.session.add_all(StationHours(station_id=station.id, weekday=weekday, opens=opens, closes=closes)
                       for weekday, opens, closes in checked)
    station.holiday_rule, station.updated_at = holiday_rule, now
    db.session.flush()
    db.session.expire(station, ["hours"])
    journal.record("station.hours", actor=actor, subject=f"station:{station.id}", now=now,
                   organisation_id=station.organisation_id, name=station.name, changed=changed)
    return station


def add_hours_exception(*, station: Station, actor: User, day: date, closed: bool, opens: str | None = None,
                        closes: str | None = None, note: str = "",
                        now: datetime | None = None) -> StationHoursException:
    """Add a dated exception to the station's hours: ``closed`` all ``day`` (local date), or open from ``opens``
    to ``closes`` that day (one span; add several for several spans). ``note`` says why (at most 200 characters).

    Raises :class:`NotYourStation`, :class:`core.hours_form.HoursRefused` (times that cannot be read) or
    :class:`core.hours_form.ExceptionConflict` (409: a closed day that has open spans, an open span on a day
    marked closed, overlapping spans).
    """
    _check_manager(actor, station.organisation_id)
    existing = db.session.scalars(sa.select(StationHoursException).where(
        StationHoursException.station_id == station.id, StationHoursException.day == day)).all()
    opens, closes = check_exception(existing, closed=closed, opens=opens, closes=closes)
    note = (note or "").strip()[:200]
    row = StationHoursException(station_id=station.id, day=day, closed=closed, opens=opens, closes=closes, note=note)
    db.session.add(row)
    db.session.flush()
    journal.record("station.hours_exception_add", actor=actor, subject=f"station:{station.id}", now=now,
                   organisation_id=station.organisation_id, name=station.name, day=day.isoformat(), closed=closed,
                   opens=opens, closes=closes, note=note)
    return row


def remove_hours_exception(*, exception: StationHoursException, actor: User, now: datetime | None = None) -> None:
    """Delete one dated exception of a station's hours. Raises :class:`NotYourStation`."""
    station = exception.station
    _check_manager(actor, station.organisation_id)
    journal.record("station.hours_exception_remove", actor=actor, subject=f"station:{station.id}", now=now,
                   organisation_id=station.organisation_id, name=station.name, day=exception.day.isoformat(),
                   closed=exception.closed, opens=exception.opens, closes=exception.closes)
    db.session.delete(exception)
    db.session.flush()
