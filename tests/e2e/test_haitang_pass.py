"""The Haitang pass in real browsers, two people at phone width: the rider opens "My pass", the building's guard
types its code in another browser and sees it valid and recorded, then opens the URL the QR code holds (what
the phone camera opens) and sees the rider already checked in. axe-core finds nothing on either page."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from extensions import db
from tests.e2e.test_main_loop import log_in, no_horizontal_scroll, text
from tests.factories import make_org, make_user
from tests.pass_factories import make_building, make_building_staff

pytestmark = pytest.mark.e2e


@pytest.fixture
def cast(live_app):
    """A rider (赵佳楠, food delivery, 美团) and the guard of a partner building (暖新大厦)."""
    with live_app.app_context():
        org = make_org("杨舍镇塘市办事处")
        rider = make_user(name="赵佳楠")
        guard = make_building_staff(make_building(org.id).id)
        db.session.commit()
        cast = {"rider": rider.phone, "guard": guard.phone}
        db.session.remove()
    return cast


def axe_failures(page, lang) -> list[str]:
    results = Axe().run(page)
    return [f"{lang} {page.url}: {[v['id'] for v in results.response['violations']]}"] if results.violations_count \
        else []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_guard_checks_the_pass_a_rider_shows_typed_then_scanned(live_server, live_app, cast, phone_context, lang):
    t = lambda message, **values: text(live_app, lang, message, **values)  # noqa: E731
    rider, guard = phone_context(lang), phone_context(lang)
    failures = []

    log_in(rider, live_server, cast["rider"], "/tasks", t("Volunteer tasks"))
    rider.goto(f"{live_server}/pass/")
    card = rider.locator(".day-pass")
    expect(card.locator(".qr svg")).to_be_visible()
    expect(card).to_contain_text(f"赵** · {t('Food delivery')} · 美团")
    expect(card).to_contain_text(t("valid today until 24:00"))
    code = card.locator(".pass-code").inner_text()
    assert re.fullmatch(r"\d+-\d{3} \d{3}", code), code
    scanned_url = card.get_attribute("data-check-url")
    assert scanned_url.startswith(f"{live_server}/building/check/")
    no_horizontal_scroll(rider)
    failures += axe_failures(rider, lang)

    log_in(guard, live_server, cast["guard"], "/building/check", "暖新大厦")
    guard.get_by_label(t("Pass code")).fill(code)
    guard.get_by_role("button", name=t("Check pass"), exact=True).click()
    verdict = guard.locator(".pass-verdict")
    recorded = re.escape(t("Valid — entry recorded at %(time)s", time="@")).replace("@", r"\d\d:\d\d")
    expect(verdict).to_contain_text(re.compile(recorded))
    expect(verdict).to_contain_text(f"赵** · {t('Food delivery')} · 美团")
    expect(guard.get_by_label(t("Pass code"))).to_be_focused()  # ready for the next rider
    expect(guard.get_by_label(t("Pass code"))).to_have_value("")
    no_horizontal_scroll(guard)
    failures += axe_failures(guard, lang)
    time = re.search(r"\d\d:\d\d", verdict.inner_text()).group(0)

    guard.goto(scanned_url)
    expect(guard.locator(".pass-verdict")).to_contain_text(
        t("Already checked in today at %(time)s; not counted again", time=time))
    expect(guard.get_by_role("button", name=t("Let in"))).to_have_count(0)
    no_horizontal_scroll(guard)
    failures += axe_failures(guard, lang)
    assert not failures, failures


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_pass_shows_with_no_signal_even_on_a_reload_and_goes_with_the_log_out(live_server, live_app, cast,
                                                                                   phone_context, lang):
    from core.offline import HAITANG_CACHE
    from tests.e2e.test_offline_voucher import until

    t = lambda message, **values: text(live_app, lang, message, **values)  # noqa: E731
    kept = f"async () => (await (await caches.open({HAITANG_CACHE!r})).keys()).map(r => new URL(r.url).pathname)"
    rider = phone_context(lang)
    rider.on("dialog", lambda dialog: dialog.accept())  # "Log out now?"
    log_in(rider, live_server, cast["rider"], "/tasks", t("Volunteer tasks"))
    rider.evaluate("async () => { await navigator.serviceWorker.ready; }")
    rider.goto(f"{live_server}/pass/")
    code = rider.locator(".day-pass .pass-code").inner_text()
    until(rider, f"async () => ({kept})().then(paths => paths.includes('/pass/'))")

    rider.context.set_offline(True)  # at the building's gate, no signal: the rider reloads the pass
    rider.reload()
    expect(rider.locator(".day-pass .pass-code")).to_have_text(code)
    expect(rider.locator(".day-pass .qr svg")).to_be_visible()
    expect(rider.locator(".day-pass")).to_contain_text(t("valid today until 24:00"))

    rider.context.set_offline(False)
    rider.get_by_role("button", name=t("Log out")).click()
    expect(rider).to_have_url(re.compile(r"/login"))
    until(rider, f"async () => ({kept})().then(paths => paths.length === 0)")
    rider.context.set_offline(True)
    rider.goto(f"{live_server}/pass/")
    expect(rider.get_by_role("heading", level=1)).to_have_text(t("No connection"))
    expect(rider.get_by_text(code)).to_have_count(0)
