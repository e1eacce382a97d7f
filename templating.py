"""Template globals and filters: DOM ids, local times, yuan, the rider's balance in the header."""

from flask import Flask, current_app, request
from flask_babel import format_datetime, get_locale
from flask_login import current_user

from core.web import dom_id


def init_app(app: Flask) -> None:
    """Register the filters and context processors used by every template."""
    from accounts.models import ROLE_LABELS, TRADE_LABELS
    from rewards.models import format_fen

    app.jinja_env.globals.update(dom_id=dom_id, ROLE_LABELS=ROLE_LABELS, TRADE_LABELS=TRADE_LABELS)
    app.jinja_env.filters["yuan"] = format_fen
    app.jinja_env.filters["localtime"] = localtime
    app.jinja_env.filters["grouped"] = lambda code: " ".join(code[i:i + 4] for i in range(0, len(code), 4))

    @app.context_processor
    def page_context():
        return {
            "lang": str(get_locale()),
            "other_lang": "en" if str(get_locale()) == "zh" else "zh",
            "poll_seconds": current_app.config["VOUCHER_POLL_SECONDS"],
            "header_balance": header_balance,
            "endpoint": request.endpoint or "",
        }


def localtime(value, format: str = "medium") -> str:
    """Format an aware UTC datetime in the configured time zone and the user's language."""
    if value is None:
        return ""
    formats = {"short": "short", "medium": "medium", "time": "HH:mm", "date": "yyyy-MM-dd"}
    pattern = formats.get(format, format)
    if format == "day":
        pattern = "M月d日 EEE HH:mm" if str(get_locale()) == "zh" else "EEE d MMM HH:mm"
    return format_datetime(value, pattern)


def header_balance() -> int | None:
    """The logged-in rider's balance in points, or ``None`` for others."""
    if not current_user.is_authenticated or current_user.role != "rider":
        return None
    from rewards.ledger import balance_of

    return balance_of(current_user.id)
