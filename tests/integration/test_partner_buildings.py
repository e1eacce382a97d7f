"""Partner buildings of the Haitang pass (海棠通道) as places: the coordinator's form (fast lane, e-bike spots,
where the parking is), the building's page, the "near me" filter, and the station list's import/export columns."""

import re

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from accounts.models import User
from core.timeutil import local_today
from stations.models import Station
from stations.transfer import header_row, read_table, write_csv
from stations.transfer_rows import export_rows, plan_import, stations_of
from stations.transfer_save import save_import
from tests.integration.test_coordinator_stations import station_form, stored
from tests.integration.test_query_counts import counting
from tests.pages import input_value, text_of
from tests.station_factories import HERE, east_of, make_station, north_of

POSITION = "lat=31.870&lng=120.550"


def building_form(**overrides) -> dict:
    return station_form(**{"name": "张家港国际金融中心", "kind": "building", "address": "张家港市杨舍镇沙洲西路1号",
                           "amenities": ["water", "toilet", "ebike_parking"], "fast_lane": "东门大堂左侧骑手专用通道",
                           "ebike_spots": "12", "parking_where": "地下一层B区", **overrides})


# The coordinator's form


def test_a_coordinator_adds_a_partner_building_with_its_fast_lane_and_parking(coordinator, ctx):
    page = text_of(coordinator.get("/coordinate/stations/new"))
    assert "Partner building (Haitang pass)" in page and "For partner buildings only" in page
    response = coordinator.post("/coordinate/stations/new", building_form(name="华昌商务广场"))
    assert response.status_code == 303
    building = stored(ctx, "华昌商务广场")
    assert building.is_partner_building and building.ebike_spots == 12
    assert (building.fast_lane, building.parking_where) == ("东门大堂左侧骑手专用通道", "地下一层B区")
    edit = coordinator.get(f"/coordinate/stations/{building.id}")
    assert input_value(edit, "ebike_spots") == "12" and input_value(edit, "parking_where") == "地下一层B区"


def test_another_kind_keeps_no_building_details(coordinator, ctx):
    response = coordinator.post("/coordinate/stations/new", building_form(kind="shop", ebike_spots="lots"))
    assert response.status_code == 303  # not a building: its spots are not read, and not kept
    station = stored(ctx, "张家港国际金融中心")
    assert (station.fast_lane, station.ebike_spots, station.parking_where) == (None, None, None)


def test_a_building_changed_to_another_kind_loses_its_details(coordinator, ctx):
    coordinator.post("/coordinate/stations/new", building_form())
    building = stored(ctx, "张家港国际金融中心")
    response = coordinator.post(f"/coordinate/stations/{building.id}", building_form(kind="office"))
    assert response.status_code == 303
    assert stored(ctx, "张家港国际金融中心").ebike_spots is None


@pytest.mark.parametrize(("spots", "lang", "message"), [
    ("lots", "en", "Give the e-bike spots as a whole number from 0 to 10000."),
    ("10001", "en", "Give the e-bike spots as a whole number from 0 to 10000."),
    ("-3", "zh-CN", "电动车车位请填0到10000之间的整数。"),
    ("１２.5", "en", "Give the e-bike spots as a whole number from 0 to 10000."),
])
def test_bad_spots_are_named_at_the_field_and_the_input_is_kept(coordinator, ctx, spots, lang, message):
    response = coordinator.post("/coordinate/stations/new", building_form(ebike_spots=spots), lang=lang)
    assert response.status_code == 422
    page = text_of(response)
    assert message in page and 'id="ebike_spots-error"' in page
    assert input_value(response, "ebike_spots") == spots
    assert input_value(response, "fast_lane") == "东门大堂左侧骑手专用通道"
    with ctx() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Station)) == 0


def test_a_fast_lane_too_long_is_refused_with_a_message(coordinator):
    response = coordinator.post("/coordinate/stations/new", building_form(fast_lane="通" * 201))
    assert response.status_code == 422 and "At most 200 characters." in text_of(response)


def test_empty_details_are_fine_for_a_building(coordinator, ctx):
    response = coordinator.post("/coordinate/stations/new", building_form(fast_lane="", ebike_spots="",
                                                                         parking_where=""))
    assert response.status_code == 303
    building = stored(ctx, "张家港国际金融中心")
    assert building.kind == "building" and building.ebike_spots is None and building.fast_lane is None


