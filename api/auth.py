"""Who is calling the API: a bearer token in ``Authorization``, never a session cookie.

:func:`require_token` runs before every view of a token blueprint: it reads and checks the token (401),
counts the request against the token's budget (429 with ``Retry-After``), checks the scope (403) and, for a
till, that the staff account it acts as still works for its merchant (403). :func:`no_session` runs before
everything else on ``/api/`` paths: the request's session is replaced by Flask's null session (a session
cookie is ignored, and no ``Set-Cookie`` is ever sent back) and the user is anonymous.
"""

import math
from datetime import datetime

from flask import current_app, g, request
from flask.globals import request_ctx
from flask_babel import lazy_gettext as _l

from api.errors import API_PREFIX, ApiError, routing_error
from api.models import TILL, ApiToken
from api.tokens import till_staff, verify_token
from core.ratelimit import Budget
from core.timeutil import utcnow
from extensions import db, login_manager

REQUESTS_BY_TOKEN = Budget("api-token", "API_REQUESTS_PER_TOKEN")
CONFIRMS_BY_TOKEN = Budget("api-confirm", "API_CONFIRMS_PER_TOKEN")


def no_session():
    """Before any other request hook on ``/api/`` paths: a null session (no cookie read, none written), an
    anonymous user, and the JSON answer of a path or method that matches no API route."""
    if not request.path.startswith(API_PREFIX):
        return None
    request_ctx._session = current_app.session_interface.make_null_session(current_app)  # Flask 3.1: no setter
    login_manager._update_request_context_with_user()  # anonymous, without asking the session or a cookie
    return routing_error()


def install(state) -> None:
    """Put :func:`no_session` first among the app's request hooks (``Blueprint.record_once``)."""
    hooks = state.app.before_request_funcs.setdefault(None, [])
    if no_session not in hooks:
        hooks.insert(0, no_session)


def bearer_secret() -> str | None:
    """The token sent as ``Authorization: Bearer <token>``, else ``None``."""
    scheme, _, secret = (request.headers.get("Authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()


def too_many(until: datetime) -> ApiError:
    """The 429 refusal with ``Retry-After`` (whole seconds until ``until``, at least 1)."""
    seconds = max(1, math.ceil((until - utcnow()).total_seconds()))
    return ApiError(429, "rate_limited", _l("Too many requests for this token: try again in %(seconds)d s.",
                                            seconds=seconds), headers={"Retry-After": str(seconds)})


def spend(budget: Budget, token: ApiToken) -> None:
    """Count one request of ``token`` against ``budget``; raises the 429 :class:`ApiError` when it is used up."""
    blocked = budget.blocked_until(str(token.id))
    if blocked is not None:
        raise too_many(blocked)
    budget.spend(str(token.id))


def require_token(scope: str) -> ApiToken:
    """The checked token of this request (also in ``g.api_token``), for a view of ``scope``.

    Raises :class:`ApiError`: 401 ``token_missing``/``token_invalid`` (none, unknown or revoked), 429
    ``rate_limited``, 403 ``wrong_scope`` (a platform token on a till route or the reverse), 403
    ``till_account_inactive`` (the till's staff account was deactivated or left its merchant).
    """
    secret = bearer_secret()
    if secret is None:
        raise ApiError(401, "token_missing", _l("Send an API token: Authorization: Bearer <token>."),
                       headers={"WWW-Authenticate": "Bearer"})
    token = verify_token(secret)
    db.session.commit()  # the last use, if it was recorded
    if token is None:
        raise ApiError(401, "token_invalid", _l("This API token is unknown or was revoked."),
                       headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    spend(REQUESTS_BY_TOKEN, token)
    if token.scope != scope:
        raise ApiError(403, "wrong_scope", _l("This token is for %(scope)s and may not use this operation.",
                                              scope=token.scope_label))
    if scope == TILL:
        found = till_staff(token.staff_id)
        if found is None or found[1].id != token.merchant_id:
            raise ApiError(403, "till_account_inactive",
                           _l("The staff account this till token acts as no longer works for the restaurant. "
                              "Ask the programme for a new token."))
    g.api_token = token
    return token
