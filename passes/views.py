"""The rider's day pass ("my pass"): a QR code and a short code, valid for the local day."""

from datetime import date

from flask import Blueprint, make_response, render_template, url_for
from flask_babel import format_date, get_locale
from flask_login import current_user

from accounts.models import TRADE_LABELS, User
from core.timeutil import local_day_span, local_today, utcnow
from core.web import role_required
from passes.tokens import DIGITS, pass_token, short_code

bp = Blueprint("passes", __name__, url_prefix="/pass")


def pass_qr_svg(url: str) -> str:
    """An inline SVG QR code of ``url`` (the building staff's check page of the pass), as vouchers draw theirs."""
    import segno

    return segno.make(url, error="m").svg_inline(scale=6, border=2, dark="#111", light="#fff", omitsize=True)


def grouped_code(code: str) -> str:
    """A short code grouped for reading aloud: ``"12-345678"`` → ``"12-345 678"``."""
    rider, _, digits = code.partition("-")
    half = DIGITS // 2
    return f"{rider}-{digits[:half]} {digits[half:]}"


def rider_line(rider: User) -> str:
    """The rider as the pass and the check page name them: masked name · trade · platform, missing parts left
    out (e.g. ``赵** · 外卖 · 美团``)."""
    trade = TRADE_LABELS.get(rider.trade or "")
    return " · ".join(str(part) for part in (rider.masked_name, trade, rider.platform) if part)


def long_date(day: date) -> str:
    """``day`` in the user's language: ``12月3日`` or ``3 December``."""
    return format_date(day, "M月d日" if str(get_locale()) == "zh" else "d MMMM")


@bp.get("/")
@role_required("rider")
def my_pass():
    """The rider's Haitang day pass for today: the QR code opens the building staff's check page of this pass;
    the short code can be typed there. One small page without polling, kept by the browser until local
    midnight (``Cache-Control: private, max-age``) and by the service worker (``X-Pass-Until``: local midnight
    in UTC), so it still shows when the phone is offline, even on a reload."""
    now = utcnow()
    today = local_today(now)
    url = url_for("passes_staff.check_token", token=pass_token(current_user.id, today), _external=True)
    html = render_template("passes/my_pass.html", qr=pass_qr_svg(url), check_url=url, today=today,
                           day_text=long_date(today), code=grouped_code(short_code(current_user.id, today)),
                           who=rider_line(current_user))
    response = make_response(html)
    seconds_left = int((local_day_span(today)[1] - now).total_seconds())
    response.headers["Cache-Control"] = f"private, max-age={max(seconds_left, 0)}"
    response.vary.add("Cookie")  # another account logging in on this phone never gets this pass from the cache
    # the service worker keeps this page and shows it with no signal until then (core/offline.py)
    response.headers["X-Pass-Until"] = local_day_span(today)[1].strftime("%Y-%m-%dT%H:%M:%SZ")
    return response
