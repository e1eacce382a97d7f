"""The application factory: ``flask --app app run``.

The only place that binds extensions, registers blueprints, CLI commands and error handlers.
"""

import contextlib
import os

from flask import Flask, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from htmx_flask import make_response
from sqlalchemy import exc as sa_exc
from sqlalchemy import text
from werkzeug.routing import IntegerConverter

import core.db  # SQLite connection settings (registers an event listener)
import core.logs
import core.offline
import core.ratelimit
import core.responses
import core.sessions
import core.static_files
import core.storage
import notifications.outbox
from config import DEV_SECRET_KEY, Config
from core.errors import DomainError
from extensions import babel, compress, csrf, db, htmx, login_manager, migrate, talisman

# Scripts, styles and images only from our own origin: no inline scripts (htmx is configured so it
# needs none), no eval, no framing.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": ["'self'", "data:"],
    "connect-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'none'",
    "object-src": "'none'",
    "worker-src": "'self'",  # the service worker, /sw.js (core/offline.py)
    "manifest-src": "'self'",
}


def content_security_policy(config) -> dict:
    """:data:`CONTENT_SECURITY_POLICY`, plus the map's tile host(s) in ``img-src`` when a tile provider is
    configured (``MAP_TILE_URL``; every ``{s}`` subdomain spelled out), and nothing more otherwise.

    Raises ``ValueError`` for an unusable ``MAP_TILE_*`` setting (see ``stations.map_tiles``)."""
    from stations.map_tiles import tile_settings

    policy = dict(CONTENT_SECURITY_POLICY)
    tiles = tile_settings(config)
    if tiles is not None:
        policy["img-src"] = [*CONTENT_SECURITY_POLICY["img-src"], *tiles.hosts]
    return policy


