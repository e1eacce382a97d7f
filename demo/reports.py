"""Loading the demo's city departments, their staff and 40 problem reports (called by :func:`demo.load.load_demo`).

Every report is filed, accepted, routed, resolved, rejected, confirmed, verified or reopened through
:mod:`reports.services` with a clock in the past (the report's age, 0–40 days), so the timelines, notifications,
journal and ledger are what the app itself would have written, and the closed reports earned their points once.
Photos are drawn here with Pillow (shapes and colours only: no real people or places) and go through the same
checks and re-encoding as an upload. Nothing is random: the same demo every time.
"""

import io
from datetime import datetime, timedelta
from functools import cache

from PIL import Image, ImageDraw

from accounts.models import User
from accounts.services import create_account
from demo.data import DEMO_PASSWORD
from demo.report_data import DEPARTMENTS, REPORTS, RESOLUTIONS, ROUTES
from extensions import db
from reports import services
from reports.catalogue import category_by_code, ensure_categories
from reports.models import Department, DepartmentStaff, Report
from stations.models import Station

PHOTO_SIZE = (800, 600)
OFFSETS = [(0.0003, 0.0002), (-0.0002, 0.0004), (0.0004, -0.0003), (-0.0004, -0.0002), (0.0001, 0.0005)]


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def _road(draw: ImageDraw.ImageDraw, fixed: bool) -> None:
    draw.rectangle((0, 0, 800, 220), fill=(170, 200, 225))
    draw.rectangle((0, 220, 800, 600), fill=(125, 155, 100))  # verges
    draw.polygon([(0, 600), (800, 600), (520, 220), (280, 220)], fill=(105, 105, 110))
    for y in range(240, 600, 70):
        draw.rectangle((395, y, 405, y + 35), fill=(235, 235, 235))
    if fixed:
        draw.rectangle((180, 430, 360, 520), fill=(70, 70, 74))  # fresh asphalt patch
    else:
        draw.ellipse((190, 440, 350, 510), fill=(35, 32, 30))
        draw.ellipse((215, 455, 325, 495), fill=(60, 70, 90))  # water in the pothole


def _signal(draw: ImageDraw.ImageDraw, fixed: bool) -> None:
    draw.rectangle((0, 0, 800, 600), fill=(175, 205, 230))
    draw.rectangle((0, 470, 800, 600), fill=(110, 110, 115))
    draw.rectangle((385, 200, 415, 480), fill=(80, 85, 90))
    draw.rounded_rectangle((340, 40, 460, 250), radius=18, fill=(30, 32, 35))
    lamps = [(200, 40, 40), (220, 170, 30), (40, 190, 80)] if fixed else [(70, 30, 30), (70, 60, 20), (25, 60, 35)]
    for n, colour in enumerate(lamps):
        draw.ellipse((370, 55 + n * 65, 430, 115 + n * 65), fill=colour)


