"""Trying to break problem reports as a hostile or clumsy user would, part 2: junk in every field, odd photos, a
body over the limit, Open311 misuse, NUL bytes (PostgreSQL refuses them). No answer may be a 500, and form errors
keep the input. Part 1 (access, workflow, sessions): test_reports_abuse_access.py."""
# ruff: noqa: F811 - the shared fixtures are imported by name and taken as test arguments

import io
import json

import pytest
import sqlalchemy as sa
from PIL import Image

from accounts.models import User
from extensions import db
from reports.models import Report
from tests.report_abuse_cast import JUNK, LAT, LON, api_key, cast, errors, file_report, img, multipart  # noqa: F401 - fixtures (named as test arguments: F811 below)
from tests.report_factories import photo_bytes

# ---- input abuse -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("junk", JUNK)
def test_junk_in_every_field_never_500_and_is_escaped(cast, make_client, junk):
    rider = make_client(cast.w.rider2)
    for field in ("description", "address", "map_link", "category", "place", "latitude", "longitude",
                  "confirmed_new"):
        response = file_report(rider, **{field: junk})
        assert response.status_code in (303, 422, 200), (field, response.status_code)
        page = response.get_data(as_text=True)
        assert "<script>alert(1)" not in page
        if response.status_code == 303:
            detail = rider.get(response.headers["Location"]).get_data(as_text=True)
            assert "<script>alert(1)" not in detail and ">49<" not in detail


@pytest.mark.parametrize("lat", ["abc", "NaN", "inf", "-inf", "1e308", "-91", "", "0x1F", "31,87"])
def test_bad_latitudes_ask_for_a_position(cast, make_client, lat):
    response = file_report(make_client(cast.w.rider2), latitude=lat)
    assert response.status_code == 422
    assert "路灯坏了" in response.get_data(as_text=True)


@pytest.mark.parametrize("link", ["https://example.com/?q=1", "javascript:alert(1)", "999,999", "NaN,NaN",
                                  "inf,inf", "1e308,1e308", "https://uri.amap.com/marker?position=abc,def",
                                  "31.87", "%00%00", "https://surl.amap.com/xyz"])
def test_garbage_map_links(cast, make_client, link):
    response = file_report(make_client(cast.w.rider2), map_link=link, latitude="", longitude="")
    assert response.status_code == 422
    assert "路灯坏了" in response.get_data(as_text=True)


@pytest.mark.parametrize("place", ["station:999999", "restaurant:abc", "restaurant:999999999",
                                   "station:0", "merchant:1", "station:-1"])
def test_bad_places_never_500(cast, make_client, ctx, place):
    response = file_report(make_client(cast.w.rider2), place=place)
    assert response.status_code in (303, 422), response.status_code


def test_inactive_station_of_another_org_is_not_linked(cast, make_client, ctx):
    from tests.station_factories import make_station

    with ctx():
        station = make_station(cast.w.other_org, active=False)
        db.session.commit()
        sid = station.id
    response = file_report(make_client(cast.w.rider2), place=f"station:{sid}")
    assert response.status_code in (303, 422)
    if response.status_code == 303:
        with ctx():
            report = db.session.scalars(sa.select(Report).order_by(Report.id.desc())).first()
            assert report.station_id != sid
            assert report.organisation_id != cast.w.other_org


def test_unknown_category_keeps_input(cast, make_client):
    response = file_report(make_client(cast.w.rider2), category="no_such", address="人民路口")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "路灯坏了" in page and "人民路口" in page


def _photo_case(name, data):
    return [(io.BytesIO(data), name)]


def test_odd_photos(cast, make_client, ctx):
    rider = make_client(cast.w.rider2)
    png = img("PNG")
    accepted = {
        "png named .txt": _photo_case("photo.txt", png),
        "gif animation": _photo_case("a.gif", _gif()),
        "cmyk jpeg": _photo_case("c.jpg", img("JPEG", mode="CMYK")),
        "16-bit png": _photo_case("d.png", img("PNG", mode="I;16")),
        "1x1": _photo_case("e.png", img("PNG", size=(1, 1))),
        "grey": _photo_case("g.png", img("PNG", mode="L")),
        "palette with transparency": _photo_case("h.png", _palette_png()),
        "webp": _photo_case("w.webp", img("WEBP")),
    }
    for what, photos in accepted.items():
        response = file_report(rider, photos=photos)
        assert response.status_code == 303, (what, response.status_code, errors(response))
    refused = {
        "text named .jpg": _photo_case("x.jpg", b"hello, I am not a picture" * 10),
        "zero bytes": _photo_case("z.jpg", b""),
        "four photos": [(io.BytesIO(png), f"{i}.png") for i in range(4)],
        "11 MB": _photo_case("big.jpg", b"\xff\xd8\xff\xe0" + b"\0" * (11 * 1024 * 1024)),
        "truncated jpeg": _photo_case("t.jpg", photo_bytes((200, 200))[:300]),
        "svg": _photo_case("s.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    }
    for what, photos in refused.items():
        response = file_report(rider, photos=photos, address="东门口")
        assert response.status_code in (413, 422), (what, response.status_code)
        page = response.get_data(as_text=True)
        assert "路灯坏了" in page and "东门口" in page, what
    big = file_report(rider, photos=_photo_case("big.jpg", b"\xff\xd8\xff\xe0" + b"\0" * (11 * 1024 * 1024)))
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
    response = file_report(make_client(cast.w.rider2),
                     photos=_photo_case("big.jpg", b"\xff\xd8\xff\xe0" + b"\0" * (2 * 1024 * 1024)))
    assert response.status_code == 413, errors(response)
    assert "MB" in response.get_data(as_text=True)


def test_resolve_with_junk_photo_and_notes(cast, make_client, ctx):
    staff = make_client(cast.transport_staff)
    for photo in ((io.BytesIO(b"not an image"), "a.jpg"), (io.BytesIO(b""), "a.jpg"),
                  (io.BytesIO(b"\xff\xd8\xff\xe0" + b"\0" * (11 * 1024 * 1024)), "big.jpg")):
        response = multipart(staff, f"/department/reports/{cast.road}/resolve",
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
    response = file_report(rider, category="\x00")
    assert response.status_code == 422 and "路灯坏了" in response.get_data(as_text=True)


def test_nul_bytes_in_a_report_are_dropped(cast, make_client, ctx):
    response = file_report(make_client(cast.w.rider2), description="路灯\x00坏了", address="东门\x00口")
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
