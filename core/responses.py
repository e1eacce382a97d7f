"""What every response carries, and the small documents a browser asks every site for.

- ``Vary: HX-Request`` on every HTML answer: the same URL answers a whole page to a browser and a
  fragment (a widget, an error message) to htmx, so no cache may give one for the other.
- ``Cache-Control: no-store`` on every answer to an htmx request: a fragment (error pages included)
  is never stored, so Back and a reopened tab always fetch a whole page. (htmx itself keeps no page
  snapshots: ``historyCacheSize`` is 0 and ``refreshOnHistoryMiss`` reloads the whole page.)
- ``/favicon.ico`` and ``/manifest.webmanifest`` (name, colours, icons and start page, in the user's language).
"""

import os

from flask import Flask, Response, current_app, jsonify, request, url_for
from flask_babel import get_locale, gettext

THEME_COLOUR = "#c2410c"  # --brand in static/css/app.css
BACKGROUND_COLOUR = "#fff8f3"  # --bg
ICON_MAX_AGE = 24 * 60 * 60  # seconds; /favicon.ico has no versioned name


def init_app(app: Flask) -> None:
    """Install the response hook and the favicon and manifest routes on ``app``."""
    app.after_request(htmx_cache_headers)
    app.add_url_rule("/favicon.ico", "favicon", favicon)
    app.add_url_rule("/manifest.webmanifest", "web_manifest", web_manifest)


def htmx_cache_headers(response):
    """Add ``Vary: HX-Request`` to HTML answers and ``Cache-Control: no-store`` to answers to htmx.

    Takes and returns the Flask response; static files (served by WhiteNoise) never get here.
    """
    if response.mimetype == "text/html":
        response.vary.add("HX-Request")
    if request.headers.get("HX-Request"):
        response.headers["Cache-Control"] = "no-store"
    return response


def favicon():
    """``/favicon.ico``: the icon drawn by ``tools/make_icons.py``, cached for a day."""
    with open(os.path.join(current_app.static_folder, "icons", "favicon.ico"), "rb") as icon:
        data = icon.read()  # 4 KB: read whole, so no open file outlives the request
    response = Response(data, mimetype="image/vnd.microsoft.icon")
    response.cache_control.public = True
    response.cache_control.max_age = ICON_MAX_AGE
    return response


def web_manifest():
    """``/manifest.webmanifest``: the installable app (JSON) in the request's language (name, description,
    ``lang``); icons (``any`` and ``maskable``), colours, ``display: standalone``, scope ``/``.

    ``start_url`` is ``/``, which sends each person to where their work starts by role (riders to the task
    list, merchant staff to the counter, coordinators to their tasks; see ``HOME_OF_ROLE`` in ``app.py``), so
    one installed app serves whoever logs in. ``id`` stays ``/`` whatever the start page becomes.
    """
    icons = [{"src": url_for("static", filename=f"icons/{name}"), "sizes": size, "type": "image/png",
              "purpose": "maskable" if "maskable" in name else "any"}
             for name, size in (("icon-192.png", "192x192"), ("icon-512.png", "512x512"),
                                ("icon-maskable-512.png", "512x512"))]
    zh = str(get_locale()) == "zh"
    response = jsonify({"id": "/", "name": gettext("Nuanxin"), "short_name": gettext("Nuanxin"),
                        "description": gettext("Nuanxin: volunteer tasks for gig riders, points for the time given, "
                                               "and vouchers at partner restaurants."),
                        "lang": "zh-Hans" if zh else "en", "dir": "ltr", "start_url": "/", "scope": "/",
                        "display": "standalone", "theme_color": THEME_COLOUR,
                        "background_color": BACKGROUND_COLOUR, "categories": ["lifestyle", "social"],
                        "prefer_related_applications": False, "icons": icons})
    response.mimetype = "application/manifest+json"
    response.vary.add("Accept-Language")
    response.vary.add("Cookie")
    return response
