"""Issue 15's "done when": a rider opens a voucher, the signal goes, the page says the poll failed, a reload
shows the kept card; after logging out the card is gone. Also: a voucher redeemed while its page is open
leaves no card behind, and a card left open turns to "expired" at its expiry time.

Deterministic: the tests wait for the service worker to be ready and for the card to be in Cache Storage
(polled from the page), never for a time. Screenshots of the card at 360 px land in ``E2E_SCREENSHOTS`` when
that is set (a folder), so a person can look at them."""

import os
import re
import uuid
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask_babel import force_locale, gettext
from playwright.sync_api import expect

from accounts.models import User
from core.offline import CARD_CACHE
from core.timeutil import utcnow
from extensions import db
from rewards import vouchers
from rewards.models import Offer, Voucher
from tests.factories import PASSWORD, give_points, make_merchant, make_offer, make_staff, make_user

pytestmark = pytest.mark.e2e

AXE = Axe()
STILL_VALID = "Offline — this code is still valid; the restaurant confirms it online."
CARDS = f"async () => (await (await caches.open({CARD_CACHE!r})).keys()).map(r => new URL(r.url).pathname)"


@pytest.fixture
def cast(live_app):
    """A rider with an issued voucher at 暖新小厨, and the restaurant's staff."""
    with live_app.app_context():
        rider = make_user(name="赵佳楠")
        merchant = make_merchant("暖新小厨")
        staff = make_staff(merchant.id)
        offer = make_offer(merchant.id, title="暖心盒饭一份", points_cost=30, face_value_fen=1500)
        give_points(rider.id, 30)
        voucher = vouchers.redeem_offer(offer=db.session.get(Offer, offer.id), rider=db.session.get(User, rider.id))
        db.session.commit()
        values = {"rider": rider.phone, "voucher": voucher.id, "code": voucher.code, "staff": staff.id}
        db.session.remove()
    return values


def words(app, lang, message, **values):
    with app.test_request_context(), force_locale(lang):
        return gettext(message, **values)


def grouped(code):
    return " ".join(code[i:i + 4] for i in range(0, 16, 4))


def log_in(page, base, phone):
    page.goto(base + "/login")
    page.locator("#phone").fill(phone)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/login"))


def until(page, check: str):
    """Wait (up to the page's timeout) until the async JavaScript function ``check`` resolves to a truthy value;
    returns a handle to that value. ``page.wait_for_function`` alone would not do: it takes the Promise an
    async function returns for a truthy value and returns at once. Each poll here starts ``check`` (unless the
    last one is still running) and answers with the last value it resolved to."""
    box = f"window[{'__until_' + uuid.uuid4().hex!r}]"
    return page.wait_for_function(f"""() => {{
        const box = {box} || ({box} = {{running: false, value: false}});
        if (!box.running) {{
            box.running = true;
            Promise.resolve().then({check})
                .then(value => {{ box.value = value; }}, () => {{ box.value = false; }})
                .finally(() => {{ box.running = false; }});
        }}
        return box.value;
    }}""")


def open_voucher_and_wait_for_its_card(page, base, voucher_id):
    page.goto(f"{base}/vouchers/{voucher_id}")
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    until(page, f"async () => ({CARDS})().then(cards => cards.includes('/vouchers/{voucher_id}/card'))")


