""""Near me" for riders (GET /stations/): places by distance from the rider or a town's centre, filters, the
wider search, bad parameters, anonymous visitors, both languages, and the page's weight."""

import gzip
import re

import pytest

from core.places import FINDERS, Place, register_place_finder
from core.timeutil import local_today
from tests.factories import make_org, make_user
from tests.station_factories import HERE, east_of, make_station, north_of

POSITION = "lat=31.870&lng=120.550"  # HERE rounded as the page's script sends it


@pytest.fixture
def stations(ctx):
    """Around HERE: a closed one 300 m north (closed today by an exception), an open-24-hours one 800 m east,
    one without hours 1.5 km north, one 12 km north (outside 5 km), and a deactivated one 100 m east."""
    with ctx() as session:
        org = make_org("杨舍镇塘市办事处")
        today = local_today()
        ids = {
            "closed": make_station(org.id, name="关门的驿站", at=north_of(HERE, 300), amenities="water,toilet",
                                   exceptions=[(today, "closed", "盘点")]).id,
            "open": make_station(org.id, name="营业的驿站", at=east_of(HERE, 800), amenities="water,charging").id,
            "unknown": make_station(org.id, name="没有时间的驿站", at=north_of(HERE, 1500), hours=None,
                                    amenities="hot_meal").id,
            "far": make_station(org.id, name="十二公里外", at=north_of(HERE, 12_000)).id,
            "inactive": make_station(org.id, name="停用的驿站", at=east_of(HERE, 100), active=False).id,
        }
        session.commit()
    return ids


def names(page: str) -> list[str]:
    return re.findall(r'class="place-name"[^>]*>([^<]+)</a>', page)