def _doorway(draw: ImageDraw.ImageDraw, fixed: bool) -> None:
    draw.rectangle((0, 0, 800, 600), fill=(205, 195, 180))
    draw.rectangle((0, 500, 800, 600), fill=(140, 135, 130))
    draw.rectangle((300, 160, 500, 500), fill=(70, 60, 55))
    if not fixed:
        for x, y, w, h in [(250, 390, 130, 110), (390, 400, 150, 100), (310, 300, 120, 95), (440, 320, 90, 80)]:
            draw.rectangle((x, y, x + w, y + h), fill=(170, 125, 75), outline=(120, 85, 45), width=4)
            draw.line((x, y + h // 2, x + w, y + h // 2), fill=(200, 170, 110), width=6)


def _bin(draw: ImageDraw.ImageDraw, fixed: bool) -> None:
    draw.rectangle((0, 0, 800, 600), fill=(190, 210, 190))
    draw.rectangle((0, 470, 800, 600), fill=(150, 150, 150))
    draw.rectangle((330, 230, 470, 490), fill=(40, 120, 70))
    draw.rectangle((320, 210, 480, 240), fill=(30, 95, 55))
    if not fixed:
        for x, y in [(250, 440), (480, 450), (300, 180), (400, 170), (540, 480), (200, 490)]:
            draw.ellipse((x, y, x + 90, y + 60), fill=(45, 45, 50))


def _counter(draw: ImageDraw.ImageDraw, fixed: bool) -> None:
    draw.rectangle((0, 0, 800, 600), fill=(230, 220, 200))
    draw.rectangle((80, 330, 720, 380), fill=(150, 110, 70))
    draw.rectangle((110, 380, 140, 560), fill=(120, 90, 60))
    draw.rectangle((660, 380, 690, 560), fill=(120, 90, 60))
    for x in (170, 330, 490):
        draw.ellipse((x, 290, x + 130, 340), fill=(245, 245, 245), outline=(190, 190, 190), width=3)
        draw.ellipse((x + 30, 285, x + 100, 320), fill=(190, 120, 60))
    if fixed:
        draw.rectangle((150, 230, 650, 330), outline=(120, 170, 200), width=6)  # a clean cover
    else:
        for x, y in [(220, 250), (400, 230), (560, 270), (300, 200)]:
            draw.ellipse((x, y, x + 12, y + 8), fill=(20, 20, 20))


def _cylinders(draw: ImageDraw.ImageDraw, fixed: bool) -> None:
    draw.rectangle((0, 0, 800, 600), fill=(200, 200, 195))
    draw.rectangle((0, 480, 800, 600), fill=(125, 120, 115))
    draw.rectangle((560, 120, 720, 480), fill=(60, 110, 60))  # the exit door
    draw.rectangle((600, 150, 680, 190), fill=(40, 200, 90))
    if not fixed:
        for x in (120, 230, 340):
            draw.rounded_rectangle((x, 300, x + 90, 480), radius=30, fill=(60, 90, 170))
            draw.rectangle((x + 35, 280, x + 55, 300), fill=(90, 90, 90))
        draw.rectangle((440, 390, 560, 480), fill=(170, 125, 75), outline=(120, 85, 45), width=4)


def _dispenser(draw: ImageDraw.ImageDraw, fixed: bool) -> None:
    draw.rectangle((0, 0, 800, 600), fill=(235, 230, 220))
    draw.rectangle((0, 500, 800, 600), fill=(160, 150, 140))
    draw.rectangle((320, 200, 480, 500), fill=(240, 240, 245), outline=(150, 150, 160), width=4)
    draw.ellipse((340, 80, 460, 210), fill=(150, 200, 235))
    draw.ellipse((350, 260, 380, 290), fill=(220, 60, 50) if fixed else (90, 90, 90))
    draw.ellipse((420, 260, 450, 290), fill=(60, 120, 220) if fixed else (90, 90, 90))


def _flood(draw: ImageDraw.ImageDraw, fixed: bool) -> None:
    draw.rectangle((0, 0, 800, 600), fill=(160, 170, 180))
    draw.rectangle((0, 0, 800, 140), fill=(120, 120, 125))  # the bridge above
    draw.rectangle((0, 380, 800, 600), fill=(100, 100, 105))
    if not fixed:
        draw.ellipse((80, 400, 720, 560), fill=(85, 110, 130))
        draw.polygon([(560, 300), (640, 380), (600, 390)], fill=(230, 120, 30))  # a fallen sign


SCENES = {"road_facilities": _road, "traffic_signals": _signal, "blocked_passage": _doorway, "food_safety": _counter,
          "fire_hazard": _cylinders, "sanitation": _bin, "station_problem": _dispenser, "other": _flood}


@cache
def scene(code: str, fixed: bool = False) -> bytes:
    """An 800×600 JPEG drawn for category ``code``: the problem, or (``fixed``) the place after the fix."""
    image = Image.new("RGB", PHOTO_SIZE)
    SCENES[code](ImageDraw.Draw(image), fixed)
    return _jpeg(image)


def load_departments() -> dict[str, tuple[Department, User]]:
    """The five demo departments with one staff account each; return them by kind."""
    made = {}
    for name, kind, contact, phone, staff_name in DEPARTMENTS:
        department = Department(name=name, kind=kind, contact=contact, active=True)
        db.session.add(department)
        db.session.flush()
        staff = create_account(phone=phone, name=staff_name, password=DEMO_PASSWORD, role="department")
        db.session.add(DepartmentStaff(user_id=staff.id, department_id=department.id))
        made[kind] = (department, staff)
    db.session.flush()
    return made


def _route_categories(departments: dict[str, tuple[Department, User]]) -> None:
    for code, kind in ROUTES.items():
        category_by_code(code).department = departments[kind][0]
    db.session.flush()


def load_reports(riders: list[User], coordinators: list[User], stations: list[Station],
                 now: datetime) -> dict[str, int]:
    """Create the departments and the 40 demo reports; return how many of each were made."""
    ensure_categories()
    departments = load_departments()
    coordinator_of = {c.organisation_id: c for c in coordinators}
    # The reports still "accepted" were accepted before their category had a department: file those first.
    waiting = [i for i, row in enumerate(REPORTS) if row[4] == "accepted"]
    made = [_one_report(i, riders, coordinator_of, departments, stations, now) for i in waiting]
    _route_categories(departments)
    made += [_one_report(i, riders, coordinator_of, departments, stations, now)
             for i in range(len(REPORTS)) if i not in waiting]
    db.session.flush()
    return {"departments": len(departments), "reports": len(made)}


def _one_report(i: int, riders: list[User], coordinator_of: dict, departments: dict, stations: list[Station],
                now: datetime) -> Report:
    code, description, spot, station_index, status, age, extras = REPORTS[i]
    station = stations[station_index]
    d_lat, d_lng = OFFSETS[i % len(OFFSETS)]
    reporter = riders[0] if extras.get("mine") else riders[1 + (i * 7) % (len(riders) - 1)]
    created = now - timedelta(days=age, hours=2 + i % 5, minutes=(i * 13) % 60)
    span = (now - timedelta(minutes=30)) - created

    def at(fraction: float) -> datetime:
        return created + span * fraction

    photos = [(f"IMG_{2024 + i}.jpg", scene(code))]
    report = services.submit_report(
        reporter=reporter, category=category_by_code(code), description=description,
        latitude=round(station.latitude + d_lat, 6), longitude=round(station.longitude + d_lng, 6),
        address=f"{station.address}附近，{spot}", photos=photos, now=created)
    coordinator = coordinator_of.get(report.organisation_id) or next(iter(coordinator_of.values()))
    for k in range(extras.get("supporters", 0)):
        supporter = riders[1 + (i * 7 + 3 + k * 5) % (len(riders) - 1)]
        if supporter.id != reporter.id:
            services.add_support(report=report, user=supporter, now=at(0.05 + 0.02 * k))
    if status == "submitted":
        return report
    if status == "rejected" and i % 2:
        services.reject_report(report=report, actor=coordinator, reason=extras["reason"], now=at(0.2))
        return report
    services.accept_report(report=report, coordinator=coordinator, now=at(0.1))
    if status in ("accepted", "routed") and not extras.get("reopened"):
        return report
    staff = departments[ROUTES[code]][1]
    if status == "rejected":
        services.reject_report(report=report, actor=staff, reason=extras["reason"], now=at(0.4))
        return report
    resolution = (f"IMG_{3024 + i}.jpg", scene(code, fixed=True))
    services.resolve_report(report=report, staff=staff, note=RESOLUTIONS[code], photo=resolution, now=at(0.4))
    if extras.get("reopened"):
        services.reopen_report(report=report, reporter=reporter, note="看了一下还是没修好，晚上还是很黑。",
                               now=at(0.55))
        return report
    if status == "closed":
        if extras.get("verified"):
            services.verify_fix(report=report, coordinator=coordinator, now=at(0.7))
        else:
            services.confirm_fix(report=report, reporter=reporter, now=at(0.7))
    return report