# The building's page


@pytest.fixture
def buildings(ctx, world):
    """Around HERE: a building open all day 200 m north (12 spots), a building closed today 400 m east, a rest
    station 300 m east, and a building 12 km away."""
    with ctx() as session:
        details = {"kind": "building", "fast_lane": "东门大堂左侧骑手专用通道", "parking_where": "地下一层B区"}
        ids = {
            "open": make_station(world.org, name="国际金融中心", at=north_of(HERE, 200), ebike_spots=12,
                                 amenities="water,toilet,ebike_parking", **details).id,
            "closed": make_station(world.org, name="华昌商务广场", at=east_of(HERE, 400), ebike_spots=1,
                                   exceptions=[(local_today(), "closed", "")], **details).id,
            "station": make_station(world.org, name="塘市暖新窝", at=east_of(HERE, 300)).id,
            "far": make_station(world.org, name="远处的楼宇", at=north_of(HERE, 12_000), **details).id,
        }
        session.commit()
    return ids


def test_a_buildings_page_shows_the_fast_lane_and_parking_and_a_rider_gets_a_link_to_the_pass(
        client, make_client, world, buildings):
    page = text_of(client.get(f"/stations/{buildings['open']}"))
    assert "Haitang pass fast lane" in page and "东门大堂左侧骑手专用通道" in page
    assert "12 e-bike spots · 地下一层B区" in page
    assert "Show my pass" not in page  # not logged in
    rider_page = make_client(world.rider).get(f"/stations/{buildings['open']}").get_data(as_text=True)
    assert 'href="/pass/"' in rider_page and "Show my pass" in rider_page
    assert "1 e-bike spot ·" in text_of(client.get(f"/stations/{buildings['closed']}"))


def test_a_buildings_page_in_chinese(make_client, world, buildings):
    page = text_of(make_client(world.rider).get(f"/stations/{buildings['open']}", lang="zh-CN"))
    assert "海棠通道" in page and "12个电动车车位 · 地下一层B区" in page and "出示通行码" in page
    assert "海棠通道合作楼宇" in page  # its kind


def test_a_rest_stations_page_has_no_fast_lane_section(client, buildings):
    page = text_of(client.get(f"/stations/{buildings['station']}"))
    assert 'id="fast-lane-title"' not in page and "Show my pass" not in page


# Near me


def names(page: str) -> list[str]:
    return re.findall(r'class="place-name"[^>]*>([^<]+)</a>', page)


def test_the_building_filter_lists_only_buildings_with_their_spots(client, buildings):
    page = text_of(client.get(f"/stations/?{POSITION}&kind=building"))
    assert names(page) == ["国际金融中心", "华昌商务广场"]
    assert "12 e-bike spots" in page and "1 e-bike spot" in page
    assert re.search(r'value="building" checked', page) and "Partner buildings (Haitang pass)" in page
    assert names(text_of(client.get(f"/stations/?{POSITION}")))[:3] == ["国际金融中心", "塘市暖新窝", "华昌商务广场"]


def test_the_building_filter_combines_with_open_now_and_the_wider_search(client, buildings):
    assert names(text_of(client.get(f"/stations/?{POSITION}&kind=building&open=1"))) == ["国际金融中心"]
    wide = names(text_of(client.get(f"/stations/?{POSITION}&kind=building&wide=1")))
    assert wide == ["国际金融中心", "华昌商务广场", "远处的楼宇"]
    assert names(text_of(client.get(f"/stations/?{POSITION}&kind=building&amenity=ebike_parking"))) == ["国际金融中心"]


def test_the_building_filter_works_from_a_town_without_a_location(client, buildings):
    page = text_of(client.get("/stations/?area=yangshe&kind=building", lang="zh-CN"))
    assert set(names(page)) == {"国际金融中心", "华昌商务广场"} and "海棠通道楼宇" in page
    assert '<input type="hidden" name="kind" value="building">' in client.get(
        "/stations/?kind=building").get_data(as_text=True)  # the town picker keeps the filter


def test_a_logged_in_rider_sees_a_link_to_their_pass_on_near_me(client, make_client, world, buildings):
    assert "My Haitang pass" in text_of(make_client(world.rider).get(f"/stations/?{POSITION}"))
    assert "我的" in text_of(make_client(world.rider).get("/stations/", lang="zh-CN"))
    assert "My Haitang pass" not in text_of(client.get(f"/stations/?{POSITION}"))


