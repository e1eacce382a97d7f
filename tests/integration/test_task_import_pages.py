"""The task import pages: who may use them, the preview, confirming, junk files and a refusal at save time."""

import io
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from extensions import db
from tests.pages import text_of
from volunteer.models import Task

IMPORT, CONFIRM = "/coordinate/tasks/import", "/coordinate/tasks/import/confirm"
TEMPLATE = "/coordinate/tasks/import/template.csv"
HEADER = "标题,类别,地点,日期,开始时间,结束时间,名额,积分,说明"


def day(days=3) -> str:
    return f"{datetime.now(ZoneInfo('Asia/Shanghai')).date() + timedelta(days=days):%Y年%-m月%-d日}"


def good(title="暴雨天路口值守") -> str:
    return f"{title},培训,杨舍镇步行街北口,{day()},09:00,11:00,8,30,请提前到场"


BAD = ",juggling,,2020-01-01,11:00,09:00,0,30,"


def upload(client, text: str | bytes, filename="tasks.csv", lang="en"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return client.post(IMPORT, {"file": (io.BytesIO(data), filename)}, lang=lang)


def token_of(page: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', page).group(1)


def titles(ctx, organisation_id) -> list[str]:
    with ctx():
        return sorted(db.session.scalars(sa.select(Task.title).where(Task.organisation_id == organisation_id,
                                                                     Task.title.like("暴雨天%"))))


@pytest.mark.parametrize("persona, status", [("coordinator", 200), ("admin", 403), ("rider", 403), ("staff", 403)])
def test_only_coordinators_reach_the_import_page(world, make_client, persona, status):
    assert make_client(getattr(world, persona)).get(IMPORT).status_code == status


def test_the_task_list_links_to_the_import_and_the_template_downloads(world, make_client):
    coordinator = make_client(world.coordinator)
    assert f'href="{IMPORT}"' in coordinator.get("/coordinate/tasks").get_data(as_text=True)
    template = coordinator.get(TEMPLATE, lang="zh")
    assert template.mimetype == "text/csv" and template.data.decode("utf-8-sig").startswith(HEADER.rsplit(",", 1)[0])


def test_the_preview_lists_every_bad_row_with_its_reasons_and_saves_nothing(world, make_client, ctx):
    response = upload(make_client(world.coordinator), f"{HEADER}\n{good()}\n{BAD}\n")
    page = text_of(response)
    assert response.status_code == 200 and "1 new task" in page and "1 bad row" in page and "Row 3" in page
    for reason in ("The title is missing.", "Unknown category “juggling”.", "The place is missing.",
                   "The end must be after the start.", "The start is in the past",
                   "Places must be a whole number between 1 and 1000, not “0”."):
        assert reason in page
    assert titles(ctx, world.org) == []


def test_confirm_refuses_while_bad_rows_remain_then_posts_the_good_rows(world, make_client, ctx):
    coordinator = make_client(world.coordinator)
    token = token_of(upload(coordinator, f"{HEADER}\n{good()}\n{BAD}\n").get_data(as_text=True))
    refused = coordinator.post(CONFIRM, {"token": token})
    assert refused.status_code == 422 and "Some rows are bad" in refused.get_data(as_text=True)
    saved = coordinator.post(CONFIRM, {"token": token, "skip_bad": "1"})
    assert saved.status_code == 303 and saved.headers["Location"] == "/coordinate/tasks"
    assert "1 task posted from the list." in text_of(coordinator.get("/coordinate/tasks"))
    assert titles(ctx, world.org) == ["暴雨天路口值守"]
    with ctx():
        task = db.session.scalar(sa.select(Task).where(Task.title == "暴雨天路口值守"))
        assert (task.category, task.created_by_id, task.places, task.points) == ("training", world.coordinator, 8, 30)


def test_confirming_the_same_preview_twice_posts_nothing_twice(world, make_client, ctx):
    coordinator = make_client(world.coordinator)
    token = token_of(upload(coordinator, f"{HEADER}\n{good()}\n").get_data(as_text=True))
    assert coordinator.post(CONFIRM, {"token": token}).status_code == 303
    again = coordinator.post(CONFIRM, {"token": token})
    assert again.status_code == 409 and "changed since this preview" in again.get_data(as_text=True)
    assert titles(ctx, world.org) == ["暴雨天路口值守"]


def test_a_row_refused_at_save_time_is_named_and_nothing_is_saved(world, make_client, ctx, monkeypatch):
    from volunteer import services
    from volunteer.errors import InvalidTask

    coordinator = make_client(world.coordinator)
    token = token_of(upload(coordinator, f"{HEADER}\n{good('暴雨天一')}\n{good('暴雨天二')}\n").get_data(as_text=True))
    real = services.create_task

    def refuse_the_second(**kwargs):
        if kwargs["title"] == "暴雨天二":
            raise InvalidTask("The start must be in the future.")
        return real(**kwargs)

    monkeypatch.setattr(services, "create_task", refuse_the_second)
    response = coordinator.post(CONFIRM, {"token": token})
    assert response.status_code == 422 and "Row 3: The start must be in the future." in text_of(response)
    assert titles(ctx, world.org) == []


def test_a_token_is_the_uploaders_and_cannot_be_forged(world, make_client, ctx):
    token = token_of(upload(make_client(world.coordinator), f"{HEADER}\n{good()}\n").get_data(as_text=True))
    assert make_client(world.other_coordinator).post(CONFIRM, {"token": token}).status_code == 404
    forged = make_client(world.coordinator).post(CONFIRM, {"token": token[:-3] + "abc"})
    assert forged.status_code == 422 and "Upload the file again" in forged.get_data(as_text=True)
    assert titles(ctx, world.org) == [] and titles(ctx, world.other_org) == []


@pytest.mark.parametrize("filename, data, message", [
    ("logo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10", "not a CSV text file"),
    ("empty.csv", b"", "The file is empty."),
    ("broken.xlsx", b"PK\x03\x04garbage", "cannot be opened"),
    ("riders.csv", "姓名,手机号\n张三,13812345678\n".encode(), "is not one of the task list"),
])
def test_junk_files_come_back_to_the_upload_form_with_a_message(world, make_client, filename, data, message):
    response = upload(make_client(world.coordinator), data, filename)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and 'type="file"' in page


def test_no_file_chosen_is_a_message_not_an_error(world, make_client):
    response = make_client(world.coordinator).post(IMPORT, {})
    assert response.status_code == 422 and "Choose a .csv or .xlsx file" in response.get_data(as_text=True)


def test_the_preview_speaks_chinese(world, make_client):
    page = text_of(upload(make_client(world.coordinator), f"{HEADER}\n{good()}\n{BAD}\n", lang="zh"))
    assert "第3行" in page and "缺少标题。" in page
