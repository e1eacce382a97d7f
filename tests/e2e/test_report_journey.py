"""A problem report's whole journey in a real browser, three people on three phones (360 × 780), in Chinese and
in English: the rider files a report with a photo → the organisation's coordinator accepts it from the triage
queue (it goes to the category's department) → that department's staff resolve it with a note and an "after"
photo → the rider sees it resolved, confirms the fix and sees the points in the wallet. Axe runs on the staff
pages; no page scrolls sideways."""

import re

import pytest
import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe
from flask_babel import force_locale, ngettext
from playwright.sync_api import expect

from accounts.models import User
from extensions import db
from points.models import LedgerEntry
from reports.models import Report
from tests.e2e.conftest import TIMEOUT_MS
from tests.e2e.test_accessibility import log_in
from tests.e2e.test_main_loop import no_horizontal_scroll
from tests.e2e.test_station_form import text
from tests.factories import make_world
from tests.report_factories import make_departments, photo_bytes
from tests.station_factories import HERE

pytestmark = pytest.mark.e2e
AXE = Axe()


@pytest.fixture
def cast(live_app):
    """The world's rider (linked to the coordinator's organisation) and the three departments with staff."""
    with live_app.app_context():
        world = make_world()
        departments = make_departments()
        db.session.commit()
        phones = {"rider": db.session.get(User, world.rider).phone,
                  "coordinator": db.session.get(User, world.coordinator).phone,
                  "department": departments.transport_staff.phone, "rider_id": world.rider,
                  "transport": departments.transport.name}
        db.session.remove()
    return phones


def axe_clean(page):
    results = AXE.run(page)
    assert results.violations_count == 0, [v["id"] for v in results.response["violations"]]


