"""Trying to break problem reports as a hostile or clumsy user would: other people's reports and photos,
workflow steps out of order or by the wrong person, junk in every field, odd photos, Open311 misuse,
a lost CSRF token. No answer may be a 500; what a user may not see is a 404 (DESIGN invariant 10)."""

import io
import json
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from PIL import Image

from accounts.models import User
from extensions import db
from points.models import LedgerEntry
from reports import services
from reports.models import Report, ReportPhoto
from reports.open311_keys import issue_key
from tests import factories
from tests.report_factories import make_department, make_departments, make_report, photo_bytes, routed_report
from tests.station_factories import HERE

LAT, LON = HERE


def _img(fmt="PNG", size=(40, 30), mode="RGB", **save) -> bytes:
    image = Image.new(mode, size, 120 if mode in ("L", "I;16", "CMYK") and mode != "CMYK" else None)
    if mode == "CMYK":
        image = Image.new("CMYK", size, (0, 50, 100, 0))
    out = io.BytesIO()
    image.save(out, fmt, **save)
    return out.getvalue()


@pytest.fixture
def cast(world, ctx):
    """The world, the three departments, a merchant's and a foreign department's staff, and reports: a road
    report (routed to transport) and a food-safety report (routed to market supervision), both by the rider."""
    with ctx():
        deps = make_departments()
        _, stranger_staff = make_department("外地交通局", "transport", "外地小赵")
        road = routed_report(world)
        food = routed_report(world, category="food_safety", description="后厨老鼠乱跑")
        photo_road = db.session.scalar(sa.select(ReportPhoto.id).where(ReportPhoto.report_id == road.id))
        photo_food = db.session.scalar(sa.select(ReportPhoto.id).where(ReportPhoto.report_id == food.id))
        db.session.commit()
        return SimpleNamespace(
            w=world, road=road.id, food=food.id, photo_road=photo_road, photo_food=photo_food,
            transport_staff=deps.transport_staff.id, market_staff=deps.market_staff.id,
            city_staff=deps.city_staff.id, stranger_staff=stranger_staff.id)


def _status(report_id, ctx):
    with ctx():
        return db.session.get(Report, report_id).status


# ---- access ----------------------------------------------------------------------------------------------

def test_outsiders_never_see_a_report_or_its_photos(cast, make_client):
    w = cast.w
    outsiders = {"other org's coordinator": w.other_coordinator, "merchant staff": w.staff,
                 "another rider": w.rider2, "another department": cast.city_staff,
                 "a foreign department": cast.stranger_staff}
    for who, user in outsiders.items():
        client = make_client(user)
        for url in (f"/reports/{cast.road}", f"/reports/photos/{cast.photo_road}.jpg",
                    f"/reports/photos/{cast.photo_food}.jpg", f"/reports/{cast.food}"):
            assert client.get(url).status_code == 404, (who, url)
        for url in (f"/coordinate/reports/{cast.road}", f"/department/reports/{cast.road}",
                    f"/department/reports/{cast.food}"):
            assert client.get(url).status_code in (403, 404), (who, url)
    anonymous = make_client()
    for url in (f"/reports/{cast.road}", f"/reports/photos/{cast.photo_road}.jpg", "/reports/",
                f"/reports/similar/{cast.road}/photo.jpg", f"/coordinate/reports/{cast.road}",
                f"/department/reports/{cast.road}", "/reports/new"):
        response = anonymous.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_outsiders_cannot_act_on_a_report(cast, make_client, ctx):
    w = cast.w
    for user in (w.other_coordinator, w.staff, w.rider2, cast.city_staff, cast.stranger_staff):
        client = make_client(user)
        for url, data in ((f"/coordinate/reports/{cast.road}/reject", {"reason": "x"}),
                          (f"/coordinate/reports/{cast.road}/verify", {}),
                          (f"/department/reports/{cast.road}/reject", {"reason": "x"}),
                          (f"/department/reports/{cast.road}/resolve", {"note": "done"}),
                          (f"/department/reports/{cast.road}/category", {"category": "sanitation"}),
                          (f"/reports/{cast.road}/confirm", {}), (f"/reports/{cast.road}/reopen", {})):
            assert make_client(user).post(url, data=data).status_code in (403, 404), (user, url)
        del client
    assert _status(cast.road, ctx) == "routed"


