"""The entry figures pages and their exports: coordinators (their organisation's buildings), admins (all),
building staff (their building only); the numbers match the entries, in the page, the CSV and the XLSX."""

import csv
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from core.timeutil import at_local, local_today
from passes.models import PassEntry
from tests.pass_factories import pass_cast


@pytest.fixture
def cast(world, ctx):
    """The pass cast; the world's rider at the building yesterday and today, rider2 today, the rider at the
    other organisation's building today (entries written as the check page writes them)."""
    with ctx() as session:
        today = local_today()
        ids = pass_cast(world)
        for building, staff, rider, day in (
                (ids["building"], ids["building_staff"], world.rider, today - timedelta(days=1)),
                (ids["building"], ids["building_staff"], world.rider, today),
                (ids["building"], ids["building_staff"], world.rider2, today),
                (ids["other_building"], ids["other_building_staff"], world.rider, today)):
            session.add(PassEntry(station_id=building, rider_id=rider, local_day=day, checked_by_id=staff,
                                  entered_at=at_local(day, 8, 12)))
        session.commit()
    return {**ids, "today": today}


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def tiles(response) -> tuple[int, int]:
    """The two figures of the period (entries, distinct riders) at the top of a figures page."""
    found = re.findall(r"<dd>(\d+)</dd>", response.get_data(as_text=True))
    return int(found[0]), int(found[1])


def test_a_coordinator_sees_their_buildings_figures_only(cast, world, make_client):
    response = make_client(world.coordinator).get("/coordinate/buildings/figures")
    assert response.status_code == 200
    assert tiles(response) == (3, 2)  # the rider twice and rider2 once; two distinct riders
    assert "港城商务楼" not in response.get_data(as_text=True)


def test_an_admin_sees_every_building_and_can_choose_one(cast, world, make_client):
    admin = make_client(world.admin)
    page = admin.get("/coordinate/buildings/figures")
    assert tiles(page) == (4, 2) and "港城商务楼" in page.get_data(as_text=True)
    assert tiles(admin.get(f"/coordinate/buildings/figures?building={cast['other_building']}")) == (1, 1)


def test_a_day_rows_show_entries_and_riders(cast, world, make_client):
    page = text(make_client(world.coordinator).get(f"/coordinate/buildings/figures?building={cast['building']}"))
    today = cast["today"]
    assert re.search(rf"\w+ {today.day} \w+ 2 2", page)


def test_another_organisations_building_is_refused_with_a_message(cast, world, make_client):
    response = make_client(world.coordinator).get(f"/coordinate/buildings/figures?building={cast['other_building']}")
    assert response.status_code == 422
    assert "Choose a building from the list." in response.get_data(as_text=True)


@pytest.mark.parametrize("query", ["from=yesterday", "to=2026-02-30", "from=2026-12-10&to=2026-12-01",
                                   "from=2020-01-01&to=2026-01-01", "building=abc", "building=99999",
                                   "from=%00", "to=" + "9" * 500])
def test_bad_input_gives_the_form_back_with_a_message_never_a_500(cast, world, make_client, query):
    coordinator = make_client(world.coordinator)
    for url in ("/coordinate/buildings/figures", "/coordinate/buildings/figures.csv"):
        response = coordinator.get(f"{url}?{query}")
        assert response.status_code == 422
        assert 'class="error"' in response.get_data(as_text=True)
    assert make_client(cast["building_staff"]).get(f"/building/entries?{query}").status_code in (200, 422)


def test_bad_dates_are_explained_in_chinese(cast, world, make_client):
    page = make_client(world.coordinator).get("/coordinate/buildings/figures?from=昨天", lang="zh")
    assert page.status_code == 422 and 'value="昨天"' in page.get_data(as_text=True)


def _csv_rows(response):
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_the_csv_and_xlsx_exports_hold_the_same_numbers(cast, world, make_client):
    coordinator = make_client(world.coordinator)
    today = cast["today"].isoformat()
    response = coordinator.get("/coordinate/buildings/figures.csv")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    rows = _csv_rows(response)
    assert rows[0] == ["Building", "Unit", "First day", "Last day", "Entries", "Distinct riders"]
    assert ["暖新大厦", "Day", today, today, "2", "2"] in rows
    period = [row for row in rows if row[1] == "Period"]
    assert [row[0] for row in period] == ["暖新大厦"] and period[0][4:] == ["3", "2"]  # one building: no "all" rows
    assert not any("港城商务楼" in row[0] for row in rows)
    xlsx = coordinator.get("/coordinate/buildings/figures.xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.get_data())).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == rows[0]
    assert [[str(cell) for cell in row] for row in values[1:]] == rows[1:]
    assert values[-1][:2] == ["暖新大厦", "Period"] and values[-1][4:] == [3, 2]


def test_an_admins_export_adds_all_buildings_and_speaks_chinese(cast, world, make_client):
    rows = _csv_rows(make_client(world.admin).get("/coordinate/buildings/figures.csv", lang="zh"))
    assert rows[0] == ["楼宇", "单位", "第一天", "最后一天", "通行记录", "不同骑手数"]
    today = cast["today"].isoformat()
    assert ["全部楼宇", "日期", today, today, "3", "2"] in rows  # the rider at both buildings is one rider
    assert next(row for row in rows if row[:2] == ["全部楼宇", "时间范围"])[4:] == ["4", "2"]


def test_another_extension_is_404(cast, world, make_client):
    assert make_client(world.coordinator).get("/coordinate/buildings/figures.pdf").status_code == 404
    assert make_client(cast["building_staff"]).get("/building/entries.json").status_code == 404


def test_building_staff_see_todays_entries_masked_and_their_figures(cast, make_client):
    response = make_client(cast["building_staff"]).get("/building/entries")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "暖新大厦" in page
    assert "赵**" in page and "张**" in page and "赵佳楠" not in page and "张松阳" not in page
    assert "08:12" in page and "2 riders let in today." in text(response)
    assert tiles(response) == (3, 2)
    assert make_client(cast["building_staff"]).get("/building/entries", lang="zh").status_code == 200


def test_building_staff_see_only_their_building(cast, make_client):
    other = make_client(cast["other_building_staff"])
    response = other.get("/building/entries")
    assert tiles(response) == (1, 1) and "暖新大厦" not in response.get_data(as_text=True)
    rows = _csv_rows(other.get("/building/entries.csv"))
    assert {row[0] for row in rows[1:]} == {"港城商务楼"}
    assert next(row for row in rows if row[1] == "Period")[4:] == ["1", "1"]
    xlsx = other.get("/building/entries.xlsx")
    assert load_workbook(io.BytesIO(xlsx.get_data())).active.max_row == len(rows)


def test_building_staff_choose_a_period(cast, make_client):
    yesterday = (cast["today"] - timedelta(days=1)).isoformat()
    response = make_client(cast["building_staff"]).get(f"/building/entries?from={yesterday}&to={yesterday}")
    assert tiles(response) == (1, 1)
