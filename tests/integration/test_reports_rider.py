"""The rider's side of problem reports: filing one (photos, category, place), "me too" on a similar open report
nearby, my reports with their points, a report's page, confirming the fix or saying it is not fixed."""

import io
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from PIL import Image

from accounts.models import User
from core.storage import file_store
from core.timeutil import utcnow
from points.models import LedgerEntry
from reports import services
from reports.catalogue import category_by_code
from reports.models import Report, ReportPhoto, ReportSupport
from tests.report_factories import make_departments, make_report, photo_bytes
from tests.station_factories import HERE, east_of, north_of

FORM = {"category": "road_facilities", "description": "井盖缺失，电动车容易摔倒", "latitude": str(HERE[0]),
        "longitude": str(HERE[1]), "address": "人民中路学校门口"}


@pytest.fixture
def deps(ctx, world):
    with ctx() as session:
        made = make_departments()
        session.commit()
        return SimpleNamespace(transport_staff=made.transport_staff.id, transport=made.transport.id)


@pytest.fixture
def rider(world, make_client, deps):
    return make_client(world.rider)


def send(client, photos=1, lang="en", **fields):
    """POST the form with ``photos`` real JPEGs (or the (name, bytes) pairs given)."""
    if isinstance(photos, int):
        photos = [(f"IMG_{i}.jpg", photo_bytes()) for i in range(photos)]
    data = {**FORM, **fields, "photos": [(io.BytesIO(data), name) for name, data in photos]}
    return client.post("/reports/new", data, content_type="multipart/form-data", lang=lang)


def error_beside(html: str, field: str) -> str:
    match = re.search(rf'id="{field}-error"[^>]*>([^<]+)<', html)
    return match.group(1) if match else ""


def test_a_rider_files_a_report_with_a_photo_stored_small_and_without_metadata(rider, ctx, world):
    response = send(rider)
    assert response.status_code == 303
    with ctx() as session:
        report = session.scalars(sa.select(Report)).one()
        assert response.headers["Location"].endswith(f"/reports/{report.id}")
        assert (report.reporter_id, report.status, report.category.code) == (world.rider, "submitted",
                                                                             "road_facilities")
        assert report.description == FORM["description"] and report.address == FORM["address"]
        photo = session.scalars(sa.select(ReportPhoto)).one()
        image = Image.open(io.BytesIO(file_store().get(photo.storage_key)))
        assert image.format == "JPEG" and max(image.size) <= 1600
        assert not image.getexif() and "exif" not in image.info
    page = rider.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "井盖缺失" in page and "Report submitted" in page
    served = rider.get(f"/reports/photos/{photo.id}.jpg")
    assert served.status_code == 200 and served.content_type == "image/jpeg"


def test_a_pasted_amap_link_is_converted_to_gps(rider, ctx):
    response = send(rider, latitude="", longitude="", map_link="https://uri.amap.com/marker?position=120.5546,31.8681")
    assert response.status_code == 303
    with ctx() as session:
        report = session.scalars(sa.select(Report)).one()
        assert report.entered_crs == "gcj02"
        assert abs(report.latitude - 31.8681) > 0.001 and 31.86 < report.latitude < 31.88


@pytest.mark.parametrize(("photos", "fields", "field", "message"), [
    (0, {}, "photos", "Add at least one photo of the problem."),
    ([("notes.jpg", b"this is not a picture")], {}, "photos", "is not a photo we can read"),
    (1, {"description": "   "}, "description", "Say in a few words what is wrong."),
    (1, {"latitude": "39.9", "longitude": "116.4"}, "location", "outside the area"),
    (1, {"latitude": "", "longitude": ""}, "location", "Say where it is"),
    (4, {}, "photos", "Add at most 3 photos."),
    (1, {"category": ""}, "category", "Choose what kind of problem it is."),
])
def test_bad_input_gets_a_message_beside_its_field_and_keeps_what_was_typed(rider, ctx, photos, fields, field,
                                                                            message):
    response = send(rider, photos=photos, **fields)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in error_beside(html, field)
    if field != "description":
        assert FORM["description"] in html
    assert FORM["address"] in html
    assert "choose the photos again" in html
    with ctx() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Report)) == 0


def test_an_unreadable_map_link_is_named_beside_it(rider):
    response = send(rider, latitude="", longitude="", map_link="somewhere nice")
    assert response.status_code == 422
    assert "Cannot read a position" in error_beside(response.get_data(as_text=True), "map_link")


