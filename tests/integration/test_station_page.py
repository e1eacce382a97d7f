"""A station's page (GET /stations/<id>): status, the week with today marked, dated changes, public holidays and
make-up days, amenities, address, phone, one-tap navigation, distance, places nearby; 404 when not shown."""

import re
from datetime import UTC, datetime, time, timedelta
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from core.geo import wgs84_to_gcj02
from core.timeutil import from_local, local_today
from tests.factories import make_org
from tests.station_factories import HERE, east_of, make_station, north_of


@pytest.fixture
def station(ctx):
    """A station 08:00–21:00 on weekdays (closed at weekends), with a shop 200 m away and another 900 m away."""
    with ctx() as session:
        org = make_org("杨舍镇塘市办事处")
        today = local_today()
        main = make_station(org.id, name="塘市暖新窝", at=HERE, hours="08:00-21:00", days=range(5),
                            amenities="water,microwave,toilet", phone="0512 5867 1234",
                            exceptions=[(today + timedelta(days=3), "closed", "消毒闭馆"),
                                        (today + timedelta(days=5), "10:00-12:00", "半天"),
                                        (today + timedelta(days=20), "closed", "太远不显示")])
        near = make_station(org.id, name="两百米外的小店", at=north_of(HERE, 200), kind="shop")
        make_station(org.id, name="九百米外", at=east_of(HERE, 900))
        gone = make_station(org.id, name="停用", at=north_of(HERE, 100), active=False)
        session.commit()
        return {"id": main.id, "near": near.id, "gone": gone.id, "org": org.id, "today": today}


