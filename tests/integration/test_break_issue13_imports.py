"""Issue 13 broken on purpose, imports: a clumsy spreadsheet gets reasons that name what is wrong. A row whose
date cell is empty (a formula Excel never computed, a forgotten column) but whose start and end are times was
told "the start “09:00” is not a time such as 09:00"; empty places or points were quoted as “”."""

import io

from tests.integration.test_task_import_pages import HEADER, day
from tests.pages import text_of


def upload(client, rows: list[str], lang="en"):
    body = "\n".join([HEADER, *rows]) + "\n"
    return client.post("/coordinate/tasks/import", {"file": (io.BytesIO(body.encode()), "tasks.csv")}, lang=lang)


def test_an_empty_date_with_times_says_the_date_is_missing(world, make_client):
    page = text_of(upload(make_client(world.coordinator), ["暴雨天路口值守,培训,杨舍镇步行街北口,,09:00,11:00,8,30,"]))
    assert "The date is missing: fill in the date column, or write the start and end as a date and time" in page
    assert "is not a time such as 09:00" not in page


def test_empty_places_and_points_say_they_are_missing(world, make_client):
    coordinator = make_client(world.coordinator)
    page = text_of(upload(coordinator, [f"暴雨天路口值守,培训,杨舍镇步行街北口,{day()},09:00,11:00,,,"]))
    assert "The places are missing." in page and "The points are missing." in page and "“”" not in page
    chinese = text_of(upload(coordinator, ["暴雨天路口值守,培训,杨舍镇步行街北口,,09:00,11:00,,,"], lang="zh"))
    assert "缺少日期" in chinese and "缺少名额。" in chinese and "缺少积分。" in chinese
