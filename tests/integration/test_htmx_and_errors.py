"""htmx habits and error pages: expired sessions, CSRF, not-found pages, in the user's language."""

import re


def test_an_expired_session_during_htmx_redirects_the_whole_page_to_log_in(client, world):
    response = client.post(f"/tasks/{world.task}/signup", htmx=True,
                           headers={"HX-Current-URL": f"http://localhost/tasks/{world.task}"})
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == f"/login?next=/tasks/{world.task}"
    assert response.get_data(as_text=True) == ""


def test_an_anonymous_page_view_redirects_to_log_in_and_back(client):
    response = client.get("/wallet")
    assert response.status_code == 302 and response.headers["Location"] == "/login?next=/wallet"


def test_an_htmx_request_without_csrf_token_is_refused_with_a_message(make_client, world):
    response = make_client(world.rider).post(f"/tasks/{world.task}/signup", htmx=True, csrf=False)
    assert response.status_code == 400
    assert response.headers["HX-Retarget"] == "#flash"
    assert "The form expired" in response.get_data(as_text=True)
    assert response.headers["HX-Reselect"] == ".flash"  # not the element's own hx-select: the message shows


def test_pages_send_the_csrf_token_for_htmx_and_load_htmx_from_static(client):
    page = client.get("/tasks").get_data(as_text=True)
    assert 'hx-headers=\'{"X-CSRFToken": "' in page
    assert re.search(r'src="/static/vendor/htmx\.org@2\.0\.11/htmx\.min\.[0-9a-f]{12}\.js"', page)
    assert "unpkg" not in page and "jsdelivr" not in page


def test_the_vendored_htmx_is_2_0(app):
    with app.test_client().get("/static/vendor/htmx.org@2.0.11/htmx.min.js") as response:  # closes the file
        js = response.get_data(as_text=True)
    assert 'version:"2.0.11"' in js.replace(" ", "")


def test_not_found_is_a_page_in_the_users_language(client):
    response = client.get("/no-such-page", lang="zh-CN")
    assert response.status_code == 404 and "页面不存在" in response.get_data(as_text=True)


def test_phone_inputs_bring_up_the_right_keyboards(client, make_client, world):
    login = client.get("/login").get_data(as_text=True)
    assert 'type="tel"' in login and 'inputmode="tel"' in login
    counter = make_client(world.staff).get("/merchant/").get_data(as_text=True)
    assert 'inputmode="numeric"' in counter


def test_healthz_answers_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok", "limits": "ok"}


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(app, database):
    import sqlalchemy as sa

    from extensions import db

    if database[0] != "sqlite":
        return
    with app.app_context():
        assert db.session.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(sa.text("PRAGMA busy_timeout")).scalar() >= 5000
        assert db.session.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1


def test_production_refuses_the_default_secret_key():
    import pytest

    from app import create_app
    from config import DEV_SECRET_KEY

    for key in ("", DEV_SECRET_KEY):
        with pytest.raises(RuntimeError, match="SECRET_KEY"):
            create_app({"ENV_NAME": "production", "SECRET_KEY": key})