def test_the_form_offers_large_category_tiles_and_the_camera(rider):
    html = rider.get("/reports/new").get_data(as_text=True)
    assert 'capture="environment"' in html and 'accept="image/*"' in html and "multiple" in html
    assert html.count('name="category"') == 8 and "🚧" in html and "Road facilities" in html
    assert 'enctype="multipart/form-data"' in html and "js/report-form" in html


def filed(ctx, world, *, at=HERE, category="road_facilities", age_days=0, status=None, by=None):
    with ctx() as session:
        reporter = session.get(User, by or world.rider2)
        report = make_report(reporter, category=category, at=at, now=utcnow() - timedelta(days=age_days))
        if status:
            report.status = status
        session.commit()
        return report.id


def similar_list(client, **params) -> str:
    query = {"category": "road_facilities", "latitude": HERE[0], "longitude": HERE[1], **params}
    response = client.get("/reports/similar", htmx=True, query_string=query)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return html.split('id="report-places"')[0]


def test_me_too_lists_open_reports_of_the_kind_within_50_m_of_the_last_14_days(rider, ctx, world):
    near = filed(ctx, world, at=north_of(HERE, 30))
    far = filed(ctx, world, at=north_of(HERE, 80))
    old = filed(ctx, world, at=east_of(HERE, 10), age_days=15)
    closed = filed(ctx, world, at=east_of(HERE, 5), status="closed")
    other_kind = filed(ctx, world, at=HERE, category="sanitation")
    html = similar_list(rider)
    listed = {int(n) for n in re.findall(r'id="report-(\d+)-support"', html)}
    assert listed == {near}
    assert not {far, old, closed, other_kind} & listed
    assert f"/reports/similar/{near}/photo.jpg" in html
    assert rider.get(f"/reports/similar/{near}/photo.jpg").status_code == 200


def test_a_food_safety_report_nearby_shows_no_photo(rider, ctx, world):
    report_id = filed(ctx, world, category="food_safety")
    html = similar_list(rider, category="food_safety")
    assert "A report of this kind already exists here." in html and "photo.jpg" not in html
    assert rider.get(f"/reports/similar/{report_id}/photo.jpg").status_code == 404


def test_without_javascript_the_post_first_shows_the_similar_report_then_sends_when_confirmed(rider, ctx, world):
    near = filed(ctx, world, at=east_of(HERE, 20))
    response = send(rider)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and f'id="report-{near}-support"' in html
    assert re.search(r'<input[^>]*name="confirmed_new"[^>]*value="1"', html)
    assert "It is a different problem: send anyway" in html
    with ctx() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Report)) == 1
    assert send(rider, confirmed_new="1").status_code == 303
    with ctx() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Report)) == 2


def test_me_too_twice_counts_once(rider, ctx, world):
    near = filed(ctx, world, at=east_of(HERE, 20))
    first = rider.post(f"/reports/{near}/support", htmx=True)
    assert first.status_code == 200 and "You reported this too" in first.get_data(as_text=True)
    assert rider.post(f"/reports/{near}/support").status_code == 303
    with ctx() as session:
        assert session.get(Report, near).supporters == 1
        assert session.scalar(sa.select(sa.func.count()).select_from(ReportSupport)) == 1
    assert "Reports you said" in rider.get("/reports/").get_data(as_text=True)


def test_another_rider_gets_404_on_someone_elses_report_and_its_photos(ctx, world, make_client, deps):
    report_id = filed(ctx, world, by=world.rider2, status="closed")
    with ctx() as session:
        photo_id = session.scalar(sa.select(ReportPhoto.id).where(ReportPhoto.report_id == report_id))
    stranger = make_client(world.rider)
    assert stranger.get(f"/reports/{report_id}").status_code == 404
    assert stranger.get(f"/reports/photos/{photo_id}.jpg").status_code == 404
    assert stranger.get(f"/reports/similar/{report_id}/photo.jpg").status_code == 404  # closed
    assert stranger.post(f"/reports/{report_id}/confirm").status_code == 404
    assert stranger.post(f"/reports/{report_id}/reopen").status_code == 404


def resolved(ctx, world, deps) -> int:
    with ctx() as session:
        report = make_report(session.get(User, world.rider))
        services.accept_report(report=report, coordinator=session.get(User, world.coordinator))
        services.resolve_report(report=report, staff=session.get(User, deps.transport_staff), note="井盖已更换",
                                photo=("after.jpg", photo_bytes((64, 48))))
        session.commit()
        return report.id


