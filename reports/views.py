"""Rider pages of reports: file a report (with "me too" on a duplicate), my reports, a report's page with its
timeline, confirm the fix or say it is not fixed.

The form is a plain multipart POST that works without JavaScript; ``static/js/report-form.js`` shrinks the
photos, fills the position and fetches the similar reports (``reports.similar``) before the rider sends it.
Without JavaScript, a POST that finds similar open reports nearby shows them first and asks to confirm.
"""

from datetime import timedelta

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from core.errors import DomainError
from core.forms import clean_text
from core.geo import gcj02_to_wgs84, parse_map_link, read_position
from core.images import NotAnImage, PhotoTooLarge
from core.places import nearby_places
from core.storage import file_store
from core.timeutil import utcnow
from core.web import refusal, role_required, widget_or_redirect
from extensions import db
from points.queries import report_awards_of
from reports import queries, services
from reports.access import may_view
from reports.catalogue import categories, category_by_code
from reports.errors import ReportInvalid
from reports.forms import ReportForm
from reports.models import Report, ReportPhoto

bp = Blueprint("reports", __name__, url_prefix="/reports")
PLACE_RADIUS_M = 100  # a station or restaurant this close may be what the report is about
FORM_FIELDS = ("photos", "category", "description", "location")  # where a service's error is shown


def get_viewable_report_or_404(report_id: int) -> Report:
    """The report if the current user may see it (:func:`reports.access.may_view`), else 404."""
    report = db.session.get(Report, report_id)
    if report is None or not may_view(current_user, report):
        abort(404)
    return report


def get_my_report_or_404(report_id: int) -> Report:
    """The current rider's own report; anyone else's is a 404."""
    report = db.session.get(Report, report_id)
    if report is None or report.reporter_id != current_user.id:
        abort(404)
    return report


def _places_near(position) -> list:
    if position is None:
        return []
    return nearby_places(position[0], position[1], radius_m=PLACE_RADIUS_M, limit=5, now=utcnow())


def _new_page(form: ReportForm, *, status: int, position=None, errors=None, similar=None, confirm=False):
    """The report form, with ``errors`` (``{field: message}``) beside their fields and, when ``confirm``, the
    similar reports to look at before sending anyway. Photos cannot be kept: the page asks for them again."""
    similar = similar or []
    return render_template(
        "reports/new.html", form=form, categories=categories(), errors=errors or {}, position=position,
        places=_places_near(position), similar=similar, confirm=confirm,
        supported=queries.supported_ids(current_user.id, [s.report.id for s in similar]),
        photos_again=request.method == "POST"), status


def _photos_sent() -> list[tuple[str, bytes]]:
    """The uploaded photos as ``(file name, bytes)``; empty file inputs are left out."""
    return [(upload.filename or "", data) for upload in request.files.getlist("photos") if (data := upload.read())]


@bp.route("/new", methods=["GET", "POST"])
@role_required("rider")
def new():
    """File a report. Refusals come back beside their field (422) with what was typed; similar open reports
    nearby (not yet looked at) come back first with "send anyway"; success goes to the report's page (303)."""
    form = ReportForm()
    if request.method == "GET":
        return _new_page(form, status=200)
    valid = form.validate()
    position = form.position()
    if not valid or form.map_link.errors:
        return _new_page(form, status=422, position=position)
    category = category_by_code(form.category.data)
    now = utcnow()
    similar = []
    if category is not None and position is not None:
        similar = queries.similar_open_reports(category.id, position[0], position[1], now)
    place_kind, place_id = form.place_choice()
    try:
        report = services.submit_report(
            reporter=current_user, category=category, description=form.description.data or "",
            latitude=position[0] if position else None, longitude=position[1] if position else None,
            photos=_photos_sent(), address=form.address.data or "", entered_crs=position[2] if position else "wgs84",
            place_kind=place_kind, place_id=place_id, now=now)
    except (ReportInvalid, NotAnImage, PhotoTooLarge) as error:
        db.session.rollback()
        field = error.details.get("field") if isinstance(error, ReportInvalid) else "photos"
        errors = {field if field in FORM_FIELDS else "form": error.message}
        return _new_page(form, status=422, position=position, errors=errors, similar=similar)
    if similar and form.confirmed_new.data != "1":
        db.session.rollback()  # not sent: the rider first looks at the reports that may be the same problem
        form.confirmed_new.data = "1"
        return _new_page(form, status=200, position=position, similar=similar, confirm=True)
    report_id = report.id
    db.session.commit()
    flash(_("Thank you! Your report was sent. You will get a message each time it moves on."), "success")
    return redirect(url_for("reports.detail", report_id=report_id), code=303)


def _position_from_args():
    """The position of the similar-reports request: a pasted ``map_link``, else ``latitude``/``longitude``."""
    found = parse_map_link(request.args.get("map_link"))
    if found is not None:
        return gcj02_to_wgs84(found[0], found[1]) if found[2] == "gcj02" else (found[0], found[1])
    try:
        return read_position(request.args.get("latitude"), request.args.get("longitude"), places=6)
    except ValueError:
        return None


