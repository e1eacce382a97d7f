"""Riders' restaurant page (/offers/restaurants/<id>) and the offers list nearest first."""

import math
import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest

from core.geo import wgs84_to_gcj02
from core.timeutil import local_today
from rewards.models import Merchant, MerchantHours, MerchantHoursException, Offer
from stations.models import Station
from tests.factories import make_offer

HERE = (31.875, 120.553)  # 杨舍, Zhangjiagang
M_LAT = 1 / 111_195  # degrees of latitude in a metre (the sphere of distance_m)


def east(metres: float) -> float:
    return HERE[1] + metres / (111_195 * math.cos(math.radians(HERE[0])))


@pytest.fixture
def station_pages(app):
    """Station pages belong to the stations blueprint (another change); until it has them, a stand-in
    endpoint lets the station finder build its links. With the real page this does nothing."""
    if "stations.detail" not in app.view_functions:
        app.add_url_rule("/stations/<int:station_id>", "stations.detail", lambda station_id: "")


@pytest.fixture
def placed(world, ctx, station_pages):
    """The world's merchant at HERE, open all day every day but closed by an exception tomorrow; a station
    450 m north and another 600 m north; the other merchant 2 km east with an offer too."""
    with ctx() as session:
        merchant = session.get(Merchant, world.merchant)
        merchant.latitude, merchant.longitude = HERE
        for weekday in range(7):
            session.add(MerchantHours(merchant_id=merchant.id, weekday=weekday, opens="00:00", closes="24:00"))
        session.add(MerchantHoursException(merchant_id=merchant.id, day=local_today() + timedelta(days=1),
                                           closed=True, note="盘点"))
        other = session.get(Merchant, world.other_merchant)
        other.latitude, other.longitude = HERE[0], east(2000)
        make_offer(other.id, title="牛肉面一碗")
        make_offer(merchant.id, title="停售的套餐", active=False)
        session.add_all([
            Station(organisation_id=world.org, name="450米暖新窝", address="人民路1号", latitude=HERE[0] + 450 * M_LAT,
                    longitude=HERE[1]),
            Station(organisation_id=world.org, name="600米暖新窝", address="人民路9号", latitude=HERE[0] + 600 * M_LAT,
                    longitude=HERE[1]),
        ])
        session.commit()
    return world


def page_of(client, merchant_id, lang="en"):
    response = client.get(f"/offers/restaurants/{merchant_id}", lang=lang)
    return response.status_code, unescape(response.get_data(as_text=True))


def test_a_rider_sees_the_restaurant_its_status_its_week_and_its_current_offers(placed, make_client):
    status, page = page_of(make_client(placed.rider), placed.merchant)
    assert status == 200
    assert "<h1>暖新小厨</h1>" in page and "杨舍镇步行街68号" in page
    assert re.search(r'id="restaurant-status">[^<]*Open', page)
    assert "<dt>Monday</dt><dd>Open all day</dd>" in page and "<dt>Sunday</dt><dd>Open all day</dd>" in page
    assert f'href="/offers/{placed.offer}"' in page and "暖心盒饭一份" in page
    assert "停售的套餐" not in page  # an inactive offer is not offered


def test_the_status_speaks_chinese_too(placed, make_client):
    _status, page = page_of(make_client(placed.rider), placed.merchant, lang="zh")
    assert re.search(r'id="restaurant-status">营业中', page) and "星期一" in page


def test_the_get_there_links_carry_gcj02_for_amap_and_baidu_and_gps_for_geo(placed, make_client):
    _status, page = page_of(make_client(placed.rider), placed.merchant)
    gcj_lat, gcj_lng = wgs84_to_gcj02(*HERE)
    amap = re.search(r'href="(https://uri\.amap\.com/navigation\?[^"]+)" rel="noopener" data-lat="([\d.]+)" '
                     r'data-lng="([\d.]+)"', page)
    assert amap and (amap.group(2), amap.group(3)) == (f"{gcj_lat:.6f}", f"{gcj_lng:.6f}")
    assert f"to={gcj_lng:.6f},{gcj_lat:.6f}," in amap.group(1).replace("%2C", ",")
    baidu = re.search(r'href="(https://api\.map\.baidu\.com/marker\?[^"]+)"', page).group(1).replace("%2C", ",")
    assert f"location={gcj_lat:.6f},{gcj_lng:.6f}" in baidu and "coord_type=gcj02" in baidu
    assert f'href="geo:{HERE[0]:.6f},{HERE[1]:.6f}?' in page
    assert 400 < math.dist((gcj_lat, gcj_lng), HERE) * 111_195 < 700  # the links really are shifted


