"""Pages that send and take an SMS code: the code step of registration, "forgot password" (忘记密码 on
the log-in page) and changing one's phone number. Routes of the ``accounts`` blueprint.

Each page is one plain form that works without JavaScript: its "send code" button posts the whole form
to the page's ``…/code`` URL (``formaction``), which answers the same page with everything typed kept;
with htmx only the code widget (``#phone-code``) is swapped.
"""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accounts import codes
from accounts.code_steps import CodeStep, send_code_step
from accounts.errors import PhoneTaken
from accounts.forms import PLATFORMS, ChangePhoneForm, ForgotPasswordForm, RegisterForm
from accounts.phone_services import SamePhone, WrongPassword, change_phone, reset_password
from accounts.phones import normalise_phone
from accounts.services import phone_taken
from accounts.views import bp, start_session
from core.errors import DomainError
from core.ratelimit import LOGIN_BY_PHONE
from core.timeutil import utcnow
from core.web import form_status
from extensions import csrf, db


def refuse_taken(phone: str) -> None:
    """Refuse to send a code to a number that already has an account (registration, change of phone)."""
    if phone_taken(phone):
        raise PhoneTaken()


@bp.post("/register/code")
def register_code():
    """Send a registration code to the number typed on the registration form; the page comes back as typed."""
    if current_user.is_authenticated:
        return redirect(url_for("home"))
    form = RegisterForm()
    step, status = send_code_step(form, "register", refuse=refuse_taken)
    return render_template("accounts/register.html", form=form, step=step, platforms=PLATFORMS), status


def first_log_in_asked() -> bool:
    """True when the page was opened as an imported rider's first log-in (``?first=1``): only the heading and
    the words change; the flow and its answers are those of "forgot password"."""
    return request.args.get("first") == "1"


def forgot_page(form, step: CodeStep, status: int):
    first = first_log_in_asked()
    args = {"first": "1"} if first else {}
    return render_template("accounts/forgot_password.html", form=form, step=step, first=first,
                           page_url=url_for("accounts.forgot_password", **args),
                           send_url=url_for("accounts.forgot_password_code", **args)), status


@bp.route("/password/forgot", methods=["GET", "POST"])
@csrf.exempt  # the form checks its own token, so an expired one comes back as typed (nothing happens before)
def forgot_password():
    """Number → code → new password; also an imported rider's first log-in (``?first=1``, the phone may come
    filled in from the log-in page as ``?phone=``). The same answers for numbers with and without an account.
    After a reset every session of the account ends and the log-in page opens; after a first log-in (the
    code proved an imported rider's phone) the rider is logged in and asked for consent like a new one."""
    if current_user.is_authenticated:
        return redirect(url_for("home"))
    form = ForgotPasswordForm()
    if request.method == "GET" and request.args.get("phone"):
        form.phone.data = normalise_phone(request.args["phone"][:30]) or ""
    if form.validate_on_submit():
        now = utcnow()
        try:
            user = reset_password(phone=form.phone.data, code=form.code.data, password=form.password.data, now=now)
        except codes.CodeRefused as error:
            db.session.commit()  # the try counts
            form.code.errors.append(error.message)
        else:
            first = user.imported_at is not None and user.phone_confirmed_at == now
            if first and not user.language:
                user.language = str(get_locale())
            db.session.commit()
            LOGIN_BY_PHONE.clear(form.phone.data)  # the code proved the phone: its failed log-ins no longer lock it
            if first and user.active:
                start_session(user)
                flash(_("Your mobile number is confirmed. Welcome, %(name)s!", name=user.name), "success")
                return redirect(url_for("home"), code=303)
            flash(_("Your password is changed and every device was logged out. Log in with the new password."),
                  "success")
            return redirect(url_for("accounts.login"), code=303)
    return forgot_page(form, CodeStep(), form_status())


@bp.post("/password/forgot/code")
def forgot_password_code():
    """Send a reset code if the number has an account; the answer is the same either way."""
    if current_user.is_authenticated:
        return redirect(url_for("home"))
    form = ForgotPasswordForm()
    step, status = send_code_step(form, "reset_password")
    return forgot_page(form, step, status)


def refuse_for_change(phone: str) -> None:
    if phone == current_user.phone:
        raise SamePhone()
    refuse_taken(phone)


@bp.route("/account/phone", methods=["GET", "POST"])
@login_required
def change_phone_number():
    """Change one's mobile number (the log-in name): the new number proven by a code, and the password."""
    form = ChangePhoneForm()
    if form.validate_on_submit():
        try:
            change_phone(user=current_user, phone=form.phone.data, code=form.code.data, password=form.password.data)
        except codes.CodeRefused as error:
            db.session.commit()  # the try counts
            form.code.errors.append(error.message)
        except DomainError as error:
            db.session.rollback()
            (form.password if isinstance(error, WrongPassword) else form.phone).errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Your mobile number is now %(phone)s. Log in with it from now on.", phone=current_user.phone),
                  "success")
            return redirect(url_for("home"), code=303)
    return render_template("accounts/phone.html", form=form, step=CodeStep()), form_status()


@bp.post("/account/phone/code")
@login_required
def change_phone_code():
    """Send a code to the new number typed on the change-of-number page."""
    form = ChangePhoneForm()
    step, status = send_code_step(form, "change_phone", refuse=refuse_for_change)
    return render_template("accounts/phone.html", form=form, step=step), status
