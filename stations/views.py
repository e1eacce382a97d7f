"""Rider pages of stations: near me (a list first, a map when licensed tiles are configured) and a station's page.

Both are public: the list of rest stations is public information and the pages show nothing personal, so a
rider who is not logged in (a link shared in a WeChat group) finds a station the same way.
"""

from datetime import timedelta

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _

from core.geo import distance_m, read_position
from core.opening_hours import (
    HOLIDAYS_UNKNOWN,
    describe,
    exceptions_from_rows,
    format_span,
    holiday_label,
    spans_on,
    weekly_from_rows,
    weekly_table,
)
from core.places import navigation_links, nearby_places
from core.timeutil import local_today, to_local, utcnow
from extensions import db
from stations.areas import AREAS
from stations.listing import KIND_CHOICES, NearFilters
from stations.map_tiles import tile_settings
from stations.models import AMENITIES, AMENITY_LABELS, BUILDING, Station
from stations.places import find_stations, has_hours, station_status

bp = Blueprint("stations", __name__, url_prefix="/stations")
LIST_LIMIT = 30  # a phone screen's worth of rows, small on patchy mobile data
NEARBY_M = 500  # "nearby" on a station's page: a short walk
EXCEPTIONS_AHEAD_DAYS = 14  # dated changes to the hours shown on a station's page


@bp.get("/")
def near_me():
    """Places near the rider (``?lat&lng``) or near a town's centre (``?area=``), nearest first, filtered
    (see :mod:`stations.listing`). Without a usable position the page offers "use my location" and the
    town picker; bad parameters are named on the page, never an error."""
    filters = NearFilters.from_args(request.args)
    places, found_any = [], False
    if filters.origin is not None:
        search = filters.search()
        limit = LIST_LIMIT * 3 if filters.kind == "restaurant" else LIST_LIMIT
        if filters.kind == "building":  # partner buildings of the Haitang pass: stations of one kind
            search.pop("kinds")
            places = find_stations(*filters.origin, limit=limit, now=utcnow(), only_kind=BUILDING, **search)
        else:
            places = nearby_places(*filters.origin, limit=limit, now=utcnow(), **search)
        if filters.kind == "restaurant":  # "restaurants with offers"
            places = [place for place in places if place.has_offers][:LIST_LIMIT]
        found_any = bool(places)
    map_url = None
    if filters.origin is not None and tile_settings(current_app.config) is not None:  # licensed tiles only
        map_url = url_for("stations.map_page", lat=f"{filters.origin[0]:.3f}", lng=f"{filters.origin[1]:.3f}")
    return render_template("stations/near_me.html", filters=filters, places=places, found_any=found_any,
                           map_url=map_url,
                           areas=AREAS, amenities=[(code, AMENITY_LABELS[code]) for code in AMENITIES],
                           kinds=KIND_CHOICES)


def get_active_station_or_404(station_id: int) -> Station:
    """The station, or 404 when it does not exist or is deactivated (riders never see those)."""
    station = db.session.get(Station, station_id)
    if station is None or not station.active:
        abort(404)
    return station


@bp.get("/<int:station_id>")
def detail(station_id: int):
    """A station's page: opening status and week, dated changes, amenities, address, phone, one-tap
    navigation, the distance from ``?lat&lng`` when sent, and the places within 500 m."""
    station = get_active_station_or_404(station_id)
    now = utcnow()
    local_now = to_local(now)
    today = local_today(now)
    weekly = weekly_from_rows(station.hours)
    exceptions = exceptions_from_rows(station.exceptions)
    if has_hours(station):
        status = station_status(station, now)
        status_text, is_open, holidays_known = describe(status, local_now), status.open_now, status.holidays_known
    else:
        status_text, is_open, holidays_known = "", None, True
    today_hours = spans_on(today, weekly, exceptions, station.holiday_rule)
    holidays_known = holidays_known and today_hours.holidays_known
    try:
        position = read_position(request.args.get("lat"), request.args.get("lng"))
    except ValueError:
        position = None
    nearby = [place for place in nearby_places(station.latitude, station.longitude, radius_m=NEARBY_M, limit=7,
                                               now=now)
              if not (place.kind == "station" and place.id == station.id)][:6]
    return render_template(
        "stations/detail.html", station=station, status_text=status_text, is_open=is_open,
        week=weekly_table(weekly), today_index=today.weekday(), today_note=today_note(today_hours, station),
        holidays_unknown=HOLIDAYS_UNKNOWN if not holidays_known else None,
        upcoming=upcoming_changes(exceptions, today), links=navigation_links(station.latitude, station.longitude,
                                                                              station.name),
        distance=distance_m(*position, station.latitude, station.longitude) if position else None,
        nearby=nearby)


def today_note(hours, station: Station) -> str:
    """A line on what today's public holiday or make-up working day (调休) does to the hours, or ``""``."""
    if not hours.holiday_name:
        return ""
    holiday = holiday_label(hours.holiday_name)
    if hours.source == "makeup":
        return _("Today is a make-up working day (for %(holiday)s): working-day hours.", holiday=holiday)
    if hours.source == "holiday" and station.holiday_rule == "closed_on_holidays":
        return _("Today is a public holiday (%(holiday)s): closed.", holiday=holiday)
    if hours.source == "holiday":
        return _("Today is a public holiday (%(holiday)s): Sunday hours.", holiday=holiday)
    if hours.source == "exception":
        return _("Today is a public holiday (%(holiday)s): special hours, see below.", holiday=holiday)
    return _("Today is a public holiday (%(holiday)s): usual hours.", holiday=holiday)


def upcoming_changes(exceptions, today) -> list[tuple[str, str, str, bool]]:
    """Dated changes from ``today`` to 14 days on, one row per day: ``(date text, hours text, note, is today)``."""
    days: dict = {}
    for exception in exceptions:
        if today <= exception.day <= today + timedelta(days=EXCEPTIONS_AHEAD_DAYS):
            days.setdefault(exception.day, []).append(exception)
    rows = []
    for day in sorted(days):
        spans = sorted(span for e in days[day] if not e.closed for span in e.spans)
        hours = ", ".join(format_span(span) for span in spans) if spans else _("Closed")
        note = "; ".join(dict.fromkeys(e.note for e in days[day] if e.note))
        rows.append((format_date(day, _("EEE d MMM")), hours, note, day == today))
    return rows
