"""Request-layer helpers shared by every blueprint: DOM ids, htmx-or-redirect responses, roles."""

from functools import wraps
from urllib.parse import urlsplit

from flask import abort, flash, redirect, render_template, request
from flask_login import current_user
from htmx_flask import make_response

from core.forms import clean_text
from extensions import login_manager


def dom_id(obj, suffix: str | None = None) -> str:
    """Return the stable DOM id of a model instance's widget, e.g. ``task-12-signup``."""
    name = type(obj).__name__.lower()
    base = f"{name}-{obj.id}"
    return f"{base}-{suffix}" if suffix else base


def wants_fragment() -> bool:
    """True when the request is an htmx request aimed at one widget (not boosted, not a history restore)."""
    hx = request.htmx
    return bool(hx) and not hx.boosted and not hx.history_restore_request


def safe_next(default: str) -> str:
    """Return the form's or query's ``next`` URL when it is a local path, else ``default``."""
    target = request.form.get("next") or request.args.get("next") or ""
    if "\\" in target or any(ord(char) < 0x20 or ord(char) == 0x7F for char in target):
        return default  # browsers read "/\\host" and "/<tab>/host" as "//host": another site
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc and not parts.scheme:
        return target
    return default


def widget_or_redirect(template: str, default_next: str, *, message: str | None = None,
                       category: str = "success", trigger: str | None = None, status: int = 200,
                       **context):
    """Answer a state change: the widget partial for htmx, else a flash message and a 303 redirect.

    ``template`` is the partial (one root element) that the htmx request swaps; ``trigger`` names an
    event sent in ``HX-Trigger`` so other parts of the page (the balance) refresh themselves.
    """
    if wants_fragment():
        html = render_template(template, message=message, message_category=category, **context)
        return make_response(html, status, trigger=trigger)
    if message:
        flash(message, category)
    return redirect(safe_next(default_next), code=303)


def role_required(*roles: str):
    """Decorate a view so only logged-in users with one of ``roles`` reach it; others get 403.

    Anonymous users are sent to log in by Flask-Login's unauthorized handler.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def form_status() -> int:
    """The status of a page that shows a form: 422 when a POST was refused, 200 on GET."""
    return 422 if request.method == "POST" else 200


def refusal(error, template: str, default_next: str, **context):
    """Answer a refused state change (a :class:`core.errors.DomainError`) in one place.

    htmx gets the widget ``template`` in its blocked state with the error's message and status
    (409/422, which the htmx config swaps); a plain form gets the message flashed and a 303 back.
    The caller has rolled the transaction back and reloaded what the widget shows.
    """
    return widget_or_redirect(template, default_next, message=error.message, category="error",
                              status=error.status, **context)


def form_text(name: str, max_length: int | None = None) -> str:
    """The typed text of form field ``name`` of a POST without a form class: surrounding space stripped,
    control characters (NUL and friends, which PostgreSQL cannot store) dropped, cut at ``max_length``
    characters when given; ``""`` when absent. Raises nothing."""
    value = clean_text(request.form.get(name, ""))
    return value[:max_length] if max_length is not None else value
