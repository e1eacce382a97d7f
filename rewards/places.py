"""Partner restaurants as places: their opening status, whether a rider can get an offer there now, and the
"near me" finder registered with :mod:`core.places` under the kind ``"restaurant"``.

Importing this module registers the finder (``app.py`` imports it). A restaurant "has offers" when a rider could
get a voucher there now: the merchant is active and not paused, and one of its offers is active with stock left
and, with a daily stock, places left today (the same rules :func:`rewards.rules.standing` applies; a rider's own
per-rider limit is not counted, as the list is the same for every rider). Serving hours do not count: they say
when a voucher is confirmed at the counter, not when it can be got.
"""

import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload, with_loader_criteria

from core.geo import EARTH_RADIUS_M, distance_m, read_position
from core.opening_hours import LOOK_AHEAD_DAYS, Status, describe, exceptions_from_rows, status_at, weekly_from_rows
from core.places import Place, PlaceRef, register_place_finder, register_place_lookup
from core.timeutil import local_today, to_local
from extensions import db
from rewards.models import Merchant, MerchantHoursException, Offer, OfferDay

OFFERS_FEATURE = ("offers", _l("Offers with points"))
METRES_PER_DEGREE = EARTH_RADIUS_M * math.pi / 180  # along a meridian, on the sphere distance_m uses


def bounding_box(lat: float, lng: float, radius_m: float) -> tuple[float, float, float, float]:
    """``(south, north, west, east)`` in degrees: a box holding every point within ``radius_m`` metres of
    (``lat``, ``lng``), a little larger than needed (the exact distance decides). As ``stations.queries``'s:
    no wrapping at the poles or the 180th meridian (restaurants are in China)."""
    radius_m *= 1.001
    d_lat = radius_m / METRES_PER_DEGREE
    cos_lat = math.cos(math.radians(min(abs(lat) + d_lat, 89.999)))
    d_lng = min(radius_m / (METRES_PER_DEGREE * cos_lat), 180.0)
    return max(lat - d_lat, -90.0), min(lat + d_lat, 90.0), lng - d_lng, lng + d_lng


def merchant_status(merchant: Merchant, now: datetime) -> Status:
    """Open or closed at ``now`` (aware UTC) from the merchant's weekly rows, exceptions and holiday rule; the
    status's datetimes are local (Asia/Shanghai). Without weekly rows it says closed: check :func:`has_hours`."""
    return status_at(to_local(now), weekly_from_rows(merchant.hours), exceptions_from_rows(merchant.hours_exceptions),
                     merchant.holiday_rule)


def has_hours(merchant: Merchant) -> bool:
    """Whether any weekly hours are entered (without them the status is not known, not "closed")."""
    return bool(merchant.hours)


def open_status(merchant: Merchant, now: datetime) -> tuple[bool | None, str]:
    """``(open_now, status text)`` at ``now`` (aware UTC): ``(None, "")`` when no hours are entered, else e.g.
    ``(True, "营业中 · 21:00关门")`` in the user's language (needs an app context)."""
    if not has_hours(merchant):
        return None, ""
    status = merchant_status(merchant, now)
    return status.open_now, describe(status, to_local(now))


def with_offers_now(merchant_ids: Iterable[int], now: datetime) -> set[int]:
    """The ids among ``merchant_ids`` of active, unpaused merchants where a rider could get a voucher at ``now``
    (aware UTC): an active offer with stock, and places left today when it has a daily stock. One query."""
    ids = set(merchant_ids)
    if not ids:
        return set()
    today = local_today(now)
    query = (sa.select(Offer.merchant_id).distinct()
             .join(Merchant, Merchant.id == Offer.merchant_id)
             .outerjoin(OfferDay, sa.and_(OfferDay.offer_id == Offer.id, OfferDay.day == today))
             .where(Offer.merchant_id.in_(ids), Offer.active.is_(True), Offer.stock > 0,
                    Merchant.active.is_(True), Merchant.paused_at.is_(None),
                    sa.or_(Offer.daily_stock.is_(None), sa.func.coalesce(OfferDay.taken, 0) < Offer.daily_stock)))
    return set(db.session.scalars(query))


def _with_hours(query: sa.Select, now: datetime) -> sa.Select:
    """``query`` of merchants loading their hours and the exceptions that decide the status at ``now`` in two
    more queries (not one per merchant)."""
    return _hours_options(query, local_today(now))


def _hours_options(query: sa.Select, today: date) -> sa.Select:
    """:func:`_with_hours` for the local ``today``."""
    return query.options(selectinload(Merchant.hours), selectinload(Merchant.hours_exceptions),
                         with_loader_criteria(MerchantHoursException, MerchantHoursException.day.between(
                             today - timedelta(days=1), today + timedelta(days=LOOK_AHEAD_DAYS + 1))))


