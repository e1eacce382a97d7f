"""Open311 GeoReport v2 for city platforms (JSON only): services, requests (list, one, create with an API key).

- ``GET /open311/v2/services.json``: one service per active category.
- ``GET /open311/v2/requests.json``: reports, newest first, at most 1000; filters ``service_request_id``
  (comma-separated; overrides the others), ``service_code`` (comma-separated), ``start_date``/``end_date``
  (W3C date-times; default the last 90 days), ``status`` (``open``: submitted, accepted, routed;
  ``closed``: resolved, rejected, closed).
- ``GET /open311/v2/requests/<id>.json``: a list of that one report.
- ``POST /open311/v2/requests.json``: ``api_key`` (or the ``X-Api-Key`` header), ``service_code``, ``lat``,
  ``long``, ``description``, optional ``address_string``; ``media_url`` and personal fields are ignored.

Names and descriptions are in Chinese unless ``lang=en`` (or ``Accept-Language: en``) asks for English.
Nothing of the reporter is ever in an answer (no name, phone, account), and no photo (``media_url`` is "").
Every error is the specification's list ``[{"code": 404, "description": "…"}]``, also for unknown paths
(``.xml``: only JSON is offered). No session is needed; the blueprint is exempt from CSRF (a key, not a
cookie, authenticates the POST). Limits: ``OPEN311_REQUESTS_PER_ADDRESS`` per client address,
``OPEN311_POSTS_PER_KEY`` reports per key; beyond them a 429 with ``Retry-After``.
"""

import contextlib
import json
import math
import re
from datetime import UTC, datetime, timedelta

from flask import Blueprint, current_app, request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import RequestRedirect

from core.forms import clean_text
from core.ratelimit import Budget
from core.timeutil import from_local, to_local, utcnow
from extensions import csrf, db
from reports.catalogue import categories
from reports.errors import ReportInvalid
from reports.models import Report
from reports.open311_keys import verify_key
from reports.platform import CLOSED_STATUSES, platform_requests, status_notes, submit_platform_report

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
csrf.exempt(bp)

MAX_RESULTS = 1000
DEFAULT_DAYS = 90
BY_ADDRESS = Budget("open311-address", "OPEN311_REQUESTS_PER_ADDRESS")
BY_KEY = Budget("open311-key", "OPEN311_POSTS_PER_KEY")

DESCRIPTIONS = {
    "road_facilities": _l("Broken or missing road facilities: manhole covers, kerbs, railings, street lights."),
    "traffic_signals": _l("Traffic lights or signs that are broken, dark or hidden."),
    "blocked_passage": _l("A lane, pavement or passage blocked by vehicles, goods or works."),
    "food_safety": _l("A food-safety problem at a shop or restaurant."),
    "fire_hazard": _l("A fire hazard: blocked fire exits, unsafe charging of e-bikes, stored fuel."),
    "sanitation": _l("Rubbish, overflowing bins, spills or dirty public places."),
    "station_problem": _l("A problem at a rest station (暖新窝) for riders."),
    "other": _l("Another problem in public space."),
}
KEYWORDS = {
    "road_facilities": _l("manhole,kerb,railing,street light,pothole"),
    "traffic_signals": _l("traffic light,sign,signal"),
    "blocked_passage": _l("blocked,parking,pavement,passage"),
    "food_safety": _l("food,hygiene,restaurant"),
    "fire_hazard": _l("fire,fire exit,charging,e-bike"),
    "sanitation": _l("rubbish,bin,litter,dirty"),
    "station_problem": _l("rest station,riders"),
    "other": "",
}


class Refused(Exception):
    """An answer in the specification's error format: ``status`` and a ``description`` for the developer."""

    def __init__(self, status: int, description, headers: dict | None = None):
        super().__init__(str(description))
        self.status, self.description, self.headers = status, str(description), headers or {}


def json_answer(body, status: int = 200, headers: dict | None = None):
    """``body`` as UTF-8 JSON (Chinese left readable, not escaped)."""
    return current_app.response_class(json.dumps(body, ensure_ascii=False), status=status, headers=headers,
                                      mimetype="application/json")