def test_nearby_lists_stations_within_500_metres_and_not_at_600(placed, make_client):
    _status, page = page_of(make_client(placed.rider), placed.merchant)
    nearby = page.split('id="nearby-title"')[1]
    assert "450米暖新窝" in nearby and "450 m" in nearby
    assert "600米暖新窝" not in page


def test_nearby_says_so_when_no_station_is_that_close(placed, make_client):
    _status, page = page_of(make_client(placed.rider), placed.other_merchant)
    assert "No rest station within 500 m." in page


def test_a_restaurant_without_a_position_has_its_address_but_no_map_links(world, make_client):
    status, page = page_of(make_client(world.rider), world.merchant)
    assert status == 200 and "杨舍镇步行街68号" in page
    assert "uri.amap.com" not in page and "The map position of this restaurant is not entered yet." in page
    assert "Opening hours not known" in page


def test_unknown_and_inactive_restaurants_are_404(placed, make_client, ctx):
    rider = make_client(placed.rider)
    assert page_of(rider, 999999)[0] == 404
    with ctx() as session:
        session.get(Merchant, placed.other_merchant).active = False
        session.commit()
    assert page_of(rider, placed.other_merchant)[0] == 404


def test_the_offer_list_and_the_offer_page_link_to_the_restaurant(placed, make_client):
    rider = make_client(placed.rider)
    assert f'href="/offers/restaurants/{placed.merchant}"' in rider.get("/offers").get_data(as_text=True)
    assert f'href="/offers/restaurants/{placed.merchant}"' in rider.get(f"/offers/{placed.offer}").get_data(
        as_text=True)


# --- the offers list nearest first ---------------------------------------------------------------------------

def order(page: str) -> list[str]:
    return re.findall(r'<h2><a href="/offers/restaurants/\d+">([^<]+)</a></h2>', page)


def offers(client, query=""):
    response = client.get(f"/offers{query}")
    assert response.status_code == 200
    return unescape(response.get_data(as_text=True))


def test_offers_are_by_name_and_offer_nearest_first(placed, make_client):
    page = offers(make_client(placed.rider))
    assert order(page) == ["暖新小厨", "港城面馆"]
    assert 'href="/offers?near=1"' in page and "data-near" in page and re.search(r"/static/js/near\.\w+\.js", page)


def test_nearest_first_sorts_by_the_riders_position_and_shows_each_distance(placed, make_client):
    rider = make_client(placed.rider)
    page = offers(rider, f"?near=1&lat=31.875&lng={east(2000):.3f}")  # beside the other merchant
    assert order(page) == ["港城面馆", "暖新小厨"]
    assert "Restaurants nearest first" in page
    assert re.search(r"港城面馆</a></h2>\s*<p class=\"muted\"><span class=\"place-distance\">\d+ m</span>", page)
    assert re.search(r"暖新小厨</a></h2>\s*<p class=\"muted\"><span class=\"place-distance\">2\.0 km</span>", page)
    assert order(offers(rider, "?near=1&lat=31.875&lng=120.553")) == ["暖新小厨", "港城面馆"]


def test_a_restaurant_without_a_position_comes_last_when_sorting(placed, make_client, ctx):
    with ctx() as session:
        merchant = session.get(Merchant, placed.merchant)
        merchant.latitude = merchant.longitude = None
        session.commit()
    page = offers(make_client(placed.rider), "?near=1&lat=31.875&lng=120.553")
    assert order(page) == ["港城面馆", "暖新小厨"] and "Distance not known" in page


@pytest.mark.parametrize(("query", "says"), [
    ("?near=1", "Allow location to sort by distance."),
    ("?near=1&geo=denied", "Your browser did not share its location"),
    ("?near=1&lat=abc&lng=120.5", "That location could not be read"),
    ("?near=1&lat=95&lng=120.5", "That location could not be read"),
])
def test_without_a_position_the_order_stays_and_the_page_says_why(placed, make_client, query, says):
    page = offers(make_client(placed.rider), query)
    assert order(page) == ["暖新小厨", "港城面馆"] and says in page and "place-distance" not in page


def test_a_paused_restaurant_still_lists_its_offers_as_paused_on_its_page(placed, make_client, ctx):
    with ctx() as session:
        session.get(Merchant, placed.merchant).paused_at = datetime(2026, 1, 1, tzinfo=UTC)
        session.get(Offer, placed.offer).stock = 0
        session.commit()
    _status, page = page_of(make_client(placed.rider), placed.merchant)
    assert "Paused for now (a busy kitchen)" in page
    assert re.search(r"暖心盒饭一份</strong>\s*<span class=\"muted\">Worth ¥15(\.00)? · Paused</span>", page)
