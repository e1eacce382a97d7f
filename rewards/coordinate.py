"""Coordinators' reward pages: merchants, their offers and staff."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounts.forms import StaffAccountForm
from core.errors import DomainError
from core.web import form_status, role_required
from extensions import db
from rewards import merchants, queries
from rewards.forms import MerchantForm, OfferForm
from rewards.models import Merchant, Offer

bp = Blueprint("rewards_coordinate", __name__, url_prefix="/coordinate")


@bp.get("/merchants")
@role_required("coordinator")
def merchant_list():
    rows = queries.merchants_with_offers(active_only=False)
    return render_template("rewards/coordinate/merchant_list.html", merchants=rows)


def _staff_form():
    return StaffAccountForm(prefix="staff")


def _merchant_page(merchant: Merchant | None, form: MerchantForm, staff_form=None, status: int = 200):
    staff = queries.staff_of(merchant.id) if merchant is not None else []
    return render_template("rewards/coordinate/merchant_form.html", merchant=merchant, form=form,
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
    return _merchant_page(None, form, status=form_status())


def _merchant_fields(form: MerchantForm) -> dict:
    return {name: getattr(form, name).data for name in ("name", "address", "latitude", "longitude", "active")}


@bp.route("/merchants/<int:merchant_id>", methods=["GET", "POST"])
@role_required("coordinator")
def edit_merchant(merchant_id: int):
    merchant = db.get_or_404(Merchant, merchant_id)
    form = MerchantForm(obj=merchant)
    if request.method == "POST" and form.validate():
        merchants.save_merchant(merchant=merchant, actor=current_user, **_merchant_fields(form))
        db.session.commit()
        flash(_("Merchant saved."), "success")
        return redirect(url_for("rewards_coordinate.edit_merchant", merchant_id=merchant.id), code=303)
    return _merchant_page(merchant, form, status=form_status())


@bp.post("/merchants/<int:merchant_id>/staff")
@role_required("coordinator")
def add_staff(merchant_id: int):
    """Create a log-in for the restaurant's counter staff."""
    merchant = db.get_or_404(Merchant, merchant_id)
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
    return render_template("rewards/coordinate/offer_form.html", form=form, merchant=merchant, offer=offer), status


@bp.route("/merchants/<int:merchant_id>/offers/new", methods=["GET", "POST"])
@role_required("coordinator")
def new_offer(merchant_id: int):
    merchant = db.get_or_404(Merchant, merchant_id)
    form = OfferForm()
    if form.validate_on_submit():
        merchants.save_offer(offer=None, merchant=merchant, actor=current_user, **form.offer_fields())
        db.session.commit()
        flash(_("Offer added."), "success")
        return redirect(url_for("rewards_coordinate.edit_merchant", merchant_id=merchant.id), code=303)
    return _offer_page(form, merchant, None, form_status())


@bp.route("/offers/<int:offer_id>/edit", methods=["GET", "POST"])
@role_required("coordinator")
def edit_offer(offer_id: int):
    offer = db.get_or_404(Offer, offer_id)
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
            return _offer_page(form, db.get_or_404(Offer, offer_id).merchant, offer, error.status)
        db.session.commit()
        flash(_("Offer saved."), "success")
        return redirect(url_for("rewards_coordinate.edit_merchant", merchant_id=offer.merchant_id), code=303)
    return _offer_page(form, offer.merchant, offer, form_status())
