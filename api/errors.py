"""Errors of API v1 as JSON: ``{"code": "stable_code", "message": "in the request's language"}`` (plus
``errors`` for invalid fields), for API routes only; the web pages keep their HTML error pages.

Every API blueprint calls :func:`answer_errors_as_json`; unknown paths and methods under ``/api/`` (which
no blueprint sees) are answered by :func:`routing_error`.
"""

import contextlib
import json

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import RequestRedirect

from extensions import db

API_PREFIX = "/api/"

# The stable code and the message of each HTTP error an API route may answer with.
HTTP_ERRORS = {
    400: ("bad_request", _l("The request could not be read (for example a body that is not JSON).")),
    401: ("unauthorized", _l("Send a valid API token: Authorization: Bearer <token>.")),
    403: ("forbidden", _l("This token may not use this operation.")),
    404: ("not_found", _l("There is nothing at this address.")),
    405: ("method_not_allowed", _l("This address does not accept this method.")),
    409: ("conflict", _l("This changed in the meantime.")),
    413: ("too_large", _l("The request body is too large.")),
    415: ("unsupported_media_type", _l("Send the body as JSON (Content-Type: application/json).")),
    422: ("invalid_request", _l("Some fields are missing or invalid.")),
    429: ("rate_limited", _l("Too many requests for this token: wait and try again.")),
    500: ("server_error", _l("Something went wrong on our side.")),
}
# The database is unreachable, its pool exhausted or a statement timed out (as app.DATABASE_UNAVAILABLE): 503.
DATABASE_UNAVAILABLE = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.DisconnectionError,
                        sa_exc.TimeoutError)
RETRY_AFTER_SECONDS = 30


class ApiError(Exception):
    """An API refusal: HTTP ``status``, a stable ``code`` (snake_case, never translated), a ``message`` (a
    translated string), optional ``errors`` (field → messages) and extra ``headers``."""

    def __init__(self, status: int, code: str, message, *, errors: dict | None = None,
                 headers: dict | None = None):
        super().__init__(code)
        self.status, self.code, self.message = status, code, str(message)
        self.errors, self.headers = errors, headers or {}

    def body(self) -> dict:
        """The JSON body: ``code``, ``message`` and ``errors`` when there are any."""
        body = {"code": self.code, "message": self.message}
        if self.errors:
            body["errors"] = self.errors
        return body


def json_response(body, status: int = 200, headers: dict | None = None):
    """``body`` as UTF-8 JSON (Chinese left readable), with ``status`` and ``headers``."""
    return current_app.response_class(json.dumps(body, ensure_ascii=False), status=status, headers=headers,
                                      mimetype="application/json")


def error_response(error: ApiError):
    """The JSON answer of ``error``; rolls back what the request had not committed."""
    db.session.rollback()
    return json_response(error.body(), error.status, error.headers)


def from_http_exception(error: HTTPException) -> ApiError:
    """The :class:`ApiError` of a werkzeug HTTP error (webargs' 422 keeps its field messages)."""
    status = error.code or 500
    code, message = HTTP_ERRORS.get(status, ("error", error.name))
    headers = {}
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers["Allow"] = ", ".join(sorted(error.valid_methods))
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    data = getattr(error, "data", None) or {}
    errors = data.get("messages") or data.get("errors")
    if isinstance(errors, dict) and set(errors) <= {"json", "query", "headers", "path", "view_args"} \
            and len(errors) == 1:
        errors = next(iter(errors.values()))  # {"json": {"code": [...]}} -> {"code": [...]}
    return ApiError(status, code, message, errors=errors if isinstance(errors, dict) else None, headers=headers)


def answer_errors_as_json(bp) -> None:
    """Register on ``bp`` the JSON answers of :class:`ApiError` and of every HTTP error code (per code: the
    app's own handlers of a code would otherwise win over a blueprint's handler of a class)."""
    bp.register_error_handler(ApiError, error_response)

    def http_error(error: HTTPException):
        return error_response(from_http_exception(error))

    for status in HTTP_ERRORS:
        bp.register_error_handler(status, http_error)
    bp.register_error_handler(HTTPException, http_error)
    for exception in DATABASE_UNAVAILABLE:
        bp.register_error_handler(exception, database_unavailable)
    bp.after_request(not_stored)
    bp.after_request(empty_options)


def not_stored(response):
    """API answers are about the moment (a voucher's state): no cache keeps them."""
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def empty_options(response):
    """Flask's automatic answer to ``OPTIONS`` (200, an empty body typed ``text/html``) as 204 with ``Allow``
    and no body type: an API answer is never HTML."""
    if request.method == "OPTIONS" and response.status_code == 200 and not response.get_data():
        response.status_code = 204
        del response.headers["Content-Type"]
    return response


def database_unavailable(error: Exception):
    """503 ``unavailable`` with ``Retry-After`` while the database fails (one warning line, no traceback)."""
    with contextlib.suppress(Exception):  # the connection may be gone; dropping the session is all that is left
        db.session.rollback()
    with contextlib.suppress(Exception):
        db.session.remove()
    current_app.logger.warning("Database unavailable: %s %s: %s", request.method, request.path,
                               type(getattr(error, "orig", None) or error).__name__)
    answer = ApiError(503, "unavailable", _l("The service is briefly unavailable: try again in a minute."),
                      headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    return json_response(answer.body(), 503, answer.headers)


def routing_error():
    """For a request under ``/api/`` whose path or method matches no route, the JSON 404 or 405 (the
    blueprints' handlers never see routing errors), and werkzeug's redirect of a path with doubled slashes
    (``/api/v1//till/…``) as a JSON 308 with ``Location``; ``None`` otherwise."""
    error = request.routing_exception
    if error is None or not request.path.startswith(API_PREFIX):
        return None
    if isinstance(error, RequestRedirect):
        moved = ApiError(error.code, "moved_permanently", _l("This address has moved: send the request to the "
                                                            "address in Location."),
                         headers={"Location": error.new_url, "Cache-Control": "no-store"})
        return error_response(moved)
    if isinstance(error, HTTPException):
        return error_response(from_http_exception(error))
    return None

