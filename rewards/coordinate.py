"""Coordinators' reward pages: merchants, their offers and staff; a rider's points and adjustments."""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from htmx_flask import make_response

from accounts.forms import StaffAccountForm
from accounts.models import User
from core.errors import DomainError
from core.web import role_required, wants_fragment
from extensions import db
from rewards import ledger, merchants
from rewards.forms import AdjustmentForm, MerchantForm, OfferForm
from rewards.models import Merchant, MerchantStaff, Offer
from rewards.views import BALANCE_CHANGED

bp = Blueprint("rewards_coordinate", __name__, url_prefix="/coordinate")


def get_merchant_or_404(merchant_id: int) -> Merchant:
    merchant = db.session.get(Merchant, merchant_id)
    if merchant is None:
        abort(404)
    return merchant


def get_offer_or_404(offer_id: int) -> Offer:
    offer = db.session.get(Offer, offer_id)
    if offer is None:
        abort(404)
    return offer


def get_rider_or_404(user_id: int) -> User:
    rider = db.session.get(User, user_id)
    if rider is None or rider.role != "rider":
        abort(404)
    return rider


@bp.get("/merchants")
@role_required("coordinator")
def merchant_list():
    rows = db.session.scalars(sa.select(Merchant).order_by(Merchant.name)
                              .options(sa.orm.selectinload(Merchant.offers))).all()
    return render_template("coordinate/merchant_list.html", merchants=rows)


def _staff_form():
    return StaffAccountForm(prefix="staff")


def _merchant_page(merchant: Merchant | None, form: MerchantForm, staff_form=None, status: int = 200):
    staff = []
    if merchant is not None:
        staff = db.session.scalars(sa.select(User).join(MerchantStaff, MerchantStaff.user_id == User.id)
                                   .where(MerchantStaff.merchant_id == merchant.id).order_by(User.name)).all()
    return render_template("coordinate/merchant_form.html", merchant=merchant, form=form,
                           staff_form=staff_form or _staff_form(), staff=staff), status


@bp.route("/merchants/new", methods=["GET", "POST"])
@role_required("coordinator")
def new_merchant():
    form = MerchantForm()
    if form.validate_on_submit():
        merchant = merchants.save_merchant(merchant=None, actor=current_user, **_merchant_fields(form))
        db.session.commit()
        flash(_("Merchant added. Now add its offers and staff."), "success")
        return redirect(url_for("rewards_coordinate.edit_merchant", merchant_id=merchant.id), code=303)
    return _merchant_page(None, form, status=422 if request.method == "POST" else 200)


def _merchant_fields(form: MerchantForm) -> dict:
    return {name: getattr(form, name).data for name in ("name", "address", "latitude", "longitude", "active")}


@bp.route("/merchants/<int:merchant_id>", methods=["GET", "POST"])
@role_required("coordinator")
def edit_merchant(merchant_id: int):
    merchant = get_merchant_or_404(merchant_id)
    form = MerchantForm(obj=merchant)
    if request.method == "POST" and form.validate():
        merchants.save_merchant(merchant=merchant, actor=current_user, **_merchant_fields(form))
        db.session.commit()
        flash(_("Merchant saved."), "success")
        return redirect(url_for("rewards_coordinate.edit_merchant", merchant_id=merchant.id), code=303)
    return _merchant_page(merchant, form, status=422 if request.method == "POST" else 200)


@bp.post("/merchants/<int:merchant_id>/staff")
@role_required("coordinator")
def add_staff(merchant_id: int):
    """Create a log-in for the restaurant's counter staff."""
    merchant = get_merchant_or_404(merchant_id)
    staff_form = _staff_form()
    if staff_form.validate_on_submit():
        try:
            merchants.add_staff(merchant=merchant, phone=staff_form.phone.data, name=staff_form.name.data,
                                password=staff_form.password.data, actor=current_user)
        except DomainError as error:
            db.session.rollback()
            staff_form.phone.errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Staff account created."), "success")
            return redirect(url_for("rewards_coordinate.edit_merchant", merchant_id=merchant.id), code=303)
    return _merchant_page(merchant, MerchantForm(obj=merchant, formdata=None), staff_form, status=422)


def _offer_page(form: OfferForm, merchant: Merchant, offer: Offer | None, status: int):
    return render_template("coordinate/offer_form.html", form=form, merchant=merchant, offer=offer), status


@bp.route("/merchants/<int:merchant_id>/offers/new", methods=["GET", "POST"])
@role_required("coordinator")
def new_offer(merchant_id: int):
    merchant = get_merchant_or_404(merchant_id)
    form = OfferForm()
    if form.validate_on_submit():
        merchants.save_offer(offer=None, merchant=merchant, actor=current_user, **form.offer_fields())
        db.session.commit()
        flash(_("Offer added."), "success")
        return redirect(url_for("rewards_coordinate.edit_merchant", merchant_id=merchant.id), code=303)
    return _offer_page(form, merchant, None, 422 if request.method == "POST" else 200)


@bp.route("/offers/<int:offer_id>/edit", methods=["GET", "POST"])
@role_required("coordinator")
def edit_offer(offer_id: int):
    offer = get_offer_or_404(offer_id)
    form = OfferForm(obj=offer)
    if request.method == "GET":
        form.face_value.data = offer.face_value_fen
        form.stock_shown.data = str(offer.stock)
    if request.method == "POST" and form.validate():
        try:
            merchants.save_offer(offer=offer, merchant=offer.merchant, actor=current_user,
                                 stock_change=form.stock_change(), **form.offer_fields())
        except DomainError as error:
            db.session.rollback()
            form.stock.errors = [*form.stock.errors, error.message]
            return _offer_page(form, get_offer_or_404(offer_id).merchant, offer, error.status)
        db.session.commit()
        flash(_("Offer saved."), "success")
        return redirect(url_for("rewards_coordinate.edit_merchant", merchant_id=offer.merchant_id), code=303)
    return _offer_page(form, offer.merchant, offer, 422 if request.method == "POST" else 200)


def _points_page(rider: User, form: AdjustmentForm, status: int = 200, message=None):
    template = "coordinate/_adjustment.html" if wants_fragment() else "coordinate/rider_points.html"
    html = render_template(template, rider=rider, form=form, balance=ledger.balance_of(rider.id),
                           entries=ledger.history_of(rider.id), message=message)
    return make_response(html, status, trigger=BALANCE_CHANGED if message else None)


@bp.get("/riders/<int:rider_id>/points")
@role_required("coordinator")
def rider_points(rider_id: int):
    """A rider's balance and history, with the adjustment form."""
    return _points_page(get_rider_or_404(rider_id), AdjustmentForm(formdata=None))


@bp.post("/riders/<int:rider_id>/adjustments")
@role_required("coordinator")
def adjust(rider_id: int):
    """Add or remove points with a reason; the balance and history update in place."""
    rider = get_rider_or_404(rider_id)
    form = AdjustmentForm()
    if not form.validate_on_submit():
        return _points_page(rider, form, 422)
    try:
        ledger.adjust_points(rider=rider, amount=form.amount.data, reason=form.reason.data, actor=current_user)
    except DomainError as error:
        db.session.rollback()
        form.amount.errors = [*form.amount.errors, error.message]
        return _points_page(rider, form, error.status)
    db.session.commit()
    message = _("%(points)+d points for %(name)s.", points=form.amount.data, name=rider.name)
    if not wants_fragment():
        flash(message, "success")
        return redirect(url_for("rewards_coordinate.rider_points", rider_id=rider.id), code=303)
    return _points_page(rider, AdjustmentForm(formdata=None), message=message)
