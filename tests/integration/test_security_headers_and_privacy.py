"""Headers and cookies, production safety, account deactivation, and secrets kept out of logs."""

import logging
import re

import pytest
import sqlalchemy as sa

from accounts.models import User
from tests.factories import PASSWORD


def test_pages_send_a_strict_content_security_policy_and_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP here


def test_hsts_is_sent_over_https(client):
    response = client.http.get("/login", base_url="https://localhost")
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]


def test_pages_have_no_inline_scripts_and_htmx_needs_none(client, make_client, world):
    for page in ("/login", "/register", "/tasks"):
        html = client.get(page).get_data(as_text=True)
        near = page == "/tasks"  # the task list alone loads "near me" (asks for the location on a tap)
        # htmx, the focus script and the offline script (registers /sw.js), all our own versioned files
        assert html.count("<script") == 3 + near
        assert bool(re.search(r'<script src="/static/js/near\.[0-9a-f]{12}\.js" defer></script>', html)) is near
        assert re.search(r'src="/static/vendor/htmx\.org@2\.0\.11/htmx\.min\.[0-9a-f]{12}\.js"', html)
        assert re.search(r'<script src="/static/js/focus\.[0-9a-f]{12}\.js" defer></script>', html)
        assert re.search(r'<script src="/static/js/offline\.[0-9a-f]{12}\.js" data-worker="/sw.js" defer>', html)
        assert " onclick=" not in html and "hx-on" not in html and "style=" not in html
        assert '"allowEval":false' in html and '"includeIndicatorStyles":false' in html


def test_the_session_cookie_is_http_only_and_same_site_lax(client, world):
    response = client.post("/login", {"phone": world.rider_phone, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_production_cookies_are_secure_and_debug_is_refused(make_app, monkeypatch):
    app = make_app(ENV_NAME="production", SECRET_KEY="a-long-random-production-key-0123456789",
                   SESSION_COOKIE_SECURE=True)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    app.debug = True
    assert app.test_client().get("/login").status_code == 503


def test_deactivating_an_account_ends_its_sessions_and_keeps_its_history(world, make_client, ctx):
    from tests.factories import give_points

    with ctx() as session:
        give_points(world.rider, 30, reason="历史积分")
        session.commit()
    rider = make_client(world.rider)
    assert rider.get("/wallet").status_code == 200
    coordinator = make_client(world.coordinator)
    response = coordinator.post(f"/coordinate/accounts/{world.rider}/active", {"active": "0"})
    assert response.status_code == 303
    assert "logged out everywhere" in coordinator.get(response.headers["Location"]).get_data(as_text=True)
    assert rider.get("/wallet").status_code == 302  # the old session no longer works
    login = make_client().post("/login", {"phone": world.rider_phone, "password": PASSWORD})
    assert login.status_code == 422
    history = coordinator.get(f"/coordinate/riders/{world.rider}/points").get_data(as_text=True)
    assert "历史积分" in history
    # Reactivated, the person logs in again, but the old session stays ended.
    coordinator.post(f"/coordinate/accounts/{world.rider}/active", {"active": "1"})
    assert rider.get("/wallet").status_code == 302
    assert make_client().post("/login", {"phone": world.rider_phone, "password": PASSWORD}).status_code == 303


def test_a_coordinator_cannot_deactivate_themselves_or_another_organisations_coordinator(world, make_client, ctx):
    coordinator = make_client(world.coordinator)
    coordinator.post(f"/coordinate/accounts/{world.coordinator}/active", {"active": "0"})
    coordinator.post(f"/coordinate/accounts/{world.other_coordinator}/active", {"active": "0"})
    with ctx() as session:
        assert session.get(User, world.coordinator).active and session.get(User, world.other_coordinator).active


@pytest.mark.parametrize("password", ["12345678", "password", "88888888", "woaini1314", "qwerty123"])
def test_common_passwords_are_refused(client, password):
    response = client.post("/register", {"phone": "13912345678", "name": "赵佳楠", "password": password,
                                         "trade": "courier", "platform": "顺丰"})
    assert response.status_code == 422 and "too common" in response.get_data(as_text=True)


def test_merchants_see_masked_phones_and_never_the_full_number(world, make_client, ctx):
    from accounts.models import User
    from rewards import vouchers
    from rewards.models import Offer
    from tests.factories import give_points

    with ctx() as session:
        give_points(world.rider, 30)
        voucher = vouchers.redeem_offer(offer=session.get(Offer, world.offer), rider=session.get(User, world.rider))
        vouchers.confirm_voucher(code=voucher.code, staff=session.get(User, world.staff))
        session.commit()
        code = voucher.code
    staff = make_client(world.staff)
    for page in ("/merchant/", f"/merchant/vouchers/{code}", "/merchant/confirmations"):
        html = staff.get(page).get_data(as_text=True)
        assert world.rider_phone not in html
        assert world.rider_phone[:3] + "****" + world.rider_phone[-4:] in html


def test_logs_never_contain_passwords_session_cookies_or_full_voucher_codes(app, world, make_client, client):
    import io

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    loggers = [logging.getLogger("werkzeug"), app.logger]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    try:
        code = "4957730961160501"
        client.post("/login", {"phone": world.rider_phone, "password": "my-secret-pass-99"})
        make_client(world.staff).get(f"/merchant/vouchers/{code}")
        # what the development server writes for each request, and what the app logs on an error
        logging.getLogger("werkzeug").info('127.0.0.1 - - "GET /merchant/vouchers/%s?password=hunter2 HTTP/1.1" 404',
                                           code)
        app.logger.error("could not confirm %s for session=%s", code, "eyJfZnJlc2giOnRydWV9.abc")
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
    text = stream.getvalue()
    assert code not in text and "hunter2" not in text and "my-secret-pass-99" not in text
    assert "eyJfZnJlc2giOnRydWV9" not in text
    assert "4957********0501" in text


def test_gunicorn_access_lines_mask_codes():
    from core.logs import mask_secrets

    line = mask_secrets('127.0.0.1 "GET /merchant/lookup?code=4957+7309+6116+0501 HTTP/1.1" 303')
    assert "4957********0501" in line and "7309" not in line


def test_the_audit_trail_records_who_did_what_and_is_append_only(world, make_client, ctx):
    from accounts.journal import JournalEntry as AuditEvent

    coordinator = make_client(world.coordinator)
    coordinator.post(f"/coordinate/riders/{world.rider}/adjustments", {"amount": "25", "reason": "暴雨天坚守"})
    page = coordinator.get(f"/coordinate/audit/?rider={world.rider_phone}").get_data(as_text=True)
    assert "Points adjusted" in page and "暴雨天坚守" in page and "陈丽华" in page
    with ctx() as session:
        event = session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "points.adjust"))
        assert (event.actor_id, event.rider_id) == (world.coordinator, world.rider)
        with pytest.raises(sa.exc.DBAPIError):
            session.execute(sa.update(AuditEvent).values(action="x"))
            session.flush()
        session.rollback()
        with pytest.raises(sa.exc.DBAPIError):
            session.execute(sa.delete(AuditEvent))
            session.flush()
        session.rollback()