def create_app(overrides: dict | None = None) -> Flask:
    """Build the app from :class:`config.Config` and ``overrides``.

    Raises ``RuntimeError`` in production (``NUANXIN_ENV=production``) with a missing or default
    ``SECRET_KEY``, and for unreadable ``NOTIFY_QUIET_HOURS``.
    """
    app = Flask(__name__, instance_relative_config=True)
    app.url_map.converters["int"] = BoundedIntConverter
    app.config.from_object(Config)
    app.config.update(overrides or {})
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        os.makedirs(app.instance_path, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(app.instance_path, "nuanxin.db")
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**app.config["SQLALCHEMY_ENGINE_OPTIONS"],
                                                    "connect_args": {"timeout": 15}}
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**app.config["SQLALCHEMY_ENGINE_OPTIONS"],
                                                    "connect_args": postgresql_connect_args(app.config)}
    if app.config["ENV_NAME"] == "production" and app.config["SECRET_KEY"] in ("", DEV_SECRET_KEY):
        raise RuntimeError("Set SECRET_KEY to a long random value before running in production.")
    try:  # read by `flask notify send` every minute: a typo there would stop every text message
        notifications.outbox.quiet_hours(app.config["NOTIFY_QUIET_HOURS"])
    except ValueError:
        setting = app.config["NOTIFY_QUIET_HOURS"]
        raise RuntimeError(f"NOTIFY_QUIET_HOURS must look like 22:00-07:00, not {setting!r}.") from None
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["TIMEZONE"]

    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)

    core.static_files.init_app(app)  # WhiteNoise: versioned, compressed, cached for a year
    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    core.ratelimit.init_app(app)  # abuse limits: no blanket limits, the views count failures
    talisman.init_app(
        app, force_https=False, content_security_policy=content_security_policy(app.config), frame_options="DENY",
        referrer_policy="same-origin", session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        strict_transport_security=True, strict_transport_security_max_age=31536000,
        permissions_policy={"camera": "(self)", "geolocation": "(self)", "microphone": "()"},
    )
    csrf.init_app(app)
    compress.init_app(app)  # pages: br or gzip, with Vary: Accept-Encoding
    htmx.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)

    import accounts.import_views
    import accounts.phone_views  # noqa: F401 - adds the SMS-code pages to the accounts blueprint
    import passes.entry_views  # noqa: F401 - adds the entries' figures to the passes_staff blueprint
    import recognition.levels  # noqa: F401 - listens for changed service to record level changes
    import reports.photos  # noqa: F401 - adds the authorised photo route to the reports blueprint
    import rewards.correction_views  # adds undo and cancel routes to the rewards blueprints
    import rewards.hours_views  # adds a merchant's opening-hours pages to rewards_coordinate
    import rewards.pause_views  # adds the pause and resume buttons to the merchant blueprint
    import rewards.place_views  # adds the restaurant page to the rewards blueprint
    import rewards.places  # registers restaurants with core.places ("near me")
    import rewards.reminders
    import rewards.settlement_views  # noqa: F401 - adds statements to rewards_coordinate and rewards_merchant
    import stations.map_views  # adds the map (licensed tiles only) to the stations blueprint
    import stations.places  # registers stations with core.places ("near me")
    import stations.transfer_views  # noqa: F401 - adds import and export to the stations_coordinate blueprint
    import volunteer.import_views
    import volunteer.reminders  # noqa: F401 - registers "task starts soon" with flask notify remind
    from accounts import auth
    from accounts.admin import bp as accounts_admin_bp
    from accounts.cli import accounts_cli
    from accounts.models import ORGANISATION_KIND_LABELS, ROLE_LABELS, TRADE_LABELS
    from accounts.profile import bp as accounts_profile_bp
    from accounts.views import bp as accounts_bp
    from accounts.views import coordinate_bp as accounts_coordinate_bp
    from api.admin import bp as api_admin_bp
    from api.cli import api_cli
    from api.spec import init_app as init_api
    from core import templating
    from demo.cli import demo_cli
    from notifications import receivers as notification_receivers
    from notifications.admin import bp as notifications_admin_bp
    from notifications.cli import notify_cli
    from notifications.views import bp as notifications_bp
    from notifications.views import header_unread
    from oversight.audit_trail import bp as oversight_bp
    from oversight.books import points_cli
    from oversight.dashboard import bp as dashboard_bp
    from passes.coordinate import bp as passes_coordinate_bp
    from passes.staff import bp as passes_staff_bp
    from passes.views import bp as passes_bp
    from points.coordinate import bp as points_coordinate_bp
    from points.views import bp as points_bp
    from points.views import header_balance
    from recognition.admin import bp as recognition_admin_bp
    from recognition.certificates import bp as certificates_bp
    from recognition.cli import recognition_cli
    from recognition.coordinate import bp as recognition_coordinate_bp
    from recognition.views import bp as recognition_bp
    from reports.admin import bp as reports_admin_bp
    from reports.coordinate import bp as reports_coordinate_bp
    from reports.department import bp as reports_department_bp
    from reports.open311 import bp as open311_bp
    from reports.views import bp as reports_bp
    from rewards.cli import vouchers_cli
    from rewards.coordinate import bp as rewards_coordinate_bp
    from rewards.merchant import bp as rewards_merchant_bp
    from rewards.views import bp as rewards_bp
    from stations.coordinate import bp as stations_coordinate_bp
    from stations.views import bp as stations_bp
    from volunteer.cli import signups_cli
    from volunteer.coordinate import bp as volunteer_coordinate_bp
    from volunteer.views import bp as volunteer_bp

    auth.init_login(login_manager)
    notification_receivers.init_app(app)  # notifications listen to accounts' and points' events
    for blueprint in (accounts_bp, accounts_coordinate_bp, accounts_admin_bp, accounts_profile_bp, points_bp,
                      points_coordinate_bp, volunteer_bp, volunteer_coordinate_bp, rewards_bp, rewards_coordinate_bp,
                      rewards_merchant_bp, oversight_bp, notifications_bp, notifications_admin_bp, stations_bp,
                      stations_coordinate_bp, reports_bp, reports_coordinate_bp, reports_department_bp,
                      reports_admin_bp, open311_bp, recognition_bp, recognition_coordinate_bp, certificates_bp,
                      recognition_admin_bp, dashboard_bp, passes_bp, passes_staff_bp, passes_coordinate_bp):
        app.register_blueprint(blueprint)
    init_api(app)  # JSON API v1 (its blueprints and /api/v1/openapi.json): tokens, never cookies
    app.register_blueprint(api_admin_bp)
    for command in (api_cli, accounts_cli, vouchers_cli, demo_cli, points_cli, notify_cli, signups_cli,
                    recognition_cli):
        app.cli.add_command(command)
    templating.init_app(app)
    app.jinja_env.globals.update(ROLE_LABELS=ROLE_LABELS, TRADE_LABELS=TRADE_LABELS, header_balance=header_balance,
                                 ORGANISATION_KIND_LABELS=ORGANISATION_KIND_LABELS, header_unread=header_unread)
    register_error_handlers(app)
    core.responses.init_app(app)  # Vary: HX-Request, no-store for htmx, favicon, web manifest
    core.offline.init_app(app, voucher_page="rewards.voucher_detail", card="rewards.voucher_card",
                          status="rewards.voucher_status", login="accounts.login", haitang_page="passes.my_pass",
                          session_changes=("accounts.logout", "accounts.login", "accounts.register",
                                           "accounts.forgot_password", "accounts_profile.logout_everywhere",
                                           "accounts_profile.delete_account", "accounts_profile.consent"))
    core.sessions.init_app(app, quiet_endpoints=("service_worker", "favicon", "web_manifest"))  # see its docstring
    core.logs.install(app.logger)
    if app.config["ENV_NAME"] == "production":
        @app.before_request
        def no_debugger_in_production():
            if app.debug:  # `flask run --debug` would expose the interactive debugger
                return "Refusing to serve: debug mode is on in production.", 503
            return None

    @app.get("/")
    def home():
        """Send each user to where their work starts."""
        if not current_user.is_authenticated:
            return redirect(url_for("volunteer.task_list"))
        return redirect(url_for(HOME_OF_ROLE.get(current_user.role, "volunteer.task_list")))

    @app.get("/healthz")
    def healthz():
        """200 when the database answers, 503 otherwise; ``limits`` says where abuse limits count.

        ``{"status": "ok", "limits": "ok"}``; ``"limits": "degraded"`` (still 200) while their shared
        storage (Redis) fails and each process counts on its own; ``"off"`` when switched off.
        """
        try:
            db.session.execute(text("SELECT 1"))
        except Exception:  # noqa: BLE001 - any failure means unhealthy
            discard_session()
            return {"status": "database unavailable"}, 503
        return {"status": "ok", "limits": core.ratelimit.health()}

    return app


