"""Importing stations in a real browser at phone width, in Chinese and in English: upload a file with a bad row,
read the preview, import the good rows only, and find the export link; no horizontal scroll, no axe violations."""

import pytest
import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from extensions import db
from stations.models import Station
from tests.e2e.test_main_loop import counted, log_in, no_horizontal_scroll, text
from tests.factories import make_org, make_user

pytestmark = pytest.mark.e2e

FILE = ("名称,类型,地址,纬度,经度,坐标系,设施,电话,启用,节假日安排,星期一,星期二,星期三,星期四,星期五,星期六,星期日\n"
        "杨舍暖新窝,社区中心,人民中路1号,31.875,120.553,高德,饮用水、厕所,0512-58681234,是,,08:00-21:00,"
        "08:00-21:00,08:00-21:00,08:00-21:00,08:00-21:00,休息,24小时\n"
        "塘市驿站,飞船,塘市路2号,北纬,120.5,GPS,,,是,,25:00-26:00,,,,,,\n")


@pytest.fixture
def coordinator(live_app):
    with live_app.app_context():
        org = make_org("杨舍镇塘市办事处")
        person = make_user("coordinator", "陈丽华", org.id)
        db.session.commit()
        phone, org_id = person.phone, org.id
        db.session.remove()
    return phone, org_id


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_coordinator_imports_the_good_rows_of_a_file_on_a_phone(live_server, live_app, coordinator, phone_context,
                                                                 lang, tmp_path):
    phone, org_id = coordinator
    page = phone_context(lang)
    page.context.add_cookies([{"name": "lang", "value": lang, "url": live_server}])
    log_in(page, live_server, phone, "/coordinate/tasks",
           text(live_app, lang, "Tasks of %(org)s", org="杨舍镇塘市办事处"))
    page.goto(live_server + "/coordinate/stations/import")
    expect(page.get_by_role("heading", level=1)).to_have_text(text(live_app, lang, "Import and export stations"))
    expect(page.get_by_role("link", name=text(live_app, lang, "Download CSV"))).to_have_attribute(
        "href", "/coordinate/stations/export.csv")
    no_horizontal_scroll(page)
    upload = tmp_path / "stations.csv"
    upload.write_bytes(FILE.encode("gb18030"))  # as Chinese Excel saves "CSV"
    page.locator("input[type=file]").set_input_files(str(upload))
    page.get_by_role("button", name=text(live_app, lang, "Check the file")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(text(live_app, lang, "Check the import"))
    expect(page.locator("#import-counts")).to_contain_text(
        text(live_app, lang, "%(new)d new, %(changed)d changed, %(unchanged)d unchanged", new=1, changed=0,
             unchanged=0))
    bad = page.locator("#import-bad-rows")
    expect(bad).to_contain_text(text(live_app, lang, "Row %(row)d", row=3))
    expect(bad).to_contain_text(text(live_app, lang, "Unknown kind “%(text)s”.", text="飞船"))
    expect(bad).to_contain_text(text(live_app, lang, "The latitude “%(text)s” is not a number.", text="北纬"))
    no_horizontal_scroll(page)
    assert Axe().run(page).violations_count == 0
    with live_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Station.id))) == 0  # nothing saved before confirming

    page.get_by_role("button", name=counted(live_app, lang, "Import the %(num)d good row only",
                                            "Import the %(num)d good rows only", 1)).click()
    expect(page.locator("#flash")).to_contain_text(
        text(live_app, lang, "Import saved: %(added)d new, %(changed)d changed.", added=1, changed=0))
    with live_app.app_context():
        station = db.session.scalars(sa.select(Station)).one()
        assert (station.name, station.organisation_id, station.entered_crs) == ("杨舍暖新窝", org_id, "gcj02")
        assert len(station.hours) == 6
