"""Building staff: check a day pass, scanned or typed (figures: passes/entry_views.py).

``/building/check`` is the typing station (GET the form; POST checks the code and records the entry);
``/building/check/<token>`` is what the phone camera opens when it scans a pass: it shows the verdict without
writing anything and, for a valid pass not yet let in today, one button that posts the token to the typing
station. Typed codes that match no pass count against the staff member's budget (:data:`WRONG_PASS_CODES`).
"""

from dataclasses import replace
from datetime import timedelta
from functools import wraps

from flask import Blueprint, abort, render_template, request
from flask_babel import format_time
from flask_babel import gettext as _
from flask_login import current_user

from core.ratelimit import Budget
from core.timeutil import utcnow
from extensions import db, login_manager
from passes.models import BuildingStaff
from passes.services import ALREADY, UNKNOWN, VALID, Verdict, check_pass
from passes.tokens import BadPass, normalise_code, read_pass_token
from passes.views import long_date, rider_line
from stations.models import Station

bp = Blueprint("passes_staff", __name__, url_prefix="/building")

MAX_TYPED = 300  # characters; anything longer is not a pass code (nor a check URL)
DOUBLE_TAP = timedelta(seconds=60)  # "Let in" sent again this soon by the same guard is one tap, not a new check
WRONG_PASS_CODES = Budget("wrong-pass-code-staff", "WRONG_PASS_CODES_PER_STAFF")  # per staff user


def building_staff_only(view):
    """Decorate a view of building staff: anonymous → log in (and back); another role → 403; building staff
    whose link to an active partner building was removed → a 403 page saying so. The view gets ``building``
    (the :class:`stations.models.Station`) as a keyword argument."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.is_building_staff:
            abort(403)
        link = db.session.get(BuildingStaff, current_user.id)
        building = db.session.get(Station, link.station_id) if link is not None else None
        if building is None or not building.active or building.kind != "building":
            return render_template("passes/staff/not_linked.html"), 403
        return view(*args, building=building, **kwargs)

    return wrapped


def _signed(text: str) -> bool:
    """True when ``text`` is one of our signed tokens (which cannot be guessed, so never locked out)."""
    try:
        read_pass_token(text)
    except BadPass:
        return False
    return True


def _locked_message(text: str) -> str | None:
    """The "too many wrong codes" message while the staff member's budget is used up (a signed token passes)."""
    if _signed(text):
        return None
    blocked = WRONG_PASS_CODES.blocked_until(current_user.id)
    if blocked is None:
        return None
    return _("Too many wrong codes. Typing codes is locked until %(time)s; scan the rider's QR code instead.",
             time=format_time(blocked, "HH:mm"))


def verdict_texts(verdict: Verdict) -> dict:
    """What the check page shows of ``verdict``: ``who`` (masked name · trade · platform from the database),
    ``time`` (the local time of today's entry) and ``day`` (of an expired pass)."""
    return {"who": rider_line(verdict.rider) if verdict.rider is not None else "",
            "time": format_time(verdict.entry.entered_at, "HH:mm") if verdict.entry is not None else "",
            "day": long_date(verdict.day) if verdict.day is not None else ""}


# A verdict is true when it is given: the back button or a cache never shows an old one (nor its "Let in").
FRESH = {"Cache-Control": "no-store"}


def _check_page(building: Station, *, verdict: Verdict | None = None, typed: str = "", error: str | None = None,
                status: int = 200):
    texts = verdict_texts(verdict) if verdict is not None else {}
    return render_template("passes/staff/check.html", building=building, verdict=verdict, texts=texts, typed=typed,
                           error=error), status, FRESH


def _let_in_just_now(verdict: Verdict) -> bool:
    """True when ``verdict`` is "already" because the current guard let this rider in less than
    :data:`DOUBLE_TAP` ago (the "Let in" button sent twice, or the page reloaded)."""
    entry = verdict.entry
    return (verdict.status == ALREADY and entry is not None and entry.checked_by_id == current_user.id
            and utcnow() - entry.entered_at < DOUBLE_TAP)


@bp.route("/check", methods=["GET", "POST"])
@building_staff_only
def check(building: Station):
    """Type a short code (GET: the form; POST: check it and record the entry).

    POST takes ``code`` (typed) or ``token`` (the scanned page's "Let in" button; sent again by the same guard
    within :data:`DOUBLE_TAP` it answers as the first did, recording nothing more). Empty or digit-less input →
    422 with the input kept; too many wrong codes → 429 until the budget refills. Otherwise the verdict (200),
    the entry recorded once per rider, building and local day, and an empty form for the next code.
    """
    if request.method == "GET":
        return _check_page(building)
    token = (request.form.get("token") or "").strip()
    typed = (request.form.get("code") or "").strip()
    text = token or typed
    if not text:
        return _check_page(building, error=_("Type the pass code shown under the rider's QR code."), status=422)
    if len(text) > MAX_TYPED or (not token and "/" not in typed and not normalise_code(typed)):
        return _check_page(building, typed=typed[:MAX_TYPED], status=422,
                           error=_("A pass code is made of digits, like 12-345 678. Check it and type it again."))
    locked = _locked_message(text)
    if locked:
        return _check_page(building, typed=typed, error=locked, status=429)
    verdict = check_pass(text=text, building=building, staff=current_user, record=True)
    db.session.commit()
    if token and _let_in_just_now(verdict):
        verdict = replace(verdict, status=VALID)  # the button tapped twice (or resent): say what the first did
    if verdict.status == UNKNOWN:
        WRONG_PASS_CODES.spend(current_user.id)
    return _check_page(building, verdict=verdict)


@bp.get("/check/<token>")
@building_staff_only
def check_token(token, building: Station):
    """The page a scanned pass opens: the verdict (nothing is written), and for a valid pass not yet let in
    today one button that posts the token to :func:`check`, which records the entry."""
    locked = _locked_message(token)
    if locked:
        return _check_page(building, error=locked, status=429)
    verdict = check_pass(text=token, building=building, staff=current_user, record=False)
    if verdict.status == UNKNOWN:
        WRONG_PASS_CODES.spend(current_user.id)
    can_let_in = verdict.status == VALID and verdict.entry is None
    return render_template("passes/staff/check_token.html", building=building, verdict=verdict, token=token,
                           texts=verdict_texts(verdict), can_let_in=can_let_in), 200, FRESH
