"""Every user's own account: the profile, password, privacy notice and consent, own data, deletion.

A rider who has not accepted the privacy notice in force (``PRIVACY_VERSION``) is sent to
``/consent`` from any page until they accept (or decline, which logs them out).
"""

import json

from flask import Blueprint, Response, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from htmx_flask import make_response

from accounts import privacy
from accounts.forms import PLATFORMS, DeleteAccountForm, PasswordChangeForm, ProfileForm
from core.errors import DomainError
from core.forms import Form
from core.offline import clear_site_cache
from core.web import form_status, safe_next
from extensions import db

bp = Blueprint("accounts_profile", __name__)

# What a rider who still has to accept the privacy notice may reach.
CONSENT_FREE_ENDPOINTS = {"static", "healthz", "accounts_profile.privacy_notice", "accounts_profile.consent",
                          "accounts.logout", "accounts.set_language",
                          "favicon", "web_manifest", "service_worker"}  # what a browser fetches by itself


@bp.before_app_request
def ask_for_consent():
    """Send a logged-in rider who has not accepted the notice in force to ``/consent`` (htmx: HX-Redirect)."""
    if request.endpoint in CONSENT_FREE_ENDPOINTS or not current_user.is_authenticated:
        return None
    if not privacy.needs_consent(current_user):
        return None
    target = url_for("accounts_profile.consent", next=request.full_path if request.method == "GET" else None)
    if request.htmx:
        return make_response("", 200, redirect=target)
    return redirect(target, code=303)


def end_session() -> None:
    """Log out and drop the whole session, its CSRF secret included."""
    logout_user()
    session.clear()


@bp.get("/privacy")
def privacy_notice():
    """The privacy notice: what is stored, why, who sees it, how long, how to delete it."""
    return render_template("accounts/profile/privacy.html", version=privacy.current_version())


@bp.route("/consent", methods=["GET", "POST"])
@login_required
def consent():
    """Ask for consent to a new version of the privacy notice: accept continues, decline logs out."""
    form = Form()
    decision = request.form.get("decision")
    if form.validate_on_submit() and decision in ("accept", "decline"):
        if decision == "accept":
            privacy.accept_privacy(user=current_user, actor=current_user)
            db.session.commit()
            return redirect(safe_next(url_for("home")), code=303)
        end_session()
        flash(_("You have logged out. You can use the programme again once you accept the privacy notice."), "info")
        return clear_site_cache(redirect(url_for("accounts.login"), code=303))
    return render_template("accounts/profile/consent.html", form=form, version=privacy.current_version()), \
        form_status()


def _profile_page(profile_form=None, password_form=None, status=200):
    profile_form = profile_form or ProfileForm(obj=current_user, formdata=None)
    password_form = password_form or PasswordChangeForm(formdata=None, prefix="pw")
    return render_template("accounts/profile/profile.html", form=profile_form, password_form=password_form,
                           platforms=PLATFORMS), status


@bp.route("/account", methods=["GET", "POST"])
@login_required
def profile():
    """The profile: change name (a rider also trade, platform and birth month), with links to the other account
    actions."""
    form = ProfileForm()
    if form.validate_on_submit():
        privacy.update_profile(user=current_user, name=form.name.data, trade=form.trade.data,
                               platform=form.platform.data, birth_month=form.birth_month.data)
        db.session.commit()
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("accounts_profile.profile"), code=303)
    if request.method == "GET":
        return _profile_page()
    return _profile_page(profile_form=form, status=422)


@bp.post("/account/password")
@login_required
def change_password():
    """Change the password (the current one required); other sessions end, this one continues."""
    form = PasswordChangeForm(prefix="pw")
    if form.validate_on_submit():
        try:
            # The user itself, not the current_user proxy: login_user() stores what it gets, and a proxy to
            # itself would recurse on the next look at current_user (the language of the flash message).
            user = privacy.change_password(user=current_user._get_current_object(), current=form.current.data,
                                           new=form.password.data)
        except DomainError as error:
            db.session.rollback()
            form.current.errors.append(error.message)
        else:
            db.session.commit()
            login_user(user)  # the session id carries the new session_version
            flash(_("Your password is changed; other devices are logged out."), "success")
            return redirect(url_for("accounts_profile.profile"), code=303)
    return _profile_page(password_form=form, status=422)


@bp.get("/account/data.json")
@login_required
def download_data():
    """The user's own data as a JSON download."""
    body = json.dumps(privacy.export_data(current_user), ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": "attachment; filename=nuanxin-my-data.json",
                             "Cache-Control": "no-store"})


@bp.post("/account/logout-everywhere")
@login_required
def logout_everywhere():
    """End every session of the account, this one included."""
    privacy.end_all_sessions(user=current_user)
    db.session.commit()
    end_session()
    flash(_("You are logged out on every device."), "info")
    return clear_site_cache(redirect(url_for("accounts.login"), code=303))


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
def delete_account():
    """Delete one's account after typing the password: personal data erased, history kept."""
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            privacy.delete_account(user=current_user, password=form.password.data)
        except DomainError as error:
            db.session.rollback()
            form.password.errors.append(error.message)
        else:
            db.session.commit()
            end_session()
            flash(_("Your account is deleted. Thank you for your work."), "info")
            return clear_site_cache(redirect(url_for("accounts.login"), code=303))
    return render_template("accounts/profile/delete.html", form=form), form_status()