def test_food_safety_reporter_is_hidden_from_the_department_everywhere(cast, make_client, ctx):
    with ctx():
        rider = db.session.get(User, cast.w.rider)
        name, phone = rider.name, rider.phone
        report = db.session.get(Report, cast.food)
        services.resolve_report(report=report, staff=db.session.get(User, cast.market_staff), note="已整改",
                                photo=("a.jpg", photo_bytes((64, 48))))
        services.reopen_report(report=report, reporter=rider, note="还是有老鼠")
        db.session.commit()
    client = make_client(cast.market_staff)
    for url in ("/department/reports/", "/department/reports/?status=all", f"/department/reports/{cast.food}",
                "/notifications", "/inbox"):
        page = client.get(url).get_data(as_text=True)
        assert name not in page and phone not in page and phone[-4:] not in page, url
    merchant = make_client(cast.w.staff)
    for url in ("/merchant", "/notifications", "/inbox"):
        page = merchant.get(url).get_data(as_text=True)
        assert name not in page and phone not in page, url
    assert make_client(cast.w.rider2).get(f"/reports/similar/{cast.food}/photo.jpg").status_code == 404


def test_similar_photo_only_for_open_recent_reports(cast, make_client, ctx):
    rider2 = make_client(cast.w.rider2)
    assert rider2.get(f"/reports/similar/{cast.road}/photo.jpg").status_code == 200
    with ctx():
        report = db.session.get(Report, cast.road)
        services.reject_report(report=report, actor=db.session.get(User, cast.w.coordinator), reason="重复")
        db.session.commit()
    assert rider2.get(f"/reports/similar/{cast.road}/photo.jpg").status_code == 404
    assert rider2.get("/reports/similar/99999999999/photo.jpg").status_code == 404
    assert make_client(cast.w.coordinator).get(f"/reports/similar/{cast.road}/photo.jpg").status_code == 403


def test_huge_ids_in_urls_are_404(cast, make_client):
    huge = 99999999999999999999
    for user, urls in ((cast.w.rider, [f"/reports/{huge}", f"/reports/photos/{huge}.jpg",
                                       f"/reports/similar/{huge}/photo.jpg"]),
                       (cast.w.coordinator, [f"/coordinate/reports/{huge}"]),
                       (cast.transport_staff, [f"/department/reports/{huge}"]),
                       (cast.w.admin, [f"/admin/reports/departments/{huge}", f"/admin/reports/categories/{huge}"])):
        for url in urls:
            assert make_client(user).get(url).status_code == 404, url
    assert make_client(cast.w.rider).post(f"/reports/{huge}/support").status_code == 404
    assert make_client(cast.w.rider).post(f"/reports/{huge}/confirm").status_code == 404
    assert make_client().get(f"/open311/v2/requests/{huge}.json").status_code == 404


# ---- workflow abuse --------------------------------------------------------------------------------------

def _resolve(cast, ctx, report_id=None):
    with ctx():
        report = db.session.get(Report, report_id or cast.road)
        services.resolve_report(report=report, staff=db.session.get(User, cast.transport_staff), note="已修好",
                                photo=("a.jpg", photo_bytes((64, 48))))
        db.session.commit()


def _awards(cast, ctx):
    with ctx():
        return db.session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry)
                                 .where(LedgerEntry.report_id == cast.road))


