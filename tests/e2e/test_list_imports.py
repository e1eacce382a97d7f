"""Importing a rider list and a task list in a real browser at phone width in Chinese: upload a file with a bad
row, read the preview (every reason), import the good rows only; no horizontal scroll, no axe violations."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from accounts.models import User
from extensions import db
from tests.e2e.test_main_loop import counted, log_in, no_horizontal_scroll, text
from tests.factories import make_org, make_user
from volunteer.models import Task

pytestmark = pytest.mark.e2e

RIDERS = "姓名,手机号,行业,平台\n孙晓东,138 1234 5678,外卖,美团\n,0512-58681234,飞行员,\n"


def tasks_file() -> str:
    day = datetime.now(ZoneInfo("Asia/Shanghai")).date() + timedelta(days=3)
    return ("标题,类别,地点,日期,开始时间,结束时间,名额,积分,说明\n"
            f"急救培训,培训,社区服务中心,{day:%Y年%-m月%-d日},14:00,16:00,20,10,带上笔记本\n"
            "暴雨天路口值守,杂技,,2020/1/1,11:00,09:00,0,30,\n")


@pytest.fixture
def coordinator(live_app):
    with live_app.app_context():
        org = make_org("杨舍镇塘市办事处")
        person = make_user("coordinator", "陈丽华", org.id)
        db.session.commit()
        phone, org_id = person.phone, org.id
        db.session.remove()
    return phone, org_id


def check_preview(page, live_app, reasons):
    t = lambda message, **values: text(live_app, "zh", message, **values)  # noqa: E731
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Check the import"))
    bad = page.locator("#import-bad-rows")
    expect(bad).to_contain_text(t("Row %(row)d", row=3))
    for reason in reasons:
        expect(bad).to_contain_text(reason)
    no_horizontal_scroll(page)
    assert Axe().run(page).violations_count == 0
    page.get_by_role("button", name=counted(live_app, "zh", "Import the %(num)d good row only",
                                            "Import the %(num)d good rows only", 1)).click()


def test_a_coordinator_imports_riders_and_tasks_on_a_phone(live_server, live_app, coordinator, phone_context,
                                                           tmp_path):
    t = lambda message, **values: text(live_app, "zh", message, **values)  # noqa: E731
    phone, org_id = coordinator
    page = phone_context("zh")
    page.context.add_cookies([{"name": "lang", "value": "zh", "url": live_server}])
    log_in(page, live_server, phone, "/coordinate/tasks", t("Tasks of %(org)s", org="杨舍镇塘市办事处"))

    page.goto(live_server + "/coordinate/accounts/")
    page.get_by_role("link", name=t("Import riders")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Import riders"))
    no_horizontal_scroll(page)
    riders = tmp_path / "骑手名单.csv"
    riders.write_bytes(RIDERS.encode("gb18030"))  # as Chinese Excel saves "CSV"
    page.locator("input[type=file]").set_input_files(str(riders))
    page.get_by_role("button", name=t("Check the file")).click()
    check_preview(page, live_app, [t("The rider's name is missing."), t(
        "“%(text)s” is not a mainland mobile number (11 digits starting with 1).", text="0512-58681234")])
    expect(page.locator("#flash")).to_contain_text(counted(
        live_app, "zh", "%(num)d rider imported. They confirm their mobile number with an SMS code when they first "
        "log in.", "%(num)d riders imported. They confirm their mobile number with an SMS code when they first "
        "log in.", 1))
    expect(page.get_by_text("孙晓东")).to_be_visible()
    with live_app.app_context():
        rider = db.session.scalar(sa.select(User).where(User.phone == "13812345678"))
        assert (rider.organisation_id, rider.trade, rider.needs_phone_confirmation) == (org_id, "food_delivery", True)

    page.goto(live_server + "/coordinate/tasks")
    page.get_by_role("link", name=t("Import tasks")).click()
    tasks = tmp_path / "任务清单.csv"
    tasks.write_text(tasks_file(), encoding="utf-8-sig")
    page.locator("input[type=file]").set_input_files(str(tasks))
    page.get_by_role("button", name=t("Check the file")).click()
    check_preview(page, live_app, [t("Unknown category “%(text)s”.", text="杂技"), t("The place is missing."),
                                   t("The end must be after the start.")])
    expect(page.locator("#flash")).to_contain_text(counted(live_app, "zh", "%(num)d task posted from the list.",
                                                           "%(num)d tasks posted from the list.", 1))
    expect(page.get_by_text("急救培训")).to_be_visible()
    with live_app.app_context():
        task = db.session.scalars(sa.select(Task)).one()
        assert (task.title, task.category, task.organisation_id, task.places) == ("急救培训", "training", org_id, 20)
