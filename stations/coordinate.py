"""Coordinator pages of stations: their organisation's stations, create, edit, hours, deactivate, import/export.

A coordinator manages their organisation's stations, an admin all; another organisation's station is a 404.
"""

from datetime import datetime

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from accounts.forms import organisation_choices
from accounts.queries import organisations
from core.hours_form import HoursExceptionForm, HoursRefused, WeeklyHoursForm
from core.opening_hours import describe
from core.timeutil import to_local, utcnow
from core.web import form_status, role_required
from extensions import db
from stations import services
from stations.errors import InvalidStation
from stations.forms import AdminStationForm, StationForm
from stations.models import Station, StationHoursException
from stations.places import has_hours, station_status

bp = Blueprint("stations_coordinate", __name__, url_prefix="/coordinate/stations")
MANAGERS = ("coordinator", "admin")


def get_managed_station_or_404(station_id: int) -> Station:
    """The station if the current user manages it: an admin any, a coordinator their organisation's; else 404."""
    station = db.get_or_404(Station, station_id)
    if not (current_user.is_admin or station.organisation_id == current_user.organisation_id):
        abort(404)
    return station


def status_text(station: Station, now: datetime) -> str:
    """"Open now · closes 21:00", or that no hours are entered yet."""
    if not has_hours(station):
        return _("No opening hours entered yet")
    return describe(station_status(station, now), to_local(now))


@bp.get("/")
@role_required(*MANAGERS)
def station_list():
    """The stations the current user manages by name, active ones first, deactivated ones apart."""
    query = (sa.select(Station).options(selectinload(Station.hours), selectinload(Station.exceptions),
                                        selectinload(Station.organisation))
             .order_by(Station.name, Station.id))
    if not current_user.is_admin:
        query = query.where(Station.organisation_id == current_user.organisation_id)
    stations = db.session.scalars(query).all()
    now = utcnow()
    rows = [(station, status_text(station, now)) for station in stations]
    return render_template("stations/coordinate/station_list.html",
                           active=[row for row in rows if row[0].active],
                           inactive=[row for row in rows if not row[0].active])


def _station_form(station: Station | None = None) -> StationForm:
    if not current_user.is_admin or station is not None:
        form = StationForm(obj=station if request.method == "GET" else None)  # a POST is read as sent
    else:
        form = AdminStationForm()
        form.organisation.choices = [SelectChoice(value, label) for value, label in
                                     organisation_choices(organisations(), blank=_("Choose…"))]
    if station is not None and not form.is_submitted():
        form.amenities.data = list(station.amenity_codes)
        form.latitude.data, form.longitude.data = f"{station.latitude:.6f}", f"{station.longitude:.6f}"
        form.entered_crs.data = "wgs84"  # stored as GPS: shown as GPS, so saving again moves nothing
    return form


def _page(form: StationForm, station: Station | None, status: int, read_as: str | None = None):
    return render_template("stations/coordinate/station_form.html", form=form, station=station,
                           read_as=read_as), status


def read_as_text(latitude: str, longitude: str, crs: str) -> str:
    """What a pasted link was read as, for the coordinator to check: "read as 31.87, 120.55 (GCJ-02, converted)"."""
    if crs == "gcj02":
        return _("Read as %(lat)s, %(lng)s (GCJ-02, converted to GPS)", lat=latitude, lng=longitude)
    return _("Read as %(lat)s, %(lng)s (GPS, WGS-84)", lat=latitude, lng=longitude)


def _save(form: StationForm, station: Station | None):
    """Create or update from a submitted form: the redirect, or the form again with the error (422)."""
    ok = form.validate()
    position = form.position()
    read_as = read_as_text(*position) if position and form.map_link.data else None
    if not ok or position is None:
        return _page(form, station, 422, read_as)
    latitude, longitude, crs = position
    fields = {"name": form.name.data, "kind": form.kind.data, "address": form.address.data,
              "amenities": form.amenities.data or [], "phone": form.phone.data, "latitude": latitude,
              "longitude": longitude, "entered_crs": crs, "fast_lane": form.fast_lane.data,
              "ebike_spots": form.ebike_spots.data, "parking_where": form.parking_where.data}
    try:
        if station is None:
            organisation_id = form.organisation.data if isinstance(form, AdminStationForm) else None
            station = services.create_station(actor=current_user, organisation_id=organisation_id, **fields)
        else:
            services.update_station(station=station, actor=current_user, **fields)
    except InvalidStation as error:
        db.session.rollback()
        target = form.error_field(error.details.get("field", ""))
        target.errors = [*target.errors, error.message]
        return _page(form, db.session.get(Station, station.id) if station is not None else None, 422, read_as)
    db.session.commit()
    message = _("Station saved.")
    if read_as:
        message = f"{message} {read_as}"
    flash(message, "success")
    return redirect(url_for("stations_coordinate.edit_station", station_id=station.id), code=303)


@bp.route("/new", methods=["GET", "POST"])
@role_required(*MANAGERS)
def new_station():
    """Add a station: a coordinator's belongs to their organisation, an admin chooses."""
    form = _station_form()
    if request.method == "POST":
        return _save(form, None)
    return _page(form, None, 200)


