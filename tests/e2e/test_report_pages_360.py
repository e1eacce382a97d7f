"""Every report page at 360 px, in Chinese and in English, for the rider, the coordinator, the department's staff
and the admin: none scrolls sideways, even with reports in every status, long notes and an unbroken string (a
pasted link) in a description."""

import pytest
from flask import current_app

from accounts.models import User
from extensions import db
from reports import services
from tests.e2e.conftest import TIMEOUT_MS
from tests.e2e.test_accessibility import log_in
from tests.factories import make_world
from tests.report_admin_cast import report_admin_cast
from tests.report_factories import make_report, photo_bytes, report_cast
from tests.station_factories import HERE, east_of

pytestmark = [pytest.mark.e2e, pytest.mark.route_crawl]

LONG = "https://uri.amap.com/marker?position=120.5530,31.8750&name=%E8%B7%AF%E5%8F%A3%E4%BA%95%E7%9B%96"
NOTE = "已安排人员到现场更换井盖并设置临时围挡，" * 8


@pytest.fixture
def cast(live_app):
    """The permission table's world and reports: routed, resolved (note, after photo), closed (points),
    rejected (a long reason) and submitted (a pasted link in the description, a long address)."""
    with live_app.app_context():
        world = make_world()
        values = {**report_cast(world), **report_admin_cast(world.admin)}
        rider, coordinator = db.session.get(User, world.rider), db.session.get(User, world.coordinator)
        staff = db.session.get(User, values["department_staff"])
        with current_app.test_request_context():
            made = [make_report(rider, at=east_of(HERE, 200 * (i + 1)), description=f"第{i + 1}个问题：{LONG}",
                            address="张家港市杨舍镇人民中路与长安路交叉口东南角公交站台旁" * 2) for i in range(4)]
        for report in made[:3]:
            services.accept_report(report=report, coordinator=coordinator)
        for report in made[:2]:
            services.resolve_report(report=report, staff=staff, note=NOTE, photo=("after.jpg", photo_bytes((640, 480))))
        services.confirm_fix(report=made[1], reporter=rider)
        services.reject_report(report=made[2], actor=coordinator, reason=NOTE)
        db.session.commit()
        values.update(resolved=made[0].id, closed=made[1].id, rejected=made[2].id, submitted=made[3].id)
        admin = db.session.get(User, world.admin)
        phones = {"rider": rider.phone, "coordinator": coordinator.phone, "admin": admin.phone,
                  "department": staff.phone}
        db.session.remove()
    return values, phones


REPORTS = ("report", "resolved", "closed", "rejected", "submitted")


def pages(values) -> dict[str, list[str]]:
    """The report pages each persona reaches."""
    return {
        "rider": ["/reports/new", "/reports/", *(f"/reports/{values[r]}" for r in REPORTS)],
        "coordinator": ["/coordinate/reports/", "/coordinate/reports/?status=all", "/coordinate/reports/figures",
                        *(f"/coordinate/reports/{values[r]}" for r in REPORTS)],
        "department": ["/department/reports/", "/department/reports/?status=all",
                       *(f"/department/reports/{values[r]}" for r in ("report", "resolved", "closed"))],
        "admin": ["/admin/reports/", "/admin/reports/departments/new",
                  f"/admin/reports/departments/{values['department']}",
                  f"/admin/reports/departments/{values['department']}/staff/new", "/admin/reports/categories",
                  f"/admin/reports/categories/{values['category']}", "/admin/reports/keys", "/admin/reports/keys/new",
                  "/coordinate/reports/", "/coordinate/reports/figures", f"/coordinate/reports/{values['closed']}"],
    }


def test_no_report_page_scrolls_sideways_at_360_px_in_either_language(browser, live_server, cast):
    values, phones = cast
    too_wide = []
    for persona, urls in pages(values).items():
        context = browser.new_context(viewport={"width": 360, "height": 780}, is_mobile=True, has_touch=True)
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        log_in(page, live_server, phones[persona])
        for lang in ("zh", "en"):
            context.add_cookies([{"name": "lang", "value": lang, "url": live_server}])
            for url in urls:
                response = page.goto(live_server + url)
                assert response.status == 200, (persona, url, response.status)
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > 360:
                    wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
                        .filter(e => e.getBoundingClientRect().right > 361)
                        .map(e => e.tagName + '.' + e.className).slice(0, 5)""")
                    too_wide.append(f"{persona} {lang} {url}: {width} px {wide}")
        context.close()
    assert not too_wide, "\n" + "\n".join(too_wide)
