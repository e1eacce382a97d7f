"""The staff pages of reports: coordinators triage (accept, route, change category, reject, verify) and read the
figures; department staff see only what is routed to them and resolve it with an "after" photo."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from accounts.models import User
from core.timeutil import utcnow
from notifications.models import Notification
from points.models import LedgerEntry
from reports import services
from reports.models import Report, ReportUpdate
from tests.report_factories import make_departments, make_report, photo_bytes


@pytest.fixture
def cast(world, ctx):
    """The world plus three departments with staff and a submitted road report by the world's rider."""
    with ctx() as session:
        deps = make_departments()
        report = make_report(session.get(User, world.rider), description="人民中路井盖缺失")
        session.commit()
        return SimpleNamespace(world=world, report=report.id, transport=deps.transport.id,
                               transport_staff=deps.transport_staff.id, city=deps.city.id,
                               city_staff=deps.city_staff.id, market_staff=deps.market_staff.id)


def status_of(ctx, report_id):
    with ctx() as session:
        report = session.get(Report, report_id)
        return report.status, report.department_id


def accept(ctx, cast, report_id=None):
    with ctx() as session:
        report = session.get(Report, report_id or cast.report)
        services.accept_report(report=report, coordinator=session.get(User, cast.world.coordinator))
        session.commit()


def test_the_coordinator_sees_and_accepts_a_report_which_goes_to_its_department(cast, make_client, ctx):
    coordinator = make_client(cast.world.coordinator)
    queue = coordinator.get("/coordinate/reports/").get_data(as_text=True)
    assert "人民中路井盖缺失" in queue and f"/coordinate/reports/{cast.report}" in queue
    page = coordinator.get(f"/coordinate/reports/{cast.report}")
    assert page.status_code == 200 and "赵佳楠" in page.get_data(as_text=True)  # the reporter, masked phone
    assert "uri.amap.com/navigation" in page.get_data(as_text=True)
    response = coordinator.post(f"/coordinate/reports/{cast.report}/accept")
    assert response.status_code == 303 and response.location.endswith(f"/coordinate/reports/{cast.report}")
    assert status_of(ctx, cast.report) == ("routed", cast.transport)
    assert "张家港市交通运输局" in coordinator.get(response.location).get_data(as_text=True)


def test_a_second_accept_says_the_report_changed_and_is_no_500(cast, make_client, ctx):
    coordinator = make_client(cast.world.coordinator)
    coordinator.post(f"/coordinate/reports/{cast.report}/accept")
    again = coordinator.post(f"/coordinate/reports/{cast.report}/accept")
    assert again.status_code == 303
    page = coordinator.get(again.location).get_data(as_text=True)
    assert "This report has changed meanwhile" in page
    assert "/accept" not in page  # no button that can only be refused


def test_another_organisations_coordinator_gets_404(cast, make_client, ctx):
    other = make_client(cast.world.other_coordinator)
    assert other.get(f"/coordinate/reports/{cast.report}").status_code == 404
    assert other.post(f"/coordinate/reports/{cast.report}/accept").status_code == 404
    assert "人民中路井盖缺失" not in other.get("/coordinate/reports/").get_data(as_text=True)
    assert status_of(ctx, cast.report) == ("submitted", None)


def test_department_staff_see_only_reports_routed_to_their_department(cast, make_client, ctx):
    accept(ctx, cast)
    transport, city = make_client(cast.transport_staff), make_client(cast.city_staff)
    assert "人民中路井盖缺失" in transport.get("/department/reports/").get_data(as_text=True)
    assert transport.get(f"/department/reports/{cast.report}").status_code == 200
    assert "人民中路井盖缺失" not in city.get("/department/reports/").get_data(as_text=True)
    assert city.get(f"/department/reports/{cast.report}").status_code == 404
    assert city.post(f"/department/reports/{cast.report}/reject", {"reason": "不归我们"}).status_code == 404


