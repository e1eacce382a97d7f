"""Merchant staff pages: look up a code, see what it is for, confirm it; today's redemptions."""

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import format_time
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core.errors import DomainError
from core.ratelimit import UNKNOWN_CODES_BY_STAFF
from core.timeutil import local_day_span, local_today, parse_day, start_of_today, utcnow
from core.web import role_required, wants_fragment
from extensions import db
from rewards import queries, vouchers
from rewards.codes import parse_code
from rewards.errors import UnknownCode
from rewards.forms import CodeForm

bp = Blueprint("rewards_merchant", __name__, url_prefix="/merchant")

CODE_PROBLEMS = {
    "empty": _l("Type the code on the rider's screen."),
    "digits": _l("A voucher code has only digits."),
    "length": _l("A voucher code has 16 digits. Please check and type it again."),
    "check": _l("These digits contain a typo (the last digit does not match). Please check them."),
}


TYPED_LOOK_UPS = {"rewards_merchant.lookup"}


@bp.before_request
def look_ups_locked():
    """After too many unknown codes, typed look-ups stop for a while and the counter screen says until when.

    Only the code box is locked here. A voucher's own URL (the rider's QR link) stays open for real
    vouchers; for a code that matches no voucher :func:`_voucher_page` answers with the same lock.
    """
    if request.endpoint not in TYPED_LOOK_UPS or not current_user.is_authenticated or not current_user.is_merchant:
        return None
    blocked = UNKNOWN_CODES_BY_STAFF.blocked_until(current_user.id)
    if blocked is None:
        return None
    return _locked(blocked, request.args.get("code") or "")


def _locked(blocked, typed: str):
    """The counter screen saying until when look-ups are locked (429), the typed code kept."""
    message = _("Too many unknown codes. Look-ups are locked until %(time)s; ask the rider to show the QR code.",
                time=format_time(blocked, "HH:mm"))
    return _home(CodeForm(formdata=None, data={"code": typed[:40]}), 429, error=message)


def my_merchant():
    merchant = queries.merchant_of(current_user)
    if merchant is None:
        abort(403)
    return merchant


def _home(form: CodeForm, status: int = 200, error=None):
    merchant = my_merchant()
    redeemed = queries.redemptions_between(merchant_id=merchant.id, since=start_of_today())
    total = sum(v.face_value_fen for v in redeemed)
    return render_template("rewards/merchant/home.html", merchant=merchant, form=form, redeemed=redeemed,
                           total=total, error=error), status


@bp.get("/")
@role_required("merchant")
def home():
    """The counter screen: a code box (keypad) and today's redemptions with a running total."""
    return _home(CodeForm(formdata=None))


@bp.get("/lookup")
@role_required("merchant")
def lookup():
    """Read the typed code (spaces, dashes, full-width digits are fine) and open its voucher."""
    form = CodeForm(request.args)
    code, problem = parse_code(form.code.data)
    if problem:
        return _home(form, 422, error=CODE_PROBLEMS[problem])
    return redirect(url_for("rewards_merchant.voucher", code=code), code=303)


def _voucher_page(code: str, *, confirmed=False, error: DomainError | None = None):
    merchant = my_merchant()
    voucher = None
    try:
        voucher = vouchers.voucher_for_merchant(code=code, merchant_id=merchant.id)
    except UnknownCode as unknown:
        # Only a code that matches no voucher at all counts towards the lock (and meets it): another
        # restaurant's voucher, an expired or a redeemed one is a real voucher and never locks the counter.
        blocked = UNKNOWN_CODES_BY_STAFF.blocked_until(current_user.id)
        if blocked is not None:
            return _locked(blocked, code)
        UNKNOWN_CODES_BY_STAFF.spend(current_user.id)
        error = error or unknown
    except DomainError as lookup_error:
        error = error or lookup_error
    if voucher is not None and error is None and not confirmed:
        error = vouchers.refusal_for(voucher, utcnow(), current_user)
    template = "rewards/merchant/_voucher.html" if wants_fragment() else "rewards/merchant/voucher.html"
    status = error.status if error is not None else 200
    return render_template(template, merchant=merchant, voucher=voucher, code=code, confirmed=confirmed,
                           error=error.message if error else None), status


@bp.get("/vouchers/<code>")
@role_required("merchant")
def voucher(code: str):
    """What the voucher is for (offer, rider's masked name and phone, expiry) and the confirm button.

    This is the URL inside the voucher's QR code: a real voucher opens even while typed look-ups are
    locked; a code that matches no voucher counts towards the lock (404) or meets it (429).
    """
    parsed, problem = parse_code(code)
    if problem:
        return _home(CodeForm(formdata=None, data={"code": code[:40]}), 422, error=CODE_PROBLEMS[problem])
    return _voucher_page(parsed)


@bp.post("/vouchers/<code>/confirm")
@role_required("merchant")
def confirm(code: str):
    """Redeem the voucher with one tap; a refusal says exactly why (when and where if already used)."""
    parsed, problem = parse_code(code)
    if problem:
        return _home(CodeForm(formdata=None, data={"code": code[:40]}), 422, error=CODE_PROBLEMS[problem])
    try:
        vouchers.confirm_voucher(code=parsed, staff=current_user)
    except DomainError as error:
        db.session.rollback()
        return _voucher_page(parsed, error=error)
    db.session.commit()
    return _voucher_page(parsed, confirmed=True)



@bp.get("/confirmations")
@role_required("merchant")
def confirmations():
    """This restaurant's confirmed vouchers on one day (today by default), with the day's total."""
    merchant = my_merchant()
    day = parse_day(request.args.get("day")) or local_today()
    since, until = local_day_span(day)
    redeemed = queries.redemptions_between(merchant_id=merchant.id, since=since, until=until)
    return render_template("rewards/merchant/confirmations.html", merchant=merchant, redeemed=redeemed, day=day,
                           total=sum(v.face_value_fen for v in redeemed))