def test_resolve_twice_and_double_confirm_and_verify_award_once(cast, make_client, ctx):
    staff = make_client(cast.transport_staff)
    form = {"note": "已修好", "photo": (io.BytesIO(photo_bytes((64, 48))), "after.jpg")}
    assert staff.post(f"/department/reports/{cast.road}/resolve", data=form,
                      content_type="multipart/form-data").status_code == 303
    again = staff.post(f"/department/reports/{cast.road}/resolve", content_type="multipart/form-data",
                       data={"note": "再修", "photo": (io.BytesIO(photo_bytes((64, 48))), "after.jpg")})
    assert again.status_code in (303, 404)
    rider = make_client(cast.w.rider)
    assert rider.post(f"/reports/{cast.road}/confirm").status_code == 303
    assert rider.post(f"/reports/{cast.road}/confirm").status_code == 303
    assert make_client(cast.w.coordinator).post(f"/coordinate/reports/{cast.road}/verify").status_code == 303
    assert _awards(cast, ctx) == 1
    assert _status(cast.road, ctx) == "closed"
    # a closed report: no category change, no reopen, no me too, no accept
    coordinator = make_client(cast.w.coordinator)
    coordinator.post(f"/coordinate/reports/{cast.road}/category", data={"category": "sanitation"})
    coordinator.post(f"/coordinate/reports/{cast.road}/accept")
    rider.post(f"/reports/{cast.road}/reopen", data={"note": "x"})
    assert make_client(cast.w.rider2).post(f"/reports/{cast.road}/support").status_code in (303, 422, 409)
    assert _status(cast.road, ctx) == "closed"
    with ctx():
        assert db.session.get(Report, cast.road).category.code == "road_facilities"


def test_verify_then_confirm_awards_once(cast, make_client, ctx):
    _resolve(cast, ctx)
    assert make_client(cast.w.coordinator).post(f"/coordinate/reports/{cast.road}/verify").status_code == 303
    assert make_client(cast.w.rider).post(f"/reports/{cast.road}/confirm").status_code == 303
    assert _awards(cast, ctx) == 1


def test_reopen_only_once_and_rejected_gets_nothing(cast, make_client, ctx):
    rider = make_client(cast.w.rider)
    _resolve(cast, ctx)
    assert rider.post(f"/reports/{cast.road}/reopen", data={"note": "没修"}).status_code == 303
    assert _status(cast.road, ctx) == "routed"
    _resolve(cast, ctx)
    rider.post(f"/reports/{cast.road}/reopen", data={"note": "还是没修"})
    assert _status(cast.road, ctx) == "resolved"
    page = rider.get(f"/reports/{cast.road}").get_data(as_text=True)
    assert "还是没修" not in page
    # rejected: accept again is refused, no award
    coordinator = make_client(cast.w.coordinator)
    assert coordinator.post(f"/coordinate/reports/{cast.food}/reject", data={"reason": "不属实"}).status_code == 303
    coordinator.post(f"/coordinate/reports/{cast.food}/accept")
    coordinator.post(f"/coordinate/reports/{cast.food}/verify")
    assert _status(cast.food, ctx) == "rejected"
    with ctx():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry)
                                 .where(LedgerEntry.report_id == cast.food)) == 0


def test_route_to_an_inactive_or_unknown_department(cast, make_client, ctx):
    with ctx():
        dead, _ = make_department("已撤销部门", "transport", "撤销小刘", active=False)
        db.session.commit()
        dead_id = dead.id
    coordinator = make_client(cast.w.coordinator)
    for value in (str(dead_id), "999999999", "abc", "", "-1", "1e9", "99999999999999999999"):
        response = coordinator.post(f"/coordinate/reports/{cast.road}/route", data={"department": value})
        assert response.status_code in (303, 422), value
    with ctx():
        assert db.session.get(Report, cast.road).department_id != dead_id


def test_me_too_on_own_twice_and_on_unseen(cast, make_client, ctx):
    rider = make_client(cast.w.rider)
    assert rider.post(f"/reports/{cast.road}/support").status_code in (303, 422, 409)
    rider2 = make_client(cast.w.rider2)
    assert rider2.post(f"/reports/{cast.road}/support").status_code == 303
    assert rider2.post(f"/reports/{cast.road}/support").status_code == 303
    with ctx():
        assert db.session.get(Report, cast.road).supporters == 1
    page = rider2.post(f"/reports/{cast.food}/support", htmx=True).get_data(as_text=True)
    with ctx():
        rider_user = db.session.get(User, cast.w.rider)
        assert rider_user.name not in page and rider_user.phone not in page


# ---- input abuse -----------------------------------------------------------------------------------------

def _file(client, ctx=None, photos=None, **fields):
    data = {"category": "road_facilities", "description": "路灯坏了", "latitude": str(LAT), "longitude": str(LON),
            "confirmed_new": "1", **fields}
    if photos is None:
        photos = [(io.BytesIO(photo_bytes((64, 48))), "p.jpg")]
    data["photos"] = photos
    return _multipart(client, "/reports/new", data)