def test_a_category_change_reroutes_the_report(cast, make_client, ctx):
    accept(ctx, cast)
    transport, city = make_client(cast.transport_staff), make_client(cast.city_staff)
    response = transport.post(f"/department/reports/{cast.report}/category", {"category": "blocked_passage"})
    assert response.status_code == 303 and response.location.endswith("/department/reports/")
    assert status_of(ctx, cast.report) == ("routed", cast.city)
    assert transport.get(f"/department/reports/{cast.report}").status_code == 404
    assert "人民中路井盖缺失" not in transport.get("/department/reports/").get_data(as_text=True)
    assert "人民中路井盖缺失" in city.get("/department/reports/").get_data(as_text=True)


def test_the_coordinator_changes_the_category_and_the_new_department_sees_it(cast, make_client, ctx):
    accept(ctx, cast)
    coordinator = make_client(cast.world.coordinator)
    response = coordinator.post(f"/coordinate/reports/{cast.report}/category", {"category": "sanitation"})
    assert response.status_code == 303
    assert status_of(ctx, cast.report) == ("routed", cast.city)
    assert make_client(cast.city_staff).get(f"/department/reports/{cast.report}").status_code == 200


def test_resolving_needs_a_note_and_a_real_photo(cast, make_client, ctx):
    accept(ctx, cast)
    transport = make_client(cast.transport_staff)
    url = f"/department/reports/{cast.report}/resolve"
    no_note = transport.post(url, {"note": "", "photo": (photo_bytes_io(), "after.jpg")},
                             content_type="multipart/form-data")
    assert no_note.status_code == 422 and "Write what was done" in no_note.get_data(as_text=True)
    no_photo = transport.post(url, {"note": "已补装井盖"})
    assert no_photo.status_code == 422
    assert "Add a photo of the place after the fix" in no_photo.get_data(as_text=True)
    assert "已补装井盖" in no_photo.get_data(as_text=True)  # the note is kept
    text = transport.post(url, {"note": "已补装井盖", "photo": (bytes_io(b"not a picture at all"), "x.jpg")},
                          content_type="multipart/form-data")
    assert text.status_code == 422 and 'id="photo-error"' in text.get_data(as_text=True)
    assert status_of(ctx, cast.report)[0] == "routed"
    done = transport.post(url, {"note": "已补装井盖", "photo": (photo_bytes_io(), "after.jpg")},
                          content_type="multipart/form-data")
    assert done.status_code == 303
    assert status_of(ctx, cast.report)[0] == "resolved"
    with ctx() as session:
        kinds = session.scalars(sa.select(Notification.kind).where(Notification.user_id == cast.world.rider)).all()
        assert "report_changed" in kinds
        note = session.scalar(sa.select(ReportUpdate.note).where(ReportUpdate.report_id == cast.report,
                                                                 ReportUpdate.kind == "resolved"))
        assert note == "已补装井盖"
    page = transport.get(f"/department/reports/{cast.report}").get_data(as_text=True)
    assert "Photo 1 after the fix" in page and "/resolve" not in page


def bytes_io(data: bytes):
    import io

    return io.BytesIO(data)


def photo_bytes_io():
    return bytes_io(photo_bytes((64, 48)))


def test_food_safety_pages_never_show_the_reporter_to_the_department(cast, make_client, ctx):
    with ctx() as session:
        rider = session.get(User, cast.world.rider)
        report = make_report(rider, category="food_safety", description="后厨老鼠出没")
        services.accept_report(report=report, coordinator=session.get(User, cast.world.coordinator))
        session.commit()
        report_id, name, phone = report.id, rider.name, rider.phone
    market = make_client(cast.market_staff)
    pages = [market.get("/department/reports/").get_data(as_text=True),
             market.get(f"/department/reports/{report_id}").get_data(as_text=True),
             market.post(f"/department/reports/{report_id}/reject", {"reason": ""}).get_data(as_text=True)]
    for html in pages:
        assert name not in html and phone not in html and phone[-4:] + "<" not in html
    assert "Reporter&#39;s identity is withheld (food safety)" in pages[1] or \
        "Reporter's identity is withheld (food safety)" in pages[1]
    coordinator = make_client(cast.world.coordinator).get(f"/coordinate/reports/{report_id}").get_data(as_text=True)
    assert name in coordinator  # coordinators may see the reporter even on food safety


