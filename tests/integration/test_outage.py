"""A database that is unreachable or hangs: every request answers a 503 in the user's language (issue 9.7)."""

import logging
import re
import time

import pytest
import sqlalchemy as sa

from app import create_app
from extensions import db
from tests.conftest import BASE_CONFIG

MESSAGE = {"en": "The service is busy or restarting. Please try again in a moment.",
           "zh": "服务繁忙或正在重启，请稍后再试。"}


@pytest.fixture
def unreachable_url(database, tmp_path):
    """A URL of the kind under test whose database cannot be reached: a closed port, a missing directory."""
    if database[0] == "postgresql":
        return sa.make_url(database[1]).set(host="127.0.0.1", port=1).render_as_string(hide_password=False)
    return f"sqlite:///{tmp_path / 'no-such-directory' / 'nuanxin.db'}"


@pytest.fixture
def down_app(unreachable_url):
    application = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": unreachable_url})
    yield application
    with application.app_context():
        db.engine.dispose()


def log_in(http, user_id=1):
    with http.session_transaction() as session:
        session["_user_id"] = f"{user_id}-0"
        session["_fresh"] = True
    return http


def assert_outage(response, lang):
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_data(as_text=True)
    assert MESSAGE[lang] in body
    assert "Internal Server Error" not in body and "Traceback" not in body
    return body


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_request_answers_a_503_page_in_the_users_language(down_app, lang, caplog):
    caplog.set_level(logging.DEBUG)
    browser = down_app.test_client()
    login = browser.get("/login", headers={"Accept-Language": lang})
    assert login.status_code == 200  # the form itself needs no database; logging in does
    token = re.search(r'name="csrf-token" content="([^"]+)"', login.get_data(as_text=True)).group(1)
    assert_outage(browser.post("/login", data={"phone": "13800000000", "password": "secret123",
                                               "csrf_token": token}, headers={"Accept-Language": lang}), lang)

    rider = log_in(browser)
    page = assert_outage(rider.get("/wallet", headers={"Accept-Language": lang}), lang)
    assert f'<html lang="{"zh-Hans" if lang == "zh" else "en"}">' in page
    assert "My account" not in page and "我的账户" not in page  # the minimal layout: no header needing a user
    assert_outage(rider.get("/login", headers={"Accept-Language": lang}), lang)

    fragment = rider.get("/tasks", headers={"Accept-Language": lang, "HX-Request": "true"})
    body = assert_outage(fragment, lang)
    assert body.startswith('<p class="flash flash-error" role="alert">') and "<html" not in body
    assert fragment.headers["HX-Retarget"] == "#flash" and fragment.headers["HX-Reselect"] == ".flash"
    htmx = {"Accept-Language": lang, "HX-Request": "true"}
    assert_outage(rider.post("/tasks/1/signup", headers={**htmx, "X-CSRFToken": token}), lang)
    # An expired form during the outage: deciding between "log in again" and "reload" needs the user too.
    assert_outage(rider.post("/tasks/1/signup", headers=htmx), lang)

    failures = [r for r in caplog.records if r.getMessage().startswith("Database unavailable")]
    assert len(failures) == 6 and all(r.levelno == logging.WARNING for r in failures)
    assert all("\n" not in r.getMessage() for r in failures)
    assert not any(r.exc_info for r in caplog.records)
    assert "Traceback" not in caplog.text


def test_healthz_answers_503_json_while_the_database_is_down(down_app):
    response = down_app.test_client().get("/healthz")
    assert response.status_code == 503 and response.get_json() == {"status": "database unavailable"}


def test_postgresql_connections_carry_statement_and_lock_timeouts(make_app, database):
    if database[0] != "postgresql":
        pytest.skip("PostgreSQL only: SQLite waits its busy timeout (15 s)")
    application = make_app(DB_STATEMENT_TIMEOUT_MS=12000, DB_LOCK_TIMEOUT_MS=3000)
    with application.app_context():
        assert db.session.execute(sa.text("SHOW statement_timeout")).scalar() == "12s"
        assert db.session.execute(sa.text("SHOW lock_timeout")).scalar() == "3s"
        db.session.remove()


def test_a_lock_held_too_long_frees_the_worker_with_a_503(make_app, database, world, caplog):
    if database[0] != "postgresql":
        pytest.skip("PostgreSQL only: lock_timeout")
    application = make_app(DB_LOCK_TIMEOUT_MS=300)
    browser = application.test_client()
    page = browser.get("/tasks", headers={"Accept-Language": "en"}).get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    log_in(browser, world.rider)
    holder = sa.create_engine(database[1])
    try:
        with holder.connect() as conn, conn.begin():
            conn.execute(sa.text("SELECT id FROM task WHERE id = :id FOR UPDATE"), {"id": world.task})
            started = time.monotonic()
            response = browser.post(f"/tasks/{world.task}/signup", headers={
                "Accept-Language": "zh", "HX-Request": "true", "X-CSRFToken": token})
            elapsed = time.monotonic() - started
    finally:
        holder.dispose()
    assert_outage(response, "zh")
    assert elapsed < 3  # about the lock timeout, not the worker's 30 s
    assert "LockNotAvailable" in caplog.text and "Traceback" not in caplog.text
