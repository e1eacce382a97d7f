"""The service worker, ``/sw.js``: a voucher card that shows with no signal (issue 15).

The worker is rendered from ``templates/core/sw.js`` so it carries what it must know and cannot guess: the
versioned URLs of the files the card needs (``app.css``, ``voucher-card.js``), the URL patterns of the
voucher page, its card and its status poll, the addresses that end or start a session, and the offline
page's words in both languages. A changed static file changes the script, so browsers install the new one.

What it does (see the script for the details):

- keeps the card (``/vouchers/<id>/card``) of each of the rider's last five opened usable vouchers, asked by
  the voucher page (``static/js/offline.js`` posts ``keep-card``); a card whose voucher is no longer issued,
  or a card request answered by a log-in redirect, 401 or 403, removes the card (or all of them);
- keeps the rider's Haitang day pass (``/pass/``) each time it is fetched whole, until the ``X-Pass-Until`` its
  answer names (local midnight), and serves it when the pass cannot be fetched (a reload at a building's gate
  with no signal); a pass of an earlier day is deleted, never shown;
- when the voucher page cannot be fetched, serves its kept card if that is still issued and unexpired by the
  phone's clock, else a short offline page; every other page needs the network as before;
- while the page is open and its status poll answers "no change" (204), refreshes a kept card that is older
  than ``OFFLINE_CARD_REFRESH_SECONDS``, so its "last checked" time stays close to the truth;
- when a page of a signed-in user opens (at most once every ``OFFLINE_CARD_REFRESH_SECONDS``), asks the
  status of each kept card's voucher, so a card whose voucher was cancelled, redeemed or refunded since goes
  even if its own page is never opened again;
- drops every card (and the pass) when a log-out, log-in, registration or account deletion is posted, when a page is
  shown to someone signed out (``offline.js`` asks it: the last session ended elsewhere or expired), when a status
  poll says the voucher is final (286) and when the server sends a session back to the log-in page; a card that was
  on its way while the cards were dropped is not kept.

Served from the site root (a worker under ``/static/`` could not control ``/``), as ``no-cache``, with
``Service-Worker-Allowed: /``. Browsers register workers only over HTTPS (and on localhost).
"""

import hashlib
import json
import re

from flask import Flask, current_app, render_template, url_for
from flask_babel import force_locale, gettext
from markupsafe import escape

SAMPLE_ID = 987654321  # stands for a voucher id while a URL pattern is built from url_for
CARD_CACHE = "nuanxin-cards-v1"  # the Cache Storage name of the kept cards (tests look into it)
CARDS_KEPT = 5
HAITANG_CACHE = "nuanxin-pass-v1"  # the Cache Storage name of the rider's kept day pass (tests look into it)


def init_app(app: Flask, *, voucher_page: str, card: str, status: str, session_changes: tuple[str, ...],
             login: str, haitang_page: str) -> None:
    """Add ``/sw.js`` (endpoint ``service_worker``) to ``app``.

    ``voucher_page``, ``card`` and ``status`` are the endpoints (each taking ``voucher_id``) of the rider's
    voucher page, its offline card and its status poll; ``session_changes`` the POST endpoints after which no
    card may stay (log-out, log-in, account deletion); ``login`` the log-in page's endpoint; ``haitang_page`` the
    endpoint (no arguments) of the rider's day pass, whose answer carries ``X-Pass-Until`` (UTC, ISO 8601).
    """
    app.extensions["offline"] = {"voucher_page": voucher_page, "card": card, "status": status,
                                 "session_changes": session_changes, "login": login, "haitang_page": haitang_page}
    app.add_url_rule("/sw.js", "service_worker", service_worker)


def voucher_pattern(endpoint: str) -> str:
    """A JavaScript regular expression (source text) matching the path of ``endpoint`` for any voucher id;
    group 1 is the id. E.g. ``^/vouchers/(\\d+)/card$``."""
    path = url_for(endpoint, voucher_id=SAMPLE_ID)
    return "^" + re.escape(path).replace(str(SAMPLE_ID), r"(\d+)").replace(r"\/", "/") + "$"


def offline_words() -> dict:
    """The offline page's words in each configured language, HTML-escaped: ``{lang: {title, body, retry}}``."""
    words = {}
    for language in current_app.config["LANGUAGES"]:
        with force_locale(language):
            words[language] = {
                "html_lang": "zh-Hans" if language == "zh" else "en",
                "title": str(escape(gettext("No connection"))),
                "body": str(escape(gettext("This page needs the network. Try again when you have signal. A "
                                           "voucher you opened on this phone shows here while it can be used."))),
                "retry": str(escape(gettext("Try again"))),
            }
    return words


def service_worker():
    """``/sw.js``: the service worker script (JavaScript), not cached by the browser between checks."""
    settings = current_app.extensions["offline"]
    precache = [url_for("static", filename="css/app.css"), url_for("static", filename="js/voucher-card.js")]
    worker = {
        "cache": CARD_CACHE,
        "keep": CARDS_KEPT,
        "refresh_ms": current_app.config["OFFLINE_CARD_REFRESH_SECONDS"] * 1000,
        "voucher": voucher_pattern(settings["voucher_page"]),
        "card": voucher_pattern(settings["card"]),
        "card_url": url_for(settings["card"], voucher_id=SAMPLE_ID),
        "sample_id": str(SAMPLE_ID),
        "status": voucher_pattern(settings["status"]),
        "status_url": url_for(settings["status"], voucher_id=SAMPLE_ID),
        "session_changes": [url_for(endpoint) for endpoint in settings["session_changes"]],
        "login": url_for(settings["login"]),
        "pass": url_for(settings["haitang_page"]),
        "pass_cache": HAITANG_CACHE,
        "css": url_for("static", filename="css/app.css"),
        "precache": precache,  # versioned names: a new file is a new cache, the old one is deleted
        "static_cache": "nuanxin-static-" + hashlib.sha256(json.dumps(precache).encode()).hexdigest()[:12],
        "words": offline_words(),
        "default_language": current_app.config["BABEL_DEFAULT_LOCALE"],
    }
    response = current_app.response_class(render_template("core/sw.js", worker=worker),
                                          mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


def clear_site_cache(response):
    """Add ``Clear-Site-Data: "cache"`` to ``response`` (a Flask response, returned): the browser drops what it
    cached of this site. Sent when a session ends (log-out, log-out everywhere, account deletion); the service
    worker drops its voucher cards and day pass on those requests itself (Cache Storage is not part of "cache")."""
    response.headers["Clear-Site-Data"] = '"cache"'
    return response