def test_the_building_filter_does_not_query_per_row(app, ctx, world, client, buildings):
    def statements():
        client.get(f"/stations/?{POSITION}&kind=building&wide=1")
        with counting(app) as seen:
            assert client.get(f"/stations/?{POSITION}&kind=building&wide=1").status_code == 200
        return len(seen)

    few = statements()
    with ctx() as session:
        for i in range(15):
            make_station(world.org, name=f"楼宇{i}", at=east_of(HERE, 50 * i + 20), kind="building", ebike_spots=i)
        session.commit()
    assert statements() == few


# Import and export


def test_an_export_carries_the_building_columns_and_imports_back_unchanged(ctx, world, buildings):
    with ctx():
        header, rows = header_row("zh"), export_rows(stations_of(world.org), "zh")
        assert header[-3:] == ["快速通道", "电动车车位", "停车位置"]
        assert ["东门大堂左侧骑手专用通道", 12, "地下一层B区"] in [row[-3:] for row in rows]
        plan = plan_import(*read_table("s.csv", write_csv(header, rows)), organisation_id=world.org)
        assert plan.counts == [0, 0, 4, 0]


def test_an_import_sets_building_details_and_lists_bad_spots_as_bad_rows(ctx, world):
    header = ["name", "kind", "address", "latitude", "longitude", "coordinate system", "fast lane",
              "e-bike spots", "parking where"]
    rows = [["沙洲湖科创园", "合作楼宇", "东二环路88号", 31.861, 120.5795, "WGS-84", "A栋南门", "30", "A栋车棚"],
            ["新天地商务楼", "Partner building (Haitang pass)", "步行街东路18号", 31.875, 120.5519, "GPS", "", "很多",
             ""],
            ["塘市暖新窝", "Shop", "长兴路8号", 31.87, 120.55, "GPS", "不该保存", "5", ""]]
    with ctx() as session, force_locale("en"):
        plan = plan_import(*read_table("s.csv", write_csv(header, rows)), organisation_id=world.org)
        assert plan.counts == [2, 0, 0, 1]
        assert plan.bad[0].number == 3 and plan.bad[0].reasons == [
            "The e-bike spots “很多” are not a whole number from 0 to 10000."]
        save_import(plan, organisation_id=world.org, actor=session.get(User, world.coordinator))
        session.commit()
        saved = {s.name: s for s in session.scalars(sa.select(Station))}
        assert (saved["沙洲湖科创园"].fast_lane, saved["沙洲湖科创园"].ebike_spots) == ("A栋南门", 30)
        assert saved["沙洲湖科创园"].parking_where == "A栋车棚" and saved["沙洲湖科创园"].kind == "building"
        assert (saved["塘市暖新窝"].fast_lane, saved["塘市暖新窝"].ebike_spots) == (None, None)


def test_a_file_without_the_building_columns_keeps_the_details(ctx, world, buildings):
    with ctx() as session:
        header, rows = header_row("en"), export_rows(stations_of(world.org), "en")
        plan = plan_import(*read_table("s.csv", write_csv(header[:-3], [row[:-3] for row in rows])),
                           organisation_id=world.org)
        assert plan.counts == [0, 0, 4, 0]
        assert session.get(Station, buildings["open"]).ebike_spots == 12


@pytest.mark.parametrize(("spots", "stored_spots"), [("１２", 12), (" 0 ", 0), ("10000", 10000), ("００７", 7)])
def test_spots_typed_in_full_width_or_with_spaces_are_read(coordinator, ctx, spots, stored_spots):
    response = coordinator.post("/coordinate/stations/new", building_form(ebike_spots=spots))
    assert response.status_code == 303
    assert stored(ctx, "张家港国际金融中心").ebike_spots == stored_spots


@pytest.mark.parametrize("spots", ["-1", "10001", "12.5", "1e3", "²", "١٢", "12 spots", "0x10"])
def test_other_spots_are_refused(coordinator, ctx, spots):
    response = coordinator.post("/coordinate/stations/new", building_form(ebike_spots=spots), lang="zh-CN")
    assert response.status_code == 422 and "电动车车位请填0到10000之间的整数。" in text_of(response)
    assert input_value(response, "ebike_spots") == spots
