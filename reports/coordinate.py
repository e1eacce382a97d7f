"""Coordinators' pages of reports: the triage queue of their organisation, a report's page with its actions
(accept, route, change category, reject, verify the fix) and the figures superiors ask for.

A coordinator sees the reports of :func:`reports.access.visible_reports` (an admin all); another
organisation's report is a 404. Each action is one POST: one service call, one commit, a flash and a 303 back;
a refusal of the state (someone acted first) is flashed on the page as it now is; a missing reason, department
or category comes back as the page with the message beside the field and the input kept (422).
"""

from collections.abc import Callable

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from core.errors import DomainError
from core.places import navigation_links
from core.text import mask_phone
from core.timeutil import utcnow
from core.web import role_required
from extensions import db
from reports import figures as report_figures
from reports import services
from reports.access import coordinates, shows_reporter, visible_reports
from reports.catalogue import categories, category_by_code
from reports.models import STATUS_LABELS, Department, Report, ReportPhoto, ReportUpdate
from reports.staff_forms import AGES, NEEDS_ACTION, PER_PAGE, Period, QueueFilters, small_int

bp = Blueprint("reports_coordinate", __name__, url_prefix="/coordinate/reports")
MANAGERS = ("coordinator", "admin")


# ---- shared by the staff pages (coordinators here, department staff in reports/department.py) ----

def age_text(report: Report, now=None) -> str:
    """How long ago ``report`` was filed, in whole days ("3 days"), or "today" within its first day."""
    days = ((now or utcnow()) - report.created_at).days
    return _("today") if days < 1 else ngettext("%(num)d day", "%(num)d days", days)


def departments() -> list[Department]:
    """The active departments, by name (what a report can be routed to)."""
    return list(db.session.scalars(sa.select(Department).where(Department.active.is_(True)).order_by(Department.name)))


def report_view(report: Report) -> dict:
    """What the report part of a staff page shows: its photos (before/after), the timeline with each actor
    named only where the viewer may know them, the reporter (name and masked phone) when
    :func:`reports.access.shows_reporter` allows it, and the navigation link to the place."""
    photos = list(db.session.scalars(sa.select(ReportPhoto).where(ReportPhoto.report_id == report.id)
                                     .order_by(ReportPhoto.id)))
    updates = list(db.session.scalars(sa.select(ReportUpdate).where(ReportUpdate.report_id == report.id)
                                      .order_by(ReportUpdate.created_at, ReportUpdate.id)))
    show_reporter = shows_reporter(current_user, report)
    reporter = None
    if show_reporter and report.reporter is not None:
        reporter = {"name": report.reporter.name, "phone": mask_phone(report.reporter.phone)}
    timeline = [(update, actor_label(update, report, show_reporter)) for update in updates]
    name = report.address or report.category.label
    return {"report": report, "photos": photos, "timeline": timeline, "reporter": reporter,
            "show_reporter": show_reporter, "links": navigation_links(report.latitude, report.longitude, str(name)),
            "age": age_text(report)}


STAFF_ROLES = ("coordinator", "admin", "department")


def actor_label(update: ReportUpdate, report: Report, show_reporter: bool) -> str:
    """Who made ``update``, as a staff page may say it: staff by name; the reporter by name only when the
    viewer may know them (else "The reporter"); other riders ("me too") as "A rider"; the system or a city
    platform as such."""
    actor = update.actor
    if actor is None:
        return _("A city platform") if report.source == "open311" else _("The system")
    if actor.role in STAFF_ROLES:
        return actor.name
    if actor.id == report.reporter_id:
        return actor.name if show_reporter else _("The reporter")
    return _("A rider")


def act(action: Callable[[], str], *, page: Callable[..., object], back: str):
    """Run one action of a report page: ``action`` calls the service and returns the success message.

    Success: commit, flash, 303 to ``back``. A :class:`core.errors.DomainError` naming a field (a reason,
    a department, a photo): rollback and ``page(errors={field: message}, status=422)``, which re-renders
    the page with the typed input. Any other refusal (the report changed meanwhile): rollback, the message
    flashed as an error, 303 to ``back``, where the report shows as it now is.
    """
    try:
        message = action()
    except DomainError as error:
        db.session.rollback()
        field = error.details.get("field")
        if field:
            return page(errors={field: error.message}, status=error.status if error.status == 422 else 422)
        flash(error.message, "error")
        return redirect(back, code=303)
    db.session.commit()
    flash(message, "success")
    return redirect(back, code=303)


# ---- coordinators' pages ----

