"""Log-in, registration, language switch; the account pages of coordinators and admins.

A coordinator sees the accounts of their organisation's scope (:mod:`accounts.scope`); any other
account is a 404. An admin sees every account.
"""

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import format_time, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from accounts import scope
from accounts.code_steps import CodeStep
from accounts.codes import CodeRefused
from accounts.forms import (
    PLATFORMS,
    CoordinatorAccountForm,
    LoginForm,
    RegisterForm,
    StaffAccountForm,
    organisation_choices,
)
from accounts.models import User
from accounts.phone_services import register_verified_rider
from accounts.queries import accounts_list, organisations
from accounts.services import authenticate, create_account
from accounts.services import set_active as set_account_active
from core.errors import DomainError
from core.offline import clear_site_cache
from core.ratelimit import LOGIN_BY_ADDRESS, LOGIN_BY_PHONE, REGISTRATION_BY_ADDRESS, latest
from core.web import role_required, safe_next
from extensions import csrf, db

bp = Blueprint("accounts", __name__)
coordinate_bp = Blueprint("accounts_coordinate", __name__, url_prefix="/coordinate/accounts")


def start_session(user: User) -> None:
    """Log ``user`` in on a fresh session: whatever the anonymous session held (its CSRF secret) is dropped,
    so a token obtained before log-in is refused after it."""
    session.clear()
    g.pop("csrf_token", None)
    login_user(user)


@bp.route("/login", methods=["GET", "POST"])
@csrf.exempt  # the form checks its own token, so an expired one comes back as typed (nothing happens before)
def login():
    """Log in with mobile number and password; wrong details re-show the form (422) with the number kept and a
    pointer to the first log-in of an imported rider (an SMS code, :func:`accounts.phone_views.forgot_password`),
    the same for every number. An imported account whose phone is unconfirmed has no password to log in with."""
    if current_user.is_authenticated:
        return redirect(url_for("home"))
    form = LoginForm()
    status = 422 if request.method == "POST" else 200
    if form.validate_on_submit():
        address = request.remote_addr
        blocked = latest(LOGIN_BY_PHONE.blocked_until(form.phone.data), LOGIN_BY_ADDRESS.blocked_until(address))
        if blocked is not None:
            form.password.errors.append(_("Too many failed attempts. Try again after %(time)s.",
                                          time=format_time(blocked, "HH:mm")))
            return render_template("accounts/login.html", form=form), 429
        try:
            user = authenticate(phone=form.phone.data, password=form.password.data)
        except DomainError as error:  # suspended: the right password, so not counted as a failure
            form.password.errors.append(error.message)
            return render_template("accounts/login.html", form=form), 422
        if user is not None:
            target = safe_next(url_for("home"))
            if not user.language:  # messages written while they are away use the language they log in with
                user.language = str(get_locale())
                db.session.commit()
            start_session(user)
            return redirect(target, code=303)
        LOGIN_BY_PHONE.spend(form.phone.data)
        LOGIN_BY_ADDRESS.spend(address)
        form.password.errors.append(_("Wrong mobile number or password."))
        # the same answer for every number: an imported rider who has no password yet (their first log-in)
        # is pointed to the SMS code, and so is everyone else who failed, so nothing tells the two apart
        return render_template("accounts/login.html", form=form, failed=True), status
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    """Log out: the whole session goes, its CSRF secret included."""
    logout_user()
    session.clear()
    flash(_("You have logged out."), "info")
    return clear_site_cache(redirect(url_for("accounts.login"), code=303))


