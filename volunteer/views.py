"""Riders' pages: upcoming tasks, a task, signing up and cancelling, accepting or declining a held place,
checking in and out, my tasks."""

import secrets

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from accounts.queries import organisations
from core.errors import DomainError
from core.geo import distance_m
from core.ratelimit import WRONG_CHECKIN_CODES
from core.timeutil import localtime, utcnow
from core.web import refusal, role_required, wants_fragment, widget_or_redirect
from extensions import db
from volunteer import checkin, eligibility, holds, queries, services
from volunteer.errors import TooManyWrongCodes, WrongCheckInCode
from volunteer.listing import TaskFilters
from volunteer.models import CATEGORY_LABELS, Signup, Task

bp = Blueprint("volunteer", __name__)
SCAN_COOKIE = "check_scan"  # the browser's key in a proof of a logged-out scan (a forwarded link fails)
TASKS_PER_PAGE = 20  # a phone screen's worth of cards keeps the page small on patchy mobile data


def my_signups(task_ids) -> dict[int, Signup]:
    """The current rider's sign-ups for these tasks, by task id (empty for anyone else)."""
    if not current_user.is_authenticated or not current_user.is_rider:
        return {}
    return queries.signups_by_task(rider_id=current_user.id, task_ids=task_ids)


@bp.app_template_global("activity_rules")
def activity_rules(task: Task) -> list:
    """Who an activity is for, one translated line per rule (empty for volunteer work and open activities)."""
    return eligibility.rule_texts(task)


@bp.app_template_global("unmet_rules")
def unmet_rules(task: Task) -> list:
    """The rules of ``task`` the logged-in rider does not match (empty for anyone else)."""
    if not current_user.is_authenticated or not current_user.is_rider:
        return []
    return eligibility.unmet_rules(task, current_user)


@bp.get("/tasks")
def task_list():
    """Upcoming open tasks, soonest first (or nearest first with ``near=1``), filtered (see volunteer.listing):
    volunteer work, or with ``kind=activity`` the activities — for a rider only those open to them."""
    filters = TaskFilters.from_args(request.args)
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), 1000)
    now = utcnow()
    rider = current_user if current_user.is_authenticated and current_user.is_rider else None
    found = queries.upcoming_tasks(now=now, offset=(page - 1) * TASKS_PER_PAGE, limit=TASKS_PER_PAGE + 1,
                                   open_to=eligibility.open_to(rider, now=now) if rider else None,
                                   **filters.search())
    tasks = found[:TASKS_PER_PAGE]
    context = {"tasks": tasks, "signups": my_signups(t.id for t in tasks), "filters": filters,
               "distances": distances_from(filters.position, tasks) if filters.near else {},
               "page": page, "has_more": len(found) > TASKS_PER_PAGE}
    if wants_fragment() and request.htmx.target == "task-rows":
        response = make_response(render_template("volunteer/_task_rows.html", **context))
    else:
        response = make_response(render_template("volunteer/task_list.html", organisations=organisations(),
                                                 categories=CATEGORY_LABELS, **context))
    response.vary.add("HX-Request")
    return response


def distances_from(position: tuple[float, float] | None, tasks) -> dict[int, float]:
    """Metres from ``position`` to each task that has coordinates, by task id (empty without a position)."""
    if position is None:
        return {}
    return {task.id: distance_m(*position, task.latitude, task.longitude) for task in tasks
            if task.latitude is not None and task.longitude is not None}


def position_of(signup: Signup | None) -> int | None:
    """The rider's place in the waitlist (1-based), or ``None`` when not waitlisted."""
    return queries.waitlist_position(signup) if signup is not None and signup.status == "waitlisted" else None


def refresh_holds(**where) -> None:
    """Lazy expiry before a page shows holds: lapse the ended ones (the places go to the next riders)."""
    if holds.refresh_holds(**where):
        db.session.commit()


def widget_context(task: Task, signup: Signup | None, **extra) -> dict:
    """What the sign-up widget shows: the task, the rider's sign-up, the clock, the waitlist position and
    the check-in windows (``kept``: what the rider typed in a refused check-in form)."""
    now = utcnow()
    return {"task": task, "signup": signup, "now": now, "position": position_of(signup),
            "windows": checkin.windows(task, now), "kept": {}, **extra}


@bp.get("/tasks/<int:task_id>")
def task_detail(task_id: int):
    task = db.get_or_404(Task, task_id)
    refresh_holds(task_ids=[task.id])
    signup = my_signups([task.id]).get(task.id)
    return render_template("volunteer/task_detail.html", **widget_context(task, signup))


def _signup_widget(task: Task, signup: Signup | None, *, message=None, category="success", status=200):
    next_url = url_for("volunteer.task_detail", task_id=task.id)
    return widget_or_redirect("volunteer/_signup.html", next_url, message=message, category=category,
                              status=status, **widget_context(task, signup))


