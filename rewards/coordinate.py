"""Managing merchants, their offers and staff: a coordinator those their organisation recruited, an admin all.

A merchant another organisation manages is a 404 to a coordinator (what they may not see).
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounts.forms import StaffAccountForm, organisation_choices
from accounts.queries import organisations
from core.errors import DomainError
from core.web import form_status, role_required
from extensions import db
from rewards import merchants, queries
from rewards.forms import AdminMerchantForm, MerchantForm, OfferForm
from rewards.models import Merchant, Offer

bp = Blueprint("rewards_coordinate", __name__, url_prefix="/coordinate")
MANAGERS = ("coordinator", "admin")


def get_managed_merchant_or_404(merchant_id: int) -> Merchant:
    """The merchant if the current user manages it: an admin any, a coordinator their organisation's; else 404."""
    merchant = db.get_or_404(Merchant, merchant_id)
    if not (current_user.is_admin or merchant.organisation_id == current_user.organisation_id):
        abort(404)
    return merchant


def get_managed_offer_or_404(offer_id: int) -> Offer:
    """The offer if the current user manages its merchant, else 404."""
    offer = db.get_or_404(Offer, offer_id)
    get_managed_merchant_or_404(offer.merchant_id)
    return offer


@bp.get("/merchants")
@role_required(*MANAGERS)
def merchant_list():
    """The merchants the current user manages, by name."""
    rows = queries.merchants_with_offers(active_only=False, viewer=current_user)
    return render_template("rewards/coordinate/merchant_list.html", merchants=rows)


def _merchant_form(merchant: Merchant | None = None, **kwargs) -> MerchantForm:
    """The merchant form; an admin's also chooses the organisation (blank: programme-wide)."""
    if not current_user.is_admin:
        return MerchantForm(obj=merchant, **kwargs)
    form = AdminMerchantForm(obj=merchant, **kwargs)
    form.organisation.choices = organisation_choices(organisations(), blank=_("Programme-wide (admins only)"))
    if merchant is not None and not form.is_submitted():
        form.organisation.data = merchant.organisation_id
    return form


def _staff_form():
    return StaffAccountForm(prefix="staff")


def _merchant_page(merchant: Merchant | None, form: MerchantForm, staff_form=None, status: int = 200):
    staff = queries.staff_of(merchant.id) if merchant is not None else []
    return render_template("rewards/coordinate/merchant_form.html", merchant=merchant, form=form,
                           staff_form=staff_form or _staff_form(), staff=staff), status


@bp.route("/merchants/new", methods=["GET", "POST"])
@role_required(*MANAGERS)
def new_merchant():
    """Add a merchant: a coordinator's belongs to their organisation, an admin chooses."""
    form = _merchant_form()
    if form.validate_on_submit():
        merchant = merchants.save_merchant(merchant=None, actor=current_user, **_merchant_fields(form))
        db.session.commit()
        flash(_("Merchant added. Now add its offers and staff."), "success")
        return redirect(url_for("rewards_coordinate.edit_merchant", merchant_id=merchant.id), code=303)
    return _merchant_page(None, form, status=form_status())


def _merchant_fields(form: MerchantForm) -> dict:
    fields = {name: getattr(form, name).data for name in ("name", "address", "active", "serving_hours")}
    fields["latitude"], fields["longitude"] = form.position()
    if isinstance(form, AdminMerchantForm):
        fields["organisation_id"] = form.organisation.data
    return fields


@bp.route("/merchants/<int:merchant_id>", methods=["GET", "POST"])
@role_required(*MANAGERS)
def edit_merchant(merchant_id: int):
    """A merchant's details, offers and staff accounts."""
    merchant = get_managed_merchant_or_404(merchant_id)
    form = _merchant_form(merchant)
    if request.method == "POST" and form.validate():
        merchants.save_merchant(merchant=merchant, actor=current_user, **_merchant_fields(form))
        db.session.commit()
        flash(_("Merchant saved."), "success")
        return redirect(url_for("rewards_coordinate.edit_merchant", merchant_id=merchant.id), code=303)
    return _merchant_page(merchant, form, status=form_status())


@bp.post("/merchants/<int:merchant_id>/staff")
@role_required(*MANAGERS)
def add_staff(merchant_id: int):
    """Create a log-in for the restaurant's counter staff."""
    merchant = get_managed_merchant_or_404(merchant_id)
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
    return _merchant_page(merchant, _merchant_form(merchant, formdata=None), staff_form, status=422)


def _offer_page(form: OfferForm, merchant: Merchant, offer: Offer | None, status: int):
    return render_template("rewards/coordinate/offer_form.html", form=form, merchant=merchant, offer=offer), status


@bp.route("/merchants/<int:merchant_id>/offers/new", methods=["GET", "POST"])
@role_required(*MANAGERS)
def new_offer(merchant_id: int):
    """Add an offer to a merchant the current user manages."""
    merchant = get_managed_merchant_or_404(merchant_id)
    form = OfferForm()
    if form.validate_on_submit():
        merchants.save_offer(offer=None, merchant=merchant, actor=current_user, **form.offer_fields())
        db.session.commit()
        flash(_("Offer added."), "success")
        return redirect(url_for("rewards_coordinate.edit_merchant", merchant_id=merchant.id), code=303)
    return _offer_page(form, merchant, None, form_status())


@bp.route("/offers/<int:offer_id>/edit", methods=["GET", "POST"])
@role_required(*MANAGERS)
def edit_offer(offer_id: int):
    """Change an offer; the stock typed is applied as a change to the current stock."""
    offer = get_managed_offer_or_404(offer_id)
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
