"""Trying to break problem reports as a hostile or clumsy user would, part 1: other people's reports and photos,
workflow steps out of order or by the wrong person, a lost CSRF token. No answer may be a 500; what a user may not
see is a 404 (DESIGN invariant 10). Part 2 (junk input, odd photos, Open311): test_reports_abuse_input.py."""
# ruff: noqa: F811 - the shared fixtures are imported by name and taken as test arguments

import io

import sqlalchemy as sa

from accounts.models import User
from extensions import db
from points.models import LedgerEntry
from reports import services
from reports.models import Report
from tests import factories
from tests.report_abuse_cast import api_key, cast, multipart, status_of  # noqa: F401 - fixtures (named as test arguments: F811 below)
from tests.report_factories import make_department, make_report, photo_bytes

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
    assert status_of(cast.road, ctx) == "routed"


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
    assert status_of(cast.road, ctx) == "closed"
    # a closed report: no category change, no reopen, no me too, no accept
    coordinator = make_client(cast.w.coordinator)
    coordinator.post(f"/coordinate/reports/{cast.road}/category", data={"category": "sanitation"})
    coordinator.post(f"/coordinate/reports/{cast.road}/accept")
    rider.post(f"/reports/{cast.road}/reopen", data={"note": "x"})
    assert make_client(cast.w.rider2).post(f"/reports/{cast.road}/support").status_code in (303, 422, 409)
    assert status_of(cast.road, ctx) == "closed"
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
    assert status_of(cast.road, ctx) == "routed"
    _resolve(cast, ctx)
    rider.post(f"/reports/{cast.road}/reopen", data={"note": "还是没修"})
    assert status_of(cast.road, ctx) == "resolved"
    page = rider.get(f"/reports/{cast.road}").get_data(as_text=True)
    assert "还是没修" not in page
    # rejected: accept again is refused, no award
    coordinator = make_client(cast.w.coordinator)
    assert coordinator.post(f"/coordinate/reports/{cast.food}/reject", data={"reason": "不属实"}).status_code == 303
    coordinator.post(f"/coordinate/reports/{cast.food}/accept")
    coordinator.post(f"/coordinate/reports/{cast.food}/verify")
    assert status_of(cast.food, ctx) == "rejected"
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
