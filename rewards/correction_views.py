"""Routes of voucher corrections, added to the merchant's and the coordinators' blueprints.

* merchant staff: ``POST /merchant/vouchers/<code>/undo`` takes back their own confirmation while the
  undo window is open (the counter screen and today's list show the button with its deadline);
* admins and coordinators of the merchant's organisation: the merchant's issued vouchers, and a
  confirm page with a reason to cancel one (``/coordinate/vouchers/<id>/cancel``).
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from core.errors import DomainError
from core.timeutil import utcnow
from core.web import form_text, refusal, role_required, widget_or_redirect
from extensions import db
from rewards import corrections, vouchers
from rewards.codes import parse_code
from rewards.coordinate import MANAGERS, get_managed_merchant_or_404
from rewards.coordinate import bp as coordinate_bp
from rewards.correction_queries import issued_vouchers_of
from rewards.merchant import bp as merchant_bp
from rewards.merchant import my_merchant
from rewards.models import Voucher

merchant_bp.add_app_template_global(corrections.can_undo, "can_undo")
merchant_bp.add_app_template_global(corrections.undo_deadline, "undo_deadline")
merchant_bp.add_app_template_global(corrections.cancellation_of, "cancellation_of")

WIDGET = "rewards/merchant/_voucher.html"


@merchant_bp.post("/vouchers/<code>/undo")
@role_required("merchant")
def undo(code: str):
    """Undo this staff account's confirmation of the voucher (within the undo window): it is usable again.

    htmx gets the voucher widget (ready to confirm again, or the refusal: 409); a plain form a flash and
    a 303 to ``next`` (the counter screen's list) or the voucher's page.
    """
    merchant = my_merchant()
    parsed, problem = parse_code(code)
    if problem:
        abort(404)
    back = url_for("rewards_merchant.voucher", code=parsed)
    try:
        voucher = vouchers.voucher_for_merchant(code=parsed, merchant_id=merchant.id)
    except DomainError as error:
        return refusal(error, WIDGET, back, merchant=merchant, voucher=None, code=parsed)
    try:
        corrections.undo_confirmation(voucher=voucher, staff=current_user)
    except DomainError as error:
        db.session.rollback()
        voucher = db.session.get(Voucher, voucher.id)
        return refusal(error, WIDGET, back, merchant=merchant, voucher=voucher, code=parsed)
    db.session.commit()
    return widget_or_redirect(WIDGET, back, message=_("Confirmation undone: the voucher can be used again."),
                              merchant=merchant, voucher=voucher, code=parsed, confirmed=False, error=None)


def get_cancellable_voucher_or_404(voucher_id: int) -> Voucher:
    """The voucher if the current user may cancel it (an admin any; a coordinator their organisation's
    merchants'), else 404."""
    voucher = db.get_or_404(Voucher, voucher_id)
    if not corrections.may_cancel(current_user, voucher):
        abort(404)
    return voucher


@coordinate_bp.get("/merchants/<int:merchant_id>/vouchers")
@role_required(*MANAGERS)
def merchant_vouchers(merchant_id: int):
    """The merchant's issued (unused) vouchers, newest first, each with a link to cancel it."""
    merchant = get_managed_merchant_or_404(merchant_id)
    return render_template("rewards/coordinate/voucher_list.html", merchant=merchant,
                           vouchers=issued_vouchers_of(merchant.id), now=utcnow())


def _cancel_page(voucher: Voucher, *, reason: str = "", error=None, status: int = 200):
    return render_template("rewards/coordinate/voucher_cancel.html", voucher=voucher, reason=reason,
                           error=error, reason_max=corrections.REASON_MAX), status


@coordinate_bp.route("/vouchers/<int:voucher_id>/cancel", methods=["GET", "POST"])
@role_required(*MANAGERS)
def cancel_voucher(voucher_id: int):
    """Confirm page, then cancel an issued voucher with a reason: the rider gets the points back once and
    reads the reason on the voucher. A missing reason (422) or a voucher no longer issued (409) re-shows
    the page with the message and the typed reason."""
    voucher = get_cancellable_voucher_or_404(voucher_id)
    if request.method == "GET":
        return _cancel_page(voucher)
    reason = form_text("reason", 1000)
    try:
        corrections.cancel_by_programme(voucher=voucher, actor=current_user, reason=reason)
    except DomainError as error:
        db.session.rollback()
        return _cancel_page(db.get_or_404(Voucher, voucher_id), reason=reason, error=error, status=error.status)
    db.session.commit()
    flash(ngettext("Voucher cancelled; %(num)d point went back to the rider.",
                   "Voucher cancelled; %(num)d points went back to the rider.", voucher.points_cost), "success")
    return redirect(url_for("rewards_coordinate.merchant_vouchers", merchant_id=voucher.merchant_id), code=303)
