"""Template globals and filters every page uses: DOM ids, local times, yuan, the current tab.

Feature packages add their own globals in :func:`app.create_app` (labels, the header's balance);
this module knows none of them.
"""

from flask import Flask, current_app, request
from flask_babel import get_locale

from core.geo import format_distance
from core.money import format_fen
from core.text import group_digits
from core.timeutil import iso_datetime, localtime, timespan
from core.web import dom_id


def init_app(app: Flask) -> None:
    """Register the filters, globals and the context processor shared by every template."""
    app.jinja_env.globals.update(dom_id=dom_id, current_tab=current_tab)
    app.jinja_env.filters["yuan"] = format_fen
    app.jinja_env.filters["localtime"] = localtime
    app.jinja_env.filters["isodatetime"] = iso_datetime  # <time datetime="{{ t|isodatetime }}">
    app.jinja_env.globals["timespan"] = timespan
    app.jinja_env.filters["grouped"] = group_digits
    app.jinja_env.filters["distance"] = format_distance  # metres → "850 m" / "2.3 km" in the user's language

    @app.context_processor
    def page_context():
        return {
            "lang": str(get_locale()),
            "other_lang": "en" if str(get_locale()) == "zh" else "zh",
            "poll_seconds": current_app.config["VOUCHER_POLL_SECONDS"],
            "endpoint": request.endpoint or "",
        }


def current_tab(tabs: list[tuple]) -> str | None:
    """The endpoint of the bottom-navigation tab to highlight for this request.

    ``tabs`` lists ``(endpoint, label, blueprints)``: a tab is current on its own endpoint, else on
    any page of its blueprints (the first tab that names the blueprint wins).
    """
    endpoint, blueprint = request.endpoint or "", request.blueprint or ""
    for tab_endpoint, _label, _blueprints in tabs:
        if tab_endpoint == endpoint:
            return tab_endpoint
    for tab_endpoint, _label, blueprints in tabs:
        if blueprint in blueprints:
            return tab_endpoint
    return None