def restaurant_place(merchant: Merchant, *, metres: float, now: datetime, has_offers: bool) -> Place:
    """``merchant`` (with a position) as a :class:`core.places.Place` ``metres`` away, status taken at ``now``."""
    is_open, text = open_status(merchant, now)
    return Place(kind="restaurant", id=merchant.id, name=merchant.name, address=merchant.address,
                 latitude=merchant.latitude, longitude=merchant.longitude, distance_m=metres,
                 url=url_for("rewards.restaurant", merchant_id=merchant.id), open_now=is_open, status_text=text,
                 features=(OFFERS_FEATURE,) if has_offers else (), has_offers=has_offers)


def find_restaurants(lat: float, lng: float, *, radius_m: float = 5000, limit: int = 20, now: datetime,
                     amenities=(), open_now: bool = False) -> list[Place]:
    """Active merchants with a position within ``radius_m`` metres of the WGS-84 point (degrees) as
    :class:`core.places.Place` of kind ``"restaurant"``, nearest first (ties by id), at most ``limit``; with
    ``open_now`` only those open at ``now`` (aware UTC; unknown hours are not open). Restaurants have no
    amenities, so asking for any gives ``[]``. Four queries whatever the number found."""
    if tuple(amenities):
        return []
    south, north, west, east = bounding_box(lat, lng, radius_m)
    candidates = []
    for merchant in db.session.scalars(_in_box_statement(local_today(now)),
                                       {"south": south, "north": north, "west": west, "east": east}):
        metres = distance_m(lat, lng, merchant.latitude, merchant.longitude)
        if metres <= radius_m:
            candidates.append((metres, merchant.id, merchant))
    candidates.sort(key=lambda item: item[:2])
    offering = with_offers_now((merchant.id for _m, _id, merchant in candidates), now)
    found = []
    for metres, merchant_id, merchant in candidates:
        place = restaurant_place(merchant, metres=metres, now=now, has_offers=merchant_id in offering)
        if open_now and not place.open_now:
            continue
        found.append(place)
        if len(found) >= limit:
            break
    return found


@functools.lru_cache(maxsize=4)
def _in_box_statement(today: date) -> sa.Select:
    """Active merchants in the box of bound parameters ``south``/``north``/``west``/``east`` (degrees), with their
    hours and the exceptions that decide a status on the local ``today`` (:func:`_with_hours`); built once a day."""
    box = sa.select(Merchant).where(
        Merchant.active.is_(True),
        Merchant.latitude.between(sa.bindparam("south", type_=sa.Float), sa.bindparam("north", type_=sa.Float)),
        Merchant.longitude.between(sa.bindparam("west", type_=sa.Float), sa.bindparam("east", type_=sa.Float)))
    return _hours_options(box, today)


def restaurant_for_rider(merchant_id: int, now: datetime) -> Merchant | None:
    """The active merchant ``merchant_id`` with its hours (the exceptions near ``now``) and offers loaded, or
    ``None`` when unknown or inactive."""
    query = _with_hours(sa.select(Merchant).where(Merchant.id == merchant_id, Merchant.active.is_(True))
                        .options(selectinload(Merchant.offers)), now)
    return db.session.scalars(query).first()


@dataclass(frozen=True)
class NearMe:
    """The offers list's "nearest first" (``?near=1`` with the rider's ``lat``/``lng``, or ``geo=denied`` when
    the browser did not share its location), read as the task list reads it. ``position`` is (latitude,
    longitude) rounded to about 100 m, only with ``near``; ``unreadable``: a position came but was junk."""

    near: bool = False
    position: tuple[float, float] | None = None
    refused: bool = False
    unreadable: bool = False

    @classmethod
    def from_args(cls, args) -> "NearMe":
        """Read a request's ``args`` (a MultiDict); anything malformed is ignored (never an error)."""
        if args.get("near") != "1":
            return cls()
        try:
            position = read_position(args.get("lat"), args.get("lng"))
        except ValueError:
            return cls(near=True, unreadable=True)
        return cls(near=True, position=position, refused=position is None and args.get("geo") == "denied")


def by_distance(merchants: list[Merchant], position: tuple[float, float] | None) -> tuple[list[Merchant], dict]:
    """``merchants`` nearest first from ``position`` (WGS-84 degrees) and ``{merchant id: metres}``; those
    without a position follow in their given order. Without ``position``: unchanged, ``{}``."""
    if position is None:
        return merchants, {}
    distances = {m.id: distance_m(*position, m.latitude, m.longitude) for m in merchants
                 if m.latitude is not None and m.longitude is not None}
    ordered = sorted(merchants, key=lambda m: (m.id not in distances, distances.get(m.id, 0.0)))
    return ordered, distances


register_place_finder("restaurant", find_restaurants)


def restaurant_ref(merchant_id: int) -> PlaceRef | None:
    """The active merchant ``merchant_id`` as a :class:`core.places.PlaceRef` (kind ``"restaurant"``); ``None``
    when unknown, inactive or without a position."""
    merchant = db.session.get(Merchant, merchant_id)
    if merchant is None or not merchant.active or merchant.latitude is None or merchant.longitude is None:
        return None
    return PlaceRef("restaurant", merchant.id, merchant.name, merchant.address, merchant.latitude,
                    merchant.longitude, merchant.organisation_id)


register_place_lookup("restaurant", restaurant_ref)