def screenshot(page, name):
    folder = os.environ.get("E2E_SCREENSHOTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=os.path.join(folder, name), full_page=True)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_voucher_shows_offline_from_its_kept_card_until_the_rider_logs_out(live_server, live_app, cast,
                                                                               phone_context, lang):
    page = phone_context(lang)
    context = page.context
    page.on("dialog", lambda dialog: dialog.accept())  # "Log out now?"
    log_in(page, live_server, cast["rider"])
    open_voucher_and_wait_for_its_card(page, live_server, cast["voucher"])

    # The signal goes while the voucher is open: the failed poll is said, with the time it last answered.
    context.set_offline(True)
    note = page.locator(".poll-note")
    said = words(live_app, lang, "No connection — last checked %(time)s; the code still works.", time="@@")
    expect(note).to_have_text(re.compile(re.escape(said).replace("@@", r"\d\d:\d\d")))
    screenshot(page, f"poll-failed-{lang}.png")

    # A reload with no network shows the kept card: the digits, the QR code and what "offline" means.
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("暖心盒饭一份")
    expect(page.locator(".code")).to_have_text(grouped(cast["code"]))
    expect(page.locator(".qr svg")).to_be_visible()
    expect(page.locator(".offline-notice")).to_contain_text(words(live_app, lang, STILL_VALID))
    expect(page.locator(".offline-notice")).to_contain_text(re.compile(r"\d\d:\d\d"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, f"offline-card-{lang}.png")
    assert AXE.run(page).violations_count == 0

    # Back online, the rider logs out: the card is dropped, and with no network the voucher is not there.
    context.set_offline(False)
    page.goto(f"{live_server}/vouchers/{cast['voucher']}")
    page.get_by_role("button", name=words(live_app, lang, "Log out")).click()
    expect(page).to_have_url(re.compile(r"/login"))
    until(page, f"async () => ({CARDS})().then(cards => cards.length === 0)")
    context.set_offline(True)
    page.goto(f"{live_server}/vouchers/{cast['voucher']}")
    expect(page.get_by_role("heading", level=1)).to_have_text(words(live_app, lang, "No connection"))
    expect(page.get_by_text(grouped(cast["code"]))).to_have_count(0)
    screenshot(page, f"offline-no-card-{lang}.png")
    assert AXE.run(page).violations_count == 0


def test_a_voucher_redeemed_while_open_leaves_no_card_to_show_offline(live_server, live_app, cast, phone_context):
    page = phone_context("en")
    log_in(page, live_server, cast["rider"])
    open_voucher_and_wait_for_its_card(page, live_server, cast["voucher"])
    with live_app.app_context():
        vouchers.confirm_voucher(code=cast["code"], staff=db.session.get(User, cast["staff"]))
        db.session.commit()
        db.session.remove()
    expect(page.locator(".big-status.ok")).to_be_visible()  # the poll got the final answer (286)...
    until(page, f"async () => ({CARDS})().then(cards => cards.length === 0)")  # ...and the card went
    page.context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("No connection")
    expect(page.get_by_text(grouped(cast["code"]))).to_have_count(0)


def test_a_card_left_open_turns_to_expired_at_its_expiry_time(live_server, live_app, cast, phone_context):
    with live_app.app_context():
        expires = utcnow() + timedelta(minutes=30)
        db.session.get(Voucher, cast["voucher"]).expires_at = expires
        db.session.commit()
        db.session.remove()
    page = phone_context("en")
    log_in(page, live_server, cast["rider"])
    page.clock.install()
    page.goto(f"{live_server}/vouchers/{cast['voucher']}/card")
    expect(page.locator(".code")).to_have_text(grouped(cast["code"]))
    page.clock.fast_forward("31:00")
    expect(page.locator(".offline-card")).to_have_attribute("data-state", "expired")
    expect(page.locator(".code")).to_have_count(0)
    expect(page.locator(".qr")).to_have_count(0)
    expect(page.get_by_text("Expired on")).to_be_visible()



def test_chromium_finds_the_app_installable(live_server, cast, browser_type, browser_type_launch_args, tmp_path):
    """What Chromium checks before it offers to install (what Lighthouse's installability audit asked): a
    manifest it reads without errors (name, icons, start URL, standalone display) and a worker in control.
    A persistent profile, because Chromium never offers to install from an incognito-like context."""
    context = browser_type.launch_persistent_context(str(tmp_path / "profile"), **browser_type_launch_args,
                                                     viewport={"width": 360, "height": 780}, is_mobile=True,
                                                     has_touch=True, locale="zh-CN")
    try:
        page = context.pages[0] if context.pages else context.new_page()
        log_in(page, live_server, cast["rider"])
        page.evaluate("async () => { await navigator.serviceWorker.ready; }")
        page.reload()  # now under the worker's control, as an installed app's start page would be
        assert page.evaluate("!!navigator.serviceWorker.controller")
        cdp = context.new_cdp_session(page)
        manifest = cdp.send("Page.getAppManifest")
        assert not manifest["errors"], manifest["errors"]
        assert manifest["manifest"]["name"] == "暖新" and manifest["manifest"]["display"] == "kStandalone"
        assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
    finally:
        context.close()


def test_the_worker_keeps_the_cards_of_the_last_five_vouchers_and_a_tap_in_the_list_opens_one_offline(
        live_server, live_app, phone_context):
    with live_app.app_context():
        rider = make_user(name="赵佳楠")
        offer = make_offer(make_merchant("暖新小厨").id, title="暖心盒饭一份", points_cost=10, per_rider_limit=10)
        give_points(rider.id, 60)
        ids = [vouchers.redeem_offer(offer=db.session.get(Offer, offer.id), rider=db.session.get(User, rider.id)).id
               for _ in range(6)]
        db.session.commit()
        phone = rider.phone
        db.session.remove()
    page = phone_context("en")
    log_in(page, live_server, phone)
    for voucher_id in ids:
        open_voucher_and_wait_for_its_card(page, live_server, voucher_id)
    until(page, f"async () => ({CARDS})().then(cards => cards.length === 5)")  # trimmed after the put
    kept = page.evaluate(CARDS)
    assert sorted(kept) == sorted(f"/vouchers/{voucher_id}/card" for voucher_id in ids[1:])  # the oldest went

    page.goto(f"{live_server}/vouchers")
    page.context.set_offline(True)
    page.locator(f'a[href="/vouchers/{ids[-1]}"]').click()  # a boosted link: the worker has the page reloaded
    expect(page).to_have_url(f"{live_server}/vouchers/{ids[-1]}")
    expect(page.locator(".offline-notice")).to_be_visible()
    page.goto(f"{live_server}/vouchers/{ids[0]}")  # its card is no longer kept
    expect(page.get_by_role("heading", level=1)).to_have_text("No connection")


@pytest.mark.parametrize(("state", "expires"), [("issued", "2000-01-01T00:00:00Z"),
                                                ("redeemed", "2999-01-01T00:00:00Z"), ("issued", "not a time")])
def test_the_worker_never_serves_a_kept_card_that_is_not_usable(live_server, cast, phone_context, state, expires):
    """A card the worker finds past its expiry by the phone's clock (or of a voucher no longer issued, or with
    an unreadable expiry) is removed instead of shown."""
    page = phone_context("en")
    log_in(page, live_server, cast["rider"])
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    card = f"/vouchers/{cast['voucher']}/card"
    page.evaluate("""async ([name, url, state, expires]) => {
        const cache = await caches.open(name);
        await cache.put(url, new Response("<h1>USABLE CODE</h1>", {headers: {"Content-Type": "text/html",
            "X-Voucher-State": state, "X-Voucher-Expires": expires, "X-Card-Kept": String(Date.now())}}));
    }""", [CARD_CACHE, card, state, expires])
    page.context.set_offline(True)
    page.goto(f"{live_server}/vouchers/{cast['voucher']}")
    expect(page.get_by_role("heading", level=1)).to_have_text("No connection")
    assert page.evaluate(CARDS) == []


def test_while_the_voucher_is_open_its_answered_polls_keep_the_card_fresh(live_server, live_app, cast,
                                                                         phone_context):
    live_app.config["OFFLINE_CARD_REFRESH_SECONDS"] = 0  # every answered poll refreshes the kept card
    page = phone_context("en")
    log_in(page, live_server, cast["rider"])
    open_voucher_and_wait_for_its_card(page, live_server, cast["voucher"])
    kept_at = f"""async () => {{
        const card = await (await caches.open({CARD_CACHE!r})).match('/vouchers/{cast["voucher"]}/card',
                                                                    {{ignoreVary: true}});
        return card ? Number(card.headers.get('X-Card-Kept')) : 0;  // 0 for a moment while a put replaces it
    }}"""
    first = until(page, kept_at).json_value()
    assert first > 0
    until(page, f"async () => ({kept_at})().then(at => at > {first})")
