"""Reports for tests: departments with their staff, the categories routed, photos drawn in memory, reports in
any status (through the services, so the timeline and the ledger are what the app would write)."""

import io
from types import SimpleNamespace

from PIL import Image

from extensions import db
from reports import services
from reports.catalogue import category_by_code, ensure_categories
from reports.models import Department, DepartmentStaff, Report
from tests import factories
from tests.station_factories import HERE


def photo_bytes(size=(2400, 1800), colour=(200, 80, 40), fmt="JPEG", gps=True) -> bytes:
    """A picture of ``size`` pixels in ``fmt``; a JPEG carries EXIF with a camera model and a GPS position (the
    metadata the app must strip)."""
    image = Image.new("RGB", size, colour)
    out = io.BytesIO()
    if fmt == "JPEG" and gps:
        exif = Image.Exif()
        exif[0x0110] = "NuanxinTestCam"  # Model
        exif[0x0112] = 6  # Orientation: rotate 90° clockwise to show upright
        gps_ifd = exif.get_ifd(0x8825)
        gps_ifd[1], gps_ifd[2] = "N", (31.0, 52.0, 12.0)
        gps_ifd[3], gps_ifd[4] = "E", (120.0, 33.0, 0.0)
        image.save(out, fmt, exif=exif)
    else:
        image.save(out, fmt)
    return out.getvalue()


def make_department(name="张家港市城管局", kind="city_management", staff_name="城管小李", **overrides):
    """A department with one staff account (role ``department``); returns ``(department, staff user)``."""
    department = Department(name=name, kind=kind, contact="0512-12345", **overrides)
    db.session.add(department)
    db.session.flush()
    staff = factories.make_user(role="department", name=staff_name)
    db.session.add(DepartmentStaff(user_id=staff.id, department_id=department.id))
    db.session.flush()
    return department, staff


def make_departments() -> SimpleNamespace:
    """The categories (ensured) routed to three departments, each with one staff account:
    transport (road facilities, traffic signals), city management (blocked passage, sanitation, station,
    other, fire hazard) and market supervision (food safety)."""
    ensure_categories()
    transport, transport_staff = make_department("张家港市交通运输局", "transport", "交通小张")
    city, city_staff = make_department("张家港市城管局", "city_management", "城管小李")
    market, market_staff = make_department("张家港市市场监管局", "market_supervision", "市监小王")
    routes = {"road_facilities": transport, "traffic_signals": transport, "food_safety": market}
    for code in ("road_facilities", "traffic_signals", "blocked_passage", "food_safety", "fire_hazard", "sanitation",
                 "station_problem", "other"):
        category_by_code(code).department_id = routes.get(code, city).id
    db.session.flush()
    return SimpleNamespace(transport=transport, transport_staff=transport_staff, city=city, city_staff=city_staff,
                           market=market, market_staff=market_staff)


def make_report(reporter, *, category="road_facilities", at=HERE, description="井盖缺失，电动车容易摔倒",
                photos=1, **overrides) -> Report:
    """A submitted report by ``reporter`` (a User) at ``at`` with ``photos`` small photos. Flushed."""
    return services.submit_report(
        reporter=reporter, category=category_by_code(category), description=description, latitude=at[0],
        longitude=at[1], photos=[(f"p{i}.jpg", photo_bytes((64, 48))) for i in range(photos)],
        address=overrides.pop("address", "张家港市人民中路"), **overrides)


def routed_report(world, **kwargs) -> Report:
    """A report by the world's rider (``make_world``'s ids), accepted by its coordinator and so routed (road
    facilities → transport unless ``category`` says otherwise); call after :func:`make_departments`."""
    from accounts.models import User

    report = make_report(db.session.get(User, world.rider), **kwargs)
    services.accept_report(report=report, coordinator=db.session.get(User, world.coordinator))
    return report


def report_cast(world) -> dict:
    """Issue 12: three departments with staff and a report by the world's rider, accepted by the world's
    coordinator and so routed to transport (flushed); returns ``report``, ``department_staff`` (transport's)
    and ``other_department_staff`` (city management's)."""
    from flask import current_app
    from sqlalchemy import select

    from accounts.models import User
    from reports.models import ReportPhoto

    deps = make_departments()
    with current_app.test_request_context():  # finding the nearest place builds its URL
        report = make_report(db.session.get(User, world.rider))
    services.accept_report(report=report, coordinator=db.session.get(User, world.coordinator))
    photo = db.session.scalar(select(ReportPhoto.id).where(ReportPhoto.report_id == report.id))
    return {"report": report.id, "report_photo": photo, "department_staff": deps.transport_staff.id,
            "other_department_staff": deps.city_staff.id}
