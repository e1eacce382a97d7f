"""Department staff's pages: the reports routed to their department, resolve (with an "after" photo) or
reject, or give a report another category (which sends it to that category's department).

Only the reports routed to the user's department now exist for them (:func:`reports.access.handles`); any
other is a 404, including one that moved to another department. For food-safety reports the reporter's
identity never appears on these pages (:func:`reports.access.shows_reporter`), not even in the timeline.
"""

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.images import NotAnImage, PhotoTooLarge
from core.timeutil import utcnow
from core.web import role_required
from extensions import db
from reports import services
from reports.access import department_of, handles, visible_reports
from reports.catalogue import categories, category_by_code
from reports.coordinate import act, age_text, report_view
from reports.models import Department, Report
from reports.staff_forms import DEPARTMENT_DEFAULT, PER_PAGE, QueueFilters

bp = Blueprint("reports_department", __name__, url_prefix="/department/reports")
STATUSES_SHOWN = ("routed", "resolved", "closed", "rejected")


def my_department() -> Department:
    """The current user's department; 403 for department staff not tied to one (an admin's slip)."""
    department = department_of(current_user)
    if department is None:
        abort(403)
    return department


def get_handled_report_or_404(report_id: int) -> Report:
    """The report if it is routed to the current user's department now, else 404."""
    my_department()
    report = db.get_or_404(Report, report_id)
    if not handles(current_user, report):
        abort(404)
    return report


@bp.get("/")
@role_required("department")
def queue():
    """The department's reports: those to handle first, then resolved ones awaiting the reporter, then those
    finished in the last 30 days; filters by status and category; 30 per page."""
    department = my_department()
    filters = QueueFilters.read(request.args, default=DEPARTMENT_DEFAULT, allowed=(DEPARTMENT_DEFAULT, "all"))
    filters.department, filters.age = None, None  # their department is the only one; age is the coordinators'
    if filters.status not in (*STATUSES_SHOWN, DEPARTMENT_DEFAULT, "all"):
        filters.status = DEPARTMENT_DEFAULT
    pagination = db.paginate(filters.apply(visible_reports(current_user)), page=filters.page, per_page=PER_PAGE,
                             error_out=False)
    now = utcnow()
    return render_template("reports/department/queue.html", department=department, filters=filters,
                           pagination=pagination, rows=[(r, age_text(r, now)) for r in pagination.items],
                           categories=categories(active_only=False), statuses=STATUSES_SHOWN)


def _detail(report: Report, *, errors=None, status: int = 200):
    values = request.form if request.method == "POST" else {}
    return render_template("reports/department/detail.html", department=my_department(), errors=errors or {},
                           values=values, categories=[c for c in categories() if c.id != report.category_id],
                           **report_view(report)), status


@bp.get("/<int:report_id>")
@role_required("department")
def detail(report_id: int):
    """A report routed to the department: photos, place, timeline, and resolve / reject / other category."""
    return _detail(get_handled_report_or_404(report_id))


def _act(report_id: int, action):
    report = get_handled_report_or_404(report_id)
    back = url_for("reports_department.detail", report_id=report.id)

    def page(errors, status):
        return _detail(get_handled_report_or_404(report_id), errors=errors, status=status)

    return act(lambda: action(report), page=page, back=back)


@bp.post("/<int:report_id>/resolve")
@role_required("department")
def resolve(report_id: int):
    """Say what was done, with a photo of the place after the fix; the reporter is asked to confirm."""

    def action(report):
        upload = request.files.get("photo")
        photo = (upload.filename or "", upload.read()) if upload is not None and upload.filename else None
        try:
            services.resolve_report(report=report, staff=current_user, note=request.form.get("note", "")[:500],
                                    photo=photo)
        except (NotAnImage, PhotoTooLarge) as error:
            error.details.setdefault("field", "photo")
            raise
        return _("Marked as resolved. The reporter is asked to confirm the fix.")

    return _act(report_id, action)


@bp.post("/<int:report_id>/reject")
@role_required("department")
def reject(report_id: int):
    """Reject the report with a reason the reporter reads."""

    def action(report):
        services.reject_report(report=report, actor=current_user, reason=request.form.get("reason", "")[:500])
        return _("Report rejected. The reporter was told why.")

    return _act(report_id, action)


@bp.post("/<int:report_id>/category")
@role_required("department")
def change_category(report_id: int):
    """Give the report another category: it goes to that category's department (and leaves this list when
    that is another one)."""

    def action(report):
        services.change_category(report=report, category=category_by_code(request.form.get("category")),
                                 actor=current_user)
        if handles(current_user, report):
            return _("Category changed to %(category)s.", category=report.category.label)
        return _("Category changed to %(category)s. The report has left your department's list.",
                 category=report.category.label)

    response = _act(report_id, action)
    report = db.session.get(Report, report_id)
    if getattr(response, "status_code", None) == 303 and report is not None and not handles(current_user, report):
        return redirect(url_for("reports_department.queue"), code=303)
    return response
