"""The OpenAPI 3 document of API v1, generated from the views and schemas by flask-smorest, served at
``/api/v1/openapi.json``.

flask-smorest's ``Api(app)`` fits a plain Flask app with ordinary blueprints (APIFlask needs its own
``APIFlask`` app class). Its app-wide JSON error handler is left out: only API routes answer errors in
JSON (:mod:`api.errors`), the web pages keep their HTML pages.
"""

from http import HTTPStatus

from flask_smorest import Api

from api.schemas import ErrorSchema

SECURITY = [{"bearerAuth": []}]


class NuanxinApi(Api):
    """flask-smorest's ``Api`` with our error body and without its app-wide error handler."""

    ERROR_SCHEMA = ErrorSchema
    DEFAULT_ERROR_RESPONSE_NAME = None  # every status an operation can answer is listed by itself

    def _register_error_handlers(self):
        """Nothing app-wide: the API blueprints answer their own errors (:func:`api.errors.answer_errors_as_json`)."""


# Error answers that carry Retry-After (seconds): documented with the header, so schemathesis checks it too.
WITH_RETRY_AFTER = {429: ("RATE_LIMITED", "Too many requests for this token"),
                    503: ("UNAVAILABLE", "The database is briefly unavailable")}


def refusals(bp, *statuses: int):
    """A decorator documenting the error answers ``statuses`` (each with :class:`ErrorSchema`)."""

    def decorate(view):
        for status in statuses:
            name = WITH_RETRY_AFTER[status][0] if status in WITH_RETRY_AFTER else HTTPStatus(status).name
            view = bp.alt_response(status, response=name)(view)
        return view

    return decorate


def init_app(app) -> NuanxinApi:
    """Bind the API's OpenAPI settings (``API_TITLE``… unless set) and register its blueprints."""
    from api.platform import bp as platform_bp
    from api.till import bp as till_bp

    app.config.setdefault("API_TITLE", "Nuanxin API")
    app.config.setdefault("API_VERSION", "1.0.0")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_SPEC_OPTIONS", {"info": {"description": (
        "JSON API v1 of Nuanxin for merchant tills (scope till: look up and confirm vouchers) and city "
        "platforms (scope platform: tasks, stations, report figures). Send Authorization: Bearer <token> "
        "(issued by an admin); errors are {code, message} in the language of Accept-Language.")}})
    api = NuanxinApi(app)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    for name, description in WITH_RETRY_AFTER.values():
        api.spec.components.response(name, {
            "description": description,
            "headers": {"Retry-After": {"description": "Seconds to wait before trying again", "required": True,
                                        "schema": {"type": "integer", "minimum": 1}}},
            "content": {"application/json": {"schema": ErrorSchema}}})
    api.register_blueprint(till_bp)
    api.register_blueprint(platform_bp)
    return api
