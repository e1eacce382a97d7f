"""A certificate of service in a real browser at 360 px, in Chinese and in English: the rider issues and opens
it; printed (print media), the app's header, navigation and buttons are gone and it fits one A4 page (a real
PDF from Chromium); the QR code on it encodes exactly the address written under it (re-drawn with segno
from that address); that address opened logged out shows the masked name, the hours and the issue date and
no phone number; a coordinator revokes the certificate and the same public page says it is revoked. axe-core
finds nothing on any of these pages."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import segno
from axe_playwright_python.sync_playwright import Axe
from flask_babel import force_locale, gettext, ngettext
from playwright.sync_api import expect

from extensions import db
from tests.certificate_factories import make_verified_service
from tests.factories import PASSWORD, make_org, make_user

pytestmark = pytest.mark.e2e
FIRST = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
CM_IN_CSS_PX = 96 / 2.54
PHONE = re.compile(r"(?<!\d)1\d{10}(?!\d)")


@pytest.fixture
def served(live_app):
    """A rider with two tasks of verified service (2 h 30 min and 1 h) for an organisation and its coordinator."""
    with live_app.app_context():
        org = make_org("塘市办事处")
        coordinator = make_user("coordinator", "陈丽华", org.id)
        rider = make_user(name="赵佳楠")
        make_verified_service(rider.id, org.id, coordinator.id, starts_at=FIRST, minutes=150,
                              title="暖新窝门口文明停车引导")
        make_verified_service(rider.id, org.id, coordinator.id, starts_at=FIRST + timedelta(days=7), minutes=60,
                              title="社区消防通道巡查")
        db.session.commit()
        people = {"rider": rider.phone, "coordinator": coordinator.phone}
        db.session.remove()
    return people


def t(app, lang, message, **values):
    with app.test_request_context(), force_locale(lang):
        return gettext(message, **values)


def tn(app, lang, singular, plural, num):
    with app.test_request_context(), force_locale(lang):
        return ngettext(singular, plural, num)


def log_in(page, base, phone):
    page.goto(base + "/login")
    page.locator("#phone").fill(phone)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/login"))


def no_violations(page):
    results = Axe().run(page)
    assert results.violations_count == 0, [(v["id"], [n["target"] for n in v["nodes"][:3]])
                                           for v in results.response["violations"]]


def pdf_pages(data: bytes) -> int:
    """Pages of a PDF Chromium wrote: its ``/Type /Page`` objects (not the ``/Type /Pages`` tree)."""
    return len(re.findall(rb"/Type\s*/Page(?!s)", data))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_printed_certificate_is_checked_through_its_qr_code_and_then_revoked(
        browser, live_server, live_app, served, phone_context, lang):
    hours = t(live_app, lang, "%(hours)s and %(minutes)s", hours=tn(live_app, lang, "%(num)d hour", "%(num)d hours", 3),
              minutes=tn(live_app, lang, "%(num)d minute", "%(num)d minutes", 30))
    assert hours == ("3小时30分钟" if lang == "zh" else "3 hours and 30 minutes")

    # The rider issues a certificate and opens it.
    rider = phone_context(lang)
    log_in(rider, live_server, served["rider"])
    rider.goto(live_server + "/certificates/")
    no_violations(rider)
    rider.get_by_role("button", name=t(live_app, lang, "Issue a new certificate")).click()
    expect(rider).to_have_url(re.compile(r"/certificates/\d+$"))
    expect(rider.get_by_role("heading", level=1)).to_have_text(t(live_app, lang, "Certificate of volunteer service"))
    certificate = rider.locator("article.certificate")
    expect(certificate.locator(".certificate-name")).to_have_text("赵佳楠")
    expect(certificate.locator(".certificate-hours")).to_have_text(hours)
    expect(certificate.locator("tbody tr")).to_have_count(2)
    expect(certificate).to_contain_text("暖新窝门口文明停车引导")
    expect(certificate).to_contain_text("2026年11月2日" if lang == "zh" else "2 November 2026")
    expect(rider.get_by_role("button", name=t(live_app, lang, "Print"))).to_be_visible()  # print.js showed it
    assert rider.evaluate("document.documentElement.scrollWidth") <= 360
    no_violations(rider)

    # Printed: no header, navigation or buttons; black on white; the QR code at least 3 cm; one A4 page.
    rider.emulate_media(media="print")
    expect(rider.locator("header.top")).to_be_hidden()
    expect(rider.locator("nav.bottom-nav")).to_be_hidden()
    expect(rider.get_by_role("button", name=t(live_app, lang, "Print"))).to_be_hidden()
    expect(certificate).to_be_visible()
    assert rider.evaluate("getComputedStyle(document.querySelector('article.certificate')).color") == "rgb(0, 0, 0)"
    qr_box = certificate.locator(".certificate-qr svg").bounding_box()
    assert qr_box["width"] >= 3 * CM_IN_CSS_PX and qr_box["height"] >= 3 * CM_IN_CSS_PX
    pdf = rider.pdf(format="A4", prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF-") and pdf_pages(pdf) == 1
    rider.emulate_media(media="screen")

    # The QR code encodes the address written under it: segno draws that address into the very same code.
    shown = certificate.locator("a.verify-link").inner_text().strip()
    assert re.fullmatch(re.escape(live_server) + r"/certificates/verify/[A-Za-z0-9_-]{43}", shown)
    assert certificate.locator("a.verify-link").get_attribute("href") == shown
    drawn = segno.make(shown, error="m").svg_inline(scale=6, border=2, dark="#000", light="#fff", omitsize=True)
    on_page = certificate.locator(".certificate-qr svg")
    paths = on_page.locator("path").evaluate_all("paths => paths.map(p => p.getAttribute('d'))")
    assert paths == re.findall(r' d="([^"]+)"', drawn) and len(paths[-1]) > 200  # the light square, the modules
    assert on_page.get_attribute("viewBox") == re.search(r'viewBox="([^"]+)"', drawn).group(1)
    issued_on = certificate.locator(".certificate-issued").inner_text().strip()

    # Anyone, logged out, in a new browser context, opens that address.
    public_context = browser.new_context(viewport={"width": 360, "height": 780},
                                         locale="zh-CN" if lang == "zh" else "en-US")
    public = public_context.new_page()
    response = public.goto(shown)
    assert response.status == 200 and response.headers["x-robots-tag"].startswith("noindex")
    expect(public.locator(".verdict-valid")).to_contain_text(t(live_app, lang, "Valid (certificate status)"))
    expect(public.locator(".masked-name")).to_have_text("赵**")
    expect(public.locator(".verified-hours")).to_have_text(hours)
    expect(public.locator(".issued-on")).to_have_text(issued_on)
    content = public.content()
    assert "赵佳楠" not in content and served["rider"] not in content and not PHONE.search(content)
    expect(public.get_by_role("link", name=t(live_app, lang, "Log in"))).to_be_visible()  # nobody is logged in
    no_violations(public)

    # A coordinator of the organisation on it revokes it, with a reason.
    coordinator = phone_context(lang)
    log_in(coordinator, live_server, served["coordinator"])
    coordinator.goto(live_server + "/certificates/issued")
    no_violations(coordinator)
    coordinator.get_by_role("link", name=t(live_app, lang, "Revoke…")).click()
    expect(coordinator.get_by_role("heading", level=1)).to_contain_text(re.compile(r"\d"))
    no_violations(coordinator)
    coordinator.get_by_label(t(live_app, lang, "Reason for revoking")).fill("服务时长登记有误")
    coordinator.get_by_role("button", name=t(live_app, lang, "Revoke the certificate")).click()
    expect(coordinator.locator(".flash-success")).to_be_visible()
    expect(coordinator.locator(".card").first).to_contain_text("服务时长登记有误")

    # The same public address now says it is revoked (without the reason).
    public.reload()
    expect(public.locator(".verdict-revoked")).to_contain_text(t(live_app, lang, "Revoked (certificate status)"))
    expect(public.locator(".verdict-valid")).to_have_count(0)
    assert "服务时长登记有误" not in public.content()
    no_violations(public)
    public_context.close()

    # The rider's certificate says so too, with the reason.
    rider.reload()
    expect(rider.locator(".certificate-revoked")).to_contain_text("服务时长登记有误")
