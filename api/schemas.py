"""marshmallow schemas of API v1: what goes in (validated by webargs, 422 otherwise) and what comes out;
flask-smorest turns them into the OpenAPI document. Times are UTC ISO 8601 (``2026-12-04T10:00:00Z``),
money integer fen, positions WGS-84 degrees."""

import re
from datetime import UTC

import marshmallow as ma
from marshmallow import fields, validate

PRINTABLE = re.compile(r"^[\x21-\x7e]+$")
FULL_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class UTCDateTime(fields.DateTime):
    """An aware datetime written as UTC with a ``Z`` (``2026-12-04T10:00:00Z``)."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class ErrorSchema(ma.Schema):
    """Every error: a stable ``code`` and a ``message`` in the request's language (Accept-Language)."""

    code = fields.String(required=True, metadata={"description": "Stable error code, e.g. voucher_not_found"})
    message = fields.String(required=True, metadata={"description": "For people, in the language asked for"})
    errors = fields.Dict(metadata={"description": "Invalid fields and why"})


class FullDate(fields.Date):
    """A day written as OpenAPI's ``format: date`` says, ``YYYY-MM-DD`` only (Python alone would also take
    ``20260101`` and the ISO week ``2026-W01``)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not FULL_DATE.fullmatch(value):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


# ---- the till ----

class OfferRef(ma.Schema):
    """The voucher's offer: id and title."""

    id = fields.Integer(required=True)
    title = fields.String(required=True)


class VoucherSchema(ma.Schema):
    """A voucher as the till sees it: never the rider's full name or phone."""

    code = fields.String(required=True, metadata={"description": "16 digits"})
    status = fields.String(required=True, validate=validate.OneOf(["issued", "redeemed", "expired", "cancelled"]),
                           metadata={"description": "issued and past its expiry reads expired"})
    offer = fields.Nested(OfferRef, required=True)
    face_value_fen = fields.Integer(required=True, metadata={"description": "What the restaurant gives, in fen"})
    points = fields.Integer(required=True)
    rider_name = fields.String(required=True, metadata={"description": "Masked, e.g. 张**"})
    issued_at = UTCDateTime(required=True)
    expires_at = UTCDateTime(required=True)
    redeemed_at = UTCDateTime(required=True, allow_none=True)
    confirmable = fields.Boolean(required=True, metadata={"description": "Whether a confirm would succeed now"})
    refusal = fields.Nested(ErrorSchema, required=True, allow_none=True,
                            metadata={"description": "Why it cannot be confirmed now (null when it can)"})


class ConfirmBody(ma.Schema):
    """The body of a confirmation: the voucher's code as typed or scanned."""

    code = fields.String(required=True, validate=validate.Length(min=1, max=40),
                         metadata={"description": "The voucher's code: digits; spaces, dashes, full-width digits "
                                                  "are fine"})


class IdempotencyHeaders(ma.Schema):
    """The optional ``Idempotency-Key`` header of a confirmation."""

    class Meta:
        unknown = ma.EXCLUDE

    idempotency_key = fields.String(data_key="Idempotency-Key", validate=[
        validate.Length(min=1, max=200), validate.Regexp(PRINTABLE)], metadata={
        "description": "Any printable ASCII up to 200 characters (a UUID is good): a retry with the same key "
                       "gets the first answer again"})


# ---- platforms ----

class PageQuery(ma.Schema):
    """``page`` (from 1) and ``per_page`` (1–100) of a list."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class TaskQuery(PageQuery):
    """Filters of the task list: kind, category, and a point to sort by distance from (WGS-84)."""

    kind = fields.String(load_default="volunteer", validate=validate.OneOf(["volunteer", "activity"]))
    category = fields.String(load_default="", validate=validate.Length(max=40))
    near_lat = fields.Float(validate=validate.Range(min=-90, max=90))
    near_lng = fields.Float(validate=validate.Range(min=-180, max=180))

    @ma.validates_schema
    def both_or_neither(self, data, **kwargs):
        if ("near_lat" in data) != ("near_lng" in data):
            raise ma.ValidationError("Send near_lat and near_lng together.", "near_lat")


class OrganisationRef(ma.Schema):
    """The organisation that posts a task: id and name."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)


