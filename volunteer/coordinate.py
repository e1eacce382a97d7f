"""Coordinators' task pages: post, edit, cancel, sign-ups, attendance and the check-in screen."""

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from accounts.forms import PLATFORMS
from core.errors import DomainError
from core.timeutil import utcnow
from core.web import form_status, form_text, refusal, role_required, wants_fragment, widget_or_redirect
from extensions import db
from volunteer import attendance, checkin, holds, queries, services
from volunteer.errors import SignupsChanged
from volunteer.forms import TaskForm
from volunteer.models import Signup, Task

bp = Blueprint("volunteer_coordinate", __name__, url_prefix="/coordinate")


def get_managed_task_or_403(task_id: int) -> Task:
    """The task if it exists (else 404) and belongs to the coordinator's organisation (else 403)."""
    task = db.get_or_404(Task, task_id)
    if task.organisation_id != current_user.organisation_id:
        abort(403)
    return task


def get_managed_signup_or_403(signup_id: int) -> Signup:
    """The sign-up if it exists (else 404) and its task belongs to the coordinator's organisation (else 403)."""
    signup = db.get_or_404(Signup, signup_id)
    get_managed_task_or_403(signup.task_id)
    return signup


@bp.get("/")
@bp.get("/tasks")
@role_required("coordinator")
def task_list():
    """The organisation's tasks: upcoming soonest first, then the recent past."""
    now = utcnow()
    tasks = queries.tasks_of_organisation(current_user.organisation_id)
    queues = queries.queue_counts(current_user.organisation_id)
    upcoming = sorted((t for t in tasks if t.ends_at > now), key=lambda t: t.starts_at)
    past = [t for t in tasks if t.ends_at <= now]
    return render_template("volunteer/coordinate/task_list.html", upcoming=upcoming, past=past, queues=queues)


def _form_page(form: TaskForm, task: Task | None, status: int):
    return render_template("volunteer/coordinate/task_form.html", form=form, task=task, platforms=PLATFORMS,
                           activity_max_points=current_app.config["ACTIVITY_MAX_POINTS"]), status


@bp.route("/tasks/new", methods=["GET", "POST"])
@role_required("coordinator")
def new_task():
    form = TaskForm()
    if form.validate_on_submit():
        try:
            task = services.create_task(actor=current_user, **form.task_fields())
        except DomainError as error:
            db.session.rollback()
            field = getattr(form, error.details.get("field", "starts_at"))
            field.errors = [*field.errors, error.message]
        else:
            db.session.commit()
            flash(_("Task posted. Riders can sign up now."), "success")
            return redirect(url_for("volunteer_coordinate.task_detail", task_id=task.id), code=303)
    return _form_page(form, None, form_status())


@bp.route("/tasks/<int:task_id>/edit", methods=["GET", "POST"])
@role_required("coordinator")
def edit_task(task_id: int):
    task = get_managed_task_or_403(task_id)
    if task.is_cancelled:
        flash(_("A cancelled task cannot be edited."), "error")
        return redirect(url_for("volunteer_coordinate.task_detail", task_id=task.id), code=303)
    form = TaskForm(obj=task, check_start=False)
    if request.method == "POST" and form.validate():
        try:
            services.update_task(task=task, actor=current_user, **form.task_fields())
        except DomainError as error:
            db.session.rollback()
            task = get_managed_task_or_403(task_id)
            field = getattr(form, error.details.get("field", "starts_at"))
            field.errors = [*field.errors, error.message]
        else:
            db.session.commit()
            flash(_("Task updated."), "success")
            return redirect(url_for("volunteer_coordinate.task_detail", task_id=task.id), code=303)
    return _form_page(form, task, form_status())


@bp.post("/tasks/<int:task_id>/cancel")
@role_required("coordinator")
def cancel_task(task_id: int):
    task = get_managed_task_or_403(task_id)
    try:
        services.cancel_task(task=task, actor=current_user)
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("volunteer_coordinate.task_detail", task_id=task_id), code=303)
    db.session.commit()
    flash(_("Task cancelled. Signed-up riders see it on their tasks page."), "info")
    return redirect(url_for("volunteer_coordinate.task_detail", task_id=task.id), code=303)


def signups_context(task: Task, **extra) -> dict:
    """What the sign-up list and its rows show: the sign-ups, the clock and whether attendance is open."""
    now = utcnow()
    return {"task": task, "signups": queries.signups_of(task), "now": now,
            "attendance_open": attendance.attendance_open(task, now), "opens_at": attendance.attendance_opens_at(task),
            "closes_at": attendance.attendance_closes_at(task), "kept": {}, "windows": checkin.windows(task, now),
            **extra}