@bp.get("/similar")
@role_required("rider")
def similar():
    """The "me too" list for the form (htmx): open reports of ``category`` within 50 m from the last 14 days,
    and, out of band, the places near the position to link the report to. A plain GET goes to the form."""
    if not request.htmx:
        return redirect(url_for("reports.new"))
    category = category_by_code(request.args.get("category"))
    position = _position_from_args()
    items = []
    if category is not None and position is not None:
        items = queries.similar_open_reports(category.id, position[0], position[1], utcnow())
    supported = queries.supported_ids(current_user.id, [s.report.id for s in items])
    return render_template("reports/_similar_fragment.html", similar=items, supported=supported,
                           places=_places_near(position), chosen_place=request.args.get("place", ""),
                           looked=category is not None and position is not None)


def _jpeg(photo: ReportPhoto) -> Response:
    etag = photo.storage_key.rsplit("/", 1)[-1][:32]
    if etag in request.if_none_match:
        response = Response(status=304)
    else:
        try:
            response = Response(file_store().get(photo.storage_key), mimetype="image/jpeg")
        except KeyError:
            abort(404)
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/similar/<int:report_id>/photo.jpg")
@role_required("rider")
def similar_photo(report_id: int):
    """The first photo of an open report a rider may be about to duplicate: only while it is open and under
    14 days old, never for a category that hides its reporter (food safety: the list says only that such a
    report exists). Anything else is a 404."""
    report = db.session.get(Report, report_id)
    if (report is None or not report.is_open or report.anonymous
            or report.created_at < utcnow() - timedelta(days=queries.SIMILAR_DAYS)):
        abort(404)
    photo_id = queries.first_photos([report.id]).get(report.id)
    if photo_id is None:
        abort(404)
    return _jpeg(db.session.get(ReportPhoto, photo_id))


@bp.post("/<int:report_id>/support")
@role_required("rider")
def support(report_id: int):
    """"Me too" on someone else's open report (no points; a double tap changes nothing). htmx gets the button
    as "You reported this too"; a plain form a message and "my reports"."""
    report = db.get_or_404(Report, report_id)
    try:
        added = services.add_support(report=report, user=current_user)
    except DomainError as error:
        db.session.rollback()
        return refusal(error, "reports/_support.html", url_for("reports.mine"),
                       report=db.session.get(Report, report_id), supported=False)
    db.session.commit()
    message = (_("Thank you: your “me too” was added. No need to send the same problem again.") if added
               else _("You had already said “me too” to this report."))
    return widget_or_redirect("reports/_support.html", url_for("reports.mine"), message=message, report=report,
                              supported=True)


@bp.get("/")
@role_required("rider")
def mine():
    """My reports, newest first, with their status and the points each brought; then those I said "me too" to."""
    reports = queries.reports_of(current_user.id)
    awards = report_awards_of(current_user.id)
    return render_template("reports/mine.html", reports=reports, awards=awards, total=sum(awards.values()),
                           supported=queries.supported_by(current_user.id))


@bp.get("/<int:report_id>")
@login_required
def detail(report_id: int):
    """A report's page for whoever may see it: photos before and after, what and where, the timeline; for its
    reporter, once resolved, "Fixed — confirm" and "Not fixed"."""
    report = get_viewable_report_or_404(report_id)
    before, after = queries.photos_of(report)
    return render_template("reports/detail.html", report=report, before=before, after=after,
                           timeline=queries.timeline_of(report), is_reporter=report.reporter_id == current_user.id,
                           points=report_awards_of(report.reporter_id).get(report.id, 0)
                           if report.reporter_id == current_user.id else 0)


@bp.post("/<int:report_id>/confirm")
@role_required("rider")
def confirm(report_id: int):
    """The reporter confirms the fix: closed, and the category's points once (a second tap is told why not)."""
    report = get_my_report_or_404(report_id)
    try:
        points = services.confirm_fix(report=report, reporter=current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        if points:
            flash(ngettext("Thank you for confirming! %(num)d point was added to your wallet.",
                           "Thank you for confirming! %(num)d points were added to your wallet.", points), "success")
        else:
            flash(_("Thank you for confirming! The report is closed."), "success")
    return redirect(url_for("reports.detail", report_id=report_id), code=303)


@bp.post("/<int:report_id>/reopen")
@role_required("rider")
def reopen(report_id: int):
    """The reporter says "not fixed": back to the department, once (a second time is told to ask the
    coordinator)."""
    report = get_my_report_or_404(report_id)
    note = " ".join(clean_text(request.form.get("note") or "").split())[:500]
    try:
        services.reopen_report(report=report, reporter=current_user, note=note)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("Thank you. The report went back to the department to look at again."), "success")
    return redirect(url_for("reports.detail", report_id=report_id), code=303)
