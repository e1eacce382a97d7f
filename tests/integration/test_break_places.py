"""Hostile input on the places pages (rest stations, restaurants): junk positions, other organisations'
coordinators, hours edge cases, holidays and years the holiday calendar does not know."""

from datetime import UTC, date, datetime, timedelta

import pytest

from core.timeutil import from_local
from tests.station_factories import HERE, make_station, north_of

JUNK = ["nan", "NaN", "inf", "-inf", "1e309", "-1e309", "91", "-91", "181", "abc", "", " ", "0x10", "1_0",
        "３１.８７", "31,87", "9" * 5000, "-0", "1e-400", "\x00", "31.87\n", "∞"]


@pytest.fixture
def places(ctx, world):
    with ctx() as session:
        live = make_station(world.org, name="塘市暖新窝", at=HERE)
        gone = make_station(world.org, name="停用驿站", at=north_of(HERE, 50), active=False)
        theirs = make_station(world.other_org, name="别人家的驿站", at=north_of(HERE, 80))
        session.commit()
        return {"live": live.id, "gone": gone.id, "theirs": theirs.id}


@pytest.mark.parametrize("lat", JUNK)
def test_junk_positions_never_break_near_me_or_the_station_page(make_client, world, places, lat):
    client = make_client()
    for lng in ("120.55", lat):
        for url in (f"/stations/?lat={lat}&lng={lng}", f"/stations/{places['live']}?lat={lat}&lng={lng}",
                    f"/stations/?lat={lat}&lng={lng}&wide=1&open=1&kind=restaurant&amenity=water&amenity=x"):
            assert client.get(url).status_code == 200, url
    rider = make_client(world.rider)
    assert rider.get(f"/offers?near=1&lat={lat}&lng=120.55").status_code == 200


def test_deactivated_station_is_in_no_rider_list(make_client, world, places):
    client = make_client()
    page = client.get(f"/stations/?lat={HERE[0]}&lng={HERE[1]}&wide=1").get_data(as_text=True)
    assert "塘市暖新窝" in page and "停用驿站" not in page
    assert client.get(f"/stations/{places['gone']}").status_code == 404
    page = client.get(f"/stations/{places['live']}").get_data(as_text=True)
    assert "停用驿站" not in page


OTHER_ROUTES = [
    ("get", "/coordinate/stations/{id}"), ("post", "/coordinate/stations/{id}"),
    ("post", "/coordinate/stations/{id}/deactivate"), ("post", "/coordinate/stations/{id}/reactivate"),
    ("get", "/coordinate/stations/{id}/hours"), ("post", "/coordinate/stations/{id}/hours"),
    ("post", "/coordinate/stations/{id}/hours/exceptions"),
    ("post", "/coordinate/stations/{id}/hours/exceptions/1/delete"),
]


def test_another_organisations_coordinator_gets_404_everywhere(make_client, world, places):
    client = make_client(world.other_coordinator)
    for method, url in OTHER_ROUTES:
        url = url.format(id=places["live"])
        response = getattr(client, method)(url, data={"name": "x", "d0_all_day": "y", "day": "2026-10-01",
                                                      "closed": "y"})
        assert response.status_code in (403, 404), (method, url, response.status_code)
    for method, url in [("get", "/coordinate/merchants/{m}/hours"), ("post", "/coordinate/merchants/{m}/hours"),
                        ("post", "/coordinate/merchants/{m}/hours/exceptions"),
                        ("post", "/coordinate/merchants/{m}/hours/exceptions/1/delete")]:
        url = url.format(m=world.merchant)
        response = getattr(client, method)(url, data={"d0_all_day": "y", "day": "2026-10-01", "closed": "y"})
        assert response.status_code in (403, 404), (method, url, response.status_code)
    page = client.get("/coordinate/stations/").get_data(as_text=True)
    assert "塘市暖新窝" not in page and "别人家的驿站" in page
    for who in (world.rider, world.staff):
        c = make_client(who)
        for method, url in OTHER_ROUTES:
            url = url.format(id=places["live"])
            assert getattr(c, method)(url).status_code in (403, 404), (who, url)