def error_answer(status: int, description, headers: dict | None = None):
    """The specification's error list: ``[{"code": status, "description": description}]``."""
    return json_answer([{"code": status, "description": str(description)}], status, headers)


@bp.errorhandler(Refused)
def refused(error: Refused):
    db.session.rollback()
    return error_answer(error.status, error.description, error.headers)


def http_error(error: HTTPException):
    """400, 403, 404, 405, 413, 429, 500 … raised inside the API's views, as JSON (registered per code below:
    the app's handlers of a code would otherwise come before a blueprint's handler of a class)."""
    db.session.rollback()
    headers = {"Allow": ", ".join(error.valid_methods)} if isinstance(error, MethodNotAllowed) and \
        error.valid_methods else None
    if error.code == 413:
        limit_mb = current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        return error_answer(413, f"The request body is larger than {limit_mb} MB.")
    return error_answer(error.code or 500, error.description or error.name, headers)


for _code in (400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 500):
    bp.register_error_handler(_code, http_error)
bp.register_error_handler(HTTPException, http_error)


@bp.before_app_request
def routing_errors_as_json():
    """An unknown path or method under ``/open311/v2`` (``services.xml``, ``DELETE …``) answers in JSON too:
    the blueprint's error handlers never see routing errors."""
    error = request.routing_exception
    if error is None or isinstance(error, RequestRedirect) or not request.path.startswith(bp.url_prefix + "/"):
        return None
    if request.path.endswith(".xml"):
        return error_answer(404, "Only JSON is offered: ask for the same path ending in .json.")
    return http_error(error)


@bp.before_request
def limit_by_address():
    """At most ``OPEN311_REQUESTS_PER_ADDRESS`` requests per client address."""
    address = request.remote_addr or "unknown"
    blocked = BY_ADDRESS.blocked_until(address)
    if blocked is not None:
        raise too_many(blocked)
    BY_ADDRESS.spend(address)


def too_many(until: datetime) -> Refused:
    seconds = max(1, math.ceil((until - utcnow()).total_seconds()))
    return Refused(429, f"Too many requests: try again in {seconds} s.", {"Retry-After": str(seconds)})


@contextlib.contextmanager
def chosen_language():
    """``lang=zh|en`` in the query picks the language of names; otherwise the usual choice (the
    ``Accept-Language`` header, else Chinese)."""
    lang = request.args.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        with force_locale(lang):
            yield
    else:
        yield


def w3c(moment: datetime | None) -> str | None:
    """An aware datetime as a W3C date-time in the local zone with its offset (``2026-12-03T09:30:00+08:00``)."""
    return to_local(moment).isoformat(timespec="seconds") if moment is not None else None


@bp.get("/services.json")
def service_list():
    """Every active category as an Open311 service."""
    with chosen_language():
        body = [{"service_code": category.code, "service_name": str(category.label),
                 "description": str(DESCRIPTIONS.get(category.code, "")), "metadata": False, "type": "realtime",
                 "keywords": str(KEYWORDS.get(category.code, "")),
                 "group": str(category.department.kind_label) if category.department else ""}
                for category in categories()]
    return json_answer(body)


def service_request(report: Report, notes: dict[int, str]) -> dict:
    """One report in the specification's fields; nothing of the reporter, no photo."""
    return {
        "service_request_id": str(report.id),
        "status": "closed" if report.status in CLOSED_STATUSES else "open",
        "status_notes": notes.get(report.id, ""),
        "service_name": str(report.category.label),
        "service_code": report.category.code,
        "description": report.description,
        "agency_responsible": report.department.name if report.department else "",
        "service_notice": "",
        "requested_datetime": w3c(report.created_at),
        "updated_datetime": w3c(report.updated_at),
        "expected_datetime": None,
        "address": report.address,
        "address_id": None,
        "zipcode": None,
        "lat": report.latitude,
        "long": report.longitude,
        "media_url": "",
    }