@bp.route("/<int:station_id>", methods=["GET", "POST"])
@role_required(*MANAGERS)
def edit_station(station_id: int):
    """A station's details and position; links to its hours; deactivate or reactivate."""
    station = get_managed_station_or_404(station_id)
    form = _station_form(station)
    if request.method == "POST":
        return _save(form, station)
    return _page(form, station, 200)


def _switch(station_id: int, change, message: str):
    station = get_managed_station_or_404(station_id)
    change(station=station, actor=current_user)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("stations_coordinate.edit_station", station_id=station.id), code=303)


@bp.post("/<int:station_id>/deactivate")
@role_required(*MANAGERS)
def deactivate(station_id: int):
    """Take the station out of "near me"; it is kept with its hours."""
    return _switch(station_id, services.deactivate_station,
                   _("Station deactivated. Riders no longer find it; you can reactivate it."))


@bp.post("/<int:station_id>/reactivate")
@role_required(*MANAGERS)
def reactivate(station_id: int):
    """Put a deactivated station back into "near me"."""
    return _switch(station_id, services.reactivate_station, _("Station reactivated. Riders find it again."))


# Opening hours


def _hours_page(station: Station, weekly: WeeklyHoursForm, exception_form: HoursExceptionForm, status: int):
    exceptions = db.session.scalars(sa.select(StationHoursException).where(
        StationHoursException.station_id == station.id).order_by(StationHoursException.day,
                                                                 StationHoursException.opens)).all()
    rows = [(row, url_for("stations_coordinate.remove_exception", station_id=station.id, exception_id=row.id))
            for row in exceptions]
    return render_template("stations/coordinate/hours.html", station=station, weekly=weekly,
                           exception_form=exception_form, exceptions=rows,
                           weekly_action=url_for("stations_coordinate.hours", station_id=station.id),
                           exception_action=url_for("stations_coordinate.add_exception", station_id=station.id),
                           back=url_for("stations_coordinate.edit_station", station_id=station.id)), status


def weekly_form_for(station: Station) -> WeeklyHoursForm:
    form = WeeklyHoursForm()
    if not form.is_submitted():
        form.load(station.hours)
        form.holiday_rule.data = station.holiday_rule
    return form


@bp.route("/<int:station_id>/hours", methods=["GET", "POST"])
@role_required(*MANAGERS)
def hours(station_id: int):
    """The weekly hours (Monday to Sunday), the holiday rule and the dated exceptions."""
    station = get_managed_station_or_404(station_id)
    form = weekly_form_for(station)
    if request.method == "POST" and form.validate():
        try:
            services.set_weekly_hours(station=station, actor=current_user, rows=form.rows(),
                                      holiday_rule=form.holiday_rule.data)
        except HoursRefused as error:
            db.session.rollback()
            form.add_day_error(int(error.details["field"][1:]) if error.details.get("field", "").startswith("d")
                               else 0, error.message)
            return _hours_page(db.session.get(Station, station_id), form, HoursExceptionForm(formdata=None), 422)
        db.session.commit()
        flash(_("Opening hours saved."), "success")
        return redirect(url_for("stations_coordinate.hours", station_id=station.id), code=303)
    return _hours_page(station, form, HoursExceptionForm(formdata=None), form_status())


@bp.post("/<int:station_id>/hours/exceptions")
@role_required(*MANAGERS)
def add_exception(station_id: int):
    """Add a dated exception (closed that day, or one span)."""
    station = get_managed_station_or_404(station_id)
    form = HoursExceptionForm()
    status = 422
    if form.validate():
        try:
            services.add_hours_exception(station=station, actor=current_user, day=form.day.data,
                                         closed=form.closed.data, opens=form.opens.data or None,
                                         closes=form.closes.data or None, note=form.note.data or "")
        except HoursRefused as error:
            db.session.rollback()
            form.apply_error(error)
            status = error.status
            station = db.session.get(Station, station_id)
        else:
            db.session.commit()
            flash(_("Exception added."), "success")
            return redirect(url_for("stations_coordinate.hours", station_id=station.id), code=303)
    return _hours_page(station, weekly_form_for_display(station), form, status)


def weekly_form_for_display(station: Station) -> WeeklyHoursForm:
    """The weekly form filled from the stored rows, whatever was posted (the exception form was)."""
    form = WeeklyHoursForm(formdata=None)
    form.load(station.hours)
    form.holiday_rule.data = station.holiday_rule
    return form


@bp.post("/<int:station_id>/hours/exceptions/<int:exception_id>/delete")
@role_required(*MANAGERS)
def remove_exception(station_id: int, exception_id: int):
    """Delete a dated exception."""
    station = get_managed_station_or_404(station_id)
    exception = db.get_or_404(StationHoursException, exception_id)
    if exception.station_id != station.id:
        abort(404)
    services.remove_hours_exception(exception=exception, actor=current_user)
    db.session.commit()
    flash(_("Exception deleted."), "success")
    return redirect(url_for("stations_coordinate.hours", station_id=station.id), code=303)