def test_an_exception_on_another_stations_id_is_404(make_client, world, places, ctx):
    from stations.models import StationHoursException
    with ctx() as session:
        exc = StationHoursException(station_id=places["theirs"], day=date(2026, 10, 1), closed=True)
        session.add(exc)
        session.commit()
        exc_id = exc.id
    client = make_client(world.coordinator)
    url = f"/coordinate/stations/{places['live']}/hours/exceptions/{exc_id}/delete"
    assert client.post(url).status_code == 404


@pytest.mark.parametrize("day,exceptions", [
    (date(2026, 10, 1), []),
    (date(2026, 9, 27), []),  # 调休 Sunday? (make-up day)
    (date(2026, 10, 10), []),
    (date(2031, 10, 1), [(date(2031, 10, 1), "closed", "国庆")]),
    (date(2035, 5, 1), [(date(2035, 5, 1), "09:00-12:00", "劳动节")]),
    (date(1999, 12, 31), []),
])
@pytest.mark.parametrize("rule", ["weekly", "closed_on_holidays", "sunday_hours_on_holidays"])
def test_station_page_on_holidays_and_unknown_years(make_client, world, ctx, monkeypatch, day, exceptions, rule):
    with ctx() as session:
        station = make_station(world.org, name="节日驿站", hours="08:00-21:00", days=range(6),
                               exceptions=exceptions, holiday_rule=rule)
        make_station(world.org, name="隔壁", at=north_of(HERE, 100), hours="22:00-02:00")
        session.commit()
        sid = station.id
    for hour in (0, 1, 7, 23):
        with ctx():
            moment = from_local(datetime(day.year, day.month, day.day, hour, 30)).astimezone(UTC)
        monkeypatch.setattr("stations.views.utcnow", lambda m=moment: m)
        for lang in ("zh", "en"):
            r = make_client().get(f"/stations/{sid}", lang=lang)
            assert r.status_code == 200, (day, hour, lang)
            r = make_client().get(f"/stations/?lat={HERE[0]}&lng={HERE[1]}&open=1", lang=lang)
            assert r.status_code == 200, (day, hour, lang)


WEEK_CASES = {
    "24:00 opens": {"d0_opens_1": "24:00", "d0_closes_1": "08:00"},
    "equal": {"d0_opens_1": "08:00", "d0_closes_1": "08:00"},
    "overlap": {"d0_opens_1": "08:00", "d0_closes_1": "12:00", "d0_opens_2": "11:00", "d0_closes_2": "13:00"},
    "overlap midnight": {"d0_opens_1": "22:00", "d0_closes_1": "02:00", "d0_opens_2": "01:00", "d0_closes_2": "03:00"},
    "same twice": {"d0_opens_1": "08:00", "d0_closes_1": "12:00", "d0_opens_2": "08:00", "d0_closes_2": "12:00"},
    "half": {"d0_opens_1": "08:00"},
    "junk": {"d0_opens_1": "25:61", "d0_closes_1": "x" * 5000},
    "unicode": {"d0_opens_1": "０８：００", "d0_closes_1": "２１：００"},
    "nul": {"d0_opens_1": "08:00\x00", "d0_closes_1": "09:00"},
    "bad rule": {"holiday_rule": "nope", "d0_all_day": "y"},
    "closed and times": {"d0_closed": "y", "d0_opens_1": "08:00", "d0_closes_1": "09:00"},
    "copy monday": {"copy_monday": "y", "d0_opens_1": "08:00", "d0_closes_1": "24:00"},
    "24:00 close": {"d0_opens_1": "18:00", "d0_closes_1": "24:00"},
    "empty": {},
}


@pytest.mark.parametrize("case", WEEK_CASES)
def test_weekly_hours_forms_never_500(make_client, world, places, case):
    client = make_client(world.coordinator)
    data = {"holiday_rule": "weekly", **WEEK_CASES[case]}
    for url in (f"/coordinate/stations/{places['live']}/hours", f"/coordinate/merchants/{world.merchant}/hours"):
        for htmx in (False, True):
            response = client.post(url, data=data, htmx=htmx)
            assert response.status_code in (200, 303, 422), (url, htmx, response.status_code)