def page_of(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


def at(monkeypatch, local: datetime):
    """Make the station pages run at a local (Asia/Shanghai) wall-clock time."""
    monkeypatch.setattr("stations.views.utcnow", lambda: from_local(local).astimezone(UTC))


def test_an_anonymous_rider_sees_the_station_with_its_week_amenities_and_organisation(client, station):
    page = page_of(client.get(f"/stations/{station['id']}"))
    assert "<h1>塘市暖新窝</h1>" in page and "Community centre · 杨舍镇塘市办事处" in page
    rows = re.findall(r"<tr[^>]*><th scope=\"row\">(\w+)", page)
    assert rows == ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    assert page.count("<td>08:00–21:00</td>") == 5 and page.count("<td>Closed</td>") == 2
    today = re.search(r'<tr class="today" aria-current="date"><th scope="row">(\w+)', page).group(1)
    assert today == station["today"].strftime("%A")
    assert "Drinking water" in page and "Microwave" in page and "Toilet" in page and "Wi-Fi" not in page
    assert "Usual weekly hours on public holidays" in page
    assert '<span id="place-address">张家港市塘市暖新窝路1号</span>' in page


def test_the_status_line_says_when_it_opens_or_closes(client, station, monkeypatch):
    # A week clear of the fixture's dated exceptions (today + 3, + 5 and + 20 days), whatever today is.
    monday = station["today"] + timedelta(days=6 + (7 - (station["today"] + timedelta(days=6)).weekday()) % 7)
    wednesday, friday = monday + timedelta(days=2), monday + timedelta(days=4)
    at(monkeypatch, datetime.combine(wednesday, time(10, 0)))  # a Wednesday morning
    assert "Open now · closes 21:00" in page_of(client.get(f"/stations/{station['id']}"))
    at(monkeypatch, datetime.combine(friday, time(22, 0)))  # Friday night: next opening on Monday
    assert "Closed · opens Monday 08:00" in page_of(client.get(f"/stations/{station['id']}"))
    at(monkeypatch, datetime.combine(wednesday, time(22, 0)))
    assert "已关门 · 明天08:00开门" in page_of(client.get(f"/stations/{station['id']}", lang="zh-CN"))


def test_the_navigation_links_carry_gcj02_for_amap_and_baidu_and_wgs84_for_geo(client, station):
    page = page_of(client.get(f"/stations/{station['id']}"))
    buttons = re.findall(r'<a class="button" href="([^"]+)"[^>]*>([^<]+)</a>', page)
    links = {text: href.replace("&amp;", "&") for href, text in buttons}
    gcj_lat, gcj_lng = wgs84_to_gcj02(*HERE)
    amap = parse_qs(urlsplit(links["Open in Amap"]).query)
    assert links["Open in Amap"].startswith("https://uri.amap.com/navigation?")
    assert amap["to"] == [f"{gcj_lng:.6f},{gcj_lat:.6f},塘市暖新窝"] and amap["coordinate"] == ["gaode"]
    baidu = parse_qs(urlsplit(links["Open in Baidu Maps"]).query)
    assert baidu["location"] == [f"{gcj_lat:.6f},{gcj_lng:.6f}"] and baidu["coord_type"] == ["gcj02"]
    lat, lng = f"{HERE[0]:.6f}", f"{HERE[1]:.6f}"
    assert unquote(links["Other map app"]) == f"geo:{lat},{lng}?q={lat},{lng}(塘市暖新窝)"
    assert links["Call 0512 5867 1234"] == "tel:051258671234"
    assert re.search(r'<button type="button" class="button" data-copy="place-address"[^>]*hidden>Copy address</button>',
                     page, re.S)  # shown by copy.js only where the clipboard works
    assert "js/copy" in page


def test_the_distance_shows_when_the_rider_position_is_given_and_bad_positions_are_ignored(client, station):
    page = page_of(client.get(f"/stations/{station['id']}?lat=31.880&lng=120.550"))
    assert "1.1 km away" in page
    for query in ("lat=abc&lng=1", "lat=91&lng=0", "lat=31.8"):
        assert " away" not in page_of(client.get(f"/stations/{station['id']}?{query}"))


def test_nearby_lists_the_places_within_500_m_but_not_the_station_itself(client, station):
    page = page_of(client.get(f"/stations/{station['id']}"))
    nearby = page.split('id="nearby-title"')[1]
    assert re.findall(r'class="place-name"[^>]*>([^<]+)<', nearby) == ["两百米外的小店"]
    assert f'href="/stations/{station["near"]}"' in nearby and "200 m" in nearby


def test_changes_within_two_weeks_are_listed_with_their_notes(client, station):
    page = page_of(client.get(f"/stations/{station['id']}", lang="zh-CN"))
    changes = page.split("未来两周的时间调整")[1].split("</ul>")[0]
    assert "消毒闭馆" in changes and "10:00–12:00 — 半天" in changes and "太远不显示" not in page
    soon = station["today"] + timedelta(days=3)
    assert f"{soon.month}月{soon.day}日" in changes


@pytest.mark.parametrize(("rule", "expected"), [
    ("closed_on_holidays", "Today is a public holiday (National Day): closed."),
    ("sunday_hours_on_holidays", "Today is a public holiday (National Day): Sunday hours."),
    ("weekly", "Today is a public holiday (National Day): usual hours."),
])
def test_a_public_holiday_today_is_named_with_what_it_does_to_the_hours(client, ctx, station, monkeypatch, rule,
                                                                       expected):
    from extensions import db
    from stations.models import Station

    with ctx() as session:
        db.session.get(Station, station["id"]).holiday_rule = rule
        session.commit()
    at(monkeypatch, datetime(2026, 10, 1, 10, 0))
    page = page_of(client.get(f"/stations/{station['id']}"))
    assert expected in page
    if rule == "closed_on_holidays":
        assert "Closed on public holidays" in page and 'is-closed">Closed' in page


def test_a_make_up_working_day_gets_working_day_hours_and_says_why(client, ctx, station, monkeypatch):
    from extensions import db
    from stations.models import Station

    with ctx() as session:
        db.session.get(Station, station["id"]).holiday_rule = "closed_on_holidays"
        session.commit()
    at(monkeypatch, datetime(2026, 9, 20, 10, 0))  # a Sunday worked for National Day (调休)
    page = page_of(client.get(f"/stations/{station['id']}", lang="zh-CN"))
    assert "今天是国庆节调休上班日：按工作日时间营业。" in page and "营业中 · 21:00关门" in page


def test_a_year_the_holiday_calendar_does_not_know_shows_the_weekly_hours_and_says_so(client, ctx, station,
                                                                                     monkeypatch):
    from extensions import db
    from stations.models import Station

    with ctx() as session:
        db.session.get(Station, station["id"]).holiday_rule = "closed_on_holidays"
        session.commit()
    at(monkeypatch, datetime(2031, 3, 3, 10, 0))  # a Monday in a year chinese-calendar does not know yet
    page = page_of(client.get(f"/stations/{station['id']}"))
    assert "Hours on public holidays are not known yet." in page and "Open now · closes 21:00" in page


def test_a_station_without_hours_says_they_are_not_known(client, ctx):
    with ctx() as session:
        org = make_org()
        bare = make_station(org.id, name="新开的驿站", hours=None, phone=None).id
        session.commit()
    page = page_of(client.get(f"/stations/{bare}", lang="zh-CN"))
    assert page.count("营业时间未知") == 2 and "tel:" not in page


def test_unknown_and_deactivated_stations_are_404(client, station):
    assert client.get("/stations/999999").status_code == 404
    assert client.get(f"/stations/{station['gone']}").status_code == 404
    assert client.get("/stations/99999999999999").status_code == 404
    assert client.get("/stations/abc").status_code == 404


def test_a_logged_in_rider_sees_the_same_page_in_both_languages(make_client, ctx, station):
    from tests.factories import make_user

    with ctx() as session:
        rider = make_user(name="骑手小李").id
        session.commit()
    client = make_client(rider)
    client.post("/language", data={"lang": "zh", "next": "/"})
    page = page_of(client.get(f"/stations/{station['id']}", lang="en"))
    assert "怎么去" in page and "用高德地图导航" in page and '<html lang="zh-Hans">' in page
    client.post("/language", data={"lang": "en", "next": "/"})
    assert "Get there" in page_of(client.get(f"/stations/{station['id']}", lang="zh-CN"))


def test_date_is_not_written_the_us_way(client, station):
    page = page_of(client.get(f"/stations/{station['id']}"))
    soon = station["today"] + timedelta(days=3)
    assert soon.strftime("%a %-d %b") in page and soon.strftime("%m/%d") not in page
