"""A merchant's opening hours as a place, for the coordinator who manages it (added to ``rewards_coordinate``).

The same forms and template as stations' hours (:mod:`core.hours_form`, ``templates/_hours_form.html``).
"""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.hours_form import HoursExceptionForm, HoursRefused, WeeklyHoursForm
from core.web import form_status, role_required
from extensions import db
from rewards import opening
from rewards.coordinate import MANAGERS, bp, get_managed_merchant_or_404
from rewards.models import Merchant, MerchantHoursException


def _weekly_form(merchant: Merchant, *, posted: bool) -> WeeklyHoursForm:
    form = WeeklyHoursForm() if posted else WeeklyHoursForm(formdata=None)
    if not posted:
        form.load(merchant.hours)
        form.holiday_rule.data = merchant.holiday_rule
    return form


def _page(merchant: Merchant, weekly: WeeklyHoursForm, exception_form: HoursExceptionForm, status: int):
    exceptions = db.session.scalars(sa.select(MerchantHoursException).where(
        MerchantHoursException.merchant_id == merchant.id).order_by(MerchantHoursException.day,
                                                                    MerchantHoursException.opens)).all()
    rows = [(row, url_for("rewards_coordinate.remove_merchant_hours_exception", merchant_id=merchant.id,
                          exception_id=row.id)) for row in exceptions]
    return render_template("rewards/coordinate/merchant_hours.html", merchant=merchant, weekly=weekly,
                           exception_form=exception_form, exceptions=rows,
                           weekly_action=url_for("rewards_coordinate.merchant_hours", merchant_id=merchant.id),
                           exception_action=url_for("rewards_coordinate.add_merchant_hours_exception",
                                                    merchant_id=merchant.id),
                           back=url_for("rewards_coordinate.edit_merchant", merchant_id=merchant.id)), status


@bp.route("/merchants/<int:merchant_id>/hours", methods=["GET", "POST"])
@role_required(*MANAGERS)
def merchant_hours(merchant_id: int):
    """The restaurant's weekly opening hours, holiday rule and dated exceptions."""
    merchant = get_managed_merchant_or_404(merchant_id)
    form = _weekly_form(merchant, posted=request.method == "POST")
    if request.method == "POST" and form.validate():
        try:
            opening.set_merchant_hours(merchant=merchant, actor=current_user, rows=form.rows(),
                                       holiday_rule=form.holiday_rule.data)
        except HoursRefused as error:
            db.session.rollback()
            field = error.details.get("field") or "d0"
            form.add_day_error(int(field[1:]) if field[1:].isdigit() else 0, error.message)
            return _page(db.session.get(Merchant, merchant_id), form, HoursExceptionForm(formdata=None), 422)
        db.session.commit()
        flash(_("Opening hours saved."), "success")
        return redirect(url_for("rewards_coordinate.merchant_hours", merchant_id=merchant.id), code=303)
    return _page(merchant, form, HoursExceptionForm(formdata=None), form_status())


@bp.post("/merchants/<int:merchant_id>/hours/exceptions")
@role_required(*MANAGERS)
def add_merchant_hours_exception(merchant_id: int):
    """Add a dated exception (closed that day, or one span)."""
    merchant = get_managed_merchant_or_404(merchant_id)
    form = HoursExceptionForm()
    status = 422
    if form.validate():
        try:
            opening.add_merchant_hours_exception(merchant=merchant, actor=current_user, day=form.day.data,
                                                 closed=form.closed.data, opens=form.opens.data or None,
                                                 closes=form.closes.data or None, note=form.note.data or "")
        except HoursRefused as error:
            db.session.rollback()
            form.apply_error(error)
            status = error.status
            merchant = db.session.get(Merchant, merchant_id)
        else:
            db.session.commit()
            flash(_("Exception added."), "success")
            return redirect(url_for("rewards_coordinate.merchant_hours", merchant_id=merchant.id), code=303)
    return _page(merchant, _weekly_form(merchant, posted=False), form, status)


@bp.post("/merchants/<int:merchant_id>/hours/exceptions/<int:exception_id>/delete")
@role_required(*MANAGERS)
def remove_merchant_hours_exception(merchant_id: int, exception_id: int):
    """Delete a dated exception of the restaurant's hours."""
    merchant = get_managed_merchant_or_404(merchant_id)
    exception = db.get_or_404(MerchantHoursException, exception_id)
    if exception.merchant_id != merchant.id:
        abort(404)
    opening.remove_merchant_hours_exception(exception=exception, actor=current_user)
    db.session.commit()
    flash(_("Exception deleted."), "success")
    return redirect(url_for("rewards_coordinate.merchant_hours", merchant_id=merchant.id), code=303)