EXC_CASES = [
    {"day": "2026-10-01", "closed": "y"},
    {"day": "2026-10-01", "closed": "y"},
    {"day": "2026-10-01", "opens": "08:00", "closes": "09:00"},
    {"day": "2026-10-02", "opens": "08:00", "closes": "09:00"},
    {"day": "2026-10-02", "opens": "08:30", "closes": "10:00"},
    {"day": "2026-10-02", "opens": "22:00", "closes": "08:30"},
    {"day": "2026-10-02", "opens": "10:00", "closes": "10:00"},
    {"day": "2026-10-02", "opens": "24:00", "closes": "10:00"},
    {"day": "2031-10-01", "opens": "00:00", "closes": "24:00", "note": "国" * 5000},
    {"day": "9999-12-31", "closed": "y"},
    {"day": "0001-01-01", "closed": "y"},
    {"day": "2026-02-30", "closed": "y"},
    {"day": "yesterday", "closed": "y"},
    {"day": "", "closed": "y"},
    {"day": "2026-10-03", "closed": "y", "opens": "08:00"},
    {"day": "2026-10-03"},
    {"day": "2026-10-03", "note": "<script>alert(1)</script>", "closed": "y"},
]


def test_exception_forms_never_500(make_client, world, places):
    client = make_client(world.coordinator)
    for url in (f"/coordinate/stations/{places['live']}/hours/exceptions",
                f"/coordinate/merchants/{world.merchant}/hours/exceptions"):
        for data in EXC_CASES:
            for htmx in (False, True):
                response = client.post(url, data=data, htmx=htmx)
                assert response.status_code in (200, 303, 409, 422), (url, data, htmx, response.status_code)
    for url in (f"/coordinate/stations/{places['live']}/hours", f"/coordinate/merchants/{world.merchant}/hours"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert(1)" not in page
    for lang in ("zh", "en"):
        assert make_client().get(f"/stations/{places['live']}", lang=lang).status_code == 200
        assert make_client(world.rider).get(f"/offers/restaurants/{world.merchant}", lang=lang).status_code in (
            200, 404)


def test_the_wider_search_button_speaks_the_pages_language_whichever_language_came_first(make_client, places):
    """Jinja folds a filter of a constant (``20000 | distance``) when it compiles the template, in the language of
    the first request: an English page then said "Search within 20公里"."""
    url = "/stations/?lat=40&lng=116"  # Beijing: nothing within 5 km, so the wider search is offered
    assert "20公里" in make_client().get(url, lang="zh").get_data(as_text=True)
    english = make_client().get(url, lang="en").get_data(as_text=True)
    assert "Search within 20 km" in english and "公里" not in english


def test_just_after_local_midnight_the_station_page_and_near_me_use_the_local_day(make_client, world, ctx,
                                                                                    monkeypatch):
    """00:30 on Saturday 5 Dec 2026 in Zhangjiagang is still Friday 16:30 in UTC."""
    with ctx() as session:
        station = make_station(world.org, name="午夜驿站", hours="08:00-21:00", days=range(5),
                               exceptions=[(date(2026, 12, 5), "10:00-12:00", "周六加班")])
        session.commit()
        sid = station.id
        moment = from_local(datetime(2026, 12, 5, 0, 30)).astimezone(UTC)
    assert moment.day == 4
    monkeypatch.setattr("stations.views.utcnow", lambda: moment)
    page = make_client().get(f"/stations/{sid}").get_data(as_text=True)
    assert "Closed · opens 10:00" in page, page[page.find("status"):][:300]
    assert '<tr class="today" aria-current="date"><th scope="row">Saturday' in page
    listing = make_client().get(f"/stations/?lat={HERE[0]}&lng={HERE[1]}").get_data(as_text=True)
    assert "Closed · opens 10:00" in listing


def test_a_deactivated_restaurant_is_in_no_list_and_its_page_is_gone(make_client, world, ctx, places):
    from rewards.models import Merchant
    with ctx() as session:
        for merchant_id, active in ((world.merchant, False), (world.other_merchant, True)):
            merchant = session.get(Merchant, merchant_id)
            merchant.latitude, merchant.longitude = north_of(HERE, 30 if active else 20)
            merchant.active = active
        session.commit()
    rider = make_client(world.rider)
    assert rider.get(f"/offers/restaurants/{world.merchant}").status_code == 404
    assert rider.get(f"/offers/restaurants/{world.other_merchant}").status_code == 200
    for url in (f"/stations/?lat={HERE[0]}&lng={HERE[1]}", f"/stations/{places['live']}",
                f"/stations/?lat={HERE[0]}&lng={HERE[1]}&kind=restaurant"):
        page = rider.get(url).get_data(as_text=True)
        assert "暖新小厨" not in page, url
    page = rider.get(f"/offers/restaurants/{world.other_merchant}").get_data(as_text=True)
    assert "塘市暖新窝" in page and "停用驿站" not in page
    page = rider.get(f"/offers?near=1&lat={HERE[0]}&lng={HERE[1]}").get_data(as_text=True)
    assert "暖新小厨" not in page


def test_chinese_station_pages_say_休息_for_a_closed_day_and_名称_for_a_stations_name(make_client, world, ctx):
    """The hours form's errors ask to tick “休息”, so its box must say 休息 (it said 已关门, "has closed now"), and
    a week row closed on Saturday is 休息 too; a station's name is 名称 (姓名 is a person's name)."""
    with ctx() as session:
        station = make_station(world.org, name="周末休息站", hours="08:00-21:00", days=range(5))
        session.commit()
        sid = station.id
    page = make_client().get(f"/stations/{sid}", lang="zh").get_data(as_text=True)
    assert page.count("<td>休息</td>") == 2 and "<td>已关门</td>" not in page
    coordinator = make_client(world.coordinator)
    form = coordinator.get(f"/coordinate/stations/{sid}/hours", lang="zh").get_data(as_text=True)
    assert "已关门" not in form and "休息" in form
    refused = coordinator.post(f"/coordinate/stations/{sid}/hours", lang="zh", data={
        "holiday_rule": "weekly", "d0_closed": "y", "d0_opens_1": "08:00", "d0_closes_1": "09:00"})
    assert refused.status_code == 422 and "请取消勾选“休息”" in refused.get_data(as_text=True)
    for url in ("/coordinate/stations/new", f"/coordinate/stations/{sid}"):
        edit = coordinator.get(url, lang="zh").get_data(as_text=True)
        assert '<label for="name">驿站名称</label>' in edit
    english = coordinator.get("/coordinate/stations/new", lang="en").get_data(as_text=True)
    assert '<label for="name">Station name</label>' in english


POSITIONS = [
    {"latitude": "nan", "longitude": "nan"}, {"latitude": "inf", "longitude": "-inf"},
    {"latitude": "1e309", "longitude": "120"}, {"latitude": "-91", "longitude": "120"},
    {"latitude": "31.87", "longitude": "", "entered_crs": "gcj02"}, {"latitude": "31,87", "longitude": "120,55"},
    {"latitude": "31.87", "longitude": "120.55", "entered_crs": "bd09"},
    {"latitude": "48.85", "longitude": "2.35", "entered_crs": "gcj02"},
    {"latitude": "48.85", "longitude": "2.35", "entered_crs": "wgs84"},
    {"latitude": "0", "longitude": "0"}, {"latitude": "-0", "longitude": "-0"},
    {"latitude": "３１.８７", "longitude": "１２０.５５"},
    {"map_link": "https://uri.amap.com/marker?position=nan,inf"},
    {"map_link": "https://uri.amap.com/marker?position=" + "9" * 3000},
    {"map_link": "amap.com " * 300},
    {"map_link": "geo:31.87,120.55;crs=wgs84;u=30"},
    {"map_link": "31.87，120.55"},
    {"map_link": "javascript:alert(1)"},
    {"map_link": "https://ditu.amap.com/?p=B0FFG,31.87,120.55,暖新窝"},
]


@pytest.mark.parametrize("position", POSITIONS)
def test_the_station_form_never_500s_on_junk_positions(make_client, world, places, position):
    client = make_client(world.coordinator)
    data = {"name": "新" * 100, "kind": "shop", "address": "长" * 200, "amenities": ["water", "bogus"],
            "phone": "0512-58000000", "entered_crs": "wgs84", **position}
    for url in ("/coordinate/stations/new", f"/coordinate/stations/{places['live']}"):
        for htmx in (False, True):
            response = client.post(url, data=data, htmx=htmx)
            assert response.status_code in (200, 303, 422), (url, position, response.status_code)
    admin = make_client(world.admin)
    for organisation in ("", "None", "99999", "abc", str(world.other_org)):
        response = admin.post("/coordinate/stations/new", data={**data, "organisation": organisation})
        assert response.status_code in (200, 303, 422), (organisation, response.status_code)


def test_double_submissions_of_deactivate_and_reactivate(make_client, world, places):
    client = make_client(world.coordinator)
    for action in ("deactivate", "deactivate", "reactivate", "reactivate"):
        response = client.post(f"/coordinate/stations/{places['live']}/{action}")
        assert response.status_code in (303, 409, 422), (action, response.status_code)
    assert make_client().get(f"/stations/{places['live']}").status_code == 200
    for action in ("deactivate", "deactivate"):
        client.post(f"/coordinate/stations/{places['gone']}/{action}")
    assert make_client().get(f"/stations/{places['gone']}").status_code == 404


@pytest.mark.parametrize("lat", JUNK[:12])
def test_the_map_never_breaks_and_shows_no_deactivated_station(make_app, world, places, lat):
    from tests.integration.test_station_map import AMAP_SETTINGS
    app = make_app(**AMAP_SETTINGS)
    client = app.test_client()
    response = client.get(f"/stations/map?lat={lat}&lng={lat}")
    assert response.status_code == 200
    page = client.get(f"/stations/map?lat={HERE[0]}&lng={HERE[1]}").get_data(as_text=True)
    assert "塘市暖新窝" in page and "停用驿站" not in page
    for lang in ("zh", "en"):
        near = client.get(f"/stations/?lat={HERE[0]}&lng={HERE[1]}", headers={"Accept-Language": lang})
        assert near.status_code == 200


@pytest.mark.parametrize("centre", ["", "junk", "31.8755", "nan,nan", "120.553,31.8755,", "91,0"])
def test_an_unreadable_map_centre_stops_the_app_at_start_up_not_the_map_page(make_app, centre):
    """The map page falls back to MAP_CENTRE when no position is sent; a junk centre answered 500 there."""
    from tests.integration.test_station_map import AMAP_SETTINGS
    with pytest.raises(ValueError, match="MAP_CENTRE"):
        make_app(**AMAP_SETTINGS, MAP_CENTRE=centre)
    assert make_app(MAP_TILE_URL="", MAP_CENTRE=centre).test_client().get("/stations/map").status_code == 404


def test_the_default_map_centre_starts_and_draws_the_map(make_app, world, places):
    from tests.integration.test_station_map import AMAP_SETTINGS
    assert make_app(**AMAP_SETTINGS).test_client().get("/stations/map").status_code == 200


@pytest.mark.parametrize("day", [date(2026, 10, 1), date(2026, 10, 10), date(2031, 10, 1), date(2040, 2, 29)])
def test_coordinator_list_and_restaurant_page_on_holidays_and_unknown_years(make_client, world, ctx, monkeypatch,
                                                                            day):
    from rewards.models import Merchant, MerchantHours, MerchantHoursException
    with ctx() as session:
        make_station(world.org, name="节日驿站", hours="08:00-21:00", days=range(5), holiday_rule="closed_on_holidays",
                     exceptions=[(day, "10:00-12:00", "")])
        merchant = session.get(Merchant, world.merchant)
        merchant.latitude, merchant.longitude = HERE
        merchant.holiday_rule = "sunday_hours_on_holidays"
        session.add(MerchantHours(merchant_id=merchant.id, weekday=6, opens="10:00", closes="14:00"))
        session.add(MerchantHoursException(merchant_id=merchant.id, day=day + timedelta(days=1), closed=True))
        session.commit()
        moment = from_local(datetime(day.year, day.month, day.day, 11, 0)).astimezone(UTC)
    for target in ("stations.views.utcnow", "stations.coordinate.utcnow", "rewards.place_views.utcnow"):
        monkeypatch.setattr(target, lambda: moment, raising=False)
    for lang in ("zh", "en"):
        assert make_client(world.coordinator).get("/coordinate/stations/", lang=lang).status_code == 200
        assert make_client(world.coordinator).get(f"/coordinate/merchants/{world.merchant}/hours",
                                                  lang=lang).status_code == 200
        assert make_client(world.rider).get(f"/offers/restaurants/{world.merchant}", lang=lang).status_code == 200
        assert make_client(world.rider).get(f"/offers?near=1&lat={HERE[0]}&lng={HERE[1]}",
                                            lang=lang).status_code == 200