def _multipart(client, url, data):
    """POST ``data`` as multipart built in memory (the test client's own encoder spools big bodies to
    temporary files it never closes)."""
    from werkzeug.datastructures import FileStorage, MultiDict
    from werkzeug.test import encode_multipart

    values = MultiDict({"csrf_token": client.token()})
    for name, value in data.items():
        for item in (value if isinstance(value, list) else [value]):
            values.add(name, FileStorage(item[0], item[1]) if isinstance(item, tuple) else item)
    boundary, body = encode_multipart(values)
    return client.http.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}",
                            headers={"Accept-Language": "en"})


JUNK = ["<script>alert(1)</script>", "a" * 5000, "\x00\x01\x02nul", "🚧🛵" * 50, "\u202eRTL", "' OR 1=1 --",
        "{{ 7*7 }}", "\r\n\t"]


@pytest.mark.parametrize("junk", JUNK)
def test_junk_in_every_field_never_500_and_is_escaped(cast, make_client, junk):
    rider = make_client(cast.w.rider2)
    for field in ("description", "address", "map_link", "category", "place", "latitude", "longitude",
                  "confirmed_new"):
        response = _file(rider, **{field: junk})
        assert response.status_code in (303, 422, 200), (field, response.status_code)
        page = response.get_data(as_text=True)
        assert "<script>alert(1)" not in page
        if response.status_code == 303:
            detail = rider.get(response.headers["Location"]).get_data(as_text=True)
            assert "<script>alert(1)" not in detail and ">49<" not in detail


@pytest.mark.parametrize("lat", ["abc", "NaN", "inf", "-inf", "1e308", "-91", "", "0x1F", "31,87"])
def test_bad_latitudes_ask_for_a_position(cast, make_client, lat):
    response = _file(make_client(cast.w.rider2), latitude=lat)
    assert response.status_code == 422
    assert "路灯坏了" in response.get_data(as_text=True)


@pytest.mark.parametrize("link", ["https://example.com/?q=1", "javascript:alert(1)", "999,999", "NaN,NaN",
                                  "inf,inf", "1e308,1e308", "https://uri.amap.com/marker?position=abc,def",
                                  "31.87", "%00%00", "https://surl.amap.com/xyz"])
def test_garbage_map_links(cast, make_client, link):
    response = _file(make_client(cast.w.rider2), map_link=link, latitude="", longitude="")
    assert response.status_code == 422
    assert "路灯坏了" in response.get_data(as_text=True)


@pytest.mark.parametrize("place", ["station:999999", "restaurant:abc", "restaurant:999999999",
                                   "station:0", "merchant:1", "station:-1"])
def test_bad_places_never_500(cast, make_client, ctx, place):
    response = _file(make_client(cast.w.rider2), place=place)
    assert response.status_code in (303, 422), response.status_code


def test_inactive_station_of_another_org_is_not_linked(cast, make_client, ctx):
    from tests.station_factories import make_station

    with ctx():
        station = make_station(cast.w.other_org, active=False)
        db.session.commit()
        sid = station.id
    response = _file(make_client(cast.w.rider2), place=f"station:{sid}")
    assert response.status_code in (303, 422)
    if response.status_code == 303:
        with ctx():
            report = db.session.scalars(sa.select(Report).order_by(Report.id.desc())).first()
            assert report.station_id != sid
            assert report.organisation_id != cast.w.other_org


def test_unknown_category_keeps_input(cast, make_client):
    response = _file(make_client(cast.w.rider2), category="no_such", address="人民路口")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "路灯坏了" in page and "人民路口" in page


def _photo_case(name, data):
    return [(io.BytesIO(data), name)]


