"""Template globals and filters every page uses: DOM ids, local times, yuan, the current tab.

Feature packages add their own globals in :func:`app.create_app` (labels, the header's balance);
this module knows none of them.
"""

from flask import Flask, current_app, request
from flask_babel import get_locale
from jinja2 import Template, pass_context

from core import translating
from core.geo import format_distance
from core.money import format_fen
from core.places import url_maker
from core.text import group_digits
from core.timeutil import iso_datetime, localtime, timespan
from core.web import dom_id


def init_app(app: Flask) -> None:
    """Register the filters, globals and the context processor shared by every template (after Flask-Babel:
    its Jinja ``_``/``gettext``/``ngettext`` are replaced by :mod:`core.translating`'s faster ones)."""
    translating.init_app(app)
    app.jinja_env.template_class = ImportingTemplate  # before any template is loaded
    # url_maker(endpoint, key): for lists, the URL built once and each row's id put in (not url_for per row)
    app.jinja_env.globals.update(dom_id=dom_id, current_tab=current_tab, url_maker=url_maker)
    app.jinja_env.filters["yuan"] = per_request(format_fen)
    app.jinja_env.filters["localtime"] = per_request(localtime)
    app.jinja_env.filters["isodatetime"] = iso_datetime  # <time datetime="{{ t|isodatetime }}">
    app.jinja_env.globals["timespan"] = timespan
    app.jinja_env.filters["grouped"] = per_request(group_digits)
    # metres → "850 m" / "2.3 km" in the user's language
    app.jinja_env.filters["distance"] = per_request(format_distance)

    @app.context_processor
    def page_context():
        return {
            "lang": str(get_locale()),
            "other_lang": "en" if str(get_locale()) == "zh" else "zh",
            "poll_seconds": current_app.config["VOUCHER_POLL_SECONDS"],
            "endpoint": request.endpoint or "",
        }


class ImportingTemplate(Template):
    """Jinja's template, with ``{% from "_macros.html" import … %}`` no longer the dearest line of a card.

    Each import (once per include: the sign-up widget is included once per task card) asks which globals
    of the importing context the imported template lacks. Jinja works that out as ``set - ChainMap.keys()``,
    a Python-level loop over every global (about 50 µs); ``set.difference(ChainMap)`` gives the same keys
    in C. The rest is Jinja's own code: the cached module when no global is missing, a fresh one otherwise.
    """

    def _get_default_module(self, ctx=None):
        if ctx is not None:
            keys = ctx.globals_keys.difference(self.globals)
            if keys:
                return self.make_module({k: ctx.parent[k] for k in keys})
        return super()._get_default_module(None)


def per_request(fn):
    """``fn`` as a filter Jinja never runs while compiling a template: it folds a filter of a constant
    (``20000 | distance``) once, in the language and zone of the first request, unless the filter takes the
    context. Use it for every filter whose result depends on the request's locale."""

    @pass_context
    def run(_context, value, *args, **kwargs):
        return fn(value, *args, **kwargs)

    run.__name__, run.__doc__ = fn.__name__, fn.__doc__
    return run


def current_tab(tabs: list[tuple]) -> str | None:
    """The endpoint of the bottom-navigation tab to highlight for this request.

    ``tabs`` lists ``(endpoint, label, blueprints)``: a tab is current on its own endpoint, else on a page
    whose endpoint starts with one of its entries that holds a dot (``"rewards_merchant.statement"``), else on
    any page of its blueprints (the first tab that names the blueprint wins).
    """
    endpoint, blueprint = request.endpoint or "", request.blueprint or ""
    for tab_endpoint, _label, _blueprints in tabs:
        if tab_endpoint == endpoint:
            return tab_endpoint
    for tab_endpoint, _label, blueprints in tabs:
        if any("." in entry and endpoint.startswith(entry) for entry in blueprints):
            return tab_endpoint
    for tab_endpoint, _label, blueprints in tabs:
        if blueprint in blueprints:
            return tab_endpoint
    return None