def counted(app, lang, singular, plural, num, **values):
    with app.test_request_context(), force_locale(lang):
        return ngettext(singular, plural, num, **values)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_report_is_filed_resolved_by_the_department_and_confirmed_for_points(browser, live_server, live_app, cast,
                                                                              tmp_path, lang):
    t = lambda message, **values: text(live_app, lang, message, **values)  # noqa: E731
    contexts = []

    def phone(**options):
        context = browser.new_context(viewport={"width": 360, "height": 780}, is_mobile=True, has_touch=True,
                                      **options)
        context.set_default_timeout(TIMEOUT_MS)
        context.add_cookies([{"name": "lang", "value": lang, "url": live_server}])
        contexts.append(context)
        return context.new_page()

    try:
        # A: the rider files a report with a photo; the phone gives the position (allowed before).
        rider = phone(geolocation={"latitude": HERE[0], "longitude": HERE[1], "accuracy": 8},
                      permissions=["geolocation"])
        log_in(rider, live_server, cast["rider"])
        rider.goto(live_server + "/reports/new")
        expect(rider.get_by_role("heading", level=1)).to_have_text(t("Report a problem"))
        expect(rider.locator("[data-locate-status]")).to_contain_text("8")
        before = tmp_path / "before.jpg"
        before.write_bytes(photo_bytes((1200, 900)))
        rider.locator("#photos").set_input_files(str(before))
        expect(rider.locator(".photo-previews canvas")).to_have_count(1)
        expect(rider.locator("#report-form[data-busy]")).to_have_count(0)
        rider.locator(".tile", has_text=t("Road facilities")).click()
        rider.locator("#description").fill("路灯不亮，晚上看不清路")
        no_horizontal_scroll(rider)
        rider.get_by_role("button", name=t("Send report")).click()
        expect(rider).to_have_url(re.compile(re.escape(live_server) + r"/reports/\d+$"))
        expect(rider.get_by_role("heading", level=1)).to_contain_text(t("Road facilities"))
        expect(rider.locator(".report-status")).to_contain_text(t("Submitted"))
        expect(rider.locator(".report-photos img")).to_have_count(1)
        report_url = rider.url
        report_id = int(report_url.rsplit("/", 1)[1])
        no_horizontal_scroll(rider)

        # B: the coordinator finds it in the triage queue and accepts it: it goes to the transport department.
        coordinator = phone()
        log_in(coordinator, live_server, cast["coordinator"])
        coordinator.locator(".bottom-nav").get_by_role("link", name=t("Reports")).click()
        expect(coordinator.get_by_role("heading", level=1)).to_have_text(t("Problem reports"))
        no_horizontal_scroll(coordinator)
        coordinator.locator(".report-card", has_text="路灯不亮").click()
        expect(coordinator.get_by_role("heading", level=1)).to_have_text(t("Report #%(id)d", id=report_id))
        expect(coordinator.locator("main")).to_contain_text("路灯不亮，晚上看不清路")
        no_horizontal_scroll(coordinator)
        axe_clean(coordinator)
        coordinator.get_by_role("button", name=re.compile(re.escape(t("Accept")))).click()
        expect(coordinator.locator(".flash")).to_contain_text(
            t("Report accepted and sent to %(department)s.", department=cast["transport"]))
        expect(coordinator.locator("main")).to_contain_text(t("With the department"))
        expect(coordinator.locator(".timeline")).to_contain_text(
            t("%(step)s: %(detail)s", step=t("Sent to the department"), detail=cast["transport"]))
        no_horizontal_scroll(coordinator)
        axe_clean(coordinator)

        # C: the department's staff see it in their queue and resolve it with a note and an "after" photo.
        staff = phone()
        log_in(staff, live_server, cast["department"])
        expect(staff.get_by_role("heading", level=1)).to_have_text(
            t("Reports for %(department)s", department=cast["transport"]))
        card = staff.locator(".report-card", has_text="路灯不亮")
        expect(card).to_contain_text(t("With the department"))
        no_horizontal_scroll(staff)
        axe_clean(staff)
        card.click()
        expect(staff.get_by_role("heading", level=1)).to_have_text(t("Report #%(id)d", id=report_id))
        no_horizontal_scroll(staff)
        axe_clean(staff)
        after = tmp_path / "after.jpg"
        after.write_bytes(photo_bytes((800, 600), colour=(40, 160, 80)))
        staff.locator("#note").fill("已更换灯泡，路灯恢复照明")
        staff.locator("#photo").set_input_files(str(after))
        staff.get_by_role("button", name=t("Mark as resolved")).click()
        expect(staff.locator(".flash")).to_contain_text(
            t("Marked as resolved. The reporter is asked to confirm the fix."))
        expect(staff.locator("main")).to_contain_text(t("Resolved: waiting for the reporter to confirm the fix."))
        no_horizontal_scroll(staff)
        axe_clean(staff)

        # A again: the inbox tells the rider; the report's page shows it resolved with the note and the after
        # photo; the rider confirms and sees the points on the page, in "My reports" and in the wallet.
        rider.goto(live_server + "/inbox")
        news = t("Report #%(report)s is resolved: %(note)s Please check and confirm the fix, or say it is not fixed.",
                 report=report_id, note="已更换灯泡，路灯恢复照明。")  # the full stop added before the next sentence
        note = rider.locator(".note", has_text=news)
        expect(note).to_have_count(1)
        no_horizontal_scroll(rider)
        note.locator("a").click()
        expect(rider).to_have_url(report_url)
        expect(rider.locator(".report-status")).to_contain_text(t("Resolved"))
        resolved = rider.locator(".timeline li", has_text=t("Resolved by the department"))
        expect(resolved).to_contain_text("已更换灯泡，路灯恢复照明")
        after_photo = resolved.get_by_role("img", name=t("Photo after the fix"))
        expect(after_photo).to_be_visible()
        # Wait for the load to finish (the photo may be lazy, or slow on a busy machine), then check it decoded.
        after_photo.scroll_into_view_if_needed()
        rider.wait_for_function("img => img.complete", arg=after_photo.element_handle())
        assert rider.evaluate("img => img.naturalWidth", after_photo.element_handle()) > 0
        no_horizontal_scroll(rider)
        rider.get_by_role("button", name=re.compile(re.escape(t("Fixed — confirm")))).click()
        expect(rider.locator(".flash").first).to_contain_text(counted(
            live_app, lang, "Thank you for confirming! %(num)d point was added to your wallet.",
            "Thank you for confirming! %(num)d points were added to your wallet.", 10))
        expect(rider.locator(".report-status")).to_contain_text({"zh": "已办结", "en": "Closed"}[lang])
        expect(rider.get_by_role("button", name=re.compile(re.escape(t("Fixed — confirm"))))).to_have_count(0)
        expect(rider.locator("main")).to_contain_text(counted(
            live_app, lang, "This report brought you %(num)d point.", "This report brought you %(num)d points.", 10))
        expect(rider.locator("#balance .balance-value")).to_have_text("10")
        no_horizontal_scroll(rider)
        rider.goto(live_server + "/reports/")
        expect(rider.locator(".report-points")).to_have_text(counted(
            live_app, lang, "Your reports have brought you %(num)d point.",
            "Your reports have brought you %(num)d points.", 10))
        no_horizontal_scroll(rider)
        rider.goto(live_server + "/wallet")
        expect(rider.locator("#wallet-balance")).to_have_text("10")
        no_horizontal_scroll(rider)
    finally:
        for context in contexts:
            context.close()

    with live_app.app_context():
        report = db.session.get(Report, report_id)
        assert report.status == "closed"
        entries = db.session.scalars(sa.select(LedgerEntry).where(LedgerEntry.report_id == report_id)).all()
        assert [(e.key, e.amount, e.rider_id) for e in entries] == [(f"award:report:{report_id}", 10,
                                                                     cast["rider_id"])]
        db.session.remove()
