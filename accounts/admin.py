"""The admin's pages of the programme: organisations (list, create, rename).

Coordinators, merchants and accounts of every organisation are managed on the same pages that
coordinators use (``/coordinate/…``), where an admin's scope is the whole programme.
"""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounts.forms import OrganisationForm
from accounts.models import Organisation
from accounts.organisations import create_organisation, update_organisation
from accounts.queries import organisations_with_counts
from core.errors import DomainError
from core.web import form_status, role_required
from extensions import db

bp = Blueprint("accounts_admin", __name__, url_prefix="/admin")


@bp.get("/")
@bp.get("/organisations")
@role_required("admin")
def organisation_list():
    """Every organisation with its number of coordinators."""
    return render_template("accounts/admin/organisations.html", rows=organisations_with_counts())


def _form_page(form: OrganisationForm, organisation: Organisation | None):
    return render_template("accounts/admin/organisation_form.html", form=form,
                           organisation=organisation), form_status()


@bp.route("/organisations/new", methods=["GET", "POST"])
@role_required("admin")
def new_organisation():
    """Create an organisation (its coordinators are then created on the accounts page)."""
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            create_organisation(name=form.name.data, kind=form.kind.data, actor=current_user)
        except DomainError as error:
            db.session.rollback()
            form.name.errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Organisation created. Now create its coordinators."), "success")
            return redirect(url_for("accounts_admin.organisation_list"), code=303)
    return _form_page(form, None)


@bp.route("/organisations/<int:organisation_id>", methods=["GET", "POST"])
@role_required("admin")
def edit_organisation(organisation_id: int):
    """Rename an organisation or change its kind."""
    organisation = db.get_or_404(Organisation, organisation_id)
    form = OrganisationForm(obj=organisation)
    if form.validate_on_submit():
        try:
            update_organisation(organisation=organisation, name=form.name.data, kind=form.kind.data,
                                actor=current_user)
        except DomainError as error:
            db.session.rollback()
            organisation = db.get_or_404(Organisation, organisation_id)
            form.name.errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Organisation saved."), "success")
            return redirect(url_for("accounts_admin.organisation_list"), code=303)
    return _form_page(form, organisation)