HOME_OF_ROLE = {"coordinator": "volunteer_coordinate.task_list", "admin": "accounts_admin.organisation_list",
                "merchant": "rewards_merchant.home", "department": "reports_department.queue",
                "building": "passes_staff.check"}
PUBLIC_POST_ENDPOINTS = {"accounts.login", "accounts.register", "accounts.register_code", "accounts.forgot_password",
                         "accounts.forgot_password_code", "accounts.set_language", None}


def postgresql_connect_args(config) -> dict:
    """Per-connection limits: ``statement_timeout``, ``lock_timeout`` (ms) and the connect timeout (s).

    A statement or lock wait past its limit raises QueryCanceled/LockNotAvailable: the 503 page below.
    """
    options = (f"-c statement_timeout={int(config['DB_STATEMENT_TIMEOUT_MS'])} "
               f"-c lock_timeout={int(config['DB_LOCK_TIMEOUT_MS'])}")
    return {**config["SQLALCHEMY_ENGINE_OPTIONS"].get("connect_args", {}), "options": options,
            "connect_timeout": int(config["DB_CONNECT_TIMEOUT_S"])}


class BoundedIntConverter(IntegerConverter):
    """``<int:…>`` in URLs, but an id too large for a database integer is a 404, not an overflow."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def select_locale() -> str:
    """The language: the switch's cookie if set, else the logged-in user's stored language, else the
    browser's Accept-Language, else Chinese."""
    from flask import current_app, has_request_context

    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if request.path.startswith("/api/"):  # the API answers in the language its caller asks for
        return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = request.cookies.get("lang")
    if chosen in languages:
        return chosen
    try:
        stored = current_user.language if current_user.is_authenticated else None
    except DATABASE_UNAVAILABLE:  # the outage page renders as anonymous; the browser's language will do
        stored = None
    if stored in languages:
        return stored
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


