"""Coordinators' view of the audit trail, filterable by rider, merchant and date."""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import Blueprint, render_template, request

from accounts.audit import ACTION_LABELS, AuditEvent
from accounts.models import User
from accounts.services import normalise_phone
from core.forms import local_zone
from core.web import role_required
from extensions import db
from rewards.models import Merchant

bp = Blueprint("audit_trail", __name__, url_prefix="/coordinate/audit")
PAGE_SIZE = 200


def parse_day(text: str | None):
    """A ``YYYY-MM-DD`` from a date input, or ``None``."""
    try:
        return datetime.strptime((text or "").strip(), "%Y-%m-%d").date()
    except ValueError:
        return None


def local_midnight_utc(day) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=local_zone()).astimezone(UTC)


@bp.get("/")
@role_required("coordinator")
def event_list():
    """The newest events first; filters: rider (phone or name), merchant, from and to dates (local)."""
    rider_query = request.args.get("rider", "").strip()[:50]
    merchant_id = request.args.get("merchant", type=int)
    action = request.args.get("action", "")
    since, until = parse_day(request.args.get("from")), parse_day(request.args.get("to"))
    query = (sa.select(AuditEvent).options(sa.orm.joinedload(AuditEvent.actor), sa.orm.joinedload(AuditEvent.rider))
             .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()))
    riders = []
    if rider_query:
        phone = normalise_phone(rider_query)
        match = User.phone == phone if phone else User.name.contains(rider_query, autoescape=True)
        riders = db.session.scalars(sa.select(User).where(User.role == "rider", match).limit(20)).all()
        query = query.where(AuditEvent.rider_id.in_([r.id for r in riders]))
    if merchant_id is not None and 0 < merchant_id < 2**31:
        query = query.where(AuditEvent.merchant_id == merchant_id)
    if action in ACTION_LABELS:
        query = query.where(AuditEvent.action == action)
    if since:
        query = query.where(AuditEvent.created_at >= local_midnight_utc(since))
    if until:
        query = query.where(AuditEvent.created_at < local_midnight_utc(until + timedelta(days=1)))
    events = db.session.scalars(query.limit(PAGE_SIZE)).all()
    merchants = db.session.scalars(sa.select(Merchant).order_by(Merchant.name)).all()
    return render_template("coordinate/audit.html", events=events, merchants=merchants, riders=riders,
                           filters={"rider": rider_query, "merchant": merchant_id, "action": action,
                                    "from": since.isoformat() if since else "",
                                    "to": until.isoformat() if until else ""},
                           merchant_names={m.id: m.name for m in merchants}, actions=ACTION_LABELS,
                           page_size=PAGE_SIZE)
