"""What the benchmark serves: the app exactly as ``app:create_app()`` builds it, plus one extra route.

``GET /bench/bare`` renders ``base.html`` (the layout every page extends: header, CSRF meta tag, language
switch, bottom navigation) around static content, with no database query: the ceiling of Flask, Jinja,
Flask-WTF, Flask-Babel and Flask-Login on this machine, which the measured pages are compared with.
It exists only here (``gunicorn -c gunicorn.conf.py 'bench.wsgi:create_app()'``), never in production.
"""

from flask import Blueprint, Flask, render_template

import app as nuanxin

bp = Blueprint("bench", __name__, template_folder="templates")


@bp.get("/bench/bare")
def bare():
    """Static content in the base template: the framework's ceiling."""
    return render_template("bench/bare.html")


def create_app(overrides: dict | None = None) -> Flask:
    """The production app plus the bare route (``overrides`` as for ``app.create_app``)."""
    application = nuanxin.create_app(overrides)
    application.register_blueprint(bp)
    return application