# The database is unreachable (a restart, an outage), its pool is exhausted, or a statement or lock wait
# ran past its timeout (PostgreSQL raises QueryCanceled/LockNotAvailable, SQLite "database is locked"):
# all of them are a 503 "try again shortly", never a 500 with a traceback.
DATABASE_UNAVAILABLE = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.DisconnectionError,
                        sa_exc.TimeoutError)
RETRY_AFTER_SECONDS = 30


def discard_session() -> None:
    """Roll back and drop the request's session after a database failure (itself may fail: ignored)."""
    with contextlib.suppress(Exception):  # the connection is gone; dropping the session is all that is left
        db.session.rollback()
    with contextlib.suppress(Exception):
        db.session.remove()


def describe_database_error(error: Exception) -> str:
    """One line naming the failure, without the SQL, its parameters or a traceback."""
    cause = getattr(error, "orig", None) or error
    lines = str(cause).strip().splitlines()
    return f"{type(cause).__name__}: {lines[0] if lines else ''}"[:300]


def register_error_handlers(app: Flask) -> None:
    """Every error becomes a page in the user's language (and a fragment-safe answer for htmx)."""

    def page(template: str, status: int, **context):
        response = make_response(render_template(template, **context), status)
        if request.htmx:
            response.headers["HX-Retarget"] = "#flash"
            response.headers["HX-Reswap"] = "innerHTML"
            # The element's own hx-select (the code widget's "#phone-code") would find nothing in the
            # message and swap in emptiness: the tap would seem to do nothing.
            response.headers["HX-Reselect"] = ".flash"
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        # A session that expired took its CSRF token with it: ask the person to log in again, not to
        # "reload the form", when the page needs a log-in anyway.
        try:
            anonymous = not current_user.is_authenticated
        except DATABASE_UNAVAILABLE as failure:  # the user loader needs the database
            return database_unavailable(failure)
        if anonymous and request.endpoint not in PUBLIC_POST_ENDPOINTS:
            return login_manager.unauthorized()
        return page("errors/400.html", 400, reason=error.description)

    @app.errorhandler(400)
    def bad_request(error):
        return page("errors/bad_request.html", 400)

    @app.errorhandler(409)
    def conflict(error):
        return page("errors/conflict.html", 409,
                    message=_("This changed in the meantime. Reload the page and try again."))

    @app.errorhandler(413)
    def too_large(error):
        limit_mb = app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        return page("errors/conflict.html", 413,
                    message=_("What you sent is larger than %(mb)d MB, so it was not received. Go back and choose "
                              "fewer or smaller photos (each at most 10 MB).", mb=limit_mb))

    @app.errorhandler(429)
    def too_many_requests(error):
        return page("errors/429.html", 429)

    @app.errorhandler(403)
    def forbidden(error):
        return page("errors/403.html", 403)

    @app.errorhandler(404)
    def not_found(error):
        return page("errors/404.html", 404)

    @app.errorhandler(405)
    def method_not_allowed(error):
        return page("errors/404.html", 405)

    @app.errorhandler(DomainError)
    def domain_error(error):
        db.session.rollback()
        return page("errors/conflict.html", error.status, message=error.message)

    def database_unavailable(error):
        # The page needs no database: its own layout, no current_user (the user loader would query),
        # no header balance. One warning line per failure, no traceback.
        discard_session()
        # Flask-Login's template context would load the user again (and fail again): render as anonymous.
        login_manager._update_request_context_with_user()  # the setter login_user() uses
        app.logger.warning("Database unavailable: %s %s: %s", request.method, request.path,
                           describe_database_error(error))
        response = page("errors/outage.html", 503)
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response.headers["Cache-Control"] = "no-store"
        return response

    for exception in DATABASE_UNAVAILABLE:
        app.register_error_handler(exception, database_unavailable)

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return page("errors/500.html", 500)
