"""The admin's view of the SMS outbox: how many messages are in each status, and the latest ones."""

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l

from core.web import role_required
from notifications import kinds, queries
from notifications.models import SMS_STATUSES

bp = Blueprint("notifications_admin", __name__, url_prefix="/admin")

STATUS_LABELS = {"pending": _l("Waiting"), "sending": _l("Being sent"), "sent": _l("Sent"),
                 "failed": _l("Failed (interrupted)"), "given_up": _l("Given up"),
                 "skipped": _l("Skipped (daily cap or out of date)")}


@bp.get("/sms-outbox")
@role_required("admin")
def sms_outbox():
    """Counts by status and the latest 50 messages (phones masked, local times)."""
    return render_template("notifications/admin/sms_outbox.html", statuses=SMS_STATUSES, STATUS_LABELS=STATUS_LABELS,
                           KIND_TITLES={name: spec.title for name, spec in kinds.KINDS.items()},
                           counts=queries.outbox_counts(), messages=queries.latest_messages())
