"""The city platforms' API (scope ``platform``): upcoming open tasks, stations, report figures.

Reads only, through the domain packages' own queries: :func:`volunteer.queries.upcoming_tasks`,
:func:`stations.queries.nearby` (with :func:`stations.places.station_status` for the hours) and
:func:`reports.figures.figures` over the whole programme (what an admin's dashboard counts).
"""

from datetime import timedelta

import sqlalchemy as sa
from flask import url_for

from api.auth import install, require_token
from api.blueprint import ApiBlueprint
from api.errors import HTTP_ERRORS, ApiError, answer_errors_as_json, json_response
from api.models import PLATFORM
from api.schemas import FiguresQuery, ReportFigures, StationPage, StationQuery, TaskPage, TaskQuery
from api.spec import SECURITY, refusals
from core.opening_hours import describe
from core.timeutil import local_day_span, local_today, to_local, utcnow
from extensions import csrf, db
from reports import figures as report_figures
from stations.models import Station
from stations.places import has_hours, station_status
from stations.queries import nearby
from volunteer.queries import upcoming_tasks

bp = ApiBlueprint("api_platform", __name__, url_prefix="/api/v1/platform",
                  description="For city platforms (token scope platform): tasks, stations and report figures.")
csrf.exempt(bp)
answer_errors_as_json(bp)
bp.record_once(install)

DEFAULT_FIGURE_DAYS = 30


@bp.before_request
def authenticate():
    """Every route here needs a token of this blueprint's scope (:func:`api.auth.require_token`)."""
    require_token(PLATFORM)


def page_of(items: list, query: dict) -> dict:
    """``items`` fetched with one extra row as a page: at most ``per_page`` of them and ``has_more``."""
    per_page = query["per_page"]
    return {"items": items[:per_page], "page": query["page"], "per_page": per_page, "has_more": len(items) > per_page}


@bp.get("/tasks")
@bp.doc(security=SECURITY, summary="Upcoming open tasks, soonest first (or nearest first with near_lat/near_lng)")
@bp.arguments(TaskQuery, location="query")
@bp.response(200, TaskPage)
@refusals(bp, 401, 403, 422, 429, 503)
def tasks(query: dict):
    """Open tasks of ``kind`` starting after now, ``per_page`` a page."""
    near = (query["near_lat"], query["near_lng"]) if "near_lat" in query else None
    found = upcoming_tasks(now=utcnow(), kind=query["kind"], category=query["category"], near=near,
                           offset=(query["page"] - 1) * query["per_page"], limit=query["per_page"] + 1)
    items = [{"id": t.id, "title": t.title, "kind": t.kind, "category": t.category,
              "organisation": {"id": t.organisation.id, "name": t.organisation.name}, "place": t.place,
              "latitude": t.latitude, "longitude": t.longitude, "starts_at": t.starts_at, "ends_at": t.ends_at,
              "places": t.places, "free_places": max(0, t.places - t.taken), "points": t.points,
              "url": url_for("volunteer.task_detail", task_id=t.id, _external=True)} for t in found]
    return json_response(TaskPage().dump(page_of(items, query)))


def station_item(station: Station, distance, now) -> dict:
    """``station`` as :class:`StationSchema` takes it; ``distance`` in metres or ``None``, ``now`` aware UTC."""
    if has_hours(station):
        status = station_status(station, now)
        open_now, summary = status.open_now, describe(status, to_local(now))
    else:
        open_now, summary = None, ""
    return {"id": station.id, "name": station.name, "kind": station.kind, "address": station.address,
            "latitude": station.latitude, "longitude": station.longitude,
            "amenities": list(station.amenity_codes), "phone": station.phone, "open_now": open_now,
            "hours_summary": summary, "distance_m": None if distance is None else round(distance),
            "url": url_for("stations.detail", station_id=station.id, _external=True)}


@bp.get("/stations")
@bp.doc(security=SECURITY, summary="Active rest stations; nearest first within radius_m of lat/lng when sent")
@bp.arguments(StationQuery, location="query")
@bp.response(200, StationPage)
@refusals(bp, 401, 403, 422, 429, 503)
def stations(query: dict):
    """Active stations by id, or those within ``radius_m`` of (``lat``, ``lng``) nearest first; positions WGS-84."""
    now, offset, per_page = utcnow(), (query["page"] - 1) * query["per_page"], query["per_page"]
    if "lat" in query:
        pairs = nearby(query["lat"], query["lng"], radius_m=query["radius_m"], limit=offset + per_page + 1)
        pairs = pairs[offset:]
    else:
        found = db.session.scalars(sa.select(Station).where(Station.active.is_(True)).order_by(Station.id)
                                   .offset(offset).limit(per_page + 1))
        pairs = [(station, None) for station in found]
    items = [station_item(station, distance, now) for station, distance in pairs]
    return json_response(StationPage().dump(page_of(items, query)))


@bp.get("/reports/figures")
@bp.doc(security=SECURITY, summary="Report figures of a period (the dashboard's, over the whole programme)")
@bp.arguments(FiguresQuery, location="query")
@bp.response(200, ReportFigures)
@refusals(bp, 401, 403, 422, 429, 503)
def report_figures_view(query: dict):
    """Figures of the reports filed from local day ``start`` to ``end`` (included); 422 when ``start`` is after
    ``end`` (today when ``end`` is not sent)."""
    end = query.get("end") or local_today()
    start = query.get("start") or end - timedelta(days=DEFAULT_FIGURE_DAYS - 1)
    if start > end:  # only a start after today with no end: the schema refuses a start after a given end
        raise ApiError(422, "invalid_request", HTTP_ERRORS[422][1],
                       errors={"start": ["start must not be after end (today when end is not sent)."]})
    since, until = local_day_span(start)[0], local_day_span(end)[1]
    found = report_figures.figures(report_figures.organisation_reports(None), since, until)
    body = {"start": start, "end": end, "created": found.created, "resolved": found.resolved, "closed": found.closed,
            "median_days_to_resolve": found.median_days, "statuses": found.statuses,
            "categories": [{"code": category.code, "label": str(category.label), "count": count}
                           for category, count in found.categories]}
    return json_response(ReportFigures().dump(body))