@bp.get("/tasks/<int:task_id>")
@role_required("coordinator")
def task_detail(task_id: int):
    task = get_managed_task_or_403(task_id)
    if holds.refresh_holds(task_ids=[task.id]):  # lazy expiry: ended holds lapse, their places move on
        db.session.commit()
        db.session.refresh(task)
    return render_template("volunteer/coordinate/task_detail.html", **signups_context(task))


def _refused(error: DomainError, signup_id: int, template: str, kept: dict, *, whole_list: bool = False):
    """A refused change of one sign-up, after a rollback: htmx gets ``template`` (the row or the list) with
    the message; a plain form gets the task page with the message and what was typed (422), or a 303 back."""
    db.session.rollback()
    signup = get_managed_signup_or_403(signup_id)
    task = signup.task
    next_url = url_for("volunteer_coordinate.task_detail", task_id=task.id)
    context = signups_context(task, signup=signup, kept=kept)
    if not wants_fragment() and error.status == 422:  # the page, with the message next to the tapped row's form
        return render_template("volunteer/coordinate/task_detail.html", row_error=error.message, **context), 422
    if whole_list:  # the whole list comes back: the message also stands next to the tapped row's form
        context["row_error"] = error.message
    return refusal(error, template, next_url, **context)


@bp.post("/signups/<int:signup_id>/attendance")
@role_required("coordinator")
def mark_attendance(signup_id: int):
    """Mark one rider attended (``attended=1``, awards points) or no-show (``attended=0``); the row updates.

    Changing a marked attendance is a correction and needs ``reason`` (shown in the rider's wallet).
    """
    signup = get_managed_signup_or_403(signup_id)
    task = signup.task
    next_url = url_for("volunteer_coordinate.task_detail", task_id=task.id)
    if request.form.get("attended") not in ("0", "1"):
        abort(400)
    before, reason = signup.status, form_text("reason")
    try:
        attendance.mark_attendance(signup=signup, attended=request.form["attended"] == "1", actor=current_user,
                                   reason=reason)
    except DomainError as error:
        return _refused(error, signup_id, "volunteer/coordinate/_attendance_row.html",
                        {"signup_id": signup_id, "action": "correct", "reason": reason})
    db.session.commit()
    name = signup.rider.name
    if not task.points:  # an activity without points: nothing moves in the wallet
        message = (_("%(name)s attended.", name=name) if signup.status == "attended"
                   else _("%(name)s marked as no-show.", name=name))
    elif before in ("attended", "no_show") and signup.status != before:
        message = (ngettext("Corrected: %(name)s attended, +%(num)d point.",
                            "Corrected: %(name)s attended, +%(num)d points.", task.points, name=name)
                   if signup.status == "attended" else
                   ngettext("Corrected: %(name)s was a no-show, %(num)d point taken back.",
                            "Corrected: %(name)s was a no-show, %(num)d points taken back.", task.points, name=name))
    elif signup.status == "attended":
        message = ngettext("%(name)s attended: +%(num)d point.", "%(name)s attended: +%(num)d points.", task.points,
                           name=name)
    else:
        message = _("%(name)s marked as no-show.", name=name)
    return widget_or_redirect("volunteer/coordinate/_attendance_row.html", next_url, message=message,
                              **signups_context(task, signup=signup))


def _bulk_page(task: Task, *, error: str | None = None, status: int = 200):
    confirmed = attendance.confirmed_signups(task)
    return render_template("volunteer/coordinate/attendance_confirm.html", task=task, confirmed=confirmed,
                           ids=",".join(str(s.id) for s in confirmed), total=len(confirmed) * task.points,
                           attendance_open=attendance.attendance_open(task),
                           opens_at=attendance.attendance_opens_at(task),
                           closes_at=attendance.attendance_closes_at(task), now=utcnow(), error=error), status


@bp.get("/tasks/<int:task_id>/attendance")
@role_required("coordinator")
def confirm_all_attended(task_id: int):
    """The confirmation page of "mark all attended": how many riders and how many points it will award."""
    return _bulk_page(get_managed_task_or_403(task_id))


def _posted_ids() -> set[int]:
    """The sign-up ids the coordinator confirmed (``signups=1,2,3``); junk counts as a changed list."""
    ids = set()
    for part in request.form.get("signups", "").split(","):
        if part.strip():
            ids.add(int(part) if part.strip().isdigit() and len(part.strip()) < 10 else -1)
    return ids


