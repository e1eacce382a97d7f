"""Coordinators' and admins' points pages: a rider's balance and history, and adjustments with a reason.

A coordinator sees only riders in their organisation's scope (who signed up for its tasks); any other
rider is a 404, as is any account that is not a rider.
"""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import ngettext
from flask_login import current_user
from htmx_flask import make_response

from accounts import scope
from accounts.models import User
from core.errors import DomainError
from core.web import role_required, wants_fragment
from extensions import db
from points.forms import AdjustmentForm
from points.queries import balance_of, history_of
from points.services import adjust_points
from points.views import BALANCE_CHANGED

bp = Blueprint("points_coordinate", __name__, url_prefix="/coordinate")


def get_rider_or_404(user_id: int) -> User:
    """The rider with this id in the current user's scope (:mod:`accounts.scope`); anyone else is a 404."""
    rider = db.get_or_404(User, user_id)
    if rider.role != "rider" or not scope.can_see(current_user, rider.id):
        abort(404)
    return rider


def _points_page(rider: User, form: AdjustmentForm, status: int = 200, message=None):
    template = "points/coordinate/_adjustment.html" if wants_fragment() else "points/coordinate/rider_points.html"
    html = render_template(template, rider=rider, form=form, balance=balance_of(rider.id),
                           entries=history_of(rider.id), message=message)
    return make_response(html, status, trigger=BALANCE_CHANGED if message else None)


@bp.get("/riders/<int:rider_id>/points")
@role_required("coordinator", "admin")
def rider_points(rider_id: int):
    """A rider's balance and history, with the adjustment form."""
    return _points_page(get_rider_or_404(rider_id), AdjustmentForm(formdata=None))


@bp.post("/riders/<int:rider_id>/adjustments")
@role_required("coordinator", "admin")
def adjust(rider_id: int):
    """Add or remove points with a reason; the balance and history update in place."""
    rider = get_rider_or_404(rider_id)
    form = AdjustmentForm()
    if not form.validate_on_submit():
        return _points_page(rider, form, 422)
    try:
        adjust_points(rider=rider, amount=form.amount.data, reason=form.reason.data, actor=current_user)
    except DomainError as error:
        db.session.rollback()
        form.amount.errors = [*form.amount.errors, error.message]
        return _points_page(rider, form, error.status)
    db.session.commit()
    message = ngettext("%(points)+d point for %(name)s.", "%(points)+d points for %(name)s.", abs(form.amount.data),
                       points=form.amount.data, name=rider.name)
    if not wants_fragment():
        flash(message, "success")
        return redirect(url_for("points_coordinate.rider_points", rider_id=rider.id), code=303)
    return _points_page(rider, AdjustmentForm(formdata=None), message=message)