def page_of(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_an_anonymous_rider_gets_the_stations_within_5_km_nearest_first_with_status_and_distance(client, stations):
    page = page_of(client.get(f"/stations/?{POSITION}"))
    assert names(page) == ["关门的驿站", "营业的驿站", "没有时间的驿站"]
    assert re.findall(r'class="place-distance">([^<]+)<', page) == ["310 m", "820 m", "1.5 km"]
    assert "Closed · opens tomorrow 00:00" in page and "Open 24 hours" in page and "Opening hours not known" in page
    assert "Drinking water" in page and 'class="feature feature-toilet"' in page
    assert "Nearest first, from where you are" in page
    assert f'href="/stations/{stations["open"]}?lat=31.870&amp;lng=120.550"' in page  # its page shows the distance


def test_the_chinese_list_says_the_status_and_distance_in_chinese(client, stations):
    page = page_of(client.get(f"/stations/?{POSITION}", lang="zh-CN"))
    assert "已关门 · 明天00:00开门" in page and "24小时营业" in page and "营业时间未知" in page
    assert "310米" in page and "1.5公里" in page and "附近的暖新窝" in page


def test_open_now_leaves_out_closed_stations_and_those_without_hours(client, stations):
    assert names(page_of(client.get(f"/stations/?{POSITION}&open=1"))) == ["营业的驿站"]


def test_each_ticked_amenity_must_be_offered(client, stations):
    assert names(page_of(client.get(f"/stations/?{POSITION}&amenity=water"))) == ["关门的驿站", "营业的驿站"]
    assert names(page_of(client.get(f"/stations/?{POSITION}&amenity=water&amenity=toilet"))) == ["关门的驿站"]
    page = page_of(client.get(f"/stations/?{POSITION}&amenity=water&amenity=toilet"))
    assert re.search(r'value="toilet" checked', page) and not re.search(r'value="wifi" checked', page)


@pytest.fixture
def restaurants():
    """A stand-in restaurant finder (the rewards package registers the real one): one with offers, one without."""
    saved = dict(FINDERS)

    def find(lat, lng, *, radius_m, limit, now, amenities, open_now):
        if amenities:
            return []
        return [Place(kind="restaurant", id=1, name="有优惠的面馆", address="人民中路1号", latitude=lat,
                      longitude=lng, distance_m=50, url="/offers", open_now=True, status_text="Open now",
                      has_offers=True),
                Place(kind="restaurant", id=2, name="没有优惠的饭店", address="人民中路2号", latitude=lat,
                      longitude=lng, distance_m=60, url="/offers")]

    register_place_finder("restaurant", find)
    yield
    FINDERS.clear()
    FINDERS.update(saved)


def test_the_kind_choice_lists_all_places_only_stations_or_only_restaurants_with_offers(client, stations, restaurants):
    assert names(page_of(client.get(f"/stations/?{POSITION}")))[:3] == ["有优惠的面馆", "没有优惠的饭店", "关门的驿站"]
    assert names(page_of(client.get(f"/stations/?{POSITION}&kind=station"))) == ["关门的驿站", "营业的驿站",
                                                                                "没有时间的驿站"]
    assert names(page_of(client.get(f"/stations/?{POSITION}&kind=restaurant"))) == ["有优惠的面馆"]


def test_nothing_within_5_km_says_so_and_offers_20_km(client, stations):
    page = page_of(client.get("/stations/?lat=31.930&lng=120.550"))  # 5.3 km from the far one, 6.3 from the rest
    assert names(page) == [] and "Nothing found within 5.0 km." in page
    wide = re.search(r'href="([^"]*wide=1[^"]*)"', page).group(1).replace("&amp;", "&")
    assert "Search within 20 km" in page
    page = page_of(client.get(wide))
    assert names(page) == ["没有时间的驿站", "十二公里外", "关门的驿站", "营业的驿站"]


def test_nothing_within_20_km_says_so_without_another_wider_link(client, stations):
    page = page_of(client.get("/stations/?lat=31.300&lng=120.600&wide=1"))
    assert "Nothing found within 20 km." in page and "wide=1" not in page.split("</form>")[-1]


def test_a_town_picked_from_the_list_measures_from_its_centre_and_says_so(client, stations):
    page = page_of(client.get("/stations/?area=yangshe", lang="zh-CN"))
    assert "距离从杨舍镇中心算起。" in page
    assert names(page)[0] == "营业的驿站" or names(page)  # the list comes, measured from 杨舍镇's centre
    assert '<option value="yangshe" selected>' in page
    page = page_of(client.get("/stations/?area=yangshe&open=1"))
    assert "Distances from the centre of Yangshe." in page and names(page) == ["营业的驿站"]
    assert '<input type="hidden" name="area" value="yangshe">' in page  # the filters keep the town


def test_the_bare_page_says_why_it_asks_for_the_location_and_offers_the_town_picker(client, stations):
    page = page_of(client.get("/stations/"))
    assert "only when you tap the button" in page and "not saved on our server" in page
    assert re.search(r'<a class="button primary" href="/stations/\?locate=1" hx-boost="false" data-near-locate>'
                     r'Use my location</a>', page)
    assert '<select id="area" name="area">' in page and ">Tangqiao</option>" in page
    assert names(page) == [] and "place-filters" not in page  # no list without a position
    assert "js/places-near" in page


def test_asking_for_the_location_without_javascript_says_so_and_shows_the_picker(client, stations):
    page = page_of(client.get("/stations/?locate=1", lang="zh-CN"))
    assert "<noscript><p class=\"hint\">获取位置需要开启JavaScript，请改为选择镇或街道。</p></noscript>" in page
    assert 'data-near-waiting="/stations/?locate=1"' in page and '<select id="area"' in page


def test_a_refused_location_says_so_and_shows_the_picker(client, stations):
    page = page_of(client.get("/stations/?geo=denied"))
    assert "Your browser did not share its location. Choose a town or street instead." in page
    assert '<select id="area"' in page and names(page) == []


@pytest.mark.parametrize("query", ["lat=abc&lng=120.55", "lat=31.87", "lat=999&lng=120.55", "lat=nan&lng=inf",
                                   "lat=31.87&lng=%00", "lat=" + "9" * 500 + "&lng=1"])
def test_an_unreadable_position_is_named_and_the_picker_shown_never_an_error(client, stations, query):
    page = page_of(client.get(f"/stations/?{query}"))
    assert "That location could not be read." in page and '<select id="area"' in page and names(page) == []


@pytest.mark.parametrize("query", ["area=atlantis", "area=%27%3B--", "area=" + "x" * 3000])
def test_an_unknown_town_is_named_and_the_picker_shown(client, stations, query):
    page = page_of(client.get(f"/stations/?{query}"))
    assert "We do not know that town or street." in page and '<select id="area"' in page and names(page) == []


def test_unknown_filters_are_ignored(client, stations):
    page = page_of(client.get(f"/stations/?{POSITION}&amenity=caviar&kind=spaceport&open=yes&wide=maybe"))
    assert names(page) == ["关门的驿站", "营业的驿站", "没有时间的驿站"]
    assert 'value="all" checked' in page


def test_a_position_wins_over_a_town(client, stations):
    page = page_of(client.get(f"/stations/?{POSITION}&area=leyu"))
    assert "Nearest first, from where you are" in page and names(page)[0] == "关门的驿站"


def test_a_boosted_visit_gets_the_whole_page(client, stations):
    page = page_of(client.get(f"/stations/?{POSITION}", htmx=True))
    assert page.startswith("<!doctype html>") and names(page)


def test_the_language_switch_turns_the_page_into_english_and_back(client, stations):
    client.post("/language", data={"lang": "en", "next": "/stations/"}, lang="zh-CN")
    assert "Rest stations near me" in page_of(client.get(f"/stations/?{POSITION}", lang="zh-CN"))
    client.post("/language", data={"lang": "zh", "next": "/stations/"}, lang="zh-CN")
    page = page_of(client.get(f"/stations/?{POSITION}", lang="en"))
    assert "附近的暖新窝" in page and "<html lang=\"zh-Hans\">" in page


def test_riders_and_visitors_find_rest_stations_in_the_bottom_navigation(make_client, ctx, stations):
    with ctx() as session:
        rider = make_user(name="骑手小李").id
        session.commit()
    for client in (make_client(), make_client(rider)):
        nav = re.search(r'<nav class="bottom-nav".*?</nav>', page_of(client.get("/stations/")), re.S).group(0)
        assert re.search(r'<a href="/stations/"\s+aria-current="page">Rest stops</a>', nav)
    rider_nav = re.search(r'<nav class="bottom-nav".*?</nav>', page_of(make_client(rider).get("/tasks")), re.S)
    assert len(re.findall(r"<a href=", rider_nav.group(0))) == 6  # six tabs (with Report) and the log-out button


def test_the_list_page_and_its_css_weigh_under_14_kb_gzipped(client, ctx):
    """A full list (30 places, every amenity, long names) in Chinese, plus app.css, as a phone fetches them."""
    with ctx() as session:
        org = make_org("杨舍镇")
        for i in range(40):
            make_station(org.id, name=f"张家港市杨舍镇第{i}号暖新窝（社区党群服务中心）", at=north_of(HERE, 50 * i),
                         amenities="water,hot_meal,microwave,charging,toilet,seating,first_aid,wifi,ebike_parking",
                         hours="08:00-21:00")
        session.commit()
    response = client.get(f"/stations/?{POSITION}", lang="zh-CN")
    html = page_of(response)
    assert len(names(html)) == 30
    css_url = re.search(r'<link rel="stylesheet" href="([^"]+)"', html).group(1)
    with client.get(css_url) as sheet:
        css = sheet.get_data()
    size = len(gzip.compress(html.encode(), 6)) + len(gzip.compress(css, 6))
    assert size < 14 * 1024, size


def test_the_wider_search_and_the_town_picker_keep_the_ticked_filters(client, stations):
    page = page_of(client.get("/stations/?lat=31.930&lng=120.550&amenity=water&amenity=toilet&open=1"))
    wide = re.search(r'href="([^"]*wide=1[^"]*)"', page).group(1).replace("&amp;", "&")
    assert wide == "/stations/?lat=31.930&lng=120.550&amenity=water&amenity=toilet&open=1&wide=1"
    picker = page.split('class="area-picker"')[1].split("</form>")[0]
    assert re.findall(r'<input type="hidden" name="(\w+)" value="(\w+)">', picker) == [
        ("amenity", "water"), ("amenity", "toilet"), ("open", "1")]
