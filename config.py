"""Configuration from environment variables, with safe development defaults."""

import os
from typing import ClassVar

DEV_SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - refused in production


class Config:
    """Settings read once at start-up; ``create_app(overrides)`` may replace any of them."""

    ENV_NAME = os.environ.get("NUANXIN_ENV", "development")
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "")  # empty: SQLite file in instance/
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict] = {"pool_pre_ping": True}
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
    VOUCHER_POLL_SECONDS = int(os.environ.get("VOUCHER_POLL_SECONDS", "2"))
    # Abuse limits (Flask-Limiter storage; redis://127.0.0.1:6379 to share them between processes).
    RATELIMIT_ENABLED = os.environ.get("RATELIMIT_ENABLED", "1") != "0"
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    LOGIN_FAILURES_PER_PHONE = os.environ.get("LOGIN_FAILURES_PER_PHONE", "5 per 15 minutes")
    LOGIN_FAILURES_PER_ADDRESS = os.environ.get("LOGIN_FAILURES_PER_ADDRESS", "20 per 15 minutes")
    REGISTRATIONS_PER_ADDRESS = os.environ.get("REGISTRATIONS_PER_ADDRESS", "10 per hour")
    UNKNOWN_CODES_PER_STAFF = os.environ.get("UNKNOWN_CODES_PER_STAFF", "10 per 10 minutes")
    # Behind a reverse proxy: how many proxies set X-Forwarded-For / -Proto (0: none, direct).
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
