"""The audit-trail page: the journal, filterable by rider, merchant, action and dates.

A coordinator reads the entries of their organisation only (``JournalEntry.organisation_id``), finds
only riders in its scope and filters by its merchants; an admin reads the whole programme.
"""

from flask import Blueprint, render_template, request
from flask_login import current_user

from accounts.journal import ACTION_LABELS
from accounts.queries import riders_matching
from core.timeutil import local_day_span, local_midnight, parse_day
from core.web import role_required
from oversight import queries
from oversight.journal_cards import journal_cards
from rewards.queries import all_merchants

bp = Blueprint("oversight", __name__, url_prefix="/coordinate/audit")
PAGE_SIZE = 200


@bp.get("/")
@role_required("coordinator", "admin")
def audit_trail():
    """The newest journal entries first; filters: rider (phone or name), merchant, action, from and to (local)."""
    rider_query = request.args.get("rider", "").strip()[:50]
    merchant_id = request.args.get("merchant", type=int)
    if merchant_id is not None and not 0 < merchant_id < 2**31:
        merchant_id = None
    action = request.args.get("action", "")
    since, until = parse_day(request.args.get("from")), parse_day(request.args.get("to"))
    riders = riders_matching(rider_query, viewer=current_user) if rider_query else None
    entries = queries.journal_entries(
        organisation_id=None if current_user.is_admin else current_user.organisation_id,
        rider_ids=[r.id for r in riders] if riders is not None else None, merchant_id=merchant_id,
        action=action if action in ACTION_LABELS else None,
        since=local_midnight(since) if since else None,
        until=local_day_span(until)[1] if until else None, limit=PAGE_SIZE)
    merchants = all_merchants(viewer=current_user)
    return render_template("oversight/audit_trail.html", cards=journal_cards(entries, viewer=current_user),
                           merchants=merchants, riders=riders or [],
                           filters={"rider": rider_query, "merchant": merchant_id, "action": action,
                                    "from": since.isoformat() if since else "",
                                    "to": until.isoformat() if until else ""},
                           actions=ACTION_LABELS,
                           page_size=PAGE_SIZE)
