"""Configuration from environment variables, with safe development defaults."""

import os
from datetime import timedelta
from typing import ClassVar

DEV_SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - refused in production


class Config:
    """Settings read once at start-up; ``create_app(overrides)`` may replace any of them."""

    ENV_NAME = os.environ.get("NUANXIN_ENV", "development")
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "")  # empty: SQLite file in instance/
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict] = {"pool_pre_ping": True}
    # PostgreSQL: a statement or a lock wait gives up well before gunicorn's worker timeout (30 s), so a hung
    # database frees the worker with a 503 "try again" page; 0 switches a limit off. Connecting gives up too.
    DB_STATEMENT_TIMEOUT_MS = int(os.environ.get("DB_STATEMENT_TIMEOUT_MS", "20000"))
    DB_LOCK_TIMEOUT_MS = int(os.environ.get("DB_LOCK_TIMEOUT_MS", "10000"))
    DB_CONNECT_TIMEOUT_S = int(os.environ.get("DB_CONNECT_TIMEOUT_S", "5"))
    TIMEZONE = os.environ.get("TIMEZONE", "Asia/Shanghai")
    BABEL_DEFAULT_LOCALE = "zh"
    LANGUAGES = ("zh", "en")
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "1" if ENV_NAME == "production" else "0") == "1"
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # The version of the privacy notice (/privacy); raise it when the notice changes and riders are asked again.
    PRIVACY_VERSION = int(os.environ.get("PRIVACY_VERSION", "1"))
    # Attendance may be marked and corrected (attended <-> no-show, with a reason) until this long after a task ends.
    ATTENDANCE_CORRECTION_WINDOW = timedelta(days=int(os.environ.get("ATTENDANCE_CORRECTION_DAYS", "7")))
    # A freed place of a task is held for the first eligible waiting rider this many minutes (less when the task
    # starts sooner: at most a third of the time left); 0 gives the place to that rider at once, without asking.
    SIGNUP_HOLD_MINUTES = int(os.environ.get("SIGNUP_HOLD_MINUTES", "15"))
    # Wrong day-pass codes a building's staff member may type before being told to wait (a scanned pass is never
    # limited): guessing a rider's 6 digits stays hopeless.
    WRONG_PASS_CODES_PER_STAFF = os.environ.get("WRONG_PASS_CODES_PER_STAFF", "30 per 10 minutes")
    # A welfare activity (a birthday party, a health talk) awards at most this many points for attending (0: none).
    ACTIVITY_MAX_POINTS = int(os.environ.get("ACTIVITY_MAX_POINTS", "5"))
    VOUCHER_POLL_SECONDS = int(os.environ.get("VOUCHER_POLL_SECONDS", "2"))
    # While a voucher page is open and its status polls answer, the service worker refreshes the kept offline
    # card (and its "last checked" time) at most this often (core/offline.py).
    OFFLINE_CARD_REFRESH_SECONDS = int(os.environ.get("OFFLINE_CARD_REFRESH_SECONDS", "60"))
    # Merchant staff may undo their own confirmation of a voucher for this many minutes (a mis-tap).
    VOUCHER_UNDO_MINUTES = int(os.environ.get("VOUCHER_UNDO_MINUTES", "10"))
    # Abuse limits (core.ratelimit). Counted in one storage shared by all processes: empty means an SQLite
    # file in instance/ (every process on this machine); redis://host:6379 for several machines.
    RATELIMIT_ENABLED = os.environ.get("RATELIMIT_ENABLED", "1") != "0"
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "")
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "nuanxin")
    # A storage call gives up after this many seconds; after a failure the limits count in the process
    # for RATELIMIT_RETRY_SECONDS before the storage is tried again.
    RATELIMIT_STORAGE_TIMEOUT = float(os.environ.get("RATELIMIT_STORAGE_TIMEOUT", "0.5"))
    RATELIMIT_RETRY_SECONDS = float(os.environ.get("RATELIMIT_RETRY_SECONDS", "30"))
    LOGIN_FAILURES_PER_PHONE = os.environ.get("LOGIN_FAILURES_PER_PHONE", "5 per 15 minutes")
    LOGIN_FAILURES_PER_ADDRESS = os.environ.get("LOGIN_FAILURES_PER_ADDRESS", "20 per 15 minutes")
    REGISTRATIONS_PER_ADDRESS = os.environ.get("REGISTRATIONS_PER_ADDRESS", "10 per hour")
    UNKNOWN_CODES_PER_STAFF = os.environ.get("UNKNOWN_CODES_PER_STAFF", "10 per 10 minutes")
    # Wrong check-in/check-out codes a rider (or, before log-in, an address) may type before waiting.
    WRONG_CHECKIN_CODES_PER_RIDER = os.environ.get("WRONG_CHECKIN_CODES_PER_RIDER", "10 per 10 minutes")
    # Open311 (reports/open311.py): requests per client address (any method), reports created per API key.
    OPEN311_REQUESTS_PER_ADDRESS = os.environ.get("OPEN311_REQUESTS_PER_ADDRESS", "120 per minute")
    OPEN311_POSTS_PER_KEY = os.environ.get("OPEN311_POSTS_PER_KEY", "30 per minute")
    # JSON API v1 (api/): requests of one token, and voucher confirmations of one till token
    API_REQUESTS_PER_TOKEN = os.environ.get("API_REQUESTS_PER_TOKEN", "600 per minute")
    API_CONFIRMS_PER_TOKEN = os.environ.get("API_CONFIRMS_PER_TOKEN", "60 per minute")
    # A verified check-in farther than this from the task's coordinates is flagged for the coordinator (metres).
    CHECKIN_MAX_DISTANCE_M = int(os.environ.get("CHECKIN_MAX_DISTANCE_M", "500"))
    # One-time SMS codes (accounts/sms.py): console (log; the page shows the code in development), aliyun, tencent.
    SMS_BACKEND = os.environ.get("SMS_BACKEND", "console")
    SMS_SIGN_NAME = os.environ.get("SMS_SIGN_NAME", "")
    SMS_TEMPLATE_ID = os.environ.get("SMS_TEMPLATE_ID", "")
    SMS_TEMPLATE_ID_REGISTER = os.environ.get("SMS_TEMPLATE_ID_REGISTER", "")
    SMS_TEMPLATE_ID_RESET_PASSWORD = os.environ.get("SMS_TEMPLATE_ID_RESET_PASSWORD", "")
    SMS_TEMPLATE_ID_CHANGE_PHONE = os.environ.get("SMS_TEMPLATE_ID_CHANGE_PHONE", "")
    SMS_TIMEOUT_SECONDS = int(os.environ.get("SMS_TIMEOUT_SECONDS", "5"))
    ALIYUN_ACCESS_KEY_ID = os.environ.get("ALIYUN_ACCESS_KEY_ID", "")
    ALIYUN_ACCESS_KEY_SECRET = os.environ.get("ALIYUN_ACCESS_KEY_SECRET", "")
    ALIYUN_SMS_ENDPOINT = os.environ.get("ALIYUN_SMS_ENDPOINT", "dysmsapi.aliyuncs.com")
    TENCENT_SECRET_ID = os.environ.get("TENCENT_SECRET_ID", "")
    TENCENT_SECRET_KEY = os.environ.get("TENCENT_SECRET_KEY", "")
    TENCENT_SMS_APP_ID = os.environ.get("TENCENT_SMS_APP_ID", "")
    TENCENT_SMS_REGION = os.environ.get("TENCENT_SMS_REGION", "ap-guangzhou")
    # A notification's text message uses its kind's template (variables: the kind's parameters, see
    # notifications/kinds.py); without one the message fails and is retried, then given up.
    SMS_TEMPLATE_ID_PLACE_OFFERED = os.environ.get("SMS_TEMPLATE_ID_PLACE_OFFERED", "")
    SMS_TEMPLATE_ID_PROMOTED = os.environ.get("SMS_TEMPLATE_ID_PROMOTED", "")
    SMS_TEMPLATE_ID_TASK_CHANGED = os.environ.get("SMS_TEMPLATE_ID_TASK_CHANGED", "")
    SMS_TEMPLATE_ID_TASK_CANCELLED = os.environ.get("SMS_TEMPLATE_ID_TASK_CANCELLED", "")
    SMS_TEMPLATE_ID_TASK_REMINDER = os.environ.get("SMS_TEMPLATE_ID_TASK_REMINDER", "")
    # Notifications by SMS (``flask notify send``): no message in quiet hours (local "HH:MM-HH:MM"; empty: none)
    # unless urgent (a place offered for a task starting within the hour); at most NOTIFY_SMS_DAILY_CAP sent
    # per user and local day (beyond: skipped); a failed message is tried again after 1, 5, 30, 120 minutes,
    # at most NOTIFY_SMS_MAX_ATTEMPTS times in all.
    NOTIFY_QUIET_HOURS = os.environ.get("NOTIFY_QUIET_HOURS", "22:00-07:00")
    NOTIFY_SMS_DAILY_CAP = int(os.environ.get("NOTIFY_SMS_DAILY_CAP", "10"))
    NOTIFY_SMS_MAX_ATTEMPTS = int(os.environ.get("NOTIFY_SMS_MAX_ATTEMPTS", "5"))
    # ``flask notify remind`` reminds confirmed riders of a task starting within this many minutes (once each).
    NOTIFY_REMIND_BEFORE_MINUTES = int(os.environ.get("NOTIFY_REMIND_BEFORE_MINUTES", "120"))
    SMS_CODES_PER_PHONE = os.environ.get("SMS_CODES_PER_PHONE", "5 per hour")
    SMS_CODES_PER_ADDRESS = os.environ.get("SMS_CODES_PER_ADDRESS", "20 per hour")
    # Behind a reverse proxy: how many proxies set X-Forwarded-For / -Proto (0: none, direct).
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
    # Static files (core/static_files.py): hashed copies and their gzip/brotli versions are written here
    # at start-up (empty: instance/static). Hashed URLs are cached for a year; plain ones this many seconds.
    STATIC_BUILD_DIR = os.environ.get("STATIC_BUILD_DIR", "")
    WHITENOISE_MAX_AGE = int(os.environ.get("WHITENOISE_MAX_AGE", "60"))
    # Pages (flask-compress): brotli when the browser takes it, else gzip; never a streamed response.
    COMPRESS_ALGORITHM: ClassVar[list] = ["br", "gzip"]
    COMPRESS_STREAMS = False
    COMPRESS_LEVEL = 6
    COMPRESS_BR_LEVEL = 5
    COMPRESS_MIN_SIZE = 500
    # The stations map (/stations/map) exists only with licensed tiles (stations/map_tiles.py): a Leaflet URL
    # template with {z}/{x}/{y} ({s}: one of MAP_TILE_SUBDOMAINS; {key}: MAP_TILE_KEY), the credit the provider
    # asks for (HTML), and the system the tiles are drawn in: gcj02 (Amap, Tencent) or wgs84. Empty: no map,
    # and the CSP allows no tile host. The CSP's img-src gets exactly the template's host(s).
    MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")
    MAP_TILE_KEY = os.environ.get("MAP_TILE_KEY", "")
    MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "")
    MAP_TILE_SUBDOMAINS = os.environ.get("MAP_TILE_SUBDOMAINS", "")
    MAP_TILE_CRS = os.environ.get("MAP_TILE_CRS", "gcj02")
    # Where the map looks when no position is given (WGS-84 "lat,lng"): Zhangjiagang's centre, Yangshe.
    MAP_CENTRE = os.environ.get("MAP_CENTRE", "31.8755,120.5530")
    # Uploaded files (report photos, core/storage.py): "database" (default: shared by every app machine, in
    # every backup) or "folder" (files under FILE_STORAGE_FOLDER).
    FILE_STORAGE = os.environ.get("FILE_STORAGE", "database")
    FILE_STORAGE_FOLDER = os.environ.get("FILE_STORAGE_FOLDER", "")
    # The largest request body: three photos of 10 MB each plus the form. A larger one gets a clear 413 page.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(32 * 1024 * 1024)))
    # Where the programme runs (WGS-84 "south,west,north,east"): a report outside it is refused with a
    # message. Default: the county-level city of Zhangjiagang with a margin.
    SERVICE_AREA = os.environ.get("SERVICE_AREA", "31.70,120.30,32.10,120.90")
    # Recognition (recognition/): the volunteer levels' ladder — verified lifetime hours for one to five stars
    # (comma-separated, rising) — and the period of the composite score (rolling months back from today).
    LEVEL_LADDER_HOURS = os.environ.get("LEVEL_LADDER_HOURS", "30,60,100,200,300")
    SCORE_PERIOD_MONTHS = int(os.environ.get("SCORE_PERIOD_MONTHS", "12"))
    # The dashboard's points liability: what one point is worth in fen (may have decimals, e.g. "50" or "12.5").
    # Empty: derived from the vouchers redeemed so far (their face value ÷ their points cost, programme-wide).
    POINT_VALUE_FEN = os.environ.get("POINT_VALUE_FEN", "")
    # The public certificate check (/certificates/verify/<token>): failed look-ups (unknown tokens) per address.
    CERTIFICATE_UNKNOWN_TOKENS_PER_ADDRESS = os.environ.get("CERTIFICATE_UNKNOWN_TOKENS_PER_ADDRESS",
                                                            "30 per 10 minutes")
