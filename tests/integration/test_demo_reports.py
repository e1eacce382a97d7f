"""The demo's problem reports: five departments with a staff login each, the categories routed, 40 reports over
Zhangjiagang in every status (some with "me too", one reopened), photos drawn and cleaned like uploads, points
awarded once per closed report, and the books balanced."""

import io
from datetime import timedelta

import sqlalchemy as sa
from PIL import Image

from accounts.models import User
from core.storage import file_store
from core.timeutil import utcnow
from demo.data import DEMO_PASSWORD
from demo.report_data import DEPARTMENTS, ROUTES
from oversight.books import run_audit
from points.models import LedgerEntry
from reports.models import STATUSES, Department, DepartmentStaff, Report, ReportCategory, ReportPhoto, ReportUpdate


def test_the_demo_has_departments_and_40_reports_in_every_status(app, ctx, make_client):
    began = utcnow()
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert "5 departments" in result.output and "40 reports" in result.output, result.output
    with ctx() as session:
        departments = {d.kind: d for d in session.scalars(sa.select(Department))}
        assert {d.name for d in departments.values()} == {row[0] for row in DEPARTMENTS}
        for name, kind, _contact, phone, _staff in DEPARTMENTS:
            staff = session.scalar(sa.select(User).join(DepartmentStaff, DepartmentStaff.user_id == User.id)
                                   .where(DepartmentStaff.department_id == departments[kind].id))
            assert staff.phone == phone and staff.role == "department" and staff.check_password(DEMO_PASSWORD), name
        routes = {c.code: c.department.kind for c in session.scalars(sa.select(ReportCategory))}
        assert routes == ROUTES

        reports = session.scalars(sa.select(Report)).all()
        assert len(reports) == 40 and {r.status for r in reports} == set(STATUSES)
        assert all(r.organisation_id is not None and r.reporter_id is not None for r in reports)
        assert all(31.7 < r.latitude < 32.1 and 120.3 < r.longitude < 120.9 and r.address for r in reports)
        ages = [began - r.created_at for r in reports]
        assert min(ages) < timedelta(days=1) and timedelta(days=39) < max(ages) < timedelta(days=41)
        assert all(r.updated_at <= began + timedelta(minutes=1) for r in reports)
        assert sum(r.supporters for r in reports) >= 5
        assert [r.status for r in reports if r.reopened_at is not None] == ["routed"]
        assert all(r.department_id is not None for r in reports if r.status in ("routed", "resolved", "closed"))

        closed = [r for r in reports if r.status == "closed"]
        awards = session.execute(sa.select(LedgerEntry.report_id, LedgerEntry.amount, LedgerEntry.rider_id)
                                 .where(LedgerEntry.report_id.is_not(None))).all()
        assert sorted(awards) == sorted((r.id, r.category.points, r.reporter_id) for r in closed)
        kinds = set(session.scalars(sa.select(ReportUpdate.kind).distinct()))
        assert {"confirmed", "verified", "reopened", "supported", "rejected", "resolved"} <= kinds
        assert run_audit() == []

        photos = session.scalars(sa.select(ReportPhoto)).all()
        assert {p.kind for p in photos} == {"before", "after"}
        picture = Image.open(io.BytesIO(file_store().get(photos[0].storage_key)))
        assert picture.format == "JPEG" and max(picture.size) <= 1600 and not dict(picture.getexif())
        routed_photo = session.scalar(sa.select(ReportPhoto.id).join(Report, Report.id == ReportPhoto.report_id)
                                      .where(Report.status == "routed", Report.department_id ==
                                             departments["transport"].id))
        transport_staff = session.scalar(sa.select(User.id).where(User.phone == "13500000001"))
        fire_staff = session.scalar(sa.select(User.id).where(User.phone == "13500000004"))
    assert make_client(transport_staff).get(f"/reports/photos/{routed_photo}.jpg").status_code == 200
    assert make_client(fire_staff).get(f"/reports/photos/{routed_photo}.jpg").status_code == 404