def _refusal(task_id: int, error: DomainError):
    """The sign-up widget (htmx) or the task page (plain form) with the refusal, after a rollback; an ended
    hold has lapsed by then, so the page shows the current state."""
    db.session.rollback()
    task = db.get_or_404(Task, task_id)
    refresh_holds(task_ids=[task.id])
    db.session.refresh(task)
    signup = my_signups([task.id]).get(task.id)
    if wants_fragment():
        return refusal(error, "volunteer/_signup.html", url_for("volunteer.task_detail", task_id=task.id),
                       **widget_context(task, signup))
    return render_template("volunteer/task_detail.html", error=error.message,
                           **widget_context(task, signup)), error.status


@bp.post("/tasks/<int:task_id>/signup")
@role_required("rider")
def sign_up(task_id: int):
    """Sign up (or, with ``waitlist=1``, join the waitlist); the widget shows the result in place."""
    task = db.get_or_404(Task, task_id)
    try:
        signup = services.sign_up(task=task, rider=current_user, join_waitlist=request.form.get("waitlist") == "1")
    except DomainError as error:
        return _refusal(task_id, error)
    db.session.commit()
    if signup.status == "offered":  # a tap from a page older than the offer: the widget shows the hold
        message = None
    else:
        message = (_("You are signed up. See you there!") if signup.status == "confirmed"
                   else _("You are on the waitlist, number %(n)d.", n=queries.waitlist_position(signup)))
    return _signup_widget(task, signup, message=message)


@bp.post("/tasks/<int:task_id>/cancel")
@role_required("rider")
def cancel_signup(task_id: int):
    """Cancel my sign-up; a freed place goes to the first on the waitlist."""
    task = db.get_or_404(Task, task_id)
    signup = my_signups([task.id]).get(task.id)
    if signup is None:
        abort(404)
    try:
        signup = services.cancel_signup(signup=signup, rider=current_user)
    except DomainError as error:
        return _refusal(task_id, error)
    db.session.commit()
    return _signup_widget(task, signup, message=_("Your sign-up is cancelled."))


def _my_signup_or_404(task: Task) -> Signup:
    signup = my_signups([task.id]).get(task.id)
    if signup is None:
        abort(404)
    return signup


def _answer_offer(task_id: int, answer, message: str):
    """Accept or decline (``answer``: the service) the place held for me; the widget shows the result in place."""
    task = db.get_or_404(Task, task_id)
    try:
        signup = answer(signup=_my_signup_or_404(task), rider=current_user)
    except DomainError as error:
        return _refusal(task_id, error)
    db.session.commit()
    return _signup_widget(task, signup, message=message)


@bp.post("/tasks/<int:task_id>/accept")
@role_required("rider")
def accept_offer(task_id: int):
    """Take the place held for me (while the hold lasts)."""
    return _answer_offer(task_id, services.accept_offer, _("The place is yours. See you there!"))


@bp.post("/tasks/<int:task_id>/decline")
@role_required("rider")
def decline_offer(task_id: int):
    """Say no to the place held for me: I leave the task and the place goes to the next rider."""
    return _answer_offer(task_id, services.decline_offer, _("You declined the place. It goes to the next rider."))


@bp.get("/my/tasks")
@role_required("rider")
def my_tasks():
    """The rider's sign-ups: upcoming first, then past; cancelled tasks are flagged, held places can be
    accepted or declined here."""
    refresh_holds(rider_id=current_user.id)
    signups = queries.signups_of_rider(current_user.id)
    now = utcnow()
    upcoming = sorted((s for s in signups if s.task.ends_at > now), key=lambda s: s.task.starts_at)
    past = [s for s in signups if s.task.ends_at <= now]
    return render_template("volunteer/my_tasks.html", upcoming=upcoming, past=past, now=now)


# ---------------------------------------------------------------------------------------------------------
# check-in and check-out (volunteer/checkin.py)
# ---------------------------------------------------------------------------------------------------------

def _check_in_page(task: Task, direction: str, *, code: str = "", proof: str = "", error: str | None = None,
                   status: int = 200):
    """The page a scanned code opens: the task and one big button (a POST) to check in or out."""
    signup = my_signups([task.id]).get(task.id)
    response = make_response(render_template(
        "volunteer/check_in.html", direction=direction, code=code, proof=proof, error=error,
        **widget_context(task, signup)), status)
    response.headers["Cache-Control"] = "no-store"  # the page holds a live code
    return response


def _too_many(identifier) -> TooManyWrongCodes | None:
    blocked = WRONG_CHECKIN_CODES.blocked_until(identifier)
    return TooManyWrongCodes(localtime(blocked, "time")) if blocked is not None else None


