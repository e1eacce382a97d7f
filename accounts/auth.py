"""Flask-Login wiring: how a session finds its user and where the unauthenticated go."""

from flask import redirect, request, url_for
from flask_babel import lazy_gettext as _l
from htmx_flask import make_response

from accounts.models import User
from extensions import db


def init_login(login_manager) -> None:
    """Configure ``login_manager``: user loader, log-in view and the htmx-aware redirect."""
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in first.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(session_id: str):
        """The user of a session, unless the account was deactivated or its sessions were ended since."""
        user_id, _, version = session_id.partition("-")
        if not user_id.isdigit() or not version.isdigit():
            return None
        user = db.session.get(User, int(user_id))
        if user is None or not user.active or user.session_version != int(version):
            return None
        return user

    @login_manager.unauthorized_handler
    def unauthorized():
        from flask import flash

        flash(login_manager.login_message, "info")
        next_url = request.full_path if request.method == "GET" else (request.referrer or "/")
        if request.htmx:  # an expired session must not swap a log-in form into a fragment
            current = request.htmx.current_url or "/"
            return make_response("", 200, redirect=url_for("accounts.login", next=_local_path(current)))
        return redirect(url_for("accounts.login", next=_local_path(next_url)))


def _local_path(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    path = parts.path or "/"
    return path + ("?" + parts.query if parts.query else "")