def get_coordinated_report_or_404(report_id: int) -> Report:
    """The report if the current user coordinates it (:func:`reports.access.coordinates`), else 404."""
    report = db.get_or_404(Report, report_id)
    if not coordinates(current_user, report):
        abort(404)
    return report


@bp.get("/")
@role_required(*MANAGERS)
def queue():
    """The triage queue: what needs action first (submitted, then resolved awaiting verification), with
    filters by status, category, department and age; 30 per page."""
    filters = QueueFilters.read(request.args, default=NEEDS_ACTION, allowed=(NEEDS_ACTION, "all"))
    pagination = db.paginate(filters.apply(visible_reports(current_user)), page=filters.page, per_page=PER_PAGE,
                             error_out=False)
    now = utcnow()
    return render_template("reports/coordinate/queue.html", filters=filters, pagination=pagination,
                           rows=[(report, age_text(report, now)) for report in pagination.items],
                           categories=categories(active_only=False), departments=departments(), ages=AGES,
                           statuses=STATUS_LABELS, endpoint_name="reports_coordinate.queue")


def _detail(report: Report, *, errors=None, status: int = 200):
    values = request.form if request.method == "POST" else {}
    return render_template("reports/coordinate/detail.html", errors=errors or {}, values=values,
                           departments=departments(),
                           categories=[c for c in categories() if c.id != report.category_id],
                           **report_view(report)), status


@bp.get("/<int:report_id>")
@role_required(*MANAGERS)
def detail(report_id: int):
    """A report as its coordinator sees it (reporter included) with the actions possible now."""
    return _detail(get_coordinated_report_or_404(report_id))


def _act(report_id: int, action: Callable[[Report], str]):
    report = get_coordinated_report_or_404(report_id)
    back = url_for("reports_coordinate.detail", report_id=report.id)

    def page(errors, status):
        return _detail(get_coordinated_report_or_404(report_id), errors=errors, status=status)

    return act(lambda: action(report), page=page, back=back)


@bp.post("/<int:report_id>/accept")
@role_required(*MANAGERS)
def accept(report_id: int):
    """Accept a submitted report (it goes on to its category's department when it has one)."""

    def action(report):
        services.accept_report(report=report, coordinator=current_user)
        if report.department is not None:
            return _("Report accepted and sent to %(department)s.", department=report.department.name)
        return _("Report accepted. Choose the department to send it to.")

    return _act(report_id, action)


@bp.post("/<int:report_id>/route")
@role_required(*MANAGERS)
def route(report_id: int):
    """Send an accepted (or routed) report to the chosen department."""

    def action(report):
        chosen = small_int(request.form.get("department"))
        department = db.session.get(Department, chosen) if chosen is not None else None
        services.route_report(report=report, department=department, actor=current_user)
        return _("Report sent to %(department)s.", department=department.name)

    return _act(report_id, action)


@bp.post("/<int:report_id>/category")
@role_required(*MANAGERS)
def change_category(report_id: int):
    """Give an open report another category (an accepted or routed one follows it to its department)."""

    def action(report):
        services.change_category(report=report, category=category_by_code(request.form.get("category")),
                                 actor=current_user)
        return _("Category changed to %(category)s.", category=report.category.label)

    return _act(report_id, action)


@bp.post("/<int:report_id>/reject")
@role_required(*MANAGERS)
def reject(report_id: int):
    """Reject an open report with a reason the reporter reads."""

    def action(report):
        services.reject_report(report=report, actor=current_user, reason=request.form.get("reason", "")[:500])
        return _("Report rejected. The reporter was told why.")

    return _act(report_id, action)


@bp.post("/<int:report_id>/verify")
@role_required(*MANAGERS)
def verify(report_id: int):
    """Verify the department's fix in the reporter's place: the report closes and its points go out once."""

    def action(report):
        points = services.verify_fix(report=report, coordinator=current_user)
        if points:
            return ngettext("Fix verified. %(num)d point went to the reporter.",
                            "Fix verified. %(num)d points went to the reporter.", points)
        return _("Fix verified. The report is closed.")

    return _act(report_id, action)


@bp.get("/figures")
@role_required(*MANAGERS)
def figures():
    """Reports by status and category, resolved and closed counts, the median days to resolve (of a period of
    local days; the last 30 by default) and the oldest open reports."""
    period = Period.read(request.args)
    result = report_figures.figures(visible_reports(current_user), period.start, period.end)
    return render_template("reports/coordinate/figures.html", period=period, figures=result,
                           statuses=STATUS_LABELS, now=utcnow(), age_text=age_text)
