"""Loading the demo's rest stations and the demo restaurants' opening hours (called by :func:`demo.load.load_demo`).

Stations are created by :func:`stations.services.create_station` (checked and journalled, as a coordinator
would); their weekly hours, holiday rule and dated closures are written as rows beside them, in the form the
hours rules read (:mod:`core.opening_hours`). Nothing here is random: the same demo every time.
"""

from datetime import datetime, timedelta

from accounts.models import Organisation, User
from core.timeutil import local_today
from demo.station_data import CLOSED_DAYS, HOURS, RESTAURANT_HOURS, SPREAD, TOWNS
from extensions import db
from rewards.models import Merchant, MerchantHours
from stations.models import Station, StationHours, StationHoursException
from stations.services import create_station


def _spans(weekly: dict) -> list[tuple[int, str, str]]:
    """``(weekday, opens, closes)`` rows of a ``{weekday: ["HH:MM-HH:MM", …]}`` table."""
    return [(day, *span.split("-")) for day, spans in sorted(weekly.items()) for span in spans]


def _phone(n: int) -> str:
    """An invented Zhangjiagang landline (area code 0512), different for each station."""
    return f"0512-5868{1000 + n * 37:04d}"


def load_stations(organisations: list[Organisation], coordinators: list[User], now: datetime) -> list[Station]:
    """Create the demo's 60 stations, each run by its town's demo organisation (created by that organisation's
    coordinator), with weekly hours, a holiday rule and, for two of them, a closed day soon; return them."""
    made, by_place = [], {}
    for town, (lat, lng), org_index, roads, stations in TOWNS:
        for i, (name, kind, profile, amenities) in enumerate(stations):
            d_lat, d_lng = SPREAD[i % len(SPREAD)]
            station = create_station(
                actor=coordinators[org_index], name=name, kind=kind,
                address=f"张家港市{town}{roads[i % len(roads)]}{(i * 17) % 180 + 2}号",
                latitude=round(lat + d_lat, 6), longitude=round(lng + d_lng, 6), entered_crs="wgs84",
                amenities=amenities.split(","), phone=_phone(len(made)),
                organisation_id=organisations[org_index].id, now=now - timedelta(days=60 - len(made)))
            weekly, rule = HOURS[profile]
            station.holiday_rule = rule
            db.session.add_all(StationHours(station_id=station.id, weekday=day, opens=opens, closes=closes)
                               for day, opens, closes in _spans(weekly))
            by_place[(town, i)] = station
            made.append(station)
    today = local_today(now)
    for place, days, note in CLOSED_DAYS:
        db.session.add(StationHoursException(station_id=by_place[place].id, day=today + timedelta(days=days),
                                             closed=True, note=note))
    db.session.flush()
    return made


def give_restaurants_hours(shops: list[Merchant]) -> int:
    """Weekly hours and a holiday rule for each demo restaurant named in ``RESTAURANT_HOURS`` (a restaurant
    that already has hours keeps them); return how many got hours."""
    given = 0
    for shop in shops:
        if shop.name not in RESTAURANT_HOURS or shop.hours:
            continue
        weekly, rule = RESTAURANT_HOURS[shop.name]
        shop.holiday_rule = rule
        db.session.add_all(MerchantHours(merchant_id=shop.id, weekday=day, opens=opens, closes=closes)
                           for day, opens, closes in _spans(weekly))
        given += 1
    db.session.flush()
    return given
