"""Coordinators enter a merchant's position like a station's: a pasted map link or coordinates, or typed numbers
with the system they were read in (GCJ-02 from Chinese map apps is stored as GPS)."""

import pytest

from core.geo import distance_m, gcj02_to_wgs84
from extensions import db
from rewards.models import Merchant
from tests.pages import input_value, text_of

ON_AMAP = (31.873003, 120.557345)  # a point as Amap shows it (GCJ-02)


def form(**overrides) -> dict:
    data = {"name": "暖新小厨", "address": "杨舍镇步行街68号", "latitude": "", "longitude": "", "crs": "wgs84",
            "map_link": "", "active": "y"}
    data.update(overrides)
    return data


def stored(ctx, merchant_id) -> tuple:
    with ctx() as session:
        merchant = session.get(Merchant, merchant_id)
        return merchant.latitude, merchant.longitude


def save(coordinator, world, **overrides):
    return coordinator.post(f"/coordinate/merchants/{world.merchant}", form(**overrides))


def expected_gps():
    lat, lng = gcj02_to_wgs84(*ON_AMAP)
    return round(lat, 6), round(lng, 6)


@pytest.mark.parametrize("link", [
    f"https://uri.amap.com/marker?position={ON_AMAP[1]},{ON_AMAP[0]}&name=%E6%9A%96",
    f"我在这里 https://uri.amap.com/marker?position={ON_AMAP[1]},{ON_AMAP[0]} 高德地图",
    f"{ON_AMAP[0]},{ON_AMAP[1]}",
    f"{ON_AMAP[1]}，{ON_AMAP[0]}",  # longitude first with a Chinese comma, as Amap copies it
], ids=["amap-link", "amap-share-text", "plain-pair", "lng-first"])
def test_a_pasted_amap_link_or_pair_is_converted_from_gcj02_and_stored_as_gps(world, coordinator, ctx, link):
    response = save(coordinator, world, map_link=link, latitude="1", longitude="2")  # the paste wins
    assert response.status_code == 303
    assert stored(ctx, world.merchant) == expected_gps()
    assert 400 < distance_m(*ON_AMAP, *expected_gps()) < 600


def test_a_geo_link_is_gps_already(world, coordinator, ctx):
    assert save(coordinator, world, map_link="geo:31.875,120.553?q=暖新").status_code == 303
    assert stored(ctx, world.merchant) == (31.875, 120.553)


def test_typed_numbers_in_gcj02_are_converted_and_in_gps_kept(world, coordinator, ctx):
    assert save(coordinator, world, latitude=str(ON_AMAP[0]), longitude=str(ON_AMAP[1]), crs="gcj02").status_code == 303
    assert stored(ctx, world.merchant) == expected_gps()
    assert save(coordinator, world, latitude="31.875", longitude="120.553", crs="wgs84").status_code == 303
    assert stored(ctx, world.merchant) == (31.875, 120.553)


def test_the_edit_form_shows_the_stored_gps_position_as_gps_so_saving_again_moves_nothing(world, coordinator, ctx):
    save(coordinator, world, latitude=str(ON_AMAP[0]), longitude=str(ON_AMAP[1]), crs="gcj02")
    page = coordinator.get(f"/coordinate/merchants/{world.merchant}")
    lat, lng = input_value(page, "latitude"), input_value(page, "longitude")
    assert (float(lat), float(lng)) == expected_gps()
    assert '<option selected value="wgs84">' in page.get_data(as_text=True)
    assert save(coordinator, world, latitude=lat, longitude=lng).status_code == 303
    assert stored(ctx, world.merchant) == expected_gps()


def test_empty_position_fields_clear_the_position(world, coordinator, ctx):
    save(coordinator, world, latitude="31.875", longitude="120.553")
    assert save(coordinator, world).status_code == 303
    assert stored(ctx, world.merchant) == (None, None)


@pytest.mark.parametrize(("overrides", "message", "field"), [
    ({"map_link": "https://example.com/somewhere"}, "Cannot read a position in China from this.", "map_link"),
    ({"map_link": "51.5,-0.12"}, "Cannot read a position in China from this.", "map_link"),
    ({"latitude": "31.875"}, "Enter both latitude and longitude, or neither.", "latitude"),
    ({"longitude": "120.553"}, "Enter both latitude and longitude, or neither.", "longitude"),
    ({"latitude": "51.5", "longitude": "-0.12", "crs": "gcj02"}, "exist only in China", "latitude"),
    ({"latitude": "31.875", "longitude": "120.553", "crs": "bd09"}, "Not a valid choice", "latitude"),
], ids=["junk-link", "london-pair", "latitude-alone", "longitude-alone", "gcj02-abroad", "unknown-system"])
def test_bad_position_input_is_refused_with_422_and_kept(world, coordinator, ctx, overrides, message, field):
    before = stored(ctx, world.merchant)
    data = form(**overrides)
    response = coordinator.post(f"/coordinate/merchants/{world.merchant}", data)
    assert response.status_code == 422
    assert message in text_of(response)
    assert input_value(response, field) == data[field]
    assert stored(ctx, world.merchant) == before


def test_a_new_merchant_can_be_placed_by_pasting_a_link(coordinator, ctx):
    response = coordinator.post("/coordinate/merchants/new", form(
        name="港城小馆", map_link=f"https://uri.amap.com/marker?position={ON_AMAP[1]},{ON_AMAP[0]}"))
    assert response.status_code == 303
    with ctx():
        merchant = db.session.scalar(db.select(Merchant).where(Merchant.name == "港城小馆"))
        assert (merchant.latitude, merchant.longitude) == expected_gps()


def test_the_form_speaks_chinese(world, coordinator):
    page = text_of(coordinator.get(f"/coordinate/merchants/{world.merchant}", lang="zh"))
    assert "粘贴地图链接或坐标" in page and "高德" in page