def requests_answer(reports: list[Report]):
    notes = status_notes(reports)
    with chosen_language():
        return json_answer([service_request(report, notes) for report in reports])


def listed(name: str) -> list[str]:
    """The comma-separated values of the query parameter ``name`` (blanks dropped)."""
    return [part for part in (clean_text(part) for part in request.args.get(name, "").split(",")) if part]


def moment(name: str) -> datetime | None:
    """The query parameter ``name`` as an aware UTC datetime (no offset: local time), ``None`` when absent.

    A ``+`` sent unencoded arrives as a space (``…T08:00:00 08:00``) and is read as the ``+`` it was.
    Raises :class:`Refused` (400) for anything else.
    """
    text = request.args.get(name, "").strip()
    if not text:
        return None
    text = re.sub(r" (\d\d:?\d\d)$", r"+\1", text)
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise Refused(400, f"{name} must be a W3C date-time such as 2026-12-01T08:00:00+08:00.") from None
    if not 2000 <= value.year <= 2100:
        raise Refused(400, f"{name} must be a date between the years 2000 and 2100.")
    return value.astimezone(UTC) if value.tzinfo else from_local(value)


@bp.get("/requests.json")
def request_list():
    """Reports matching the filters, newest first, at most :data:`MAX_RESULTS`."""
    ids = listed("service_request_id")
    if ids:
        if not all(part.isdigit() and len(part) < 10 for part in ids):
            raise Refused(400, "service_request_id must be numbers separated by commas.")
        return requests_answer(platform_requests(ids=[int(part) for part in ids[:MAX_RESULTS]], limit=MAX_RESULTS))
    statuses = listed("status")
    if any(status not in ("open", "closed") for status in statuses):
        raise Refused(400, "status must be open or closed (or both, separated by a comma).")
    start, end = moment("start_date"), moment("end_date")
    if start is not None and end is not None and start > end:
        raise Refused(400, "start_date must be before end_date.")
    if start is None:
        start = (end or utcnow()) - timedelta(days=DEFAULT_DAYS)
    return requests_answer(platform_requests(codes=listed("service_code"), start=start, end=end, statuses=statuses,
                                             limit=MAX_RESULTS))


@bp.get("/requests/<int:report_id>.json")
def request_detail(report_id: int):
    """A list holding the one report ``report_id``; 404 when there is none."""
    reports = platform_requests(ids=[report_id], limit=1)
    if not reports:
        raise Refused(404, f"No service request has the id {report_id}.")
    return requests_answer(reports)


def position() -> tuple[float, float]:
    """``lat`` and ``long`` of the form as WGS-84 degrees; :class:`Refused` (400) when missing or unreadable."""
    values = []
    for name in ("lat", "long"):
        text = (request.form.get(name) or "").strip()
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise Refused(400, "lat and long are required (WGS-84 decimal degrees): this service needs a point; "
                               "address_string alone is not enough.")
        values.append(value)
    latitude, longitude = values
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise Refused(400, "lat must be within -90..90 and long within -180..180.")
    return latitude, longitude


@bp.post("/requests.json")
def create_request():
    """File a report for the platform whose ``api_key`` is sent; 201 with its ``service_request_id``."""
    key = verify_key(request.form.get("api_key") or request.headers.get("X-Api-Key"))
    if key is None:
        raise Refused(403, "api_key is missing, unknown or revoked.")
    blocked = BY_KEY.blocked_until(str(key.id))
    if blocked is not None:
        raise too_many(blocked)
    BY_KEY.spend(str(key.id))
    latitude, longitude = position()
    try:
        report = submit_platform_report(key=key, service_code=request.form.get("service_code"),
                                        description=request.form.get("description"), latitude=latitude,
                                        longitude=longitude, address=request.form.get("address_string") or "")
    except ReportInvalid as error:
        field = {"category": "service_code", "location": "lat/long"}.get(error.details.get("field"),
                                                                          error.details.get("field"))
        raise Refused(400, f"{field}: {error.message}") from None
    db.session.commit()
    return json_answer([{"service_request_id": str(report.id), "service_notice": "", "account_id": None}], 201)