def test_verifying_twice_awards_the_points_once(cast, make_client, ctx):
    accept(ctx, cast)
    with ctx() as session:
        services.resolve_report(report=session.get(Report, cast.report), staff=session.get(User, cast.transport_staff),
                                note="已修复", photo=("a.jpg", photo_bytes((64, 48))))
        session.commit()
    coordinator = make_client(cast.world.coordinator)
    first = coordinator.post(f"/coordinate/reports/{cast.report}/verify")
    assert first.status_code == 303
    assert "10 points went to the reporter" in coordinator.get(first.location).get_data(as_text=True)
    second = coordinator.post(f"/coordinate/reports/{cast.report}/verify")
    assert second.status_code == 303
    with ctx() as session:
        entries = session.scalars(sa.select(LedgerEntry.amount).where(LedgerEntry.rider_id == cast.world.rider)).all()
        assert entries == [10]
        assert session.get(Report, cast.report).status == "closed"


def test_reject_needs_a_reason_kept_beside_the_field(cast, make_client, ctx):
    coordinator = make_client(cast.world.coordinator)
    response = coordinator.post(f"/coordinate/reports/{cast.report}/reject", {"reason": "   "})
    assert response.status_code == 422 and 'id="reason-error"' in response.get_data(as_text=True)
    no_department = coordinator.post(f"/coordinate/reports/{cast.report}/route", {"department": ""})
    assert no_department.status_code in (303, 422)  # submitted: routing is not offered (WrongStatus or field)
    assert status_of(ctx, cast.report) == ("submitted", None)
    done = coordinator.post(f"/coordinate/reports/{cast.report}/reject", {"reason": "重复上报"})
    assert done.status_code == 303 and status_of(ctx, cast.report)[0] == "rejected"


def test_the_queue_filters_and_the_figures_count_right(cast, make_client, ctx):
    now = utcnow()
    with ctx() as session:
        rider = session.get(User, cast.world.rider)
        staff = session.get(User, cast.transport_staff)
        coordinator = session.get(User, cast.world.coordinator)
        old = session.get(Report, cast.report)
        old.created_at = now - timedelta(days=10)
        made = []
        for days in (1, 3):  # resolved 1 and 3 days after being filed: median 2
            report = make_report(rider, category="traffic_signals", description=f"红绿灯坏了{days}",
                                 now=now - timedelta(days=5))
            services.accept_report(report=report, coordinator=coordinator, now=now - timedelta(days=5))
            services.resolve_report(report=report, staff=staff, note="修好了", photo=("a.jpg", photo_bytes((64, 48))),
                                    now=now - timedelta(days=5 - days))
            made.append(report)
        session.commit()
    coordinator = make_client(cast.world.coordinator)
    needs_action = coordinator.get("/coordinate/reports/").get_data(as_text=True)
    assert needs_action.index("人民中路井盖缺失") < needs_action.index("红绿灯坏了1")  # submitted first
    older = coordinator.get("/coordinate/reports/?status=action&age=7").get_data(as_text=True)
    assert "人民中路井盖缺失" in older and "红绿灯坏了" not in older
    signals = coordinator.get("/coordinate/reports/?status=all&category=traffic_signals").get_data(as_text=True)
    assert "红绿灯坏了1" in signals and "人民中路井盖缺失" not in signals
    by_department = coordinator.get(f"/coordinate/reports/?status=all&department={cast.city}").get_data(as_text=True)
    assert "红绿灯坏了" not in by_department
    figures = coordinator.get("/coordinate/reports/figures").get_data(as_text=True)
    assert ">2.0<" in figures  # median days to resolve
    assert f"/coordinate/reports/{cast.report}" in figures  # among the oldest open
    bad = coordinator.get("/coordinate/reports/figures?from=2026-13-45&to=x")
    assert bad.status_code == 200 and "Enter dates like 2026-12-24" in bad.get_data(as_text=True)
    empty = coordinator.get("/coordinate/reports/figures?from=2020-01-01&to=2020-01-31").get_data(as_text=True)
    assert ">—<" in empty