@bp.post("/tasks/<int:task_id>/attendance")
@role_required("coordinator")
def mark_all_attended(task_id: int):
    """Mark every confirmed rider attended at once, if they are still the ones confirmed on the confirmation
    page (``signups``, comma-separated ids); else 409 with the page's new numbers."""
    task = get_managed_task_or_403(task_id)
    try:
        count = attendance.mark_all_attended(task=task, actor=current_user, expected=_posted_ids())
    except DomainError as error:
        db.session.rollback()
        task = get_managed_task_or_403(task_id)
        if isinstance(error, SignupsChanged):
            return _bulk_page(task, error=error.message, status=409)
        flash(str(error.message), "error")
        return redirect(url_for("volunteer_coordinate.task_detail", task_id=task_id), code=303)
    db.session.commit()
    return widget_or_redirect("volunteer/coordinate/_signups.html",
                              url_for("volunteer_coordinate.task_detail", task_id=task.id),
                              message=ngettext("%(num)d rider marked attended.",
                                               "%(num)d riders marked attended.", count),
                              **signups_context(task))


@bp.post("/signups/<int:signup_id>/remove")
@role_required("coordinator")
def remove_signup(signup_id: int):
    """Remove a rider from a task that has not started, with a ``reason`` the rider sees; the list updates
    (the waitlist moves up)."""
    signup = get_managed_signup_or_403(signup_id)
    task = signup.task
    reason = form_text("reason")
    try:
        services.remove_signup(signup=signup, reason=reason, actor=current_user)
    except DomainError as error:
        return _refused(error, signup_id, "volunteer/coordinate/_signups.html",
                        {"signup_id": signup_id, "action": "remove", "reason": reason}, whole_list=True)
    db.session.commit()
    return widget_or_redirect("volunteer/coordinate/_signups.html",
                              url_for("volunteer_coordinate.task_detail", task_id=task.id),
                              message=_("%(name)s was removed from the task.", name=signup.rider.name),
                              **signups_context(task))


# ---------------------------------------------------------------------------------------------------------
# the check-in screen (volunteer/checkin.py)
# ---------------------------------------------------------------------------------------------------------

def get_organisation_task_or_404(task_id: int) -> Task:
    """The task if it belongs to the coordinator's organisation; else 404 (its codes are not for others)."""
    task = db.get_or_404(Task, task_id)
    if task.organisation_id != current_user.organisation_id:
        abort(404)
    return task


def qr_svg(url: str) -> str:
    """An inline SVG QR code of ``url`` (the style of the vouchers' codes)."""
    import segno

    return segno.make(url, error="m").svg_inline(scale=6, border=2, dark="#111", light="#fff", omitsize=True)


def code_context(task: Task, direction: str) -> dict:
    """What the check-in screen shows now: whether it is open, the code, its QR code and its seconds."""
    now = utcnow()
    context = {"task": task, "direction": direction, "now": now, "open": checkin.is_open(task, direction, now),
               "opens_at": checkin.opens_at(task, direction), "closes_at": checkin.closes_at(task, direction),
               "window": checkin.window_number(now), "seconds_left": checkin.seconds_left(now),
               "valid_for": checkin.seconds_left(now) + checkin.WINDOW_SECONDS}
    if context["open"]:
        code = checkin.code_for(task, direction, now)
        url = url_for("volunteer.check_in_page", task_id=task.id, direction=direction, code=code, _external=True)
        context.update(code=code, qr=qr_svg(url))
    return context


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"  # a live code is never kept by a cache or the back button
    return response


@bp.get("/tasks/<int:task_id>/check-in", defaults={"direction": "in"})
@bp.get("/tasks/<int:task_id>/check-out", defaults={"direction": "out"})
@role_required("coordinator")
def check_in_screen(task_id: int, direction: str):
    """The screen riders scan: the QR code and the 6-digit code, new every 30 seconds (htmx swaps the code
    in at the window's end; without JavaScript a refresh link and the seconds the code stays valid)."""
    task = get_organisation_task_or_404(task_id)
    return _no_store(make_response(render_template("volunteer/coordinate/check_in.html",
                                                   **code_context(task, direction))))


@bp.get("/tasks/<int:task_id>/check-in/code", defaults={"direction": "in"})
@bp.get("/tasks/<int:task_id>/check-out/code", defaults={"direction": "out"})
@role_required("coordinator")
def check_in_code(task_id: int, direction: str):
    """The code fragment the screen polls. ``window`` is the window the screen shows: 204 while it is still
    the current one (or while check-in has not opened yet); else the new fragment, with 286 (stop polling)
    once check-in closed or the task was cancelled. A plain GET goes to the screen."""
    task = get_organisation_task_or_404(task_id)
    if not request.htmx:
        return redirect(url_for("volunteer_coordinate.check_in_screen", task_id=task.id, direction=direction))
    context = code_context(task, direction)
    waiting = not context["open"] and not task.is_cancelled and context["now"] < context["opens_at"]
    if waiting or (context["open"] and request.args.get("window", type=int) == context["window"]):
        return _no_store(make_response("", 204))
    html = render_template("volunteer/coordinate/_check_in_code.html", **context)
    return _no_store(make_response(html, 200 if context["open"] else 286))
