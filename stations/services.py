"""Use cases of rest stations: create, change and deactivate a station.

Functions take keyword arguments and the acting user (a coordinator of the station's organisation, or an
admin), flush but never commit, and raise a :class:`core.errors.DomainError` from :mod:`stations.errors`
(after which the caller rolls back). Each change is journalled in the same transaction.

Positions come in the system they were entered in (``entered_crs``: ``"wgs84"`` from a phone's GPS,
``"gcj02"`` from a Chinese map app) and are stored in WGS-84, rounded to 6 decimals (about 0.1 m).
"""

import math
import re
from collections.abc import Iterable
from datetime import datetime

from flask_babel import lazy_gettext as _l

from accounts import journal
from accounts.models import User
from core.geo import gcj02_to_wgs84, in_china
from core.timeutil import utcnow
from extensions import db
from stations.errors import (
    BadCoordinates,
    InvalidStation,
    NotYourStation,
    OutsideChina,
    UnknownCoordinateSystem,
)
from stations.models import AMENITIES, CRS, KINDS, Station, amenity_text

NAME_MAX, ADDRESS_MAX, PHONE_MAX = 100, 200, 20  # characters, as the columns hold
PHONE_PATTERN = re.compile(r"[0-9+\-() ]{3,20}")  # a landline with its area code, a mobile, an extension
journal.describe({"station.create": _l("Station added"), "station.update": _l("Station changed"),
                  "station.deactivate": _l("Station deactivated")},
                 name=_l("Name"), kind=_l("Kind"), address=_l("Address"), latitude=_l("Latitude"),
                 longitude=_l("Longitude"), entered_crs=_l("Coordinates entered as"), amenities=_l("Amenities"),
                 phone=_l("Phone"), active=_l("Active"), changed=_l("Changes"), organisation_id=_l("Organisation"))


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


def _clean(*, name: str, kind: str, address: str, latitude: float, longitude: float, entered_crs: str,
           amenities: Iterable[str], phone: str | None) -> dict:
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
    lat, lng = wgs84_position(latitude, longitude, entered_crs)
    return {"name": name, "kind": kind, "address": address, "latitude": lat, "longitude": lng,
            "entered_crs": entered_crs, "amenities": amenity_text(codes), "phone": phone}


def create_station(*, actor: User, name: str, address: str, latitude: float, longitude: float,
                   entered_crs: str = "wgs84", kind: str = "community_centre", amenities: Iterable[str] = (),
                   phone: str | None = None, organisation_id: int | None = None,
                   now: datetime | None = None) -> Station:
    """Add an active station and return it. A coordinator's station belongs to their organisation
    (``organisation_id`` may be left out or must be theirs); an admin names the organisation.

    ``latitude``/``longitude`` are degrees in ``entered_crs`` (``"wgs84"`` or ``"gcj02"``), stored as WGS-84;
    ``amenities`` are codes of :data:`stations.models.AMENITIES`. Raises :class:`NotYourStation` or an
    :class:`InvalidStation` (bad name, kind, address, amenities, phone or position).
    """
    if organisation_id is None and actor.is_coordinator:
        organisation_id = actor.organisation_id
    _check_manager(actor, organisation_id)
    if organisation_id is None:
        raise InvalidStation(_l("Choose the organisation that runs the station."), "organisation_id")
    values = _clean(name=name, kind=kind, address=address, latitude=latitude, longitude=longitude,
                    entered_crs=entered_crs, amenities=amenities, phone=phone)
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
                   now: datetime | None = None) -> Station:
    """Change a station's details (every field, as a form sends them; the position as in :func:`create_station`)
    and return it. Journalled only when something changed.

    Raises :class:`NotYourStation` or an :class:`InvalidStation`.
    """
    _check_manager(actor, station.organisation_id)
    values = _clean(name=name, kind=kind, address=address, latitude=latitude, longitude=longitude,
                    entered_crs=entered_crs, amenities=amenities, phone=phone)
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