@bp.route("/register", methods=["GET", "POST"])
@csrf.exempt  # the form checks its own token (see log-in)
def register():
    """Riders register themselves: mobile number proven by an SMS code, name, password, trade and platform."""
    if current_user.is_authenticated:
        return redirect(url_for("home"))
    form = RegisterForm()
    if form.validate_on_submit():
        blocked = REGISTRATION_BY_ADDRESS.blocked_until(request.remote_addr)
        if blocked is not None:
            form.phone.errors.append(_("Too many registrations from this network. Try again after %(time)s.",
                                       time=format_time(blocked, "HH:mm")))
            return render_template("accounts/register.html", form=form, step=CodeStep(), platforms=PLATFORMS), 429
        try:
            user = register_verified_rider(phone=form.phone.data, code=form.code.data, name=form.name.data,
                                           password=form.password.data, trade=form.trade.data,
                                           platform=form.platform.data,
                                           privacy_version=current_app.config["PRIVACY_VERSION"])
        except CodeRefused as error:
            db.session.commit()  # the try counts
            form.code.errors.append(error.message)
        except DomainError as error:
            db.session.rollback()
            form.phone.errors.append(error.message)
        else:
            user.language = str(get_locale())
            db.session.commit()
            REGISTRATION_BY_ADDRESS.spend(request.remote_addr)
            start_session(user)
            flash(_("Welcome, %(name)s! Find a task below and sign up.", name=user.name), "success")
            return redirect(url_for("volunteer.task_list"), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/register.html", form=form, step=CodeStep(), platforms=PLATFORMS), status


@bp.post("/language")
def set_language():
    """The language switch: remembered in a cookie for a year. Works without JavaScript.

    The form is not boosted (``hx-boost="false"``): a boosted swap keeps the old ``<html lang>``. A
    boosted request anyway (a page from an older version) is turned into a full navigation (HX-Redirect).
    A logged-in user's choice is also stored on the account: messages written while they are away (an
    SMS, a reminder) use it.
    """
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"] and current_user.is_authenticated and current_user.language != lang:
        current_user.language = lang
        db.session.commit()
    target = safe_next(url_for("home"))
    if request.headers.get("HX-Request") == "true":
        response = current_app.response_class(status=200, headers={"HX-Redirect": target})
    else:
        response = redirect(target, code=303)
    if lang in current_app.config["LANGUAGES"]:
        response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
                            secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


MANAGERS = ("coordinator", "admin")


def get_account_or_404(user_id: int) -> User:
    """The account if the current user may see it (:func:`accounts.scope.can_see`), else 404."""
    if not scope.can_see(current_user, user_id):
        abort(404)
    return db.get_or_404(User, user_id)


@coordinate_bp.get("/")
@role_required(*MANAGERS)
def account_list():
    """The accounts in the current user's scope, filterable by role, searchable by name or phone."""
    role = request.args.get("role", "")
    q = request.args.get("q", "").strip()[:50]
    users = accounts_list(viewer=current_user, role=role, q=q)
    return render_template("accounts/coordinate/accounts.html", users=users, role=role, q=q,
                           changeable=scope.changeable(current_user, users))


@coordinate_bp.route("/new", methods=["GET", "POST"])
@role_required(*MANAGERS)
def new_coordinator():
    """Create a coordinator: a coordinator of their own organisation only, an admin of any (merchant staff
    are added on a merchant's page)."""
    if current_user.is_admin:
        form = CoordinatorAccountForm()
        form.organisation.choices = organisation_choices(organisations())
    else:
        form = StaffAccountForm()
    if form.validate_on_submit():
        organisation_id = form.organisation.data if current_user.is_admin else current_user.organisation_id
        try:
            create_account(phone=form.phone.data, name=form.name.data, password=form.password.data,
                           role="coordinator", organisation_id=organisation_id, actor=current_user)
        except DomainError as error:
            db.session.rollback()
            form.phone.errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Coordinator account created."), "success")
            return redirect(url_for("accounts_coordinate.account_list", role="coordinator"), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/coordinate/account_form.html", form=form), status


@coordinate_bp.post("/<int:user_id>/active")
@role_required(*MANAGERS)
def set_active(user_id: int):
    """Deactivate (``active=0``) or reactivate (``active=1``) an account; deactivating ends its sessions and
    releases its places in tasks that have not started (:func:`accounts.services.set_active`)."""
    user = get_account_or_404(user_id)
    if request.form.get("active") not in ("0", "1"):
        abort(400)
    try:
        set_account_active(user=user, active=request.form["active"] == "1", actor=current_user)
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("%(name)s can log in again.", name=user.name) if user.active
              else _("%(name)s is deactivated and logged out everywhere; their history is kept.", name=user.name),
              "success")
    return redirect(safe_next(url_for("accounts_coordinate.account_list")), code=303)