def test_odd_photos(cast, make_client, ctx):
    rider = make_client(cast.w.rider2)
    png = _img("PNG")
    accepted = {
        "png named .txt": _photo_case("photo.txt", png),
        "gif animation": _photo_case("a.gif", _gif()),
        "cmyk jpeg": _photo_case("c.jpg", _img("JPEG", mode="CMYK")),
        "16-bit png": _photo_case("d.png", _img("PNG", mode="I;16")),
        "1x1": _photo_case("e.png", _img("PNG", size=(1, 1))),
        "grey": _photo_case("g.png", _img("PNG", mode="L")),
        "palette with transparency": _photo_case("h.png", _palette_png()),
        "webp": _photo_case("w.webp", _img("WEBP")),
    }
    for what, photos in accepted.items():
        response = _file(rider, photos=photos)
        assert response.status_code == 303, (what, response.status_code, _errors(response))
    refused = {
        "text named .jpg": _photo_case("x.jpg", b"hello, I am not a picture" * 10),
        "zero bytes": _photo_case("z.jpg", b""),
        "four photos": [(io.BytesIO(png), f"{i}.png") for i in range(4)],
        "11 MB": _photo_case("big.jpg", b"\xff\xd8\xff\xe0" + b"\0" * (11 * 1024 * 1024)),
        "truncated jpeg": _photo_case("t.jpg", photo_bytes((200, 200))[:300]),
        "svg": _photo_case("s.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    }
    for what, photos in refused.items():
        response = _file(rider, photos=photos, address="东门口")
        assert response.status_code in (413, 422), (what, response.status_code)
        page = response.get_data(as_text=True)
        assert "路灯坏了" in page and "东门口" in page, what
    big = _file(rider, photos=_photo_case("big.jpg", b"\xff\xd8\xff\xe0" + b"\0" * (11 * 1024 * 1024)))
    assert "10 MB" in big.get_data(as_text=True)


def _gif() -> bytes:
    frames = [Image.new("P", (20, 20), i) for i in range(3)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return out.getvalue()


def _palette_png() -> bytes:
    image = Image.new("P", (20, 20), 0)
    out = io.BytesIO()
    image.save(out, "PNG", transparency=0)
    return out.getvalue()


def test_body_over_the_limit_is_a_clear_413(cast, make_client, app):
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    response = _file(make_client(cast.w.rider2),
                     photos=_photo_case("big.jpg", b"\xff\xd8\xff\xe0" + b"\0" * (2 * 1024 * 1024)))
    assert response.status_code == 413, _errors(response)
    assert "MB" in response.get_data(as_text=True)


def test_resolve_with_junk_photo_and_notes(cast, make_client, ctx):
    staff = make_client(cast.transport_staff)
    for photo in ((io.BytesIO(b"not an image"), "a.jpg"), (io.BytesIO(b""), "a.jpg"),
                  (io.BytesIO(b"\xff\xd8\xff\xe0" + b"\0" * (11 * 1024 * 1024)), "big.jpg")):
        response = _multipart(staff, f"/department/reports/{cast.road}/resolve",
                              {"note": "已修好<script>x</script>", "photo": photo})
        assert response.status_code in (413, 422), response.status_code
        assert "<script>x</script>" not in response.get_data(as_text=True)
    for note in ("", "   ", "\x00", "a" * 10000):
        response = staff.post(f"/department/reports/{cast.road}/resolve", content_type="multipart/form-data",
                              data={"note": note, "photo": (io.BytesIO(photo_bytes((64, 48))), "a.jpg")})
        assert response.status_code in (303, 422), (note[:5], response.status_code)
    reasons = ("\x00\x00", "<b>x</b>" * 200)
    for reason in reasons:
        assert staff.post(f"/department/reports/{cast.road}/reject", data={"reason": reason}).status_code in (303,
                                                                                                              422)


def test_filters_with_junk_never_500(cast, make_client):
    junk = ["abc", "-1", "99999999999999999999", "<script>", "\x00", "1e9", "🚧"]
    for user, base in ((cast.w.coordinator, "/coordinate/reports/"), (cast.transport_staff, "/department/reports/"),
                       (cast.w.admin, "/coordinate/reports/"), (cast.w.coordinator, "/coordinate/reports/figures")):
        client = make_client(user)
        for value in junk:
            for name in ("status", "category", "department", "age", "page", "q"):
                response = client.get(base, query_string={name: value})
                assert response.status_code in (200, 400), (base, name, value, response.status_code)
                assert "<script>" not in response.get_data(as_text=True).split("</head>")[-1]


# ---- Open311 ---------------------------------------------------------------------------------------------

@pytest.fixture
def api_key(cast, ctx):
    with ctx():
        secret = _issue(cast)
        db.session.commit()
        return secret


def _issue(cast):
    admin = db.session.get(User, cast.w.admin)
    result = issue_key(name="城市平台", actor=admin)
    return result[1] if isinstance(result, tuple) else result


def test_open311_abuse(cast, make_client, ctx, api_key):
    client = make_client().http
    with ctx():
        rider = db.session.get(User, cast.w.rider)
        secrets_of_reporter = (rider.name, rider.phone)
    good = {"service_code": "road_facilities", "lat": str(LAT), "long": str(LON), "description": "井盖没了"}
    cases = [
        ({**good}, 403), ({**good, "api_key": ""}, 403), ({**good, "api_key": "nope"}, 403),
        ({**good, "api_key": api_key, "lat": "abc"}, 400), ({**good, "api_key": api_key, "lat": "NaN"}, 400),
        ({**good, "api_key": api_key, "lat": "1e308"}, 400),
        ({**good, "api_key": api_key, "lat": "0", "long": "0"}, 400),
        ({**good, "api_key": api_key, "service_code": "nope"}, 400),
        ({**good, "api_key": api_key, "description": ""}, 400),
        ({**good, "api_key": api_key, "description": "x" * 100000}, 201),
        ({**good, "api_key": api_key, "description": "\x00<script>"}, 201),
    ]
    for form, status in cases:
        response = client.post("/open311/v2/requests.json", data=form)
        assert response.status_code == status, (form.get("lat"), form.get("service_code"), response.status_code)
        assert response.mimetype == "application/json"
        assert "Set-Cookie" not in response.headers
        json.loads(response.get_data(as_text=True))
    as_json = client.post("/open311/v2/requests.json", json={**good, "api_key": api_key})
    assert as_json.status_code in (400, 403, 415)
    assert as_json.mimetype == "application/json"
    gets = ["/open311/v2/services.xml", "/open311/v2/requests.xml", "/open311/v2/requests.json?status=foo",
            "/open311/v2/requests.json?start_date=yesterday", "/open311/v2/requests.json?end_date=9999-99-99",
            "/open311/v2/requests.json?start_date=2026-12-03T00:00:00%2B99:00",
            "/open311/v2/requests.json?start_date=0001-01-01",
            "/open311/v2/requests.json?service_request_id=" + ",".join(str(i) for i in range(5000)),
            "/open311/v2/requests.json?service_request_id=1,abc", "/open311/v2/requests.json?service_request_id=-1",
            "/open311/v2/requests.json?service_code=" + "x," * 3000, "/open311/v2/requests/abc.json",
            f"/open311/v2/requests/{cast.food}.json", f"/open311/v2/requests.json?service_request_id={cast.food}",
            "/open311/v2/requests.json", "/open311/v2/requests.json?lang=xx",
            "/open311/v2/requests.json?start_date=2026-12-03T00:00:00&end_date=2026-12-01T00:00:00"]
    for url in gets:
        response = client.get(url)
        assert response.status_code in (200, 400, 404), (url[:80], response.status_code)
        assert response.mimetype == "application/json", url[:80]
        assert "Set-Cookie" not in response.headers, url[:80]
        text = response.get_data(as_text=True)
        for secret in secrets_of_reporter:
            assert secret not in text, url[:80]
    for method in ("put", "delete", "patch"):
        response = getattr(client, method)("/open311/v2/requests.json")
        assert response.status_code == 405 and response.mimetype == "application/json"
    with ctx():
        from reports.models import Open311Key
        key = db.session.scalars(sa.select(Open311Key)).first()
        key.revoked_at = key.created_at
        db.session.commit()
    assert client.post("/open311/v2/requests.json", data={**good, "api_key": api_key}).status_code == 403


# ---- sessions --------------------------------------------------------------------------------------------

def test_lost_csrf_token_on_the_report_form(cast, make_client):
    rider = make_client(cast.w.rider2)
    response = rider.http.post("/reports/new", data={"category": "road_facilities", "description": "路灯坏了",
                                                     "csrf_token": "expired"},
                               content_type="multipart/form-data")
    assert response.status_code in (400, 422, 303, 302)
    assert response.status_code != 500
    anonymous = make_client()
    response = anonymous.http.post("/reports/new", data={"description": "路灯坏了"},
                                   content_type="multipart/form-data")
    assert response.status_code in (302, 303, 400)
    if response.status_code in (302, 303):
        assert "/login" in response.headers["Location"]


def test_a_report_page_shows_no_other_reports(cast, make_client, ctx):
    with ctx():
        own = make_report(db.session.get(User, cast.w.rider2), description="我的上报")
        db.session.commit()
        own_id = own.id
    page = make_client(cast.w.rider2).get("/reports/").get_data(as_text=True)
    assert "后厨老鼠乱跑" not in page
    assert f"/reports/{own_id}" in page
    assert factories  # the module is used by the fixtures


def _errors(response) -> list[str]:
    """The error messages on a page (for a failing assertion)."""
    import re

    return re.findall(r'class="[^"]*(?:error|invalid)[^"]*"[^>]*>([^<]{0,200})', response.get_data(as_text=True))


# ---- regressions: NUL bytes (PostgreSQL refuses them in text, even in a comparison: a 500 there) ----------

def test_nul_bytes_in_staff_notes_are_dropped(cast, make_client, ctx):
    staff = make_client(cast.transport_staff)
    assert staff.post(f"/department/reports/{cast.road}/resolve", content_type="multipart/form-data",
                      data={"note": "\x00"}).status_code == 422  # nothing but a NUL: no note
    response = staff.post(f"/department/reports/{cast.road}/resolve", content_type="multipart/form-data",
                          data={"note": "井盖\x00已换", "photo": (io.BytesIO(photo_bytes((64, 48))), "a.jpg")})
    assert response.status_code == 303
    assert make_client(cast.w.rider).post(f"/reports/{cast.road}/reopen", data={"note": "没\x00修"}).status_code == 303
    coordinator = make_client(cast.w.coordinator)
    assert coordinator.post(f"/coordinate/reports/{cast.food}/reject",
                            data={"reason": "重复\x00上报\x07"}).status_code == 303
    with ctx():
        from reports.models import ReportUpdate

        notes = set(db.session.scalars(sa.select(ReportUpdate.note).where(ReportUpdate.note != "")))
        assert notes == {"井盖已换", "没修", "重复上报"}


def test_nul_bytes_in_filters_and_categories_are_no_500(cast, make_client):
    coordinator = make_client(cast.w.coordinator)
    assert coordinator.get("/coordinate/reports/", query_string={"category": "\x00"}).status_code == 200
    assert make_client(cast.transport_staff).get("/department/reports/",
                                                 query_string={"category": "road\x00"}).status_code == 200
    response = coordinator.post(f"/coordinate/reports/{cast.road}/category", data={"category": "\x00"})
    assert response.status_code == 422
    rider = make_client(cast.w.rider2)
    assert rider.get("/reports/similar", htmx=True, query_string={"category": "\x00", "latitude": str(LAT),
                                                                  "longitude": str(LON)}).status_code == 200
    response = _file(rider, category="\x00")
    assert response.status_code == 422 and "路灯坏了" in response.get_data(as_text=True)


def test_nul_bytes_in_a_report_are_dropped(cast, make_client, ctx):
    response = _file(make_client(cast.w.rider2), description="路灯\x00坏了", address="东门\x00口")
    assert response.status_code == 303
    with ctx():
        report = db.session.scalars(sa.select(Report).order_by(Report.id.desc())).first()
        assert (report.description, report.address) == ("路灯坏了", "东门口")


def test_nul_bytes_through_open311_are_no_500(cast, make_client, ctx, api_key):
    client = make_client().http
    assert client.get("/open311/v2/requests.json", query_string={"service_code": "\x00,food\x00"}).status_code == 200
    form = {"api_key": api_key, "lat": str(LAT), "long": str(LON)}
    assert client.post("/open311/v2/requests.json", data={**form, "service_code": "\x00",
                                                           "description": "x"}).status_code == 400
    response = client.post("/open311/v2/requests.json", data={**form, "service_code": "sanitation",
                                                               "description": "垃圾\x00满了",
                                                               "address_string": "人民\x00路"})
    assert response.status_code == 201
    with ctx():
        report = db.session.get(Report, int(response.get_json()[0]["service_request_id"]))
        assert (report.description, report.address) == ("垃圾满了", "人民路")