@bp.get("/tasks/<int:task_id>/check-in", defaults={"direction": "in"})
@bp.get("/tasks/<int:task_id>/check-out", defaults={"direction": "out"})
def check_in_page(task_id: int, direction: str):
    """What the QR code opens (``?code=123456``), or where the log-in leads back (``?proof=…``).

    Never changes anything. A logged-in rider gets the confirmation page with one button; a valid code
    becomes a proof of the scan there (as below), so a slow tap is not refused as a wrong code. Without a session
    the code is checked now: a valid one is carried through the log-in as a signed proof of the scan (in the
    ``next`` URL; honoured for 10 minutes, only in this browser: its key is in a cookie), a wrong one is
    refused here (422) and counts against the address.
    """
    task = db.get_or_404(Task, task_id)
    code = request.args.get("code", "")[:20]
    if current_user.is_authenticated:
        if not current_user.is_rider:
            abort(403)
        proof = request.args.get("proof", "")[:300]
        if proof:
            try:
                checkin.read_proof(proof, task, direction, device=request.cookies.get(SCAN_COOKIE, ""))
            except DomainError as error:  # too old or broken: say so, and offer the code field instead
                return _check_in_page(task, direction, error=error.message)
        elif code and checkin.is_open(task, direction) and not _too_many(current_user.id):
            if checkin.code_is_valid(task, direction, code):
                device = secrets.token_urlsafe(16)  # the scan counts now, however long the tap takes
                proof = checkin.make_proof(task, direction, utcnow(), device=device)
                return _with_scan_key(_check_in_page(task, direction, proof=proof), device)
            WRONG_CHECKIN_CODES.spend(current_user.id)  # guessing codes here counts as on the form
        return _check_in_page(task, direction, code=code, proof=proof)
    address = f"address:{request.remote_addr}"
    now = utcnow()
    try:
        if blocked := _too_many(address):
            raise blocked
        checkin.check_open(task, direction, now)
        if not checkin.code_is_valid(task, direction, code, now):
            WRONG_CHECKIN_CODES.spend(address)
            raise WrongCheckInCode()
    except DomainError as error:
        return _check_in_page(task, direction, code=code, error=error.message, status=error.status)
    device = secrets.token_urlsafe(16)
    proof = checkin.make_proof(task, direction, now, device=device)
    flash(_("Log in to finish checking in. Your scan counts for 10 minutes.") if direction == "in"
          else _("Log in to finish checking out. Your scan counts for 10 minutes."), "info")
    next_url = url_for("volunteer.check_in_page", task_id=task.id, direction=direction, proof=proof)
    return _with_scan_key(redirect(url_for("accounts.login", next=next_url), code=303), device)


def _with_scan_key(response, device: str):
    """``response`` keeping this browser's key of a scan's proof for as long as the proof is honoured."""
    response.set_cookie(SCAN_COOKIE, device, max_age=int(checkin.PROOF_MAX_AGE.total_seconds()), httponly=True,
                        samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


def _coordinate(name: str, low: float, high: float) -> float | None:
    """A latitude or longitude the page's location script filled in (degrees), or ``None``."""
    try:
        value = float(request.form.get(name, ""))
    except ValueError:
        return None
    return value if low <= value <= high else None


@bp.post("/tasks/<int:task_id>/check-in", defaults={"direction": "in"})
@bp.post("/tasks/<int:task_id>/check-out", defaults={"direction": "out"})
@role_required("rider")
def check_in(task_id: int, direction: str):
    """Check in (or out) with the typed ``code`` or the ``proof`` of a scan before log-in; the sign-up
    widget shows the result (htmx), else a flash on the task page. Wrong codes count against the rider."""
    task = db.get_or_404(Task, task_id)
    code, proof = request.form.get("code", "")[:20], request.form.get("proof", "")[:300]
    try:
        if blocked := _too_many(current_user.id):
            raise blocked
        scanned_at = (checkin.read_proof(proof, task, direction, device=request.cookies.get(SCAN_COOKIE, ""))
                      if proof else None)
        signup = checkin.check_in(task=task, rider=current_user, direction=direction, code=code,
                                  scanned_at=scanned_at, latitude=_coordinate("latitude", -90, 90),
                                  longitude=_coordinate("longitude", -180, 180))
    except DomainError as error:
        if isinstance(error, WrongCheckInCode):
            WRONG_CHECKIN_CODES.spend(current_user.id)
        db.session.rollback()
        task = db.get_or_404(Task, task_id)
        if wants_fragment():
            signup = my_signups([task.id]).get(task.id)
            return refusal(error, "volunteer/_signup.html", url_for("volunteer.task_detail", task_id=task.id),
                           **widget_context(task, signup, kept={"direction": direction, "code": code}))
        return _check_in_page(task, direction, code=code, proof=proof, error=error.message, status=error.status)
    db.session.commit()
    if direction == "in":
        message = _("Checked in at %(time)s. Your attendance is verified.",
                    time=localtime(signup.checked_in_at, "time"))
    else:
        message = ngettext("Checked out at %(time)s: %(num)d minute verified.",
                           "Checked out at %(time)s: %(num)d minutes verified.", signup.verified_minutes,
                           time=localtime(signup.checked_out_at, "time"))
    return _signup_widget(task, signup, message=message)