class TaskSchema(ma.Schema):
    """An upcoming open task as a platform sees it (no sign-ups, no riders)."""

    id = fields.Integer(required=True)
    title = fields.String(required=True)
    kind = fields.String(required=True)
    category = fields.String(required=True)
    organisation = fields.Nested(OrganisationRef, required=True)
    place = fields.String(required=True)
    latitude = fields.Float(required=True, allow_none=True)
    longitude = fields.Float(required=True, allow_none=True)
    starts_at = UTCDateTime(required=True)
    ends_at = UTCDateTime(required=True)
    places = fields.Integer(required=True)
    free_places = fields.Integer(required=True)
    points = fields.Integer(required=True)
    url = fields.String(required=True, metadata={"description": "The task's public page"})


class TaskPage(ma.Schema):
    """One page of tasks and whether more follow."""

    items = fields.List(fields.Nested(TaskSchema), required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    has_more = fields.Boolean(required=True)


class StationQuery(PageQuery):
    """A page of stations, or those within ``radius_m`` metres of ``lat``/``lng`` (WGS-84)."""

    lat = fields.Float(validate=validate.Range(min=-90, max=90))
    lng = fields.Float(validate=validate.Range(min=-180, max=180))
    radius_m = fields.Integer(load_default=5000, validate=validate.Range(min=1, max=50000))

    @ma.validates_schema
    def both_or_neither(self, data, **kwargs):
        if ("lat" in data) != ("lng" in data):
            raise ma.ValidationError("Send lat and lng together.", "lat")


class StationSchema(ma.Schema):
    """An active rest station: position in WGS-84, amenities, whether open now and the hours in a line."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    address = fields.String(required=True)
    latitude = fields.Float(required=True, metadata={"description": "WGS-84"})
    longitude = fields.Float(required=True, metadata={"description": "WGS-84"})
    amenities = fields.List(fields.String(), required=True)
    phone = fields.String(required=True, allow_none=True)
    open_now = fields.Boolean(required=True, allow_none=True, metadata={"description": "null: no hours entered"})
    hours_summary = fields.String(required=True, metadata={"description": "e.g. 营业中 · 21:00关门"})
    distance_m = fields.Integer(required=True, allow_none=True, metadata={"description": "From lat/lng if sent"})
    url = fields.String(required=True)


class StationPage(ma.Schema):
    """One page of stations and whether more follow."""

    items = fields.List(fields.Nested(StationSchema), required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    has_more = fields.Boolean(required=True)


class FiguresQuery(ma.Schema):
    """The period of the report figures: local days ``start`` to ``end`` (both included)."""

    start = FullDate(metadata={"description": "First local day (default: 30 days before end)"})
    end = FullDate(metadata={"description": "Last local day, included (default: today)"})

    @ma.validates_schema
    def ordered(self, data, **kwargs):
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise ma.ValidationError("start must not be after end.", "start")
        for name in ("start", "end"):
            if name in data and not 2000 <= data[name].year <= 2100:
                raise ma.ValidationError("A day between the years 2000 and 2100.", name)


class CategoryCount(ma.Schema):
    """How many reports of a category were filed in the period."""

    code = fields.String(required=True)
    label = fields.String(required=True)
    count = fields.Integer(required=True)


class ReportFigures(ma.Schema):
    """The same figures as the dashboard's and the coordinators' report figures (reports.figures)."""

    start = fields.Date(required=True)
    end = fields.Date(required=True)
    created = fields.Integer(required=True, metadata={"description": "Reports filed in the period"})
    resolved = fields.Integer(required=True, metadata={"description": "First resolved in the period"})
    closed = fields.Integer(required=True)
    median_days_to_resolve = fields.Float(required=True, allow_none=True)
    statuses = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True,
                           metadata={"description": "Of the reports filed in the period, how many are in each "
                                                    "status now"})
    categories = fields.List(fields.Nested(CategoryCount), required=True)
