"""axe-core on every page a person reaches: every GET route of the permission table, as each persona
(anonymous, rider, coordinator, merchant staff, admin, a partner building's guard), in Chinese and in English,
at phone width; each page must also fit 360 px without scrolling sideways.

One browser, one logged-in context per persona (the language is the ``lang`` cookie, switched between
rounds). Pages a persona may not see are visited too: their 403/404 pages must be as accessible as the rest.
Redirects (a log-in wall) and non-HTML answers (JSON, the balance fragment) are left out.
"""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from core.timeutil import utcnow
from extensions import db
from notifications.services import notify
from rewards import vouchers
from stations.models import AMENITIES
from tests.certificate_factories import certificate_cast
from tests.factories import PASSWORD, give_points, make_station_and_exceptions, make_task, make_world
from tests.integration.test_permissions import TABLE, wanted_status
from tests.pass_factories import pass_cast
from tests.report_admin_cast import report_admin_cast
from tests.report_factories import report_cast
from tests.settlement_factories import make_statements
from tests.station_factories import make_station
from volunteer import services

pytestmark = [pytest.mark.e2e, pytest.mark.route_crawl]

PERSONAS = ("anon", "rider", "coordinator", "staff", "admin", "building")  # building: issue 14's guard
# Answers that are not a page a person reads: JSON and the live fragments widgets poll.
NOT_PAGES = {"/healthz", "/favicon.ico", "/manifest.webmanifest", "/sw.js", "/account/data.json", "/wallet/balance",
             "/vouchers/{voucher}/status", "/inbox/unread", "/coordinate/tasks/{task}/check-in/code",
             "/coordinate/tasks/{task}/check-out/code",
             "/coordinate/stations/export.{ext}", "/stations/map",  # files; the map is 404 without tiles
             "/coordinate/accounts/import/template.csv", "/coordinate/tasks/import/template.csv",  # files
             "/open311/v2/services.json", "/open311/v2/requests.json", "/open311/v2/requests/{report_none}.json",
             "/reports/similar/{report}/photo.jpg", "/reports/photos/{report_photo}.jpg",  # JSON; photos
             "/dashboard/figures.xlsx", "/dashboard/charts/{chart}.svg",  # the dashboard's download and charts
             "/coordinate/statements/{statement}.{ext}", "/merchant/statements/{statement}.{ext}",  # downloads
             "/building/entries.{ext}", "/coordinate/buildings/figures.{ext}",  # issue 14's downloads
             "/api/v1/openapi.json", "/api/v1/till/vouchers/{code}", "/api/v1/platform/tasks",  # issue 15: JSON
             "/api/v1/platform/stations", "/api/v1/platform/reports/figures"}
AXE = Axe()


@pytest.fixture
def cast(live_app):
    """The permission table's world plus a sign-up, points and a voucher for the rider."""
    from accounts.models import User
    from rewards.models import Offer

    with live_app.app_context():
        world = make_world()
        rider = db.session.get(User, world.rider)
        give_points(rider.id, 100)
        signed = make_task(world.org, world.coordinator, title="已报名的任务")
        signup = services.sign_up(task=signed, rider=rider)
        voucher = vouchers.redeem_offer(offer=db.session.get(Offer, world.offer), rider=rider)
        passes = pass_cast(world)  # issue 14: a partner building, its guard, the rider's pass of today
        world.building = passes["building_staff"]
        for persona in PERSONAS[1:]:  # every inbox shows an unread and a read notification
            read = notify(user_id=getattr(world, persona), kind="attendance_recorded",
                          params={"title": "已报名的任务", "points": 30}, link="/my/tasks")
            read.read_at = read.created_at
            note = notify(user_id=getattr(world, persona), kind="task_cancelled",
                          params={"title": "已报名的任务", "starts_at": signed.starts_at}, link="/my/tasks")
        station = make_station(world.org, name="杨舍暖新窝", hours="08:00-21:00", amenities=",".join(AMENITIES))
        _other, station_exception, merchant_exception = make_station_and_exceptions(world)
        report_values = report_cast(world)  # issue 12: a report routed to a department
        report_admin = report_admin_cast(world.admin)
        statements = make_statements(world)  # issue 13: an issued statement with lines
        certificate = certificate_cast(world, utcnow())  # issue 13: the rider's certificate of service
        db.session.commit()
        values = {"task": world.task, "signed_task": signed.id, "signup": signup.id, "offer": world.offer,
                  "voucher": voucher.id, "code": voucher.code, "merchant": world.merchant, "rider": world.rider,
                  "staff": world.staff, "organisation": world.org, "notification": note.id,
                  "station": station.id, "station_exception": station_exception.id,
                  "merchant_exception": merchant_exception.id, "report": report_values["report"], "report_photo": 0,
                  "statement": statements.issued, **report_admin, "certificate": certificate.certificate,
                  "certificate_token": certificate.token, **passes}
        phones = {persona: db.session.get(User, getattr(world, persona)).phone
                  for persona in PERSONAS if persona != "anon"}
        db.session.remove()
    return values, phones


def pages_for(persona: str, values: dict) -> list[str]:
    """The URLs of the table's GET routes that answer ``persona`` with a page (not a redirect)."""
    rules = [rule for method, rule, expected, *_ in TABLE
             if method == "GET" and rule not in NOT_PAGES and wanted_status(persona, rule, expected) != 302]
    missing = {name for rule in rules for name in re.findall(r"\{(\w+)\}", rule)} - values.keys()
    assert not missing, f"give the cast fixture an object for {sorted(missing)}"
    return [rule.format(**values) for rule in rules]


def readable(url: str, lang: str, persona: str, results) -> str:
    """Each violation on one line with the selectors of the offending nodes (at most five)."""
    lines = [f"{persona} {lang} {url}: {results.violations_count} violation(s)"]
    for violation in results.response["violations"]:
        targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        lines.append(f"  [{violation['impact']}] {violation['id']}: {violation['help']} → {targets}")
        summary = violation["nodes"][0].get("failureSummary", "").replace("\n", " ")
        lines.append(f"      {summary[:300]}")
    return "\n".join(lines)


def log_in(page, base: str, phone: str) -> None:
    page.goto(base + "/login")
    page.locator("#phone").fill(phone)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(lambda url: "/login" not in url)


def test_axe_finds_no_violations_on_any_page_as_any_persona_in_either_language(browser, live_server, cast):
    values, phones = cast
    failures, visited = [], 0
    for persona in PERSONAS:
        context = browser.new_context(viewport={"width": 360, "height": 780}, is_mobile=True, has_touch=True)
        context.set_default_timeout(15_000)
        page = context.new_page()
        if persona != "anon":
            log_in(page, live_server, phones[persona])
        for lang in ("zh", "en"):
            context.add_cookies([{"name": "lang", "value": lang, "url": live_server}])
            for url in pages_for(persona, values):
                page.goto(live_server + url)
                results = AXE.run(page)
                visited += 1
                if results.violations_count:
                    failures.append(readable(url, lang, persona, results))
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > 360:  # a phone-first page never scrolls sideways (wide tables scroll in their box)
                    failures.append(f"{persona} {lang} {url}: {width} px wide at 360 px")
        context.close()
    assert visited > 100
    assert not failures, "\n" + "\n".join(failures)
