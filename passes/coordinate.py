"""Coordinators and admins: partner buildings, their staff accounts and the entry figures.

A coordinator manages their organisation's buildings (stations of kind ``building``), an admin all; another
organisation's building is a 404. Figures and their exports: :mod:`passes.figures`, :mod:`passes.exports`.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounts.errors import PhoneTaken
from core.errors import DomainError
from core.web import form_status, role_required
from extensions import db
from passes import figures as queries
from passes import staff_accounts
from passes.exports import EXTENSIONS, day_label, export
from passes.forms import BuildingStaffForm
from stations.models import KIND_LABELS, Station

bp = Blueprint("passes_coordinate", __name__, url_prefix="/coordinate/buildings")
MANAGERS = ("coordinator", "admin")


def get_managed_building_or_404(building_id: int, *, former: bool = False) -> Station:
    """The partner building if the current user manages it (an admin any, a coordinator their organisation's);
    404 for another organisation's, a missing one or a station of another kind — unless ``former`` and the
    station was a partner building and still has staff accounts (so they can be seen and removed)."""
    building = db.get_or_404(Station, building_id)
    if not (current_user.is_admin or building.organisation_id == current_user.organisation_id):
        abort(404)
    if not building.is_partner_building and not (former and staff_accounts.staff_of(building)):
        abort(404)
    return building


def _scope() -> int | None:
    return None if current_user.is_admin else current_user.organisation_id


@bp.get("/")
@role_required(*MANAGERS)
def building_list():
    """The partner buildings the user may manage, with their staff and this week's entries."""
    buildings = queries.buildings_of(_scope())
    ids = [building.id for building in buildings]
    return render_template("passes/coordinate/building_list.html", buildings=buildings,
                           staff=queries.staff_counts(ids), entries=queries.today_and_week(ids),
                           former=queries.former_buildings_with_staff(_scope()),
                           building_kind=KIND_LABELS["building"])


def _staff_page(building: Station, form: BuildingStaffForm, status: int):
    return render_template("passes/coordinate/staff.html", building=building, form=form,
                           links=staff_accounts.staff_of(building),
                           takes_staff=staff_accounts.takes_staff(building)), status


@bp.route("/<int:building_id>/staff", methods=["GET", "POST"])
@role_required(*MANAGERS)
def staff(building_id: int):
    """The building's staff accounts, and the form that creates one (POST)."""
    building = get_managed_building_or_404(building_id, former=True)
    form = BuildingStaffForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            staff_accounts.add_building_staff(building=building, phone=form.phone.data, name=form.name.data,
                                              password=form.password.data, actor=current_user)
        except DomainError as error:
            db.session.rollback()
            building = get_managed_building_or_404(building_id, former=True)
            if isinstance(error, PhoneTaken):
                form.phone.errors.append(_("An account with this mobile number exists already. Use another "
                                           "number (a deactivated account can be reactivated on the accounts "
                                           "page)."))
            else:
                form.form_errors.append(error.message)
            return _staff_page(building, form, error.status)
        db.session.commit()
        flash(_("Building staff account created. Give them the number and the initial password: they log in "
                "and check passes at %(building)s.", building=building.name), "success")
        return redirect(url_for(".staff", building_id=building.id), code=303)
    return _staff_page(building, form, form_status())


@bp.post("/<int:building_id>/staff/<int:user_id>/remove")
@role_required(*MANAGERS)
def remove_staff(building_id: int, user_id: int):
    """Remove a staff account of the building (or of a station that was one): deactivated at once (it stops
    checking), kept for history."""
    building = get_managed_building_or_404(building_id, former=True)
    link = staff_accounts.link_of(building, user_id)
    if link is None:
        abort(404)
    try:
        user = staff_accounts.remove_building_staff(link=link, actor=current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("%(name)s can no longer log in or check passes.", name=user.name), "success")
    return redirect(url_for(".staff", building_id=building_id), code=303)


def _chosen_buildings(buildings: list[Station], typed: str) -> tuple[list[Station], dict]:
    if not typed:
        return buildings, {}
    chosen = [building for building in buildings if str(building.id) == typed.strip()]
    if not chosen:
        return [], {"building": _("Choose a building from the list.")}
    return chosen, {}


def _figures_request():
    """What the figures page asks for: ``(state, figures or None)``; figures are ``None`` for bad input."""
    buildings = queries.buildings_of(_scope())
    typed = {name: request.args.get(name, "")[:40] for name in ("from", "to", "building")}
    period, errors = queries.read_period(request.args)
    chosen, building_errors = _chosen_buildings(buildings, typed["building"])
    errors.update(building_errors)
    state = {"buildings": buildings, "typed": typed, "errors": errors, "period": period}
    if errors:
        return state, None
    state["args"] = {"from": period.first.isoformat(), "to": period.last.isoformat(),
                     **({"building": typed["building"].strip()} if typed["building"] else {})}
    return state, queries.figures(chosen, period)


@bp.get("/figures")
@role_required(*MANAGERS)
def figures():
    """Entries and distinct riders per day and week at the user's buildings (one, or all), over a period
    (the last 28 days by default); bad dates or building give the form back with the message (422)."""
    state, result = _figures_request()
    return render_template("passes/coordinate/figures.html", state=state, figures=result,
                           day_label=day_label), 422 if result is None else 200


@bp.get("/figures.<ext>")
@role_required(*MANAGERS)
def figures_export(ext: str):
    """The figures as CSV or XLSX (another extension: 404; bad input: the page with the message, 422)."""
    if ext not in EXTENSIONS:
        abort(404)
    state, result = _figures_request()
    if result is None:
        return render_template("passes/coordinate/figures.html", state=state, figures=None,
                               day_label=day_label), 422
    return export(result, ext, "building-entries")

