"""Test fixtures: a migrated throwaway database per run, a fresh app and data per test.

SQLite (default): migrations run once into a template file that each test copies.
PostgreSQL (``DATABASE_URL=postgresql+psycopg://…``): a database named ``nuanxin_test_<random>`` is
created, migrated, truncated before each test and dropped at the end.
"""

import os
import re
import secrets
import shutil
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from app import create_app
from extensions import db

# Abuse limits count in each test's own app (memory://); tests of the shared storages say so themselves.
BASE_CONFIG = {"TESTING": True, "SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": True,
               "SERVER_NAME": None, "VOUCHER_POLL_SECONDS": 1, "RATELIMIT_STORAGE_URI": "memory://"}


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogs():
    """Compile the .po catalogs the tests read, so a run never sees stale translations."""
    from pathlib import Path

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in Path(__file__).resolve().parents[1].glob("translations/*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as source:
                catalog = read_po(source)
            with mo.open("wb") as target:
                write_mo(target, catalog)


def _pg_admin_url(url: str) -> sa.URL:
    return sa.make_url(url).set(database="postgres")


@pytest.fixture(scope="session")
def database(tmp_path_factory):
    """Yield ``(kind, template)``: ``("sqlite", path_of_migrated_file)`` or ``("postgresql", url)``."""
    from flask_migrate import upgrade

    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgresql"):
        name = f"nuanxin_test_{secrets.token_hex(4)}"
        admin = sa.create_engine(_pg_admin_url(url), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        test_url = sa.make_url(url).set(database=name).render_as_string(hide_password=False)
        app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": test_url})
        with app.app_context():
            upgrade(directory=os.path.join(app.root_path, "migrations"))
            db.engine.dispose()
        yield "postgresql", test_url
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        return
    template = tmp_path_factory.mktemp("db") / "template.db"
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{template}"})
    with app.app_context():
        upgrade(directory=os.path.join(app.root_path, "migrations"))
        db.session.execute(sa.text("PRAGMA wal_checkpoint(TRUNCATE)"))
        db.engine.dispose()
    yield "sqlite", str(template)


@pytest.fixture
def database_url(database, tmp_path):
    """A clean, migrated database for one test."""
    kind, template = database
    if kind == "sqlite":
        path = tmp_path / "test.db"
        shutil.copyfile(template, path)
        return f"sqlite:///{path}"
    engine = sa.create_engine(template)
    with engine.begin() as conn:
        tables = [t.name for t in db.metadata.sorted_tables]
        conn.execute(sa.text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
    engine.dispose()
    return template


@pytest.fixture
def app(database_url):
    application = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url})
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def make_app(database_url):
    """``make_app(**settings)`` builds another app on this test's database; its connections close after the test."""
    made = []

    def build(**overrides):
        application = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url, **overrides})
        made.append(application)
        return application

    yield build
    for application in made:
        with application.app_context():
            db.engine.dispose()


@pytest.fixture
def ctx(app):
    """``with ctx():`` runs a block in its own app context (own database session), like a request."""

    @contextmanager
    def context():
        with app.app_context():
            yield db.session
            db.session.remove()

    return context


class Client:
    """A test client that logs in as a persona and sends the CSRF token like the browser does."""

    def __init__(self, app):
        self.app = app
        self.http = app.test_client()
        self._token = None

    def login(self, user_id: int) -> "Client":
        with self.http.session_transaction() as session:
            session["_user_id"] = f"{user_id}-0"  # see User.get_id
            session["_fresh"] = True
        return self

    def token(self) -> str:
        if self._token is None:
            page = self.http.get("/tasks").get_data(as_text=True)
            self._token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        return self._token

    def get(self, url, htmx=False, lang="en", **kwargs):
        headers = {"Accept-Language": lang, **kwargs.pop("headers", {})}
        if htmx:
            headers.update({"HX-Request": "true", **({"HX-Target": htmx} if isinstance(htmx, str) else {})})
        return self.http.get(url, headers=headers, **kwargs)

    def post(self, url, data=None, htmx=False, csrf=True, lang="en", **kwargs):
        headers = {"Accept-Language": lang, **kwargs.pop("headers", {})}
        data = dict(data or {})
        if csrf:
            if htmx:
                headers["X-CSRFToken"] = self.token()
            else:
                data.setdefault("csrf_token", self.token())
        if htmx:
            headers["HX-Request"] = "true"
        response = self.http.post(url, data=data, headers=headers, **kwargs)
        if response.status_code in (302, 303):
            self._token = None  # like a browser, read the token again from the next page (log-in renews it)
        return response


@pytest.fixture
def client(app):
    """An anonymous browser; ``client.login(user_id)`` becomes a persona."""
    return Client(app)


@pytest.fixture
def make_client(app):
    return lambda user_id=None: Client(app).login(user_id) if user_id else Client(app)


@pytest.fixture
def world(ctx):
    """The cast: two organisations, their coordinators, riders, a merchant with staff and an offer."""
    from tests import factories

    with ctx():
        cast = factories.make_world()
    return cast