def test_confirming_the_fix_awards_the_category_points_once(rider, ctx, world, deps):
    report_id = resolved(ctx, world, deps)
    page = rider.get(f"/reports/{report_id}").get_data(as_text=True)
    assert "Fixed — confirm" in page and "Not fixed" in page and "井盖已更换" in page
    first = rider.post(f"/reports/{report_id}/confirm")
    assert first.status_code == 303
    assert "10 points were added" in rider.get(first.headers["Location"]).get_data(as_text=True)
    second = rider.post(f"/reports/{report_id}/confirm")
    assert second.status_code == 303
    assert "This report has changed meanwhile" in rider.get(second.headers["Location"]).get_data(as_text=True)
    with ctx() as session:
        amounts = session.scalars(sa.select(LedgerEntry.amount).where(LedgerEntry.report_id == report_id)).all()
        assert amounts == [category_by_code("road_facilities").points] == [10]
    mine = rider.get("/reports/").get_data(as_text=True)
    assert "+10 points" in mine and "Your reports have brought you 10 points." in mine


def test_not_fixed_reopens_once_only(rider, ctx, world, deps):
    report_id = resolved(ctx, world, deps)
    assert rider.post(f"/reports/{report_id}/reopen", {"note": "还是没修好"}).status_code == 303
    with ctx() as session:
        report = session.get(Report, report_id)
        assert report.status == "routed" and report.reopened_at is not None
        services.resolve_report(report=report, staff=session.get(User, deps.transport_staff), note="再次更换",
                                photo=("after.jpg", photo_bytes((64, 48))))
        session.commit()
    page = rider.get(f"/reports/{report_id}").get_data(as_text=True)
    assert "You said once already that it was not fixed" in page and "还是没修好" in page
    again = rider.post(f"/reports/{report_id}/reopen")
    assert "reopened once already" in rider.get(again.headers["Location"]).get_data(as_text=True)
    with ctx() as session:
        assert session.get(Report, report_id).status == "resolved"


def test_the_timeline_names_roles_not_people(rider, ctx, world, deps):
    report_id = resolved(ctx, world, deps)
    page = rider.get(f"/reports/{report_id}", lang="zh").get_data(as_text=True)
    assert "陈丽华" not in page and "交通小张" not in page
    page = rider.get(f"/reports/{report_id}").get_data(as_text=True)
    assert "Coordinator" in page and "Department" in page


def test_a_station_within_100_m_is_offered_and_linked(rider, ctx, world):
    from tests.station_factories import make_station

    with ctx() as session:
        station_id = make_station(world.org, name="杨舍暖新窝", at=north_of(HERE, 60)).id
        far_id = make_station(world.org, name="远处暖新窝", at=north_of(HERE, 300)).id
        session.commit()
    html = send(rider, description="").get_data(as_text=True)  # refused: the form comes back with the places
    assert f'value="station:{station_id}"' in html and "杨舍暖新窝" in html and f"station:{far_id}" not in html
    assert send(rider, place=f"station:{station_id}").status_code == 303
    with ctx() as session:
        report = session.scalars(sa.select(Report)).one()
        assert (report.station_id, report.organisation_id) == (station_id, world.org)


def test_a_photo_over_the_limit_is_refused_beside_the_photos(rider, monkeypatch):
    monkeypatch.setattr("core.images.MAX_UPLOAD_BYTES", 4096)  # 10 MB in the app: a test body that big leaks a file
    response = send(rider, photos=[("huge.jpg", photo_bytes((640, 480), gps=False) + b"0" * 4096)])
    assert response.status_code == 422
    assert "at most 10 MB" in error_beside(response.get_data(as_text=True), "photos")


def test_the_riders_own_report_nearby_is_named_not_offered_for_me_too(rider, ctx, world):
    own = filed(ctx, world, by=world.rider)
    html = similar_list(rider)
    assert "This is your own report" in html and f'id="report-{own}-support"' not in html
    refused = rider.post(f"/reports/{own}/support", htmx=True)
    assert refused.status_code == 409 and "your own report" in refused.get_data(as_text=True)


def test_in_chinese_the_form_speaks_chinese(rider):
    html = rider.get("/reports/new", lang="zh").get_data(as_text=True)
    assert "上报问题" in html and "随手拍" in html and "问题照片（1到3张）" in html
