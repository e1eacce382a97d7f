"""Issue 15, the voucher with no signal, as the server sees it: the offline card (the owner's only, no CSRF
token, no htmx, its state in headers the service worker reads), ``/sw.js`` (scope, headers, CSP), the voucher
page that names its card and keeps no history, log-out's ``Clear-Site-Data`` and the app's manifest."""

import re
from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext

from accounts.models import User
from core.timeutil import utcnow
from rewards import vouchers
from rewards.models import Offer, Voucher
from tests.factories import give_points

STILL_VALID = "Offline — this code is still valid; the restaurant confirms it online."


@pytest.fixture
def voucher(world, ctx):
    """An issued voucher of the world's rider; returns ``(id, code)``."""
    with ctx() as session:
        offer = session.get(Offer, world.offer)
        give_points(world.rider, offer.points_cost)
        made = vouchers.redeem_offer(offer=offer, rider=session.get(User, world.rider))
        session.commit()
        return made.id, made.code


def card_of(make_client, world, voucher_id, lang="en"):
    return make_client(world.rider).get(f"/vouchers/{voucher_id}/card", lang=lang)


def test_the_card_of_an_issued_voucher_holds_what_the_counter_needs_and_nothing_of_a_session(make_client, world,
                                                                                          voucher):
    voucher_id, code = voucher
    response = card_of(make_client, world, voucher_id)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["X-Voucher-State"] == "issued"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", response.headers["X-Voucher-Expires"])
    assert "private" in response.headers["Cache-Control"]
    assert " ".join(code[i:i + 4] for i in range(0, 16, 4)) in page  # the digits, grouped
    assert "<svg" in page and STILL_VALID in page and "Last checked" in page
    assert "csrf" not in page.lower() and "hx-" not in page and "htmx" not in page
    assert 'class="bottom-nav"' not in page and "logout" not in page  # no navigation that needs a session


def test_the_card_is_in_the_riders_language_with_the_local_time(make_client, world, voucher, app):
    page = card_of(make_client, world, voucher[0], lang="zh-CN").get_data(as_text=True)
    with app.test_request_context(), force_locale("zh"):
        still_valid = gettext(STILL_VALID)
    assert '<html lang="zh-Hans">' in page and still_valid in page


def test_another_riders_voucher_card_is_a_404_and_other_roles_are_refused(make_client, world, voucher):
    assert make_client(world.rider2).get(f"/vouchers/{voucher[0]}/card").status_code == 404
    assert make_client(world.staff).get(f"/vouchers/{voucher[0]}/card").status_code == 403
    assert make_client().get(f"/vouchers/{voucher[0]}/card").status_code == 302


@pytest.mark.parametrize("state", ["redeemed", "cancelled", "expired", "lapsed"])
def test_a_card_of_a_voucher_that_cannot_be_used_shows_no_code_and_says_why(make_client, world, voucher, ctx,
                                                                            state):
    voucher_id, code = voucher
    with ctx() as session:
        made = session.get(Voucher, voucher_id)
        if state == "redeemed":
            vouchers.confirm_voucher(code=code, staff=session.get(User, world.staff))
        elif state == "cancelled":
            vouchers.cancel_voucher(voucher=made, rider=session.get(User, world.rider))
        elif state == "expired":
            vouchers.expire_voucher(made, now=made.expires_at + timedelta(seconds=1))
        else:  # still "issued" in the database, but past its expiry: the card says expired all the same
            made.expires_at = utcnow() - timedelta(minutes=1)
        session.commit()
    response = card_of(make_client, world, voucher_id)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["X-Voucher-State"] == ("expired" if state == "lapsed" else state)
    assert code[:4] not in page and "<svg" not in page and STILL_VALID not in page
    assert {"redeemed": "Redeemed at", "cancelled": "Cancelled", "expired": "Expired on",
            "lapsed": "Expired on"}[state] in page


def test_the_voucher_page_names_its_card_keeps_no_history_and_words_a_failed_poll(make_client, world, voucher):
    page = make_client(world.rider).get(f"/vouchers/{voucher[0]}").get_data(as_text=True)
    article = re.search(r"<article [^>]*>", page).group(0)
    assert f'data-offline-card="/vouchers/{voucher[0]}/card"' in article and 'hx-history="false"' in article
    note = re.search(r'<p class="poll-note[^>]*>', page).group(0)
    assert 'data-zone="Asia/Shanghai"' in note and "No connection — last checked {time}" in note
    assert re.search(r'<script src="/static/js/offline\.[0-9a-f]{12}\.js" data-worker="/sw\.js" defer>', page)


def test_the_service_worker_is_served_from_the_root_fresh_and_allowed_by_the_csp(client):
    response = client.get("/sw.js")
    script = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert response.headers["Cache-Control"] == "no-cache"
    assert "worker-src 'self'" in response.headers["Content-Security-Policy"]
    assert 'addEventListener("fetch"' in script
    # it knows the versioned names of what the card needs, and the addresses that end a session
    assert re.search(r'"/static/css/app\.[0-9a-f]{12}\.css"', script)
    assert re.search(r'"/static/js/voucher-card\.[0-9a-f]{12}\.js"', script)
    assert '"/logout"' in script and '"/account/delete"' in script
    assert r'"^/vouchers/(\\d+)/card$"' in script


def test_the_service_worker_answers_a_rider_who_still_owes_consent(make_client, world, ctx):
    with ctx() as session:
        session.get(User, world.rider).privacy_version = None
        session.commit()
    assert make_client(world.rider).get("/sw.js").status_code == 200
    assert make_client(world.rider).get("/manifest.webmanifest").status_code == 200


@pytest.mark.parametrize("url", ["/logout", "/account/logout-everywhere"])
def test_logging_out_tells_the_browser_to_clear_the_sites_cache(make_client, world, url):
    response = make_client(world.rider).post(url)
    assert response.status_code == 303 and response.headers["Clear-Site-Data"] == '"cache"'


def test_pages_do_not_clear_the_cache(make_client, world):
    assert "Clear-Site-Data" not in make_client(world.rider).get("/wallet").headers


@pytest.mark.parametrize(("lang", "name", "html_lang"), [("zh-CN", "暖新", "zh-Hans"), ("en", "Nuanxin", "en")])
def test_the_manifest_has_what_chromium_needs_to_install_the_app(client, lang, name, html_lang):
    manifest = client.get("/manifest.webmanifest", lang=lang).get_json()
    assert manifest["name"] == manifest["short_name"] == name and manifest["lang"] == html_lang
    assert manifest["id"] == "/" and manifest["start_url"] == "/" and manifest["scope"] == "/"
    assert manifest["display"] == "standalone" and manifest["dir"] == "ltr"
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"]) and manifest["background_color"]
    assert manifest["description"] and manifest.get("prefer_related_applications") is False
    purposes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= purposes


@pytest.mark.parametrize(("persona", "start"), [("rider", "/tasks"), ("staff", "/merchant/"),
                                                ("coordinator", "/coordinate/tasks")])
def test_the_manifests_start_url_opens_each_role_where_their_work_starts(make_client, world, persona, start):
    response = make_client(getattr(world, persona)).get("/")
    assert response.status_code == 302 and response.headers["Location"] == start
